"""What an election adds to its bulletin board (``/votes/<id>/board.json``).

The recount needs, besides the ballots, everything the count used: the seats,
the constraints, every candidate as the count saw it (college, country, gender
side), the fallback when no committee can meet the constraints, and the seed,
and the full allocation published at the close so that the draw and the skips
can be compared too. In a format-2 board the definition (``header_part``,
registered in ``app.assembly.kinds.BOARD_HEADERS``) is sealed into the header at
the close and the export adds only the outputs (``board_part``, registered in
``kinds.BOARD_EXPORTS``: seed and allocation); a format-1 board (closed before)
is exported as it always was. The format is described in
``app/assembly/recount.py``, ``app/elections/recount.py`` and in the README.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.assembly.board import GENESIS
from app.assembly.kinds import BoardPart
from app.assembly.models import Vote
from app.elections import rules, services
from app.elections.models import Candidacy, Election
from app.elections.recount import APPROVAL, ELECTION
from app.extensions import db
from app.members.models import Member


def election_of_vote(vote_id: int) -> Election | None:
    return db.session.scalar(select(Election).where(Election.vote_id == vote_id))


def counted_candidacies(election: Election) -> list[Candidacy]:
    """The candidacies the count ranked, by id.

    Read from the count's own list of approvals (every candidate counted is
    there, 0 included), so a candidacy whose status changes after the close
    still appears; before any count, the validated candidacies.
    """
    approvals = (election.count or {}).get("approvals")
    if approvals is None:
        return services.validated_candidacies(election.id)
    ids = [int(i) for i in approvals]
    return list(db.session.scalars(
        select(Candidacy).where(Candidacy.election_id == election.id, Candidacy.id.in_(ids))
        .options(selectinload(Candidacy.member).selectinload(Member.college)).order_by(Candidacy.id)))


def candidate_entries(candidacies: list[Candidacy], as_counted: list[dict[str, Any]] | None = None
                      ) -> list[dict[str, Any]]:
    """One entry per candidate, sorted by id (numerically): the count's view plus who they are.

    College, country and gender are read from the members now, as the count read them at the
    close; ``as_counted`` (a list of {"id", "college", "country", "gender"} kept by the count, when
    it keeps one) wins, so that a member who changes college later does not change the board.
    """
    counted = services.as_candidates(candidacies)  # the gender side exactly as the count maps it
    kept = {str(c.get("id")): c for c in as_counted or [] if isinstance(c, dict)}
    entries = []
    for c, cand in zip(counted, candidacies, strict=True):
        then = kept.get(c.id, {})
        entries.append({"id": c.id, "member": cand.member.name, "college": then.get("college", c.college),
                        "country": then.get("country", c.country), "gender": then.get("gender", c.gender),
                        "representative": cand.representative_name})
    return sorted(entries, key=lambda e: int(e["id"]))


def header_part(vote: Vote) -> BoardPart | None:
    """The election's part of its board's header, built at the close before the count (registered
    for kind "election" in ``BOARD_HEADERS``): the candidates the count ranks, as it sees them."""
    election = election_of_vote(vote.id)
    if election is None:
        return None
    return BoardPart(title=election.title, rules={"method": APPROVAL}, sections={ELECTION: {
        "id": election.id,
        "seats": election.seats,
        "constraints": rules.Constraints.from_dict(election.constraints).to_dict(),
        "candidates": candidate_entries(services.validated_candidacies(election.id)),
        "infeasible_fallback": election.infeasible_fallback,
    }})


def board_part(vote: Vote) -> BoardPart | None:
    """The election's part of its vote's exported board (registered for kind "election"); None: no election.

    A format-2 board has its definition in the header: only the outputs (seed, allocation) here."""
    election = election_of_vote(vote.id)
    if election is None:
        return None
    seed = vote.final_hash or GENESIS
    if vote.board_header is not None:
        return BoardPart(title=election.title, rules={"method": APPROVAL},
                         sections={ELECTION: {"seed": seed, "allocation": (election.count or {}).get("allocation")}})
    return BoardPart(title=election.title, rules={"method": APPROVAL}, sections={ELECTION: board_section(election, seed)})


def board_section(election: Election, seed: str) -> dict[str, Any]:
    """The ``election`` section of the board: seats, constraints, candidates, seed and allocation."""
    return {
        "id": election.id,
        "seats": election.seats,
        "constraints": rules.Constraints.from_dict(election.constraints).to_dict(),
        "candidates": candidate_entries(counted_candidacies(election), (election.count or {}).get("candidates")),
        "seed": seed,
        "allocation": (election.count or {}).get("allocation"),
    }
