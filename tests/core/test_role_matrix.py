"""Role × route matrix: every rule of ``app.url_map`` tried as every role.

``EXPECTED`` lists, for each URL rule, which roles may GET it and which may
POST to it. A role that may gets 200 (or a redirect that is not to the login
page); a signed-in role that may not gets 403; an anonymous visitor who may
not is sent to ``/login?next=<the page>``. A rule present in ``url_map`` but
missing from ``EXPECTED`` fails ``test_every_rule_is_in_the_matrix``: a new
route must say here who may use it.

POSTs carry no valid form (CSRF is off in tests, but the forms are empty), so
they show who gets *through the permission check* without changing anything
the next request relies on; each case starts from a fresh ``world``.

The ``committee`` role is tried as the delegate of the world's other member,
which holds a current elected seat (the role is derived from that mandate).
The world's proposals are led by the delegate's member, so the committee
member is also "a delegate of another member" on them: refused.

Grants (issue 9): the world's grant is led by the delegate's member (its
delegate and alternate are the grantee); the committee member reads it as
the portfolio (reports, budget, indicators), never its attachments. A grant of
a third member is refused to the delegate and the alternate on every route,
GET and POST: ``test_a_grantee_is_refused_on_another_members_grant``. Only
the cases of the grants rules build these objects (``grant_ids``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.auth.models import User
from app.calls import attachments, conflicts, rulesets
from app.calls.models import (
    Amendment,
    AmendmentStatus,
    AmendmentSupport,
    Attachment,
    BudgetLine,
    Proposal,
    ProposalSnapshot,
    ProposalStatus,
    RuleSet,
)
from app.calls.selection_models import Review, ReviewComment
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from app.grants.models import BudgetAmendment, Grant, LedgerEntry, ReportVersion
from app.grants.models import ReportAttachment as GrantAttachment
from app.members.models import Charter, CharterSignature, Member
from tests import factories
from tests.calls import review_builders, ruleset_helpers
from tests.calls.test_attachments import tiny_pdf
from tests.conftest import login
from tests.role_world import GrantIds, Ids, build_grant_ids, build_ids, email_of, fill, with_query

__all__ = ["GrantIds", "Ids", "email_of", "fill", "with_query"]  # used by other tests from here

ROLES = ("anonymous", "delegate", "alternate", "committee", "ex_officio", "secretariat")
SIGNED_IN = frozenset({"delegate", "alternate", "committee", "ex_officio", "secretariat"})
EVERYONE = SIGNED_IN | {"anonymous"}
SECRETARIAT = frozenset({"secretariat"})
REPRESENTATIVES = frozenset({"delegate", "alternate", "committee"})
DELEGATES = frozenset({"delegate", "committee"})  # the committee member is its member's delegate
NOBODY: frozenset[str] = frozenset()
COMMITTEE = frozenset({"committee"})
COMMITTEE_OR_SECRETARIAT = frozenset({"committee", "secretariat"})
# The world's proposals are led by the delegate's member: its representatives, and the secretariat read-only.
PROPOSAL_READERS = frozenset({"delegate", "alternate", "secretariat"})
PROPOSAL_EDITORS = frozenset({"delegate", "alternate"})
LEAD_DELEGATE = frozenset({"delegate"})
# Grants: the world's grant is the delegate's member's (grant.view at object level); the committee member and
# the ex-officio member read the portfolio (reports, budget, indicators), never a grantee's attachments.
GRANTEE = frozenset({"delegate", "alternate"})
GRANT_READERS = frozenset({"delegate", "alternate", "secretariat"})
GRANT_LISTERS = frozenset({"delegate", "alternate", "committee", "secretariat"})  # grant.view: their own grants
PORTFOLIO = frozenset({"committee", "ex_officio", "secretariat"})
REFUSED_FORM = frozenset({422})  # an allowed POST of an empty form: refused at its fields, nothing saved


@dataclass(frozen=True)
class Row:
    """Who may use one URL rule.

    ``get``/``post``: roles allowed (None when the rule has no such method).
    ``get_ok``/``post_ok``: statuses an allowed role may see besides a redirect
    that is not to the login page. ``post_location``: for allowed POSTs whose
    redirect target is known (logout goes to the login page on purpose).
    ``use``: URL arguments filled from another ``Ids`` (or, for the grants rules, ``GrantIds``) field than
    their name (e.g. ``{"call_id": "draft_call_id"}``: the page of a call in another state).
    ``post_endpoint``/``post_use``: when the POST of the same path is another view (``/calls/<id>/decision``:
    GET reads the record, POST records it), its endpoint and its own URL arguments (else those of GET).
    ``query``: query-string arguments filled from ``Ids`` fields (``/grants/new?proposal=<id>``).
    """

    endpoint: str
    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    get_ok: frozenset[int] = frozenset({200})
    post_ok: frozenset[int] = frozenset({200})
    post_data: dict[str, str] = field(default_factory=dict)
    post_location: str | None = None
    get_redirect_ok: bool = False
    use: dict[str, str] = field(default_factory=dict)
    post_endpoint: str | None = None
    post_use: dict[str, str] | None = None
    query: dict[str, str] = field(default_factory=dict)


EXPECTED: dict[str, Row] = {
    # core
    "/": Row("core.home", get=SIGNED_IN),
    "/language": Row("core.set_language", post=EVERYONE, post_data={"locale": "en", "next": "/members"}),
    "/audit": Row("core.audit_log", get=SECRETARIAT),
    "/audit/key": Row("core.audit_key", get=EVERYONE),
    "/outbox": Row("core.outbox", get=SECRETARIAT),
    # auth (public pages; a signed-in visitor of /login is sent home)
    "/login": Row("auth.login", get=EVERYONE, post=EVERYONE, get_redirect_ok=True),
    "/logout": Row("auth.logout", post=EVERYONE, post_location="/login"),
    "/forgot-password": Row("auth.forgot_password", get=EVERYONE, post=EVERYONE),
    # e-mailed links: the page takes the code by POST; the older links with the code in the path move it into
    # the session and redirect to the page at once
    "/invitation": Row("auth.invitation", get=EVERYONE, post=EVERYONE),
    "/invitation/<token>": Row("auth.accept_invitation", get=EVERYONE, post=EVERYONE, get_redirect_ok=True),
    "/reset": Row("auth.reset", get=EVERYONE, post=EVERYONE),
    "/reset/<token>": Row("auth.reset_password", get=EVERYONE, post=EVERYONE, get_redirect_ok=True),
    # the account page: every signed-in person, for their own account only
    "/account": Row("account.show", get=SIGNED_IN),
    "/account/language": Row("account.language", post=SIGNED_IN, post_data={"locale": "en"}),
    "/account/password": Row("account.change_password", get=SIGNED_IN, post=SIGNED_IN),
    "/account/sign-out-everywhere": Row("account.sign_out_everywhere", get=SIGNED_IN, post=SIGNED_IN),
    # member register
    "/members": Row("members.directory", get=SIGNED_IN),
    "/members/new": Row("members.create", get=SECRETARIAT, post=SECRETARIAT),
    "/members/<int:member_id>": Row("members.detail", get=SIGNED_IN),
    "/members/<int:member_id>/edit": Row("members.edit", get=SECRETARIAT, post=SECRETARIAT),
    "/members/<int:member_id>/status": Row("members.change_status", get=SECRETARIAT, post=SECRETARIAT),
    "/members/<int:member_id>/representatives/invite": Row("representatives.invite", get=SECRETARIAT, post=SECRETARIAT),
    "/members/<int:member_id>/representatives/<int:user_id>/delegate": Row(
        "representatives.make_delegate", get=SECRETARIAT, post=SECRETARIAT),
    "/members/<int:member_id>/representatives/<int:user_id>/remove": Row(
        "representatives.remove_representative", get=SECRETARIAT, post=SECRETARIAT),
    "/members/<int:member_id>/representatives/<int:user_id>/resend": Row(
        "representatives.resend_invitation", post=SECRETARIAT),
    "/colleges": Row("members.colleges", get=SECRETARIAT),
    "/colleges/new": Row("members.edit_college", get=SECRETARIAT, post=SECRETARIAT),
    "/colleges/<int:college_id>/edit": Row("members.edit_college", get=SECRETARIAT, post=SECRETARIAT),
    # charter: every signed-in user reads it; signing is checked on the member (see below)
    "/charter": Row("members.charter", get=SIGNED_IN, post=SIGNED_IN),
    "/charter/<int:version>": Row("members.charter_version", get=SIGNED_IN),
    "/charter/publish": Row("members.publish_charter", get=SECRETARIAT, post=SECRETARIAT),
    # import (secretariat) and export (everyone signed in)
    "/members/import": Row("members.import_members", get=SECRETARIAT, post=SECRETARIAT,
                           post_ok=frozenset({200, 422})),
    "/members/import/preview": Row("members.import_preview", get=SECRETARIAT, get_redirect_ok=True),
    "/members/import/confirm": Row("members.import_confirm", post=SECRETARIAT,
                                   post_data={"token": "nothing-pending"}),
    "/members/import/cancel": Row("members.import_cancel", post=SECRETARIAT),
    "/members/import/template.csv": Row("members.import_template", get=SECRETARIAT),
    "/members/export.<fmt>": Row("members.export", get=SIGNED_IN),
    # plenary assembly (the world's assembly is convened; its vote is open)
    "/assemblies": Row("assembly.index", get=SIGNED_IN),
    "/assemblies/new": Row("assembly.create", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>": Row("assembly.detail", get=SIGNED_IN),
    "/assemblies/<int:assembly_id>/edit": Row("assembly.edit", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/convene": Row("assembly.convene", get=SECRETARIAT, post=SECRETARIAT,
                                                           get_redirect_ok=True),
    "/assemblies/<int:assembly_id>/close": Row("assembly.close", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/agenda/new": Row("assembly.add_item", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/agenda/<int:item_id>/move": Row(
        "assembly.move_item", post=SECRETARIAT, post_data={"direction": "down"}),
    "/assemblies/<int:assembly_id>/agenda/<int:item_id>/remove": Row(
        "assembly.remove_item", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/agenda/<int:item_id>/edit": Row(
        "assembly.edit_item", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/documents/new": Row("assembly.upload_document", get=SECRETARIAT,
                                                         post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/documents/<int:document_id>": Row("assembly.download_document", get=SIGNED_IN),
    "/assemblies/<int:assembly_id>/documents/<int:document_id>/edit": Row(
        "assembly.edit_document", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/presence": Row("assembly.presence", get=SECRETARIAT, post=SECRETARIAT,
                                                  post_ok=frozenset({200, 422}), post_data={"bulk": "present"}),
    "/assemblies/<int:assembly_id>/record": Row("assembly.record_sitting", get=SECRETARIAT, post=SECRETARIAT,
                                                get_redirect_ok=True),
    "/assemblies/<int:assembly_id>/attend": Row("assembly.attend", post=REPRESENTATIVES),
    # the proxy of the delegate's own member: its delegate and the secretariat
    "/assemblies/<int:assembly_id>/members/<int:member_id>/proxy": Row(
        "assembly.give_proxy", get=frozenset({"delegate", "secretariat"}),
        post=frozenset({"delegate", "secretariat"}), post_ok=frozenset({200, 422})),
    "/assemblies/<int:assembly_id>/proxies/<int:proxy_id>/revoke": Row(
        "assembly.revoke_proxy", post=frozenset({"delegate", "secretariat"})),
    "/assemblies/<int:assembly_id>/items/<int:item_id>/resolutions/new": Row(
        "assembly.new_resolution", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/resolutions/<int:resolution_id>/edit": Row(
        "assembly.edit_resolution", get=SECRETARIAT, post=SECRETARIAT),
    "/assemblies/<int:assembly_id>/minutes": Row("minutes.preview", get=SIGNED_IN),
    "/assemblies/<int:assembly_id>/minutes.pdf": Row("minutes.pdf", get=SIGNED_IN),
    # votes: representatives cast, the secretariat opens and closes, everyone reads the board
    "/votes/<int:vote_id>": Row("votes.ballot", get=SIGNED_IN),
    "/votes/<int:vote_id>/turnout.json": Row("votes.turnout", get=SIGNED_IN),
    "/votes/<int:vote_id>/confirm": Row("votes.confirm", post=REPRESENTATIVES, post_ok=frozenset({200, 422})),
    "/votes/<int:vote_id>/cast": Row("votes.cast", post=REPRESENTATIVES),
    "/votes/<int:vote_id>/open": Row("votes.open_vote", get=SECRETARIAT, post=SECRETARIAT),
    "/votes/<int:vote_id>/close": Row("votes.close_vote", get=SECRETARIAT, post=SECRETARIAT),
    "/votes/<int:vote_id>/remind": Row("votes.remind", post=SECRETARIAT),
    "/votes/<int:vote_id>/results": Row("board.results", get=SIGNED_IN),
    "/votes/<int:vote_id>/board": Row("board.board", get=EVERYONE, post=EVERYONE, post_ok=frozenset({200, 422})),
    "/votes/<int:vote_id>/board.json": Row("board.board_json", get=EVERYONE, get_ok=frozenset({200, 409})),
    # steering committee (an appointed seat that has not ended)
    "/committee": Row("committee.index", get=SIGNED_IN),
    "/committee/appoint": Row("committee.appoint", get=SECRETARIAT, post=SECRETARIAT),
    "/committee/mandates/<int:mandate_id>/end": Row("committee.end_mandate", get=SECRETARIAT, post=SECRETARIAT),
    "/committee/mandates/<int:mandate_id>/chair": Row("committee.designate_chair", post=SECRETARIAT),
    # elections (candidacy window open, vote pending; the other member has declared its candidacy)
    "/elections": Row("elections.index", get=SIGNED_IN),
    "/elections/new": Row("elections.create", get=SECRETARIAT, post=SECRETARIAT),
    "/elections/<int:election_id>": Row("elections.detail", get=SIGNED_IN),
    "/elections/<int:election_id>/edit": Row("elections.edit", get=SECRETARIAT, post=SECRETARIAT),
    # a delegate declares for its own member; the committee member's member already stood (redirect)
    "/elections/<int:election_id>/candidacy": Row("elections.declare", get=DELEGATES, post=DELEGATES,
                                                  get_redirect_ok=True),
    "/elections/<int:election_id>/candidacies/<int:candidacy_id>/decide": Row("elections.decide",
                                                                              post=SECRETARIAT),
    "/elections/<int:election_id>/open": Row("elections.open_voting", get=SECRETARIAT, post=SECRETARIAT),
    "/elections/<int:election_id>/results": Row("elections.results", get=SIGNED_IN),
    "/elections/<int:election_id>/proclamation.pdf": Row("elections.proclamation", get=SIGNED_IN,
                                                         get_redirect_ok=True),
    # rule sets (head: a draft version 1; the committee member has proposed one amendment)
    "/rulesets": Row("rulesets.index", get=SIGNED_IN),
    "/rulesets/new": Row("rulesets.create", get=COMMITTEE_OR_SECRETARIAT, post=COMMITTEE_OR_SECRETARIAT,
                         post_ok=REFUSED_FORM),
    "/rulesets/<int:rule_set_id>": Row("rulesets.detail", get=SIGNED_IN),
    "/rulesets/<int:rule_set_id>/versions/<int:number>": Row("rulesets.version", get=SIGNED_IN),
    "/rulesets/<int:rule_set_id>/history": Row("rulesets.history", get=SIGNED_IN),
    "/rulesets/<int:rule_set_id>/amendments/new": Row("rulesets.propose", get=COMMITTEE, post=COMMITTEE,
                                                      post_ok=REFUSED_FORM),
    "/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>": Row("rulesets.amendment", get=SIGNED_IN),
    "/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/comment": Row(
        "rulesets.comment", post=COMMITTEE_OR_SECRETARIAT, post_ok=REFUSED_FORM),
    # its own member's amendment: the committee member is told it cannot support it (a redirect)
    "/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/support": Row("rulesets.support", post=COMMITTEE),
    # rebase and withdraw: the committee member who proposed it (object-level check)
    "/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/rebase": Row(
        "rulesets.rebase", get=COMMITTEE, post=COMMITTEE, post_ok=REFUSED_FORM),
    "/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/withdraw": Row("rulesets.withdraw", post=COMMITTEE),
    "/rulesets/<int:rule_set_id>/amendments/<int:amendment_id>/decide": Row(
        "rulesets.decide", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM),
    "/rulesets/<int:rule_set_id>/freeze": Row("rulesets.freeze", get=SECRETARIAT, post=SECRETARIAT,
                                              post_ok=REFUSED_FORM),
    # calls: members read opened calls; the secretariat sets them up and moves them on
    "/calls": Row("calls.index", get=SIGNED_IN),
    "/calls/new": Row("calls.create", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM),
    "/calls/<int:call_id>": Row("calls.detail", get=SIGNED_IN),
    "/calls/<int:call_id>/edit": Row("calls.edit", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM,
                                     use={"call_id": "draft_call_id"}),
    "/calls/<int:call_id>/open": Row("calls.open_call", get=SECRETARIAT, post=SECRETARIAT,
                                     use={"call_id": "draft_call_id"}),
    "/calls/<int:call_id>/close": Row("calls.close_call", get=SECRETARIAT, post=SECRETARIAT),
    "/calls/<int:call_id>/advance": Row("calls.advance", get=SECRETARIAT, post=SECRETARIAT,
                                        use={"call_id": "closed_call_id"}),
    "/challenges": Row("calls.challenges", get=SECRETARIAT),
    "/challenges/new": Row("calls.create_challenge", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM),
    "/challenges/<int:challenge_id>/edit": Row("calls.edit_challenge", get=SECRETARIAT, post=SECRETARIAT,
                                               post_ok=REFUSED_FORM),
    # proposals (a draft of the delegate's member with one budget line and one attachment; a submitted one)
    # starting: the delegate goes back to its member's draft, the committee member starts its own member's
    "/calls/<int:call_id>/proposals/new": Row("proposals.new", post=DELEGATES),
    "/proposals/<int:proposal_id>": Row("proposals.detail", get=PROPOSAL_READERS),
    "/proposals/<int:proposal_id>/sections/<section>": Row("proposals.section", get=PROPOSAL_READERS,
                                                          post=PROPOSAL_EDITORS, post_ok=REFUSED_FORM),
    "/proposals/<int:proposal_id>/sections/<section>/lines/<int:line_id>/remove": Row(
        "proposals.remove_line", post=PROPOSAL_EDITORS),
    "/proposals/<int:proposal_id>/attachments/<int:attachment_id>": Row("proposals.attachment",
                                                                        get=PROPOSAL_READERS),
    "/proposals/<int:proposal_id>/check": Row("proposals.check", get=PROPOSAL_READERS),
    "/proposals/<int:proposal_id>/review": Row("proposals.review", get=PROPOSAL_READERS),
    # the draft fails a rule (its member has not signed the charter): submission refused, nothing saved
    "/proposals/<int:proposal_id>/submit": Row("proposals.submit", post=LEAD_DELEGATE, post_ok=REFUSED_FORM),
    "/proposals/<int:proposal_id>/submitted": Row("proposals.submitted", get=PROPOSAL_READERS,
                                                  use={"proposal_id": "submitted_id"}),
    "/proposals/<int:proposal_id>/withdraw": Row("proposals.withdraw", get=LEAD_DELEGATE, post=LEAD_DELEGATE,
                                                 use={"proposal_id": "submitted_id"}),
    "/proposals/<int:proposal_id>/snapshots/<int:number>": Row("proposals.snapshot", get=PROPOSAL_READERS,
                                                               use={"proposal_id": "submitted_id"}),
    # instruction (secretariat) and the public pages of a published call (everyone)
    "/calls/<int:call_id>/proposals": Row("instruction.proposal_list", get=SECRETARIAT),
    "/calls/<int:call_id>/proposals/export.<fmt>": Row("instruction.export", get=SECRETARIAT),
    "/proposals/<int:proposal_id>/instruction": Row("instruction.instruct", get=SECRETARIAT, post=SECRETARIAT,
                                                    post_ok=REFUSED_FORM, use={"proposal_id": "submitted_id"}),
    "/public/calls": Row("public_calls.index", get=EVERYONE),
    "/public/calls/<int:call_id>": Row("public_calls.detail", get=EVERYONE, use={"call_id": "published_call_id"}),
    # selection: reviews (issue 8). The review call is in review; its proposal is led by the delegate's member
    # and reviewed by the committee member (assigned, review submitted, not conflicted: see the conflict tests
    # below for the proposal it is conflicted with); a recorded conflict for the withdraw route.
    "/calls/<int:call_id>/reviewers": Row("reviews.assignments", get=SECRETARIAT, post=SECRETARIAT,
                                          post_ok=REFUSED_FORM, use={"call_id": "review_call_id"}),
    "/calls/<int:call_id>/reviewers/suggestion": Row("reviews.suggestion", get=SECRETARIAT, post=SECRETARIAT,
                                                     use={"call_id": "review_call_id"}),
    "/calls/<int:call_id>/reviewers/notify": Row("reviews.notify", post=SECRETARIAT,
                                                 use={"call_id": "review_call_id"}),
    "/calls/<int:call_id>/conflicts": Row("reviews.conflicts", get=SECRETARIAT, post=SECRETARIAT,
                                          post_ok=REFUSED_FORM, use={"call_id": "review_call_id"}),
    "/conflicts/<int:conflict_id>/withdraw": Row("reviews.withdraw_conflict", post=SECRETARIAT),
    "/reviews": Row("reviews.mine", get=COMMITTEE),
    "/proposals/<int:proposal_id>/my-review": Row("reviews.edit", get=COMMITTEE, post=COMMITTEE,
                                                  post_ok=REFUSED_FORM, use={"proposal_id": "review_proposal_id"}),
    "/proposals/<int:proposal_id>/my-review/reopen": Row("reviews.reopen", post=COMMITTEE,
                                                         use={"proposal_id": "review_proposal_id"}),
    "/proposals/<int:proposal_id>/conflict": Row("reviews.declare", get=COMMITTEE, post=COMMITTEE,
                                                 post_ok=REFUSED_FORM, use={"proposal_id": "review_proposal_id"}),
    "/proposals/<int:proposal_id>/reviews": Row("reviews.proposal", get=COMMITTEE_OR_SECRETARIAT,
                                                use={"proposal_id": "review_proposal_id"}),
    "/proposals/<int:proposal_id>/reviews/attachments/<int:attachment_id>": Row(
        "reviews.attachment", get=COMMITTEE_OR_SECRETARIAT,
        use={"proposal_id": "review_proposal_id", "attachment_id": "review_attachment_id"}),
    "/proposals/<int:proposal_id>/discussion": Row("reviews.comment", post=COMMITTEE_OR_SECRETARIAT,
                                                   post_ok=REFUSED_FORM, use={"proposal_id": "review_proposal_id"}),
    # selection: the ranking, the trial allocation and the decision (the secretariat records the committee's)
    "/calls/<int:call_id>/selection/settings": Row("selection.settings", get=SECRETARIAT, post=SECRETARIAT,
                                                   post_ok=REFUSED_FORM, use={"call_id": "review_call_id"}),
    "/calls/<int:call_id>/ranking": Row("selection.ranking", get=COMMITTEE_OR_SECRETARIAT,
                                        use={"call_id": "review_call_id"}),
    "/calls/<int:call_id>/allocation": Row("selection.trial", get=COMMITTEE_OR_SECRETARIAT,
                                           use={"call_id": "review_call_id"}),
    # GET: the decided call's record; POST (another view): recording the review call's decision
    "/calls/<int:call_id>/decision": Row("selection.decision", get=COMMITTEE_OR_SECRETARIAT, post=SECRETARIAT,
                                         post_endpoint="selection.decide", post_ok=REFUSED_FORM,
                                         use={"call_id": "decided_call_id"}, post_use={"call_id": "review_call_id"}),
    "/calls/<int:call_id>/decision/publish": Row("selection.publish", get=SECRETARIAT, post=SECRETARIAT,
                                                 use={"call_id": "decided_call_id"}),
    # what applicants and the record get: the outcome of the delegate's member's proposal (published), the
    # report and exports of the decided call
    "/proposals/<int:proposal_id>/outcome": Row("decisions.outcome", get=PROPOSAL_READERS,
                                                use={"proposal_id": "outcome_id"}),
    "/proposals/<int:proposal_id>/outcome/letter.pdf": Row("decisions.letter", get=PROPOSAL_READERS,
                                                           use={"proposal_id": "outcome_id"}),
    "/calls/<int:call_id>/selection-report.pdf": Row("decisions.report", get=COMMITTEE_OR_SECRETARIAT,
                                                     use={"call_id": "decided_call_id"}),
    "/calls/<int:call_id>/selection-export.<fmt>": Row("decisions.export", get=COMMITTEE_OR_SECRETARIAT,
                                                       use={"call_id": "decided_call_id"}),
    # grants (issue 9). The grant: active, led by the delegate's member; instalment 1 paid, 2 waiting on report 1
    # (submitted, one attachment), report 2 a draft, a budget amendment requested; a draft grant; a grant in
    # closing (every report approved); a selected proposal without a grant. The committee member holds grant.view
    # as its own member's delegate (its own grants: none), portfolio.view as a committee member.
    "/grants": Row("grants.index", get=GRANT_LISTERS),
    "/grants/new": Row("grants.new", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM,
                       query={"proposal": "ungranted_proposal_id"}),
    "/grants/<int:grant_id>": Row("grants.detail", get=GRANT_READERS),
    "/grants/<int:grant_id>/edit": Row("grants.edit", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM,
                                       use={"grant_id": "draft_grant_id"}),
    "/grants/<int:grant_id>/agreement.pdf": Row("grants.agreement", get=GRANT_READERS),
    # the active grant's schedule is shown, no longer changed: a POST is sent back to the grant
    "/grants/<int:grant_id>/instalments": Row("grants.schedule", get=SECRETARIAT, post=SECRETARIAT),
    "/grants/<int:grant_id>/instalments/<int:instalment_id>/release": Row(
        "grants.release", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM),
    "/grants/<int:grant_id>/sign": Row("grants.sign", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM,
                                       use={"grant_id": "draft_grant_id"}),
    "/grants/<int:grant_id>/status": Row("grants.status", get=SECRETARIAT, post=SECRETARIAT, post_ok=REFUSED_FORM),
    "/grants/<int:grant_id>/disbursements": Row("grants.disbursements", get=SECRETARIAT, post=SECRETARIAT,
                                                post_ok=REFUSED_FORM),
    "/grants/<int:grant_id>/ledger/<int:entry_id>/reverse": Row("grants.reverse", get=SECRETARIAT,
                                                                post=SECRETARIAT, post_ok=REFUSED_FORM),
    # reports, budget, indicators: the grantee and the portfolio's readers; the secretariat schedules and reviews
    "/grants/<int:grant_id>/reports": Row("grant_reports.index", get=SIGNED_IN),
    "/grants/<int:grant_id>/reports/schedule": Row("grant_reports.schedule", get=SECRETARIAT, post=SECRETARIAT,
                                                   post_ok=REFUSED_FORM),
    "/grants/<int:grant_id>/reports/<int:report_id>": Row("grant_reports.report", get=SIGNED_IN),
    # the draft report: its representatives write it (an empty POST saves an empty draft), its delegate submits
    "/grants/<int:grant_id>/reports/<int:report_id>/edit": Row("grant_reports.edit", get=GRANTEE, post=GRANTEE,
                                                               use={"report_id": "draft_report_id"}),
    "/grants/<int:grant_id>/reports/<int:report_id>/attachments": Row(
        "grant_reports.upload", post=GRANTEE, post_ok=REFUSED_FORM, use={"report_id": "draft_report_id"}),
    "/grants/<int:grant_id>/reports/<int:report_id>/attachments/<int:attachment_id>": Row(
        "grant_reports.attachment", get=GRANT_READERS, use={"attachment_id": "grant_attachment_id"}),
    # the submitted report's file: its representatives get through, the service refuses (sent back to the report)
    "/grants/<int:grant_id>/reports/<int:report_id>/attachments/<int:attachment_id>/remove": Row(
        "grant_reports.remove_attachment", post=GRANTEE, use={"attachment_id": "grant_attachment_id"}),
    "/grants/<int:grant_id>/reports/<int:report_id>/submit": Row(
        "grant_reports.submit", get=LEAD_DELEGATE, post=LEAD_DELEGATE, post_ok=REFUSED_FORM,
        use={"report_id": "draft_report_id"}),
    "/grants/<int:grant_id>/reports/<int:report_id>/review": Row("grant_reports.review", get=SECRETARIAT,
                                                                 post=SECRETARIAT, post_ok=REFUSED_FORM),
    "/grants/<int:grant_id>/budget": Row("grant_reports.budget", get=SIGNED_IN),
    # a request is already waiting: its representatives are sent back to the budget page
    "/grants/<int:grant_id>/budget/amend": Row("grant_reports.amend", get=GRANTEE, post=GRANTEE,
                                               get_redirect_ok=True),
    "/grants/<int:grant_id>/budget/amendments/<int:amendment_id>": Row(
        "grant_reports.decide_amendment", get=SIGNED_IN, post=SECRETARIAT, post_ok=REFUSED_FORM,
        use={"amendment_id": "budget_amendment_id"}),
    "/grants/<int:grant_id>/indicators": Row("grant_reports.indicators", get=SIGNED_IN),
    # which side of the partnership each indicator measures: the secretariat (an empty form changes nothing)
    "/grants/<int:grant_id>/indicators/sides": Row("grant_reports.indicator_sides", post=SECRETARIAT),
    # dashboards, exports, closure (the secretariat's /grants/mine sends it to its dashboard)
    "/grants/dashboard": Row("grant_dashboards.secretariat", get=SECRETARIAT),
    "/grants/mine": Row("grant_dashboards.mine", get=GRANT_LISTERS, get_redirect_ok=True),
    "/grants/portfolio": Row("grant_dashboards.portfolio", get=PORTFOLIO),
    "/grants/export.<fmt>": Row("grant_dashboards.export", get=SECRETARIAT),
    "/grants/360giving.<fmt>": Row("grant_dashboards.giving", get=SECRETARIAT),
    "/grants/iati.xml": Row("grant_dashboards.iati", get=SECRETARIAT),
    "/grants/<int:grant_id>/closing": Row("grant_dashboards.closing", get=SECRETARIAT, post=SECRETARIAT,
                                          post_ok=REFUSED_FORM, use={"grant_id": "closing_grant_id"}),
    "/grants/<int:grant_id>/closing-statement.pdf": Row("grant_dashboards.statement", get=GRANT_READERS,
                                                        use={"grant_id": "closing_grant_id"}),
}

#: Rules still being written elsewhere: a 404 from an allowed role is tolerated (xfail) until they land.
PENDING: set[str] = set()


@pytest.fixture
def ids(app: Flask, world: factories.World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ids:
    monkeypatch.setitem(app.config, "CALLS_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return build_ids(app, world)


@pytest.fixture
def grant_ids(app: Flask, world: factories.World, ids: Ids, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> GrantIds:
    """Issue 9's objects (see ``build_grant_ids``). Built once per world, only where a case needs it (the matrix
    is long)."""
    monkeypatch.setitem(app.config, "GRANTS_ATTACHMENTS_DIR", str(tmp_path / "grant-attachments"))
    return build_grant_ids(app, world)


def _location_path(response: TestResponse) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def _check(response: TestResponse, *, method: str, url: str, role: str, allowed: bool, ok: frozenset[int],
           redirect_ok: bool, expected_location: str | None) -> None:
    where = f"{method} {url} as {role}: got {response.status_code} {response.headers.get('Location', '')}"
    if allowed:
        if expected_location is not None:
            assert response.status_code == 302 and _location_path(response) == expected_location, where
            return
        if response.status_code in ok:
            return
        assert response.status_code == 302 and redirect_ok, where
        assert _location_path(response) != "/login", where
        return
    if role == "anonymous":
        assert response.status_code == 302, where
        location = urlsplit(response.headers["Location"])
        assert location.path == "/login", where
        asked = urlsplit(url)
        assert parse_qs(location.query).get("next") == [asked.path + (f"?{asked.query}" if asked.query else "")], where
        return
    assert response.status_code == 403, where


CASES = [(rule, role) for rule in EXPECTED for role in ROLES]


def is_grants_rule(rule: str) -> bool:
    """Rules whose cases build issue 9's objects (``grant_ids``)."""
    return rule == "/grants" or rule.startswith("/grants/")


