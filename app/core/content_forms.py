"""Form side of content in three languages: the original's language and optional translations.

A form for a :class:`~app.core.content_i18n.Translatable` text keeps the original in its own field (``title``)
with a ``source_locale`` select, and one optional field per language named ``<field>_<code>`` for the
translations. The page shows the translation fields of the two languages other than the original's; a
translation typed in the original's own language (the select changed after typing) is refused at its field
rather than silently dropped.
"""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.content_i18n import LANGUAGES, Translatable, language_choices, text_attrs

_LABELS = {
    ("title", "fr"): _l("Title in French (translation)"), ("title", "en"): _l("Title in English (translation)"),
    ("title", "ar"): _l("Title in Arabic (translation)"),
    ("description", "fr"): _l("Description in French (translation)"),
    ("description", "en"): _l("Description in English (translation)"),
    ("description", "ar"): _l("Description in Arabic (translation)"),
}


def interface_language() -> str:
    """The author's interface language: the default language of what they type."""
    locale = str(get_locale() or "fr")
    return locale if locale in LANGUAGES else "fr"


def source_locale_field() -> SelectField:
    """The "language of the original" select (choices set by :meth:`TranslationsMixin.init_translations`);
    a post without it (an older page, a script) means the author's interface language."""
    return SelectField(_l("Language of the original"), default=interface_language,
                       validators=[DataRequired(_l("Choose a language."))])


def translation_field(field: str, code: str, max_length: int, *, area: bool = False) -> Field:
    """One optional translation input, tagged with its language so it is typed and read in the right direction."""
    kind = TextAreaField if area else StringField
    return kind(_LABELS[(field, code)], validators=[Optional(), Length(max=max_length)], render_kw=text_attrs(code))


class TranslationsMixin:
    """Methods shared by the forms of translatable texts; ``TRANSLATED`` names the translated fields."""

    TRANSLATED: tuple[str, ...] = ()

    def init_translations(self, obj: Translatable | None = None) -> None:
        """Choices, the default original language (the author's interface language) and, on a GET of an
        existing object, the stored translations."""
        form: Any = self
        form.source_locale.choices = language_choices()
        if form.is_submitted():
            return
        if obj is not None:
            form.source_locale.data = obj.source_locale or "fr"
            for name in self.TRANSLATED:
                stored = (obj.translations or {}).get(name) or {}
                for code in LANGUAGES:
                    getattr(form, f"{name}_{code}").data = stored.get(code, "")

    def translation_fields(self, name: str) -> list[Field]:
        """The translation inputs the page shows for ``name``: the two languages other than the original's,
        and one in the original's language only when it holds refused input (so its message is seen)."""
        form: Any = self
        source = form.source_locale.data
        fields = [getattr(form, f"{name}_{code}") for code in LANGUAGES]
        return [f for f in fields if not f.name.endswith(f"_{source}") or (f.data or "").strip() or f.errors]

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own validators, then the translations' rule."""
        ok = super().validate(extra_validators)  # type: ignore[misc]
        return self.validate_translations() and ok

    def validate_translations(self) -> bool:
        """A translation in the original's own language is refused at its field (it would be lost)."""
        form: Any = self
        source = form.source_locale.data
        ok = True
        for name in self.TRANSLATED:
            field = getattr(form, f"{name}_{source}", None)
            if field is not None and (field.data or "").strip():
                field.errors = [*field.errors, str(_l("This is the language of the original: type this text in "
                                                      "the field above, or choose another language for the "
                                                      "original."))]
                ok = False
        return ok

    def translations_data(self) -> dict[str, dict[str, str]]:
        """``{field: {code: text}}`` as typed (an empty text removes a stored translation)."""
        form: Any = self
        return {name: {code: (getattr(form, f"{name}_{code}").data or "").strip() for code in LANGUAGES
                       if code != form.source_locale.data}
                for name in self.TRANSLATED}
