"""WTForms' own messages ("This field is required.", "Field cannot be longer than 200 characters.") read French
and Arabic on French and Arabic pages, for every field of every form of the app.

Why: WTForms' catalogs lack some messages (the date range ones in French), leave Arabic plural forms empty and
call an integer an "invalid real number" in Arabic; those messages reached French and Arabic pages in English.
``app.core.i18n`` translates them from our catalogs first.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale
from flask_wtf.i18n import translations as wtf_translations
from werkzeug.datastructures import MultiDict
from wtforms import Field, Form
from wtforms.i18n import messages_path

from app.core.forms import BaseForm, BaseRow
from app.core.i18n import WTFORMS_MESSAGES

LANGUAGES = ("fr", "ar")
ARABIC = re.compile("[\u0600-\u06ff]")
COUNTS = (0, 1, 2, 3, 11, 100, 200)  # one of each Arabic plural form, French singular and plural


def _wtforms_template() -> list[str | tuple[str, str]]:
    with (Path(messages_path()) / "wtforms.pot").open("rb") as handle:
        return [m.id for m in read_po(handle) if m.id]


def _pattern(msgid: str) -> re.Pattern[str]:
    """The English message with any value in place of its placeholders."""
    parts = re.split(r"%\(\w+\)[sd]|%s", msgid)
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$")


ENGLISH = [_pattern(m) for mid in _wtforms_template() for m in ((mid,) if isinstance(mid, str) else mid)]


def _is_wtforms_english(message: str) -> bool:
    return any(p.match(message) for p in ENGLISH)


def test_every_wtforms_message_is_marked_for_our_catalogs() -> None:
    """A WTForms upgrade that adds a message fails here until it is added to ``WTFORMS_MESSAGES``."""
    ours = {m._args[0] if m._func.__name__ == "gettext" else (m._args[0], m._args[1]) for m in WTFORMS_MESSAGES}
    assert set(_wtforms_template()) == ours


@pytest.mark.parametrize("locale", LANGUAGES)
def test_each_wtforms_message_is_translated(app: Flask, locale: str) -> None:
    untranslated = []
    with app.test_request_context("/"), force_locale(locale):
        for msgid in _wtforms_template():
            if isinstance(msgid, str):
                found = [(msgid, wtf_translations.gettext(msgid))]
            else:
                found = [(msgid[0], wtf_translations.ngettext(msgid[0], msgid[1], n)) for n in COUNTS]
            for english, text in found:
                if not text or _is_wtforms_english(text) or (locale == "ar" and not ARABIC.search(text)):
                    untranslated.append(f"{english!r} -> {text!r}")
    assert untranslated == []


def test_integer_is_not_called_a_real_number_in_arabic(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("ar"):
        assert wtf_translations.gettext("Not a valid integer value.") == "القيمة ليست عددًا صحيحًا."


@pytest.mark.parametrize(("locale", "count", "expected"), [
    ("fr", 1, "Le champ ne peut pas dépasser 1 caractère."),
    ("fr", 200, "Le champ ne peut pas dépasser 200 caractères."),
    ("ar", 2, "لا يمكن أن يتجاوز الحقل 2 حرفين."),
    ("ar", 5, "لا يمكن أن يتجاوز الحقل 5 أحرف."),
    ("ar", 11, "لا يمكن أن يتجاوز الحقل 11 حرفًا."),
    ("ar", 200, "لا يمكن أن يتجاوز الحقل 200 حرف."),
])
def test_length_message_takes_the_plural_form_of_its_count(app: Flask, locale: str, count: int,
                                                            expected: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        text = wtf_translations.ngettext("Field cannot be longer than %(max)d character.",
                                         "Field cannot be longer than %(max)d characters.", count)
        assert text % {"max": count} == expected


# Every form of the app ---------------------------------------------------------------------------------------

def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def app_forms() -> list[type[Form]]:
    found = {c for base in (BaseForm, BaseRow) for c in _subclasses(base) if c.__module__.startswith("app.")}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _arguments(form_class: type[Form]) -> dict[str, object]:
    """Empty lists for the keyword arguments a form asks for (its choices: ``challenges=``, ``members=``)."""
    extra: dict[str, object] = {}
    while True:
        try:
            form_class(formdata=None, meta={"csrf": False}, **extra)
            return extra
        except TypeError as exc:
            missing = re.search(r"argument: '(\w+)'", str(exc))
            assert missing and missing.group(1) not in extra, f"{form_class.__qualname__}: {exc}"
            extra[missing.group(1)] = []


BAD_VALUES = ("", " ", "x", "x" * 25_000, "2026-02-30", "-5", "12.5", "99999999999999999999", "not-a-choice")


def _messages(form_class: type[Form], value: str) -> list[str]:
    """Every error message the form gives when each of its fields gets ``value``."""
    extra = _arguments(form_class)
    probe = form_class(formdata=None, meta={"csrf": False}, **extra)
    data = MultiDict()
    for field in probe:
        data.add(field.name, value)
    form = form_class(formdata=data, meta={"csrf": False}, **extra)
    for field in form:
        if getattr(field, "choices", None) is None and hasattr(field, "choices"):
            field.choices = []
    try:
        form.validate()
    except Exception:  # noqa: BLE001 - a form's own check may need a database object; its messages are its own
        pass
    found: list[str] = []

    def walk(errors: object) -> None:
        if isinstance(errors, dict):
            for inner in errors.values():
                walk(inner)
        elif isinstance(errors, (list, tuple)):
            for inner in errors:
                walk(inner)
        elif errors is not None:
            found.append(str(errors))

    walk(form.errors)
    return found


def test_there_are_forms_to_check(app: Flask) -> None:
    assert len(app_forms()) > 30


@pytest.mark.parametrize("locale", LANGUAGES)
def test_no_form_of_the_app_answers_with_a_wtforms_message_in_english(app: Flask, locale: str) -> None:
    english = []
    checked = 0
    with app.test_request_context("/", method="POST"), force_locale(locale):
        for form_class in app_forms():
            for value in BAD_VALUES:
                for message in _messages(form_class, value):
                    checked += 1
                    if _is_wtforms_english(message):
                        english.append(f"{form_class.__module__}.{form_class.__qualname__}: {message}")
    assert checked > 100
    assert sorted(set(english)) == []


def _validator_messages(field: Field) -> list[object]:
    return [v.message for v in field.validators if getattr(v, "message", None) is not None]


def test_no_validator_of_the_app_carries_a_message_fixed_in_english(app: Flask) -> None:
    """A validator given ``message="..."`` without ``_l`` would stay English whatever the page's language."""
    fixed = []
    with app.test_request_context("/", method="POST"):
        for form_class in app_forms():
            form = form_class(formdata=None, meta={"csrf": False}, **_arguments(form_class))
            for field in form:
                for message in _validator_messages(field):
                    if type(message) is str:
                        fixed.append(f"{form_class.__qualname__}.{field.name}: {message}")
    assert fixed == []
