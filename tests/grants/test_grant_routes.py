"""The grant pages (blueprint "grants") as every role, GET and POST: the secretariat everywhere; the
grantee's delegate and alternate read their own grant (list, page, agreement PDF) and act nowhere;
another member's delegate, a committee member and an ex-officio member never reach a grant; anonymous
visitors go to the login page. Then the secretariat's flows: a grant from a selected proposal, its
schedule, signatures, a payment, a correction, an early release, a status change, the list's filters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.grants.models import Grant, GrantStatus, Instalment, LedgerEntry
from app.members.models import Member
from tests import factories
from tests.calls import review_builders
from tests.conftest import login
from tests.grants import builders


@dataclass
class Scene:
    draft_id: int
    active_id: int
    instalment_id: int  # the active grant's second instalment (not due)
    entry_id: int  # a payment of the active grant
    proposal_id: int  # selected, without a grant
    call_id: int


@pytest.fixture
def scene(app: Flask, world: factories.World) -> Scene:
    with app.app_context():
        own = db.session.get(Member, world.member_id)
        draft = builders.grant(own, status=GrantStatus.draft, title="Brouillon de convention")
        active = builders.grant(own, title="Jeunes et numérique")
        payment = builders.paid(active, "20000")
        proposal, _ = builders.selected_proposal(call=active.call)
        review_builders.committee(1, prefix="comite")
        db.session.commit()
        return Scene(draft.id, active.id, active.instalments[1].id, payment.id, proposal.id, active.call_id)


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


ROLES = ("secretariat", "delegate", "alternate", "other_delegate", "committee", "ex_officio", "anonymous")
EMAILS = {"secretariat": "secretariat@example.org", "delegate": "delegate@example.org",
          "alternate": "alternate@example.org", "other_delegate": "other@example.org",
          "committee": "comite-1@example.org", "ex_officio": "funder@example.org"}
READERS = {"secretariat", "delegate", "alternate"}


def _as(client: FlaskClient, role: str) -> FlaskClient:
    if role != "anonymous":
        login(client, EMAILS[role].replace("comite-1", _committee_email()))
    return client


def _committee_email() -> str:
    from app.auth.models import User

    return db.session.scalar(select(User.email).where(User.email.like("comite-%"))).split("@")[0]


def _read_routes(s: Scene) -> list[str]:
    return [f"/grants/{s.active_id}", f"/grants/{s.active_id}/agreement.pdf", f"/grants/{s.draft_id}"]


def _manage_routes(s: Scene) -> list[tuple[str, dict[str, str]]]:
    g = s.active_id
    return [(f"/grants/new?proposal={s.proposal_id}", {"title": "X", "starts_on": "2027-01-01",
                                                       "ends_on": "2028-01-01", "awarded": "100", "language": "fr"}),
            (f"/grants/{s.draft_id}/edit", {"title": "Changed"}),
            (f"/grants/{s.draft_id}/instalments", {"amount_1": "50000", "condition_1": "on_signature"}),
            (f"/grants/{s.draft_id}/sign", {"grantee_on": "2027-01-01", "programme_on": "2027-01-01", "confirm": "1"}),
            (f"/grants/{g}/status", {"target": "suspended", "confirm": "1"}),
            (f"/grants/{g}/instalments/{s.instalment_id}/release", {"reason": "x" * 30, "confirm": "1"}),
            (f"/grants/{g}/disbursements", {"amount": "1", "confirm": "1"}),
            (f"/grants/{g}/ledger/{s.entry_id}/reverse", {"reason": "x" * 30, "value_date": "2027-02-02",
                                                          "confirm": "1"})]


@pytest.mark.parametrize("role", ROLES)
def test_the_list_by_role(app: Flask, client: FlaskClient, scene: Scene, role: str) -> None:
    with app.app_context():
        _as(client, role)
    response = client.get("/grants")
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role == "ex_officio":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert ("Jeunes et numérique" in html) == (role in READERS)
        assert ("Make a grant" in html) == (role == "secretariat")


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_grant_by_role(app: Flask, client: FlaskClient, scene: Scene, role: str) -> None:
    with app.app_context():
        _as(client, role)
    for url in _read_routes(scene):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, url
        elif role in READERS:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url
        assert client.post(url).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_acting_on_a_grant_by_role(app: Flask, client: FlaskClient, scene: Scene, role: str) -> None:
    with app.app_context():
        _as(client, role)
        before = (db.session.scalar(select(func.count(LedgerEntry.id))), db.session.scalar(select(func.count(Grant.id))))
    for url, data in _manage_routes(scene):
        get, post = client.get(url), client.post(url, data=data)
        if role == "anonymous":
            assert get.status_code == post.status_code == 302, url
            assert "/login" in get.location
        elif role == "secretariat":
            assert get.status_code in (200, 302), url
        else:
            assert get.status_code == post.status_code == 403, (url, role)
    if role != "secretariat":
        with app.app_context():
            after = (db.session.scalar(select(func.count(LedgerEntry.id))),
                     db.session.scalar(select(func.count(Grant.id))))
            assert after == before
            assert db.session.get(Grant, scene.draft_id).status == GrantStatus.draft
            assert db.session.get(Grant, scene.active_id).status == GrantStatus.active


def test_unknown_objects_are_404(app: Flask, client: FlaskClient, scene: Scene) -> None:
    with app.app_context():
        login(client, EMAILS["secretariat"])
    for url in ("/grants/999999", "/grants/999999/agreement.pdf", "/grants/new?proposal=999999", "/grants/new",
                f"/grants/{scene.active_id}/instalments/999999/release",
                f"/grants/{scene.draft_id}/instalments/{scene.instalment_id}/release",
                f"/grants/{scene.draft_id}/ledger/{scene.entry_id}/reverse"):
        assert client.get(url).status_code == 404, url


def test_from_selected_proposal_to_first_payment(app: Flask, client: FlaskClient, scene: Scene) -> None:
    with app.app_context():
        login(client, EMAILS["secretariat"])
    decision = client.get(f"/calls/{scene.call_id}/decision").get_data(as_text=True)
    assert f"/grants/new?proposal={scene.proposal_id}" in decision and f"/grants/{scene.active_id}" in decision
    page = client.get(f"/grants/new?proposal={scene.proposal_id}")
    assert page.status_code == 200 and "Draft the agreement" in page.get_data(as_text=True)
    refused = client.post(f"/grants/new?proposal={scene.proposal_id}", data={
        "title": "Pêche durable", "starts_on": "2027-01-01", "ends_on": "2028-12-31", "awarded": "999999",
        "language": "fr"})
    assert refused.status_code == 422 and "maximum grant" in refused.get_data(as_text=True)
    assert 'value="Pêche durable"' in refused.get_data(as_text=True)
    made = client.post(f"/grants/new?proposal={scene.proposal_id}", data={
        "title": "Pêche durable", "starts_on": "2027-01-01", "ends_on": "2028-12-31", "awarded": "40000",
        "language": "ar", "local_currency": "TND"})
    assert made.status_code == 302
    with app.app_context():
        grant = db.session.scalar(select(Grant).where(Grant.proposal_id == scene.proposal_id))
        gid = grant.id
        assert grant.language == "ar" and grant.awarded_cents == 40_000_00
    assert client.get(f"/grants/new?proposal={scene.proposal_id}").status_code == 302  # already made
    wrong = client.post(f"/grants/{gid}/instalments", data={"amount_1": "20000", "condition_1": "on_signature",
                                                            "amount_2": "20000,01", "condition_2": "on_signature"})
    assert wrong.status_code == 422 and "more than the award" in wrong.get_data(as_text=True)
    assert client.post(f"/grants/{gid}/instalments", data={
        "amount_1": "20000", "condition_1": "on_signature", "amount_2": "20000", "condition_2": "expenditure_share",
        "share_2": "70"}).status_code == 302
    check = client.post(f"/grants/{gid}/sign", data={"grantee_on": "2025-01-02", "programme_on": "2025-01-03"})
    assert check.status_code == 200 and "Check your answers" in check.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Grant, gid).status == GrantStatus.draft
    assert client.post(f"/grants/{gid}/sign", data={"grantee_on": "2025-01-02", "programme_on": "2025-01-03",
                                                    "confirm": "1"}).status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Instalment).where(Instalment.grant_id == gid, Instalment.number == 1))
        first_id = first.id
    form = client.get(f"/grants/{gid}/disbursements").get_data(as_text=True)
    assert "Instalment 1" in form and "Instalment 2 ·" not in form
    over = client.post(f"/grants/{gid}/disbursements", data={
        "instalment": first_id, "value_date": "2027-01-10", "amount": "20000.01", "reference": "VIR-77",
        "local_amount": "67000", "exchange_rate": "3.35", "confirm": "1"})
    assert over.status_code == 422 and "remains of this instalment" in over.get_data(as_text=True)
    data = {"instalment": first_id, "value_date": "2027-01-10", "amount": "20000", "reference": "VIR-77",
            "local_amount": "67000", "exchange_rate": "3,35"}
    assert "Check your answers" in client.post(f"/grants/{gid}/disbursements", data=data).get_data(as_text=True)
    assert client.post(f"/grants/{gid}/disbursements", data={**data, "confirm": "1"}).status_code == 302
    page = client.get(f"/grants/{gid}").get_data(as_text=True)
    assert "VIR-77" in page and "67000 TND" in page and "rate 3.35" in page
    with app.app_context():
        payment = db.session.scalar(select(LedgerEntry).where(LedgerEntry.grant_id == gid, LedgerEntry.type == "3"))
        pid = payment.id
    bad = client.post(f"/grants/{gid}/ledger/{pid}/reverse", data={"value_date": "2027-01-11", "reason": "court",
                                                                   "confirm": "1"})
    assert bad.status_code == 422
    assert client.post(f"/grants/{gid}/ledger/{pid}/reverse", data={
        "value_date": "2027-01-11", "amount": "500", "reason": "Frais bancaires déduits", "confirm": "1"}
    ).status_code == 302
    with app.app_context():
        paid = db.session.scalar(select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.grant_id == gid,
                                                                                  LedgerEntry.type == "3"))
        assert paid == 19_500_00
    pdf = client.get(f"/grants/{gid}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_release_status_and_edit_pages(app: Flask, client: FlaskClient, scene: Scene) -> None:
    with app.app_context():
        login(client, EMAILS["secretariat"])
    g = scene.active_id
    url = f"/grants/{g}/instalments/{scene.instalment_id}/release"
    assert "Still missing" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"reason": "Trop court", "confirm": "1"}).status_code == 422
    assert client.post(url, data={"reason": "Les ateliers d'été commencent avant le rapport.",
                                  "confirm": "1"}).status_code == 302
    assert "released early" in client.get(f"/grants/{g}").get_data(as_text=True)
    no_reason = client.post(f"/grants/{g}/status", data={"target": "terminated", "confirm": "1"})
    assert no_reason.status_code == 422
    check = client.post(f"/grants/{g}/status", data={"target": "suspended", "reason": "Rapport en retard"})
    assert "Check your answers" in check.get_data(as_text=True)
    assert client.post(f"/grants/{g}/status", data={"target": "suspended", "reason": "Rapport en retard",
                                                     "confirm": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Grant, g).status == GrantStatus.suspended
    assert client.get(f"/grants/{g}/edit").status_code == 302  # not a draft
    edited = client.post(f"/grants/{scene.draft_id}/edit", data={
        "title": "Titre révisé", "starts_on": "2027-02-01", "ends_on": "2029-01-31", "awarded": "50000",
        "language": "en"})
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(Grant, scene.draft_id).title == "Titre révisé"


def test_filters_search_and_pages(app: Flask, client: FlaskClient, scene: Scene) -> None:
    with app.app_context():
        own = db.session.get(Member, db.session.get(Grant, scene.active_id).lead_member_id)
        for i in range(26):
            builders.grant(own, title=f"Projet en série {i}", starts_on=date(2027, 1, 1))
        db.session.commit()
        login(client, EMAILS["secretariat"])
    first = client.get("/grants").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Jeunes et numérique" in client.get("/grants?q=numérique").get_data(as_text=True)
    assert "Projet en série" not in client.get("/grants?q=numérique").get_data(as_text=True)
    drafts = client.get("/grants?status=draft").get_data(as_text=True)
    assert "Brouillon de convention" in drafts and "Jeunes et numérique" not in drafts
    by_call = client.get(f"/grants?call={scene.call_id}").get_data(as_text=True)
    assert "Jeunes et numérique" in by_call and "Brouillon" not in by_call
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(other, EMAILS["other_delegate"])
    assert "No grant yet." in other.get("/grants").get_data(as_text=True)


def test_the_list_costs_the_same_queries_at_any_size(app: Flask, client: FlaskClient, scene: Scene) -> None:
    """Bounded queries: a page of the list costs as many statements with 4 grants as with 30."""
    from tests.conftest import page_statements

    login(client, EMAILS["secretariat"])
    small = page_statements(app, client, "/grants")
    with app.app_context():
        own = db.session.get(Member, db.session.get(Grant, scene.active_id).lead_member_id)
        for i in range(28):
            grant = builders.grant(own, title=f"Projet {i}")
            builders.paid(grant, "100")
        db.session.commit()
    assert page_statements(app, client, "/grants") == small
    assert page_statements(app, client, "/grants?page=2") <= small


def test_the_grant_page_leads_to_the_closing_page_then_to_the_statement(app: Flask, client: FlaskClient,
                                                                        world: factories.World) -> None:
    with app.app_context():
        own = db.session.get(Member, world.member_id)
        closing = builders.grant(own, status=GrantStatus.closing, title="En clôture")
        closed = builders.grant(own, status=GrantStatus.closed, title="Clos")
        db.session.commit()
        closing_id, closed_id = closing.id, closed.id
    login(client, EMAILS["secretariat"])
    page = client.get(f"/grants/{closing_id}").get_data(as_text=True)
    assert f"/grants/{closing_id}/closing" in page and "Settle the balance and close" in page
    client.post("/logout")
    login(client, EMAILS["delegate"])
    page = client.get(f"/grants/{closing_id}").get_data(as_text=True)
    assert f"/grants/{closing_id}/closing" not in page  # the grantee does not close its own grant
    assert f"/grants/{closed_id}/closing-statement.pdf" in client.get(f"/grants/{closed_id}").get_data(as_text=True)
