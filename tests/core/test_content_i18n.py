"""Content in three languages: which text a reader gets, and the marker when it is the original standing in."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from app.assembly.models import AgendaItem, Assembly
from app.core.content_i18n import (
    InLanguage,
    apply_translations,
    fallback_note,
    in_language,
    localized,
    localized_text,
)


def _translatable(source: str = "fr", title: str = "Assemblée de printemps",
                  translations: dict | None = None) -> Assembly:
    return Assembly(title=title, source_locale=source, translations=translations or {})


def _columns(**values: str) -> SimpleNamespace:
    """A model of the older shape: one column per language (calls, rule sets, resolutions, challenges)."""
    return SimpleNamespace(**({"title_fr": "", "title_en": "", "title_ar": ""} | values))


SPRING = {"title": {"en": "Spring assembly", "ar": "جمعية الربيع"}}


@pytest.mark.parametrize(("obj", "reader", "expected"), [
    # Translatable: the reader's own language is the original
    (_translatable(), "fr", InLanguage("Assemblée de printemps", "fr", False)),
    # ... a translation is given
    (_translatable(translations=SPRING), "en", InLanguage("Spring assembly", "en", False)),
    (_translatable(translations=SPRING), "ar", InLanguage("جمعية الربيع", "ar", False)),
    # ... none in the reader's language: the original, marked as a fallback
    (_translatable(translations={"title": {"ar": "جمعية الربيع"}}), "en",
     InLanguage("Assemblée de printemps", "fr", True)),
    (_translatable(), "ar", InLanguage("Assemblée de printemps", "fr", True)),
    # ... an original written in Arabic, read in French
    (_translatable("ar", "جمعية الربيع"), "fr", InLanguage("جمعية الربيع", "ar", True)),
    (_translatable("ar", "جمعية الربيع", {"title": {"fr": "Assemblée"}}), "fr", InLanguage("Assemblée", "fr", False)),
    # ... an empty translation is no translation
    (_translatable(translations={"title": {"en": ""}}), "en", InLanguage("Assemblée de printemps", "fr", True)),
    # ... nothing at all: empty, no marker
    (_translatable(title=""), "en", InLanguage("", "fr", False)),
    # Columns: own language
    (_columns(title_fr="Appel", title_en="Call", title_ar="دعوة"), "ar", InLanguage("دعوة", "ar", False)),
    (_columns(title_fr="Appel", title_en="Call"), "en", InLanguage("Call", "en", False)),
    # ... fallback order: French, then English, then Arabic
    (_columns(title_fr="Appel", title_en="Call"), "ar", InLanguage("Appel", "fr", True)),
    (_columns(title_en="Call", title_ar="دعوة"), "fr", InLanguage("Call", "en", True)),
    (_columns(title_ar="دعوة"), "en", InLanguage("دعوة", "ar", True)),
    # ... empty everywhere
    (_columns(), "fr", InLanguage("", "fr", False)),
])
def test_in_language(app, obj, reader: str, expected: InLanguage) -> None:
    with app.app_context():
        assert in_language(obj, "title", reader) == expected


def test_in_language_defaults_to_the_interface_language(app) -> None:
    with app.test_request_context(), force_locale("en"):
        assert in_language(_translatable(translations=SPRING), "title") == InLanguage("Spring assembly", "en", False)


@pytest.mark.parametrize(("reader", "marker"), [
    ("fr", None), ("en", "(original in French)"), ("ar", None),
])
def test_localized_marks_the_fallback_only(app, reader: str, marker: str | None) -> None:
    obj = _translatable(translations={"title": {"ar": "جمعية الربيع"}})
    with app.test_request_context():
        html = str(localized(obj, "title", reader))
    if marker:
        assert '<bdi lang="fr" dir="ltr">Assemblée de printemps</bdi>' in html
        assert marker in html and 'class="content-fallback"' in html
    else:
        assert "content-fallback" not in html
        assert f'lang="{reader}"' in html


def test_the_marker_names_the_originals_language(app) -> None:
    obj = _translatable()
    with app.test_request_context():
        arabic = str(localized(obj, "title", "ar"))
        french = str(localized(_translatable("en", "Spring"), "title", "fr"))
    assert '<bdi lang="fr" dir="ltr">Assemblée de printemps</bdi>' in arabic
    assert "content-fallback" in arabic and "content-fallback" in french
    assert "(original en anglais)" in french  # the marker in the reader's language


def test_localized_escapes_user_text_and_keeps_blocks(app) -> None:
    obj = _translatable(title="<script>x</script>")
    item = AgendaItem(title="Point", description="Ligne 1\nLigne 2", source_locale="fr", translations={})
    with app.test_request_context():
        assert "<script>" not in str(localized(obj, "title", "fr"))
        block = str(localized(item, "description", "fr", block=True, cls="charter-text"))
        assert block.startswith('<div class="user-text content-text charter-text" lang="fr" dir="ltr">')
        assert str(localized(_translatable(title=""), "title", "fr")) == ""
        assert localized_text(obj, "title", "fr") == "<script>x</script>"


def test_fallback_note_for_plain_text_mail(app) -> None:
    with app.test_request_context():
        assert fallback_note(_translatable(), "title", "fr") == ""
        assert fallback_note(_translatable(), "title", "en") == " (original in French)"


def test_apply_translations_sets_source_and_drops_the_originals_language() -> None:
    obj = _translatable(translations={"title": {"ar": "قديم"}})
    apply_translations(obj, "en", {"title": {"fr": "Assemblée", "ar": "", "en": "ignored: the original"}})
    assert obj.source_locale == "en"
    assert obj.translations == {"title": {"fr": "Assemblée"}}
    apply_translations(obj, None, {"title": {"fr": " "}})
    assert obj.source_locale == "en" and obj.translations == {}
    apply_translations(obj, "xx", None)
    assert obj.source_locale == "en"
