"""Indicators of a grant on each side of the partnership: baseline, target, the actual of each reporting period
and the progress toward the target.

An actual counts once its report is approved (the frozen version's value); the latest period's actual is the
indicator's current value. Indicators are grouped by the side they measure (the lead, or each partner: the
programme's partnerships are reciprocal, e.g. a Tunisian and a French organisation). Progress is
``rules.indicator_progress`` (None for a qualitative indicator). The chart is ``charts.bar_chart`` of the
progress toward each target, always with the same figures in a table beside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_percent
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import audit
from app.core.errors import DomainError
from app.extensions import db
from app.grants import rules
from app.grants.models import Grant, GrantIndicator, GrantPartner, Report, ReportVersionStatus


@dataclass(frozen=True)
class Actual:
    report: Report
    value: str


@dataclass
class IndicatorRow:
    indicator: GrantIndicator
    actuals: list[Actual] = field(default_factory=list)

    @property
    def latest(self) -> str | None:
        return self.actuals[-1].value if self.actuals else None

    @property
    def progress(self) -> Decimal | None:
        """Progress of the latest actual toward the target (the baseline when nothing is reported yet)."""
        actual = self.latest if self.latest is not None else self.indicator.baseline
        return rules.indicator_progress(self.indicator.baseline, self.indicator.target, actual)

    def actual_for(self, report: Report) -> str | None:
        return next((a.value for a in self.actuals if a.report.id == report.id), None)


@dataclass
class Side:
    """One side of the partnership and the indicators that measure it."""

    name: str
    country: str
    partner: GrantPartner | None
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass(frozen=True)
class Table:
    sides: list[Side]
    periods: list[Report]  # approved reports, in period order: the columns of actuals


def approved_reports(grant: Grant) -> list[Report]:
    """The approved reports with their versions, in period order."""
    return list(db.session.scalars(select(Report).where(Report.grant_id == grant.id,
                                                        Report.status == ReportVersionStatus.approved)
                                   .options(selectinload(Report.versions))
                                   .order_by(Report.period_ends_on, Report.number)))


def table(grant: Grant) -> Table:
    """Indicators per side with their actuals per approved period (two queries whatever their number)."""
    indicators = list(db.session.scalars(select(GrantIndicator).where(GrantIndicator.grant_id == grant.id)
                                         .order_by(GrantIndicator.id)))
    partners = list(db.session.scalars(select(GrantPartner).where(GrantPartner.grant_id == grant.id)
                                       .order_by(GrantPartner.id)))
    periods = approved_reports(grant)
    lead = grant.lead_member
    sides: dict[int | None, Side] = {None: Side(lead.name, lead.country, None)}
    for partner in partners:
        sides[partner.id] = Side(partner.name, partner.country, partner)
    for indicator in indicators:
        row = IndicatorRow(indicator)
        for report in periods:
            version = next((v for v in reversed(report.versions) if v.status == ReportVersionStatus.approved), None)
            value = (version.indicators.get(str(indicator.id)) or "").strip() if version else ""
            if value:
                row.actuals.append(Actual(report, value))
        sides.setdefault(indicator.partner_id, Side("", "", None)).rows.append(row)
    return Table([side for side in sides.values() if side.rows], periods)


def percent(share: Decimal | None) -> str:
    """A progress share as people read it ("45 %"); "—" for a qualitative indicator."""
    if share is None:
        return "—"
    return format_percent(share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def chart(side: Side, *, rtl: bool):  # noqa: ANN201  (charts.Chart)
    """Progress toward each target of one side, as bars against the full target (100 %)."""
    from app.grants import charts

    bars = []
    for row in side.rows:
        indicator = row.indicator
        current = row.latest if row.latest is not None else indicator.baseline
        progress = row.progress
        figure = _("%(actual)s of %(target)s %(unit)s", actual=current or "—", target=indicator.target or "—",
                   unit=indicator.unit).strip()
        bars.append(charts.Bar(label=indicator.name, value=progress if progress is not None else Decimal(0),
                               reference=Decimal(1), figure=figure))
    return charts.bar_chart(_("Progress toward the targets: %(side)s", side=side.name), bars, rtl=rtl,
                            scale_max=Decimal(1), value_label=_("Actual"), reference_label=_("Target"))


def set_sides(grant: Grant, sides: dict[int, int | None], *, actor: object) -> int:
    """Say which side of the partnership each indicator measures (None: the lead); returns how many changed.

    The secretariat sets it (a proposal's indicators do not say it); refused on a closed or terminated grant.
    Audited with before and after. Flush, no commit.
    """
    if grant.status in ("closed", "terminated"):
        raise DomainError(_("The grant is over: its indicators no longer change."))
    partner_ids = set(db.session.scalars(select(GrantPartner.id).where(GrantPartner.grant_id == grant.id)))
    rows = {i.id: i for i in db.session.scalars(select(GrantIndicator).where(GrantIndicator.grant_id == grant.id))}
    changed: dict[int, tuple[int | None, int | None]] = {}
    for indicator_id, partner_id in sides.items():
        row = rows.get(indicator_id)
        if row is None or (partner_id is not None and partner_id not in partner_ids):
            raise DomainError(_("Choose one of this grant's partners or its lead."))
        if row.partner_id != partner_id:
            changed[row.id] = (row.partner_id, partner_id)
            row.partner_id = partner_id
    db.session.flush()
    if changed:
        audit.record("grant.indicator_sides", "grant", grant.id, actor=actor,
                     before={str(k): v[0] for k, v in changed.items()}, after={str(k): v[1] for k, v in changed.items()})
    return len(changed)
