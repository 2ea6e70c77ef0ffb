"""The grants dashboards' figures: the secretariat's (per call and overall), the grantee's own, the
committee's and ex-officio members' portfolio.

Every amount comes from the ledger (``LedgerEntry`` summed per grant and type in the database, then
``rules.totals``); whether an instalment is due, a grant at risk or a report late is decided by
``app.grants.rules``. Nothing here writes.

Bounded queries: a dashboard reads a fixed number of statements whatever the number of grants -- the
grants with their lead and call, the ledger's sums per grant and type, the paid sum per instalment, the
reports, the instalments, the indicators and the indicator values of approved report versions -- and
computes the rest in Python. Only columns are read (no ORM objects for thousands of rows).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.calls.models import Call
from app.calls.money import euros, from_cents
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import rules
from app.grants.charts import Bar, Chart, bar_chart
from app.grants.models import (
    Grant,
    GrantIndicator,
    GrantPartner,
    GrantStatus,
    Instalment,
    LedgerEntry,
    Report,
    ReportVersion,
    ReportVersionStatus,
    TransactionType,
)
from app.members.models import Member, localised

#: Grants whose reports, instalments and risk are followed (a draft has none yet; closed ones are done).
FOLLOWED = frozenset({GrantStatus.signed, GrantStatus.active, GrantStatus.suspended, GrantStatus.closing})
#: Grants checked for risk (rules.risk_flags leaves the choice to the caller).
WATCHED = frozenset({GrantStatus.active, GrantStatus.suspended})
#: Instalments are paid only on these.
PAYABLE = frozenset({GrantStatus.signed, GrantStatus.active, GrantStatus.closing})
#: A report is "due soon" within this many days (the reminders have their own setting).
DUE_SOON_DAYS = 30


@dataclass
class ReportRow:
    id: int
    grant_id: int
    number: int
    kind: str
    due_on: date
    status: str
    period_ends_on: date

    @property
    def waiting(self) -> bool:
        return self.status == ReportVersionStatus.submitted

    @property
    def done(self) -> bool:
        return self.status in (ReportVersionStatus.submitted, ReportVersionStatus.approved)


@dataclass
class InstalmentRow:
    id: int
    grant_id: int
    number: int
    amount_cents: int
    condition: str
    report_id: int | None
    share_percent: int | None
    early_reason: str
    paid_cents: int = 0
    due: rules.Due | None = None

    @property
    def rest_cents(self) -> int:
        return self.amount_cents - self.paid_cents

    @property
    def open_and_due(self) -> bool:
        return self.rest_cents > 0 and self.due is not None and self.due.due


@dataclass
class IndicatorRow:
    id: int
    grant_id: int
    name: str
    unit: str
    baseline: str
    target: str
    side: str  # the partner's name, or the lead's
    actual: str | None = None

    @property
    def progress(self) -> Decimal | None:
        return rules.indicator_progress(self.baseline, self.target,
                                        self.baseline if self.actual is None else self.actual)


@dataclass
class GrantRow:
    """One grant with what the ledger, its reports and instalments say."""

    id: int
    number: str
    title: str
    call_id: int
    call_title: str
    lead_member_id: int
    lead_name: str
    status: str
    starts_on: date
    ends_on: date
    awarded_cents: int
    signed: bool
    totals: rules.Totals = field(default_factory=rules.Totals)
    reports: list[ReportRow] = field(default_factory=list)
    instalments: list[InstalmentRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    flags: list[rules.Problem] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(GrantStatus(self.status).label)

    def money(self, key: str) -> Decimal:
        return from_cents(getattr(self.totals, key))

    def next_report(self) -> ReportRow | None:
        """The first report still awaited from the grantee (by due date)."""
        return next((r for r in sorted(self.reports, key=lambda r: r.due_on) if not r.done), None)

    def next_instalment(self) -> InstalmentRow | None:
        return next((i for i in self.instalments if i.rest_cents > 0), None)


@dataclass
class CallFigures:
    call_id: int | None  # None: every call
    title: str
    grants: int = 0
    committed_cents: int = 0
    paid_cents: int = 0
    justified_cents: int = 0

    def add(self, totals: rules.Totals) -> None:
        self.grants += 1
        self.committed_cents += totals.committed_cents
        self.paid_cents += totals.paid_cents
        self.justified_cents += totals.justified_cents

    @property
    def remaining_cents(self) -> int:
        return self.committed_cents - self.paid_cents

    def money(self, key: str) -> Decimal:
        return from_cents(getattr(self, key))


# --- reading ----------------------------------------------------------------------------------

def load(*, member_id: int | None = None, call_id: int | None = None, today: date | None = None,
         with_indicators: bool = True) -> list[GrantRow]:
    """Every grant (of one lead member, or of one call) with its ledger totals, reports, instalments (their
    paid part and due state) and indicators (their latest approved actual); risk flags for watched grants.

    A fixed number of statements, whatever the number of grants.
    """
    today = today or utcnow().date()
    query = (select(Grant.id, Grant.number, Grant.title, Grant.call_id, Call.title_fr, Grant.lead_member_id, Member.name,
                    Grant.status, Grant.starts_on, Grant.ends_on, Grant.awarded_cents, Grant.signed_by_grantee_on,
                    Grant.signed_by_programme_on, Call.title_en, Call.title_ar)
             .join(Call, Call.id == Grant.call_id).join(Member, Member.id == Grant.lead_member_id)
             .order_by(Grant.call_id, Grant.number))
    scope: list[Any] = []
    if member_id is not None:
        scope.append(Grant.lead_member_id == member_id)
    if call_id is not None:
        scope.append(Grant.call_id == call_id)
    rows = {r[0]: GrantRow(r[0], r[1], r[2], r[3], call_title(r[4], r[13], r[14]), r[5], r[6], r[7], r[8], r[9], r[10],
                           r[11] is not None and r[12] is not None and r[7] != GrantStatus.draft)
            for r in db.session.execute(query.where(*scope))}
    if not rows:
        return []
    in_scope = _scoped(scope)
    _attach_totals(rows, in_scope)
    _attach_reports(rows, in_scope)
    _attach_instalments(rows, in_scope)
    if with_indicators:
        _attach_indicators(rows, in_scope)
    for row in rows.values():
        _due_states(row)
        if row.status in WATCHED:
            row.flags = risk_of(row, today)
    return list(rows.values())


def call_title(fr: str, en: str, ar: str) -> str:
    """A call's title in the reader's language (as ``Call.title``), from the columns read."""
    return localised(SimpleNamespace(title_fr=fr, title_en=en, title_ar=ar), "title")


def _scoped(scope: list[Any]) -> Any:
    """A subquery of the grant ids in scope (one statement each time it is used, never a list of ids)."""
    return select(Grant.id).where(*scope).scalar_subquery() if scope else None


def _where(column: Any, in_scope: Any) -> list[Any]:
    return [column.in_(in_scope)] if in_scope is not None else []


def ledger_totals(grant_ids_in: Any = None) -> dict[int, rules.Totals]:
    """The ledger's totals per grant: sums per grant and transaction type in the database, then
    ``rules.totals`` (one entry per sum, so the rule's sign and type checks still apply)."""
    sums: dict[int, list[rules.Entry]] = defaultdict(list)
    query = (select(LedgerEntry.grant_id, LedgerEntry.type, func.sum(LedgerEntry.amount_cents))
             .where(*_where(LedgerEntry.grant_id, grant_ids_in)).group_by(LedgerEntry.grant_id, LedgerEntry.type))
    for grant_id, type_, total in db.session.execute(query):
        sums[grant_id].append(rules.Entry(type=int(type_), amount_cents=int(total or 0)))
    return {grant_id: rules.totals(entries) for grant_id, entries in sums.items()}


def _attach_totals(rows: dict[int, GrantRow], in_scope: Any) -> None:
    for grant_id, totals in ledger_totals(in_scope).items():
        if grant_id in rows:
            rows[grant_id].totals = totals


def _attach_reports(rows: dict[int, GrantRow], in_scope: Any) -> None:
    query = (select(Report.id, Report.grant_id, Report.number, Report.kind, Report.due_on, Report.status,
                    Report.period_ends_on).where(*_where(Report.grant_id, in_scope))
             .order_by(Report.grant_id, Report.number))
    for r in db.session.execute(query):
        if r[1] in rows:
            rows[r[1]].reports.append(ReportRow(*r))


def _attach_instalments(rows: dict[int, GrantRow], in_scope: Any) -> None:
    paid_query = (select(LedgerEntry.instalment_id, func.sum(LedgerEntry.amount_cents))
                  .where(LedgerEntry.type == TransactionType.disbursement, LedgerEntry.instalment_id.is_not(None),
                         *_where(LedgerEntry.grant_id, in_scope))
                  .group_by(LedgerEntry.instalment_id))
    paid = {iid: int(total or 0) for iid, total in db.session.execute(paid_query)}
    query = (select(Instalment.id, Instalment.grant_id, Instalment.number, Instalment.amount_cents,
                    Instalment.condition, Instalment.condition_report_id, Instalment.condition_share_percent,
                    Instalment.released_early_reason).where(*_where(Instalment.grant_id, in_scope))
             .order_by(Instalment.grant_id, Instalment.number))
    for r in db.session.execute(query):
        if r[1] in rows:
            rows[r[1]].instalments.append(InstalmentRow(*r, paid_cents=paid.get(r[0], 0)))


def _attach_indicators(rows: dict[int, GrantRow], in_scope: Any) -> None:
    query = (select(GrantIndicator.id, GrantIndicator.grant_id, GrantIndicator.name, GrantIndicator.unit,
                    GrantIndicator.baseline, GrantIndicator.target, GrantPartner.name)
             .outerjoin(GrantPartner, GrantPartner.id == GrantIndicator.partner_id)
             .where(*_where(GrantIndicator.grant_id, in_scope)).order_by(GrantIndicator.grant_id, GrantIndicator.id))
    by_id: dict[int, IndicatorRow] = {}
    for r in db.session.execute(query):
        if r[1] in rows:
            item = IndicatorRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or rows[r[1]].lead_name)
            rows[r[1]].indicators.append(item)
            by_id[item.id] = item
    values = (select(ReportVersion.indicators).join(Report, Report.id == ReportVersion.report_id)
              .where(ReportVersion.status == ReportVersionStatus.approved, *_where(Report.grant_id, in_scope))
              .order_by(Report.period_ends_on, ReportVersion.number))
    for (reported,) in db.session.execute(values):  # later periods overwrite earlier ones: the latest actual
        for key, value in (reported or {}).items():
            item = by_id.get(int(key)) if str(key).isdigit() else None
            if item is not None and value not in (None, ""):
                item.actual = str(value)


