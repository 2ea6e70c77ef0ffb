"""Language choice: the user's saved choice, then the session, then the browser."""
from __future__ import annotations

from functools import lru_cache

import flask_wtf.i18n as flask_wtf_i18n
from babel import support
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.i18n import messages_path


def _escaped_html(self: LazyString) -> Markup:
    """Flask-Babel marks a lazy string safe as is; ours may carry user data (a member's name), so escape it."""
    return escape(str(self))


LazyString.__html__ = _escaped_html  # type: ignore[method-assign]


@lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def _cached_wtforms_translations() -> support.Translations | None:
    """WTForms' own messages in the request's language, parsed once per language.

    Flask-WTF reloads and parses the catalog on every request that builds a
    form: a measurable share of a cast (tests/bench).
    """
    if not has_request_context() or "babel" not in current_app.extensions:
        return None
    return _wtforms_catalog(str(get_locale()))


flask_wtf_i18n._get_translations = _cached_wtforms_translations


def select_locale() -> str:
    """Locale for this request; French when nothing says otherwise."""
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command: e-mails choose their own locale (force_locale)
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction(locale: str) -> str:
    """``rtl`` for right-to-left languages (Arabic), else ``ltr``."""
    return "rtl" if locale in current_app.config["RTL_LANGUAGES"] else "ltr"


LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
