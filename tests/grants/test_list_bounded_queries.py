"""Bounded queries on the grants list (issue 9): ``/grants`` sends as many SQL statements with 10 grants as with
2,000, for the secretariat (every grant, the filters and the selected proposals still without a grant) and for
a grantee's delegate (its own grants only).

The 10 grants are the dashboards' small portfolio (``portfolio_scene``: four grants in every state) and six
more bulk-inserted; 1,990 more are then bulk-inserted over three calls and four lead organisations, each with
its proposal, a budget version, two instalments and ledger entries of the three types (drafts have none), so
every row of a page has figures summed from the ledger. One selected proposal is waiting for its grant at
both sizes, so the list's "selected proposals without a grant" costs the same.
"""
from __future__ import annotations

from datetime import date, timedelta
from itertools import cycle

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select

from app.calls.models import CallStatus, Proposal
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants.models import BudgetVersion, Grant, GrantStatus, Instalment, LedgerEntry
from app.members.models import Member
from tests import factories
from tests.calls import builders as call_builders
from tests.conftest import login, page_statements
from tests.grants import builders, portfolio_scene

#: Statements of one page of the list, whatever the number of grants (session, user, page, count, sums, calls,
#: selected proposals without a grant, …); a regression to one query per row would be far above it.
CEILING = 20
#: Proposal columns copied from a template proposal for the bulk-inserted ones.
PROPOSAL_COLUMNS = ("summary", "territories", "beneficiaries_direct", "beneficiaries_indirect", "women_percent",
                    "youth_percent", "starts_on", "duration_months", "expected_results", "main_activities",
                    "total_budget_cents", "requested_cents", "cofinancing_cents", "max_grant_cents", "eligible",
                    "submitted_number", "status")
#: The statuses of the bulk-inserted grants, in turn.
STATUSES = (GrantStatus.active, GrantStatus.active, GrantStatus.signed, GrantStatus.closing, GrantStatus.draft,
            GrantStatus.suspended, GrantStatus.active)


def _grow(app: Flask, n: int, *, start: int, lead_ids: list[int], call_ids: list[int]) -> None:
    """``n`` more grants, bulk-inserted (a few statements per table, whatever ``n``)."""
    with app.app_context():
        template = db.session.scalars(select(Proposal).order_by(Proposal.id)).first()
        base = {column: getattr(template, column) for column in PROPOSAL_COLUMNS}
        now = utcnow()
        today = date.today()
        leads, calls, statuses = cycle(lead_ids), cycle(call_ids), cycle(STATUSES)
        shape = [(next(leads), next(calls), next(statuses)) for _ in range(n)]
        proposal_ids = list(db.session.scalars(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), [
            {**base, "call_id": call_id, "lead_member_id": lead_id, "title": f"Projet en nombre {start + i}",
             "created_at": now, "updated_at": now, "sections_done": []}
            for i, (lead_id, call_id, _status) in enumerate(shape)]))
        grant_ids = list(db.session.scalars(insert(Grant).returning(Grant.id, sort_by_parameter_order=True), [
            {"number": f"LIST-{start + i:05d}", "call_id": call_id, "proposal_id": proposal_ids[i],
             "lead_member_id": lead_id, "title": f"Projet en nombre {start + i}", "summary": "",
             "starts_on": today - timedelta(days=100), "ends_on": today + timedelta(days=600),
             "awarded_cents": 4_000_000, "currency": "EUR", "local_currency": "", "language": "fr",
             "status": status, "status_reason": "",
             "signed_by_grantee_on": None if status == GrantStatus.draft else today - timedelta(days=110),
             "signed_by_programme_on": None if status == GrantStatus.draft else today - timedelta(days=110),
             "tolerance_percent": 10, "created_at": now}
            for i, (lead_id, call_id, status) in enumerate(shape)]))
        db.session.execute(insert(BudgetVersion), [{"grant_id": g, "number": 1, "ends_on": today + timedelta(days=600),
                                                    "created_at": now} for g in grant_ids])
        instalment_ids = list(db.session.scalars(
            insert(Instalment).returning(Instalment.id, sort_by_parameter_order=True),
            [{"grant_id": g, "number": k, "amount_cents": 2_000_000,
              "condition": "on_signature" if k == 1 else "expenditure_share",
              "condition_share_percent": None if k == 1 else 70, "released_early_reason": ""}
             for g in grant_ids for k in (1, 2)]))
        entries = [{"grant_id": g, "type": type_, "amount_cents": cents, "value_date": today - timedelta(days=50),
                    "instalment_id": instalment_ids[2 * i] if type_ == "3" else None,
                    "budget_line_code": "L1" if type_ == "4" else "", "reference": f"LIST-{g}-{type_}",
                    "created_at": now}
                   for i, (g, (_lead, _call, status)) in enumerate(zip(grant_ids, shape, strict=True))
                   if status != GrantStatus.draft
                   for type_, cents in (("2", 4_000_000), ("3", 2_000_000), ("4", 300_000))]
        for chunk in range(0, len(entries), 5000):
            db.session.execute(insert(LedgerEntry), entries[chunk:chunk + 5000])
        db.session.commit()


def _count(app: Flask, lead_id: int | None = None) -> int:
    with app.app_context():
        query = select(func.count(Grant.id))
        if lead_id is not None:
            query = query.where(Grant.lead_member_id == lead_id)
        total = db.session.scalar(query)
        db.session.remove()
        return total


@pytest.fixture
def scene(app: Flask, world: factories.World) -> tuple[list[int], list[int]]:
    """The small portfolio (4 grants), one selected proposal waiting for its grant, and the lead organisations
    and calls the bulk-inserted grants are spread over (the world's two members first)."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        portfolio_scene.build(world)
        builders.selected_proposal(db.session.get(Member, world.member_id), title="En attente de convention")
        leads = [world.member_id, world.other_member_id,
                 factories.member("Association Oasis", country="TN", college_code="cs-tn").id,
                 factories.member("Jardins de Nantes").id]
        calls = [call_builders.call(status=CallStatus.decided, title=f"Appel {k}").id for k in range(3)]
        db.session.commit()
        db.session.remove()
    return leads, calls


PAGES = [("secretariat", "/grants"), ("secretariat", "/grants?q=Projet&status=active"),
         ("delegate", "/grants")]


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_the_list_costs_the_same_statements_with_10_and_2000_grants(
        app: Flask, client: FlaskClient, world: factories.World, scene: tuple[list[int], list[int]], who: str,
        url: str) -> None:
    leads, calls = scene
    _grow(app, 6, start=0, lead_ids=leads, call_ids=calls)
    assert _count(app) == 10
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.emails[who])
    small = page_statements(app, client, url)

    _grow(app, 1990, start=6, lead_ids=leads, call_ids=calls)
    assert _count(app) == 2000
    large = page_statements(app, client, url)
    assert small == large, (url, small, large)
    assert large <= CEILING, (url, large)

    html = client.get(url).get_data(as_text=True)
    assert html.count('<th scope="row">') == 25  # one page of rows
    assert "En attente de convention" in html if who == "secretariat" else "En attente" not in html
    if url == "/grants":
        visible = _count(app) if who == "secretariat" else _count(app, world.member_id)
        assert f"Page 1 of {-(-visible // 25)}" in html
