"""Language choice: the user's saved choice, then the session, then the browser."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape


def _escaped_html(self: LazyString) -> Markup:
    """Flask-Babel marks a lazy string safe as is; ours may carry user data (a member's name), so escape it."""
    return escape(str(self))


LazyString.__html__ = _escaped_html  # type: ignore[method-assign]


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
