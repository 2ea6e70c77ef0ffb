"""Pure rules of grant tracking: instalments, the ledger, budget, status, risk, closure, indicators.

No database, no Flask: the services, the dashboards and the exports read their figures from these
functions, so every page says the same thing and every rule is table-tested
(tests/grants/test_rules.py). Money is integer cents in and out, rates and shares are ``Decimal``
(``Decimal("0.7")`` is 70 %), dates are ``datetime.date``. A refusal or a flag is data: a ``Problem``
with a machine-readable key and its figures as parameters; the sentence lives in the UI.
DESIGN.md §3 "Grants":

1. Instalment schedule (``check_schedule``): at least one instalment, each amount above zero, and
   the amounts add up exactly to the award -- one cent over or under is refused, with the
   difference in cents (``total − award``).
2. Instalment due (``instalment_due``): ``on_signature`` when the agreement is signed;
   ``report_approved`` when the given report is approved; ``expenditure_share`` when justified
   expenditure ≥ share × the amounts already paid (exactly the share is enough). With nothing paid
   yet, a share condition is met only when the share is 0: the condition measures how the money
   received was used, and with nothing received there is nothing to measure -- otherwise a later
   instalment would be due before the first one was paid, on the grantee's own expenditure.
   A written early-release reason makes an instalment due whatever its condition; what the
   condition still lacks is reported anyway, for the record.
3. Disbursement (``check_disbursement``): an amount above zero, against a due instalment, never
   more than what remains of that instalment, never making the total paid exceed the award
   (exactly the award is fine, one cent over is not). A correction (``check_reversal``) is a new
   entry with a negative amount of the same type, budget line and instalment as the earlier entry
   it references, never more than that entry; an entry is corrected once (``reverses_id`` is
   unique in the ledger table): to fix a fix, reverse the corrected entry's replacement.
4. Ledger (``totals``, ``totals_by_line``, ``paid_by_instalment``): entries typed like IATI
   transactions (2 commitment, 3 disbursement, 4 expenditure; the codes as int or as the model's
   text "2"/"3"/"4") with signed amounts; committed, paid and justified are their sums;
   remaining to pay = committed − paid, remaining to justify = paid − justified. No total is
   stored anywhere else.
5. Budget variance (``line_variance``, ``budget_variance``): per line planned, spent this period,
   spent to date, remaining (planned − spent to date) and the variance (spent to date − planned,
   and that as a share of planned). A line is flagged when |share| is strictly beyond the
   tolerance (default 10 %; exactly the tolerance is not flagged); a line planned at 0 with
   spending is always flagged (its share is None).
6. Budget amendment (``check_amendment``): the total of the lines stays the same (or the change is
   reported in cents), no line negative nor below what is already spent on it, and a new end date
   neither before the start nor before today (today itself is fine).
7. Status (``check_transition``): ``draft → signed → active``, ``active ↔ suspended``,
   ``active → closing → closed``; ``terminated`` from any status but ``closed`` (and itself), only
   with a written reason. ``closed`` and ``terminated`` are final.
8. At-risk flags (``risk_flags``), each with its figures: a report overdue (its due date is before
   today and it is neither submitted nor approved); spending far behind time (justified share of
   the award < elapsed share of the grant period − margin, default 25 points); an indicator far
   behind target (its progress < elapsed share − the same margin; indicators whose baseline or
   target is not a number are skipped; one with no actual value yet counts as at its baseline).
   Strictly below the threshold: exactly at it is not flagged.
9. Closing balance (``closing_balance``): paid > justified → the grantee refunds paid − justified
   (never more than was paid); justified > paid → a final payment of justified − paid (never
   beyond award − paid). Closable only when there is at least one report and every report is
   approved.
10. Indicator progress (``indicator_progress``): (actual − baseline) / (target − baseline), a
    ``Decimal`` share, not clamped (below 0 moved away from the target, above 1 beyond it); None
    when target == baseline or a value is not a number. A target below the baseline (a decrease
    wanted) works the same way.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from enum import IntEnum
from typing import Any, NamedTuple, TypeAlias

#: A budget line's key: the ledger's ``budget_line_code`` (or an id); None or "" is no line.
LineKey: TypeAlias = int | str

DEFAULT_TOLERANCE = Decimal("0.10")
DEFAULT_RISK_MARGIN = Decimal("0.25")


class Problem(NamedTuple):
    """A refusal or a flag: message key + parameters (the sentence is the UI's)."""

    key: str
    params: dict[str, Any]


def _cents(**values: int) -> None:
    """Money is integer cents: a float or a Decimal here is a bug upstream, not a rounding to make."""
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be integer cents, not {type(value).__name__}")


# --- 1. instalment schedule ------------------------------------------------------------------

def check_schedule(amounts: Sequence[int], award_cents: int) -> list[Problem]:
    """Why a schedule of instalments cannot stand: keys ``award_not_positive``, ``no_instalments``,
    ``instalment_not_positive`` (``index`` 1-based, ``amount_cents``), ``schedule_above_award`` /
    ``schedule_below_award`` (``total_cents``, ``award_cents``, ``difference_cents`` = total − award)."""
    _cents(award_cents=award_cents)
    for amount in amounts:
        _cents(amount_cents=amount)
    problems: list[Problem] = []
    if award_cents <= 0:
        problems.append(Problem("award_not_positive", {"award_cents": award_cents}))
    if not amounts:
        problems.append(Problem("no_instalments", {}))
        return problems
    for index, amount in enumerate(amounts, 1):
        if amount <= 0:
            problems.append(Problem("instalment_not_positive", {"index": index, "amount_cents": amount}))
    total = sum(amounts)
    if total != award_cents:
        key = "schedule_above_award" if total > award_cents else "schedule_below_award"
        problems.append(Problem(key, {"total_cents": total, "award_cents": award_cents,
                                      "difference_cents": total - award_cents}))
    return problems


# --- 2. instalment due -----------------------------------------------------------------------

ON_SIGNATURE = "on_signature"
REPORT_APPROVED = "report_approved"
EXPENDITURE_SHARE = "expenditure_share"
CONDITIONS = (ON_SIGNATURE, REPORT_APPROVED, EXPENDITURE_SHARE)


@dataclass(frozen=True)
class Condition:
    """What makes an instalment due: ``kind`` with its report (report_approved) or share (expenditure_share)."""

    kind: str
    report_id: int | None = None
    share: Decimal | None = None  # of the amounts already paid, 0..1


@dataclass(frozen=True)
class GrantProgress:
    """What the conditions look at, read from the agreement, its reports and its ledger."""

    signed: bool
    approved_reports: frozenset[int] = frozenset()
    paid_cents: int = 0  # net of corrections
    justified_cents: int = 0


@dataclass(frozen=True)
class Due:
    """``missing`` is what the condition still lacks (None when met), also when released early."""

    due: bool
    missing: Problem | None = None
    released_early: bool = False


def share_of_percent(percent: int | Decimal) -> Decimal:
    """The share of a percentage as stored (``condition_share_percent`` 70 → ``Decimal("0.7")``)."""
    return Decimal(percent) / 100


def check_condition(condition: Condition) -> list[Problem]:
    """Why a condition cannot be set: ``unknown_condition``, ``report_required``, ``share_required``,
    ``share_out_of_range`` (a share outside 0..1: asking for more than was paid would make the
    grantee pre-finance the grant)."""
    if condition.kind not in CONDITIONS:
        return [Problem("unknown_condition", {"kind": condition.kind})]
    if condition.kind == REPORT_APPROVED and condition.report_id is None:
        return [Problem("report_required", {})]
    if condition.kind == EXPENDITURE_SHARE:
        if condition.share is None:
            return [Problem("share_required", {})]
        if not Decimal(0) <= condition.share <= Decimal(1):
            return [Problem("share_out_of_range", {"share": condition.share})]
    return []


def _missing(condition: Condition, progress: GrantProgress) -> Problem | None:
    if condition.kind == ON_SIGNATURE:
        return None if progress.signed else Problem("not_signed", {})
    if condition.kind == REPORT_APPROVED:
        if condition.report_id in progress.approved_reports:
            return None
        return Problem("report_not_approved", {"report_id": condition.report_id})
    share = condition.share if condition.share is not None else Decimal(0)
    paid, justified = progress.paid_cents, progress.justified_cents
    if share == 0:
        return None
    if paid <= 0:
        return Problem("nothing_paid_yet", {"share": share, "justified_cents": justified})
    required = share * paid  # exact: an int times a short Decimal
    if justified >= required:
        return None
    required_cents = int(required.to_integral_value(rounding=ROUND_CEILING))  # justified >= this ⇔ met
    return Problem("expenditure_below_share", {"share": share, "paid_cents": paid, "justified_cents": justified,
                                               "required_cents": required_cents,
                                               "shortfall_cents": required_cents - justified})


def instalment_due(condition: Condition, progress: GrantProgress, *, early_release_reason: str = "") -> Due:
    """Whether an instalment is due and, when not, which condition is missing with its figures.

    Keys of ``missing``: ``not_signed``; ``report_not_approved`` (``report_id``); ``nothing_paid_yet``
    (``share``, ``justified_cents``); ``expenditure_below_share`` (``share``, ``paid_cents``,
    ``justified_cents``, ``required_cents``, ``shortfall_cents``). An invalid condition raises.
    """
    _cents(paid_cents=progress.paid_cents, justified_cents=progress.justified_cents)
    invalid = check_condition(condition)
    if invalid:
        raise ValueError(f"invalid condition: {invalid[0].key}")
    missing = _missing(condition, progress)
    early = bool(early_release_reason.strip())
    return Due(due=missing is None or early, missing=missing, released_early=early)


# --- 3 and 4. the ledger, disbursements and corrections --------------------------------------

class TransactionType(IntEnum):
    """IATI transaction type codes (codelist TransactionType) used by the ledger."""

    COMMITMENT = 2
    DISBURSEMENT = 3
    EXPENDITURE = 4


@dataclass(frozen=True)
class Entry:
    """One ledger entry. Negative amounts only for a correction, which names the entry it reverses."""

    type: TransactionType | int | str  # 2, 3, 4 or "2", "3", "4"
    amount_cents: int
    id: int | None = None  # None until recorded
    budget_line: LineKey | None = None
    instalment_id: int | None = None
    reverses_id: int | None = None
    on: date | None = None


@dataclass(frozen=True)
class Totals:
    committed_cents: int = 0
    paid_cents: int = 0
    justified_cents: int = 0

    @property
    def remaining_to_pay_cents(self) -> int:
        return self.committed_cents - self.paid_cents

    @property
    def remaining_to_justify_cents(self) -> int:
        return self.paid_cents - self.justified_cents

    def to_dict(self) -> dict[str, int]:
        return {"committed_cents": self.committed_cents, "paid_cents": self.paid_cents,
                "justified_cents": self.justified_cents, "remaining_to_pay_cents": self.remaining_to_pay_cents,
                "remaining_to_justify_cents": self.remaining_to_justify_cents}


def transaction_type(entry: Entry) -> TransactionType:
    """The entry's IATI code; any other code is a bug (the ledger holds only these three)."""
    try:
        return TransactionType(int(entry.type))
    except ValueError:
        raise ValueError(f"transaction type {entry.type!r} is not in the ledger") from None


def line_of(entry: Entry) -> LineKey | None:
    """The entry's budget line, None for none ("" in the ledger table)."""
    return None if entry.budget_line in (None, "") else entry.budget_line


def _sums(entries: Iterable[Entry]) -> dict[TransactionType, int]:
    sums = dict.fromkeys(TransactionType, 0)
    for entry in entries:
        _cents(amount_cents=entry.amount_cents)
        sums[transaction_type(entry)] += entry.amount_cents
    return sums


def totals(entries: Iterable[Entry]) -> Totals:
    """Committed, paid and justified, summed from the entries (corrections included)."""
    sums = _sums(entries)
    return Totals(sums[TransactionType.COMMITMENT], sums[TransactionType.DISBURSEMENT],
                  sums[TransactionType.EXPENDITURE])


def totals_by_line(entries: Iterable[Entry]) -> dict[LineKey | None, Totals]:
    """The same totals per budget line (key None: entries on no line, e.g. the award's commitment)."""
    grouped: dict[LineKey | None, list[Entry]] = defaultdict(list)
    for entry in entries:
        grouped[line_of(entry)].append(entry)
    return {line: totals(group) for line, group in grouped.items()}


def paid_by_instalment(entries: Iterable[Entry]) -> dict[int, int]:
    """Net paid against each instalment (disbursements and their corrections)."""
    paid: dict[int, int] = defaultdict(int)
    for entry in entries:
        if transaction_type(entry) == TransactionType.DISBURSEMENT and entry.instalment_id is not None:
            paid[entry.instalment_id] += entry.amount_cents
    return dict(paid)


def in_period(entries: Iterable[Entry], start: date, end: date) -> list[Entry]:
    """Entries dated within [start, end], both included (e.g. spent this period)."""
    return [e for e in entries if e.on is not None and start <= e.on <= end]


def check_disbursement(amount_cents: int, *, award_cents: int, paid_cents: int, instalment_due: bool,
                       instalment_cents: int, instalment_paid_cents: int) -> list[Problem]:
    """Why a payment cannot be recorded. ``paid_cents`` is the grant's net total paid so far,
    ``instalment_paid_cents`` what was already paid against this instalment.

    Keys: ``amount_not_positive``; ``instalment_not_due``; ``above_instalment`` (``amount_cents``,
    ``remaining_cents``, ``excess_cents``); ``above_award`` (``amount_cents``, ``award_cents``,
    ``paid_cents``, ``available_cents``, ``excess_cents``). The service runs it inside the transaction
    that records the payment, with the grant row locked, so two payments cannot both pass.
    """
    _cents(amount_cents=amount_cents, award_cents=award_cents, paid_cents=paid_cents,
           instalment_cents=instalment_cents, instalment_paid_cents=instalment_paid_cents)
    if amount_cents <= 0:
        return [Problem("amount_not_positive", {"amount_cents": amount_cents})]
    problems: list[Problem] = []
    if not instalment_due:
        problems.append(Problem("instalment_not_due", {}))
    remaining = instalment_cents - instalment_paid_cents
    if amount_cents > remaining:
        problems.append(Problem("above_instalment", {"amount_cents": amount_cents, "remaining_cents": remaining,
                                                     "excess_cents": amount_cents - remaining}))
    available = award_cents - paid_cents
    if amount_cents > available:
        problems.append(Problem("above_award", {"amount_cents": amount_cents, "award_cents": award_cents,
                                                "paid_cents": paid_cents, "available_cents": available,
                                                "excess_cents": amount_cents - available}))
    return problems


def reversal_of(original: Entry, amount_cents: int, *, on: date | None = None) -> Entry:
    """The correcting entry for ``amount_cents`` (positive, the part to cancel) of ``original``."""
    _cents(amount_cents=amount_cents)
    return Entry(type=original.type, amount_cents=-amount_cents, budget_line=original.budget_line,
                 instalment_id=original.instalment_id, reverses_id=original.id, on=on)


def check_reversal(entry: Entry, ledger: Iterable[Entry]) -> list[Problem]:
    """Why a correcting entry cannot be recorded against the earlier entries of ``ledger``.

    Keys: ``no_reference``; ``reversal_not_negative``; ``original_not_found``; ``original_is_reversal``;
    ``already_reversed`` (``entry_id``, ``reversed_by_id``); ``reversal_mismatch`` (``field``: type,
    budget line or instalment differ from the original's); ``reversal_above_original``
    (``amount_cents``, ``original_cents``).
    """
    _cents(amount_cents=entry.amount_cents)
    if entry.reverses_id is None:
        return [Problem("no_reference", {})]
    if entry.amount_cents >= 0:
        return [Problem("reversal_not_negative", {"amount_cents": entry.amount_cents})]
    earlier = list(ledger)
    original = next((e for e in earlier if e.id == entry.reverses_id), None)
    if original is None:
        return [Problem("original_not_found", {"entry_id": entry.reverses_id})]
    if original.reverses_id is not None or original.amount_cents <= 0:
        return [Problem("original_is_reversal", {"entry_id": original.id})]
    earlier_fix = next((e for e in earlier if e.reverses_id == original.id and e is not entry
                        and (entry.id is None or e.id != entry.id)), None)
    if earlier_fix is not None:
        return [Problem("already_reversed", {"entry_id": original.id, "reversed_by_id": earlier_fix.id})]
    problems = [Problem("reversal_mismatch", {"field": field}) for field, mine, theirs in (
        ("type", transaction_type(entry), transaction_type(original)),
        ("budget_line", line_of(entry), line_of(original)),
        ("instalment", entry.instalment_id, original.instalment_id)) if mine != theirs]
    if -entry.amount_cents > original.amount_cents:
        problems.append(Problem("reversal_above_original", {"amount_cents": -entry.amount_cents,
                                                            "original_cents": original.amount_cents}))
    return problems


# --- 5. budget variance ----------------------------------------------------------------------

OVERSPENT = "overspent"
UNDERSPENT = "underspent"
UNPLANNED = "unplanned_spending"


@dataclass(frozen=True)
class LineVariance:
    line: LineKey | None  # None: the total of every line
    planned_cents: int
    spent_period_cents: int
    spent_to_date_cents: int
    tolerance: Decimal
    #: Whether spending below the plan counts (at closure); during the grant, only overspending is flagged:
    #: a line is naturally below its whole plan until the end.
    final: bool = True

    @property
    def remaining_cents(self) -> int:
        return self.planned_cents - self.spent_to_date_cents

    @property
    def variance_cents(self) -> int:
        return self.spent_to_date_cents - self.planned_cents

    @property
    def variance_share(self) -> Decimal | None:
        """Variance / planned; None when nothing was planned (no share of nothing)."""
        if self.planned_cents == 0:
            return None
        return Decimal(self.variance_cents) / Decimal(self.planned_cents)

    @property
    def flag(self) -> str | None:
        """OVERSPENT / UNDERSPENT beyond the tolerance, UNPLANNED (planned 0, spent), or None.

        Compared exactly (|variance| > tolerance × planned), never on a rounded share.
        """
        if self.planned_cents == 0:
            return UNPLANNED if self.spent_to_date_cents != 0 else None
        if abs(Decimal(self.variance_cents)) <= self.tolerance * abs(self.planned_cents):
            return None
        if self.variance_cents < 0 and not self.final:
            return None
        return OVERSPENT if self.variance_cents > 0 else UNDERSPENT

    @property
    def flagged(self) -> bool:
        return self.flag is not None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "planned_cents": self.planned_cents,
                "spent_period_cents": self.spent_period_cents, "spent_to_date_cents": self.spent_to_date_cents,
                "remaining_cents": self.remaining_cents, "variance_cents": self.variance_cents,
                "variance_share": self.variance_share, "flag": self.flag}


