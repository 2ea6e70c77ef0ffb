"""Grant tracking: agreements made from selected proposals, instalments, one ledger, reports, indicators.

``init_app`` registers the tables; pages and commands come with the services. The package may use
``calls``, ``members`` and ``core``; nothing imports it back (tests/core/test_layers.py).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.grants import models  # noqa: F401  (tables)
    from app.grants.routes import bp as grants_bp

    app.register_blueprint(grants_bp)
    from app.grants import desk

    desk.register()  # the home page desk's reports and instalments
    app.register_blueprint(__import__("app.grants.report_routes", fromlist=["bp"]).bp)  # reports, budget (G-B)
    app.register_blueprint(__import__("app.grants.dashboard_routes", fromlist=["bp"]).bp)  # dashboards, exports (G-C)
    app.cli.add_command(__import__("app.grants.commands", fromlist=["grants_cli"]).grants_cli)  # flask grants (G-C)
    from app.grants import audit_sentences

    audit_sentences.register()  # the audit log's sentences for grants
