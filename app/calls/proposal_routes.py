"""Proposal pages: the task list, one page per section, lines added and removed one POST at a time,
attachments, "check my proposal", check your answers and submission, confirmation, withdrawal, snapshots.

Routes load (404), check the permission (``@require``) and the object (``ensure``: the lead member's
representatives, or the secretariat read-only), validate the form, call a service in ``proposals`` or
``attachments``, commit once, flash, redirect. A refusal is shown next to its field with what was typed kept,
and nothing is saved. Everything works without JavaScript.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, send_file, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.calls import attachments, eligibility, proposals, queries, rules, snapshots, wording
from app.calls.models import (
    Attachment,
    BudgetCategory,
    Call,
    PartnerKind,
    Proposal,
    ProposalStatus,
    RuleSetVersion,
)
from app.calls.proposal_forms import (
    LINE_FORMS,
    SCALAR_FORMS,
    AboutForm,
    ConfirmForm,
    DoneForm,
    PartnerForm,
)
from app.calls.services import is_accepting
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import ensure, require
from app.extensions import db

bp = Blueprint("proposals", __name__, template_folder="templates")

#: Room for the form's other fields and the multipart envelope around one attachment.
UPLOAD_OVERHEAD = 256 * 1024


@bp.record_once
def _upload_limit(state: BlueprintSetupState) -> None:
    """An attachment may be larger than the app's ``MAX_CONTENT_LENGTH``: raise the limit for that one POST.

    Registered first among the app's ``before_request`` functions, so the limit is set before the CSRF
    check reads the form.
    """
    app: Flask = state.app

    def raise_limit() -> None:
        if (request.method == "POST" and request.endpoint == "proposals.section"
                and (request.view_args or {}).get("section") == "attachments"):
            request.max_content_length = max(attachments.max_bytes() + UPLOAD_OVERHEAD,
                                             app.config.get("MAX_CONTENT_LENGTH") or 0)

    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"country_name": wording.country_name, "section_titles": proposals.SECTION_TITLES,
            "category_label": lambda code: _label(BudgetCategory, code),
            "partner_kind_label": lambda code: _label(PartnerKind, code),
            "proposal_status": lambda status: ProposalStatus(status).label,
            "section_of": eligibility.section_of, "file_size": attachments.size_text, "show_date": _show_date}


def _show_date(value: str | None) -> str:
    """A snapshot's ISO date in the request's language."""
    return format_date(proposals.parse_date(value)) if value else "—"


def _label(enum: Any, code: str) -> str:
    try:
        return enum(code).label
    except ValueError:
        return code


# Loading and permissions --------------------------------------------------------------------------------------

def _viewable(proposal_id: int) -> Proposal:
    proposal = proposals.load(proposal_id)
    if proposal is None:
        abort(404)
    ensure(proposals.can_view(proposal, current_user))
    return proposal


def _editable_now(proposal: Proposal) -> bool:
    """The visitor may change it now: a representative of the lead, a draft, the call still open."""
    return (proposals.can_edit(proposal, current_user) and proposal.is_editable
            and is_accepting(proposal.call))


def _refuse_edit(proposal: Proposal) -> Any:
    """A representative whose proposal is no longer editable goes back to the task list, told why."""
    if not proposal.is_editable:
        flash(_("A submitted proposal cannot be changed. Withdraw it first to change it."), "error")
    else:
        flash(_("The call is closed: the proposal can no longer be changed."), "error")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


def _to_section(proposal: Proposal, section: str) -> Any:
    return redirect(url_for("proposals.section", proposal_id=proposal.id, section=section))


# Start and task list ----------------------------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/proposals/new", methods=["POST"])
@require("proposal.create")
def new(call_id: int):
    """Start a proposal for the delegate's member, or go back to its draft in this call."""
    call = db.get_or_404(Call, call_id)
    if current_user.member_id is not None:
        existing = proposals.draft_of(call.id, current_user.member_id)
        if existing is not None:
            flash(_("Your organisation already has a draft for this call: here it is."), "info")
            return redirect(url_for("proposals.detail", proposal_id=existing.id))
    try:
        proposal, started = proposals.open_draft(call, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("calls.detail", call_id=call.id))
    db.session.commit()
    if started:
        flash(_("Proposal started. Fill in the sections in any order; every section is saved as you go."),
              "success")
    else:  # another click or session started it meanwhile
        flash(_("Your organisation already has a draft for this call: here it is."), "info")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


