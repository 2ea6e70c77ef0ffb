"""The instalment schedule of a grant: amounts adding up exactly to the award, each with its condition;
which instalments are due and, for the others, what their condition still lacks.

The facts come from the agreement (signed), its reports (approved) and its ledger (paid, justified): the
rule is ``rules.instalment_due``. The schedule is edited while the agreement is a draft or signed (an
instalment already paid keeps at least what was paid on it). The secretariat may release an instalment
early only with a written reason (audited). Services flush, never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.calls.money import euros, from_cents
from app.core import audit
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import ledger, rules
from app.grants.models import Grant, GrantStatus, Instalment, InstalmentCondition, Report, ReportVersionStatus

#: While the schedule may change.
EDITABLE = frozenset({GrantStatus.draft, GrantStatus.signed})
#: While an instalment may be released early.
RELEASABLE = frozenset({GrantStatus.signed, GrantStatus.active})
MIN_REASON = 20


@dataclass(frozen=True)
class Row:
    """One instalment as the schedule form gives it."""

    amount_cents: int
    condition: str
    report_id: int | None = None
    share_percent: int | None = None


@dataclass(frozen=True)
class State:
    """An instalment with what the page says about it."""

    instalment: Instalment
    due: rules.Due
    paid_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.instalment.amount_cents - self.paid_cents

    @property
    def settled(self) -> bool:
        return self.remaining_cents <= 0

    @property
    def missing(self) -> str:
        return missing_text(self.due.missing) if self.due.missing else ""


def condition_of(item: Instalment) -> rules.Condition:
    share = None if item.condition_share_percent is None else rules.share_of_percent(item.condition_share_percent)
    return rules.Condition(item.condition, report_id=item.condition_report_id, share=share)


def is_signed(grant: Grant) -> bool:
    return grant.status != GrantStatus.draft and grant.signed_by_grantee_on is not None \
        and grant.signed_by_programme_on is not None


def approved_reports(grant: Grant) -> frozenset[int]:
    return frozenset(db.session.scalars(select(Report.id).where(Report.grant_id == grant.id,
                                                                Report.status == ReportVersionStatus.approved)))


def progress_of(grant: Grant, *, sums: rules.Totals | None = None) -> rules.GrantProgress:
    sums = ledger.totals(grant) if sums is None else sums
    return rules.GrantProgress(signed=is_signed(grant), approved_reports=approved_reports(grant),
                               paid_cents=sums.paid_cents, justified_cents=sums.justified_cents)


def due_of(grant: Grant, item: Instalment, *, sums: rules.Totals | None = None) -> rules.Due:
    """Whether one instalment is due now (and what is missing)."""
    return rules.instalment_due(condition_of(item), progress_of(grant, sums=sums),
                                early_release_reason=item.released_early_reason or "")


def states(grant: Grant, rows: list | None = None) -> list[State]:
    """Every instalment of the grant with its due state and what was paid on it."""
    rows = ledger.entries_of(grant.id) if rows is None else rows
    entries = [ledger.as_rule_entry(r) for r in rows]
    progress = progress_of(grant, sums=rules.totals(entries))
    paid = rules.paid_by_instalment(entries)
    items = list(db.session.scalars(select(Instalment).where(Instalment.grant_id == grant.id)
                                    .order_by(Instalment.number)))
    return [State(i, rules.instalment_due(condition_of(i), progress,
                                          early_release_reason=i.released_early_reason or ""), paid.get(i.id, 0))
            for i in items]


def missing_text(problem: rules.Problem) -> str:
    """What an instalment's condition still lacks, in words."""
    p = problem.params
    if problem.key == "not_signed":
        return _("The agreement is not signed by both parties yet.")
    if problem.key == "report_not_approved":
        report = db.session.get(Report, p["report_id"]) if p.get("report_id") else None
        if report is None:
            return _("The report it waits for is not approved yet.")
        return _("Report %(n)d (due %(due)s) is not approved yet.", n=report.number, due=format_date(report.due_on))
    if problem.key == "nothing_paid_yet":
        return _("Nothing is paid yet: the justified expenditure is measured against what was paid.")
    if problem.key == "expenditure_below_share":
        return _("Justified expenditure is %(justified)s; %(required)s (%(share)s %% of what was paid) is needed: "
                 "%(shortfall)s more.", justified=euros(from_cents(p["justified_cents"])),
                 required=euros(from_cents(p["required_cents"])), share=_percent(p["share"]),
                 shortfall=euros(from_cents(p["shortfall_cents"])))
    return problem.key


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}"


def condition_text(item: Instalment) -> str:
    """The condition of an instalment, in words."""
    if item.condition == InstalmentCondition.report_approved and item.condition_report is not None:
        return _("After report %(n)d is approved", n=item.condition_report.number)
    if item.condition == InstalmentCondition.expenditure_share and item.condition_share_percent is not None:
        return _("After justified expenditure reaches %(share)d %% of what was paid",
                 share=item.condition_share_percent)
    return str(InstalmentCondition(item.condition).label)


