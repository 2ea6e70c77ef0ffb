"""The secretariat's proposal list and instruction page issue the same number of SQL statements with 10
and with 1,000 proposals in the call (rows are bulk-inserted, so building them is fast)."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.calls.models import Call, EligibilityOverride, Proposal
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders
from tests.conftest import login, page_statements

PAGES = [
    "/calls/{call}/proposals",
    "/calls/{call}/proposals?status=all&eligibility=overridden",
    "/calls/{call}/proposals?q=projet&country=TN&challenge={challenge}&territory=gafsa&dir=desc",
    "/proposals/{proposal}/instruction",
]


def _grow(call_id: int, lead_ids: list[int], n: int) -> None:
    call = db.session.get(Call, call_id)
    builders.many_proposals(call, [db.session.get(Member, i) for i in lead_ids], n)
    # a few overrides among them, so the page shows some
    for pid in db.session.scalars(select(Proposal.id).where(Proposal.call_id == call_id)
                                  .order_by(Proposal.id.desc()).limit(3)):
        db.session.add(EligibilityOverride(proposal_id=pid, kind="min_partners", passed=False,
                                           reason="Le partenaire a quitté le projet en cours d'instruction."))
    db.session.commit()


@pytest.mark.parametrize("page", PAGES)
def test_same_number_of_queries_with_10_and_1000_proposals(app: Flask, client: FlaskClient,
                                                           world: factories.World, page: str) -> None:
    with app.app_context():
        leads = [world.member_id, world.other_member_id]
        call = builders.call()
        first = builders.proposal(call, db.session.get(Member, leads[0]), title="Projet témoin")
        challenge_id = call.challenges[0].id
        db.session.commit()
        call_id, proposal_id = call.id, first.id
        _grow(call_id, leads, 9)
    login(client, world.emails["secretariat"])
    url = page.format(call=call_id, proposal=proposal_id, challenge=challenge_id)
    small = page_statements(app, client, url)
    with app.app_context():
        _grow(call_id, leads, 990)
        assert db.session.scalar(select(db.func.count()).select_from(Proposal)) == 1000
    large = page_statements(app, client, url)
    assert small == large, (url, small, large)
    assert large <= 16, large