def condition_of(item: InstalmentRow) -> rules.Condition:
    share = None if item.share_percent is None else Decimal(item.share_percent) / 100
    return rules.Condition(kind=item.condition, report_id=item.report_id, share=share)


def _due_states(row: GrantRow) -> None:
    progress = rules.GrantProgress(
        signed=row.signed, approved_reports=frozenset(r.id for r in row.reports
                                                      if r.status == ReportVersionStatus.approved),
        paid_cents=row.totals.paid_cents, justified_cents=row.totals.justified_cents)
    for item in row.instalments:
        try:
            item.due = rules.instalment_due(condition_of(item), progress, early_release_reason=item.early_reason)
        except ValueError:  # a condition the schedule editor would refuse: never due, shown as such
            item.due = rules.Due(due=False, missing=rules.Problem("unknown_condition", {}))


def risk_of(row: GrantRow, today: date) -> list[rules.Problem]:
    committed = row.totals.committed_cents or row.awarded_cents
    return rules.risk_flags(
        today=today, start=row.starts_on, end=row.ends_on, award_cents=committed,
        justified_cents=row.totals.justified_cents,
        reports=[rules.ReportDue(r.id, r.due_on, r.status) for r in row.reports],
        indicators=[rules.IndicatorValues(i.id, i.baseline, i.target, i.actual) for i in row.indicators])


