"""Member organisations, colleges and the charter (the people who represent them are ``app.auth``'s)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Load the route modules (each adds its views to ``bp``), register the blueprint and the home panels."""
    from app.members import charter_routes, home, routes, transfer_routes  # noqa: F401  (views on bp)
    from app.members.blueprint import bp

    app.register_blueprint(bp)
    home.register()
    from app.members import desk

    desk.register()  # the home page desk's charter and register lines
    from app.members import audit_sentences

    audit_sentences.register()  # the audit log's sentences for members
