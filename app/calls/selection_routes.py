"""The selection pages of a call: settings of the line, the ranking (aggregates, flags, calibration), the
trial allocation, the decision (check your answers, then record), its record, and its publication.

Routes load (404), check the permission, validate, call a service, commit once, flash, redirect. A
committee member conflicted with a proposal sees "conflict of interest" instead of its scores.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from app.calls import allocation, queries, scoring, selection
from app.calls.models import CallStatus, Proposal
from app.calls.money import from_cents
from app.calls.selection_forms import (
    ConfirmForm,
    DecisionForm,
    SettingsForm,
    problem_messages,
    read_decision,
    read_trial,
)
from app.calls.selection_models import (
    DecisionOutcome,
    LineMode,
    ProposalDecision,
    RankingBasis,
    SelectionDecision,
)
from app.core.bounds import int_or_none
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import Role, can, require, roles_of
from app.extensions import db

bp = Blueprint("selection", __name__, template_folder="templates")

def _line_label(outcome: str) -> str:
    labels = {allocation.FUNDED: _("Funded"), allocation.RESERVE: _("Reserve list"),
              allocation.NOT_FUNDED: _("Not funded"), allocation.BELOW_MINIMUM: _("Below the minimum score"),
              allocation.INELIGIBLE: _("Not eligible"), allocation.UNSCORED: _("No review")}
    return labels.get(outcome, outcome)


def _link(endpoint: str, **values: Any) -> str | None:
    """The address of another owner's page when its blueprint is registered (None otherwise)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"score_text": scoring.display, "line_label": _line_label, "link_if": _link,
            "criterion_name": _criterion_name, "view_functions": current_app.view_functions}


def _criterion_name(criterion: scoring.Criterion) -> str:
    """A criterion's name in the reader's language (French, then its code, when missing)."""
    locale = str(get_locale() or "fr")
    return criterion.name.get(locale) or criterion.name.get("fr") or criterion.code


def _call_or_404(call_id: int):  # noqa: ANN202
    call = queries.call_or_none(call_id)
    if call is None:
        abort(404)
    return call


def _is_secretariat() -> bool:
    return Role.secretariat in roles_of(current_user)


def _reviewer_lines(data: selection.Board) -> list[selection.ReviewerLine]:
    """The secretariat sees every reviewer's calibration; a committee member only their own line."""
    if _is_secretariat():
        return data.reviewers
    return [line for line in data.reviewers if line.stats.reviewer_id == current_user.id]


# Settings --------------------------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/selection/settings", methods=["GET", "POST"])
@require("selection.decide")
def settings(call_id: int):
    call = _call_or_404(call_id)
    from app.calls import review_queries

    row = review_queries.settings_of(call)
    form = SettingsForm(data={"ranking": row.ranking, "min_score": row.min_score, "mode": row.mode,
                              "reserve_size": row.reserve_size} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            selection.update_settings(call, actor=current_user, ranking=form.ranking.data,
                                      min_score=form.min_score.data or "", mode=form.mode.data,
                                      reserve_size=form.reserve_size.data)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("The selection settings are saved."), "success")
            return redirect(url_for("selection.trial", call_id=call.id))
    return render_template("calls/selection/settings.html", call=call, form=form,
                           locked=call.status in (CallStatus.decided, CallStatus.published)), \
        422 if form.errors else 200


# Ranking ---------------------------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/ranking")
@require("selection.view")
def ranking(call_id: int):
    call = _call_or_404(call_id)
    data = selection.board(call)
    basis = request.args.get("by") if request.args.get("by") in {b.value for b in RankingBasis} \
        else str(data.settings.ranking)
    rows = data.ordered(basis)
    return render_template("calls/selection/ranking.html", call=call, data=data, rows=rows, basis=basis,
                           bases=RankingBasis, reviewer_lines=_reviewer_lines(data),
                           secretariat=_is_secretariat(), move=selection.MOVE_HIGHLIGHT,
                           minimum=scoring.MIN_CALIBRATION_REVIEWS, user=current_user)


# Trial allocation -----------------------------------------------------------------------------------

def _trial_page(call, data: selection.Board, *, form_values: dict[str, str] | None = None,  # noqa: ANN001
                form_errors: dict[str, str] | None = None, whole_errors: list[str] | None = None,
                decision_form: DecisionForm | None = None, status: int = 200):
    saved = selection.saved_params(call, data.settings)
    entered = read_trial(request.args, default=saved, proposal_ids=[r.proposal.id for r in data.rows])
    params = entered.params
    if selection.amount_problems(data, params.amounts):
        for pid, why in selection.amount_problems(data, params.amounts).items():
            entered.errors[f"amount_{pid}"] = (_("The amount is above the proposal's maximum grant.")
                                               if why == "above_max" else _("Enter an amount above zero."))
        params = selection.TrialParams(params.envelope_cents, params.ranking, params.mode, params.reserve_size,
                                       params.min_score, {})
    line = selection.trial(data, params)
    is_saved = (params.envelope_cents, params.ranking, params.mode, params.reserve_size, params.min_score) == \
        (saved.envelope_cents, saved.ranking, saved.mode, saved.reserve_size, saved.min_score)
    may_decide = can(current_user, "selection.decide") and call.status == CallStatus.in_review and is_saved \
        and not entered.errors
    values = dict(form_values or {})
    if may_decide and form_values is None:
        for d in selection.line_decisions(line):
            values[f"outcome_{d.proposal_id}"] = d.outcome
            values[f"amount_{d.proposal_id}"] = str(from_cents(d.amount_cents)) if d.amount_cents else ""
    reserve = [p for p in line.placements if p.outcome == allocation.RESERVE]
    return render_template(
        "calls/selection/trial.html", call=call, data=data, line=line, params=params, entered=entered,
        saved=saved, is_saved=is_saved, may_decide=may_decide, values=values, field_errors=form_errors or {},
        whole_errors=whole_errors or [], decision_form=decision_form or DecisionForm(formdata=None),
        reserve=reserve, bases=RankingBasis, modes=LineMode, outcomes=DecisionOutcome, from_cents=from_cents,
        user=current_user, line_decision=allocation.line_decision), status


