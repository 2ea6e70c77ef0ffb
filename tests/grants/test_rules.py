"""The pure rules of grant tracking (app/grants/rules.py): tables with the boundaries of issue 9 --
exactly the award, one cent over, a tolerance exactly reached, a report approved then an instalment
due -- and a property test (hypothesis): accepted disbursements never add up to more than the award."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.grants import rules
from app.grants.rules import (
    BudgetLine,
    Condition,
    Entry,
    GrantProgress,
    IndicatorValues,
    ReportDue,
)
from app.grants.rules import TransactionType as T

D = Decimal
AWARD = 10_000_00


def keys(problems) -> list[str]:
    return [p.key for p in problems]


# --- 1. schedule -----------------------------------------------------------------------------

@pytest.mark.parametrize(("amounts", "award", "expected", "difference"), [
    ([AWARD], AWARD, [], None),
    ([4_000_00, 6_000_00], AWARD, [], None),  # exactly the award
    ([4_000_00, 6_000_01], AWARD, ["schedule_above_award"], 1),  # one cent over
    ([4_000_00, 5_999_99], AWARD, ["schedule_below_award"], -1),  # one cent under
    ([AWARD, 0], AWARD, ["instalment_not_positive"], None),  # an instalment at 0
    ([AWARD + 5_00, -5_00], AWARD, ["instalment_not_positive"], None),  # adds up, but a negative one
    ([], AWARD, ["no_instalments"], None),
    ([0], 0, ["award_not_positive", "instalment_not_positive"], None),
])
def test_schedule(amounts: list[int], award: int, expected: list[str], difference: int | None) -> None:
    problems = rules.check_schedule(amounts, award)
    assert keys(problems) == expected
    if difference is not None:
        assert problems[-1].params == {"total_cents": sum(amounts), "award_cents": award,
                                       "difference_cents": difference}


def test_schedule_refuses_floats() -> None:
    with pytest.raises(TypeError):
        rules.check_schedule([100.0], 100)  # type: ignore[list-item]


# --- 2. instalment due -----------------------------------------------------------------------

SHARE_70 = Condition(rules.EXPENDITURE_SHARE, share=D("0.7"))


@pytest.mark.parametrize(("condition", "progress", "due", "missing"), [
    (Condition(rules.ON_SIGNATURE), GrantProgress(signed=False), False, "not_signed"),
    (Condition(rules.ON_SIGNATURE), GrantProgress(signed=True), True, None),
    # a report approved, then the instalment is due
    (Condition(rules.REPORT_APPROVED, report_id=7), GrantProgress(True, frozenset({6})), False, "report_not_approved"),
    (Condition(rules.REPORT_APPROVED, report_id=7), GrantProgress(True, frozenset({6, 7})), True, None),
    # justified ≥ 70 % of paid: exactly 70 % is enough, one cent short is not
    (SHARE_70, GrantProgress(True, paid_cents=4_000_00, justified_cents=2_800_00), True, None),
    (SHARE_70, GrantProgress(True, paid_cents=4_000_00, justified_cents=2_799_99), False, "expenditure_below_share"),
    (SHARE_70, GrantProgress(True, paid_cents=4_000_00, justified_cents=4_500_00), True, None),
    # a share that falls between two cents: 70 % of 1.01 € is 70.7 cents, 71 cents meets it, 70 does not
    (SHARE_70, GrantProgress(True, paid_cents=101, justified_cents=71), True, None),
    (SHARE_70, GrantProgress(True, paid_cents=101, justified_cents=70), False, "expenditure_below_share"),
    # nothing paid yet: due only when the share is 0, whatever was spent
    (SHARE_70, GrantProgress(True, paid_cents=0, justified_cents=0), False, "nothing_paid_yet"),
    (SHARE_70, GrantProgress(True, paid_cents=0, justified_cents=5_000_00), False, "nothing_paid_yet"),
    (Condition(rules.EXPENDITURE_SHARE, share=D(0)), GrantProgress(True), True, None),
    (Condition(rules.EXPENDITURE_SHARE, share=D(1)), GrantProgress(True, paid_cents=100, justified_cents=100), True, None),
])
def test_instalment_due(condition: Condition, progress: GrantProgress, due: bool, missing: str | None) -> None:
    result = rules.instalment_due(condition, progress)
    assert result.due is due
    assert (result.missing.key if result.missing else None) == missing
    assert not result.released_early


def test_missing_share_says_by_how_much() -> None:
    result = rules.instalment_due(SHARE_70, GrantProgress(True, paid_cents=101, justified_cents=50))
    assert result.missing.params == {"share": D("0.7"), "paid_cents": 101, "justified_cents": 50,
                                     "required_cents": 71, "shortfall_cents": 21}


def test_approval_makes_the_next_instalment_due() -> None:
    second = Condition(rules.REPORT_APPROVED, report_id=1)
    submitted = GrantProgress(signed=True, paid_cents=4_000_00)
    approved = GrantProgress(signed=True, approved_reports=frozenset({1}), paid_cents=4_000_00)
    assert not rules.instalment_due(second, submitted).due
    assert rules.instalment_due(second, approved).due


@pytest.mark.parametrize(("reason", "due"), [("", False), ("   ", False), ("Harvest season: seeds to buy now", True)])
def test_early_release_needs_a_written_reason(reason: str, due: bool) -> None:
    result = rules.instalment_due(Condition(rules.REPORT_APPROVED, report_id=3), GrantProgress(True),
                                  early_release_reason=reason)
    assert result.due is due and result.released_early is due
    assert result.missing.key == "report_not_approved"  # still said, for the record


@pytest.mark.parametrize(("condition", "expected"), [
    (Condition(rules.ON_SIGNATURE), []),
    (Condition("on_moon"), ["unknown_condition"]),
    (Condition(rules.REPORT_APPROVED), ["report_required"]),
    (Condition(rules.EXPENDITURE_SHARE), ["share_required"]),
    (Condition(rules.EXPENDITURE_SHARE, share=D("-0.01")), ["share_out_of_range"]),
    (Condition(rules.EXPENDITURE_SHARE, share=D("1.01")), ["share_out_of_range"]),
    (Condition(rules.EXPENDITURE_SHARE, share=D(1)), []),
])
def test_check_condition(condition: Condition, expected: list[str]) -> None:
    assert keys(rules.check_condition(condition)) == expected


def test_share_of_percent() -> None:
    assert rules.share_of_percent(70) == D("0.7") and rules.share_of_percent(0) == 0


def test_invalid_condition_raises() -> None:
    with pytest.raises(ValueError):
        rules.instalment_due(Condition(rules.REPORT_APPROVED), GrantProgress(True))


# --- 3. disbursements and corrections --------------------------------------------------------

@pytest.mark.parametrize(("amount", "paid", "due", "instalment", "instalment_paid", "expected"), [
    (4_000_00, 6_000_00, True, 4_000_00, 0, []),  # exactly the award
    (4_000_01, 6_000_00, True, 5_000_00, 0, ["above_award"]),  # one cent over the award
    (4_000_01, 6_000_00, True, 4_000_00, 0, ["above_instalment", "above_award"]),
    (1_000_00, 0, True, 4_000_00, 3_000_00, []),  # exactly what remains of the instalment
    (1_000_01, 0, True, 4_000_00, 3_000_00, ["above_instalment"]),
    (1_00, 0, False, 4_000_00, 0, ["instalment_not_due"]),
    (0, 0, True, 4_000_00, 0, ["amount_not_positive"]),
    (-1_00, 0, True, 4_000_00, 0, ["amount_not_positive"]),
    (1, AWARD, True, 4_000_00, 0, ["above_award"]),  # the award is fully paid
])
def test_disbursement(amount: int, paid: int, due: bool, instalment: int, instalment_paid: int,
                      expected: list[str]) -> None:
    problems = rules.check_disbursement(amount, award_cents=AWARD, paid_cents=paid, instalment_due=due,
                                        instalment_cents=instalment, instalment_paid_cents=instalment_paid)
    assert keys(problems) == expected


def test_above_award_gives_the_figures() -> None:
    [problem] = rules.check_disbursement(4_000_01, award_cents=AWARD, paid_cents=6_000_00, instalment_due=True,
                                         instalment_cents=5_000_00, instalment_paid_cents=0)
    assert problem.params == {"amount_cents": 4_000_01, "award_cents": AWARD, "paid_cents": 6_000_00,
                              "available_cents": 4_000_00, "excess_cents": 1}


PAYMENT = Entry(T.DISBURSEMENT, 3_000_00, id=10, instalment_id=1)
SECOND = Entry(T.DISBURSEMENT, 2_000_00, id=13, instalment_id=2)
SPENT_A1 = Entry(T.EXPENDITURE, 500_00, id=11, budget_line="A1")
LEDGER = [Entry(T.COMMITMENT, AWARD, id=1), PAYMENT, SPENT_A1,
          Entry(T.DISBURSEMENT, -1_000_00, id=12, instalment_id=1, reverses_id=10), SECOND]


@pytest.mark.parametrize(("entry", "expected"), [
    (rules.reversal_of(SECOND, 2_000_00), []),  # the whole payment exactly
    (rules.reversal_of(SECOND, 1_00), []),  # part of it
    (rules.reversal_of(SECOND, 2_000_01), ["reversal_above_original"]),  # one cent more than it
    (rules.reversal_of(PAYMENT, 1_00), ["already_reversed"]),  # corrected once already
    (Entry(T.DISBURSEMENT, -1_00, instalment_id=2), ["no_reference"]),
    (Entry(T.DISBURSEMENT, 1_00, instalment_id=2, reverses_id=13), ["reversal_not_negative"]),
    (Entry(T.DISBURSEMENT, -1_00, instalment_id=2, reverses_id=99), ["original_not_found"]),
    (Entry(T.DISBURSEMENT, 1_000_00, instalment_id=1, reverses_id=12), ["reversal_not_negative"]),
    (Entry(T.DISBURSEMENT, -1_00, instalment_id=1, reverses_id=12), ["original_is_reversal"]),
    (Entry(T.EXPENDITURE, -1_00, instalment_id=2, reverses_id=13), ["reversal_mismatch"]),
    (Entry(T.DISBURSEMENT, -1_00, instalment_id=1, reverses_id=13), ["reversal_mismatch"]),
    (Entry(T.DISBURSEMENT, -1_00, instalment_id=2, budget_line="A1", reverses_id=13), ["reversal_mismatch"]),
    (Entry("3", -1_00, instalment_id=2, budget_line="", reverses_id=13), []),  # the model's text codes
    (rules.reversal_of(SPENT_A1, 500_00), []),  # an expenditure corrected in full, on its line
])
def test_reversal(entry: Entry, expected: list[str]) -> None:
    assert keys(rules.check_reversal(entry, LEDGER)) == expected


def test_reversal_problems_give_the_figures() -> None:
    [above] = rules.check_reversal(rules.reversal_of(SECOND, 2_000_01), LEDGER)
    assert above.params == {"amount_cents": 2_000_01, "original_cents": 2_000_00}
    [again] = rules.check_reversal(rules.reversal_of(PAYMENT, 1_00), LEDGER)
    assert again.params == {"entry_id": 10, "reversed_by_id": 12}
    [mismatch] = rules.check_reversal(Entry(T.EXPENDITURE, -1_00, instalment_id=2, reverses_id=13), LEDGER)
    assert mismatch.params == {"field": "type"}


# --- 4. ledger -------------------------------------------------------------------------------

def test_totals_from_the_entries() -> None:
    ledger = [*LEDGER, Entry("4", 700_00, id=14, budget_line="B2"), Entry("4", -200_00, id=15, budget_line="B2",
                                                                          reverses_id=14)]
    total = rules.totals(ledger)
    assert total.to_dict() == {"committed_cents": AWARD, "paid_cents": 4_000_00, "justified_cents": 1_000_00,
                               "remaining_to_pay_cents": 6_000_00, "remaining_to_justify_cents": 3_000_00}
    by_line = rules.totals_by_line(ledger)
    assert by_line["A1"].justified_cents == 500_00 and by_line["B2"].justified_cents == 500_00
    assert by_line[None].paid_cents == 4_000_00 and by_line[None].committed_cents == AWARD
    assert rules.paid_by_instalment(ledger) == {1: 2_000_00, 2: 2_000_00}


def test_no_line_is_none_whether_none_or_empty() -> None:
    by_line = rules.totals_by_line([Entry(T.EXPENDITURE, 1, budget_line=""), Entry(T.EXPENDITURE, 2)])
    assert list(by_line) == [None] and by_line[None].justified_cents == 3


def test_ledger_refuses_other_transaction_types() -> None:
    for code in (1, "11", "x"):
        with pytest.raises(ValueError):
            rules.totals([Entry(code, 100)])


def test_in_period_includes_both_ends() -> None:
    entries = [Entry(T.EXPENDITURE, 1, on=date(2025, 1, 1)), Entry(T.EXPENDITURE, 2, on=date(2025, 6, 30)),
               Entry(T.EXPENDITURE, 4, on=date(2025, 7, 1)), Entry(T.EXPENDITURE, 8)]
    assert [e.amount_cents for e in rules.in_period(entries, date(2025, 1, 1), date(2025, 6, 30))] == [1, 2]


# --- 5. budget variance ----------------------------------------------------------------------

@pytest.mark.parametrize(("planned", "spent", "tolerance", "share", "flag"), [
    (1_000_00, 1_000_00, D("0.10"), D(0), None),
    (1_000_00, 1_100_00, D("0.10"), D("0.1"), None),  # tolerance exactly reached: not flagged
    (1_000_00, 1_100_01, D("0.10"), D("0.10001"), rules.OVERSPENT),  # one cent beyond
    (1_000_00, 900_00, D("0.10"), D("-0.1"), None),
    (1_000_00, 899_99, D("0.10"), D("-0.10001"), rules.UNDERSPENT),
    (1_000_00, 1_150_00, D("0.20"), D("0.15"), None),  # the call's own tolerance
    (0, 1, D("0.10"), None, rules.UNPLANNED),  # nothing planned, something spent
    (0, 0, D("0.10"), None, None),
    (3, 4, D("0.10"), D(1) / D(3), rules.OVERSPENT),
])
def test_line_variance(planned: int, spent: int, tolerance: Decimal, share: Decimal | None, flag: str | None) -> None:
    row = rules.line_variance(BudgetLine(1, planned, spent_period_cents=spent // 2, spent_to_date_cents=spent),
                              tolerance=tolerance)
    assert row.variance_cents == spent - planned
    assert row.remaining_cents == planned - spent
    assert row.variance_share == share
    assert row.flag == flag and row.flagged is (flag is not None)


def test_budget_variance_total_row() -> None:
    rows, total = rules.budget_variance([BudgetLine(1, 1_000_00, 200_00, 1_200_00), BudgetLine(2, 1_000_00, 0, 900_00)])
    assert [r.flag for r in rows] == [rules.OVERSPENT, None]
    assert (total.line, total.planned_cents, total.spent_period_cents, total.spent_to_date_cents) == (
        None, 2_000_00, 200_00, 2_100_00)
    assert total.variance_share == D("0.05") and total.flag is None


def test_default_tolerance_is_ten_percent() -> None:
    assert rules.line_variance(BudgetLine(1, 100_00, 0, 110_00)).flag is None
    assert rules.line_variance(BudgetLine(1, 100_00, 0, 110_01)).flag == rules.OVERSPENT


# --- 6. budget amendment ---------------------------------------------------------------------

START, END, TODAY = date(2025, 1, 1), date(2026, 12, 31), date(2025, 9, 1)
CURRENT = {"A1": 6_000_00, "B2": 4_000_00}
SPENT = {"A1": 2_000_00, "B2": 3_000_00}


@pytest.mark.parametrize(("proposed", "new_end", "expected"), [
    ({"A1": 5_000_00, "B2": 5_000_00}, None, []),  # a move between lines
    ({"A1": 7_000_00, "B2": 3_000_00}, None, []),  # B2 down to exactly what it spent
    ({"A1": 7_000_01, "B2": 2_999_99}, None, ["line_below_spent"]),
    ({"A1": 6_000_00, "B2": 4_000_01}, None, ["total_changed"]),
    ({"A1": 6_000_00, "B2": 3_000_00, "C3": 1_000_00}, None, []),  # a new line
    ({"A1": 10_000_00}, None, ["line_below_spent"]),  # B2 removed, yet spent on
    ({"A1": 11_000_00, "B2": -1_000_00}, None, ["line_negative"]),
    (CURRENT, None, ["nothing_changed"]),
    (CURRENT, END, ["nothing_changed"]),
    (CURRENT, date(2027, 6, 30), []),  # an extension only
    (CURRENT, TODAY, []),  # today itself is fine
    (CURRENT, date(2025, 8, 31), ["end_in_past"]),
    (CURRENT, date(2024, 12, 31), ["end_before_start", "end_in_past"]),
])
def test_amendment(proposed: dict[int, int], new_end: date | None, expected: list[str]) -> None:
    check = rules.check_amendment(CURRENT, proposed, spent=SPENT, start=START, end=END, new_end=new_end, today=TODAY)
    assert keys(check.problems) == expected
    assert check.ok is (not expected)
    if expected == ["line_below_spent"] and "B2" in proposed:
        assert check.problems[0].params == {"line": "B2", "planned_cents": 2_999_99, "spent_cents": 3_000_00,
                                            "shortfall_cents": 1}


def test_amendment_reports_the_change_of_total_and_the_moves() -> None:
    check = rules.check_amendment(CURRENT, {"A1": 6_500_00, "B2": 4_000_01}, spent=SPENT, start=START, end=END,
                                  today=TODAY)
    assert check.total_change_cents == 500_01
    assert check.problems[0].params == {"before_cents": AWARD, "after_cents": AWARD + 500_01,
                                        "difference_cents": 500_01}
    assert check.changes == {"A1": 500_00, "B2": 1}


def test_end_before_start_alone() -> None:
    check = rules.check_amendment(CURRENT, CURRENT, spent=SPENT, start=date(2026, 1, 1), end=date(2027, 1, 1),
                                  new_end=date(2025, 12, 31), today=TODAY)
    assert keys(check.problems) == ["end_before_start"]


# --- 7. status -------------------------------------------------------------------------------

@pytest.mark.parametrize(("current", "target", "reason", "expected"), [
    ("draft", "signed", "", None),
    ("signed", "active", "", None),
    ("active", "suspended", "", None),
    ("suspended", "active", "", None),
    ("active", "closing", "", None),
    ("closing", "closed", "", None),
    ("draft", "active", "", "not_allowed"),
    ("suspended", "closing", "", "not_allowed"),
    ("closing", "active", "", "not_allowed"),
    ("signed", "closed", "", "not_allowed"),
    ("active", "active", "", "same_status"),
    ("closed", "terminated", "fraud", "final_status"),
    ("terminated", "active", "", "final_status"),
    ("draft", "terminated", "Partner dissolved", None),
    ("suspended", "terminated", "Partner dissolved", None),
    ("closing", "terminated", "Partner dissolved", None),
    ("active", "terminated", "  ", "reason_required"),
    ("active", "archived", "", "unknown_status"),
])
def test_transition(current: str, target: str, reason: str, expected: str | None) -> None:
    problem = rules.check_transition(current, target, reason=reason)
    assert (problem.key if problem else None) == expected


def test_allowed_transitions() -> None:
    assert rules.allowed_transitions("active") == ("suspended", "closing", "terminated")
    assert rules.allowed_transitions("closed") == ()
    assert rules.check_transition("draft", "active").params == {"from": "draft", "to": "active",
                                                                "allowed": ["signed", "terminated"]}


# --- 8. at-risk flags ------------------------------------------------------------------------

G_START, G_END = date(2025, 1, 1), date(2025, 12, 31)  # 364 days
HALF = date(2025, 7, 2)  # 182 days in: exactly half the period


@pytest.mark.parametrize(("today", "expected"), [
    (date(2024, 12, 1), D(0)),
    (G_START, D(0)),
    (HALF, D("0.5")),
    (G_END, D(1)),
    (date(2026, 3, 1), D(1)),
])
def test_elapsed_share(today: date, expected: Decimal) -> None:
    assert rules.elapsed_share(G_START, G_END, today) == expected


@pytest.mark.parametrize(("status", "due", "flagged"), [
    ("draft", date(2025, 7, 1), True),  # due yesterday
    ("returned", date(2025, 7, 1), True),  # returned and not resubmitted
    ("draft", HALF, False),  # due today: not overdue yet
    ("submitted", date(2025, 7, 1), False),
    ("approved", date(2025, 3, 1), False),
])
def test_report_overdue(status: str, due: date, flagged: bool) -> None:
    flags = rules.risk_flags(today=HALF, start=G_START, end=G_END, award_cents=AWARD, justified_cents=AWARD,
                             reports=[ReportDue(4, due, status)])
    assert keys(flags) == (["report_overdue"] if flagged else [])
    if flagged:
        assert flags[0].params == {"report_id": 4, "due": due, "days_late": (HALF - due).days}


@pytest.mark.parametrize(("justified", "flagged"), [
    (2_500_00, False),  # half the period gone, 25 % spent: exactly at the margin
    (2_499_99, True),  # one cent below
    (0, True),
])
def test_spending_behind(justified: int, flagged: bool) -> None:
    flags = rules.risk_flags(today=HALF, start=G_START, end=G_END, award_cents=AWARD, justified_cents=justified)
    assert keys(flags) == (["spending_behind"] if flagged else [])
    if flagged:
        assert flags[0].params["elapsed_share"] == D("0.5") and flags[0].params["margin"] == D("0.25")


def test_nothing_flags_before_the_start() -> None:
    assert rules.risk_flags(today=date(2024, 12, 1), start=G_START, end=G_END, award_cents=AWARD,
                            justified_cents=0, indicators=[IndicatorValues(1, 0, 100)]) == []


@pytest.mark.parametrize(("indicator", "flagged"), [
    (IndicatorValues(1, 0, 100, 25), False),  # 25 % reached at half time: exactly at the margin
    (IndicatorValues(1, 0, 100, D("24.9")), True),
    (IndicatorValues(1, 100, 0, 75), False),  # a decrease wanted: 25 % of the way
    (IndicatorValues(1, 100, 0, 80), True),
    (IndicatorValues(1, 0, 100), True),  # nothing reported yet: at its baseline
    (IndicatorValues(1, "none", "a network", "half a network"), False),  # qualitative: skipped
    (IndicatorValues(1, 5, 5, 5), False),  # target == baseline: no progress to measure
])
def test_indicator_behind(indicator: IndicatorValues, flagged: bool) -> None:
    flags = rules.risk_flags(today=HALF, start=G_START, end=G_END, award_cents=AWARD, justified_cents=AWARD,
                             indicators=[indicator])
    assert keys(flags) == (["indicator_behind"] if flagged else [])


def test_margin_is_a_parameter() -> None:
    flags = rules.risk_flags(today=HALF, start=G_START, end=G_END, award_cents=AWARD, justified_cents=4_000_00,
                             margin=D("0.05"))
    assert keys(flags) == ["spending_behind"]


# --- 9. closing balance ----------------------------------------------------------------------

APPROVED = [ReportDue(1, date(2025, 6, 30), "approved"), ReportDue(2, date(2025, 12, 31), "approved")]


@pytest.mark.parametrize(("paid", "justified", "refund", "final"), [
    (8_000_00, 8_000_00, 0, 0),
    (8_000_00, 7_500_00, 500_00, 0),  # refund
    (8_000_00, 0, 8_000_00, 0),  # nothing justified: everything back
    (8_000_00, 9_000_00, 0, 1_000_00),  # final payment
    (8_000_00, AWARD, 0, 2_000_00),  # justified exactly the award
    (8_000_00, 12_000_00, 0, 2_000_00),  # beyond the award: capped at award − paid
    (AWARD, 12_000_00, 0, 0),
])
def test_closing_balance(paid: int, justified: int, refund: int, final: int) -> None:
    balance = rules.closing_balance(award_cents=AWARD, paid_cents=paid, justified_cents=justified, reports=APPROVED)
    assert (balance.refund_cents, balance.final_payment_cents) == (refund, final)
    assert balance.closable and balance.settled is (refund == final == 0)


@pytest.mark.parametrize(("reports", "expected"), [
    (APPROVED, []),
    ([APPROVED[0], ReportDue(2, date(2025, 12, 31), "submitted")], ["reports_not_approved"]),
    ([], ["no_reports"]),
])
def test_closable_only_when_every_report_is_approved(reports: list[ReportDue], expected: list[str]) -> None:
    balance = rules.closing_balance(award_cents=AWARD, paid_cents=AWARD, justified_cents=AWARD, reports=reports)
    assert keys(balance.problems) == expected and balance.closable is (not expected)
    if expected == ["reports_not_approved"]:
        assert balance.problems[0].params == {"report_ids": [2], "count": 1}


# --- 10. indicator progress ------------------------------------------------------------------

@pytest.mark.parametrize(("baseline", "target", "actual", "progress"), [
    (0, 100, 50, D("0.5")),
    (10, 20, 20, D(1)),
    (10, 20, 25, D("1.5")),  # beyond the target: not clamped
    (10, 20, 5, D("-0.5")),  # moved away from it
    (100, 50, 80, D("0.4")),  # a decrease wanted
    (100, 50, 40, D("1.2")),
    (D("0.5"), D("1.5"), "1", D("0.5")),  # numbers as text
    (0.1, 0.3, 0.2, D("0.5")),  # a float through its text, no binary noise
    (5, 5, 7, None),  # target == baseline
    (0, 10, None, None),
    ("low", "high", "medium", None),
    (0, 10, True, None),
    (0, 10, "NaN", None),
])
def test_indicator_progress(baseline: object, target: object, actual: object, progress: Decimal | None) -> None:
    assert rules.indicator_progress(baseline, target, actual) == progress


# --- property: accepted disbursements never exceed the award --------------------------------

operations = st.lists(st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 3), st.integers(-5_00, 60_00)),
    st.tuples(st.just("reverse"), st.integers(0, 30), st.integers(1, 60_00)),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(schedule=st.lists(st.integers(1, 50_00), min_size=1, max_size=4), ops=operations,
       due=st.lists(st.booleans(), min_size=4, max_size=4))
def test_accepted_disbursements_never_exceed_the_award(schedule: list[int], ops: list[tuple[str, int, int]],
                                                        due: list[bool]) -> None:
    award = sum(schedule)
    assert rules.check_schedule(schedule, award) == []
    ledger: list[Entry] = [Entry(T.COMMITMENT, award, id=1)]
    for kind, pick, amount in ops:
        if kind == "pay":
            instalment = pick % len(schedule)
            problems = rules.check_disbursement(
                amount, award_cents=award, paid_cents=rules.totals(ledger).paid_cents, instalment_due=due[instalment],
                instalment_cents=schedule[instalment],
                instalment_paid_cents=rules.paid_by_instalment(ledger).get(instalment, 0))
            entry = Entry(T.DISBURSEMENT, amount, id=len(ledger) + 1, instalment_id=instalment)
        else:
            payments = [e for e in ledger if e.type == T.DISBURSEMENT and e.reverses_id is None]
            if not payments:
                continue
            original = payments[pick % len(payments)]
            entry = rules.reversal_of(original, amount)
            entry = Entry(entry.type, entry.amount_cents, id=len(ledger) + 1, instalment_id=entry.instalment_id,
                          reverses_id=entry.reverses_id)
            problems = rules.check_reversal(entry, ledger)
        if not problems:
            ledger.append(entry)
        paid = rules.totals(ledger).paid_cents
        assert 0 <= paid <= award
        for instalment, instalment_paid in rules.paid_by_instalment(ledger).items():
            assert 0 <= instalment_paid <= schedule[instalment]
            assert instalment_paid == 0 or due[instalment]


@pytest.mark.parametrize(("final", "spent", "flag"), [
    (False, 8_999, None),  # under the plan while the grant runs
    (True, 8_999, rules.UNDERSPENT),  # the same at closure
    (False, 11_001, rules.OVERSPENT),  # over the plan is flagged at once
    (False, 11_000, None),
])
def test_underspending_counts_only_at_closure(final: bool, spent: int, flag: str | None) -> None:
    line = rules.line_variance(rules.BudgetLine("L1", 10_000, 0, spent), tolerance=Decimal("0.10"), final=final)
    assert line.flag == flag
