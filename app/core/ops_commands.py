"""CLI: ``flask ops restore-drill``: prove a restored backup is whole before anyone needs it.

Run against a restored copy (``DATABASE_URL`` pointing at it, after ``flask db upgrade``), the drill
recomputes the audit log's hash chain (``flask audit verify``, published heads given with ``--expect``)
and then runs every check the packages registered in ``DRILL_CHECKS`` (the assembly recounts every
closed vote's bulletin board, elections included, against its sealed final hash). It prints one line per
check and exits 1 if any failed, so a timer or a CI job can run it after each nightly backup.

``core`` cannot import the packages that hold the votes; they register their checks from ``init_app``
(``register_drill_check``), as the home panels do.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.core.audit import Head, verify_chain
from app.core.commands import _head_option
from app.core.models import AuditEntry
from app.extensions import db

ops_cli = AppGroup("ops", help="Operating tools: the restore drill.")


@dataclass
class DrillResult:
    """What one check found: how many things it checked, and one line per failure."""

    name: str
    checked: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class DrillCheck:
    name: str
    order: int
    run: Callable[[], DrillResult]


#: name -> check; registered by packages from their ``init_app`` (registering again replaces).
DRILL_CHECKS: dict[str, DrillCheck] = {}


def register_drill_check(name: str, run: Callable[[], DrillResult], *, order: int = 50) -> None:
    DRILL_CHECKS[name] = DrillCheck(name, order, run)


def audit_check(anchors: list[Head]) -> DrillResult:
    """The audit log's hash chain, and each published head still in it."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    report = verify_chain(entries, anchors)
    result = DrillResult("audit log", checked=report.checked)
    if not report.ok:
        where = f" at entry {report.first_bad_id}" if report.first_bad_id is not None else ""
        result.failures.append(f"chain broken{where}: {report.reason}")
    return result


def run_drill(anchors: list[Head]) -> list[DrillResult]:
    """Every check, audit log first; a check that crashes is a failure, not the end of the drill."""
    results = [audit_check(anchors)]
    for check in sorted(DRILL_CHECKS.values(), key=lambda c: (c.order, c.name)):
        try:
            results.append(check.run())
        except Exception as exc:  # noqa: BLE001 - the drill reports every check, whatever one of them raises
            db.session.rollback()
            results.append(DrillResult(check.name, failures=[f"the check could not run: {exc!r}"]))
    return results


@ops_cli.command("restore-drill")
@click.option("--expect", "anchors", multiple=True, callback=_head_option, metavar="N:HASH",
              help="A published head (minutes, proclamation, anchor e-mail) the restored log must still hold. "
                   "Repeatable.")
def restore_drill(anchors: list[Head]) -> None:
    """Check a restored copy: the audit chain, then every closed vote's board recounted. Exit 1 on a failure."""
    click.echo(f"restore drill on {make_url(db.engine.url).render_as_string(hide_password=True)}")
    results = run_drill(anchors)
    for result in results:
        state = "OK" if result.ok else "FAILED"
        click.echo(f"{state}  {result.name}: {result.checked} checked"
                   + (f", {len(result.failures)} failure(s)" if result.failures else ""))
        for line in result.failures:
            click.echo(f"    {line}")
    failed = [r.name for r in results if not r.ok]
    db.session.rollback()
    if failed:
        click.echo(f"restore drill FAILED: {', '.join(failed)}", err=True)
        sys.exit(1)
    click.echo("restore drill passed")