@pytest.mark.parametrize(("rule", "role"), CASES, ids=[f"{role}:{rule}" for rule, role in CASES])
def test_matrix(request: pytest.FixtureRequest, client: FlaskClient, world: factories.World, ids: Ids, rule: str,
                role: str) -> None:
    row = EXPECTED[rule]
    grants = request.getfixturevalue("grant_ids") if is_grants_rule(rule) else None
    url = with_query(fill(rule, ids, row.use, grants), ids, row.query, grants)
    if role != "anonymous":
        login(client, email_of(world, role))
    if row.get is not None:
        response = client.get(url)
        if rule in PENDING and response.status_code == 404:
            pytest.xfail(f"{rule} is not written yet")
        _check(response, method="GET", url=url, role=role, allowed=role in row.get, ok=row.get_ok,
               redirect_ok=row.get_redirect_ok, expected_location=None)
    if row.post is not None:
        if row.post_use is not None:
            url = with_query(fill(rule, ids, row.post_use, grants), ids, row.query, grants)
        response = client.post(url, data=row.post_data)
        if rule in PENDING and response.status_code == 404:
            pytest.xfail(f"{rule} is not written yet")
        # A signed-in role posting to a public auth page is sent home: a redirect, not a refusal.
        _check(response, method="POST", url=url, role=role, allowed=role in row.post, ok=row.post_ok,
               redirect_ok=True, expected_location=row.post_location)


