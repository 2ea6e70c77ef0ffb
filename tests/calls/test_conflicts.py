"""The issue's conflict tests: a committee member whose organisation is a partner of a proposal cannot view
its reviews, aggregates or discussion, cannot score it (service and route, GET and POST), and is never
suggested as its reviewer; every conflict and its source is listed for the secretariat and logged."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth.models import User
from app.calls import conflicts, reviewing, scoring
from app.calls.models import Call, Proposal
from app.calls.selection_models import Conflict, ConflictSource, Review, ReviewAssignment, ReviewComment
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories
from tests.calls import review_builders, reviews_setup
from tests.calls.reviews_setup import GOOD, JUST, form_data
from tests.conftest import login


@pytest.fixture
def built(app: Flask, world: factories.World, client: FlaskClient) -> reviews_setup.Setup:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        setup = reviews_setup.build()
        p1 = db.session.get(Proposal, setup.p1)
        a, b, c = (db.session.get(User, i) for i in setup.reviewers)
        review_builders.review(p1, a, GOOD, justification="Avis du relecteur A sur le projet.")
        review_builders.review(p1, b, {"relevance": 1, "impact": 1, "partnership": 1})
        # even if the conflicted reviewer was assigned before the conflict was known
        review_builders.assign(p1, c)
        db.session.add(ReviewComment(call_id=p1.call_id, proposal_id=p1.id, author_id=a.id,
                                     body="Discussion réservée au comité."))
        db.session.commit()
        return setup


# Service ----------------------------------------------------------------------------------------------

def test_service_refuses_the_partner_everywhere(session: factories.World) -> None:
    setup = reviews_setup.build()
    p1 = db.session.get(Proposal, setup.p1)
    a, _b, c = (db.session.get(User, i) for i in setup.reviewers)
    review_builders.review(p1, a, GOOD)
    review_builders.assign(p1, c)
    assert conflicts.is_conflicted(c, p1.id)
    with pytest.raises(conflicts.ConflictOfInterest):
        reviewing.save_review(p1, actor=c, marks={k: scoring.Mark(v, JUST) for k, v in GOOD.items()},
                              eligible=None, submit=True)
    with pytest.raises(conflicts.ConflictOfInterest):
        reviewing.ensure_may_score(p1, c)
    with pytest.raises(conflicts.ConflictOfInterest):
        reviewing.comments_of(p1, c)
    with pytest.raises(conflicts.ConflictOfInterest):
        reviewing.comment(p1, actor=c, body="Un avis partial.")
    assert reviewing.visible_reviews(p1, c) == []
    assert not reviewing.may_see_aggregate(p1, c)
    with pytest.raises(DomainError):
        reviewing.assign(db.session.get(Call, setup.call_id), p1, c,
                         actor=db.session.scalar(select(User).where(User.email == "secretariat@example.org")))
    assert db.session.scalar(select(func.count(Review.id)).where(Review.reviewer_id == c.id)) == 0


def test_never_suggested(session: factories.World) -> None:
    setup = reviews_setup.build()
    call = db.session.get(Call, setup.call_id)
    # many reviewers wanted: still never the partner
    reviewing.update_settings(call, actor=db.session.scalar(select(User).where(User.email == "secretariat@example.org")),
                              reviewers_per_proposal=3, review_deadline=None)
    view = reviewing.suggestion(call)
    assert setup.reviewers[2] not in view.suggestion.added_to(setup.p1)
    assert view.suggestion.shortfalls == {setup.p1: 1}
    assert setup.reviewers[2] in view.suggestion.added_to(setup.p2)


# Routes, GET and POST ---------------------------------------------------------------------------------

def test_routes_refuse_the_partner_get_and_post(client: FlaskClient, built: reviews_setup.Setup) -> None:
    login(client, built.emails[2])
    p1 = built.p1
    assert client.get(f"/proposals/{p1}/my-review").status_code == 403
    assert client.post(f"/proposals/{p1}/my-review", data=form_data(GOOD)).status_code == 403
    assert client.post(f"/proposals/{p1}/my-review/reopen").status_code == 403
    reviews = client.get(f"/proposals/{p1}/reviews")
    assert reviews.status_code == 403
    html = reviews.get_data(as_text=True)
    assert "Avis du relecteur A" not in html and "Discussion réservée" not in html
    assert client.post(f"/proposals/{p1}/discussion", data={"body": "Un avis partial."}).status_code == 403
    # the other proposal is open to them
    assert client.get(f"/proposals/{built.p2}/reviews").status_code == 200
    my = client.get("/reviews").get_data(as_text=True)
    assert "Eau potable à Gafsa" not in my and "(conflict of interest)" in my


def test_routes_refuse_the_partners_alternate_too(app: Flask, client: FlaskClient, built: reviews_setup.Setup) -> None:
    with app.app_context():
        factories.user("alt-partner@example.org", member=db.session.get(User, built.reviewers[2]).member)
        db.session.commit()
    login(client, "alt-partner@example.org")
    assert client.get(f"/proposals/{built.p1}/reviews").status_code == 403
    assert client.post(f"/proposals/{built.p1}/discussion", data={"body": "Bonjour"}).status_code == 403


def test_free_members_and_the_secretariat_see_it(client: FlaskClient, built: reviews_setup.Setup) -> None:
    login(client, built.emails[0])
    html = client.get(f"/proposals/{built.p1}/reviews").get_data(as_text=True)
    assert "Discussion réservée" in html and "For discussion" in html  # 80 − 20 > 25: flagged
    client.post("/logout")
    login(client, "secretariat@example.org")
    html = client.get(f"/proposals/{built.p1}/reviews").get_data(as_text=True)
    assert "Avis du relecteur A" in html and "Discussion réservée" in html


def test_secretariat_sees_every_conflict_and_its_source_logged(app: Flask, client: FlaskClient,
                                                               built: reviews_setup.Setup) -> None:
    login(client, built.emails[0])
    client.post(f"/proposals/{built.p2}/conflict", data={"reason": "Notre présidente est salariée du porteur."})
    client.post("/logout")
    login(client, "secretariat@example.org")
    html = client.get(f"/calls/{built.call_id}/conflicts").get_data(as_text=True)
    assert "Partner of the proposal" in html and "Declared by the reviewer" in html and "Lead applicant" in html
    assert "Notre présidente est salariée du porteur." in html
    reviewers_page = client.get(f"/calls/{built.call_id}/reviewers").get_data(as_text=True)
    assert "Conflict of interest" in reviewers_page
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "conflict.declared")) is not None
        # the assignment made before the conflict is still listed, flagged; the suggestion adds no one conflicted
        assert db.session.scalar(select(func.count(ReviewAssignment.id))
                                 .where(ReviewAssignment.reviewer_id == built.reviewers[2])) == 1


@pytest.mark.parametrize("status", ["decided", "published"])
def test_conflicts_cannot_change_once_the_decision_is_recorded(app: Flask, built: reviews_setup.Setup,
                                                              status: str) -> None:
    """The reviews that counted for the decision stay the ones that count for the applicants' letters."""
    with app.test_request_context():
        proposal = db.session.get(Proposal, built.p2)
        secretariat = db.session.scalar(select(User).where(User.kind == "secretariat"))
        recorded = conflicts.add(proposal, member_id=built.conflicted_member_id, source=ConflictSource.recorded,
                                 reason="Même fédération régionale", actor=secretariat)
        db.session.get(Call, built.call_id).status = status
        db.session.flush()
        reviewer = db.session.get(User, built.reviewers[0])
        with pytest.raises(DomainError):
            reviewing.declare_conflict(proposal, actor=reviewer, reason="Nous avons travaillé ensemble.")
        with pytest.raises(DomainError):
            conflicts.remove(recorded, actor=secretariat)
        assert db.session.scalar(select(func.count()).select_from(Conflict)) == 1
        db.session.rollback()
