"""Language choice: this session's choice, then the account's default, then the browser.

WTForms' own messages ("This field is required.") are translated from our
catalogs first (``WTFORMS_MESSAGES``), then from the catalogs WTForms ships:
those lack some messages (the date range ones in French) and get others wrong
or half done (Arabic "invalid real number" for an integer, plural forms left
empty), which left English on French and Arabic pages.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import flask_wtf.i18n as flask_wtf_i18n
from babel import Locale, support
from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime, get_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.i18n import messages_path


def _escaped_html(self: LazyString) -> Markup:
    """Flask-Babel marks a lazy string safe as is; ours may carry user data (a member's name), so escape it."""
    return escape(str(self))


LazyString.__html__ = _escaped_html  # type: ignore[method-assign]


# WTForms' built-in messages (its locale/wtforms.pot), marked here so that they are extracted into our catalogs
# and translated with the rest; tests/core/test_wtforms_messages.py checks that none is left in English.
WTFORMS_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str, directory: str) -> support.Translations:
    """Our catalog for ``locale``, falling back to WTForms' own for a message we do not carry."""
    ours = support.Translations.load(directory, [locale], domain="messages")
    theirs = support.Translations.load(messages_path(), [locale], domain="wtforms")
    if not isinstance(ours, support.Translations):  # no catalog of ours for that language (NullTranslations)
        return theirs
    ours.add_fallback(theirs)
    return ours


def _cached_wtforms_translations() -> support.Translations | None:
    """WTForms' own messages in the request's language, parsed once per language.

    Flask-WTF reloads and parses the catalog on every request that builds a
    form: a measurable share of a cast (tests/bench).
    """
    if not has_request_context() or "babel" not in current_app.extensions:
        return None
    directory = current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations").split(";")[0]
    return _wtforms_catalog(str(get_locale()), directory)


flask_wtf_i18n._get_translations = _cached_wtforms_translations


def select_locale() -> str:
    """Locale for this request; French when nothing says otherwise.

    The language chosen in this session wins: a person reading in Arabic on a
    phone does not switch the laptop's session to Arabic. The account's
    language (``User.locale``, set on the account page) is only the default of
    a session that has chosen none, and the language of the person's e-mails.
    """
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command: e-mails choose their own locale (force_locale)
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def format_moment(value: datetime) -> str:
    """A date and time written like the ``date`` filter's day, then the time (31 mars 2026, 09:05): one way of
    writing a day per language, with or without its time ("short" would write 31/03/2026 09:05)."""
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    glue = str(locale.datetime_formats["medium"])
    pattern = glue.replace("{1}", locale.date_formats["medium"].pattern).replace(
        "{0}", locale.time_formats["short"].pattern)
    return format_datetime(value, pattern)


def text_direction(locale: str) -> str:
    """``rtl`` for right-to-left languages (Arabic), else ``ltr``."""
    return "rtl" if locale in current_app.config["RTL_LANGUAGES"] else "ltr"


LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
