"""The one ledger of a grant: the only writer of ``LedgerEntry``.

Every amount that moves is an entry typed like an IATI transaction: the commitment (2) written when the
agreement is signed, disbursements (3) against a due instalment, justified expenditure (4) per budget line
written when a report is approved (``record_expenditure``, called by the reports), and reversing entries
(a correction is never an edit). Totals are summed from the entries by ``rules.totals``; nothing is stored
twice.

A payment locks the grant row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers) and sums
what was paid again inside the same transaction, so two payments recorded at the same moment can never
add up to more than the award. Services flush, never commit; refusals are ``DomainError``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.calls.money import euros, from_cents
from app.core import audit
from app.core.errors import DomainError
from app.extensions import db
from app.grants import rules
from app.grants.models import (
    BudgetVersion,
    Grant,
    GrantBudgetLine,
    GrantStatus,
    Instalment,
    LedgerEntry,
    ReportVersion,
    TransactionType,
)

#: Statuses in which money may be paid: not before signature, not while suspended, not once over.
PAYABLE = frozenset({GrantStatus.signed, GrantStatus.active, GrantStatus.closing})
#: What a correction needs in writing.
MIN_REASON = 10


def as_rule_entry(row: LedgerEntry) -> rules.Entry:
    return rules.Entry(type=row.type, amount_cents=row.amount_cents, id=row.id,
                       budget_line=row.budget_line_code or None, instalment_id=row.instalment_id,
                       reverses_id=row.reverses_id, on=row.value_date)


def entries_of(grant_id: int) -> list[LedgerEntry]:
    """The grant's entries in the order they were written."""
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.grant_id == grant_id)
                                   .order_by(LedgerEntry.value_date, LedgerEntry.id)))


def totals(grant: Grant, rows: Iterable[LedgerEntry] | None = None) -> rules.Totals:
    """Committed, paid, justified (and what remains) of one grant."""
    rows = entries_of(grant.id) if rows is None else rows
    return rules.totals(as_rule_entry(r) for r in rows)


def totals_of(grant_ids: Iterable[int]) -> dict[int, rules.Totals]:
    """The totals of many grants in one grouped query (lists, dashboards)."""
    ids = list(grant_ids)
    sums: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        for grant_id, type_, cents in db.session.execute(
                select(LedgerEntry.grant_id, LedgerEntry.type, func.sum(LedgerEntry.amount_cents))
                .where(LedgerEntry.grant_id.in_(ids)).group_by(LedgerEntry.grant_id, LedgerEntry.type)):
            sums[grant_id][str(type_)] = int(cents or 0)
    return {i: rules.Totals(s.get(TransactionType.commitment.value, 0), s.get(TransactionType.disbursement.value, 0),
                            s.get(TransactionType.expenditure.value, 0)) for i, s in sums.items()}


