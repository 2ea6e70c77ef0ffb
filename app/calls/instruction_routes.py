"""The secretariat's instruction pages: a call's proposals (filters, search, counts), each proposal's
submitted snapshot with its eligibility (confirm, or override one rule with a reason), and the exports.

Routes load (404), check the permission, validate the form, call a service, commit once, flash, redirect.
"""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import User
from app.calls import export as exports
from app.calls import instruction, proposals, queries, rules, wording
from app.calls.instruction_forms import ConfirmForm, OverrideForm
from app.calls.models import BudgetCategory, Call, CallStatus, PartnerKind, Proposal, ProposalSnapshot, ProposalStatus
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import require
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Country

bp = Blueprint("instruction", __name__, template_folder="templates")

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _call_or_404(call_id: int) -> Call:
    call = queries.call_or_none(call_id)
    if call is None:
        abort(404)
    return call


# The list -------------------------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/proposals")
@require("proposal.instruct")
def proposal_list(call_id: int):
    call = _call_or_404(call_id)
    filters = queries.ProposalFilters.from_args(request.args)
    page = db.paginate(queries.proposals_query(call.id, filters), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=100)
    eligibility = queries.eligibility_of(page.items)
    return render_template(
        "calls/instruction/list.html", call=call, page=page, filters=filters, eligibility=eligibility,
        counts=queries.counts(call.id), statuses=ProposalStatus, countries=Country,
        call_status=CallStatus(call.status).label,
        call_page=url_for("calls.detail", call_id=call.id))


@bp.route("/calls/<int:call_id>/proposals/export.<fmt>")
@require("proposal.instruct")
def export(call_id: int, fmt: str):
    """Submitted proposals as filtered on screen: XLSX (two sheets) or CSV (``?sheet=lines``: budget lines)."""
    if fmt not in MIMETYPES:
        abort(404)
    call = _call_or_404(call_id)
    sheet = "lines" if request.args.get("sheet") == "lines" else "proposals"
    proposals = queries.submitted_for_export(call.id, queries.ProposalFilters.from_args(request.args))
    body = exports.export(proposals, fmt, sheet=sheet)
    name = f"call-{call.id}-{'budget-lines' if fmt == 'csv' and sheet == 'lines' else 'proposals'}"
    response = send_file(BytesIO(body), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=f"{name}-{utcnow().date().isoformat()}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


# One proposal ---------------------------------------------------------------------------------------

def _page(proposal: Proposal, snapshot: ProposalSnapshot, confirm_form: ConfirmForm | None = None,
          override_form: OverrideForm | None = None, status: int = 200):
    """The snapshot in full, its eligibility re-worded, the maximum grant, and the two forms (bounded queries)."""
    outcomes, overrides, eligible = instruction.effective_eligibility(proposal, snapshot=snapshot)
    content = snapshot.content
    facts = rules.facts_from_dict(content["facts"])
    challenge_ids = [int(c["id"]) for c in content.get("challenges") or [] if c.get("id") is not None]
    instructed_by = db.session.get(User, proposal.instructed_by_id) if proposal.instructed_by_id else None
    open_to_instruction = proposal.status == ProposalStatus.submitted
    override_form = override_form or OverrideForm(formdata=None, rules=[(o.kind, o.rule) for o in outcomes])
    return render_template(
        "calls/instruction/proposal.html", proposal=proposal, call=proposal.call, snapshot=snapshot,
        content=content, lines=queries.snapshot_lines(content), outcomes=outcomes, overrides=overrides,
        eligible=eligible, automatic=rules.eligible(outcomes), grant=facts.grant,
        explanation=wording.explain_grant(facts.grant), rate_percent=wording.percent_text(facts.grant.rate),
        min_reason=instruction.MIN_REASON, challenges=queries.challenges_by_id(challenge_ids),
        instructed_by=instructed_by, open_to_instruction=open_to_instruction,
        confirm_form=confirm_form or ConfirmForm(formdata=None), override_form=override_form,
        number=queries.number, country_name=wording.country_name,
        categories=dict(BudgetCategory.choices()),
        partner_kinds=dict(PartnerKind.choices())), status


@bp.route("/proposals/<int:proposal_id>/instruction", methods=["GET", "POST"])
@require("proposal.instruct")
def instruct(proposal_id: int):
    proposal = queries.proposal_for_instruction(proposal_id)
    if proposal is None:
        abort(404)
    snapshot = proposals.latest_snapshot(proposal)
    if snapshot is None:
        abort(404)
    if request.method == "GET":
        return _page(proposal, snapshot)
    here = url_for("instruction.instruct", proposal_id=proposal.id)
    if "confirm" in request.form:
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                instruction.confirm_eligibility(proposal, actor=current_user)
            except DomainError as exc:
                fail_at_field(form, exc)
                return redirect(here)
            db.session.commit()
            flash(_("The eligibility is confirmed."), "success")
        return redirect(here)
    outcomes, _overrides, _eligible = instruction.effective_eligibility(proposal, snapshot=snapshot)
    form = OverrideForm(rules=[(o.kind, o.rule) for o in outcomes])
    if form.validate_on_submit():
        try:
            instruction.override_rule(proposal, actor=current_user, kind=form.kind.data, passed=form.passes,
                                      reason=form.reason.data or "")
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("The override is recorded. The committee will see it with its reason."), "success")
            return redirect(here + "#eligibility")
    return _page(proposal, snapshot, override_form=form, status=422)
