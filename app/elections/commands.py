"""CLI: ``flask committee remind`` (terms ending soon)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core import mail
from app.elections import committee
from app.extensions import db

committee_cli = AppGroup("committee", help="Steering committee tools.")


@committee_cli.command("remind")
@click.option("--within-days", type=click.IntRange(min=1), default=60, show_default=True,
              help="Remind for seats whose mandate ends within this many days.")
def remind(within_days: int) -> None:
    """E-mail the representatives of members whose committee seat ends soon, and the secretariat
    (once per mandate, even if two runs overlap; for cron)."""
    try:
        mandates, emails = committee.send_term_reminders(within_days)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    mail.deliver_pending()
    click.echo(f"{mandates} mandate(s) reminded, {emails} e-mail(s) sent.")