def test_every_rule_is_in_the_matrix(app: Flask) -> None:
    """A new route must be added to EXPECTED; EXPECTED must match the methods each rule accepts."""
    rules: dict[str, list[Any]] = {}
    for r in app.url_map.iter_rules():
        if r.endpoint != "static":
            rules.setdefault(r.rule, []).append(r)  # one path may have a view per method
    missing = sorted(set(rules) - set(EXPECTED))
    assert not missing, f"routes missing from the role matrix EXPECTED: {missing}"
    gone = sorted(set(EXPECTED) - set(rules) - PENDING)
    assert not gone, f"EXPECTED lists routes that no longer exist: {gone}"
    for path, same_path in rules.items():
        row = EXPECTED[path]
        methods: set[str] = set()
        for rule in same_path:
            methods |= rule.methods or set()
            if "GET" in (rule.methods or set()):
                assert row.endpoint == rule.endpoint, path
            if "POST" in (rule.methods or set()):
                assert (row.post_endpoint or row.endpoint) == rule.endpoint, f"{path} (POST)"
        assert ("GET" in methods) == (row.get is not None), f"{path}: GET in EXPECTED does not match the route"
        assert ("POST" in methods) == (row.post is not None), f"{path}: POST in EXPECTED does not match the route"
        assert not (methods - {"GET", "HEAD", "OPTIONS", "POST"}), f"{path}: add {methods} to the matrix"


