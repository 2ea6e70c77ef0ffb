"""The secretariat's instruction of a submitted proposal: confirm the automatic eligibility, or override
one rule with a written reason.

An override never rewrites the snapshot: the automatic outcomes stay what the rules said at submission,
and ``effective_eligibility`` lays the overrides over them. One override per rule (a unique constraint);
replacing it needs a new reason, so the audit log keeps why each decision changed. Services flush, never
commit.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.calls import proposals, queries, rules
from app.calls.models import EligibilityOverride, Proposal, ProposalSnapshot, ProposalStatus, RuleSetVersion
from app.core import audit
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import add_unique, db

#: A reason shorter than this says nothing the committee can weigh.
MIN_REASON = 20


def outcomes_of(snapshot: ProposalSnapshot, version: RuleSetVersion) -> list[rules.Outcome]:
    """The snapshot's eligibility re-worded in the viewer's language (from the facts kept at submission)."""
    facts = rules.facts_from_dict(snapshot.content["facts"])
    return rules.evaluate(version.content.get("eligibility") or {}, facts)


def _version_of(proposal: Proposal, snapshot: ProposalSnapshot) -> RuleSetVersion:
    version_id = snapshot.content.get("rule_set_version_id") or proposal.call.rule_set_version_id
    version = db.session.get(RuleSetVersion, version_id)
    if version is None:  # a snapshot names its version; a missing one is a broken database
        raise LookupError(f"rule set version {version_id} not found")
    return version


def overrides_for(proposal: Proposal) -> dict[str, EligibilityOverride]:
    return queries.overrides_of([proposal.id]).get(proposal.id, {})


def effective_eligibility(proposal: Proposal, *, snapshot: ProposalSnapshot | None = None
                          ) -> tuple[list[rules.Outcome], dict[str, EligibilityOverride], bool]:
    """The automatic outcomes of the latest snapshot, the overrides by rule kind, and whether the proposal
    is eligible once the overrides are counted. Before any submission: no outcomes, not eligible."""
    snapshot = snapshot or proposals.latest_snapshot(proposal)
    overrides = overrides_for(proposal)
    if snapshot is None:
        return [], overrides, False
    outcomes = outcomes_of(snapshot, _version_of(proposal, snapshot))
    eligible = rules.eligible(outcomes, {kind: o.passed for kind, o in overrides.items()})
    return outcomes, overrides, eligible


def _instructable(proposal: Proposal) -> ProposalSnapshot:
    if proposal.status != ProposalStatus.submitted:
        raise DomainError(_l("Only a submitted proposal can be instructed."))
    snapshot = proposals.latest_snapshot(proposal)
    if snapshot is None:
        raise DomainError(_l("This proposal has no submitted version to instruct."))
    return snapshot


def confirm_eligibility(proposal: Proposal, *, actor: Any) -> None:
    """The secretariat confirms the eligibility as it stands (automatic outcomes and any overrides)."""
    snapshot = _instructable(proposal)
    outcomes, overrides, eligible = effective_eligibility(proposal, snapshot=snapshot)
    before = {"instructed_at": proposal.instructed_at, "instructed_by_id": proposal.instructed_by_id}
    proposal.instructed_at = utcnow()
    proposal.instructed_by_id = actor.id
    db.session.flush()
    audit.record("proposal.eligibility_confirmed", "proposal", proposal.id, actor=actor, before=before,
                 after={"instructed_at": proposal.instructed_at, "instructed_by_id": actor.id,
                        "snapshot": snapshot.number, "automatic": rules.eligible(outcomes),
                        "overrides": sorted(overrides), "eligible": eligible})


def override_rule(proposal: Proposal, *, actor: Any, kind: str, passed: bool, reason: str) -> EligibilityOverride:
    """Set one rule's outcome by hand, with a written reason; replacing an override needs a new reason."""
    snapshot = _instructable(proposal)
    outcomes, overrides, eligible_before = effective_eligibility(proposal, snapshot=snapshot)
    automatic = {o.kind: o.passed for o in outcomes}
    if kind not in automatic:
        raise DomainError(_l("Choose one of the call's eligibility rules."), field="kind")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise DomainError(_l("Explain the override in at least %(n)s characters.", n=MIN_REASON), field="reason")
    existing = overrides.get(kind)
    if existing is None and automatic[kind] == passed:
        raise DomainError(_l("The rule already has this outcome: there is nothing to override."), field="passed")
    if existing is not None and existing.reason.strip() == reason:
        raise DomainError(_l("Replacing an override needs a new reason."), field="reason")
    before = {"kind": kind, "automatic": automatic[kind], "eligible": eligible_before,
              "override": None if existing is None else {"passed": existing.passed, "reason": existing.reason,
                                                         "by": existing.created_by_id}}
    now = utcnow()
    if existing is None:
        item = EligibilityOverride(proposal_id=proposal.id, kind=kind, passed=passed, reason=reason,
                                   created_at=now, created_by_id=actor.id)
        if not add_unique(item):
            raise DomainError(_l("Someone overrode this rule meanwhile. Reload the page and try again."),
                              field="kind")
    else:
        item = existing
        item.passed, item.reason, item.created_at, item.created_by_id = passed, reason, now, actor.id
        db.session.flush()
    overrides = {**overrides, kind: item}
    eligible_after = rules.eligible(outcomes, {k: o.passed for k, o in overrides.items()})
    audit.record("proposal.eligibility_overridden", "proposal", proposal.id, actor=actor, before=before,
                 after={"kind": kind, "passed": passed, "reason": reason, "snapshot": snapshot.number,
                        "eligible": eligible_after})
    return item


def overrides_in_order(proposal_id: int) -> list[EligibilityOverride]:
    """A proposal's overrides as the committee will read them (rule registry order)."""
    order = {kind: i for i, kind in enumerate(rules.REGISTRY)}
    found = db.session.scalars(select(EligibilityOverride).where(EligibilityOverride.proposal_id == proposal_id))
    return sorted(found, key=lambda o: order.get(o.kind, len(order)))
