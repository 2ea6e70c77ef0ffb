"""Accounts: sign-in, invitations, password reset, the account page, a member's representatives."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sign-in pages, the account page and the representatives' pages."""
    from app.auth.account_routes import bp as account_bp
    from app.auth.representative_routes import bp as representatives_bp
    from app.auth.routes import bp

    app.register_blueprint(bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(representatives_bp)
    from app.auth import desk

    desk.register()  # the home page desk's invitations (app/core/home.py)
    from app.auth.commands import accounts_cli

    app.cli.add_command(accounts_cli)  # flask accounts invite-secretariat
    from app.auth import audit_sentences

    audit_sentences.register()  # the audit log's sentences for accounts