def test_roles_cover_every_role() -> None:
    from app.core.permissions import Role

    assert set(ROLES) == {r.value for r in Role}


# Object-level checks that the matrix cannot see --------------------------------------


@pytest.mark.parametrize("role", ["alternate", "ex_officio", "secretariat"])
def test_only_a_delegate_signs_the_charter(app: Flask, client: FlaskClient, world: factories.World,
                                           role: str) -> None:
    """POST /charter is open to every signed-in user (it is the charter page); signing is not."""
    login(client, email_of(world, role))
    response = client.post("/charter", data={"agree": "y"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalars(select(CharterSignature)).all() == []


@pytest.mark.parametrize(("role", "member_attr"), [("delegate", "member_id"), ("other_delegate", "other_member_id")])
def test_a_delegate_signs_for_their_own_member_only(app: Flask, client: FlaskClient, world: factories.World,
                                                    role: str, member_attr: str) -> None:
    login(client, email_of(world, role))
    assert client.post("/charter", data={"agree": "y"}).status_code == 302
    with app.app_context():
        signed = [s.member_id for s in db.session.scalars(select(CharterSignature))]
        assert signed == [getattr(world, member_attr)]


def test_contacts_are_shown_to_the_secretariat_only(app: Flask, client: FlaskClient,
                                                    world: factories.World) -> None:
    with app.app_context():
        db.session.get(Member, world.member_id).phone = "+216 71 000 111"
        db.session.commit()
    for role in ROLES[1:]:
        client.post("/logout")
        login(client, email_of(world, role))
        html = client.get(f"/members/{world.member_id}").get_data(as_text=True)
        assert ("+216 71 000 111" in html) is (role == "secretariat"), role


def test_export_has_contacts_for_the_secretariat_only(app: Flask, client: FlaskClient,
                                                      world: factories.World) -> None:
    with app.app_context():
        db.session.get(Member, world.member_id).phone = "+216 71 000 222"
        db.session.commit()
    for role in ROLES[1:]:
        client.post("/logout")
        login(client, email_of(world, role))
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/members/export.{fmt}")
            assert response.status_code == 200, (role, fmt)
        body = client.get("/members/export.csv").get_data(as_text=True)
        assert ("+216 71 000 222" in body) is (role == "secretariat"), role


def test_the_committee_member_of_the_matrix_holds_the_role(app: Flask, world: factories.World, ids: Ids) -> None:
    from app.core.permissions import Role, roles_of

    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email_of(world, "committee")))
        assert Role.committee in roles_of(user)
        db.session.remove()


