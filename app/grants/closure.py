"""Closing a grant: the balance settled through the ledger, then the status ``closed``; the closing statement.

A grant closes from ``closing`` when every report is approved (at least one) and the balance is settled
(``rules.closing_balance``): justified expenditure vs paid gives the refund the grantee owes (paid >
justified) or the final payment still due (justified > paid, never beyond the award). The settlement is
one disbursement entry (negative for a refund) written by ``ledger.record_settlement`` -- the ledger's
only writer -- with the date and reference of the bank transfer; the status then moves through
``agreements.change_status``. Nothing is stored as a total: the statement reads the ledger again.
Services flush, never commit; refusals are ``DomainError``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from app.assembly.minutes import html_to_pdf, when
from app.calls.money import euros, from_cents
from app.core import audit
from app.core.errors import DomainError
from app.core.i18n import text_direction
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import agreements, ledger, rules
from app.grants.models import (
    BudgetVersion,
    Grant,
    GrantStatus,
    Instalment,
    LedgerEntry,
    Report,
    TransactionType,
)

LANGUAGES = ("fr", "en", "ar")


@dataclass(frozen=True)
class Closing:
    """What the closing page and the statement show, all read from the ledger and the reports."""

    grant: Grant
    totals: rules.Totals
    balance: rules.ClosingBalance
    reports: list[Report]
    settlement: LedgerEntry | None

    @property
    def can_close(self) -> bool:
        return self.grant.status == GrantStatus.closing and self.balance.closable

    @property
    def unused_cents(self) -> int:
        """What the programme committed and will not spend: committed − justified (never below 0)."""
        return max(self.totals.committed_cents - self.totals.justified_cents, 0)


def closing_of(grant: Grant) -> Closing:
    rows = ledger.entries_of(grant.id)
    totals = rules.totals(ledger.as_rule_entry(r) for r in rows)
    reports = list(db.session.scalars(select(Report).where(Report.grant_id == grant.id).order_by(Report.number)))
    balance = rules.closing_balance(award_cents=grant.awarded_cents, paid_cents=totals.paid_cents,
                                    justified_cents=totals.justified_cents,
                                    reports=[rules.ReportDue(r.id, r.due_on, r.status) for r in reports])
    settlement = next((r for r in reversed(rows) if r.type == TransactionType.disbursement
                       and r.instalment_id is None and r.reverses_id is None), None)
    return Closing(grant, totals, balance, reports, settlement)


def problem_text(problem: rules.Problem, reports: list[Report] | None = None) -> str:
    """Why a grant cannot close yet, in words."""
    if problem.key == "no_reports":
        return _("The grant has no report: it closes on its final report.")
    if problem.key == "reports_not_approved":
        numbers = {r.id: r.number for r in reports or []}
        listed = ", ".join(str(numbers.get(i, i)) for i in problem.params["report_ids"])
        return ngettext("Report %(numbers)s is not approved yet.", "Reports %(numbers)s are not approved yet.",
                        problem.params["count"], numbers=listed)
    return problem.key


def close(grant: Grant, *, on: date, reference: str, actor: Any) -> Grant:
    """Settle the balance (refund received or final payment made on ``on``, bank ``reference``) and close.

    Refused unless the grant is closing and every report is approved; a balance to settle needs its
    reference. The settlement and the status change are one transaction (the route commits once).
    """
    grant = ledger.locked_grant(grant.id)
    if grant.status != GrantStatus.closing:
        raise DomainError(_("Only a grant in the “Closing” status can be closed."))
    state = closing_of(grant)
    if state.balance.problems:
        raise DomainError(problem_text(state.balance.problems[0], state.reports))
    amount = state.balance.final_payment_cents - state.balance.refund_cents
    if amount:
        if not reference.strip():
            raise DomainError(_("Enter the reference of the transfer that settles the balance."), field="reference")
        if on > utcnow().date():
            raise DomainError(_("The transfer's date cannot be in the future."), field="on")
        note = _("Refund of the closing balance") if amount < 0 else _("Final payment of the closing balance")
        ledger.record_settlement(grant, amount_cents=amount, on=on, reference=reference, actor=actor, note=note)
        if not closing_of(grant).balance.settled:  # the ledger moved under us: refuse rather than close unsettled
            raise DomainError(_("The balance changed while closing; look at the figures again."))
    agreements.change_status(grant, GrantStatus.closed, actor=actor, settled=True)
    audit.record("grant.closed", "grant", grant.id, actor=actor,
                 after={"refund_cents": state.balance.refund_cents,
                        "final_payment_cents": state.balance.final_payment_cents, "reference": reference.strip()})
    return grant


# --- the closing statement (PDF) ---------------------------------------------------------------------

def statement_locale(grant: Grant) -> str:
    return grant.language if grant.language in LANGUAGES else "fr"


def _lines(grant: Grant) -> list[dict[str, Any]]:
    """Per budget line of the last version: planned (the grant's part) and justified to date from the ledger."""
    version = db.session.scalar(select(BudgetVersion).where(BudgetVersion.grant_id == grant.id)
                                .order_by(BudgetVersion.number.desc()).limit(1))
    spent: dict[str, int] = {}
    for code, cents in db.session.execute(
            select(LedgerEntry.budget_line_code, LedgerEntry.amount_cents)
            .where(LedgerEntry.grant_id == grant.id, LedgerEntry.type == TransactionType.expenditure)):
        spent[code] = spent.get(code, 0) + cents
    lines = [{"code": line.code, "category": line.category, "description": line.description,
              "planned": from_cents(line.planned_cents), "spent": from_cents(spent.pop(line.code, 0))}
             for line in (version.lines if version else [])]
    lines += [{"code": code, "category": "", "description": "", "planned": from_cents(0),
               "spent": from_cents(cents)} for code, cents in sorted(spent.items())]
    return lines


def statement_html(grant: Grant, locale: str | None = None) -> str:
    locale = locale or statement_locale(grant)
    state = closing_of(grant)
    paid = list(db.session.execute(
        select(LedgerEntry.value_date, LedgerEntry.amount_cents, LedgerEntry.reference, Instalment.number)
        .outerjoin(Instalment, Instalment.id == LedgerEntry.instalment_id)
        .where(LedgerEntry.grant_id == grant.id, LedgerEntry.type == TransactionType.disbursement)
        .order_by(LedgerEntry.value_date, LedgerEntry.id)))
    with force_locale(locale):
        return render_template(
            "grants/dashboards/statement_pdf.html", grant=grant, state=state, lines=_lines(grant), paid=paid,
            money=lambda cents: euros(from_cents(cents)), problem_text=problem_text, locale=locale,
            direction=text_direction(locale), when=when, generated_at=utcnow(),
            programme=current_app.config.get("PROGRAMME_NAME") or _("Programme platform"))


def statement_pdf(grant: Grant, locale: str | None = None) -> bytes:
    """The closing statement in the grantee's language (Arabic right to left)."""
    return html_to_pdf(statement_html(grant, locale))


def statement_filename(grant: Grant) -> str:
    return f"closing-statement-{grant.number}.pdf"
