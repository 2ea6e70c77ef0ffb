"""Review pages for real users: the secretariat's reviewers page (settings, by hand, suggestion, e-mails),
the scoring form (drafts keep what was typed, errors at the field, submit, reopen), My reviews, the
proposal's reviews page (no anchoring) and its discussion, the home panel and the menu link."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.calls.selection_models import Review, ReviewAssignment, ReviewComment, ReviewStatus
from app.core.models import OutboxMessage
from app.extensions import db
from tests import factories
from tests.calls import review_builders, reviews_setup
from tests.calls.reviews_setup import GOOD, form_data
from tests.conftest import login


@pytest.fixture
def built(app: Flask, world: factories.World, client: FlaskClient) -> reviews_setup.Setup:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        return reviews_setup.build()


def _assign(app: Flask, proposal_id: int, reviewer_id: int) -> None:
    from app.auth.models import User
    from app.calls.models import Proposal

    with app.app_context():
        review_builders.assign(db.session.get(Proposal, proposal_id), db.session.get(User, reviewer_id))
        db.session.commit()


def test_secretariat_reviewers_page_settings_and_by_hand(app: Flask, client: FlaskClient,
                                                        built: reviews_setup.Setup) -> None:
    login(client, "secretariat@example.org")
    page = client.get(f"/calls/{built.call_id}/reviewers")
    assert page.status_code == 200
    assert "Eau potable à Gafsa" in page.get_data(as_text=True)
    bad = client.post(f"/calls/{built.call_id}/reviewers", data={"save_settings": "1", "reviewers_per_proposal": "0",
                                                                  "review_deadline": "2030-01-01T10:00"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Enter a number of reviewers from 1 to 20." in html
    assert 'value="2030-01-01T10:00"' in html
    ok = client.post(f"/calls/{built.call_id}/reviewers", data={"save_settings": "1", "reviewers_per_proposal": "3",
                                                                 "review_deadline": "2030-01-01T10:00"})
    assert ok.status_code == 302
    # by hand: the conflicted reviewer is refused at the field
    refused = client.post(f"/calls/{built.call_id}/reviewers", data={
        "assign": "1", "proposal_id": str(built.p1), "reviewer_id": str(built.reviewers[2])})
    assert refused.status_code == 422
    assert "has a conflict of interest with this proposal" in refused.get_data(as_text=True)
    done = client.post(f"/calls/{built.call_id}/reviewers", data={
        "assign": "1", "proposal_id": str(built.p1), "reviewer_id": str(built.reviewers[0])}, follow_redirects=True)
    assert "is assigned to" in done.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(ReviewAssignment))
        assert row.reviewer_id == built.reviewers[0]
        row_id = row.id
    client.post(f"/calls/{built.call_id}/reviewers", data={"remove": str(row_id)})
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewAssignment.id))) == 0


def test_suggestion_preview_apply_and_notify(app: Flask, client: FlaskClient, built: reviews_setup.Setup) -> None:
    login(client, "secretariat@example.org")
    preview = client.get(f"/calls/{built.call_id}/reviewers/suggestion")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Left out: conflict of interest" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewAssignment.id))) == 0  # the preview saves nothing
    assert client.post(f"/calls/{built.call_id}/reviewers/suggestion").status_code == 302
    with app.app_context():
        pairs = set(db.session.execute(select(ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id)).all())
        assert len(pairs) == 4 and (built.p1, built.reviewers[2]) not in pairs
    sent = client.post(f"/calls/{built.call_id}/reviewers/notify", follow_redirects=True)
    assert "3 reviewers were e-mailed" in sent.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) >= 3


def test_scoring_form_draft_errors_submit_reopen(app: Flask, client: FlaskClient, built: reviews_setup.Setup) -> None:
    _assign(app, built.p1, built.reviewers[0])
    login(client, built.emails[0])
    url = f"/proposals/{built.p1}/my-review"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="score-relevance"' in html and 'id="score-partnership-na"' in html
    assert 'id="score-relevance-na"' not in html  # n/a not allowed there
    assert "Jardins" not in html and "Eau potable à Gafsa" in html
    # submit incomplete: errors at the fields, typed text kept
    data = {"submit_review": "1", "score-relevance": "4", "justification-relevance": "Trop court",
            "justification-impact": "Texte gardé tel quel"}
    refused = client.post(url, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "There is a problem" in html and "Write at least 20 characters (you wrote 10)." in html
    assert "Give a score or choose “not applicable”." in html
    assert "Texte gardé tel quel</textarea>" in html
    assert re.search(r'id="score-relevance-4"[^>]*checked', html)
    # the same saved as a draft: kept, even the justification written before choosing a score
    del data["submit_review"]
    assert client.post(url, data={**data, "save": "1"}).status_code == 302
    with app.app_context():
        review = db.session.scalar(select(Review))
        assert review.status == ReviewStatus.draft and review.marks["impact"]["justification"] == "Texte gardé tel quel"
    again = client.get(url).get_data(as_text=True)
    assert "Texte gardé tel quel</textarea>" in again
    done = client.post(url, data=form_data(GOOD, eligible="yes"))
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/proposals/{built.p1}/reviews")
    shown = client.get(url).get_data(as_text=True)
    assert "Your submitted review" in shown and "Reopen my review" in shown
    assert client.post(f"/proposals/{built.p1}/my-review/reopen").status_code == 302
    with app.app_context():
        review = db.session.scalar(select(Review))
        assert review.status == ReviewStatus.draft and review.reopened_count == 1


def test_unassigned_member_cannot_score(client: FlaskClient, built: reviews_setup.Setup) -> None:
    login(client, built.emails[1])
    assert client.get(f"/proposals/{built.p1}/my-review").status_code == 403
    assert client.post(f"/proposals/{built.p1}/my-review", data=form_data(GOOD)).status_code == 403


def test_no_anchoring_on_the_reviews_page(app: Flask, client: FlaskClient, built: reviews_setup.Setup) -> None:
    from app.auth.models import User
    from app.calls.models import Proposal

    with app.app_context():
        p2 = db.session.get(Proposal, built.p2)
        review_builders.review(p2, db.session.get(User, built.reviewers[1]), GOOD,
                               justification="Le raisonnement du deuxième relecteur, assez long.")
        review_builders.assign(p2, db.session.get(User, built.reviewers[0]))
        db.session.commit()
    login(client, built.emails[0])
    before = client.get(f"/proposals/{built.p2}/reviews").get_data(as_text=True)
    assert "deuxième relecteur" not in before
    assert "once you have submitted your own review" in before
    client.post(f"/proposals/{built.p2}/my-review", data=form_data(GOOD))
    after = client.get(f"/proposals/{built.p2}/reviews").get_data(as_text=True)
    assert "deuxième relecteur" in after and "Mean" in after


def test_discussion_and_its_errors(app: Flask, client: FlaskClient, built: reviews_setup.Setup) -> None:
    login(client, built.emails[0])
    empty = client.post(f"/proposals/{built.p2}/discussion", data={"body": ""})
    assert empty.status_code == 422 and "Write your comment." in empty.get_data(as_text=True)
    ok = client.post(f"/proposals/{built.p2}/discussion", data={"body": "<b>Budget</b> élevé"},
                     follow_redirects=True)
    html = ok.get_data(as_text=True)
    assert "&lt;b&gt;Budget&lt;/b&gt; élevé" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ReviewComment.id))) == 1


def test_my_reviews_home_panel_and_menu(app: Flask, client: FlaskClient, built: reviews_setup.Setup) -> None:
    _assign(app, built.p1, built.reviewers[0])
    login(client, built.emails[0])
    mine = client.get("/reviews").get_data(as_text=True)
    assert "Eau potable à Gafsa" in mine and "To do" in mine
    home = client.get("/").get_data(as_text=True)
    assert "Reviews to do" in home and 'href="/reviews"' in home
    client.post("/logout")
    login(client, "delegate@example.org")
    assert client.get("/reviews").status_code == 403
    assert 'href="/reviews"' not in client.get("/").get_data(as_text=True)


def test_declare_page_confirms_then_records(app: Flask, client: FlaskClient, built: reviews_setup.Setup) -> None:
    _assign(app, built.p2, built.reviewers[0])
    login(client, built.emails[0])
    page = client.get(f"/proposals/{built.p2}/conflict").get_data(as_text=True)
    assert "What will happen" in page
    short = client.post(f"/proposals/{built.p2}/conflict", data={"reason": "ab"})
    assert short.status_code == 422 and 'ab</textarea>' in short.get_data(as_text=True)
    done = client.post(f"/proposals/{built.p2}/conflict", data={"reason": "Notre trésorier est au bureau du porteur."})
    assert done.status_code == 302
    assert client.get(f"/proposals/{built.p2}/my-review").status_code == 403
    assert "(conflict of interest)" in client.get("/reviews").get_data(as_text=True)


def test_secretariat_conflicts_page_record_and_withdraw(app: Flask, client: FlaskClient,
                                                        built: reviews_setup.Setup) -> None:
    login(client, "secretariat@example.org")
    page = client.get(f"/calls/{built.call_id}/conflicts").get_data(as_text=True)
    assert "Partner of the proposal" in page
    bad = client.post(f"/calls/{built.call_id}/conflicts", data={"proposal_id": str(built.p2), "member_id": "0",
                                                                  "reason": "Même fédération"})
    assert bad.status_code == 422 and "Même fédération</textarea>" in bad.get_data(as_text=True)
    with app.app_context():
        from app.auth.models import User

        member_id = db.session.get(User, built.reviewers[0]).member_id
    ok = client.post(f"/calls/{built.call_id}/conflicts", data={"proposal_id": str(built.p2),
                                                                 "member_id": str(member_id),
                                                                 "reason": "Même fédération"}, follow_redirects=True)
    html = ok.get_data(as_text=True)
    assert "Recorded by the secretariat" in html and "Même fédération" in html
    conflict_id = re.search(r'/conflicts/(\d+)/withdraw', html).group(1)
    client.post(f"/conflicts/{conflict_id}/withdraw")
    assert "Recorded by the secretariat" not in client.get(f"/calls/{built.call_id}/conflicts").get_data(as_text=True)


@pytest.mark.parametrize("role", ["anonymous", "delegate", "ex_officio"])
def test_others_are_kept_out(client: FlaskClient, built: reviews_setup.Setup, role: str) -> None:
    if role != "anonymous":
        login(client, {"delegate": "delegate@example.org", "ex_officio": "funder@example.org"}[role])
    for url in (f"/calls/{built.call_id}/reviewers", f"/calls/{built.call_id}/conflicts", "/reviews",
                f"/proposals/{built.p1}/my-review", f"/proposals/{built.p1}/reviews"):
        response = client.get(url)
        assert response.status_code in (302, 403), url


def test_taking_off_a_reviewer_with_a_draft_asks_first(app: Flask, client: FlaskClient,
                                                       built: reviews_setup.Setup) -> None:
    from app.auth.models import User
    from app.calls.models import Proposal

    with app.app_context():
        review_builders.review(db.session.get(Proposal, built.p2), db.session.get(User, built.reviewers[0]), GOOD,
                               submitted=False)
        db.session.commit()
        row_id = db.session.scalar(select(ReviewAssignment.id))
    login(client, "secretariat@example.org")
    asked = client.post(f"/calls/{built.call_id}/reviewers", data={"remove": str(row_id)})
    assert asked.status_code == 200 and "the draft will be deleted" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Review.id))) == 1
    client.post(f"/calls/{built.call_id}/reviewers", data={"remove": str(row_id), "confirm": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Review.id))) == 0
        assert db.session.scalar(select(func.count(ReviewAssignment.id))) == 0
