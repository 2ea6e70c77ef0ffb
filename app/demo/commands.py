"""``flask demo load``: fill an empty database with the demo programme.

``make run`` calls it on every start, so a database that already holds members
or accounts is left untouched (exit status 0).
"""
from __future__ import annotations

import sys
from urllib.parse import urlsplit, urlunsplit

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.demo.loader import DEMO_PASSWORD, DemoSummary, database_is_empty, load_demo
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")

#: Where ``flask run`` serves by default; ``make run`` passes its own HOST and PORT with ``--url``.
DEFAULT_URL = "http://127.0.0.1:5000"
#: Hosts that mean "every interface": a browser on this machine reaches them at the loopback address.
ANY_HOST = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}


def login_url(base: str | None) -> str:
    """The sign-in page's address printed with the demo logins, from the address the app is served at
    (``--url``, else APP_EXTERNAL_URL, else flask's default); "every interface" becomes loopback."""
    base = (base or DEFAULT_URL).strip()
    try:
        parts = urlsplit(base)
        if parts.hostname in ANY_HOST:
            port = f":{parts.port}" if parts.port else ""
            parts = parts._replace(netloc=ANY_HOST[parts.hostname] + port)
    except ValueError:  # not a URL urllib can read (an unbracketed IPv6 host): printed as given
        return base.rstrip("/") + "/login"
    return urlunsplit(parts._replace(query="", fragment="")).rstrip("/") + "/login"


@demo_cli.command("load")
@click.option("--url", "base_url", default=None, metavar="URL",
              help="The address the app is served at, for the printed sign-in link "
                   "(default: APP_EXTERNAL_URL, else http://127.0.0.1:5000; `make run` passes its HOST and PORT).")
def load(base_url: str | None) -> None:
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
    _report(summary, login_url(base_url or current_app.config.get("EXTERNAL_URL")))


def _report(summary: DemoSummary, sign_in_url: str) -> None:
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
    click.echo(f"Demo logins on {sign_in_url} (password for all: {DEMO_PASSWORD})")
    width = max(len(login.role) for login in summary.logins)
    email_width = max(len(login.email) for login in summary.logins)
    for login in summary.logins:
        click.echo(f"  {login.role:<{width}}  {login.email:<{email_width}}  "
                   f"{login.full_name} – {login.organisation}")
