"""The ranking and trial allocation pages issue the same number of SQL statements with 10 and with 500
proposals under review (rows bulk-inserted: proposals, assignments and submitted reviews)."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.calls.models import CallStatus
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders, review_builders
from tests.conftest import login, page_statements

PAGES = [
    ("secretariat@example.org", "/calls/{call}/ranking"),
    ("secretariat@example.org", "/calls/{call}/allocation"),
    ("secretariat@example.org", "/calls/{call}/allocation?envelope=900000&mode=stop&reserve=5"),
    ("reviewer", "/calls/{call}/ranking"),
    ("reviewer", "/calls/{call}/allocation"),
]


def _scores(pi: int, ri: int) -> dict[str, int | None]:
    return {"relevance": (pi + ri) % 6, "impact": (pi * ri) % 11, "partnership": None if pi % 3 else pi % 6}


@pytest.mark.parametrize(("who", "page"), PAGES)
def test_same_number_of_queries_with_10_and_500_proposals(app: Flask, client: FlaskClient,
                                                          world: factories.World, who: str, page: str) -> None:
    done: set[int] = set()
    with app.app_context():
        version = builders.version(review_builders.criteria_content())
        call = builders.call(version, status=CallStatus.in_review, envelope="600000")
        first = builders.proposal(call, db.session.get(Member, world.member_id), title="Projet témoin")
        reviewers = review_builders.committee(4)
        reviewer_ids = [u.id for u in reviewers]
        email = reviewers[0].email
        # the reviewer's organisation is a partner of the first proposal: its row is masked for them
        review_builders.partner_member(first, reviewers[0].member)
        db.session.commit()
        call_id = call.id
        review_builders.grow_reviewed(call_id, world.member_id, reviewer_ids[1:], 9, done, _scores, per_proposal=3)
    login(client, email if who == "reviewer" else who)
    url = page.format(call=call_id)
    small = page_statements(app, client, url)
    with app.app_context():
        review_builders.grow_reviewed(call_id, world.member_id, reviewer_ids[1:], 490, done, _scores, per_proposal=3)
    large = page_statements(app, client, url)
    assert small == large, (url, small, large)
    assert large <= 25, (url, large)
    print(f"{url}: {large} statements")