@dataclass(frozen=True)
class BudgetLine:
    """A line's plan and what the ledger says was spent on it (expenditure entries)."""

    line: LineKey
    planned_cents: int
    spent_period_cents: int = 0
    spent_to_date_cents: int = 0


def line_variance(line: BudgetLine, *, tolerance: Decimal = DEFAULT_TOLERANCE, final: bool = True) -> LineVariance:
    """One line's figures and flag; ``tolerance`` comes from the call's rule set; ``final``: underspending counts."""
    _cents(planned_cents=line.planned_cents, spent_period_cents=line.spent_period_cents,
           spent_to_date_cents=line.spent_to_date_cents)
    if tolerance < 0:
        raise ValueError("negative tolerance")
    return LineVariance(line.line, line.planned_cents, line.spent_period_cents, line.spent_to_date_cents,
                        tolerance, final)


def budget_variance(lines: Iterable[BudgetLine], *, tolerance: Decimal = DEFAULT_TOLERANCE, final: bool = True
                    ) -> tuple[list[LineVariance], LineVariance]:
    """Every line's variance, in the order given, and the total row (line None) with its own flag."""
    rows = [line_variance(line, tolerance=tolerance, final=final) for line in lines]
    total = LineVariance(None, sum(r.planned_cents for r in rows), sum(r.spent_period_cents for r in rows),
                         sum(r.spent_to_date_cents for r in rows), tolerance, final)
    return rows, total


