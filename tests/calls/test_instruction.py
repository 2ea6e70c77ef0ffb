"""Instruction services: confirm the automatic eligibility, override one rule with a reason (audited with
before and after), and the effective eligibility the committee will see."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import User
from app.calls import instruction
from app.calls.models import EligibilityOverride, Proposal, ProposalStatus
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders

REASON = "Le partenaire tunisien a signé un accord écrit le 3 mars."


@dataclass(frozen=True)
class Ids:
    eligible: int
    ineligible: int  # fails duration_range only (48 months)
    draft: int
    withdrawn: int
    secretariat: int


@pytest.fixture
def ids(app: Flask, world: factories.World) -> Ids:
    with app.app_context():
        lead = db.session.get(Member, world.member_id)
        call = builders.call()
        eligible = builders.proposal(call, lead, title="Eau potable")
        ineligible = builders.proposal(call, lead, title="Trop long", duration=48)
        draft = builders.proposal(call, lead, status=ProposalStatus.draft)
        withdrawn = builders.proposal(call, lead, status=ProposalStatus.withdrawn)
        secretariat = db.session.scalar(select(User).where(User.email == world.emails["secretariat"]))
        db.session.commit()
        return Ids(eligible.id, ineligible.id, draft.id, withdrawn.id, secretariat.id)


@pytest.fixture
def en(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
        db.session.rollback()
        db.session.remove()


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_effective_eligibility_of_an_eligible_proposal(ids: Ids, en: None) -> None:
    outcomes, overrides, eligible = instruction.effective_eligibility(db.session.get(Proposal, ids.eligible))
    assert eligible is True and overrides == {}
    assert [o.kind for o in outcomes][:2] == ["lead_active_member", "min_partners"]
    assert all(o.passed for o in outcomes)


def test_effective_eligibility_rewords_the_failed_rule_in_the_viewers_language(ids: Ids, en: None) -> None:
    outcomes, _, eligible = instruction.effective_eligibility(db.session.get(Proposal, ids.ineligible))
    failed = [o for o in outcomes if not o.passed]
    assert eligible is False
    assert [o.kind for o in failed] == ["duration_range"]
    assert failed[0].reason == "The duration is 48 months; it must be between 12 and 36 months."


def test_effective_eligibility_before_any_submission_is_empty(ids: Ids, en: None) -> None:
    assert instruction.effective_eligibility(db.session.get(Proposal, ids.draft)) == ([], {}, False)


def test_confirm_records_who_and_when_and_audits(ids: Ids, en: None) -> None:
    actor = db.session.get(User, ids.secretariat)
    proposal = db.session.get(Proposal, ids.eligible)
    instruction.confirm_eligibility(proposal, actor=actor)
    assert proposal.instructed_by_id == actor.id and proposal.instructed_at is not None
    [entry] = _audit("proposal.eligibility_confirmed")
    assert entry.object_id == str(proposal.id)
    assert entry.before == {"instructed_at": None, "instructed_by_id": None}
    assert entry.after["instructed_by_id"] == actor.id and entry.after["eligible"] is True
    assert entry.after["automatic"] is True and entry.after["overrides"] == []


@pytest.mark.parametrize("which", ["draft", "withdrawn"])
def test_confirm_refused_unless_submitted(ids: Ids, en: None, which: str) -> None:
    proposal = db.session.get(Proposal, getattr(ids, which))
    with pytest.raises(DomainError):
        instruction.confirm_eligibility(proposal, actor=db.session.get(User, ids.secretariat))
    assert proposal.instructed_at is None and _audit("proposal.eligibility_confirmed") == []


def test_override_a_failed_rule_makes_the_proposal_eligible(ids: Ids, en: None) -> None:
    actor = db.session.get(User, ids.secretariat)
    proposal = db.session.get(Proposal, ids.ineligible)
    item = instruction.override_rule(proposal, actor=actor, kind="duration_range", passed=True, reason=REASON)
    assert (item.kind, item.passed, item.reason, item.created_by_id) == ("duration_range", True, REASON, actor.id)
    outcomes, overrides, eligible = instruction.effective_eligibility(proposal)
    assert eligible is True and list(overrides) == ["duration_range"]
    assert not next(o for o in outcomes if o.kind == "duration_range").passed  # the automatic outcome stays
    assert proposal.eligible is False  # the automatic flag is not rewritten
    [entry] = _audit("proposal.eligibility_overridden")
    assert entry.before == {"kind": "duration_range", "automatic": False, "eligible": False, "override": None}
    assert entry.after == {"kind": "duration_range", "passed": True, "reason": REASON, "snapshot": 1,
                           "eligible": True}


def test_override_a_passed_rule_to_fail_makes_the_proposal_ineligible(ids: Ids, en: None) -> None:
    proposal = db.session.get(Proposal, ids.eligible)
    instruction.override_rule(proposal, actor=db.session.get(User, ids.secretariat), kind="min_partners",
                              passed=False, reason="Le partenaire déclaré a fermé ses portes en janvier.")
    assert instruction.effective_eligibility(proposal)[2] is False


def test_replacing_an_override_needs_a_new_reason_and_keeps_one_row(ids: Ids, en: None) -> None:
    actor = db.session.get(User, ids.secretariat)
    proposal = db.session.get(Proposal, ids.ineligible)
    instruction.override_rule(proposal, actor=actor, kind="duration_range", passed=True, reason=REASON)
    with pytest.raises(DomainError) as refused:
        instruction.override_rule(proposal, actor=actor, kind="duration_range", passed=False, reason=f"  {REASON} ")
    assert refused.value.field == "reason"
    second = "Après vérification, la durée réelle dépasse la limite du règlement."
    instruction.override_rule(proposal, actor=actor, kind="duration_range", passed=False, reason=second)
    rows = list(db.session.scalars(select(EligibilityOverride).where(EligibilityOverride.proposal_id == proposal.id)))
    assert [(r.passed, r.reason) for r in rows] == [(False, second)]
    first, last = _audit("proposal.eligibility_overridden")
    assert last.before["override"] == {"passed": True, "reason": REASON, "by": actor.id}
    assert last.before["eligible"] is True and last.after["eligible"] is False
    assert instruction.effective_eligibility(proposal)[2] is False


@pytest.mark.parametrize(("kind", "passed", "reason", "field"), [
    ("duration_range", True, "", "reason"),
    ("duration_range", True, "Trop court.", "reason"),
    ("duration_range", True, "x" * 19, "reason"),
    ("duration_range", True, "   " + "x" * 19 + "   ", "reason"),  # spaces do not count
    ("no_such_rule", True, REASON, "kind"),
    ("max_open_per_lead", True, REASON, "kind"),  # a known kind the call's rule set does not use
    ("duration_range", False, REASON, "passed"),  # already fails: nothing to override
    ("min_partners", True, REASON, "passed"),  # already passes
])
def test_override_refusals_save_nothing(ids: Ids, en: None, kind: str, passed: bool, reason: str,
                                        field: str) -> None:
    proposal = db.session.get(Proposal, ids.ineligible)
    with pytest.raises(DomainError) as refused:
        instruction.override_rule(proposal, actor=db.session.get(User, ids.secretariat), kind=kind, passed=passed,
                                  reason=reason)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(EligibilityOverride)) == 0
    assert _audit("proposal.eligibility_overridden") == []


def test_override_of_exactly_twenty_characters_is_accepted(ids: Ids, en: None) -> None:
    proposal = db.session.get(Proposal, ids.ineligible)
    instruction.override_rule(proposal, actor=db.session.get(User, ids.secretariat), kind="duration_range",
                              passed=True, reason="x" * 20)
    assert instruction.effective_eligibility(proposal)[2] is True


@pytest.mark.parametrize("which", ["draft", "withdrawn"])
def test_override_refused_unless_submitted(ids: Ids, en: None, which: str) -> None:
    with pytest.raises(DomainError):
        instruction.override_rule(db.session.get(Proposal, getattr(ids, which)),
                                  actor=db.session.get(User, ids.secretariat), kind="min_partners", passed=False,
                                  reason=REASON)


def test_overrides_in_order_follow_the_rule_registry(ids: Ids, en: None) -> None:
    actor = db.session.get(User, ids.secretariat)
    proposal = db.session.get(Proposal, ids.ineligible)
    instruction.override_rule(proposal, actor=actor, kind="duration_range", passed=True, reason=REASON)
    instruction.override_rule(proposal, actor=actor, kind="min_partners", passed=False, reason=REASON)
    assert [o.kind for o in instruction.overrides_in_order(proposal.id)] == ["min_partners", "duration_range"]
