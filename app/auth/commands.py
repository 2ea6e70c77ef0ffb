"""``flask accounts invite-secretariat EMAIL``: the first secretariat account of a real installation.

Nobody can invite anyone before a secretariat account exists, and the demo loader is for demos only: this
command invites that first account with the usual e-mailed link (``services.invite_user``), so no one types
Python in a production shell. A second secretariat account is refused unless ``--force``: once there is a
secretariat, it invites its colleagues from the pages, where the invitation is audited with its author.
"""
from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import services
from app.auth.models import User, UserKind
from app.core import mail
from app.core.errors import DomainError
from app.core.models import OutboxMessage
from app.extensions import db

accounts_cli = AppGroup("accounts", help="Accounts: invite the first secretariat account.")

#: Exit status of every refusal (nothing is created).
EXIT_REFUSED = 1
#: The account was created but the configured mail server did not take the invitation.
EXIT_NOT_SENT = 2


def checked_email(email: str) -> str | None:
    """The address normalised (trimmed, lower case), or None if it is not a valid e-mail address.

    Same rule as the invitation form (syntax only: no DNS look-up, the machine may be offline)."""
    address = services.normalise_email(email)
    if not address or len(address) > 254:
        return None
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return address


def default_name(email: str) -> str:
    """The greeting name when ``--name`` is not given: the address's local part ("it.desk" for
    it.desk@example.org); the person can be renamed later from the pages."""
    return email.partition("@")[0]


def _refuse(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


def _secretariat_emails() -> list[str]:
    return list(db.session.scalars(select(User.email).where(User.kind == UserKind.secretariat).order_by(User.id)))


@accounts_cli.command("invite-secretariat")
@click.argument("email")
@click.option("--name", "full_name", default=None, metavar="FULL_NAME",
              help="The person's full name, used in the e-mail's greeting (default: the address's local part).")
@click.option("--locale", type=click.Choice(["fr", "en", "ar"]), default=None,
              help="Language of the e-mail and of the pages after sign-in (default: the platform's, "
                   "BABEL_DEFAULT_LOCALE).")
@click.option("--force", is_flag=True, default=False,
              help="Invite even though a secretariat account already exists.")
def invite_secretariat(email: str, full_name: str | None, locale: str | None, force: bool) -> None:
    """Create a secretariat account for EMAIL and e-mail it the usual invitation link.

    The link sets the password (valid INVITATION_TTL, usable once). Links point at APP_EXTERNAL_URL, which
    must be set. Refuses (exit 1, nothing created) an invalid address, an address already used, and a
    second secretariat account unless --force. The invitation is recorded in the audit log with no author
    (the command line). Without APP_MAIL_SERVER the outbox is the delivery: the message is printed.
    Exits 2 if the account was created but the configured mail server did not take the message.
    """
    config = current_app.config
    if not config.get("EXTERNAL_URL") and not config.get("SERVER_NAME"):
        _refuse("set APP_EXTERNAL_URL to the platform's public address (e.g. https://pcpa.example.org): the "
                "invitation links to it. For a trial on this machine: APP_EXTERNAL_URL=http://127.0.0.1:5000.")
    address = checked_email(email)
    if address is None:
        _refuse(f"{email!r} is not a valid e-mail address.")
    assert address is not None
    existing = _secretariat_emails()
    if existing and not force:
        _refuse(f"a secretariat account already exists ({', '.join(existing)}). Colleagues are invited from "
                "the platform's pages; add --force to invite this one from here anyway.")
    name = (full_name or "").strip() or default_name(address)
    try:
        user = services.invite_user(actor=None, email=address, full_name=name[:200], kind=UserKind.secretariat,
                                    locale=locale)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        _refuse(f"an account already uses {address}.")
    except Exception:
        db.session.rollback()
        raise
    mail.deliver_pending()
    _report(user)


def _report(user: User) -> None:
    """Say what was done and where the invitation is; exit 2 when a configured mail server did not take it."""
    config = current_app.config
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email)
                                .order_by(OutboxMessage.id.desc()).limit(1))
    click.echo(f"Secretariat account {user.email} ({user.full_name}) created, audited as user.invited.")
    days = config["INVITATION_TTL"].days
    if message is not None and message.sent_at is not None:
        click.echo(f"Invitation e-mailed through {config['MAIL_SERVER']}: its link sets the password "
                   f"(valid {days} days, usable once).")
        return
    if config.get("MAIL_SERVER"):
        click.echo(f"The invitation could not be sent through {config['MAIL_SERVER']} (see the log): it stays in "
                   "the outbox and leaves with the next delivery. Once mail works, the person can also use "
                   "\"Forgot your password?\" on the sign-in page.", err=True)
        sys.exit(EXIT_NOT_SENT)
    click.echo(f"No APP_MAIL_SERVER: the outbox is the delivery. The invitation (link valid {days} days, "
               "usable once), to pass on to the person:")
    click.echo("")
    click.echo(message.body if message is not None else "")
