"""Expenditure against the budget, and budget amendments.

The statement (``statement``) puts, per budget line of the current version, the plan beside what the ledger
says was spent (expenditure entries, type 4, written when a report is approved): spent in a period, spent to
date, remaining, the variance and its flag beyond the grant's tolerance -- every figure from
``rules.budget_variance``, nothing stored twice. A line that has spending but is no longer in the current
version still shows (planned 0, flagged).

An amendment is the grantee's request to move planned amounts between lines (the total stays the same) and/or
extend the end date, checked by ``rules.check_amendment``. Approving it makes a new ``BudgetVersion`` (the
earlier ones are kept and shown); declining it needs a reason. One request waits at a time.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calls.money import euros, from_cents
from app.core import audit
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import rules
from app.grants.models import (
    AmendmentState,
    BudgetAmendment,
    BudgetVersion,
    Grant,
    GrantBudgetLine,
    GrantStatus,
    LedgerEntry,
    Report,
    TransactionType,
)

#: Grant statuses in which the grantee may ask for an amendment and the secretariat decide it.
AMENDABLE = frozenset({GrantStatus.signed, GrantStatus.active, GrantStatus.suspended})
MAX_REASON = 5000


def versions(grant: Grant) -> list[BudgetVersion]:
    """Every version of the budget, oldest first, with their lines."""
    return list(db.session.scalars(select(BudgetVersion).where(BudgetVersion.grant_id == grant.id)
                                   .options(selectinload(BudgetVersion.lines)).order_by(BudgetVersion.number)))


def current_version(grant: Grant) -> BudgetVersion | None:
    return db.session.scalar(select(BudgetVersion).where(BudgetVersion.grant_id == grant.id)
                             .options(selectinload(BudgetVersion.lines))
                             .order_by(BudgetVersion.number.desc()).limit(1))


def tolerance(grant: Grant) -> Decimal:
    """The grant's tolerance as a share (10 → 0.10)."""
    return Decimal(grant.tolerance_percent) / 100