# Calls for projects: object-level checks ------------------------------------------------------------


@dataclass(frozen=True)
class ProposalState:
    """What a refused request must leave as it was."""

    draft: tuple[Any, ...]
    submitted: tuple[Any, ...]
    budget_lines: int
    attachments: int
    snapshots: int
    audit_entries: int
    file_kept: bool


def proposal_state(app: Flask, ids: Ids) -> ProposalState:
    with app.app_context():
        db.session.expire_all()
        draft = db.session.get(Proposal, ids.proposal_id)
        submitted = db.session.get(Proposal, ids.submitted_id)
        attachment = db.session.get(Attachment, ids.attachment_id)
        state = ProposalState(
            draft=(draft.title, draft.status, draft.expected_results, draft.submitted_number, draft.updated_at),
            submitted=(submitted.status, submitted.submitted_number, submitted.updated_at),
            budget_lines=db.session.scalar(select(func.count(BudgetLine.id))),
            attachments=db.session.scalar(select(func.count(Attachment.id))),
            snapshots=db.session.scalar(select(func.count(ProposalSnapshot.id))),
            audit_entries=db.session.scalar(select(func.count(AuditEntry.id))),
            file_kept=attachment is not None and attachments.path_of(attachment).is_file())
        db.session.remove()
        return state