# --- 6. budget amendment ---------------------------------------------------------------------

@dataclass(frozen=True)
class AmendmentCheck:
    problems: tuple[Problem, ...]
    total_before_cents: int
    total_after_cents: int
    changes: dict[LineKey, int]  # line → new planned − old planned, lines that change only

    @property
    def total_change_cents(self) -> int:
        return self.total_after_cents - self.total_before_cents

    @property
    def ok(self) -> bool:
        return not self.problems


def check_amendment(current: Mapping[LineKey, int], proposed: Mapping[LineKey, int], *, spent: Mapping[LineKey, int],
                    start: date, end: date, new_end: date | None = None, today: date) -> AmendmentCheck:
    """Check a budget amendment: planned cents per line now and proposed (a line missing from
    ``proposed`` is removed, i.e. planned 0; a new key is a new line), spent to date per line.

    Keys: ``nothing_changed``; ``total_changed`` (``before_cents``, ``after_cents``, ``difference_cents``);
    ``line_negative`` (``line``, ``planned_cents``); ``line_below_spent`` (``line``,
    ``planned_cents``, ``spent_cents``, ``shortfall_cents``); ``end_before_start`` (``start``,
    ``new_end``); ``end_in_past`` (``today``, ``new_end``).
    """
    for mapping in (current, proposed, spent):
        for value in mapping.values():
            _cents(amount_cents=value)
    problems: list[Problem] = []
    lines = sorted(set(current) | set(proposed) | set(spent), key=str)
    changes = {line: proposed.get(line, 0) - current.get(line, 0) for line in lines
               if proposed.get(line, 0) != current.get(line, 0)}
    before, after = sum(current.values()), sum(proposed.values())
    end_moved = new_end is not None and new_end != end
    if not changes and not end_moved:
        problems.append(Problem("nothing_changed", {}))
    if after != before:
        problems.append(Problem("total_changed", {"before_cents": before, "after_cents": after,
                                                  "difference_cents": after - before}))
    for line in lines:
        planned, used = proposed.get(line, 0), spent.get(line, 0)
        if planned < 0:
            problems.append(Problem("line_negative", {"line": line, "planned_cents": planned}))
        elif planned < used:
            problems.append(Problem("line_below_spent", {"line": line, "planned_cents": planned,
                                                         "spent_cents": used, "shortfall_cents": used - planned}))
    if new_end is not None and end_moved:
        if new_end < start:
            problems.append(Problem("end_before_start", {"start": start, "new_end": new_end}))
        if new_end < today:
            problems.append(Problem("end_in_past", {"today": today, "new_end": new_end}))
    return AmendmentCheck(tuple(problems), before, after, changes)


