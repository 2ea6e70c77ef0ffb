"""The dashboards: the secretariat's figures (per call, overall, reports due/overdue/waiting, instalments due, at
risk with reasons), the grantee's own page, the committee's and ex-officio's portfolio (no private documents),
who may open which, and the same number of SQL statements with 10 and 2,000 grants."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from app.extensions import db
from app.grants import dashboard
from app.grants.models import (
    BudgetVersion,
    Grant,
    GrantIndicator,
    Instalment,
    LedgerEntry,
    Report,
    ReportVersion,
)
from tests import factories
from tests.calls import review_builders
from tests.conftest import login, page_statements
from tests.grants import builders, portfolio_scene


@pytest.fixture
def scene(app: Flask, world: factories.World) -> portfolio_scene.Scene:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        built = portfolio_scene.build(world)
        db.session.remove()
        return built


def test_overview_figures_come_from_the_ledger(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        data = dashboard.overview(today=scene.today)
        overall = data.overall
        assert overall.grants == 4
        assert overall.committed_cents == portfolio_scene.commitment_total(scene.followed, scene.late, scene.closing)
        assert overall.committed_cents == 3 * 5_000_000  # the draft has no commitment
        assert overall.paid_cents == 3 * 2_000_000
        assert overall.justified_cents == 2_000_000 + 1_500_000
        assert overall.remaining_cents == overall.committed_cents - overall.paid_cents
        assert sum(c.paid_cents for c in data.per_call) == overall.paid_cents
        assert [r.id for _, r in data.overdue] == [scene.late_reports[0]]
        assert [r.id for _, r in data.waiting] == [scene.late_reports[1]]
        assert [r.id for _, r in data.due_soon] == [scene.followed_reports[1]]
        due = {(g.id, i.number) for g, i in data.instalments_due}
        # report 1 approved: instalment 2 due; 20,000 € justified of 20,000 € paid ≥ 70 %: instalment 3 too
        assert {(scene.followed, 2), (scene.followed, 3)} <= due
        assert scene.due_instalment in {i.id for _, i in data.instalments_due}
        assert not {n for g, n in due if g == scene.late}  # report 1 not approved, nothing justified
        risky = {row.id: [f.key for f in row.flags] for row in data.at_risk}
        assert "report_overdue" in risky[scene.late]
        assert "spending_behind" in risky[scene.late]
        assert scene.followed not in risky  # 40 % justified at 29 % of the period; its indicator at 60 %


def test_a_reversal_lowers_the_paid_total(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        grant = db.session.get(Grant, scene.late)
        payment = db.session.query(LedgerEntry).filter_by(grant_id=grant.id, type="3").one()
        builders.entry(grant, "3", "-2500", instalment=db.session.get(Instalment, payment.instalment_id),
                       reverses=payment)
        db.session.commit()
        row = next(g for g in dashboard.load(today=scene.today) if g.id == scene.late)
        assert row.totals.paid_cents == 2_000_000 - 250_000
        assert row.instalments[0].rest_cents == 250_000


def test_flag_texts_give_the_reason(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        row = next(g for g in dashboard.load(today=scene.today) if g.id == scene.late)
        texts = [dashboard.flag_text(f, row) for f in row.flags]
        assert any("Report 1 is 9 days late" in t for t in texts)
        assert any("Spending far behind time" in t for t in texts)


def test_secretariat_page(client: FlaskClient, world: factories.World, scene: portfolio_scene.Scene) -> None:
    login(client, world.emails["secretariat"])
    html = client.get("/grants/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Grants at risk (1)" in html and "Report 1 is 9 days late" in html
    assert "<svg" in html and "Paid vs committed per call" in html
    assert "<table class=\"chart-table\">" in html
    assert "150,000 €" in html  # committed overall
    one_call = client.get(f"/grants/dashboard?call={db_call_of(client.application, scene.late)}")
    assert one_call.status_code == 200


def db_call_of(app: Flask, grant_id: int) -> int:
    with app.app_context():
        return db.session.get(Grant, grant_id).call_id


def test_grantee_sees_only_its_own(client: FlaskClient, world: factories.World, scene: portfolio_scene.Scene) -> None:
    login(client, world.emails["alternate"])
    html = client.get("/grants/mine", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Jeunes et citoyenneté" in html and "Atelier clôturé" in html
    assert "Solidarité Nantes" not in html
    assert "Next report" in html and "Payments received" in html
    other = client.application.test_client()
    login(other, world.emails["other_delegate"])
    html = other.get("/grants/mine").get_data(as_text=True)
    assert "Solidarité Nantes" in html and "Jeunes et citoyenneté" not in html


def test_indicator_chart_right_to_left_in_arabic(client: FlaskClient, world: factories.World,
                                                 scene: portfolio_scene.Scene) -> None:
    login(client, world.emails["delegate"])
    client.post("/language", data={"locale": "ar"})
    with client.application.app_context():
        from app.auth.models import User
        user = db.session.query(User).filter_by(email=world.emails["delegate"]).one()
        user.locale = "ar"
        db.session.commit()
    html = client.get("/grants/mine").get_data(as_text=True)
    assert 'direction="rtl"' in html
    assert "60 %" in html


@pytest.mark.parametrize("who", ["ex_officio", "committee", "secretariat"])
def test_portfolio_for_committee_and_ex_officio(app: Flask, client: FlaskClient, world: factories.World,
                                                scene: portfolio_scene.Scene, who: str) -> None:
    email = world.emails.get(who)
    if who == "committee":
        with app.app_context():
            email = review_builders.committee(1)[0].email
            db.session.commit()
    login(client, email)
    response = client.get("/grants/portfolio", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Solidarité Nantes" in html and "Jeunes et citoyenneté" in html
    assert "Association en projet" not in html  # a draft is not part of the portfolio
    assert "/attachments/" not in html and "/reports/" not in html  # no grantee's document
    assert "Mean indicator progress per call" in html


@pytest.mark.parametrize(("who", "url", "status"), [
    ("anonymous", "/grants/dashboard", 302), ("delegate", "/grants/dashboard", 403),
    ("ex_officio", "/grants/dashboard", 403), ("other_delegate", "/grants/dashboard", 403),
    ("anonymous", "/grants/portfolio", 302), ("delegate", "/grants/portfolio", 403),
    ("alternate", "/grants/portfolio", 403), ("anonymous", "/grants/mine", 302),
    ("ex_officio", "/grants/mine", 403), ("secretariat", "/grants/mine", 302),
])
def test_who_may_open_what(client: FlaskClient, world: factories.World, scene: portfolio_scene.Scene, who: str,
                           url: str, status: int) -> None:
    if who != "anonymous":
        login(client, world.emails[who])
    assert client.get(url).status_code == status
    assert client.post(url).status_code in (302, 403, 405)


# Bounded queries -------------------------------------------------------------------------------------

def grow(app: Flask, lead_ids: list[int], n: int, *, start: int) -> None:
    """``n`` more grants bulk-inserted, each with 2 instalments, 2 reports (one approved with indicator values),
    1 indicator, a budget version and ledger entries of the three types."""
    with app.app_context():
        template = db.session.query(Grant).order_by(Grant.id).first()
        today = date.today()
        grants = [{"number": f"BULK-{start + i:05d}", "call_id": template.call_id, "proposal_id": None,
                   "lead_member_id": lead_ids[i % len(lead_ids)], "title": f"Projet {start + i}", "summary": "",
                   "starts_on": today - timedelta(days=100), "ends_on": today + timedelta(days=600),
                   "awarded_cents": 4_000_000, "currency": "EUR", "local_currency": "", "language": "fr",
                   "status": "active", "status_reason": "", "signed_by_grantee_on": today - timedelta(days=110),
                   "signed_by_programme_on": today - timedelta(days=110), "tolerance_percent": 10}
                  for i in range(n)]
        proposals = _proposals(template, n)
        for item, pid in zip(grants, proposals, strict=True):
            item["proposal_id"] = pid
        db.session.execute(insert(Grant), grants)
        ids = [g.id for g in db.session.query(Grant.id).filter(Grant.number.in_([g["number"] for g in grants]))]
        db.session.execute(insert(BudgetVersion), [{"grant_id": g, "number": 1, "ends_on": today} for g in ids])
        db.session.execute(insert(GrantIndicator), [{"grant_id": g, "name": "Jeunes", "unit": "p", "baseline": "0",
                                                     "target": "100"} for g in ids])
        db.session.execute(insert(Report), [
            {"grant_id": g, "number": k, "kind": "interim", "nature": "combined",
             "period_starts_on": today - timedelta(days=100), "period_ends_on": today - timedelta(days=10),
             "due_on": today + timedelta(days=(k * 20) - 30), "status": "approved" if k == 1 else "",
             "reminded": {}} for g in ids for k in (1, 2)])
        reports = dict(db.session.query(Report.grant_id, Report.id).filter(Report.grant_id.in_(ids),
                                                                            Report.number == 1))
        db.session.execute(insert(ReportVersion), [
            {"report_id": reports[g], "number": 1, "status": "approved", "narrative": {}, "expenditure": {},
             "indicators": {"0": "10"}, "comments": {}} for g in ids])
        db.session.execute(insert(Instalment), [
            {"grant_id": g, "number": k, "amount_cents": 2_000_000,
             "condition": "on_signature" if k == 1 else "report_approved",
             "condition_report_id": None if k == 1 else reports[g], "released_early_reason": ""}
            for g in ids for k in (1, 2)])
        db.session.execute(insert(LedgerEntry), [
            {"grant_id": g, "type": t, "amount_cents": c, "value_date": today - timedelta(days=50),
             "budget_line_code": "L1" if t == "4" else "", "reference": f"B-{g}-{t}"}
            for g in ids for t, c in (("2", 4_000_000), ("3", 2_000_000), ("4", 300_000))])
        db.session.commit()


def _proposals(template: Grant, n: int) -> list[int]:
    """``n`` copies of the template grant's proposal (one grant per proposal), bulk-inserted."""
    from app.calls.models import Proposal
    from app.core.timeutil import utcnow

    source = template.proposal
    columns = ("summary", "territories", "beneficiaries_direct", "beneficiaries_indirect", "women_percent",
               "youth_percent", "starts_on", "duration_months", "expected_results", "main_activities",
               "total_budget_cents", "requested_cents", "cofinancing_cents", "max_grant_cents", "eligible",
               "submitted_number", "status", "lead_member_id", "call_id")
    base = {c: getattr(source, c) for c in columns}
    now = utcnow()
    return list(db.session.scalars(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), [
        {**base, "title": f"Projet en nombre {i}", "created_at": now, "updated_at": now, "sections_done": []}
        for i in range(n)]))


PAGES = [("secretariat", "/grants/dashboard"), ("ex_officio", "/grants/portfolio"), ("delegate", "/grants/mine")]


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_same_number_of_queries_with_10_and_2000_grants(app: Flask, client: FlaskClient, world: factories.World,
                                                        scene: portfolio_scene.Scene, who: str, url: str) -> None:
    grow(app, [world.member_id, world.other_member_id], 6, start=0)
    login(client, world.emails[who])
    small = page_statements(app, client, url)
    grow(app, [world.member_id, world.other_member_id], 1990, start=6)
    large = page_statements(app, client, url)
    assert small == large, (url, small, large)
    assert large <= 20, (url, large)
