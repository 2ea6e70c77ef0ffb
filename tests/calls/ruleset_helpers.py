"""Builders shared by the rule-set tests: committee members, a sample content, a rule set, a counted vote."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.assembly import voting
from app.assembly.models import Resolution
from app.auth.models import User
from app.calls import rulesets
from app.calls.models import RuleSet
from app.core.timeutil import utcnow
from app.elections.models import Mandate
from app.extensions import db
from app.members.models import Member
from tests import factories

#: The six roles of the matrix, plus a second committee member (of another member) and the committee
#: member's alternate (committee too: same member).
EMAILS = {
    "delegate": "delegate@example.org",
    "alternate": "alternate@example.org",
    "committee": "other@example.org",
    "committee2": "committee2@example.org",
    "committee_alternate": "committee-alt@example.org",
    "ex_officio": "funder@example.org",
    "secretariat": "secretariat@example.org",
}


@dataclass
class People:
    """Ids of a world where two members sit on the committee (the world's own member does not)."""

    world: factories.World
    committee_member_id: int
    committee2_member_id: int

    def user(self, role: str) -> User:
        found = db.session.scalar(select(User).where(User.email == EMAILS[role]))
        assert found is not None, role
        return found


def seat(member: Member) -> Mandate:
    """A current elected seat: the member's representatives get the committee role."""
    today = utcnow().date()
    mandate = Mandate(kind="elected", member_id=member.id, starts_on=today - timedelta(days=1),
                      ends_on=today + timedelta(days=730), representative_name=member.name)
    db.session.add(mandate)
    db.session.flush()
    return mandate


def build_people() -> People:
    """``factories.build_world()`` plus committee seats for the other member and a third member."""
    world = factories.build_world()
    other = db.session.get(Member, world.other_member_id)
    third = factories.member("Réseau Euro-Méditerranéen", country="FR")
    factories.user(EMAILS["committee2"], member=third, delegate=True)
    factories.user(EMAILS["committee_alternate"], member=other)
    seat(other)
    seat(third)
    db.session.flush()
    return People(world=world, committee_member_id=other.id, committee2_member_id=third.id)


def sample_content() -> dict[str, Any]:
    return copy.deepcopy({
        "eligibility": {"lead_active_member": {}, "duration_range": {"min_months": 12, "max_months": 36},
                        "requested_within_max": {}},
        "funding": {"rate": "0.65", "ceiling": "66440", "floor": "0"},
        "criteria": {
            "pertinence": {"name": {"fr": "Pertinence", "en": "Relevance", "ar": "الملاءمة"},
                           "description": {"fr": "Répond aux défis", "en": "Meets the challenges", "ar": ""},
                           "weight": 3, "scale_max": 5, "na_allowed": False, "min_justification": 50, "position": 1},
            "partenariat": {"name": {"fr": "Partenariat", "en": "Partnership", "ar": "الشراكة"},
                            "description": {"fr": "", "en": "", "ar": ""},
                            "weight": 2, "scale_max": 5, "na_allowed": True, "min_justification": 0, "position": 2},
        },
    })


def changed(content: dict[str, Any], **paths: Any) -> dict[str, Any]:
    """A copy of ``content`` with leaves replaced: ``changed(c, funding__rate="0.7")``; None removes a leaf."""
    result = copy.deepcopy(content)
    for dotted, value in paths.items():
        parts = dotted.split("__")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(parts[-1], None)
        else:
            node[parts[-1]] = value
    return result


def make_rule_set(people: People, content: dict[str, Any] | None = None) -> RuleSet:
    rule_set = rulesets.create_rule_set(actor=people.user("secretariat"),
                                        titles={"fr": "Règlement de l'appel 2027", "en": "Call rules 2027",
                                                "ar": "نظام الدعوة 2027"},
                                        content=content or sample_content())
    db.session.flush()
    return rule_set


def put_to_vote(people: People, rule_set: RuleSet) -> Resolution:
    """Freeze the head on a convened assembly and open the resolution's vote."""
    assembly = factories.assembly()
    resolution = rulesets.freeze(rule_set, actor=people.user("secretariat"), agenda_item=assembly.agenda[0])
    db.session.commit()
    voting.open_vote(resolution.vote, actor=people.user("secretariat"), closes_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    return resolution


def cast_all(resolution: Resolution, choices: dict[str, str]) -> None:
    """Each role's member casts its choice (role → "for" / "against" / "abstain")."""
    for role, choice in choices.items():
        user = db.session.scalar(select(User).where(User.email == EMAILS[role]))
        voting.cast(resolution.vote_id, user.member_id, choice, actor=user)
        db.session.commit()
