"""The exported bulletin board (``/votes/<id>/board.json``): the exact input of ``flask votes recount``.

Built from the database; the format is described in ``app/assembly/recount.py``,
in ``app/assembly/schemas/`` (JSON Schema) and in the README.
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import select

from app.assembly import board as board_rules
from app.assembly import kinds, voting
from app.assembly.board_header import chain_start, iso_utc
from app.assembly.models import Ballot, Vote
from app.extensions import db

__all__ = ["export_board", "iso_utc"]


def _ballots(vote: Vote) -> list[dict[str, Any]]:
    """The ballots as they are in the database now, sorted by tracker and chained from the vote's
    chain start, so a ballot changed after the close shows up against the published final hash."""
    rows = db.session.execute(select(Ballot.tracker, Ballot.choice, Ballot.college)
                              .where(Ballot.vote_id == vote.id)).all()
    entries = board_rules.seal(((tracker, choice, college) for tracker, choice, college in rows),
                               previous=chain_start(vote))

    def ballot(entry: board_rules.BoardEntry) -> dict[str, Any]:
        item = {"tracker": entry.tracker}
        if entry.college:
            item["college"] = entry.college
        item.update(choice=entry.choice, hash=entry.hash)
        return item

    return [ballot(entry) for entry in entries]


def export_board(vote: Vote) -> dict[str, Any]:
    """The board document of a closed vote: the exact input of ``flask votes recount``.

    ``pcpa-board/2`` (votes closed since the format exists): the header stored at
    the close, as it was sealed (a member renamed later changes nothing), then
    ``header_hash``, the ballots chained from it, the final hash and the result
    published at the close, and a kind's outputs (an election's seed and
    allocation, added to its ``election`` section). ``pcpa-board/1`` (older
    votes): rebuilt from the database as it always was. Lists are in code-point
    order, so the same vote always gives the same bytes.
    """
    if vote.board_header is not None and vote.board_format >= 2:
        return _export_v2(vote, vote.board_header)
    return _export_v1(vote)


def _export_v2(vote: Vote, header: dict[str, Any]) -> dict[str, Any]:
    outputs: dict[str, dict[str, Any]] = {}
    export_kind = kinds.BOARD_EXPORTS.get(vote.kind)
    if export_kind is not None:
        part = export_kind(vote)
        if part is None:
            abort(404)
        outputs = {name: dict(section) for name, section in part.sections.items()}
    start = board_rules.header_hash(header)
    return board_rules.with_outputs(header, header_hash=start, ballots=_ballots(vote),
                                    final_hash=vote.final_hash or start, result=vote.result,
                                    section_outputs=outputs)


def _export_v1(vote: Vote) -> dict[str, Any]:
    """A vote closed before format 2: ``pcpa-board/1``, exactly as it was exported then."""
    result = vote.result or {}
    taking_part = sorted(voting.participants(vote), key=lambda p: (p[0], p[1]))
    resolution = vote.resolution
    assembly = vote.assembly

    def participant(name: str, college: str, choice: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {"member": name, "college": college}
        if not vote.secret:
            item["choice"] = choice
        return item

    by_college = dict(sorted(voting.electorate_by_college(vote).items()))
    title = resolution.title_fr if resolution is not None else f"Vote {vote.id}"
    quorum = result.get("quorum", {})
    rules: dict[str, Any] = {
        "majority": result.get("rule"),
        "quorum": {key: quorum.get(key) for key in ("ratio", "strict", "second_convocation")},
    }
    sections: dict[str, Any] = {}
    export_kind = kinds.BOARD_EXPORTS.get(vote.kind)
    if export_kind is not None:
        part = export_kind(vote)
        if part is None:
            abort(404)
        title, rules, sections = part.title, dict(part.rules), dict(part.sections)
    return {
        "format": board_rules.FORMATS[1],
        "vote": {
            "id": vote.id,
            "title": title,
            "assembly": {"id": assembly.id, "title": assembly.title} if assembly is not None else None,
            "secret": vote.secret,
            "opened_at": iso_utc(vote.opened_at),
            "closed_at": iso_utc(vote.closed_at),
        },
        "rules": rules,
        **sections,
        "electorate": {"size": vote.electorate_size or 0, "by_college": by_college},
        "participants": [participant(name, college, choice) for name, college, choice, _proxy in taking_part],
        "ballots": _ballots(vote),
        "final_hash": vote.final_hash or board_rules.GENESIS,
        "result": vote.result,
    }
