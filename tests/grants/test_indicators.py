"""Indicators on both sides of the partnership (app/grants/indicators.py): actuals per approved period, grouped by
the side they measure, progress toward the target, and the chart of target vs actual (with its figures in the
SVG's description; mirrored right to left)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.extensions import db
from app.grants import indicators
from app.grants.models import Grant, ReportVersionStatus
from tests.conftest import counting
from tests.grants import builders
from tests.grants.report_helpers import own_grant


def _ids(grant) -> dict[str, int]:  # noqa: ANN001
    return {i.name: i.id for i in grant.indicators}


def test_indicators_are_grouped_by_side_with_approved_actuals_only(session) -> None:
    grant = own_grant(session)
    ids = _ids(grant)
    first, final = sorted(grant.reports, key=lambda r: r.number)
    builders.version(first, status=ReportVersionStatus.approved,
                     indicators={str(ids["Jeunes formés"]): "40", str(ids["Ateliers tenus"]): "3"})
    builders.version(final, status=ReportVersionStatus.submitted,  # not approved: does not count yet
                     indicators={str(ids["Jeunes formés"]): "90"})
    data = indicators.table(grant)
    assert [p.id for p in data.periods] == [first.id]
    lead, partner = data.sides
    assert lead.partner is None and lead.name == grant.lead_member.name
    assert partner.partner is not None and partner.name == "Maison des jeunes de Rezé" and partner.country == "FR"
    (young,) = lead.rows
    assert young.latest == "40" and young.progress == Decimal("0.4") and young.actual_for(first) == "40"
    assert young.actual_for(final) is None
    (workshops,) = partner.rows
    assert workshops.latest == "3" and workshops.progress == Decimal("0.25")


def test_the_latest_approved_period_is_the_current_value(session) -> None:
    grant = own_grant(session)
    ids = _ids(grant)
    first, final = sorted(grant.reports, key=lambda r: r.number)
    builders.version(final, status=ReportVersionStatus.approved, indicators={str(ids["Jeunes formés"]): "100"})
    builders.version(first, status=ReportVersionStatus.approved, indicators={str(ids["Jeunes formés"]): "40"})
    row = indicators.table(grant).sides[0].rows[0]
    assert [a.value for a in row.actuals] == ["40", "100"]  # in period order
    assert row.progress == Decimal(1)


def test_a_returned_then_approved_report_counts_its_approved_version(session) -> None:
    grant = own_grant(session)
    ids = _ids(grant)
    first = min(grant.reports, key=lambda r: r.number)
    builders.version(first, status=ReportVersionStatus.returned, indicators={str(ids["Jeunes formés"]): "80"})
    builders.version(first, status=ReportVersionStatus.approved, indicators={str(ids["Jeunes formés"]): "35"})
    assert indicators.table(grant).sides[0].rows[0].latest == "35"


def test_nothing_reported_is_progress_at_the_baseline_and_qualitative_has_none(session) -> None:
    grant = own_grant(session, indicators=(("Jeunes formés", "personnes", "10", "110", None),
                                           ("Qualité du partenariat", "", "moyenne", "bonne", 0)))
    lead, partner = indicators.table(grant).sides
    assert lead.rows[0].latest is None and lead.rows[0].progress == Decimal(0)
    assert partner.rows[0].progress is None
    assert indicators.percent(None) == "—"


def test_a_side_without_indicators_is_not_shown(session) -> None:
    grant = own_grant(session, indicators=(("Jeunes formés", "personnes", "0", "100", None),))
    assert [s.partner for s in indicators.table(grant).sides] == [None]


def test_the_chart_draws_target_and_actual_with_its_figures(session) -> None:
    grant = own_grant(session)
    ids = _ids(grant)
    first = min(grant.reports, key=lambda r: r.number)
    builders.version(first, status=ReportVersionStatus.approved, indicators={str(ids["Jeunes formés"]): "40"})
    side = indicators.table(grant).sides[0]
    chart = indicators.chart(side, rtl=False)
    svg = str(chart.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert "Jeunes formés" in svg and "40 of 100 personnes" in svg
    assert len(chart.bars) == 1 and chart.bars[0].value == Decimal("0.4") and chart.bars[0].reference == 1
    assert 'direction="rtl"' in str(indicators.chart(side, rtl=True).svg)


def test_table_costs_a_fixed_number_of_queries(app, session) -> None:
    grant = own_grant(session, indicators=[(f"Indicateur {i}", "u", "0", "10", None) for i in range(12)],
                      reports=[("interim", "combined", date(2027, m, 1), date(2027, m, 28), date(2027, m + 1, 5))
                               for m in range(1, 11)], instalments=None)
    for report in grant.reports:
        builders.version(report, status=ReportVersionStatus.approved,
                         indicators={str(i.id): "5" for i in grant.indicators})
    db.session.expire_all()
    grant = db.session.get(Grant, grant.id)
    assert grant.lead_member is not None
    with counting(app) as statements:
        data = indicators.table(grant)
    assert sum(len(s.rows) for s in data.sides) == 12 and len(data.periods) == 10
    assert len(statements) <= 5
