"""Expenditure against the budget and budget amendments (app/grants/budget.py): per line planned, spent this
period, to date, remaining and the variance flagged strictly beyond the tolerance; amendments that move amounts
between lines or extend the end date, approved into a new version (the earlier ones kept) or declined with a
reason."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.errors import DomainError
from app.extensions import db
from app.grants import budget, reports, rules
from app.grants.models import AmendmentState, BudgetVersion, GrantStatus, ReportVersionStatus
from tests.grants import builders
from tests.grants.report_helpers import delegate, first_report, own_grant, secretariat

TODAY = date(2027, 9, 1)
# The builders' lines: L1 planned 40,000 €, L2 planned 50,115 €.


def _row(statement: budget.Statement, code: str) -> budget.Row:
    return next(r for r in statement.rows if r.code == code)


def test_the_statement_puts_the_ledger_beside_the_plan(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    builders.version(report, status=ReportVersionStatus.approved)
    builders.spent(grant, {"L1": "8000", "L2": "5000"}, on=date(2027, 3, 31))
    builders.spent(grant, {"L1": "2000"}, on=date(2027, 6, 30))  # the period's last day counts
    builders.spent(grant, {"L1": "30000"}, on=date(2027, 7, 1))  # after the period
    statement = budget.statement(grant, period_report=report)
    l1, l2 = _row(statement, "L1").figures, _row(statement, "L2").figures
    assert (l1.planned_cents, l1.spent_period_cents, l1.spent_to_date_cents) == (40_000_00, 10_000_00, 40_000_00)
    assert (l1.remaining_cents, l1.variance_cents, l1.flag) == (0, 0, None)
    assert (l2.spent_period_cents, l2.spent_to_date_cents, l2.remaining_cents) == (5_000_00, 5_000_00, 45_115_00)
    assert l2.flag is None  # below its plan while the grant runs: not a warning yet
    grant.status = GrantStatus.closing
    assert _row(budget.statement(grant, period_report=report), "L2").figures.flag == rules.UNDERSPENT
    assert statement.total.planned_cents == 90_115_00 and statement.total.spent_to_date_cents == 45_000_00
    assert _row(statement, "L1").grant_cents == 26_000_00
    assert statement.period == (date(2027, 1, 1), date(2027, 6, 30))
    assert budget.default_period_report(grant).id == report.id


@pytest.mark.parametrize(("status", "spent", "flag"), [
    ("active", "44000", None),  # exactly 10 % over: not flagged
    ("active", "44000.01", rules.OVERSPENT),  # one cent beyond
    ("active", "35999.99", None),  # under the plan while the grant runs: not flagged
    ("closing", "36000", None),  # exactly 10 % under at closure
    ("closing", "35999.99", rules.UNDERSPENT),  # one cent beyond at closure
    ("closed", "35999.99", rules.UNDERSPENT),
    ("closing", "44000.01", rules.OVERSPENT),
])
def test_a_line_is_flagged_strictly_beyond_the_tolerance(session, status, spent, flag) -> None:
    grant = own_grant(session)
    builders.spent(grant, {"L1": spent})
    grant.status = status
    assert _row(budget.statement(grant), "L1").figures.flag == flag


def test_the_tolerance_is_the_grants(session) -> None:
    grant = own_grant(session, tolerance_percent=20)
    builders.spent(grant, {"L1": "47000"})
    assert _row(budget.statement(grant), "L1").figures.flag is None
    assert budget.statement(grant).tolerance_percent == 20


def test_spending_on_a_line_no_longer_planned_still_shows(session) -> None:
    grant = own_grant(session)
    builders.spent(grant, {"L9": "100"})
    row = _row(budget.statement(grant), "L9")
    assert row.figures.planned_cents == 0 and row.figures.flag == rules.UNPLANNED


def test_without_an_approved_report_nothing_is_spent_this_period(session) -> None:
    grant = own_grant(session)
    statement = budget.statement(grant)
    assert statement.period is None and statement.total.spent_period_cents == 0
    assert budget.default_period_report(grant) is None


# Amendments ----------------------------------------------------------------------------------------------

def _ask(grant, lines=None, *, new_ends_on=None, reason="Plus d'ateliers que prévu.", today=TODAY):  # noqa: ANN001, ANN202
    return budget.request_amendment(grant, lines=lines if lines is not None else {"L1": 35_000_00, "L2": 55_115_00},
                                    new_ends_on=new_ends_on, reason=reason, actor=delegate(), today=today)


def test_the_grantee_asks_and_the_secretariat_approves_a_new_version(session) -> None:
    grant = own_grant(session)
    amendment = _ask(grant, new_ends_on=date(2029, 6, 30))
    assert amendment.state == AmendmentState.requested and amendment.lines == {"L1": 35_000_00, "L2": 55_115_00}
    assert budget.pending(grant).id == amendment.id
    version = budget.approve_amendment(amendment, actor=secretariat(), today=TODAY)
    assert version.number == 2 and version.amendment_id == amendment.id and version.ends_on == date(2029, 6, 30)
    assert [(line.code, line.planned_cents, line.grant_cents) for line in version.lines] == [
        ("L1", 35_000_00, 26_000_00), ("L2", 55_115_00, 32_575_00)]
    assert grant.ends_on == date(2029, 6, 30)
    versions = budget.versions(grant)
    assert [v.number for v in versions] == [1, 2]
    assert [line.planned_cents for line in versions[0].lines] == [40_000_00, 50_115_00]  # kept as it was
    assert budget.current_version(grant).number == 2
    assert _row(budget.statement(grant), "L1").figures.planned_cents == 35_000_00
    assert amendment.state == AmendmentState.approved and budget.pending(grant) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.amendment_approved")) is not None


def test_only_the_end_date_may_change(session) -> None:
    grant = own_grant(session)
    amendment = _ask(grant, {"L1": 40_000_00, "L2": 50_115_00}, new_ends_on=date(2029, 3, 31))
    assert amendment.lines == {}
    version = budget.approve_amendment(amendment, actor=secretariat(), today=TODAY)
    assert [line.planned_cents for line in version.lines] == [40_000_00, 50_115_00]


@pytest.mark.parametrize(("lines", "new_end", "field"), [
    ({"L1": 40_000_00, "L2": 50_115_00}, None, "reason"),  # nothing changes
    ({"L1": 35_000_00, "L2": 55_115_01}, None, "total"),  # one cent more in total
    ({"L1": -1_00, "L2": 90_116_00}, None, "line_L1"),
    ({"L1": 40_000_00, "L2": 50_115_00}, date(2026, 12, 31), "new_ends_on"),  # before the start
    ({"L1": 40_000_00, "L2": 50_115_00}, date(2027, 8, 31), "new_ends_on"),  # in the past
])
def test_a_wrong_amendment_is_refused_at_its_field(session, lines, new_end, field) -> None:
    grant = own_grant(session)
    with pytest.raises(DomainError) as refused:
        _ask(grant, lines, new_ends_on=new_end)
    assert refused.value.field == field


def test_a_line_cannot_go_below_what_is_spent(session) -> None:
    grant = own_grant(session)
    builders.spent(grant, {"L1": "36000"})
    with pytest.raises(DomainError) as refused:
        _ask(grant, {"L1": 35_999_99, "L2": 54_115_01})
    assert refused.value.field == "line_L1"
    assert _ask(grant, {"L1": 36_000_00, "L2": 54_115_00}).lines == {"L1": 36_000_00, "L2": 54_115_00}


def test_the_form_gets_every_problem_at_once(session) -> None:
    grant = own_grant(session)
    problems = dict(budget.check_request(grant, {"L1": -1, "L2": 0}, date(2020, 1, 1), today=TODAY))
    assert {"total", "line_L1", "new_ends_on"} <= set(problems)


def test_one_request_waits_at_a_time_and_needs_a_reason(session) -> None:
    grant = own_grant(session)
    with pytest.raises(DomainError) as refused:
        _ask(grant, reason="  ")
    assert refused.value.field == "reason"
    _ask(grant)
    with pytest.raises(DomainError):
        _ask(grant)


def test_declining_needs_a_reason_and_keeps_the_budget(session) -> None:
    grant = own_grant(session)
    amendment = _ask(grant)
    with pytest.raises(DomainError) as refused:
        budget.decline_amendment(amendment, reason=" ", actor=secretariat())
    assert refused.value.field == "decision_reason"
    budget.decline_amendment(amendment, reason="Les ateliers sont déjà financés.", actor=secretariat())
    assert amendment.state == AmendmentState.declined
    assert amendment.decision_reason == "Les ateliers sont déjà financés."
    assert budget.current_version(grant).number == 1
    with pytest.raises(DomainError):
        budget.approve_amendment(amendment, actor=secretariat(), today=TODAY)
    _ask(grant)  # a new request may follow


def test_spending_since_the_request_is_checked_again_on_approval(session) -> None:
    grant = own_grant(session)
    amendment = _ask(grant)  # L1 → 35,000 €
    builders.spent(grant, {"L1": "36000"})
    with pytest.raises(DomainError):
        budget.approve_amendment(amendment, actor=secretariat(), today=TODAY)


def test_a_request_on_an_older_version_is_not_approved(session) -> None:
    grant = own_grant(session)
    amendment = _ask(grant)
    db.session.add(BudgetVersion(grant_id=grant.id, number=2, ends_on=grant.ends_on))
    db.session.flush()
    with pytest.raises(DomainError):
        budget.approve_amendment(amendment, actor=secretariat(), today=TODAY)


def test_a_closed_grant_is_not_amended(session) -> None:
    grant = own_grant(session, status=GrantStatus.closed)
    with pytest.raises(DomainError):
        _ask(grant)


def test_the_approved_reports_expenditure_reaches_the_statement(session) -> None:
    """The report writes through the ledger; the statement reads the ledger: one source for both."""
    grant = own_grant(session)
    report = first_report(grant)
    reports.save_draft(report, reports.DraftContent({k: "x" for k in reports.SECTIONS}, {"L1": 0, "L2": 0},
                                                    {str(i.id): "1" for i in grant.indicators}), actor=delegate())
    reports.submit(report, actor=delegate())
    reports.approve(report, actor=secretariat())
    assert budget.statement(grant, period_report=report).total.spent_period_cents == 0