# --- the dashboards ---------------------------------------------------------------------------

@dataclass
class Overview:
    """What the secretariat's dashboard shows."""

    today: date
    grants: list[GrantRow]
    per_call: list[CallFigures]
    overall: CallFigures
    due_soon: list[tuple[GrantRow, ReportRow]]
    overdue: list[tuple[GrantRow, ReportRow]]
    waiting: list[tuple[GrantRow, ReportRow]]
    instalments_due: list[tuple[GrantRow, InstalmentRow]]
    at_risk: list[GrantRow]


def per_call(grants: Iterable[GrantRow]) -> tuple[list[CallFigures], CallFigures]:
    calls: dict[int, CallFigures] = {}
    overall = CallFigures(None, _("All calls"))
    for row in grants:
        calls.setdefault(row.call_id, CallFigures(row.call_id, row.call_title)).add(row.totals)
        overall.add(row.totals)
    return list(calls.values()), overall


def overview(*, call_id: int | None = None, today: date | None = None, soon_days: int = DUE_SOON_DAYS) -> Overview:
    """The secretariat's dashboard: per call and overall, reports due/overdue/waiting, instalments due, risk."""
    today = today or utcnow().date()
    grants = load(call_id=call_id, today=today)
    calls, overall = per_call(grants)
    soon, late, waiting, due, risky = [], [], [], [], []
    horizon = today + timedelta(days=soon_days)
    for row in grants:
        if row.status not in FOLLOWED:
            continue
        for report in row.reports:
            if report.waiting:
                waiting.append((row, report))
            elif not report.done and report.due_on < today:
                late.append((row, report))
            elif not report.done and report.due_on <= horizon:
                soon.append((row, report))
        if row.status in PAYABLE:
            due.extend((row, i) for i in row.instalments if i.open_and_due)
        if row.flags:
            risky.append(row)
    soon.sort(key=lambda pair: pair[1].due_on)
    late.sort(key=lambda pair: pair[1].due_on)
    waiting.sort(key=lambda pair: pair[1].due_on)
    return Overview(today, grants, calls, overall, soon, late, waiting, due, risky)