# --- 7. status -------------------------------------------------------------------------------

DRAFT = "draft"
SIGNED = "signed"
ACTIVE = "active"
SUSPENDED = "suspended"
CLOSING = "closing"
CLOSED = "closed"
TERMINATED = "terminated"
STATUSES = (DRAFT, SIGNED, ACTIVE, SUSPENDED, CLOSING, CLOSED, TERMINATED)
FINAL = frozenset({CLOSED, TERMINATED})
_MOVES: dict[str, tuple[str, ...]] = {
    DRAFT: (SIGNED,),
    SIGNED: (ACTIVE,),
    ACTIVE: (SUSPENDED, CLOSING),
    SUSPENDED: (ACTIVE,),
    CLOSING: (CLOSED,),
}


def allowed_transitions(current: str) -> tuple[str, ...]:
    """Where a grant may go from ``current`` (termination included, which also needs a reason)."""
    if current not in STATUSES or current in FINAL:
        return ()
    return (*_MOVES.get(current, ()), TERMINATED)


def check_transition(current: str, target: str, *, reason: str = "") -> Problem | None:
    """Why a grant cannot move from ``current`` to ``target`` (None: it can).

    Keys: ``unknown_status`` (``status``); ``same_status``; ``final_status`` (``status``: closed and
    terminated never move); ``not_allowed`` (``from``, ``to``, ``allowed``); ``reason_required``.
    """
    for status in (current, target):
        if status not in STATUSES:
            return Problem("unknown_status", {"status": status})
    if current == target:
        return Problem("same_status", {"status": current})
    if current in FINAL:
        return Problem("final_status", {"status": current})
    allowed = allowed_transitions(current)
    if target not in allowed:
        return Problem("not_allowed", {"from": current, "to": target, "allowed": list(allowed)})
    if target == TERMINATED and not reason.strip():
        return Problem("reason_required", {})
    return None


