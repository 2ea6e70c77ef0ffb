"""The role matrix's world: the objects every URL rule of ``app.url_map`` is tried on, and how a rule's
arguments are filled from them.

Shared by ``tests/core/test_role_matrix.py`` (its ``ids``/``grant_ids`` fixtures), the form fuzzing test and
the small-screen browser test (``tests/browser/test_pages_small_screen.py``), which builds the same world once
in the live server's database.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.assembly import services
from app.assembly.models import AssemblyDocument, Proxy
from app.auth.models import TokenPurpose, User
from app.auth.services import issue_token
from app.calls import attachments, conflicts, rulesets
from app.calls.models import Attachment, CallStatus, Proposal, ProposalSnapshot, ProposalStatus
from app.calls.selection_models import ConflictSource
from app.core.timeutil import utcnow
from app.elections import services as election_services
from app.elections.models import Mandate
from app.extensions import db
from app.grants import budget, reports
from app.grants.models import Grant, GrantStatus, InstalmentCondition
from app.members.models import Member
from tests import factories
from tests.calls import builders, decision_builders, review_builders, ruleset_helpers
from tests.calls.test_attachments import tiny_pdf
from tests.grants import builders as grant_builders


@dataclass(frozen=True)
class Ids:
    """What the URL arguments are filled from."""

    member_id: int
    other_member_id: int
    alternate_id: int
    college_id: int
    invitation_token: str
    reset_token: str
    assembly_id: int
    item_id: int
    document_id: int
    proxy_id: int
    resolution_id: int
    vote_id: int
    mandate_id: int
    election_id: int
    candidacy_id: int
    rule_set_id: int
    amendment_id: int
    challenge_id: int
    call_id: int  # open, under an adopted version
    draft_call_id: int
    closed_call_id: int
    published_call_id: int
    proposal_id: int  # the delegate's member's draft
    line_id: int  # its budget line
    attachment_id: int  # its attachment, stored on disk
    submitted_id: int  # the delegate's member's submitted proposal (snapshot 1)
    # Selection (issue 8)
    review_call_id: int  # in review, three criteria
    review_proposal_id: int  # led by the delegate's member; the committee member reviewed it (submitted)
    review_attachment_id: int  # its file, listed in its submitted snapshot
    conflicted_proposal_id: int  # the committee member's organisation is a partner (it was assigned before)
    free_reviewer_email: str  # another committee member, assigned to both proposals, conflicted with neither
    conflict_id: int  # a conflict the secretariat recorded on the review proposal
    decided_call_id: int  # a decision recorded, not published
    outcome_id: int  # the delegate's member's proposal in a call whose decision is published


def build_ids(app: Flask, world: factories.World) -> Ids:
    """The role matrix's objects on top of ``world`` (an assembly with an open vote, an election, rule sets,
    calls in four states, proposals, the selection world), committed; files go to the app's configured dirs."""
    with app.app_context():
        alternate = db.session.scalar(select(User).where(User.email == world.emails["alternate"]))
        other = db.session.get(Member, world.other_member_id)
        invitee = factories.user("invitee@example.org", member=other)
        invitee.password_hash = None
        invitation = issue_token(invitee, TokenPurpose.invitation, timedelta(days=1))
        reset_user = db.session.scalar(select(User).where(User.email == world.emails["other_delegate"]))
        reset = issue_token(reset_user, TokenPurpose.reset, timedelta(hours=1))
        college_id = db.session.get(Member, world.member_id).college_id
        assembly = factories.assembly()
        document = AssemblyDocument(assembly=assembly, title="Rapport", filename="rapport.txt",
                                    stored_name="matrix-rapport.txt")
        db.session.add(document)
        (services.documents_dir() / document.stored_name).write_text("rapport")
        proxy = Proxy(assembly_id=assembly.id, giver_id=world.member_id, holder_id=world.other_member_id)
        resolution = factories.resolution(assembly)
        today = utcnow().date()
        mandate = Mandate(kind="ex_officio", organisation="Agence Française de Développement", starts_on=today,
                          ends_on=today + timedelta(days=730))
        seat = Mandate(kind="elected", member_id=world.other_member_id, starts_on=today,
                       ends_on=today + timedelta(days=730), representative_name="Other delegate")
        db.session.add_all([document, proxy, mandate, seat])
        db.session.flush()
        secretariat = db.session.scalar(select(User).where(User.email == world.emails["secretariat"]))
        election = election_services.create_election(actor=secretariat, data={
            "title": "Élection du comité", "seats": 3, "term_starts_on": today, "term_years": 2,
            "candidacy_opens_at": utcnow() - timedelta(days=1), "candidacy_closes_at": utcnow() + timedelta(days=1),
            "constraints": {}})
        candidacy = election_services.declare_candidacy(
            election, actor=reset_user, representative_name="Other delegate", gender="female",
            statements={"fr": "Candidature", "en": "", "ar": ""})
        resolution.vote.status = "open"
        resolution.vote.closes_at = utcnow() + timedelta(hours=1)
        # Calls for projects: a rule set (draft head) with the committee member's amendment, calls in four states.
        rule_set = rulesets.create_rule_set(actor=secretariat, titles={"fr": "Règlement", "en": "Rules", "ar": ""},
                                            content=ruleset_helpers.sample_content())
        amendment = rulesets.propose_amendment(
            rule_set, actor=reset_user, title="Taux à 70 %", rationale="Les petites structures",
            new_content=ruleset_helpers.changed(ruleset_helpers.sample_content(), funding__rate="0.7"))
        adopted = builders.version()
        call = builders.call(adopted)
        draft_call = builders.call(adopted, status=CallStatus.draft, title="Appel en préparation")
        closed_call = builders.call(adopted, status=CallStatus.closed, title="Appel clos")
        published_call = builders.call(adopted, status=CallStatus.published, title="Appel publié")
        own = db.session.get(Member, world.member_id)
        draft = builders.proposal(call, own, status=ProposalStatus.draft, lines=builders.LINES[:1])
        delegate = db.session.scalar(select(User).where(User.email == world.emails["delegate"]))
        attachment = attachments.add_attachment(draft, actor=delegate, filename="note.pdf", data=tiny_pdf())
        submitted = builders.proposal(call, own)
        builders.proposal(published_call, other, awarded="50000")
        selection_ids = _selection_world(world, own=own, other=other, committee_user=reset_user,
                                         secretariat=secretariat)
        db.session.commit()
        return Ids(member_id=world.member_id, other_member_id=world.other_member_id, alternate_id=alternate.id,
                   college_id=college_id, invitation_token=invitation, reset_token=reset, assembly_id=assembly.id,
                   item_id=assembly.agenda[0].id, document_id=document.id, proxy_id=proxy.id,
                   resolution_id=resolution.id, vote_id=resolution.vote_id, mandate_id=mandate.id,
                   election_id=election.id, candidacy_id=candidacy.id, rule_set_id=rule_set.id,
                   amendment_id=amendment.id, challenge_id=call.challenges[0].id, call_id=call.id,
                   draft_call_id=draft_call.id, closed_call_id=closed_call.id, published_call_id=published_call.id,
                   proposal_id=draft.id, line_id=draft.budget_lines[0].id, attachment_id=attachment.id,
                   submitted_id=submitted.id, **selection_ids)


