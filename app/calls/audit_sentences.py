"""What the audit log says about rule sets, calls, proposals, reviews and decisions (``app.core.audit_sentences``)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.calls.models import Amendment, Call, Challenge, Proposal, RuleSet
from app.calls.wording import reference
from app.core.audit_sentences import (
    AuditObject,
    int_ids,
    register_audit_kind,
    register_audit_object,
    register_audit_sentences,
)
from app.extensions import db
from app.members.models import localised

SENTENCES = {
    "ruleset.created": _l("%(actor)s created the rule set “%(object)s”"),
    "ruleset.frozen": _l("%(actor)s froze the rule set “%(object)s” for the assembly"),
    "ruleset.adopted": _l("The assembly adopted the rule set “%(object)s”"),
    "ruleset.not_adopted": _l("The assembly did not adopt the rule set “%(object)s”"),
    "amendment.proposed": _l("%(actor)s proposed the amendment “%(object)s”"),
    "amendment.commented": _l("%(actor)s commented on the amendment “%(object)s”"),
    "amendment.supported": _l("%(actor)s supported the amendment “%(object)s”"),
    "amendment.rebased": _l("%(actor)s brought the amendment “%(object)s” up to date with the latest version"),
    "amendment.withdrawn": _l("%(actor)s withdrew the amendment “%(object)s”"),
    "amendment.declined": _l("%(actor)s declined the amendment “%(object)s”"),
    "amendment.accepted": _l("%(actor)s accepted the amendment “%(object)s”"),
    "challenge.created": _l("%(actor)s created the challenge “%(object)s”"),
    "challenge.updated": _l("%(actor)s edited the challenge “%(object)s”"),
    "call.created": _l("%(actor)s created the call “%(object)s”"),
    "call.updated": _l("%(actor)s edited the call “%(object)s”"),
    "call.opened": _l("%(actor)s opened the call “%(object)s”"),
    "call.closed": _l("%(actor)s closed the call “%(object)s”"),
    "call.in_review": _l("%(actor)s started the review of the call “%(object)s”"),
    "call.decided": _l("%(actor)s recorded the decision on the call “%(object)s”"),
    "call.published": _l("%(actor)s published the decision on the call “%(object)s”"),
    "call.reminded": _l("%(actor)s reminded the applicants of the call “%(object)s” of its deadline"),
    "proposal.created": _l("%(actor)s started the proposal “%(object)s”"),
    "proposal.section_saved": _l("%(actor)s saved a section of the proposal “%(object)s”"),
    "proposal.section_marked": _l("%(actor)s marked a section of the proposal “%(object)s”"),
    "proposal.line_added": _l("%(actor)s added a budget line to the proposal “%(object)s”"),
    "proposal.line_removed": _l("%(actor)s removed a budget line from the proposal “%(object)s”"),
    "proposal.attachment_added": _l("%(actor)s attached a file to the proposal “%(object)s”"),
    "proposal.submitted": _l("%(actor)s submitted the proposal “%(object)s”"),
    "proposal.withdrawn": _l("%(actor)s withdrew the proposal “%(object)s”"),
    "proposal.eligibility_confirmed": _l("%(actor)s confirmed the eligibility check of the proposal “%(object)s”"),
    "proposal.eligibility_overridden": _l("%(actor)s overrode an eligibility check of the proposal “%(object)s”"),
    "review.settings": _l("%(actor)s changed the review settings of the call “%(object)s”"),
    "review.assigned": _l("%(actor)s assigned a reviewer to the proposal “%(object)s”"),
    "review.unassigned": _l("%(actor)s removed a reviewer from the proposal “%(object)s”"),
    "review.notified": _l("%(actor)s notified the reviewers of the call “%(object)s”"),
    "review.reminded": _l("%(actor)s reminded the reviewers of the call “%(object)s”"),
    "review.submitted": _l("%(actor)s submitted a review of the proposal “%(object)s”"),
    "review.reopened": _l("%(actor)s reopened a review of the proposal “%(object)s”"),
    "review.commented": _l("%(actor)s commented on the reviews of the proposal “%(object)s”"),
    "conflict.recorded": _l("%(actor)s recorded a conflict of interest on the proposal “%(object)s”"),
    "conflict.declared": _l("%(actor)s declared a conflict of interest on the proposal “%(object)s”"),
    "conflict.withdrawn": _l("%(actor)s withdrew a conflict of interest on the proposal “%(object)s”"),
    "selection.settings": _l("%(actor)s changed the selection settings of the call “%(object)s”"),
    "selection.departure": _l("%(actor)s departed from the ranking for the proposal “%(object)s”"),
    "decision.letter_sent": _l("%(actor)s sent the decision letter for the proposal “%(object)s”"),
    "decision.letter_unsent": _l("The decision letter for the proposal “%(object)s” could not be sent"),
}


def resolve_calls(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.scalars(select(Call).where(Call.id.in_(int_ids(ids))))
    return {str(c.id): AuditObject(localised(c, "title"), url_for("calls.detail", call_id=c.id)) for c in rows}


def resolve_proposals(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Proposal.id, Proposal.call_id, Proposal.title)
                              .where(Proposal.id.in_(int_ids(ids))))
    return {str(p.id): AuditObject(f"{reference(p)} {p.title}".strip(), url_for("proposals.detail", proposal_id=p.id))
            for p in rows}


def resolve_rule_sets(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.scalars(select(RuleSet).where(RuleSet.id.in_(int_ids(ids))))
    return {str(r.id): AuditObject(localised(r, "title"), url_for("rulesets.detail", rule_set_id=r.id)) for r in rows}


def resolve_amendments(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.execute(select(Amendment.id, Amendment.rule_set_id, Amendment.title)
                              .where(Amendment.id.in_(int_ids(ids))))
    return {str(i): AuditObject(title, url_for("rulesets.amendment", rule_set_id=rs, amendment_id=i))
            for i, rs, title in rows}


def resolve_challenges(ids: Sequence[str]) -> Mapping[str, AuditObject]:
    rows = db.session.scalars(select(Challenge).where(Challenge.id.in_(int_ids(ids))))
    return {str(c.id): AuditObject(localised(c, "title"), url_for("calls.edit_challenge", challenge_id=c.id))
            for c in rows}


def register() -> None:
    register_audit_object("call", _l("call"), resolve_calls)
    register_audit_object("proposal", _l("proposal"), resolve_proposals)
    register_audit_object("rule_set", _l("rule set"), resolve_rule_sets)
    register_audit_object("amendment", _l("amendment"), resolve_amendments)
    register_audit_object("challenge", _l("challenge"), resolve_challenges)
    for prefix, label in (("ruleset", _l("Rule sets")), ("amendment", _l("Amendments to rule sets")),
                          ("challenge", _l("Challenges")), ("call", _l("Calls")), ("proposal", _l("Proposals")),
                          ("review", _l("Reviews")), ("conflict", _l("Conflicts of interest")),
                          ("selection", _l("Selection")), ("decision", _l("Decision letters"))):
        register_audit_kind(prefix, label)
    register_audit_sentences(SENTENCES)