def spent_by_line(grant: Grant, *, period: tuple[date, date] | None = None) -> dict[str, int]:
    """Justified expenditure per budget line code, to date or within ``period`` (both days included)."""
    query = (select(LedgerEntry.budget_line_code, func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
             .where(LedgerEntry.grant_id == grant.id, LedgerEntry.type == TransactionType.expenditure.value)
             .group_by(LedgerEntry.budget_line_code))
    if period is not None:
        query = query.where(LedgerEntry.value_date >= period[0], LedgerEntry.value_date <= period[1])
    return {code: int(total) for code, total in db.session.execute(query).all()}


@dataclass(frozen=True)
class Row:
    code: str
    category: str
    description: str
    grant_cents: int
    figures: rules.LineVariance

    @property
    def flag_label(self) -> str:
        return flag_label(self.figures.flag)


@dataclass(frozen=True)
class Statement:
    version: BudgetVersion | None
    rows: list[Row]
    total: rules.LineVariance
    tolerance_percent: int
    period: tuple[date, date] | None
    period_report: Report | None


def default_period_report(grant: Grant) -> Report | None:
    """The period shown by default: the latest approved report's."""
    return db.session.scalar(select(Report).where(Report.grant_id == grant.id, Report.status == "approved")
                             .order_by(Report.period_ends_on.desc(), Report.number.desc()).limit(1))


def statement(grant: Grant, *, period_report: Report | None = None) -> Statement:
    """Per line of the current version: planned, spent in the report's period, to date, remaining, variance.

    Underspending is flagged only once the grant is closing or closed: until then a line is naturally below
    its plan; overspending beyond the tolerance is flagged at once.
    """
    version = current_version(grant)
    period = (period_report.period_starts_on, period_report.period_ends_on) if period_report else None
    to_date = spent_by_line(grant)
    in_period = spent_by_line(grant, period=period) if period else {}
    lines: list[tuple[str, str, str, int, int]] = [
        (line.code, line.category, line.description, line.planned_cents, line.grant_cents)
        for line in (version.lines if version else [])]
    known = {code for code, *_rest in lines}
    for code in sorted(set(to_date) - known):  # spending on a line no longer planned
        lines.append((code, "", "", 0, 0))
    figures, total = rules.budget_variance(
        [rules.BudgetLine(code, planned, in_period.get(code, 0), to_date.get(code, 0))
         for code, _c, _d, planned, _g in lines], tolerance=tolerance(grant),
        final=grant.status in ("closing", "closed"))
    rows = [Row(code, category, description, grant_cents, fig)
            for (code, category, description, _p, grant_cents), fig in zip(lines, figures, strict=True)]
    return Statement(version, rows, total, grant.tolerance_percent, period, period_report)


def flag_label(flag: str | None) -> str:
    return {rules.OVERSPENT: _("Overspent beyond the tolerance"),
            rules.UNDERSPENT: _("Underspent beyond the tolerance"),
            rules.UNPLANNED: _("Spending on a line with nothing planned")}.get(flag or "", "")


# Amendments ---------------------------------------------------------------------------------------------------

def pending(grant: Grant) -> BudgetAmendment | None:
    return db.session.scalar(select(BudgetAmendment).where(BudgetAmendment.grant_id == grant.id,
                                                           BudgetAmendment.state == AmendmentState.requested)
                             .order_by(BudgetAmendment.id.desc()).limit(1))


def amendments(grant: Grant) -> list[BudgetAmendment]:
    return list(db.session.scalars(select(BudgetAmendment).where(BudgetAmendment.grant_id == grant.id)
                                   .order_by(BudgetAmendment.id.desc())))


def _problem_text(problem: rules.Problem) -> tuple[str, str]:
    """A refusal of ``rules.check_amendment`` as (field, sentence)."""
    p = problem.params
    code = str(p.get("line", ""))
    if problem.key == "nothing_changed":
        return "reason", _("Change at least one line or the end date.")
    if problem.key == "total_changed":
        return "total", _("The lines must still add up to %(before)s (they add up to %(after)s: a difference of "
                          "%(diff)s).", before=euros(from_cents(p["before_cents"])),
                          after=euros(from_cents(p["after_cents"])), diff=euros(from_cents(p["difference_cents"])))
    if problem.key == "line_negative":
        return f"line_{code}", _("A line cannot be negative.")
    if problem.key == "line_below_spent":
        return f"line_{code}", _("Line %(code)s cannot be planned below what is already spent on it (%(spent)s).",
                                 code=code, spent=euros(from_cents(p["spent_cents"])))
    if problem.key == "end_before_start":
        return "new_ends_on", _("The new end date cannot be before the grant starts.")
    if problem.key == "end_in_past":
        return "new_ends_on", _("The new end date cannot be in the past.")
    return "reason", problem.key


def check_request(grant: Grant, lines: Mapping[str, int], new_ends_on: date | None, *, today: date
                  ) -> list[tuple[str, str]]:
    """Every reason an amendment cannot stand, as (field, sentence): the form shows them all at once."""
    version = current_version(grant)
    if version is None:
        return [("reason", _("This grant has no budget to amend."))]
    current = {line.code: line.planned_cents for line in version.lines}
    if any(code not in current for code in lines):
        return [("reason", _("Unknown budget line."))]
    proposed = {code: lines.get(code, planned) for code, planned in current.items()}
    spent = {code: cents for code, cents in spent_by_line(grant).items() if code in current}
    result = rules.check_amendment(current, proposed, spent=spent, start=grant.starts_on, end=version.ends_on,
                                   new_end=new_ends_on, today=today)
    return [_problem_text(problem) for problem in result.problems]


def request_amendment(grant: Grant, *, lines: Mapping[str, int], new_ends_on: date | None, reason: str,
                      actor: Any, today: date | None = None) -> BudgetAmendment:
    """The grantee asks to move amounts between lines and/or extend the end date."""
    if grant.status not in AMENDABLE:
        raise DomainError(_l("The budget can be amended while the grant is signed, active or suspended."))
    if pending(grant) is not None:
        raise DomainError(_l("A request is already waiting for the secretariat's decision."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Explain why the budget should change."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Write at most %(n)s characters.", n=MAX_REASON), field="reason")
    problems = check_request(grant, lines, new_ends_on, today=today or utcnow().date())
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0])
    version = current_version(grant)
    assert version is not None
    planned = {line.code: line.planned_cents for line in version.lines}
    changed = {code: int(cents) for code, cents in lines.items() if planned.get(code) != cents}
    new_end = new_ends_on if new_ends_on is not None and new_ends_on != version.ends_on else None
    item = BudgetAmendment(grant_id=grant.id, base_version_id=version.id, lines=changed, new_ends_on=new_end,
                           reason=reason, state=AmendmentState.requested, requested_by_id=getattr(actor, "id", None))
    db.session.add(item)
    db.session.flush()
    audit.record("grant.amendment_requested", "grant", grant.id, actor=actor,
                 after={"amendment_id": item.id, "base_version": version.number, "lines": changed,
                        "new_ends_on": new_end, "reason": reason})
    return item


