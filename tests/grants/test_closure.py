"""Closure: the closing balance from the ledger (refund or final payment), settled through the ledger, only when
every report is approved; a confirmation page before closing; the closing statement PDF in the grantee's
language (Arabic right to left); who may do what."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.core.errors import DomainError
from app.extensions import db
from app.grants import closure, ledger
from app.grants.models import Grant, GrantStatus, LedgerEntry, Report
from tests import factories
from tests.conftest import login
from tests.grants import builders, portfolio_scene
from tests.pdf_text import assert_arabic_shaped


@pytest.fixture
def scene(app: Flask, world: factories.World) -> portfolio_scene.Scene:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        built = portfolio_scene.build(world)
        db.session.remove()
        return built


def test_refund_settled_then_closed(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        grant = db.session.get(Grant, scene.closing)
        state = closure.closing_of(grant)
        assert state.balance.refund_cents == 500_000 and state.balance.final_payment_cents == 0
        assert state.can_close
        closure.close(grant, on=scene.today, reference="VIR-REFUND-1", actor=None)
        db.session.commit()
        grant = db.session.get(Grant, scene.closing)
        assert grant.status == GrantStatus.closed and grant.closed_at is not None
        totals = ledger.totals(grant)
        assert totals.paid_cents == totals.justified_cents == 1_500_000
        settlement = db.session.scalar(select(LedgerEntry).where(LedgerEntry.grant_id == grant.id,
                                                                 LedgerEntry.reference == "VIR-REFUND-1"))
        assert settlement.amount_cents == -500_000 and settlement.type == "3"
        assert closure.closing_of(grant).balance.settled


def test_final_payment_when_more_was_justified(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        grant = db.session.get(Grant, scene.closing)
        builders.spent(grant, {"L1": "8000"}, on=scene.today - timedelta(days=25))
        db.session.commit()
        state = closure.closing_of(grant)
        assert state.balance.final_payment_cents == 300_000 and state.balance.refund_cents == 0
        closure.close(grant, on=scene.today, reference="VIR-FINAL", actor=None)
        db.session.commit()
        assert ledger.totals(db.session.get(Grant, scene.closing)).paid_cents == 2_300_000


def test_already_settled_closes_without_a_transfer(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        grant = db.session.get(Grant, scene.closing)
        builders.spent(grant, {"L2": "5000"}, on=scene.today - timedelta(days=25))
        db.session.commit()
        assert closure.closing_of(grant).balance.settled
        closure.close(grant, on=scene.today, reference="", actor=None)
        db.session.commit()
        assert db.session.get(Grant, scene.closing).status == GrantStatus.closed


def test_refused_while_a_report_is_not_approved_or_not_closing(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        grant = db.session.get(Grant, scene.closing)
        report = db.session.scalar(select(Report).where(Report.grant_id == grant.id, Report.number == 2))
        builders.version(report, status="returned")
        db.session.commit()
        with pytest.raises(DomainError, match="Report 2 is not approved yet"):
            closure.close(grant, on=scene.today, reference="X", actor=None)
        db.session.rollback()
        active = db.session.get(Grant, scene.followed)
        with pytest.raises(DomainError, match="Closing"):
            closure.close(active, on=scene.today, reference="X", actor=None)
        db.session.rollback()
        grant = db.session.get(Grant, scene.closing)
        assert db.session.scalar(select(LedgerEntry).where(LedgerEntry.reference == "X")) is None


def test_a_balance_needs_its_reference(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        grant = db.session.get(Grant, scene.closing)
        with pytest.raises(DomainError) as refused:
            closure.close(grant, on=scene.today, reference=" ", actor=None)
        assert refused.value.field == "reference"


def test_closing_page_confirms_before_closing(client: FlaskClient, world: factories.World,
                                              scene: portfolio_scene.Scene) -> None:
    login(client, world.emails["secretariat"])
    url = f"/grants/{scene.closing}/closing"
    page = client.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Refund owed by the grantee" in page.get_data(as_text=True)
    missing = client.post(url, data={"on": scene.today.isoformat(), "reference": ""})
    assert missing.status_code == 422
    check = client.post(url, data={"on": scene.today.isoformat(), "reference": "VIR-77"},
                        headers={"Accept-Language": "en"})
    html = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check before closing" in html and "VIR-77" in html
    with client.application.app_context():
        assert db.session.get(Grant, scene.closing).status == GrantStatus.closing  # nothing done yet
    done = client.post(url, data={"on": scene.today.isoformat(), "reference": "VIR-77", "confirm": "yes"})
    assert done.status_code == 302
    with client.application.app_context():
        assert db.session.get(Grant, scene.closing).status == GrantStatus.closed
    assert "This grant is closed" in client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_closing_page_lists_what_is_missing(client: FlaskClient, world: factories.World,
                                            scene: portfolio_scene.Scene) -> None:
    with client.application.app_context():
        grant = db.session.get(Grant, scene.followed)
        grant.status = GrantStatus.closing
        db.session.commit()
    login(client, world.emails["secretariat"])
    html = client.get(f"/grants/{scene.followed}/closing", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "cannot be closed yet" in html and "Report 2 is not approved yet" in html
    response = client.post(f"/grants/{scene.followed}/closing",
                           data={"on": scene.today.isoformat(), "reference": "R", "confirm": "yes"})
    assert response.status_code == 302
    with client.application.app_context():
        assert db.session.get(Grant, scene.followed).status == GrantStatus.closing


@pytest.mark.parametrize("who", ["anonymous", "delegate", "alternate", "other_delegate", "ex_officio"])
def test_only_the_secretariat_closes(client: FlaskClient, world: factories.World, scene: portfolio_scene.Scene,
                                     who: str) -> None:
    if who != "anonymous":
        login(client, world.emails[who])
    url = f"/grants/{scene.closing}/closing"
    expected = 302 if who == "anonymous" else 403
    assert client.get(url).status_code == expected
    assert client.post(url, data={"on": scene.today.isoformat(), "reference": "R", "confirm": "yes"}
                       ).status_code == expected
    with client.application.app_context():
        assert db.session.get(Grant, scene.closing).status == GrantStatus.closing


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("secretariat", 200), ("delegate", 200),
                                             ("alternate", 200), ("other_delegate", 403), ("ex_officio", 403)])
def test_statement_for_the_secretariat_and_the_grantee(client: FlaskClient, world: factories.World,
                                                       scene: portfolio_scene.Scene, who: str, status: int) -> None:
    if who != "anonymous":
        login(client, world.emails[who])
    response = client.get(f"/grants/{scene.closing}/closing-statement.pdf")
    assert response.status_code == status
    if status == 200:
        assert response.data.startswith(b"%PDF")


def test_statement_not_before_closing(client: FlaskClient, world: factories.World,
                                      scene: portfolio_scene.Scene) -> None:
    login(client, world.emails["secretariat"])
    assert client.get(f"/grants/{scene.followed}/closing-statement.pdf").status_code == 404
    assert client.get("/grants/999999/closing-statement.pdf").status_code == 404
    assert client.get("/grants/999999/closing").status_code == 404


def test_statement_in_the_grantee_language_right_to_left(app: Flask, scene: portfolio_scene.Scene) -> None:
    with app.test_request_context():
        grant = db.session.get(Grant, scene.closing)
        grant.language = "ar"
        db.session.commit()
        html = closure.statement_html(grant)
        assert 'dir="rtl"' in html and 'lang="ar"' in html
        text = assert_arabic_shaped(closure.statement_pdf(grant), ["البرنامج"])  # "programme", shaped, in order
        assert "Atelier clôturé" in text
        assert "15" in text and "000" in text