def schedule_message(problem: rules.Problem) -> str:
    p = problem.params
    if problem.key == "no_instalments":
        return _("Enter at least one instalment.")
    if problem.key == "instalment_not_positive":
        return _("Instalment %(n)d: enter an amount above zero.", n=p["index"])
    if problem.key == "schedule_above_award":
        return _("The instalments add up to %(total)s, %(diff)s more than the award (%(award)s).",
                 total=euros(from_cents(p["total_cents"])), diff=euros(from_cents(p["difference_cents"])),
                 award=euros(from_cents(p["award_cents"])))
    if problem.key == "schedule_below_award":
        return _("The instalments add up to %(total)s, %(diff)s less than the award (%(award)s).",
                 total=euros(from_cents(p["total_cents"])), diff=euros(from_cents(-p["difference_cents"])),
                 award=euros(from_cents(p["award_cents"])))
    if problem.key == "award_not_positive":
        return _("The award must be above zero.")
    if problem.key == "report_required":
        return _("Choose the report whose approval makes the instalment due.")
    if problem.key in ("share_required", "share_out_of_range"):
        return _("Enter a share from 0 to 100 %.")
    return problem.key


def check_rows(grant: Grant, rows: list[Row]) -> list[str]:
    """Every reason the schedule cannot be saved (empty: it can)."""
    problems = [schedule_message(p) for p in rules.check_schedule([r.amount_cents for r in rows],
                                                                  grant.awarded_cents)]
    reports = set(db.session.scalars(select(Report.id).where(Report.grant_id == grant.id)))
    for number, row in enumerate(rows, 1):
        share = None if row.share_percent is None else rules.share_of_percent(row.share_percent)
        for p in rules.check_condition(rules.Condition(row.condition, report_id=row.report_id, share=share)):
            problems.append(_("Instalment %(n)d: %(why)s", n=number, why=schedule_message(p)))
        if row.condition == InstalmentCondition.report_approved and row.report_id is not None \
                and row.report_id not in reports:
            problems.append(_("Instalment %(n)d: choose a report of this grant.", n=number))
    return problems


def save_schedule(grant: Grant, rows: list[Row], *, actor: Any) -> list[Instalment]:
    """Replace the schedule (draft or signed agreement): amounts adding up exactly to the award, valid
    conditions; an instalment with payments keeps at least what was paid on it and cannot be removed."""
    grant = ledger.locked_grant(grant.id)
    if grant.status not in EDITABLE:
        raise DomainError(_("The schedule can change only while the agreement is a draft or just signed."))
    problems = check_rows(grant, rows)
    if problems:
        raise DomainError(problems[0], field="schedule")
    current = {s.instalment.number: s for s in states(grant)}
    for number, state in current.items():
        if state.paid_cents and (number > len(rows) or rows[number - 1].amount_cents < state.paid_cents):
            raise DomainError(_("Instalment %(n)d was paid %(paid)s: it cannot be removed nor made smaller than that.",
                                n=number, paid=euros(from_cents(state.paid_cents))), field="schedule")
    before = [_row_dict(s.instalment) for s in current.values()]
    made = []
    for number, row in enumerate(rows, 1):
        item = current[number].instalment if number in current else Instalment(grant_id=grant.id, number=number)
        item.amount_cents = row.amount_cents
        item.condition = row.condition
        item.condition_report_id = row.report_id if row.condition == InstalmentCondition.report_approved else None
        item.condition_share_percent = row.share_percent \
            if row.condition == InstalmentCondition.expenditure_share else None
        db.session.add(item)
        made.append(item)
    for number, state in current.items():
        if number > len(rows):
            db.session.delete(state.instalment)
    db.session.flush()
    audit.record("grant.schedule", "grant", grant.id, actor=actor, before={"instalments": before},
                 after={"instalments": [_row_dict(i) for i in made]})
    return made


def _row_dict(item: Instalment) -> dict[str, Any]:
    return {"number": item.number, "amount_cents": item.amount_cents, "condition": item.condition,
            "report": item.condition_report_id, "share": item.condition_share_percent}


def release_early(grant: Grant, item: Instalment, *, reason: str, actor: Any) -> Instalment:
    """Make an instalment due before its condition is met, with a written reason (audited)."""
    grant = ledger.locked_grant(grant.id)
    if item.grant_id != grant.id:
        raise DomainError(_("This instalment is not one of this grant's."))
    if grant.status not in RELEASABLE:
        raise DomainError(_("An instalment is released early only once the agreement is signed and the grant "
                            "not suspended nor over."))
    if item.released_early_at is not None:
        raise DomainError(_("This instalment is already released."))
    due = due_of(grant, item)
    if due.due:
        raise DomainError(_("This instalment is already due: there is nothing to release."))
    if len(reason.strip()) < MIN_REASON:
        raise DomainError(_("Explain why in at least %(n)d characters.", n=MIN_REASON), field="reason")
    item.released_early_at = utcnow()
    item.released_early_by_id = getattr(actor, "id", None)
    item.released_early_reason = reason.strip()
    db.session.flush()
    audit.record("grant.instalment.released_early", "grant", grant.id, actor=actor,
                 after={"instalment": item.number, "reason": item.released_early_reason,
                        "missing": due.missing.key if due.missing else None})
    return item
