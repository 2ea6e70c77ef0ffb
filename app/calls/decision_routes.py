"""What applicants and the record get from a selection: the outcome page and its PDF letter, the call's
selection report (PDF) and the selection exports (XLSX/CSV).

Who reads what: the lead's representatives read their proposal's outcome once the decision is published;
the secretariat reads any outcome once the decision is recorded; the committee and the secretariat read
the report once decided (a committee member sees "conflict of interest" instead of the scores of the
proposals its organisation is conflicted with) and export the aggregates and decisions (without those
proposals); the scores per reviewer are exported by the secretariat only.
"""
from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_babel import get_locale
from flask_login import current_user

from app.calls import conflicts, explanation, letters, proposals, queries, selection_export, selection_report
from app.calls.models import Call, CallStatus, Proposal
from app.calls.selection_models import ProposalDecision, SelectionDecision
from app.core.permissions import Role, can, ensure, require, roles_of
from app.core.timeutil import utcnow
from app.extensions import db, login_manager

bp = Blueprint("decisions", __name__, template_folder="templates")

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _is_secretariat(user: Any) -> bool:
    return Role.secretariat in roles_of(user)


def can_read_outcome(item: ProposalDecision, user: Any) -> bool:
    """The lead's delegate and alternates once published; the secretariat as soon as it is recorded."""
    if _is_secretariat(user):
        return True
    return (item.decision.published_at is not None and can(user, "decision.read")
            and proposals.is_representative(item.proposal, user))


def _readable_item(proposal_id: int) -> ProposalDecision:
    """The proposal's decision if the signed-in user may read it: 404 when nothing is recorded (or not yet
    published, for its own representatives), 403 for anybody else."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    item = explanation.decision_of(proposal.id)
    if item is None:
        abort(404)
    if item.decision.published_at is None and proposals.is_representative(proposal, current_user) \
            and not _is_secretariat(current_user):
        abort(404)
    ensure(can_read_outcome(item, current_user))
    return item


def _signed_in() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.route("/proposals/<int:proposal_id>/outcome")
def outcome(proposal_id: int):
    if (refused := _signed_in()) is not None:
        return refused
    item = _readable_item(proposal_id)
    ex = explanation.explain(item)
    return render_template("calls/decisions/outcome.html", ex=ex, proposal=item.proposal, call=item.decision.call)


@bp.route("/proposals/<int:proposal_id>/outcome/letter.pdf")
def letter(proposal_id: int):
    if (refused := _signed_in()) is not None:
        return refused
    item = _readable_item(proposal_id)
    body = letters.letter_pdf(item, str(get_locale() or "fr"))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{letters.letter_filename(item)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _call_or_404(call_id: int) -> Call:
    call = queries.call_or_none(call_id)
    if call is None:
        abort(404)
    return call


def _decision_of(call: Call) -> SelectionDecision | None:
    if call.status not in (CallStatus.decided, CallStatus.published):
        return None
    return selection_export.decision_of_call(call)


def _hidden_for(call: Call) -> set[int]:
    """The proposals the viewer may not see the scores of: those its organisation is conflicted with."""
    if _is_secretariat(current_user) or getattr(current_user, "member_id", None) is None:
        return set()
    known = conflicts.of_call(call.id)
    return {pid for pid, members in known.items() if current_user.member_id in members}


@bp.route("/calls/<int:call_id>/selection-report.pdf")
@require("selection.view")
def report(call_id: int):
    call = _call_or_404(call_id)
    decision = _decision_of(call)
    if decision is None:
        abort(404)
    body = selection_report.render_pdf(decision, masked=_hidden_for(call))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="selection-report-{call.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/calls/<int:call_id>/selection-export.<fmt>")
@require("selection.export")
def export(call_id: int, fmt: str):
    """``?table=scores|aggregates|decisions`` (CSV: one table, aggregates by default; XLSX: that table, or
    every table the viewer may read)."""
    if fmt not in MIMETYPES:
        abort(404)
    call = _call_or_404(call_id)
    if call.status not in (CallStatus.in_review, CallStatus.decided, CallStatus.published):
        abort(404)
    secretariat = _is_secretariat(current_user)
    name = request.args.get("table", "")
    if name and name not in selection_export.TABLES:
        abort(404)
    if name == "scores" and not secretariat:
        abort(403)
    if name:
        tables = [name]
    elif fmt == "xlsx":
        tables = [t for t in selection_export.TABLES if secretariat or t != "scores"]
    else:
        tables = ["aggregates"]
    body = selection_export.export(call, fmt, tables, hidden=_hidden_for(call))
    label = "selection" if len(tables) > 1 else tables[0]
    response = send_file(BytesIO(body), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=f"call-{call.id}-{label}-{utcnow().date().isoformat()}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def proposal_outcome_url(proposal: Proposal) -> str | None:
    """The outcome page's address when the signed-in user may read it now (the proposal page's link)."""
    from flask import url_for

    if not getattr(current_user, "is_authenticated", False):
        return None
    item = explanation.decision_of(proposal.id)
    if item is None or not can_read_outcome(item, current_user):
        return None
    return url_for("decisions.outcome", proposal_id=proposal.id)
