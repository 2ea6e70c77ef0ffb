"""CLI: ``flask audit verify`` and ``flask translate extract|update|compile``."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.core.audit import verify_chain
from app.core.models import AuditEntry
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"

audit_cli = AppGroup("audit", help="Audit log tools.")
translate_cli = AppGroup("translate", help="Manage the fr, en and ar catalogs.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 at the first broken entry."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    report = verify_chain(entries)
    if report.ok:
        click.echo(f"audit log intact: {report.checked} entries")
        return
    click.echo(f"audit log BROKEN at entry {report.first_bad_id}: {report.reason}", err=True)
    sys.exit(1)


def _babel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_cli.command("extract")
def extract() -> None:
    """Collect marked strings from app/ into translations/messages.pot."""
    _babel("extract", "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_ngettext:1,2", "--no-location",
           "--sort-output", "-o", str(POT), "app")


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


@translate_cli.command("compile")
def compile_catalogs() -> None:
    """Compile .po into .mo (done by make run and make test too)."""
    _babel("compile", "-d", str(TRANSLATIONS), "--statistics")
