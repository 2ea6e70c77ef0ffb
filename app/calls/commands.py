"""``flask calls …``: reminders before a call closes and before the review deadline, closing due calls (safe to
run from cron)."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.calls import reviewing, services
from app.core import mail
from app.extensions import db

calls_cli = AppGroup("calls", help="Calls for projects.")


@calls_cli.command("remind")
def remind() -> None:
    """E-mail the representatives of active members about open calls closing within their reminder days, and
    reviewers about their unfinished reviews near the review deadline (once per call, even if two runs overlap)."""
    if not current_app.config.get("EXTERNAL_URL") and not current_app.config.get("SERVER_NAME"):
        click.echo("Set APP_EXTERNAL_URL (e.g. https://pcpa.example.org): reminders link to the call page.", err=True)
        sys.exit(1)
    try:
        reminded = services.send_reminders()
        reviewers = reviewing.send_review_reminders()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    mail.deliver_pending()
    click.echo(f"{reminded} call reminded." if reminded == 1 else f"{reminded} calls reminded.")
    click.echo(f"{reviewers} reviewer reminded of unfinished reviews." if reviewers == 1
               else f"{reviewers} reviewers reminded of unfinished reviews.")


@calls_cli.command("close-due")
def close_due() -> None:
    """Close the open calls whose closing time has passed."""
    try:
        closed = services.close_due()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"{closed} call closed." if closed == 1 else f"{closed} calls closed.")
