"""Error pages and the domain error raised by services."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError


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
    503: _l("Service unavailable"),
}
EXPLANATIONS = {
    400: _l("The request could not be understood. Go back and try again."),
    403: _l("Your account does not give access to this page or action."),
    404: _l("This page does not exist or was removed."),
    405: _l("This page cannot be used this way."),
    413: _l("The file sent is larger than allowed."),
    429: _l("Too many attempts in a short time. Wait a minute and try again."),
    500: _l("The error has been recorded. Try again in a moment."),
    503: _l("The database does not answer right now. Nothing was saved by this request: try again in a moment."),
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

    @app.errorhandler(OperationalError)
    @app.errorhandler(SQLAlchemyTimeoutError)
    def database_unavailable(exc: Exception):  # noqa: ANN202
        """A database that does not answer (down, connect or statement timeout, lock wait): a clear 503
        page in seconds rather than a stack trace or a pinned worker. The page is drawn as for an
        anonymous visitor: the menu would query the database again."""
        from flask import g

        from app.extensions import db, login_manager

        app.logger.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may be gone too; the page must still answer
            db.session.invalidate()
        g._login_user = login_manager.anonymous_user()
        page, code = render(503)
        return page, code, {"Retry-After": "10"}

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):  # noqa: ANN202
        return render(400, _l("The form expired or was sent from elsewhere. Reload the page and try again."))
