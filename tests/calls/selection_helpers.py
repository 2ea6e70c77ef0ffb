"""A call in review with scored proposals, for the selection tests (service, routes, race, bounded queries)."""
from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from decimal import Decimal

from app.calls.models import CallStatus
from app.calls.money import to_cents
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders
from tests.calls.review_builders import committee, criteria_content, review

#: Per proposal, the three reviewers' (relevance /5, impact /10, partnership /5 or None).
SCORES = [
    [(5, 9, 4), (4, 8, 5), (5, 10, None)],   # P0: best
    [(4, 7, 3), (4, 6, 4), (3, 7, 3)],
    [(3, 6, 3), (4, 5, 2), (3, 6, 4)],
    [(2, 4, 2), (3, 5, 3), (2, 3, None)],
    [(1, 2, 1), (2, 3, 2), (1, 1, 1)],       # P4: worst
]


@dataclass
class Scene:
    call_id: int
    proposal_ids: list[int]
    reviewer_ids: list[int]
    max_grant_cents: int


def scene(*, envelope: str = "150000", threshold: int | None = None) -> Scene:
    """Five proposals of five leads scored by three committee members; the call in review."""
    version = builders.version(criteria_content(threshold=threshold))
    call = builders.call(version, status=CallStatus.in_review, envelope=envelope)
    people = committee(3)
    proposals = []
    for i in range(len(SCORES)):
        lead = factories.member(f"Porteur {i}", country="TN")
        proposals.append(builders.proposal(call, lead, title=f"Projet {i}"))
    for p, rows in zip(proposals, SCORES, strict=True):
        for person, (rel, imp, part) in zip(people, rows, strict=True):
            review(p, person, {"relevance": rel, "impact": imp, "partnership": part})
    db.session.commit()
    return Scene(call.id, [p.id for p in proposals], [u.id for u in people], proposals[0].max_grant_cents)


def lead_member(proposal_id: int) -> Member:
    from app.calls.models import Proposal

    return db.session.get(Proposal, proposal_id).lead_member


def fake_letters(monkeypatch) -> list:  # noqa: ANN001
    """Replace ``app.calls.letters.send_letters`` (owner C's) by a recorder; returns the calls made."""
    made: list = []

    def send_letters(decision, *, actor) -> int:  # noqa: ANN001
        made.append((decision.id, actor.id))
        return len(decision.items)

    try:
        import app.calls.letters as module
    except ImportError:
        module = types.ModuleType("app.calls.letters")
        monkeypatch.setitem(sys.modules, "app.calls.letters", module)
    monkeypatch.setattr(module, "send_letters", send_letters, raising=False)
    return made


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


__all__ = ["Scene", "scene", "fake_letters", "lead_member", "to_cents", "euros"]
