"""CLI: ``flask votes recount FILE`` (resolutions and elections) and ``flask votes remind``.

``recount`` reads nothing but the file: it runs without a database, so anyone
holding an exported board can check it.
"""
from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select, update

from app.assembly import recount as recounting
from app.assembly import voting
from app.assembly.models import Vote, VoteStatus
from app.core import mail
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db

votes_cli = AppGroup("votes", help="Vote tools: recount a bulletin board, send reminders.")

#: Exit statuses of ``recount``.
EXIT_MISMATCH = 1
EXIT_UNREADABLE = 2


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _hash_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A final hash as printed (64 hexadecimal characters; spaces and capitals are forgiven)."""
    if value is None:
        return None
    cleaned = "".join(value.split()).lower()
    if not recounting.HASH.fullmatch(cleaned):
        raise click.BadParameter("expected the 64 hexadecimal characters of a final hash")
    return cleaned


@votes_cli.command("recount", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--expect-hash", "expect_hash", metavar="HASH", callback=_hash_option,
              help="The final hash printed in the minutes or the proclamation: the recount fails unless the "
                   "board's recomputed final hash is this one (catches a board rewritten consistently).")
def recount(file: Path, expect_hash: str | None) -> None:
    """Recount an exported bulletin board (board.json) from the file alone.

    Checks the header hash (pcpa-board/2: the chain starts from it), the order
    and every hash of the chain, the final hash, that there are as many ballots
    as members who took part and that they are electors, recomputes the result
    under the rules in the file and compares it with the published one. For an
    election: checks every approval ballot, recounts the approvals, reruns the
    constrained allocation with the board's final hash as seed and compares the
    elected list, substitutes, draw and vacant seats. With --expect-hash, also
    compares the recomputed final hash with the one published elsewhere.
    Prints the recomputed result as JSON; exits 1 if anything does not match,
    2 if the file cannot be read or is not a pcpa-board/1 or pcpa-board/2 board.
    """
    try:
        board = recounting.load(file)
    except recounting.BoardFormatError as exc:
        _print_json({"ok": False, "problems": [f"unreadable board: {exc}"], "result": None})
        click.echo(f"Error: {file} is not a readable bulletin board ({' or '.join(recounting.FORMATS)}): {exc}",
                   err=True)
        sys.exit(EXIT_UNREADABLE)
    report = recounting.recount(board, expect_hash=expect_hash)
    _print_json(report)
    if not report["ok"]:
        click.echo(f"Recount FAILED: {len(report['problems'])} problem(s).", err=True)
        if expect_hash is not None and report["final_hash"] != expect_hash:
            click.echo(f"The recomputed final hash {report['final_hash']} is not the expected {expect_hash}.",
                       err=True)
        sys.exit(EXIT_MISMATCH)
    if expect_hash is not None:
        click.echo(f"The recomputed final hash is the expected {expect_hash}.", err=True)


def _due(within: timedelta) -> list[int]:
    """Open votes closing within ``within`` that were not reminded yet, soonest first."""
    now = utcnow()
    return list(db.session.scalars(
        select(Vote.id).where(Vote.status == VoteStatus.open, Vote.reminded_at.is_(None),
                              Vote.closes_at.is_not(None), Vote.closes_at > now, Vote.closes_at <= now + within)
        .order_by(Vote.closes_at, Vote.id)))


def _claim(vote_id: int) -> Vote | None:
    """Mark the vote reminded unless another run did: two cron runs never remind twice."""
    claimed = db.session.execute(update(Vote).where(Vote.id == vote_id, Vote.reminded_at.is_(None))
                                 .values(reminded_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    return db.session.get(Vote, vote_id)


@votes_cli.command("remind")
@click.option("--within-hours", type=click.IntRange(min=1), default=24, show_default=True,
              help="Remind for open votes closing within this many hours.")
def remind(within_hours: int) -> None:
    """E-mail the members that have not voted, for open votes closing soon (once per vote; for cron)."""
    base = current_app.config.get("EXTERNAL_URL")
    if not base and not current_app.config.get("SERVER_NAME"):
        click.echo("Set APP_EXTERNAL_URL (e.g. https://pcpa.example.org): reminders link to the ballot page.",
                   err=True)
        sys.exit(1)
    votes = recipients = 0
    # Links are built as in a request to the public address (url_for needs one outside requests).
    parts = urlsplit(base) if base else None
    context = (current_app.test_request_context("/", base_url=f"{parts.scheme}://{parts.netloc}")
               if parts and not current_app.config.get("SERVER_NAME") else nullcontext())
    with context:
        for vote_id in _due(timedelta(hours=within_hours)):
            vote = _claim(vote_id)
            if vote is None:
                continue
            try:
                recipients += voting.send_reminders(vote, actor=None)
            except DomainError:  # closed in the meantime
                db.session.rollback()
                continue
            db.session.commit()
            votes += 1
        mail.deliver_pending()
    click.echo(f"{votes} vote(s) reminded, {recipients} representative(s) e-mailed.")
