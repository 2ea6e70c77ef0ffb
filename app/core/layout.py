"""Template globals shared by every page: language, direction, permissions."""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import format_date, get_locale
from flask_login import current_user
from markupsafe import Markup

from app.core.content_i18n import fallback_note, in_language, language_label, localized, localized_text, text_attrs
from app.core.i18n import LANGUAGE_NAMES, format_moment, text_direction
from app.core.permissions import can, roles_of


def _url_with(**changes: Any) -> str:
    """The current URL with some query arguments replaced (for sort and paging links)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    return request.path + ("?" + urlencode(args) if args else "")


def bdi(value: Any) -> Markup:
    """User text (a name, a title) isolated from the text around it: a right-to-left override or a name in
    another script inside it cannot reorder what follows (``<bdi>``, escaped). For names placed inside a
    translated sentence: ``_("Signed by %(name)s", name=user.full_name|bdi)``."""
    return Markup("<bdi>{}</bdi>").format("" if value is None else value)


def format_day(value: date | str | None) -> str:
    """A day in the reader's language (Babel); an ISO text (from a JSON snapshot) is read as the day it names."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return format_date(value)


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject() -> dict[str, Any]:
        locale = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        return {
            "current_locale": locale,
            "text_dir": text_direction(locale),
            "languages": [(code, LANGUAGE_NAMES[code]) for code in app.config["LANGUAGES"]],
            "can": lambda action: can(current_user, action),
            "user_roles": roles_of(current_user),
            "url_with": _url_with,
            "demo_mode": app.config.get("DEMO_MODE", False),
        }

    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["datetime"] = lambda value: format_moment(value) if value else ""
    app.jinja_env.filters["bdi"] = bdi
    # Content in three languages: ``localized(obj, "title")`` everywhere a user-typed text is shown.
    app.jinja_env.globals.update(localized=localized, localized_text=localized_text, in_language=in_language,
                                 fallback_note=fallback_note, language_label=language_label, text_attrs=text_attrs)

    @app.after_request
    def security_headers(response):  # noqa: ANN001, ANN202 - Flask response
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'"
        )
        return response
