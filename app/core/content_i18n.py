"""Text that users enter and others read, in French, English and Arabic.

Two shapes exist in the schema:

- tables of issue 1–9 with one column per language (``title_fr``, ``title_en``,
  ``title_ar``: calls, rule sets, resolutions), whose original is French;
- tables that hold the text as typed (``title``, ``description``) in the
  author's language ``source_locale``, with the other languages in a JSON
  ``translations`` column ``{"title": {"ar": "…"}, …}`` (:class:`Translatable`:
  assemblies, agenda items, assembly documents).

:func:`in_language` reads either shape and says whether the reader got their own
language or the original as a fallback, so a page can mark the fallback.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from sqlalchemy import JSON, String
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column

LANGUAGES = ("fr", "en", "ar")


class Translatable:
    """Mixin: the text is stored as typed (in ``source_locale``), translations beside it."""

    #: The language the original text was written in.
    source_locale: Mapped[str] = mapped_column(String(5), default="fr", server_default="fr")
    #: ``{field: {locale: text}}`` for the languages other than ``source_locale``.
    translations: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JSON), default=dict,
                                                         server_default="{}")

    def set_translation(self, field: str, locale: str, text: str) -> None:
        """Store (or, with an empty text, remove) one translation of ``field``."""
        current = {k: dict(v) for k, v in (self.translations or {}).items()}
        per_field = current.setdefault(field, {})
        if text.strip():
            per_field[locale] = text.strip()
        else:
            per_field.pop(locale, None)
        if not per_field:
            current.pop(field, None)
        self.translations = current


@dataclass(frozen=True)
class InLanguage:
    """A text as shown to a reader: its words, their language, and whether it is a fallback."""

    text: str
    lang: str
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def _reader_locale(locale: str | None) -> str:
    return locale or str(get_locale() or "fr")


def in_language(obj: Any, field: str, locale: str | None = None) -> InLanguage:
    """``obj.field`` in the reader's language, else the original (marked as a fallback)."""
    wanted = _reader_locale(locale)
    if isinstance(obj, Translatable):
        source = obj.source_locale or "fr"
        original = getattr(obj, field) or ""
        if wanted == source:
            return InLanguage(original, source, False)
        translated = ((obj.translations or {}).get(field) or {}).get(wanted, "")
        if translated:
            return InLanguage(translated, wanted, False)
        return InLanguage(original, source, bool(original))
    own = getattr(obj, f"{field}_{wanted}", "") or ""
    if own:
        return InLanguage(own, wanted, False)
    for code in LANGUAGES:
        value = getattr(obj, f"{field}_{code}", "") or ""
        if value:
            return InLanguage(value, code, True)
    return InLanguage("", wanted, False)
