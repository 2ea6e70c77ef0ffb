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

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
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


@contextmanager
def _force(locale: str | None) -> Iterator[None]:
    """Messages in ``locale`` when one is given (an e-mail to its recipient, a PDF in its language)."""
    with force_locale(locale) if locale else nullcontext():
        yield


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


#: "(original in …)": one message per language so each translation can inflect it.
_ORIGINAL_IN = {"fr": _l("original in French"), "en": _l("original in English"), "ar": _l("original in Arabic")}
#: The languages an author may write the original in, named in the reader's language.
_LANGUAGE_LABELS = {"fr": _l("French"), "en": _l("English"), "ar": _l("Arabic")}


def language_label(code: str) -> str:
    """A content language's name in the interface language ("French", « arabe »)."""
    return str(_LANGUAGE_LABELS.get(code, code))


def language_choices() -> list[tuple[str, str]]:
    """Choices of a "language of the original" select."""
    return [(code, language_label(code)) for code in LANGUAGES]


def text_attrs(code: str) -> dict[str, str]:
    """``lang``/``dir`` of an input or element holding text in ``code`` (Arabic is right to left)."""
    return {"lang": code, "dir": "rtl" if code == "ar" else "ltr"}


def localized(obj: Any, field: str, locale: str | None = None, *, block: bool = False, cls: str = "") -> Markup:
    """``obj.field`` for the reader as HTML: the text isolated and tagged with its language, followed by a small
    "(original in French)" marker when it is the original standing in for a missing translation.

    One function for every page, e-mail (HTML) and PDF, so the fallback is never silent. ``block`` wraps
    multi-line text (a description) in a ``div`` (classes ``cls``) that keeps its line breaks."""
    shown = in_language(obj, field, locale)
    if not shown.text:
        return Markup("")
    # The direction is said, not guessed: WeasyPrint does not guess it (dir="auto") and the language is known.
    direction = text_attrs(shown.lang)["dir"]
    if block:
        body = Markup('<div class="user-text content-text {}" lang="{}" dir="{}">{}</div>').format(
            cls, shown.lang, direction, shown.text)
    else:
        body = Markup('<bdi lang="{}" dir="{}">{}</bdi>').format(shown.lang, direction, shown.text)
    if not shown.fallback:
        return body
    with _force(locale):
        marker = str(_ORIGINAL_IN.get(shown.lang, shown.lang))
    return body + Markup(' <small class="content-fallback">({})</small>').format(marker)


def localized_text(obj: Any, field: str, locale: str | None = None) -> str:
    """Plain text of ``obj.field`` for the reader (a page title, a subject line, a sentence's placeholder)."""
    return in_language(obj, field, locale).text


def fallback_note(obj: Any, field: str, locale: str | None = None) -> str:
    """The "(original in …)" note for plain-text e-mails, empty when the reader has their language."""
    shown = in_language(obj, field, locale)
    if not shown.fallback:
        return ""
    with _force(locale):
        return f" ({_ORIGINAL_IN.get(shown.lang, shown.lang)})"


def apply_translations(obj: Translatable, source_locale: str | None,
                       texts: dict[str, dict[str, str]] | None) -> None:
    """Set the original's language and the translations typed in a form: a translation typed in the original's
    own language is dropped (the original is the text), an empty one removes the stored translation."""
    if source_locale in LANGUAGES:
        obj.source_locale = source_locale
    source = obj.source_locale or "fr"
    for field, per_locale in (texts or {}).items():
        for code, text in per_locale.items():
            obj.set_translation(field, code, "" if code == source else (text or ""))
        # A translation stored earlier in what is now the original's language would shadow nothing: drop it.
        obj.set_translation(field, source, "")


class Later:
    """``obj.field`` read when it is turned into text, in the language then in force: a mail subject built
    once (``_l("Convocation: %(title)s", title=Later(assembly, "title"))``) reads in each recipient's language."""

    def __init__(self, obj: Any, field: str, *, note: bool = False) -> None:
        self.obj, self.field, self.note = obj, field, note

    def __str__(self) -> str:
        text = localized_text(self.obj, self.field)
        return text + fallback_note(self.obj, self.field) if self.note else text
