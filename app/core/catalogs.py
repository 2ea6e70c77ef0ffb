"""Catalog checks shared by ``flask translate`` and the tests."""
from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

SOURCE_LOCALE = "en"  # msgids are English: its catalog mirrors them


def load(path: Path, locale: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def fill_source_catalog(path: Path) -> int:
    """Copy each msgid into the English catalog's empty msgstr; returns how many."""
    catalog = load(path, SOURCE_LOCALE)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    return filled


def problems(catalog: Catalog) -> list[str]:
    """Untranslated or fuzzy entries of a catalog, as readable lines."""
    found: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            found.append(f"untranslated: {message.id!r}")
    return found
