"""Accounts: sign-in, invitations, password reset, language preference, a member's representatives."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sign-in pages and the representatives' pages."""
    from app.auth.representative_routes import bp as representatives_bp
    from app.auth.routes import bp

    app.register_blueprint(bp)
    app.register_blueprint(representatives_bp)