# --- 10. indicator progress (used by 8) ------------------------------------------------------

def _number(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())  # a float through its shortest text: 0.1 is 0.1
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def indicator_progress(baseline: object, target: object, actual: object) -> Decimal | None:
    """(actual − baseline) / (target − baseline); None when target == baseline or a value is not a
    number (a qualitative indicator). Numbers may come as int, Decimal or text ("12.5")."""
    b, t, a = _number(baseline), _number(target), _number(actual)
    if b is None or t is None or a is None or t == b:
        return None
    return (a - b) / (t - b)


# --- 8. at-risk flags ------------------------------------------------------------------------

SUBMITTED = "submitted"
APPROVED = "approved"


@dataclass(frozen=True)
class ReportDue:
    report_id: int
    due: date
    status: str  # anything but SUBMITTED and APPROVED still awaits the grantee


@dataclass(frozen=True)
class IndicatorValues:
    indicator_id: int
    baseline: object
    target: object
    actual: object = None  # latest actual; None: nothing reported yet


def elapsed_share(start: date, end: date, today: date) -> Decimal:
    """Share of the grant period gone by on ``today``, between 0 and 1."""
    if today <= start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days) / Decimal((end - start).days)


def risk_flags(*, today: date, start: date, end: date, award_cents: int, justified_cents: int,
               reports: Iterable[ReportDue] = (), indicators: Iterable[IndicatorValues] = (),
               margin: Decimal = DEFAULT_RISK_MARGIN) -> list[Problem]:
    """Why a grant is at risk, one flag per reason (empty: not at risk). The caller decides which
    grants are watched (active or suspended, say).

    Keys: ``report_overdue`` (``report_id``, ``due``, ``days_late``); ``spending_behind``
    (``justified_cents``, ``award_cents``, ``spent_share``, ``elapsed_share``, ``margin``);
    ``indicator_behind`` (``indicator_id``, ``progress``, ``elapsed_share``, ``margin``).
    """
    _cents(award_cents=award_cents, justified_cents=justified_cents)
    flags: list[Problem] = []
    for report in reports:
        if report.due < today and report.status not in (SUBMITTED, APPROVED):
            flags.append(Problem("report_overdue", {"report_id": report.report_id, "due": report.due,
                                                    "days_late": (today - report.due).days}))
    elapsed = elapsed_share(start, end, today)
    threshold = elapsed - margin
    if award_cents > 0:
        spent = Decimal(justified_cents) / Decimal(award_cents)
        if spent < threshold:
            flags.append(Problem("spending_behind", {"justified_cents": justified_cents, "award_cents": award_cents,
                                                     "spent_share": spent, "elapsed_share": elapsed,
                                                     "margin": margin}))
    for indicator in indicators:
        actual = indicator.baseline if indicator.actual is None else indicator.actual
        progress = indicator_progress(indicator.baseline, indicator.target, actual)
        if progress is not None and progress < threshold:
            flags.append(Problem("indicator_behind", {"indicator_id": indicator.indicator_id, "progress": progress,
                                                      "elapsed_share": elapsed, "margin": margin}))
    return flags