def test_a_delegate_of_another_member_can_neither_read_nor_change_the_proposal(
        app: Flask, client: FlaskClient, world: factories.World, ids: Ids) -> None:
    """The committee member is the other member's delegate: the world's proposals are not its own."""
    draft, done = f"/proposals/{ids.proposal_id}", f"/proposals/{ids.submitted_id}"
    about = {"title": "Repris", "summary": "Autre", "territories": "Nantes", "challenges": [str(ids.challenge_id)],
             "completed": "yes"}
    line = {"action": "add", "category": "staff", "description": "Ajout", "total": "5000", "requested": "1000"}
    login(client, email_of(world, "committee"))
    before = proposal_state(app, ids)  # after the login's own audit entry
    for method, url, data in [
            ("GET", draft, {}), ("GET", f"{draft}/sections/budget", {}), ("GET", f"{draft}/check", {}),
            ("GET", f"{draft}/review", {}),
            ("POST", f"{draft}/sections/about", about), ("POST", f"{draft}/sections/budget", line),
            ("POST", f"{draft}/sections/budget/lines/{ids.line_id}/remove", {}),
            ("POST", f"{draft}/sections/attachments/lines/{ids.attachment_id}/remove", {}),
            ("GET", f"{draft}/attachments/{ids.attachment_id}", {}),
            ("POST", f"{draft}/submit", {}),
            ("GET", f"{done}/submitted", {}), ("GET", f"{done}/withdraw", {}), ("POST", f"{done}/withdraw", {}),
            ("GET", f"{done}/snapshots/1", {})]:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url, response.status_code)
        assert b"note.pdf" not in response.data and b"Coordination" not in response.data, (method, url)
    assert proposal_state(app, ids) == before


