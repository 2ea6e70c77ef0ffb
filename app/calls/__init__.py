"""Calls for projects: rule sets co-built by the committee and adopted by the assembly, calls, proposals.

``init_app`` registers the blueprints, the CLI group, the receiver of the
assembly's "resolution decided" signal (the adoption hook), and for every
template and e-mail the one way of showing an amount (``euros``, as a filter
and a function) and a proposal's reference (``proposal_reference``).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.calls import models, selection_models  # noqa: F401  (tables)
    from app.calls.call_routes import bp as calls_bp
    from app.calls.instruction_routes import bp as instruction_bp
    from app.calls.proposal_routes import bp as proposals_bp
    from app.calls.public_routes import bp as public_bp
    from app.calls.ruleset_routes import bp as rulesets_bp

    for blueprint in (rulesets_bp, calls_bp, proposals_bp, instruction_bp, public_bp):
        app.register_blueprint(blueprint)
    from app.calls import desk

    desk.register()  # the home page desk's proposals to instruct or to complete
    app.register_blueprint(__import__("app.calls.review_routes", fromlist=["bp"]).bp)  # reviews (issue 8, A)
    app.register_blueprint(__import__("app.calls.decision_routes", fromlist=["bp"]).bp)  # decisions (issue 8, C)
    app.register_blueprint(__import__("app.calls.selection_routes", fromlist=["bp"]).bp)  # selection (issue 8, B)
    from app.calls.money import euros
    from app.calls.wording import reference

    app.add_template_filter(euros, "euros")
    app.add_template_global(euros, "euros")
    app.add_template_global(reference, "proposal_reference")
    from app.calls import adoption

    adoption.connect()
    from app.calls.commands import calls_cli

    app.cli.add_command(calls_cli)
    from app.calls import audit_sentences

    audit_sentences.register()  # the audit log's sentences for calls