# --- 9. closing balance ----------------------------------------------------------------------

@dataclass(frozen=True)
class ClosingBalance:
    refund_cents: int  # the grantee pays back
    final_payment_cents: int  # the programme still pays
    problems: tuple[Problem, ...]  # why the grant cannot close yet

    @property
    def closable(self) -> bool:
        return not self.problems

    @property
    def settled(self) -> bool:
        """Nothing left to refund or to pay."""
        return self.refund_cents == 0 and self.final_payment_cents == 0


def closing_balance(*, award_cents: int, paid_cents: int, justified_cents: int,
                    reports: Iterable[ReportDue]) -> ClosingBalance:
    """Refund or final payment from justified vs paid, and whether the grant may close.

    Keys: ``no_reports`` (a grant closes on its final report); ``reports_not_approved``
    (``report_ids``, ``count``).
    """
    _cents(award_cents=award_cents, paid_cents=paid_cents, justified_cents=justified_cents)
    refund = final = 0
    if paid_cents > justified_cents:
        refund = min(paid_cents - justified_cents, max(paid_cents, 0))
    elif justified_cents > paid_cents:
        final = max(min(justified_cents - paid_cents, award_cents - paid_cents), 0)
    listed = list(reports)
    problems: list[Problem] = []
    if not listed:
        problems.append(Problem("no_reports", {}))
    waiting = [r.report_id for r in listed if r.status != APPROVED]
    if waiting:
        problems.append(Problem("reports_not_approved", {"report_ids": waiting, "count": len(waiting)}))
    return ClosingBalance(refund, final, tuple(problems))
