"""A call in review with three committee members, one of them a partner of the first proposal (owner A's
review tests share it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.calls.models import CallStatus
from app.calls.selection_models import SelectionSettings
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders, review_builders


@dataclass(frozen=True)
class Setup:
    call_id: int
    p1: int  # a partner of it: reviewer c (conflicted)
    p2: int
    reviewers: tuple[int, int, int]  # a, b, c (user ids)
    emails: tuple[str, str, str]
    conflicted_member_id: int


def build(*, status: str = CallStatus.in_review, deadline_days: int | None = 10) -> Setup:
    """World (``factories.build_world`` must have run) + a call with two submitted proposals of the world's
    member, three committee members (a, b, c); c's organisation is a partner of p1."""
    own = db.session.query(Member).filter_by(name="Association des Jeunes de Gafsa").one()
    version = builders.version(review_builders.criteria_content(threshold=25))
    call = builders.call(version, status=status)
    p1 = builders.proposal(call, own, title="Eau potable à Gafsa")
    p2 = builders.proposal(call, own, title="Jardins partagés")
    a, b, c = review_builders.committee(3)
    review_builders.partner_member(p1, c.member)
    if deadline_days is not None:
        db.session.add(SelectionSettings(call_id=call.id, reviewers_per_proposal=2, ranking="raw", min_score="",
                                         mode="skip", reserve_size=3,
                                         review_deadline=utcnow() + timedelta(days=deadline_days)))
    db.session.commit()
    return Setup(call.id, p1.id, p2.id, (a.id, b.id, c.id), (a.email, b.email, c.email), c.member_id)


GOOD = {"relevance": 4, "impact": 7, "partnership": None}
JUST = review_builders.JUSTIFICATION


def form_data(scores: dict[str, int | None], *, action: str = "submit_review", eligible: str = "",
              justification: str = JUST) -> dict[str, str]:
    data = {action: "1", "eligible": eligible}
    for code, score in scores.items():
        data[f"score-{code}"] = "na" if score is None else str(score)
        data[f"justification-{code}"] = justification
    return data


__all__ = ["GOOD", "JUST", "Setup", "build", "factories", "form_data"]
