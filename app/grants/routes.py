"""Pages of the grant agreements: the list, a grant made from a selected proposal, the grant's page, its
terms, schedule, signatures, status, agreement PDF, early releases, payments and corrections.

Routes load (404), check the permission (``@require`` + ``ensure`` at object level), validate the form,
call a service, commit once, flash, redirect. Irreversible steps (signing, a status change, an early
release, a payment, a correction) show a check-your-answers page first (no ``confirm`` in the form).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.calls.models import Call
from app.calls.money import euros, from_cents
from app.core.bounds import bounded_int
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import ensure, require
from app.extensions import db
from app.grants import agreement_pdf, agreements, instalments, ledger
from app.grants.forms import (
    AgreementForm,
    ConfirmForm,
    DisbursementForm,
    ReleaseForm,
    ReverseForm,
    SignForm,
    StatusForm,
    cents_of,
    decimal_text,
    read_schedule,
)
from app.grants.models import (
    Grant,
    GrantStatus,
    Instalment,
    InstalmentCondition,
    LedgerEntry,
    Report,
    TransactionType,
)
from app.members.models import Member

bp = Blueprint("grants", __name__, template_folder="templates")

#: Blank rows offered below the schedule's instalments (no JavaScript to add one).
SPARE_ROWS = 2


def _cents_text(cents: int | None) -> str:
    return euros(from_cents(cents))


def _grant_ids_of_call(call_id: int) -> dict[int, int]:
    """proposal id → grant id of a call's grants, once per request (the decision page's links)."""
    cache = g.setdefault("grant_ids_by_call", {})
    if call_id not in cache:
        rows = db.session.execute(select(Grant.proposal_id, Grant.id).where(Grant.call_id == call_id))
        cache[call_id] = {proposal_id: grant_id for proposal_id, grant_id in rows}
    return cache[call_id]


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"grant_status": GrantStatus, "transaction_type": TransactionType, "grant_ids_of_call": _grant_ids_of_call}


@bp.app_template_filter("cents")
def _cents_filter(cents: int | None) -> str:
    return _cents_text(cents)


def _grant_or_404(grant_id: int) -> Grant:
    grant = db.session.get(Grant, grant_id)
    if grant is None:
        abort(404)
    return grant


def _visible(grant_id: int) -> Grant:
    grant = _grant_or_404(grant_id)
    ensure(agreements.can_view(grant, current_user))
    return grant


def _to_grant(grant: Grant):  # noqa: ANN202
    return redirect(url_for("grants.detail", grant_id=grant.id))


# List ------------------------------------------------------------------------------------------------

@bp.route("/grants")
@require("grant.view")
def index():
    secretariat = agreements.is_secretariat(current_user)
    query = select(Grant).options(joinedload(Grant.lead_member), joinedload(Grant.call))
    call_id = request.args.get("call", type=bounded_int)
    status = request.args.get("status", "")
    search = (request.args.get("q") or "").strip()
    if not secretariat:
        query = query.where(Grant.lead_member_id == (current_user.member_id or -1))
    if call_id:
        query = query.where(Grant.call_id == call_id)
    if status in {s.value for s in GrantStatus}:
        query = query.where(Grant.status == status)
    if search:
        like = f"%{search}%"
        query = query.join(Member, Member.id == Grant.lead_member_id).where(
            or_(Grant.number.ilike(like), Grant.title.ilike(like), Member.name.ilike(like)))
    page = db.paginate(query.order_by(Grant.created_at.desc(), Grant.id.desc()),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    sums = ledger.totals_of([grant.id for grant in page.items])
    calls = list(db.session.scalars(select(Call).where(Call.id.in_(select(Grant.call_id).distinct()))
                                    .order_by(Call.id))) if secretariat else []
    waiting = agreements.selected_without_grant() if secretariat else []
    return render_template("grants/index.html", page=page, sums=sums, calls=calls, waiting=waiting,
                           secretariat=secretariat, call_id=call_id, status=status, search=search,
                           statuses=GrantStatus)


# A grant from a selected proposal ---------------------------------------------------------------------

def _terms(form: AgreementForm) -> agreements.Terms:
    return agreements.Terms(title=form.title.data or "", summary=form.summary.data or "",
                            starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                            awarded_cents=cents_of(form.awarded.data), local_currency=form.local_currency.data or "",
                            language=form.language.data)


def _form_data(terms: agreements.Terms) -> dict[str, Any]:
    return {"title": terms.title, "summary": terms.summary, "starts_on": terms.starts_on, "ends_on": terms.ends_on,
            "awarded": str(from_cents(terms.awarded_cents)), "local_currency": terms.local_currency,
            "language": terms.language}


@bp.route("/grants/new", methods=["GET", "POST"])
@require("grant.manage")
def new():
    proposal_id = request.args.get("proposal", type=bounded_int)
    item = agreements.selected_item(proposal_id) if proposal_id else None
    if item is None:
        abort(404)
    existing = agreements.grants_by_proposal([item.proposal_id])
    if existing:
        flash(_("This proposal already has a grant."), "info")
        return redirect(url_for("grants.detail", grant_id=existing[item.proposal_id]))
    form = AgreementForm(data=_form_data(agreements.default_terms(item)) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            grant = agreements.create_grant(item, _terms(form), actor=current_user)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("The grant %(number)s is drafted. Set its instalments, then record the signatures.",
                    number=grant.number), "success")
            return redirect(url_for("grants.schedule", grant_id=grant.id))
    return render_template("grants/new.html", form=form, item=item, proposal=item.proposal), \
        422 if form.errors else 200


# The grant -------------------------------------------------------------------------------------------

@bp.route("/grants/<int:grant_id>")
@require("grant.view")
def detail(grant_id: int):
    grant = _visible(grant_id)
    rows = ledger.entries_of(grant.id)
    sums = ledger.totals(grant, rows)
    states = instalments.states(grant, rows)
    reversed_ids = {r.reverses_id for r in rows if r.reverses_id}
    return render_template("grants/detail.html", grant=grant, sums=sums, states=states, rows=rows,
                           reversed_ids=reversed_ids, manage=agreements.is_secretariat(current_user),
                           condition_text=instalments.condition_text, view_functions=current_app.view_functions,
                           payable=grant.status in ledger.PAYABLE, reversible=ledger.REVERSIBLE)


@bp.route("/grants/<int:grant_id>/edit", methods=["GET", "POST"])
@require("grant.manage")
def edit(grant_id: int):
    grant = _grant_or_404(grant_id)
    if grant.status != GrantStatus.draft:
        flash(_("The agreement can be edited only while it is a draft."), "error")
        return _to_grant(grant)
    data = {"title": grant.title, "summary": grant.summary, "starts_on": grant.starts_on, "ends_on": grant.ends_on,
            "awarded": str(grant.awarded), "local_currency": grant.local_currency, "language": grant.language}
    form = AgreementForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            agreements.update_terms(grant, _terms(form), actor=current_user)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("The agreement is saved."), "success")
            return _to_grant(grant)
    return render_template("grants/edit.html", form=form, grant=grant), 422 if form.errors else 200


@bp.route("/grants/<int:grant_id>/agreement.pdf")
@require("grant.view")
def agreement(grant_id: int):
    grant = _visible(grant_id)
    body = agreement_pdf.agreement_pdf(grant)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{agreement_pdf.agreement_filename(grant)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Schedule --------------------------------------------------------------------------------------------

@bp.route("/grants/<int:grant_id>/instalments", methods=["GET", "POST"])
@require("grant.manage")
def schedule(grant_id: int):
    grant = _grant_or_404(grant_id)
    current = list(db.session.scalars(select(Instalment).where(Instalment.grant_id == grant.id)
                                      .order_by(Instalment.number)))
    reports = list(db.session.scalars(select(Report).where(Report.grant_id == grant.id).order_by(Report.number)))
    editable = grant.status in instalments.EDITABLE
    count = len(current) + SPARE_ROWS
    form = ConfirmForm()
    errors: dict[str, str] = {}
    whole: list[str] = []
    if request.method == "POST":
        if not editable:
            flash(_("The schedule can change only while the agreement is a draft or just signed."), "error")
            return _to_grant(grant)
        if not form.validate_on_submit():
            abort(400)
        count = max(count, request.form.get("rows", type=bounded_int) or 0)
        entered = read_schedule(request.form, min(count, 50))
        typed, errors = entered.typed, entered.errors
        if not errors:
            try:
                instalments.save_schedule(grant, entered.rows, actor=current_user)
            except DomainError as exc:
                db.session.rollback()
                whole = [str(exc.message)]
            else:
                db.session.commit()
                flash(_("The instalments are saved."), "success")
                return _to_grant(grant)
    else:
        typed = {}
        for item in current:
            typed[f"amount_{item.number}"] = str(item.amount)
            typed[f"condition_{item.number}"] = item.condition
            typed[f"report_{item.number}"] = str(item.condition_report_id or "")
            typed[f"share_{item.number}"] = str(item.condition_share_percent or "")
    status = 422 if errors or whole else 200
    return render_template("grants/schedule.html", grant=grant, form=form, count=count, typed=typed, errors=errors,
                           whole=whole, reports=reports, conditions=InstalmentCondition, editable=editable), status


@bp.route("/grants/<int:grant_id>/instalments/<int:instalment_id>/release", methods=["GET", "POST"])
@require("grant.manage")
def release(grant_id: int, instalment_id: int):
    grant = _grant_or_404(grant_id)
    item = db.session.get(Instalment, instalment_id)
    if item is None or item.grant_id != grant.id:
        abort(404)
    form = ReleaseForm()
    confirming = False
    if form.validate_on_submit():
        if not form.confirm.data:
            confirming = True
        else:
            try:
                instalments.release_early(grant, item, reason=form.reason.data or "", actor=current_user)
            except DomainError as exc:
                fail_at_field(form, exc)
            else:
                db.session.commit()
                flash(_("Instalment %(n)d is released early: it can be paid.", n=item.number), "success")
                return _to_grant(grant)
    due = instalments.due_of(grant, item)
    return render_template("grants/release.html", grant=grant, item=item, form=form, confirming=confirming,
                           due=due, missing=instalments.missing_text(due.missing) if due.missing else "",
                           condition_text=instalments.condition_text), 422 if form.errors else 200


# Signatures and status ----------------------------------------------------------------------------------

@bp.route("/grants/<int:grant_id>/sign", methods=["GET", "POST"])
@require("grant.manage")
def sign(grant_id: int):
    grant = _grant_or_404(grant_id)
    if grant.status != GrantStatus.draft:
        flash(_("The agreement is already signed."), "info")
        return _to_grant(grant)
    form = SignForm()
    confirming = False
    if form.validate_on_submit():
        if not form.confirm.data:
            confirming = True
        else:
            try:
                agreements.sign(grant, grantee_on=form.grantee_on.data, programme_on=form.programme_on.data,
                                actor=current_user)
            except DomainError as exc:
                fail_at_field(form, exc)
            else:
                db.session.commit()
                flash(_("The agreement is signed and the award committed."), "success")
                return _to_grant(grant)
    return render_template("grants/sign.html", grant=grant, form=form, confirming=confirming), \
        422 if form.errors else 200


@bp.route("/grants/<int:grant_id>/status", methods=["GET", "POST"])
@require("grant.manage")
def status(grant_id: int):
    grant = _grant_or_404(grant_id)
    moves = agreements.moves(grant)
    form = StatusForm()
    form.target.choices = [(m.value, m.label) for m in moves]
    confirming = False
    if moves and form.validate_on_submit():
        if form.target.data == GrantStatus.terminated and not (form.reason.data or "").strip():
            form.reason.errors = [*form.reason.errors, _("Give the reason for terminating the grant.")]
        elif not form.confirm.data:
            confirming = True
        else:
            try:
                agreements.change_status(grant, form.target.data, reason=form.reason.data or "", actor=current_user)
            except DomainError as exc:
                fail_at_field(form, exc)
            else:
                db.session.commit()
                flash(_("The grant is now “%(status)s”.", status=GrantStatus(grant.status).label), "success")
                return _to_grant(grant)
    target = GrantStatus(form.target.data) if confirming else None
    return render_template("grants/status.html", grant=grant, form=form, moves=moves, confirming=confirming,
                           target=target), 422 if form.errors else 200


# Payments and corrections ---------------------------------------------------------------------------

@bp.route("/grants/<int:grant_id>/disbursements", methods=["GET", "POST"])
@require("grant.pay")
def disbursements(grant_id: int):
    grant = _grant_or_404(grant_id)
    rows = ledger.entries_of(grant.id)
    states = instalments.states(grant, rows)
    form = DisbursementForm()
    form.instalment.choices = [(s.instalment.id, _("Instalment %(n)d · %(rest)s to pay", n=s.instalment.number,
                                                    rest=_cents_text(s.remaining_cents)))
                               for s in states if s.due.due and not s.settled]
    if request.method == "GET":
        form.value_date.data = date.today()
    confirming = False
    if grant.status in ledger.PAYABLE and form.validate_on_submit():
        item = db.session.get(Instalment, form.instalment.data)
        if item is None or item.grant_id != grant.id:
            abort(400)
        if not form.confirm.data:
            confirming = True
        else:
            try:
                ledger.record_disbursement(
                    grant, item, amount_cents=cents_of(form.amount.data), on=form.value_date.data,
                    reference=form.reference.data or "", local_currency=grant.local_currency,
                    local_amount=decimal_text(form.local_amount.data or ""),
                    exchange_rate=decimal_text(form.exchange_rate.data or ""), note=form.note.data or "",
                    actor=current_user)
            except DomainError as exc:
                fail_at_field(form, exc)
            else:
                db.session.commit()
                flash(_("The payment of %(amount)s is recorded.", amount=euros(from_cents(cents_of(form.amount.data)))),
                      "success")
                return _to_grant(grant)
    chosen = next((s for s in states if s.instalment.id == form.instalment.data), None)
    return render_template("grants/disbursement.html", grant=grant, form=form, states=states,
                           sums=ledger.totals(grant, rows), confirming=confirming, chosen=chosen,
                           payable=grant.status in ledger.PAYABLE), 422 if form.errors else 200


@bp.route("/grants/<int:grant_id>/ledger/<int:entry_id>/reverse", methods=["GET", "POST"])
@require("grant.pay")
def reverse(grant_id: int, entry_id: int):
    grant = _grant_or_404(grant_id)
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.grant_id != grant.id:
        abort(404)
    form = ReverseForm()
    if request.method == "GET":
        form.value_date.data = date.today()
    confirming = False
    if form.validate_on_submit():
        cents = cents_of(form.amount.data) if form.amount.data else None
        if not form.confirm.data:
            confirming = True
        else:
            try:
                ledger.reverse(grant, entry, reason=form.reason.data or "", on=form.value_date.data,
                               amount_cents=cents, actor=current_user)
            except DomainError as exc:
                fail_at_field(form, exc)
            else:
                db.session.commit()
                flash(_("The correcting entry is recorded."), "success")
                return _to_grant(grant)
    return render_template("grants/reverse.html", grant=grant, entry=entry, form=form, confirming=confirming,
                           types=TransactionType), 422 if form.errors else 200