#: Marks of every review of the matrix's selection world (relevance /5, impact /10, partnership /5 or n/a).
SCORES = {"relevance": 4, "impact": 7, "partnership": None}


def _submitted_file(proposal: Proposal) -> Attachment:
    """A stored PDF listed in the proposal's submitted snapshot (what its reviewers download)."""
    data = tiny_pdf()
    stored = secrets.token_hex(16)
    (attachments.storage_dir() / stored).write_bytes(data)
    item = Attachment(filename="budget-detaille.pdf", stored_name=stored, content_type="application/pdf",
                      size=len(data), sha256=hashlib.sha256(data).hexdigest())
    proposal.attachments.append(item)
    db.session.flush()
    snapshot = db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == proposal.id))
    snapshot.content = {**snapshot.content, "attachments": [
        {"id": item.id, "filename": item.filename, "content_type": item.content_type, "size": item.size,
         "sha256": item.sha256}]}
    return item


def _selection_world(world: factories.World, *, own: Member, other: Member, committee_user: User,
                     secretariat: User) -> dict[str, Any]:
    """Issue 8's objects: a call in review (reviewers assigned, reviews submitted, a derived and a recorded
    conflict), a call whose decision is recorded and one whose decision is published."""
    version = builders.version(review_builders.criteria_content(), title="Règlement de sélection")
    review_call = builders.call(version, status=CallStatus.in_review, title="Appel en évaluation")
    reviewed = builders.proposal(review_call, own, title="Projet évalué")
    review_file = _submitted_file(reviewed)
    third = factories.member("Fédération tierce des jeunes", country="FR")
    conflicted = builders.proposal(review_call, third, title="Projet en conflit")
    free, linked = review_builders.committee(2, prefix="matrice")
    review_builders.review(reviewed, free, SCORES)
    review_builders.review(conflicted, free, SCORES, submitted=False)  # a draft it may go on saving
    # The committee member reviewed the first; it was assigned the second before its organisation was added
    # as a partner (a derived conflict): assigned, yet refused.
    review_builders.review(reviewed, committee_user, {"relevance": 3, "impact": 6, "partnership": 2})
    review_builders.assign(conflicted, committee_user)
    review_builders.partner_member(conflicted, other)
    recorded = conflicts.add(reviewed, member_id=linked.member_id, source=ConflictSource.recorded,
                             reason="Même fédération que le porteur", actor=secretariat)
    # A decided call: one proposal of each world member (the committee member's own is masked for it).
    decided_call = builders.call(version, status=CallStatus.in_review, title="Appel décidé")
    for lead in (own, other, third):
        review_builders.review(builders.proposal(decided_call, lead), free, SCORES)
    decision_builders.record(decided_call.id, published=False)
    # A published decision: the delegate's member leads the scene's first proposal.
    scene = decision_builders.scene(world)
    decision_builders.record(scene.call_id, published=True)
    return {"review_call_id": review_call.id, "review_proposal_id": reviewed.id,
            "conflicted_proposal_id": conflicted.id, "free_reviewer_email": free.email,
            "review_attachment_id": review_file.id, "conflict_id": recorded.id, "decided_call_id": decided_call.id, "outcome_id": scene.proposal_ids[0]}


