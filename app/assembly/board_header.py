"""The header of a format-2 bulletin board, read from the database once, at the close.

The header is everything the count uses and the board publishes except its
outputs: the format, the vote, its rules, the kind's definition section (an
election's seats, constraints and candidates), the frozen electorate (size,
count and sorted member names per college) and the members who took part. Its
canonical JSON is hashed (``board.header_hash``) into the first link of the
ballot chain, so the final hash printed in the minutes commits to all of it.
It is stored as sealed (``Vote.board_header``): the export publishes it as is,
so renaming a member later changes neither the board nor its hash.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, select

from app.assembly import board as board_rules
from app.assembly import kinds
from app.assembly.board import FORMATS
from app.assembly.models import Participation, Vote, VoteElector
from app.assembly.rules import MajorityRule, QuorumRule
from app.extensions import db
from app.members.models import Member

#: Format number of the boards this module builds.
FORMAT_NUMBER = 2


def iso_utc(value: datetime | None) -> str | None:
    """A timestamp as the board writes it: UTC, to the second, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def resolution_part(vote: Vote, rule: MajorityRule, quorum: QuorumRule) -> kinds.BoardPart:
    """A resolution's title and rules (what ``compute_result`` applies)."""
    resolution = vote.resolution
    return kinds.BoardPart(
        title=resolution.title_fr if resolution is not None else f"Vote {vote.id}",
        rules={"majority": {"base": str(rule.base), "threshold": rule.threshold, "double_majority": rule.double},
               "quorum": {"ratio": str(quorum.ratio), "strict": quorum.strict,
                          "second_convocation": quorum.second_convocation}})


def participant_entries(vote: Vote) -> list[dict[str, Any]]:
    """Members who took part, by name then college; an open vote adds each one's choice."""
    rows = db.session.execute(
        select(Member.name, VoteElector.college_code, Participation.open_choice)
        .join(Participation, Participation.member_id == Member.id)
        .join(VoteElector, and_(VoteElector.vote_id == Participation.vote_id,
                                VoteElector.member_id == Participation.member_id))
        .where(Participation.vote_id == vote.id)).all()
    entries = []
    for name, college, choice in sorted(rows, key=lambda r: (r[0], r[1])):
        item: dict[str, Any] = {"member": name, "college": college}
        if not vote.secret:
            item["choice"] = choice
        entries.append(item)
    return entries


def electorate_section(vote: Vote) -> dict[str, Any]:
    """The frozen electorate: its size, the count per college and, per college, the sorted names."""
    members: dict[str, list[str]] = {}
    for name, college in db.session.execute(
            select(Member.name, VoteElector.college_code).join(Member, VoteElector.member_id == Member.id)
            .where(VoteElector.vote_id == vote.id)):
        members.setdefault(college, []).append(name)
    members = {code: sorted(names) for code, names in sorted(members.items())}
    return {"size": vote.electorate_size or 0, "by_college": {code: len(names) for code, names in members.items()},
            "members": members}


def build_header(vote: Vote, *, rule: MajorityRule, quorum: QuorumRule) -> dict[str, Any] | None:
    """The header of the vote's board (``rule``/``quorum``: a resolution's, as the count applies
    them); None when the vote's kind has no object behind it (an election row missing)."""
    header_part = kinds.BOARD_HEADERS.get(vote.kind)
    part = header_part(vote) if header_part is not None else resolution_part(vote, rule, quorum)
    if part is None:
        return None
    assembly = vote.assembly
    return {
        "format": FORMATS[FORMAT_NUMBER],
        "vote": {
            "id": vote.id,
            "title": part.title,
            "assembly": {"id": assembly.id, "title": assembly.title} if assembly is not None else None,
            "secret": vote.secret,
            "opened_at": iso_utc(vote.opened_at),
            "closed_at": iso_utc(vote.closed_at),
        },
        "rules": dict(part.rules),
        **{name: dict(section) for name, section in part.sections.items()},
        "electorate": electorate_section(vote),
        "participants": participant_entries(vote),
    }


def chain_start(vote: Vote) -> str:
    """``h_0`` of the vote's chain: the header hash (format 2), 64 zeros (format 1)."""
    if (vote.board_format or 1) >= FORMAT_NUMBER and vote.board_header is not None:
        return board_rules.header_hash(vote.board_header)
    return board_rules.GENESIS
