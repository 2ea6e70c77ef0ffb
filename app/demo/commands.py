"""``flask demo load``: fill an empty database with the demo programme.

``make run`` calls it on every start, so a database that already holds members
or accounts is left untouched (exit status 0).
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.demo.loader import DEMO_PASSWORD, LOGIN_URL, DemoSummary, database_is_empty, load_demo
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load() -> None:
    """Load the France–Tunisia demo programme if the database is empty."""
    try:
        empty = database_is_empty()
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        click.echo("The database has no tables yet: run `flask db upgrade` first.", err=True)
        sys.exit(1)
    if not empty:
        click.echo("database not empty, demo data not loaded")
        return
    demo_mode = bool(current_app.config.get("DEMO_MODE"))
    try:
        summary = load_demo(demo_mode=demo_mode)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _report(summary)


def _report(summary: DemoSummary) -> None:
    members = summary.real_members + summary.fictitious_members
    click.echo("Demo programme loaded:")
    click.echo(f"  {summary.colleges} colleges")
    click.echo(f"  {members} members ({summary.real_members} from the seed documents, "
               f"{summary.fictitious_members} fictitious), {summary.active_members} active")
    click.echo(f"  {summary.representatives} representatives (one delegate per member)")
    click.echo(f"  charter version 1 signed by {summary.signatures} members")
    if not summary.passwords_enabled:
        click.echo("Demo passwords are disabled (DEMO_MODE is off): the accounts have no password. "
                   "Set one with an invitation or “Forgot password”, or run with APP_DEMO_MODE=true.")
        return
    click.echo("")
    click.echo(f"Demo logins on {LOGIN_URL} (password for all: {DEMO_PASSWORD})")
    width = max(len(login.role) for login in summary.logins)
    email_width = max(len(login.email) for login in summary.logins)
    for login in summary.logins:
        click.echo(f"  {login.role:<{width}}  {login.email:<{email_width}}  "
                   f"{login.full_name} – {login.organisation}")