@dataclass
class Mine:
    """A grantee's own grants, what is due next and what was paid."""

    grants: list[GrantRow]
    payments: list[tuple[GrantRow, Any]]  # (grant, (value_date, amount_cents, reference, instalment number))


def mine(member_id: int, *, today: date | None = None) -> Mine:
    grants = load(member_id=member_id, today=today)
    by_id = {g.id: g for g in grants}
    query = (select(LedgerEntry.grant_id, LedgerEntry.value_date, LedgerEntry.amount_cents, LedgerEntry.reference,
                    Instalment.number)
             .outerjoin(Instalment, Instalment.id == LedgerEntry.instalment_id)
             .join(Grant, Grant.id == LedgerEntry.grant_id)
             .where(Grant.lead_member_id == member_id, LedgerEntry.type == TransactionType.disbursement)
             .order_by(LedgerEntry.value_date.desc(), LedgerEntry.id.desc()))
    payments = [(by_id[r[0]], r[1:]) for r in db.session.execute(query) if r[0] in by_id]
    return Mine(grants, payments)


def portfolio(*, today: date | None = None) -> tuple[list[GrantRow], list[CallFigures], CallFigures]:
    """The programme's portfolio (committee, ex-officio): figures only, no grantee's document."""
    grants = [g for g in load(today=today) if g.status != GrantStatus.draft]
    calls, overall = per_call(grants)
    return grants, calls, overall


# --- wording and charts -----------------------------------------------------------------------