@dataclass(frozen=True)
class GrantIds:
    """Issue 9's objects (built by ``grant_ids`` on top of the world, only for the cases that use them)."""

    grant_id: int  # active, led by the delegate's member
    grant_report_id: int  # its report 1: submitted by the delegate, with one attachment
    grant_attachment_id: int
    draft_report_id: int  # its report 2: a draft
    instalment_id: int  # its instalment 2, waiting on report 1's approval (instalment 1 is paid)
    entry_id: int  # the payment of instalment 1
    budget_amendment_id: int  # requested by the delegate, waiting for the secretariat
    draft_grant_id: int  # of the delegate's member, not signed yet
    closing_grant_id: int  # of the delegate's member, closing: every report approved, a refund to settle
    ungranted_proposal_id: int  # selected, no grant yet
    other_grant_id: int  # of a third member: the same objects, refused to the delegate and the alternate
    other_report_id: int
    other_attachment_id: int
    other_instalment_id: int
    other_entry_id: int
    other_amendment_id: int


def build_grant_ids(app: Flask, world: factories.World) -> GrantIds:
    """Issue 9's objects, all in one decided call: the delegate's member's active grant (paid, reported on,
    amended), its draft grant and its grant in closing, a selected proposal without a grant, and the same active
    grant for a third member (on top of ``build_ids``)."""
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(
            [world.emails[r] for r in ("delegate", "alternate", "secretariat")])))}
        delegate, alternate, secretariat = (users[world.emails[r]] for r in ("delegate", "alternate", "secretariat"))
        own = db.session.get(Member, world.member_id)
        call = builders.call(status=CallStatus.decided, title="Appel financé")

        def selected(lead: Member) -> Proposal:
            return grant_builders.selected_proposal(lead, call=call, amount="50000")[0]

        grant = grant_builders.grant(own, proposal=selected(own))
        payment = grant_builders.paid(grant, "20000")
        report_id, attachment_id = _submitted_report(grant, preparer=alternate, submitter=delegate)
        draft_report = next(r for r in grant.reports if r.number == 2)
        reports.draft_of(draft_report, actor=alternate)
        draft = grant_builders.grant(own, proposal=selected(own), status=GrantStatus.draft, partners=(),
                                     indicators=(), cofinancing=(), reports=(), instalments=None)
        closing = grant_builders.grant(own, proposal=selected(own), status=GrantStatus.closing, partners=(),
                                       indicators=(), cofinancing=(), reports=grant_builders.REPORTS[1:],
                                       instalments=(("50000", InstalmentCondition.on_signature, None),))
        grant_builders.version(closing.reports[0], status="approved")
        grant_builders.paid(closing, "20000")
        grant_builders.spent(closing, {"L1": "10000", "L2": "5000"})
        ungranted = selected(own)
        third = factories.member("Association d'un autre membre", country="TN", college_code="cs-tn")
        other = grant_builders.grant(third, proposal=selected(third), cofinancing=())
        other_payment = grant_builders.paid(other, "20000")
        # Nobody represents the third member: the secretariat stands in for the services (they check no role).
        other_report_id, other_attachment_id = _submitted_report(other, preparer=secretariat, submitter=secretariat)
        made = GrantIds(
            grant_id=grant.id, grant_report_id=report_id, grant_attachment_id=attachment_id,
            draft_report_id=draft_report.id, instalment_id=_instalment(grant, 2), entry_id=payment.id,
            budget_amendment_id=_amendment(grant, actor=delegate), draft_grant_id=draft.id,
            closing_grant_id=closing.id, ungranted_proposal_id=ungranted.id, other_grant_id=other.id,
            other_report_id=other_report_id, other_attachment_id=other_attachment_id,
            other_instalment_id=_instalment(other, 2), other_entry_id=other_payment.id,
            other_amendment_id=_amendment(other, actor=secretariat))
        db.session.commit()
        return made