def _context(proposal: Proposal, **extra: Any) -> dict[str, Any]:
    """What every proposal page shows besides its own content."""
    titles = {c.id: c.title for c in [*proposal.call.challenges, *proposal.challenges]}
    return {"proposal": proposal, "call": proposal.call, "editable": _editable_now(proposal),
            "may_submit": proposals.can_submit(proposal, current_user),
            "accepting": is_accepting(proposal.call), "challenge_titles": titles,
            "attachment_url": lambda attachment_id: url_for("proposals.attachment", proposal_id=proposal.id,
                                                            attachment_id=attachment_id),
            **extra}


@bp.route("/proposals/<int:proposal_id>")
@require("proposal.view")
def detail(proposal_id: int):
    """The task list: every section with its state, then check, review and submit."""
    proposal = _viewable(proposal_id)
    latest = proposals.latest_snapshot(proposal)
    tasks = proposals.task_list(proposal)
    done = sum(1 for _s, _t, state in tasks if state == proposals.SectionState.complete)
    return render_template("calls/proposals/task_list.html", **_context(
        proposal, tasks=tasks, done=done, latest=latest))


# Sections ----------------------------------------------------------------------------------------------------------

def _scalar_form(proposal: Proposal, section: str, *, formdata: bool = True) -> FlaskForm:
    cls = SCALAR_FORMS[section]
    kwargs: dict[str, Any] = {}
    if cls is AboutForm:
        kwargs["challenges"] = list(proposal.call.challenges)
    data: dict[str, Any] = {"completed": "yes" if section in (proposal.sections_done or []) else "no"}
    for name in proposals.SECTION_FIELDS[section]:
        if name == "challenge_ids":
            data["challenges"] = [c.id for c in proposal.challenges]
        else:
            data[name] = getattr(proposal, name)
    if not formdata:
        kwargs["formdata"] = None
    return cls(data=data, **kwargs)


def _line_form(proposal: Proposal, section: str, *, formdata: bool = True) -> FlaskForm:
    cls = LINE_FORMS[section]
    kwargs: dict[str, Any] = {} if formdata else {"formdata": None}
    if cls is PartnerForm:
        kwargs["members"] = proposals.member_choices(exclude=proposal.lead_member_id)
    return cls(**kwargs)


def _done_form(proposal: Proposal, section: str, *, formdata: bool = True) -> DoneForm:
    data = {"completed": "yes" if section in (proposal.sections_done or []) else "no"}
    return DoneForm(data=data) if formdata else DoneForm(formdata=None, data=data)


def _section_page(proposal: Proposal, section: str, *, status: int = 200, form: FlaskForm | None = None,
                  line_form: FlaskForm | None = None, done_form: DoneForm | None = None) -> Any:
    editable = _editable_now(proposal)
    if editable:
        if section in proposals.SECTION_FIELDS:
            form = form or _scalar_form(proposal, section, formdata=False)
        else:
            line_form = line_form or _line_form(proposal, section, formdata=False)
            done_form = done_form or _done_form(proposal, section, formdata=False)
    result = eligibility.check(proposal)
    position = proposals.SECTIONS.index(section)
    following = proposals.SECTIONS[position + 1] if position + 1 < len(proposals.SECTIONS) else None
    return render_template(
        "calls/proposals/section.html", **_context(
            proposal, section=section, form=form, line_form=line_form, done_form=done_form,
            failures=result.failures_at(section), content=snapshots.snapshot_content(proposal, result),
            following=following, max_upload=attachments.size_text(attachments.max_bytes()))), status