def locked_grant(grant_id: int) -> Grant:
    """The grant read again under ``FOR UPDATE`` (PostgreSQL) until the transaction ends.

    SQLite has no row locks and starts its write transaction only at the first write: a no-op UPDATE of the
    row takes the database's write lock first, so a second payment waits and then reads the first one.
    """
    query = select(Grant).where(Grant.id == grant_id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    else:
        db.session.execute(update(Grant).where(Grant.id == grant_id).values(id=Grant.id)
                           .execution_options(synchronize_session=False))
    grant = db.session.scalar(query)
    if grant is None:
        raise DomainError(_("This grant no longer exists."))
    return grant


def _write(grant: Grant, type_: TransactionType, amount_cents: int, *, on: date, actor: Any,
           **values: Any) -> LedgerEntry:
    entry = LedgerEntry(grant_id=grant.id, type=type_.value, amount_cents=amount_cents, value_date=on,
                        created_by_id=getattr(actor, "id", None), **values)
    db.session.add(entry)
    db.session.flush()
    audit.record(f"grant.ledger.{type_.name}", "grant", grant.id, actor=actor,
                 after={"entry": entry.id, "amount_cents": amount_cents, "value_date": on,
                        "instalment": entry.instalment_id, "line": entry.budget_line_code,
                        "reverses": entry.reverses_id, "reference": entry.reference})
    return entry


# Commitment ------------------------------------------------------------------------------------------

def record_commitment(grant: Grant, *, on: date, actor: Any) -> LedgerEntry:
    """The award committed (type 2), once, when the agreement is signed."""
    grant = locked_grant(grant.id)
    if totals(grant).committed_cents:
        raise DomainError(_("The award of this grant is already committed."))
    return _write(grant, TransactionType.commitment, grant.awarded_cents, on=on, actor=actor,
                  reference=grant.number)


# Disbursements ---------------------------------------------------------------------------------------

def _amount_text(cents: int) -> str:
    return euros(from_cents(cents))


def disbursement_message(problem: rules.Problem) -> str:
    """The sentence of a refused payment."""
    p = problem.params
    if problem.key == "amount_not_positive":
        return _("Enter an amount above zero.")
    if problem.key == "instalment_not_due":
        return _("This instalment is not due yet: its condition is not met and it was not released early.")
    if problem.key == "above_instalment":
        return _("The amount is above what remains of this instalment (%(rest)s).",
                 rest=_amount_text(p["remaining_cents"]))
    if problem.key == "above_award":
        return _("The payments would exceed the award: %(available)s remain to pay.",
                 available=_amount_text(p["available_cents"]))
    return problem.key


def record_disbursement(grant: Grant, instalment: Instalment, *, amount_cents: int, on: date, reference: str,
                        actor: Any, local_currency: str = "", local_amount: str = "", exchange_rate: str = "",
                        note: str = "") -> LedgerEntry:
    """A payment (type 3) against a due instalment, never above the instalment's rest nor the award.

    The grant row is locked and the paid totals are summed again inside the transaction: the check and the
    write cannot be separated by another payment.
    """
    from app.grants import instalments as schedule  # the due rule reads reports; it imports this module

    grant = locked_grant(grant.id)
    if grant.status not in PAYABLE:
        raise DomainError(_("No payment can be recorded while the grant is “%(status)s”.",
                            status=GrantStatus(grant.status).label))
    if instalment.grant_id != grant.id:
        raise DomainError(_("Choose an instalment of this grant."), field="instalment")
    if not reference.strip():
        raise DomainError(_("Enter the payment's reference."), field="reference")
    rows = entries_of(grant.id)
    sums = totals(grant, rows)
    paid_here = rules.paid_by_instalment(as_rule_entry(r) for r in rows).get(instalment.id, 0)
    due = schedule.due_of(grant, instalment, sums=sums)
    problems = rules.check_disbursement(amount_cents, award_cents=grant.awarded_cents, paid_cents=sums.paid_cents,
                                        instalment_due=due.due, instalment_cents=instalment.amount_cents,
                                        instalment_paid_cents=paid_here)
    if problems:
        field = "instalment" if problems[0].key == "instalment_not_due" else "amount"
        raise DomainError(disbursement_message(problems[0]), field=field)
    return _write(grant, TransactionType.disbursement, amount_cents, on=on, actor=actor, instalment_id=instalment.id,
                  reference=reference.strip(), local_currency=local_currency if local_amount else "",
                  local_amount=local_amount, exchange_rate=exchange_rate, note=note.strip())


def record_settlement(grant: Grant, *, amount_cents: int, on: date, reference: str, actor: Any,
                      note: str = "") -> LedgerEntry:
    """The closing balance (for the closure): a final payment (positive, never beyond the award) or a refund
    by the grantee (negative, never more than was paid), a disbursement on no instalment, while closing."""
    grant = locked_grant(grant.id)
    if grant.status != GrantStatus.closing:
        raise DomainError(_("The balance is settled only while the grant is closing."))
    sums = totals(grant)
    if amount_cents == 0:
        raise DomainError(_("Enter an amount other than zero."), field="amount")
    if amount_cents > grant.awarded_cents - sums.paid_cents:
        raise DomainError(_("The payments would exceed the award: %(available)s remain to pay.",
                            available=_amount_text(grant.awarded_cents - sums.paid_cents)), field="amount")
    if -amount_cents > sums.paid_cents:
        raise DomainError(_("A refund cannot be more than was paid (%(paid)s).",
                            paid=_amount_text(sums.paid_cents)), field="amount")
    return _write(grant, TransactionType.disbursement, amount_cents, on=on, actor=actor, reference=reference.strip(),
                  note=note.strip() or _("Closing balance"))


# Expenditure (written by an approved report) --------------------------------------------------------------

def line_codes(grant: Grant) -> set[str]:
    """Every budget line code of the grant, in any version (codes stay the same across versions)."""
    return set(db.session.scalars(select(GrantBudgetLine.code).join(BudgetVersion)
                                  .where(BudgetVersion.grant_id == grant.id)))


def record_expenditure(grant: Grant, *, version: ReportVersion, lines: Mapping[str, int], on: date,
                       actor: Any) -> list[LedgerEntry]:
    """The justified expenditure of an approved report version (type 4), one entry per budget line with an
    amount (zeros skipped); once per version. Amounts are cents, never negative (a correction reverses)."""
    grant = locked_grant(grant.id)
    known = line_codes(grant)
    for code, cents in lines.items():
        if code not in known:
            raise DomainError(_("Unknown budget line %(code)s.", code=code))
        if not isinstance(cents, int) or isinstance(cents, bool) or cents < 0:
            raise DomainError(_("The expenditure of line %(code)s must be zero or more.", code=code))
    exists = db.session.scalar(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.grant_id == grant.id, LedgerEntry.report_version_id == version.id,
        LedgerEntry.type == TransactionType.expenditure.value))
    if exists:
        raise DomainError(_("The expenditure of this report is already in the ledger."))
    return [_write(grant, TransactionType.expenditure, cents, on=on, actor=actor, budget_line_code=code,
                   report_version_id=version.id, reference=f"{grant.number}/R{version.report_id}v{version.number}")
            for code, cents in sorted(lines.items()) if cents]