def percent(share: Decimal | None) -> str:
    if share is None:
        return "—"
    return f"{(share * 100).quantize(Decimal('1'))} %"


def flag_text(flag: rules.Problem, row: GrantRow | None = None) -> str:
    """A risk flag as a sentence, with its figures."""
    p = flag.params
    if flag.key == "report_overdue":
        number = next((r.number for r in (row.reports if row else []) if r.id == p["report_id"]), p["report_id"])
        return ngettext("Report %(number)s is %(num)d day late (due %(due)s).",
                        "Report %(number)s is %(num)d days late (due %(due)s).", p["days_late"], number=number,
                        due=format_date(p["due"]))
    if flag.key == "spending_behind":
        return _("Spending far behind time: %(spent)s of the award justified, %(elapsed)s of the period elapsed.",
                 spent=percent(p["spent_share"]), elapsed=percent(p["elapsed_share"]))
    if flag.key == "indicator_behind":
        name = next((i.name for i in (row.indicators if row else []) if i.id == p["indicator_id"]),
                    str(p["indicator_id"]))
        return _("Indicator “%(name)s” far behind target: %(progress)s reached, %(elapsed)s of the period "
                 "elapsed.", name=name, progress=percent(p["progress"]), elapsed=percent(p["elapsed_share"]))
    return flag.key


def missing_text(due: rules.Due | None) -> str:
    """What an instalment's condition still lacks, in words ("" when met)."""
    if due is None or due.missing is None:
        return ""
    p = due.missing.params
    key = due.missing.key
    if key == "not_signed":
        return _("The agreement is not signed.")
    if key == "report_not_approved":
        return _("Waiting for a report to be approved.")
    if key == "nothing_paid_yet":
        return _("Nothing paid yet to measure the expenditure against.")
    if key == "expenditure_below_share":
        return _("Justified expenditure %(justified)s of the %(required)s required.",
                 justified=euros(from_cents(p["justified_cents"])), required=euros(from_cents(p["required_cents"])))
    return key


def paid_vs_committed(calls: Collection[CallFigures], *, rtl: bool) -> Chart:
    """Chart: per call, the paid part of what was committed."""
    bars = [Bar(c.title, Decimal(c.paid_cents), Decimal(c.committed_cents),
                f"{euros(c.money('paid_cents'))} / {euros(c.money('committed_cents'))}") for c in calls]
    return bar_chart(_("Paid vs committed per call"), bars, rtl=rtl, value_label=_("Paid"),
                     reference_label=_("Committed"))


def indicator_chart(indicators: Iterable[IndicatorRow], *, rtl: bool, title: str | None = None) -> Chart:
    """Chart: each numeric indicator's progress toward its target (100 % = the target reached)."""
    bars = []
    for item in indicators:
        progress = item.progress
        if progress is None:
            continue
        actual = item.actual if item.actual is not None else item.baseline
        bars.append(Bar(f"{item.name} ({item.side})", progress, Decimal(1),
                        f"{percent(progress)} · {actual} / {item.target} {item.unit}".strip(),
                        flagged=progress < 0))
    return bar_chart(title or _("Indicator progress"), bars, rtl=rtl, scale_max=Decimal(1),
                     value_label=_("Reached"), reference_label=_("Target"))


def call_progress_chart(grants: Iterable[GrantRow], *, rtl: bool) -> Chart:
    """Chart for the portfolio: per call, the mean progress of its numeric indicators."""
    sums: dict[str, list[Decimal]] = defaultdict(list)
    for row in grants:
        for item in row.indicators:
            if item.progress is not None:
                sums[row.call_title].append(item.progress)
    bars = []
    for title, values in sums.items():
        mean = sum(values, Decimal(0)) / len(values)
        bars.append(Bar(title, mean, Decimal(1), f"{percent(mean)} · {len(values)}"))
    return bar_chart(_("Mean indicator progress per call"), bars, rtl=rtl, scale_max=Decimal(1),
                     value_label=_("Reached"), reference_label=_("Target"))
