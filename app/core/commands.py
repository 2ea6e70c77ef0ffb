"""CLI: ``flask audit verify|anchor|check-anchor`` and ``flask translate extract|update|typography|compile``."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.core import anchor
from app.core.audit import Head, parse_head, verify_chain
from app.core.models import AuditEntry
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"

audit_cli = AppGroup("audit", help="Audit log tools.")
translate_cli = AppGroup("translate", help="Manage the fr, en and ar catalogs.")


def _head_option(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[Head]:
    try:
        return [parse_head(v) for v in values]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _verify(anchors: list[Head]) -> bool:
    """Check the chain (and that each anchor is still a prefix of it); say what was found."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    report = verify_chain(entries, anchors)
    if report.ok:
        met = f"; {report.anchors_met} published head(s) still in the chain" if anchors else ""
        click.echo(f"audit log intact: {report.checked} entries{met}")
        return True
    where = f" at entry {report.first_bad_id}" if report.first_bad_id is not None else ""
    click.echo(f"audit log BROKEN{where}: {report.reason}", err=True)
    return False


@audit_cli.command("verify")
@click.option("--expect", "anchors", multiple=True, callback=_head_option, metavar="N:HASH",
              help="A published head (minutes, proclamation, anchor e-mail): entry N must exist with this hash. "
                   "Repeatable.")
def audit_verify(anchors: list[Head]) -> None:
    """Recompute the hash chain; exit 1 at the first broken entry or at an anchor the chain no longer holds."""
    if not _verify(anchors):
        sys.exit(1)


@audit_cli.command("anchor")
def audit_anchor() -> None:
    """E-mail the signed head to the ex-officio members and the guarantor (run daily from a timer)."""
    if not current_app.config.get("MAIL_SERVER"):
        click.echo("audit anchor NOT sent: no SMTP server is configured (set APP_MAIL_SERVER).", err=True)
        sys.exit(1)
    try:
        sent = anchor.queue_anchor()
    except anchor.NoRecipient:
        click.echo("audit anchor NOT sent: no recipient. Give the ex-officio members and the guarantor an active "
                   "account (the guarantor: a representative of the member flagged as guarantor or holding "
                   "the guarantor's seat).", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"head {sent.head.text}")
    click.echo(f"statement: {sent.statement}")
    unsent = {m.recipient for m in anchor.deliver(sent.messages)}
    for person in sent.recipients:
        state = "NOT SENT (kept in the outbox)" if person.email.lower() in unsent else "sent"
        click.echo(f"  {state}: {person.name} <{person.email}>, {person.capacity}")
    if unsent:
        click.echo(f"audit anchor: SMTP delivery failed for {len(unsent)} of {len(sent.recipients)} recipient(s) "
                   f"(server {current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}; see the log). "
                   "The messages stay in the outbox for the next delivery.", err=True)
        sys.exit(1)
    click.echo(f"audit anchor e-mailed to {len(sent.recipients)} recipient(s)")


@audit_cli.command("check-anchor")
@click.argument("message", type=click.File("r", encoding="utf-8"))
@click.option("--public-key", "public_key", type=click.File("rb"),
              help="The platform's public key (PEM, as served at /audit/key). Default: the key of this installation.")
@click.option("--signature-only", is_flag=True, help="Check the signature, not the database.")
def audit_check_anchor(message: click.utils.LazyFile, public_key: click.utils.LazyFile | None,
                       signature_only: bool) -> None:
    """Check a received anchor e-mail (saved to MESSAGE, or - for stdin): its signature, then the chain against it."""
    try:
        received = anchor.parse_received(message.read())
    except ValueError as exc:
        click.echo(f"not an audit anchor: {exc}", err=True)
        sys.exit(2)
    pem = public_key.read() if public_key is not None else anchor.public_pem(anchor.signing_key())
    if not anchor.signature_valid(pem, received.statement, received.signature):
        click.echo(f"signature INVALID for: {received.statement}", err=True)
        sys.exit(1)
    click.echo(f"signature valid: {received.site} published head {received.head.text} at {received.at}")
    if not signature_only and not _verify([received.head]):
        sys.exit(1)


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_cli.command("extract")
def extract() -> None:
    """Collect marked strings from app/ into translations/messages.pot."""
    _babel("extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_ngettext:1,2",
           "-k", "lazy_pgettext:1c,2", "-k", "_p:1c,2", "--no-location", "--sort-output", "-o", str(POT), "app")


@translate_cli.command("update")
def update() -> None:
    """Extract, then merge the template into every catalog."""
    extract.callback()  # type: ignore[misc]
    _babel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")
    from app.core.catalogs import SOURCE_LOCALE, fill_source_catalog

    filled = fill_source_catalog(TRANSLATIONS / SOURCE_LOCALE / "LC_MESSAGES" / "messages.po")
    click.echo(f"English catalog: {filled} entries mirrored from their msgid")
    for locale in ("fr", "ar"):
        from app.core.catalogs import load, problems

        todo = problems(load(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", locale))
        click.echo(f"{locale}: {len(todo)} entries to translate")


@translate_cli.command("typography")
def typography() -> None:
    """French spacing: a narrow no-break space before : ; ! ? in the fr catalog (run before compile)."""
    from app.core.catalogs import fix_catalog_typography

    changed = fix_catalog_typography(TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po")
    click.echo(f"fr: {changed} translations respaced")


@translate_cli.command("compile")
def compile_catalogs() -> None:
    """French typography, then compile .po into .mo (done by make run and make test too)."""
    typography.callback()  # type: ignore[misc]
    _babel("compile", "-d", str(TRANSLATIONS), "--statistics")
