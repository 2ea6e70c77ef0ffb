"""Error pages and the domain error raised by services."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError


class DomainError(Exception):
    """A rule refused an action; ``message`` is translated for the user.

    ``field`` names the form field the message belongs next to, if any.
    """

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


def fail_at_field(form: object, exc: DomainError) -> None:
    """Put a service's refusal next to its field (or on top); the form keeps what was typed.

    Rolls back first: nothing half-done is saved.
    """
    from flask import flash

    from app.extensions import db

    db.session.rollback()
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None:
        target.errors = [*target.errors, str(exc.message)]
    else:
        flash(str(exc.message), "error")


TITLES = {
    400: _l("Bad request"),
    403: _l("Access refused"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("File too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
EXPLANATIONS = {
    400: _l("The request could not be understood. Go back and try again."),
    403: _l("Your account does not give access to this page or action."),
    404: _l("This page does not exist or was removed."),
    405: _l("This page cannot be used this way."),
    413: _l("The file sent is larger than allowed."),
    429: _l("Too many attempts in a short time. Wait a minute and try again."),
    500: _l("The error has been recorded. Try again in a moment."),
}


def init_app(app: Flask) -> None:
    def render(code: int, detail: object | None = None):  # noqa: ANN202
        return (
            render_template(
                "core/error.html", code=code, title=TITLES[code], explanation=detail or EXPLANATIONS[code]
            ),
            code,
        )

    for code in TITLES:
        app.register_error_handler(code, lambda exc, code=code: render(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # noqa: ANN202
        return render(400, _l("The form expired or was sent from elsewhere. Reload the page and try again."))
