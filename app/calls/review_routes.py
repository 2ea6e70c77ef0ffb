"""The committee's review pages: reviewers of a call (settings, assignment by hand, suggestion, e-mails),
conflicts of interest, "My reviews", the scoring form, a proposal's reviews with the discussion.

Routes load (404), check the permission (``@require``) and the object (conflicts: 403, never only hidden),
validate the form, call a service from ``app.calls.reviewing``, commit once, flash, redirect. E-mails
leave after the commit.

The scoring form lives at ``/proposals/<id>/my-review``: ``/proposals/<id>/review`` is the applicant's
check-your-answers page (``proposals.review``).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.calls import attachments, conflicts, proposals, queries, review_queries, reviewing, scoring, wording
from app.calls.models import Attachment, Call, CallStatus, Proposal, ProposalStatus
from app.calls.review_forms import (
    NOT_APPLICABLE,
    ApplyForm,
    AssignForm,
    CommentForm,
    DeclareForm,
    NotifyForm,
    RecordConflictForm,
    ReviewForm,
    SettingsForm,
    read_marks,
    typed_from_review,
)
from app.calls.selection_models import Conflict, ConflictSource, Review, ReviewAssignment, ReviewStatus
from app.core import mail
from app.core.bounds import bounded_int
from app.core.errors import DomainError, fail_at_field
from app.core.home import register_home_panel
from app.core.permissions import Role, can, ensure, require, roles_of
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member

bp = Blueprint("reviews", __name__, template_folder="templates")


@bp.record_once
def _register_home_panel(state: Any) -> None:
    """Committee members find the reviews they still have to write on their home page."""
    register_home_panel("reviews.todo", order=25, template="calls/reviews/_home_todo.html",
                        context=reviewing.home_panel)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"review_status_label": lambda status: ReviewStatus(status).label,
            "conflict_source_label": lambda source: ConflictSource(source).label,
            "show_score": scoring.display, "file_size": attachments.size_text}


def _call_or_404(call_id: int) -> Call:
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    return call


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.status == ProposalStatus.draft or proposal.submitted_number == 0:
        abort(404)
    return proposal


def _ensure_free(proposal: Proposal) -> None:
    """A conflicted reviewer is refused (403), whatever the page."""
    ensure(not conflicts.is_conflicted(current_user, proposal.id))


def _label(p: Proposal) -> str:
    return f"{wording.reference(p)} · {p.title}"


def _is_secretariat() -> bool:
    return Role.secretariat in roles_of(current_user)


# Reviewers of a call ---------------------------------------------------------------------------------

def _assignments_page(call: Call, *, settings_form: SettingsForm | None = None,
                      assign_form: AssignForm | None = None, status: int = 200) -> Any:
    settings = review_queries.settings_of(call)
    items = review_queries.submitted_proposals(call.id)
    people = review_queries.reviewers()
    known = conflicts.of_call(call.id)
    rows = reviewing.assignments_of(call.id)
    reviews = {(r.proposal_id, r.reviewer_id): r for r in reviewing.reviews_of(call.id)}
    by_proposal: dict[int, list[ReviewAssignment]] = {p.id: [] for p in items}
    loads: dict[int, int] = {}
    for row in rows:
        by_proposal.setdefault(row.proposal_id, []).append(row)
        loads[row.reviewer_id] = loads.get(row.reviewer_id, 0) + 1
    members = {m.id: m for m in db.session.scalars(select(Member).where(
        Member.id.in_({mid for per in known.values() for mid in per})))} if known else {}
    settings_form = settings_form or SettingsForm(formdata=None, reviewers_per_proposal=settings.reviewers_per_proposal,
                                                  review_deadline=settings.review_deadline)
    assign_form = assign_form or AssignForm(formdata=None, proposals=[(p.id, _label(p)) for p in items],
                                            reviewers=_reviewer_choices(people))
    return render_template(
        "calls/reviews/assignments.html", call=call, settings=settings, proposals=items, people=people,
        by_proposal=by_proposal, reviews=reviews, known=known, members=members, loads=loads,
        settings_form=settings_form, assign_form=assign_form, notify_form=NotifyForm(formdata=None),
        assignable=call.status in reviewing.ASSIGNABLE, reference=wording.reference,
        unnotified=sum(1 for r in rows if r.notified_at is None)), status


def _reviewer_choices(people: list[Any]) -> list[tuple[int, str]]:
    return [(u.id, f"{u.full_name} · {u.member.name}") for u in people]


@bp.route("/calls/<int:call_id>/reviewers", methods=["GET", "POST"])
@require("review.assign")
def assignments(call_id: int):
    call = _call_or_404(call_id)
    if request.method == "GET":
        return _assignments_page(call)
    here = url_for("reviews.assignments", call_id=call.id)
    if "remove" in request.form:
        row = db.session.get(ReviewAssignment, request.form.get("remove", type=bounded_int) or 0)
        if row is None or row.call_id != call.id:
            abort(404)
        draft = reviewing.review_of(row.proposal, row.reviewer)
        if draft is not None and draft.status == ReviewStatus.draft and "confirm" not in request.form:
            return render_template("calls/reviews/unassign.html", call=call, row=row, reference=wording.reference)
        try:
            reviewing.unassign(row, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(here)
        db.session.commit()
        flash(_("The reviewer is taken off the proposal."), "success")
        return redirect(here)
    if "save_settings" in request.form:
        form = SettingsForm()
        if form.validate_on_submit():
            try:
                reviewing.update_settings(call, actor=current_user,
                                          reviewers_per_proposal=form.reviewers_per_proposal.data,
                                          review_deadline=form.review_deadline.data)
            except DomainError as exc:
                fail_at_field(form, exc)
            else:
                db.session.commit()
                flash(_("The review settings are saved."), "success")
                return redirect(here)
        return _assignments_page(call, settings_form=form, status=422)
    people = review_queries.reviewers()
    items = review_queries.submitted_proposals(call.id)
    form = AssignForm(proposals=[(p.id, _label(p)) for p in items], reviewers=_reviewer_choices(people))
    if form.validate_on_submit():
        proposal = db.session.get(Proposal, form.proposal_id.data)
        reviewer = next(u for u in people if u.id == form.reviewer_id.data)
        try:
            assert proposal is not None
            reviewing.assign(call, proposal, reviewer, actor=current_user)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s is assigned to %(ref)s.", name=reviewer.full_name, ref=wording.reference(proposal)),
                  "success")
            return redirect(here)
    return _assignments_page(call, assign_form=form, status=422)


@bp.route("/calls/<int:call_id>/reviewers/suggestion", methods=["GET", "POST"])
@require("review.assign")
def suggestion(call_id: int):
    call = _call_or_404(call_id)
    form = ApplyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            added = reviewing.apply_suggestion(call, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(ngettext("%(num)d assignment made from the suggestion.", "%(num)d assignments made from the suggestion.",
                           added), "success")
            return redirect(url_for("reviews.assignments", call_id=call.id))
    view = reviewing.suggestion(call)
    members = {u.member_id: u.member for u in view.reviewers.values()}
    return render_template("calls/reviews/suggestion.html", call=call, view=view, form=ApplyForm(formdata=None),
                           members=members, reference=wording.reference,
                           assignable=call.status in reviewing.ASSIGNABLE)


@bp.route("/calls/<int:call_id>/reviewers/notify", methods=["POST"])
@require("review.assign")
def notify(call_id: int):
    call = _call_or_404(call_id)
    form = NotifyForm()
    if form.validate_on_submit():
        try:
            sent = reviewing.notify(call, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            mail.deliver_pending()
            flash(ngettext("%(num)d reviewer was e-mailed their list and the deadline.",
                           "%(num)d reviewers were e-mailed their list and the deadline.", sent), "success")
    return redirect(url_for("reviews.assignments", call_id=call.id))


# Conflicts -------------------------------------------------------------------------------------------

def _conflicts_page(call: Call, form: RecordConflictForm | None = None, status: int = 200) -> Any:
    items = review_queries.submitted_proposals(call.id)
    known = conflicts.of_call(call.id)
    member_ids = {mid for per in known.values() for mid in per}
    all_members = list(db.session.scalars(select(Member).order_by(Member.name)))
    members = {m.id: m for m in all_members if m.id in member_ids}
    committee_ids = {u.member_id for u in review_queries.reviewers()}
    form = form or RecordConflictForm(formdata=None, proposals=[(p.id, _label(p)) for p in items],
                                      members=[(m.id, m.name) for m in all_members if m.id in committee_ids])
    rows = [(p, mid, entry) for p in items for mid, entries in known.get(p.id, {}).items() for entry in entries]
    return render_template("calls/reviews/conflicts.html", call=call, rows=rows, members=members, form=form,
                           reference=wording.reference, committee_ids=committee_ids), status


@bp.route("/calls/<int:call_id>/conflicts", methods=["GET", "POST"], endpoint="conflicts")
@require("conflict.record")
def conflicts_page(call_id: int):
    call = _call_or_404(call_id)
    if request.method == "GET":
        return _conflicts_page(call)
    items = review_queries.submitted_proposals(call.id)
    committee_ids = {u.member_id for u in review_queries.reviewers()}
    members = [m for m in db.session.scalars(select(Member).order_by(Member.name)) if m.id in committee_ids]
    form = RecordConflictForm(proposals=[(p.id, _label(p)) for p in items], members=[(m.id, m.name) for m in members])
    if form.validate_on_submit():
        proposal = db.session.get(Proposal, form.proposal_id.data)
        assert proposal is not None
        try:
            reviewing.record_conflict(proposal, actor=current_user, member_id=form.member_id.data,
                                      reason=form.reason.data or "")
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("The conflict of interest is recorded."), "success")
            return redirect(url_for("reviews.conflicts", call_id=call.id))
    return _conflicts_page(call, form, status=422)


@bp.route("/conflicts/<int:conflict_id>/withdraw", methods=["POST"])
@require("conflict.record")
def withdraw_conflict(conflict_id: int):
    row = db.session.get(Conflict, conflict_id)
    if row is None:
        abort(404)
    call_id = row.call_id
    try:
        reviewing.withdraw_conflict(row, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The recorded conflict of interest is withdrawn."), "success")
    return redirect(url_for("reviews.conflicts", call_id=call_id))


@bp.route("/proposals/<int:proposal_id>/conflict", methods=["GET", "POST"])
@require("conflict.declare")
def declare(proposal_id: int):
    proposal = _proposal_or_404(proposal_id)
    already = conflicts.is_conflicted(current_user, proposal.id)
    form = DeclareForm()
    status = 200
    if request.method == "POST" and not already:
        if form.validate_on_submit():
            try:
                reviewing.declare_conflict(proposal, actor=current_user, reason=form.reason.data or "")
            except DomainError as exc:
                fail_at_field(form, exc)
            else:
                db.session.commit()
                flash(_("Your conflict of interest is declared. You will no longer see or score this proposal."),
                      "success")
                return redirect(url_for("reviews.mine"))
        status = 422
    elif request.method == "POST":
        status = 409
    return render_template("calls/reviews/declare.html", proposal=proposal, form=form, already=already,
                           reference=wording.reference), status


# My reviews ------------------------------------------------------------------------------------------

@bp.route("/reviews")
@require("review.score")
def mine():
    items = reviewing.my_reviews(current_user)
    return render_template("calls/reviews/mine.html", items=items, reference=wording.reference, now=utcnow())


# The scoring form ------------------------------------------------------------------------------------

def _criteria_view(call: Call) -> list[dict[str, Any]]:
    content = call.rule_set_version.content
    names = wording.criterion_names(content)
    lang = str(get_locale() or "fr")
    out = []
    for c in review_queries.criteria_of(call):
        raw = (content.get("criteria") or {}).get(c.code) or {}
        out.append({"c": c, "name": names.get(c.code, c.code),
                    "description": wording.text_in(raw.get("description"), lang)})
    return out


def _edit_page(proposal: Proposal, *, form: ReviewForm, typed: dict[str, dict[str, str]],
               errors: dict[str, list[str]] | None = None, status: int = 200) -> Any:
    call = proposal.call
    review = reviewing.review_of(proposal, current_user)
    snapshot = proposals.latest_snapshot(proposal)
    deadline = reviewing.deadline_of(call)
    open_now = call.status == CallStatus.in_review and not reviewing.deadline_passed(call)
    editable = open_now and (review is None or review.status == ReviewStatus.draft)
    criteria = _criteria_view(call)
    score = None
    if review is not None and review.status == ReviewStatus.submitted:
        score = scoring.weighted_score([c["c"] for c in criteria], scoring.marks_from_dict(review.marks))
    content = snapshot.content if snapshot else {}
    return render_template(
        "calls/reviews/edit.html", proposal=proposal, call=call, review=review, form=form, typed=typed,
        errors=errors or {}, criteria=criteria, deadline=deadline, open_now=open_now, editable=editable,
        content=content, snapshot=snapshot, score=score, na=NOT_APPLICABLE, reference=wording.reference,
        country_name=wording.country_name, lines=queries.snapshot_lines(content) if snapshot else None), status


def _scorable(proposal_id: int) -> Proposal:
    proposal = _proposal_or_404(proposal_id)
    _ensure_free(proposal)
    ensure(reviewing.assignment_of(proposal, current_user) is not None)
    return proposal


@bp.route("/proposals/<int:proposal_id>/my-review", methods=["GET", "POST"])
@require("review.score")
def edit(proposal_id: int):
    proposal = _scorable(proposal_id)
    criteria = review_queries.criteria_of(proposal.call)
    if request.method == "GET":
        review = reviewing.review_of(proposal, current_user)
        eligible = "" if review is None or review.eligible is None else ("yes" if review.eligible else "no")
        form = ReviewForm(formdata=None, eligible=eligible)
        return _edit_page(proposal, form=form, typed=typed_from_review(criteria, review.marks if review else {}))
    form = ReviewForm()
    marks, pending, typed, errors = read_marks(criteria, request.form)
    if not form.validate_on_submit():
        return _edit_page(proposal, form=form, typed=typed, errors=errors, status=422)
    submit = bool(form.submit_review.data)
    if errors:
        flash(_("Correct the criteria marked below."), "error")
        return _edit_page(proposal, form=form, typed=typed, errors=errors, status=422)
    try:
        reviewing.save_review(proposal, actor=current_user, marks=marks, pending=pending,
                              eligible=form.eligible_value, submit=submit)
    except conflicts.ConflictOfInterest:
        db.session.rollback()
        abort(403)
    except reviewing.ReviewRefused as exc:
        db.session.rollback()
        return _edit_page(proposal, form=form, typed=typed, errors=exc.errors, status=422)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _edit_page(proposal, form=form, typed=typed, status=422)
    db.session.commit()
    if submit:
        flash(_("Your review is submitted. You can now read the other reviews of this proposal."), "success")
        return redirect(url_for("reviews.proposal", proposal_id=proposal.id))
    flash(_("Your draft is saved."), "success")
    return redirect(url_for("reviews.edit", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/my-review/reopen", methods=["POST"])
@require("review.score")
def reopen(proposal_id: int):
    proposal = _scorable(proposal_id)
    review = reviewing.review_of(proposal, current_user)
    if review is None:
        abort(404)
    form = ApplyForm()
    if form.validate_on_submit():
        try:
            reviewing.reopen(review, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("Your review is reopened as a draft. Submit it again before the deadline to count."), "success")
    return redirect(url_for("reviews.edit", proposal_id=proposal.id))


# A proposal's reviews and discussion -----------------------------------------------------------------

def _proposal_page(proposal: Proposal, form: CommentForm | None = None, status: int = 200) -> Any:
    call = proposal.call
    criteria = _criteria_view(call)
    plain = [c["c"] for c in criteria]
    own = reviewing.review_of(proposal, current_user)
    shown = reviewing.visible_reviews(proposal, current_user)
    aggregate = None
    if reviewing.may_see_aggregate(proposal, current_user):
        facts = review_queries.facts_of(review_queries.counted(
            [r for r in db.session.scalars(select(Review).where(
                Review.proposal_id == proposal.id,
                Review.status == ReviewStatus.submitted))],
            conflicts.of_proposals([proposal.id])))
        aggregate = scoring.aggregate(plain, facts.get(proposal.id, []), threshold=review_queries.threshold_of(call))
    scores = {r.id: scoring.weighted_score(plain, scoring.marks_from_dict(r.marks)) for r in shown}
    if own is not None:
        scores[own.id] = scoring.weighted_score(plain, scoring.marks_from_dict(own.marks))
    assigned = reviewing.assignment_of(proposal, current_user) is not None
    return render_template(
        "calls/reviews/proposal.html", proposal=proposal, call=call, criteria=criteria, own=own, shown=shown,
        aggregate=aggregate, scores=scores, comments=reviewing.comments_of(proposal, current_user),
        form=form or CommentForm(formdata=None), reference=wording.reference, assigned=assigned,
        secretariat=_is_secretariat(), marks_of=scoring.marks_from_dict,
        may_comment=can(current_user, "review.discuss")
        and call.status in (CallStatus.closed, CallStatus.in_review, CallStatus.decided)), status


@bp.route("/proposals/<int:proposal_id>/reviews")
@require("review.view")
def proposal(proposal_id: int):
    item = _proposal_or_404(proposal_id)
    _ensure_free(item)
    return _proposal_page(item)


@bp.route("/proposals/<int:proposal_id>/reviews/attachments/<int:attachment_id>")
@require("review.view")
def attachment(proposal_id: int, attachment_id: int):
    """A file of the submitted version, for the committee members who may read the proposal (a download)."""
    item = _proposal_or_404(proposal_id)
    _ensure_free(item)
    snapshot = proposals.latest_snapshot(item)
    listed = {a.get("id") for a in (snapshot.content.get("attachments") or [])} if snapshot else set()
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.proposal_id != item.id or row.id not in listed:
        abort(404)
    path = attachments.path_of(row)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename, max_age=0)


@bp.route("/proposals/<int:proposal_id>/discussion", methods=["POST"])
@require("review.discuss")
def comment(proposal_id: int):
    item = _proposal_or_404(proposal_id)
    _ensure_free(item)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            reviewing.comment(item, actor=current_user, body=form.body.data or "")
        except conflicts.ConflictOfInterest:
            db.session.rollback()
            abort(403)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Your comment is posted."), "success")
            return redirect(url_for("reviews.proposal", proposal_id=item.id) + "#discussion")
    return _proposal_page(item, form, status=422)
