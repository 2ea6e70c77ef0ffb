"""Steering-committee elections: candidacies, the constrained count, substitutes and mandates."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug elections into the assembly's vote kinds and the permission policy, register the pages."""
    from app.elections import anchor_recipients, hooks
    from app.elections.committee_routes import bp as committee_bp
    from app.elections.routes import bp as elections_bp

    hooks.register()
    anchor_recipients.register()
    app.register_blueprint(elections_bp)
    app.register_blueprint(committee_bp)
    from app.elections import desk

    desk.register()  # the home page desk's candidacies and elections
    from app.elections import audit_sentences

    audit_sentences.register()  # the audit log's sentences (after assembly's: extends the vote's)
