"""Plenary assembly: sessions, presence, proxies, resolutions and online votes."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the assembly, vote, board and minutes pages and the home panels."""
    from app.assembly import checkin_routes, drill, home  # noqa: F401 - checkin_routes adds pages to bp
    from app.assembly.board_routes import bp as board_bp
    from app.assembly.minutes_routes import bp as minutes_bp
    from app.assembly.routes import bp as assembly_bp
    from app.assembly.vote_routes import bp as votes_bp

    app.register_blueprint(assembly_bp)
    app.register_blueprint(votes_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(minutes_bp)
    home.register()
    from app.assembly import desk

    desk.register()  # the home page desk's votes, ballots, assemblies and proxies
    from app.assembly import audit_sentences

    audit_sentences.register()  # the audit log's sentences for assemblies and votes
    drill.register()
