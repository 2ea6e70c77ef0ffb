"""The exported bulletin board (``/votes/<id>/board.json``): the exact input of ``flask votes recount``.

Built from the database; the format is described in ``app/assembly/recount.py`` and in the README.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort
from sqlalchemy import select

from app.assembly import board as board_rules
from app.assembly import kinds, voting
from app.assembly.models import Ballot, Vote
from app.assembly.recount import FORMAT
from app.extensions import db


def iso_utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def export_board(vote: Vote) -> dict[str, Any]:
    """The ``pcpa-board/1`` document of a closed vote: the exact input of ``flask votes recount``.

    Built from the database as it is now (the chain is recomputed from the
    ballots, sorted by tracker) next to the final hash and result published at
    the close, so a ballot changed after the close shows up in the recount.
    Lists are in code-point order, so the same vote always gives the same bytes.
    A vote of another kind than a resolution gets its title, ``rules`` and extra
    sections from the kind (``kinds.BOARD_EXPORTS``; an election: ``rules``
    {"method": "approval"} and its ``election`` section: seats, constraints,
    candidates, seed, allocation).
    """
    result = vote.result or {}
    rows = db.session.execute(select(Ballot.tracker, Ballot.choice, Ballot.college)
                              .where(Ballot.vote_id == vote.id)).all()
    entries = board_rules.seal((tracker, choice, college) for tracker, choice, college in rows)
    taking_part = sorted(voting.participants(vote), key=lambda p: (p[0], p[1]))
    resolution = vote.resolution
    assembly = vote.assembly

    def participant(name: str, college: str, choice: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {"member": name, "college": college}
        if not vote.secret:
            item["choice"] = choice
        return item

    def ballot(entry: board_rules.BoardEntry) -> dict[str, Any]:
        item = {"tracker": entry.tracker}
        if entry.college:
            item["college"] = entry.college
        item.update(choice=entry.choice, hash=entry.hash)
        return item

    by_college = dict(sorted(voting.electorate_by_college(vote).items()))
    export_kind = kinds.BOARD_EXPORTS.get(vote.kind)
    if export_kind is not None:
        part = export_kind(vote)
        if part is None:
            abort(404)
        final = vote.final_hash or board_rules.GENESIS
        return {
            "format": FORMAT,
            "vote": {
                "id": vote.id,
                "title": part.title,
                "assembly": {"id": assembly.id, "title": assembly.title} if assembly is not None else None,
                "secret": vote.secret,
                "opened_at": iso_utc(vote.opened_at),
                "closed_at": iso_utc(vote.closed_at),
            },
            "rules": dict(part.rules),
            **part.sections,
            "electorate": {"size": vote.electorate_size or 0, "by_college": by_college},
            "participants": [participant(name, college, choice) for name, college, choice, _proxy in taking_part],
            "ballots": [ballot(entry) for entry in entries],
            "final_hash": final,
            "result": vote.result,
        }
    quorum = result.get("quorum", {})
    return {
        "format": FORMAT,
        "vote": {
            "id": vote.id,
            "title": resolution.title_fr if resolution is not None else f"Vote {vote.id}",
            "assembly": {"id": assembly.id, "title": assembly.title} if assembly is not None else None,
            "secret": vote.secret,
            "opened_at": iso_utc(vote.opened_at),
            "closed_at": iso_utc(vote.closed_at),
        },
        "rules": {
            "majority": result.get("rule"),
            "quorum": {key: quorum.get(key) for key in ("ratio", "strict", "second_convocation")},
        },
        "electorate": {"size": vote.electorate_size or 0, "by_college": by_college},
        "participants": [participant(name, college, choice) for name, college, choice, _proxy in taking_part],
        "ballots": [ballot(entry) for entry in entries],
        "final_hash": vote.final_hash or board_rules.GENESIS,
        "result": vote.result,
    }