def _waiting(amendment: BudgetAmendment) -> Grant:
    grant = db.session.get(Grant, amendment.grant_id)
    assert grant is not None
    if amendment.state != AmendmentState.requested:
        raise DomainError(_l("This request has already been decided."))
    if grant.status not in AMENDABLE:
        raise DomainError(_l("The budget can be amended while the grant is signed, active or suspended."))
    return grant


def approve_amendment(amendment: BudgetAmendment, *, actor: Any, today: date | None = None) -> BudgetVersion:
    """Approve: a new budget version with the requested lines (and end date), checked again against today's
    spending; the earlier versions stay as they were."""
    grant = _waiting(amendment)
    base = current_version(grant)
    if base is None or base.id != amendment.base_version_id:
        raise DomainError(_l("The budget changed since this request was made: decline it and ask for a new one."))
    problems = check_request(grant, amendment.lines, amendment.new_ends_on, today=today or utcnow().date())
    if problems:
        raise DomainError(problems[0][1])
    version = BudgetVersion(grant_id=grant.id, number=base.number + 1, amendment_id=amendment.id,
                            ends_on=amendment.new_ends_on or base.ends_on)
    db.session.add(version)
    db.session.flush()
    db.session.add_all([GrantBudgetLine(version_id=version.id, code=line.code, position=line.position,
                                        category=line.category, description=line.description,
                                        planned_cents=int(amendment.lines.get(line.code, line.planned_cents)),
                                        grant_cents=line.grant_cents) for line in base.lines])
    before_end = grant.ends_on
    if amendment.new_ends_on is not None:
        grant.ends_on = amendment.new_ends_on
    amendment.state = AmendmentState.approved
    amendment.decided_at, amendment.decided_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    audit.record("grant.amendment_approved", "grant", grant.id, actor=actor,
                 before={"version": base.number, "ends_on": before_end},
                 after={"amendment_id": amendment.id, "version": version.number, "lines": amendment.lines,
                        "ends_on": grant.ends_on})
    return version


def decline_amendment(amendment: BudgetAmendment, *, reason: str, actor: Any) -> BudgetAmendment:
    """Decline with a written reason (shown to the grantee)."""
    _waiting(amendment)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for declining."), field="decision_reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Write at most %(n)s characters.", n=MAX_REASON), field="decision_reason")
    amendment.state = AmendmentState.declined
    amendment.decision_reason = reason
    amendment.decided_at, amendment.decided_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    audit.record("grant.amendment_declined", "grant", amendment.grant_id, actor=actor,
                 after={"amendment_id": amendment.id, "reason": reason})
    return amendment