def test_an_alternate_edits_the_draft_but_neither_submits_nor_withdraws(
        app: Flask, client: FlaskClient, world: factories.World, ids: Ids) -> None:
    with app.app_context():  # the draft's member signs the charter: the draft can be submitted, by its delegate
        delegate = db.session.scalar(select(User).where(User.email == world.emails["delegate"]))
        factories.sign(db.session.get(Member, world.member_id), db.session.get(Charter, world.charter_id), delegate)
        db.session.commit()
    login(client, email_of(world, "alternate"))
    response = client.post(f"/proposals/{ids.proposal_id}/sections/results", data={
        "expected_results": "Cent jeunes formés", "main_activities": "Ateliers", "completed": "yes"})
    assert response.status_code == 302 and _location_path(response) == f"/proposals/{ids.proposal_id}"
    before = proposal_state(app, ids)
    assert before.draft[2] == "Cent jeunes formés"
    assert client.post(f"/proposals/{ids.proposal_id}/submit").status_code == 403
    assert client.get(f"/proposals/{ids.submitted_id}/withdraw").status_code == 403
    assert client.post(f"/proposals/{ids.submitted_id}/withdraw").status_code == 403
    assert proposal_state(app, ids) == before
    client.post("/logout")
    login(client, email_of(world, "delegate"))  # the same requests by the delegate go through
    response = client.post(f"/proposals/{ids.proposal_id}/submit")
    assert response.status_code == 302 and _location_path(response).endswith("/submitted")
    assert client.post(f"/proposals/{ids.submitted_id}/withdraw").status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, ids.proposal_id).status == ProposalStatus.submitted
        assert db.session.get(Proposal, ids.submitted_id).status == ProposalStatus.withdrawn


@pytest.mark.parametrize("role", ["delegate", "alternate"])
def test_a_representative_outside_the_committee_cannot_propose_an_amendment(
        app: Flask, client: FlaskClient, world: factories.World, ids: Ids, role: str) -> None:
    base = f"/rulesets/{ids.rule_set_id}/amendments"
    with app.app_context():
        before = (db.session.scalar(select(func.count(Amendment.id))),
                  db.session.scalar(select(func.count(AmendmentSupport.id))))
        user = db.session.scalar(select(User).where(User.email == email_of(world, role)))
        with pytest.raises(DomainError):
            rulesets.propose_amendment(db.session.get(RuleSet, ids.rule_set_id), actor=user, title="Taux",
                                       rationale="Plus", new_content=ruleset_helpers.changed(
                                           ruleset_helpers.sample_content(), funding__rate="0.8"))
        db.session.rollback()
    login(client, email_of(world, role))
    assert client.get(f"{base}/new").status_code == 403
    assert client.post(f"{base}/new", data={"title": "Taux à 80 %", "rationale": "Plus"}).status_code == 403
    assert client.post(f"{base}/{ids.amendment_id}/support").status_code == 403
    assert client.post(f"{base}/{ids.amendment_id}/withdraw").status_code == 403
    with app.app_context():
        after = (db.session.scalar(select(func.count(Amendment.id))),
                 db.session.scalar(select(func.count(AmendmentSupport.id))))
        assert after == before
        assert db.session.get(Amendment, ids.amendment_id).status == AmendmentStatus.proposed


@pytest.mark.parametrize("role", ["delegate", "alternate", "committee", "ex_officio"])
def test_a_draft_call_is_the_secretariats_only(client: FlaskClient, world: factories.World, ids: Ids,
                                               role: str) -> None:
    login(client, email_of(world, role))
    assert client.get(f"/calls/{ids.draft_call_id}").status_code == 403
    assert b"Appel en pr" not in client.get("/calls").data


@pytest.mark.parametrize("role", ["anonymous", "secretariat"])
def test_only_a_published_call_has_a_public_page(client: FlaskClient, world: factories.World, ids: Ids,
                                                 role: str) -> None:
    if role != "anonymous":
        login(client, email_of(world, role))
    for call_id in (ids.call_id, ids.draft_call_id, ids.closed_call_id):
        assert client.get(f"/public/calls/{call_id}").status_code == 404, call_id
    listing = client.get("/public/calls").get_data(as_text=True)
    assert "Appel publié" in listing and "Appel en préparation" not in listing and "Appel clos" not in listing


# Selection: conflicts of interest at the object level (issue 8, point 2) ----------------------------------

#: What a conflicted committee member may not do on a proposal (its reviews and aggregate, its scoring form,
#: its discussion), each with a request that a committee member free of conflict may make.
CONFLICT_REQUESTS = [
    ("GET", "/proposals/{}/reviews", {}),
    ("GET", "/proposals/{}/my-review", {}),
    ("POST", "/proposals/{}/my-review", {"score-relevance": "2", "justification-relevance": "Un brouillon assez long "
                                         "pour la pertinence.", "save": "y"}),
    ("POST", "/proposals/{}/discussion", {"body": "Le budget des ateliers paraît élevé."}),
]


def _selection_state(app: Flask, proposal_id: int) -> tuple[Any, ...]:
    """A proposal's reviews (status and marks) and discussion: what a refused request must leave as it was."""
    with app.app_context():
        reviews = tuple(sorted((r.reviewer_id, str(r.status), repr(r.marks)) for r in db.session.scalars(
            select(Review).where(Review.proposal_id == proposal_id))))
        comments = tuple(c.body for c in db.session.scalars(
            select(ReviewComment).where(ReviewComment.proposal_id == proposal_id).order_by(ReviewComment.id)))
        db.session.remove()
        return reviews, comments


@pytest.mark.parametrize(("method", "path", "data"), CONFLICT_REQUESTS,
                         ids=[f"{m} {p.format('<id>')}" for m, p, _ in CONFLICT_REQUESTS])