@bp.route("/calls/<int:call_id>/allocation")
@require("selection.view")
def trial(call_id: int):
    """Change the envelope, the minimum, the ranking, the mode or the amounts and see the line move; saves nothing."""
    call = _call_or_404(call_id)
    return _trial_page(call, selection.board(call))


# Decision -------------------------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/decision", methods=["POST"])
@require("selection.decide")
def decide(call_id: int):
    """Check your answers first (no ``confirm`` in the form), then record the decision."""
    call = _call_or_404(call_id)
    if call.status != CallStatus.in_review:
        flash(_("The decision can be recorded only while the call is in review."), "error")
        return redirect(url_for("selection.decision", call_id=call.id))
    data = selection.board(call)
    ids = [r.proposal.id for r in data.rows]
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    entered = read_decision(request.form, ids)
    amounts = {}
    for pid in ids:
        text = (request.form.get(f"set_{pid}") or "").strip()
        if (amount := int_or_none(text, low=0)) is not None:
            amounts[pid] = amount
    saved = selection.saved_params(call, data.settings, amounts)
    line = selection.trial(data, saved)
    problems = allocation.decision_problems(line, entered.decided,
                                            max_grants={r.proposal.id: r.proposal.max_grant_cents for r in data.rows})
    problems += [(d.proposal_id, "short_reason", {}) for d in allocation.departures(line, entered.decided)
                 if d.reason.strip() and len(d.reason.strip()) < selection.MIN_REASON]
    fields, whole = problem_messages([p for p in problems if f"outcome_{p[0]}" not in entered.errors
                                      and f"amount_{p[0]}" not in entered.errors])
    fields = {**fields, **entered.errors}
    if fields or whole:
        return _trial_page(call, data, form_values=entered.typed, form_errors=fields, whole_errors=whole,
                           decision_form=form, status=422)
    if "confirm" not in request.form:
        by_id = {p.proposal_id: p for p in line.placements}
        departed = {d.proposal_id for d in allocation.departures(line, entered.decided)}
        committed = sum(d.amount_cents for d in entered.decided if d.outcome == allocation.SELECTED)
        return render_template("calls/selection/decide.html", call=call, data=data, decided=entered.decided,
                               by_id=by_id, departed=departed, committed=committed, line=line, amounts=amounts,
                               minutes=form.minutes.data or "", outcomes=DecisionOutcome, from_cents=from_cents)
    try:
        selection.record_decision(call, actor=current_user, decided=entered.decided, minutes=form.minutes.data or "",
                                  amounts=amounts)
    except selection.DecisionRefused as exc:
        db.session.rollback()
        fields, whole = problem_messages(exc.problems)
        return _trial_page(call, selection.board(call), form_values=entered.typed, form_errors=fields,
                           whole_errors=whole or [str(exc.message)], decision_form=form, status=422)
    except (IntegrityError, OperationalError):
        db.session.rollback()
        flash(_("A decision is already recorded for this call."), "error")
        return redirect(url_for("selection.decision", call_id=call.id))
    db.session.commit()
    flash(_("The decision is recorded. Publish it to tell the applicants."), "success")
    return redirect(url_for("selection.decision", call_id=call.id))


def _decision_items(decision: SelectionDecision) -> list[ProposalDecision]:
    return list(db.session.scalars(
        select(ProposalDecision).where(ProposalDecision.decision_id == decision.id)
        .options(selectinload(ProposalDecision.proposal).selectinload(Proposal.lead_member))
        .order_by(ProposalDecision.rank.is_(None), ProposalDecision.rank, ProposalDecision.proposal_id)))


@bp.route("/calls/<int:call_id>/decision")
@require("selection.view")
def decision(call_id: int):
    call = _call_or_404(call_id)
    record = selection.decision_of(call.id)
    items = _decision_items(record) if record else []
    from app.calls import conflicts

    known = conflicts.of_proposals([i.proposal_id for i in items]) if items and not _is_secretariat() else {}
    masked = {i.proposal_id for i in items if conflicts.is_conflicted(current_user, i.proposal_id, known=known)}
    return render_template("calls/selection/decision.html", call=call, record=record, items=items, masked=masked,
                           outcomes=DecisionOutcome, bases=RankingBasis, modes=LineMode,
                           may_publish=can(current_user, "selection.publish") and call.status == CallStatus.decided,
                           from_cents=from_cents, score_of=_score_of)


def _score_of(text: str) -> str:
    if not text:
        return ""
    from fractions import Fraction

    return scoring.display(Fraction(text))


@bp.route("/calls/<int:call_id>/decision/publish", methods=["GET", "POST"])
@require("selection.publish")
def publish(call_id: int):
    """A confirmation page (GET), then the publication and the letters (POST)."""
    call = _call_or_404(call_id)
    record = selection.decision_of(call.id)
    if record is None or call.status != CallStatus.decided:
        flash(_("Only a recorded decision that is not yet published can be published."), "error")
        return redirect(url_for("selection.decision", call_id=call.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            sent = selection.publish_decision(call, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(ngettext("The decision is published: %(num)d letter is on its way.",
                           "The decision is published: %(num)d letters are on their way.", sent), "success")
        return redirect(url_for("selection.decision", call_id=call.id))
    leads = len(record.items)
    return render_template("calls/selection/publish.html", call=call, record=record, form=form, leads=leads)
