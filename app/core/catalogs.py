"""Catalog checks shared by ``flask translate`` and the tests."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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


# French typography -------------------------------------------------------------------------------------------

NNBSP = "\u202f"  # narrow no-break space: French sets it before ":" ";" "!" "?"
_SPACES = " \u00a0\u202f\u2009"
_HIGH_PUNCTUATION = ":;!?"
_AFTER_PUNCTUATION = set(" \u00a0\u202f\n\t.,;:!?)»\"'”’…")
_ADDRESS = re.compile(r"\b(?:https?|ftp|mailto|tel):\S*")


def fix_typography(text: str) -> str:
    """French spacing before ``: ; ! ?``: a narrow no-break space, never a plain space or none.

    Punctuation that is not a sentence's is left alone: times (10:30), addresses (https://…?a=1), "::",
    a mark at the start of a line, or one followed by a letter or a digit."""
    protected = {i for match in _ADDRESS.finditer(text) for i in range(match.start(), match.end())}
    out: list[str] = []
    for i, char in enumerate(text):
        if char in _HIGH_PUNCTUATION and i not in protected and _is_sentence_mark(text, i):
            while out and out[-1] in _SPACES:
                out.pop()
            if out and out[-1] != "\n":
                out.append(NNBSP)
        out.append(char)
    return "".join(out)


def _is_sentence_mark(text: str, i: int) -> bool:
    before = text[:i].rstrip(_SPACES)
    after = text[i + 1:i + 2]
    if not before or before.endswith("\n") or before[-1] in _HIGH_PUNCTUATION:
        return False  # nothing before it, or the second mark of "?!" / "::"
    if after and after not in _AFTER_PUNCTUATION:
        return False  # 10:30, a::b, a?b
    return not (text[i] == ":" and after == ":")


def _strings(message: Any) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def typography_problems(catalog: Catalog) -> list[str]:
    """French translations whose spacing before ``: ; ! ?`` is not the narrow no-break space."""
    return [f"{message.id!r}: {text!r}" for message in catalog if message.id
            for text in _strings(message) if text and fix_typography(text) != text]


def fix_catalog_typography(path: Path) -> int:
    """Rewrite a French catalog's translations with ``fix_typography``; returns how many changed."""
    catalog = load(path, "fr")
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple):
            fixed: Any = tuple(fix_typography(text) for text in message.string)
        else:
            fixed = fix_typography(message.string)
        if fixed != message.string:
            message.string = fixed
            changed += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    return changed