def test_a_conflicted_committee_member_is_refused_where_a_free_one_gets_through(
        app: Flask, client: FlaskClient, world: factories.World, ids: Ids, method: str, path: str,
        data: dict[str, str]) -> None:
    """The matrix's committee member is assigned to the conflicted proposal (its organisation was added as a
    partner afterwards): 403 on the page, the form and the POST, nothing saved, no review text shown; another
    committee member assigned to the same proposal gets through, and so does the first on a proposal it is not
    conflicted with."""
    url = path.format(ids.conflicted_proposal_id)
    with app.app_context():
        committee_user = db.session.scalar(select(User).where(User.email == email_of(world, "committee")))
        free = db.session.scalar(select(User).where(User.email == ids.free_reviewer_email))
        assert conflicts.is_conflicted(committee_user, ids.conflicted_proposal_id)
        assert not conflicts.is_conflicted(committee_user, ids.review_proposal_id)
        assert not conflicts.is_conflicted(free, ids.conflicted_proposal_id)
        db.session.remove()
    before = _selection_state(app, ids.conflicted_proposal_id)
    login(client, email_of(world, "committee"))
    response = client.open(url, method=method, data=data)
    assert response.status_code == 403, (method, url, response.status_code)
    assert review_builders.JUSTIFICATION.encode() not in response.data
    assert _selection_state(app, ids.conflicted_proposal_id) == before
    # the same member on the proposal it is not conflicted with (its review there is submitted: a draft is
    # refused at its fields, 422, not at the door)
    other_url = path.format(ids.review_proposal_id)
    response = client.open(other_url, method=method, data=data)
    assert response.status_code in ({200} if method == "GET" else {302, 422}), (method, other_url)
    client.post("/logout")
    login(client, ids.free_reviewer_email)
    response = client.open(url, method=method, data=data)
    if method == "GET":
        assert response.status_code == 200, (method, url, response.status_code)
    else:
        assert response.status_code == 302 and _location_path(response) != "/login", (method, url)
        assert _selection_state(app, ids.conflicted_proposal_id) != before  # the draft or the comment is saved


def test_the_conflicted_proposal_is_masked_on_the_committee_members_ranking(
        client: FlaskClient, world: factories.World, ids: Ids) -> None:
    """The ranking opens (200) for a conflicted committee member, with the conflicted row masked."""
    masked = "You cannot see the scores of this proposal."
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, email_of(world, "committee"))
    html = client.get(f"/calls/{ids.review_call_id}/ranking").get_data(as_text=True)
    assert html.count(masked) == 1
    client.post("/logout")
    login(client, email_of(world, "secretariat"))
    assert masked not in client.get(f"/calls/{ids.review_call_id}/ranking").get_data(as_text=True)


# Grants: a grantee and another member's grant; the portfolio without attachments (issue 9) -----------------

#: The other member's grant's objects, in every argument of a grants rule (the rows' ``use`` is not needed there).
OTHER_GRANT = {"grant_id": "other_grant_id", "report_id": "other_report_id", "attachment_id": "other_attachment_id",
               "instalment_id": "other_instalment_id", "entry_id": "other_entry_id",
               "amendment_id": "other_amendment_id"}
GRANT_RULES = [rule for rule in EXPECTED if rule.startswith("/grants/<int:grant_id>")]


def _grant_state(app: Flask, grant_id: int) -> tuple[Any, ...]:
    """The grant and everything hanging off it: what a refused request must leave as it was."""
    with app.app_context():
        db.session.expire_all()
        grant = db.session.get(Grant, grant_id)
        report_ids = [r.id for r in grant.reports]
        state = (
            (grant.title, grant.status, grant.awarded_cents, grant.signed_by_grantee_on),
            tuple(sorted((i.number, i.amount_cents, i.released_early_at) for i in grant.instalments)),
            tuple(sorted((r.number, r.status, r.due_on) for r in grant.reports)),
            db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.grant_id == grant_id)),
            tuple(db.session.execute(select(ReportVersion.id, ReportVersion.status).where(
                ReportVersion.report_id.in_(report_ids)).order_by(ReportVersion.id))),
            db.session.scalar(select(func.count(GrantAttachment.id))),
            tuple(db.session.execute(select(BudgetAmendment.id, BudgetAmendment.state).where(
                BudgetAmendment.grant_id == grant_id))),
            db.session.scalar(select(func.count(AuditEntry.id))))
        db.session.remove()
        return state


@pytest.mark.parametrize("role", ["delegate", "alternate"])
def test_a_grantee_is_refused_on_another_members_grant(app: Flask, client: FlaskClient, world: factories.World,
                                                       ids: Ids, grant_ids: GrantIds, role: str) -> None:
    """Every route of a grant, GET and POST, on a third member's grant (the same objects as the world's grant:
    instalments, a payment, a submitted report with its attachment, a budget amendment): 403, nothing shown,
    nothing changed; the secretariat gets through on the same URLs (they are real)."""
    with app.app_context():
        other = db.session.get(Grant, grant_ids.other_grant_id)
        marks = (other.number.encode(), b"factures.pdf")
        own_number = db.session.get(Grant, grant_ids.grant_id).number.encode()
        db.session.remove()
    login(client, email_of(world, role))
    before = _grant_state(app, grant_ids.other_grant_id)
    tried = 0
    for rule in GRANT_RULES:
        row, url = EXPECTED[rule], fill(rule, ids, OTHER_GRANT, grant_ids)
        for method, allowed in (("GET", row.get), ("POST", row.post)):
            if allowed is None:
                continue
            response = client.open(url, method=method)
            tried += 1
            assert response.status_code == 403, (method, url, response.status_code)
            assert not any(mark in response.data for mark in marks), (method, url)
    assert tried >= 30
    assert _grant_state(app, grant_ids.other_grant_id) == before
    for path in ("/grants", "/grants/mine"):  # the lists show the grantee's own grant only
        html = client.get(path).data
        assert marks[0] not in html and own_number in html, path
    client.post("/logout")
    login(client, email_of(world, "secretariat"))
    for rule in GRANT_RULES:
        row, url = EXPECTED[rule], fill(rule, ids, OTHER_GRANT, grant_ids)
        if row.get is not None and "secretariat" in row.get and not rule.endswith("closing-statement.pdf"):
            assert client.get(url).status_code in (200, 302), url  # (the statement: only once closing)


@pytest.mark.parametrize("role", ["committee", "ex_officio"])
def test_the_portfolio_readers_never_get_a_grantees_attachment(client: FlaskClient, world: factories.World,
                                                                ids: Ids, grant_ids: GrantIds, role: str) -> None:
    """The committee and ex-officio members read the report (portfolio.view) without its attachments: no link,
    no file name, and the download refused; the grantee's delegate gets both."""
    report = f"/grants/{grant_ids.grant_id}/reports/{grant_ids.grant_report_id}"
    download = f"{report}/attachments/{grant_ids.grant_attachment_id}"
    login(client, email_of(world, role))
    for url in (report, f"{report}?version=1", f"/grants/{grant_ids.grant_id}/reports",
                f"/grants/{grant_ids.grant_id}/budget", "/grants/portfolio"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert download.encode() not in response.data and b"factures.pdf" not in response.data, url
    assert client.get(download).status_code == 403
    client.post("/logout")
    login(client, email_of(world, "delegate"))
    html = client.get(report).data
    assert download.encode() in html and b"factures.pdf" in html
    response = client.get(download)
    assert response.status_code == 200 and response.data == tiny_pdf()
