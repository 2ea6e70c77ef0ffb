"""The restore drill's recount (``flask ops restore-drill``): every closed vote's board, rebuilt from the
restored database, must recount to its published result and to the final hash sealed at its close.

A ballot changed, added or removed in the database (or a result rewritten) shows up here, whatever the
vote's kind: an election's board is recounted by what elections registered in ``recount.BOARD_KINDS``.
"""
from __future__ import annotations

from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app.assembly import recount
from app.assembly.board_export import export_board
from app.assembly.models import Vote, VoteStatus
from app.core.ops_commands import DrillResult, register_drill_check
from app.extensions import db


def recount_closed_votes() -> DrillResult:
    """Export and recount each closed vote in turn (one vote's ballots in memory at a time)."""
    result = DrillResult("bulletin boards")
    ids = db.session.scalars(select(Vote.id).where(Vote.status == VoteStatus.closed).order_by(Vote.id)).all()
    for vote_id in ids:
        vote = db.session.get(Vote, vote_id)
        label = f"vote {vote_id} ({vote.kind})"
        result.checked += 1
        try:
            board = export_board(vote)
            report = recount.recount(board, expect_hash=vote.final_hash)
        except (HTTPException, recount.BoardFormatError, KeyError, TypeError, ValueError) as exc:
            result.failures.append(f"{label}: the board cannot be rebuilt: {exc}")
            continue
        finally:
            db.session.expunge_all()
        if not report["ok"]:
            problems = report["problems"]
            result.failures.append(f"{label}: {len(problems)} problem(s): " + "; ".join(problems[:3]))
    return result


def register() -> None:
    register_drill_check("boards", recount_closed_votes, order=20)
