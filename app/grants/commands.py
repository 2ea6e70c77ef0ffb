"""``flask grants …``: the daily reminders and the exports written to standard output (safe to run from cron).

- ``flask grants remind [--days 14]``: reports due soon and overdue to the grantees' representatives, reports
  waiting and instalments due to the secretariat; sends nothing twice (``app.grants.reminders``).
- ``flask grants export-360giving [--format json|csv]``, ``flask grants export-iati``,
  ``flask grants export-csv --table portfolio|instalments|disbursements|expenditure``: the same files as the
  pages' downloads, on standard output (``> file`` to keep them).
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.core import mail
from app.extensions import db
from app.grants import exports, reminders

grants_cli = AppGroup("grants", help="Grant tracking: reminders and exports.")


@grants_cli.command("remind")
@click.option("--days", default=reminders.DEFAULT_DAYS, show_default=True, type=click.IntRange(0, 365),
              help="Remind of reports due within this many days.")
def remind(days: int) -> None:
    """E-mail the grantees' representatives about reports due soon and overdue, and the secretariat about
    reports waiting for review and instalments due (each once)."""
    if not current_app.config.get("EXTERNAL_URL") and not current_app.config.get("SERVER_NAME"):
        click.echo("Set APP_EXTERNAL_URL (e.g. https://pcpa.example.org): reminders link to the grant pages.", err=True)
        sys.exit(1)
    try:
        sent = reminders.send_reminders(days=days)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    mail.deliver_pending()
    click.echo(f"{sent.due} reminders of reports due, {sent.overdue} of reports overdue, "
               f"{sent.secretariat} secretariat digests ({len(sent.waiting)} reports waiting, "
               f"{len(sent.instalments)} instalments due).")


def _write(body: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()


@grants_cli.command("export-360giving")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
def export_360giving(fmt: str) -> None:
    """The awarded grants as 360Giving data (a JSON package or the flattened CSV) on standard output."""
    grants = exports.giving_grants()
    _write(exports.giving_json(grants) if fmt == "json" else exports.giving_csv(grants))


@grants_cli.command("export-iati")
def export_iati() -> None:
    """The grants as IATI 2.03 activities (XML) on standard output."""
    _write(exports.iati_xml())


@grants_cli.command("export-csv")
@click.option("--table", "name", type=click.Choice(list(exports.TABLES)), default="portfolio", show_default=True)
def export_csv(name: str) -> None:
    """One table (portfolio, instalments, disbursements or expenditure) as CSV on standard output."""
    _write(exports.export_table("csv", [name]))