def _instalment(grant: Grant, number: int) -> int:
    return next(i.id for i in grant.instalments if i.number == number)


def _submitted_report(grant: Grant, *, preparer: User, submitter: User) -> tuple[int, int]:
    """Report 1 written, with an invoice attached, and submitted through the services: (report id, attachment id)."""
    report = next(r for r in grant.reports if r.number == 1)
    reports.save_draft(report, reports.DraftContent(
        narrative={key: "Ce qui a été fait" for key in reports.sections_of(report)},
        expenditure={"L1": 800_000, "L2": 400_000}, indicators={str(i.id): "30" for i in grant.indicators}),
        actor=preparer)
    attachment = reports.add_attachment(report, actor=preparer, filename="factures.pdf", data=tiny_pdf())
    reports.submit(report, actor=submitter)
    return report.id, attachment.id


def _amendment(grant: Grant, *, actor: User) -> int:
    """1,000 € moved from line L1 to line L2, requested through the service (waiting for the secretariat)."""
    planned = {line.code: line.planned_cents for line in budget.current_version(grant).lines}
    lines = {"L1": planned["L1"] - 100_000, "L2": planned["L2"] + 100_000}
    return budget.request_amendment(grant, lines=lines, new_ends_on=None, reason="Plus d'ateliers", actor=actor).id


def _attr(ids: Ids, grants: GrantIds | None, name: str) -> Any:
    """An ``Ids`` field, or a ``GrantIds`` one (grants rules)."""
    if grants is not None and hasattr(grants, name):
        return getattr(grants, name)
    return getattr(ids, name)


def fill(rule: str, ids: Ids, use: dict[str, str] | None = None, grants: GrantIds | None = None) -> str:
    """The rule with its arguments replaced by objects of the world (``use``: see ``Row``; ``grants``: issue 9's
    objects for the grants rules)."""
    token = ids.reset_token if rule.startswith("/reset/") else ids.invitation_token
    values: dict[str, Any] = {"member_id": ids.member_id, "user_id": ids.alternate_id, "college_id": ids.college_id,
                              "version": 1, "token": token, "fmt": "csv", "assembly_id": ids.assembly_id,
                              "item_id": ids.item_id, "document_id": ids.document_id, "proxy_id": ids.proxy_id,
                              "resolution_id": ids.resolution_id, "vote_id": ids.vote_id,
                              "mandate_id": ids.mandate_id, "election_id": ids.election_id,
                              "candidacy_id": ids.candidacy_id, "rule_set_id": ids.rule_set_id, "number": 1,
                              "amendment_id": ids.amendment_id, "challenge_id": ids.challenge_id,
                              "call_id": ids.call_id, "proposal_id": ids.proposal_id, "section": "budget",
                              "line_id": ids.line_id, "attachment_id": ids.attachment_id,
                              "conflict_id": ids.conflict_id}
    if grants is not None:
        values.update({"grant_id": grants.grant_id, "report_id": grants.grant_report_id,
                       "instalment_id": grants.instalment_id, "entry_id": grants.entry_id})
    values.update({name: _attr(ids, grants, attr) for name, attr in (use or {}).items()})

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"no value for <{name}> in {rule}: add it to fill()"
        return str(values[name])

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", one, rule)


def with_query(url: str, ids: Ids, query: dict[str, str], grants: GrantIds | None = None) -> str:
    """``url`` with the query-string arguments of ``Row.query`` filled from ``ids`` (or ``grants``)."""
    if not query:
        return url
    return url + "?" + "&".join(f"{name}={_attr(ids, grants, attr)}" for name, attr in query.items())


def email_of(world: factories.World, role: str) -> str:
    """The committee member is the other member's delegate (its member holds a seat in ``ids``)."""
    return world.emails["other_delegate" if role == "committee" else role]