# Corrections ------------------------------------------------------------------------------------------

REVERSIBLE = frozenset({TransactionType.disbursement.value, TransactionType.expenditure.value})


def reversal_message(problem: rules.Problem) -> str:
    p = problem.params
    if problem.key == "already_reversed":
        return _("This entry is already corrected.")
    if problem.key == "original_is_reversal":
        return _("A correcting entry cannot itself be corrected.")
    if problem.key == "reversal_above_original":
        return _("The correction cannot be more than the entry (%(amount)s).",
                 amount=_amount_text(p["original_cents"]))
    if problem.key == "reversal_not_negative":
        return _("Enter an amount above zero.")
    return _("This entry cannot be corrected.")


def reverse(grant: Grant, entry: LedgerEntry, *, reason: str, on: date, actor: Any,
            amount_cents: int | None = None) -> LedgerEntry:
    """A reversing entry for ``amount_cents`` (default: all) of a disbursement or an expenditure entry."""
    grant = locked_grant(grant.id)
    if entry.grant_id != grant.id:
        raise DomainError(_("This entry is not in this grant's ledger."))
    if entry.type not in REVERSIBLE:
        raise DomainError(_("Only payments and justified expenditure are corrected here."))
    if len(reason.strip()) < MIN_REASON:
        raise DomainError(_("Say why in at least %(n)d characters.", n=MIN_REASON), field="reason")
    cents = entry.amount_cents if amount_cents is None else amount_cents
    candidate = rules.reversal_of(as_rule_entry(entry), cents, on=on)
    problems = rules.check_reversal(candidate, (as_rule_entry(r) for r in entries_of(grant.id)))
    if problems:
        raise DomainError(reversal_message(problems[0]), field="amount")
    return _write(grant, TransactionType(entry.type), candidate.amount_cents, on=on, actor=actor,
                  instalment_id=entry.instalment_id, report_version_id=entry.report_version_id,
                  budget_line_code=entry.budget_line_code, reference=entry.reference, reverses_id=entry.id,
                  local_currency=entry.local_currency, note=reason.strip())