@bp.route("/proposals/<int:proposal_id>/sections/<section>", methods=["GET", "POST"])
@require("proposal.view")
def section(proposal_id: int, section: str):
    """One section: its form (representatives, while editable) or what it says (read-only)."""
    if section not in proposals.SECTIONS:
        abort(404)
    proposal = _viewable(proposal_id)
    if request.method == "GET":
        return _section_page(proposal, section)
    ensure(proposals.can_edit(proposal, current_user))
    if not _editable_now(proposal):
        return _refuse_edit(proposal)
    if section in proposals.SECTION_FIELDS:
        return _save_scalar(proposal, section)
    if request.form.get("action") == "done":
        return _mark_done(proposal, section)
    if section == "attachments":
        return _upload(proposal)
    return _add_line(proposal, section)


def _save_scalar(proposal: Proposal, section: str) -> Any:
    form = _scalar_form(proposal, section)
    if form.validate_on_submit():
        try:
            proposals.save_section(proposal, section, actor=current_user, values=form.values(),  # type: ignore[attr-defined]
                                   done=form.done)  # type: ignore[attr-defined]
        except DomainError as exc:
            fail_at_field(form, exc)
            proposal = _viewable(proposal.id)
        else:
            db.session.commit()
            flash(_("Section saved."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return _section_page(proposal, section, status=422, form=form)


def _add_line(proposal: Proposal, section: str) -> Any:
    form = _line_form(proposal, section)
    if form.validate_on_submit():
        try:
            proposals.add_line(proposal, section, actor=current_user, values=form.values())  # type: ignore[attr-defined]
        except DomainError as exc:
            fail_at_field(form, exc)
            proposal = _viewable(proposal.id)
        else:
            db.session.commit()
            flash(_("Line added."), "success")
            return _to_section(proposal, section)
    return _section_page(proposal, section, status=422, line_form=form)


def _upload(proposal: Proposal) -> Any:
    form = _line_form(proposal, "attachments")
    if form.validate_on_submit():
        upload = form.file.data  # type: ignore[attr-defined]
        try:
            attachments.add_attachment(proposal, actor=current_user, filename=upload.filename or "",
                                       data=upload.read(attachments.max_bytes() + 1))
        except DomainError as exc:
            fail_at_field(form, exc)
            proposal = _viewable(proposal.id)
        else:
            db.session.commit()
            flash(_("File attached."), "success")
            return _to_section(proposal, "attachments")
    return _section_page(proposal, "attachments", status=422, line_form=form)


def _mark_done(proposal: Proposal, section: str) -> Any:
    form = _done_form(proposal, section)
    if form.validate_on_submit():
        try:
            proposals.mark_section(proposal, section, actor=current_user, done=form.done)
        except DomainError as exc:
            fail_at_field(form, exc)
            proposal = _viewable(proposal.id)
        else:
            db.session.commit()
            flash(_("Section saved."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return _section_page(proposal, section, status=422, done_form=form)


@bp.route("/proposals/<int:proposal_id>/sections/<section>/lines/<int:line_id>/remove", methods=["POST"])
@require("proposal.edit")
def remove_line(proposal_id: int, section: str, line_id: int):
    if section not in proposals.LINE_SECTIONS:
        abort(404)
    proposal = proposals.load(proposal_id)
    if proposal is None:
        abort(404)
    ensure(proposals.can_edit(proposal, current_user))
    if not _editable_now(proposal):
        return _refuse_edit(proposal)
    try:
        removed = proposals.remove_line(proposal, section, line_id, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _to_section(proposal, section)
    stored = removed.stored_name if isinstance(removed, Attachment) else None
    db.session.commit()
    if stored:
        attachments.discard(stored)
    flash(_("Line removed."), "success")
    return _to_section(proposal, section)


@bp.route("/proposals/<int:proposal_id>/attachments/<int:attachment_id>")
@require("proposal.view")
def attachment(proposal_id: int, attachment_id: int):
    """The file under its original name, as a download (never shown inline)."""
    proposal = _viewable(proposal_id)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.proposal_id != proposal.id:
        abort(404)
    path = attachments.path_of(item)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.filename,
                     max_age=0)


# Check, review, submit ------------------------------------------------------------------------------------------------

@bp.route("/proposals/<int:proposal_id>/check")
@require("proposal.view")
def check(proposal_id: int):
    """Every eligibility rule with pass or fail and its reason, and the maximum grant's calculation."""
    proposal = _viewable(proposal_id)
    result = eligibility.check(proposal)
    return render_template("calls/proposals/check.html", **_context(
        proposal, result=result, explanation=wording.explain_grant(result.grant)))


def _review_page(proposal: Proposal, *, status: int = 200, refused: bool = False) -> Any:
    result = eligibility.check(proposal)
    return render_template("calls/proposals/review.html", **_context(
        proposal, result=result, content=snapshots.snapshot_content(proposal, result),
        explanation=wording.explain_grant(result.grant), form=ConfirmForm(formdata=None), refused=refused,
        sections=proposals.SECTIONS)), status


@bp.route("/proposals/<int:proposal_id>/review")
@require("proposal.view")
def review(proposal_id: int):
    """Check your answers: every section summarised with a "Change" link, then the submit button."""
    return _review_page(_viewable(proposal_id))


@bp.route("/proposals/<int:proposal_id>/submit", methods=["POST"])
@require("proposal.submit")
def submit(proposal_id: int):
    proposal = _viewable(proposal_id)
    ensure(proposals.can_submit(proposal, current_user))
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _review_page(proposal, status=400)
    try:
        proposals.submit(proposal, actor=current_user)
    except proposals.Ineligible as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _review_page(_viewable(proposal_id), status=422, refused=True)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("proposals.review", proposal_id=proposal_id))
    db.session.commit()
    return redirect(url_for("proposals.submitted", proposal_id=proposal_id))


@bp.route("/proposals/<int:proposal_id>/submitted")
@require("proposal.view")
def submitted(proposal_id: int):
    """The confirmation page: "Proposal submitted", its reference and its maximum grant."""
    proposal = _viewable(proposal_id)
    latest = proposals.latest_snapshot(proposal)
    if proposal.status != ProposalStatus.submitted or latest is None:
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return render_template("calls/proposals/submitted.html", **_context(proposal, snapshot=latest))


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@require("proposal.submit")
def withdraw(proposal_id: int):
    """Take a submitted proposal back before the deadline (confirmation first); it can then be changed and
    submitted again as a new version."""
    proposal = _viewable(proposal_id)
    ensure(proposals.can_submit(proposal, current_user))
    if proposal.status != ProposalStatus.submitted:
        flash(_("Only a submitted proposal can be withdrawn."), "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            proposals.withdraw(proposal, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("proposals.detail", proposal_id=proposal_id))
        db.session.commit()
        flash(_("The proposal is withdrawn. You can change it and submit it again before the deadline."),
              "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal_id))
    return render_template("calls/proposals/withdraw.html", **_context(proposal, form=form))


@bp.route("/proposals/<int:proposal_id>/snapshots/<int:number>")
@require("proposal.view")
def snapshot(proposal_id: int, number: int):
    """A submitted version exactly as it was, its eligibility re-worded in the visitor's language."""
    proposal = _viewable(proposal_id)
    item = proposals.snapshot(proposal, number)
    if item is None:
        abort(404)
    content = item.content
    version = db.session.get(RuleSetVersion, content.get("rule_set_version_id") or proposal.call.rule_set_version_id)
    eligibility = ((version.content if version else None) or {}).get("eligibility") or {}
    outcomes = rules.evaluate(eligibility, rules.facts_from_dict(content["facts"]))
    grant = rules.facts_from_dict(content["facts"]).grant
    titles = queries.challenges_by_id(c["id"] for c in content.get("challenges") or [])
    return render_template("calls/proposals/snapshot.html", **_context(
        proposal, snapshot=item, content=content, outcomes=outcomes, explanation=wording.explain_grant(grant),
        challenge_titles={i: c.title for i, c in titles.items()}))
