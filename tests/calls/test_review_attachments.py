"""Reviewers download the files of the submitted version; a conflicted member cannot, nor a file not submitted."""
from __future__ import annotations

import hashlib
import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.auth.models import User
from app.calls import attachments
from app.calls.models import Attachment, Proposal, ProposalSnapshot
from app.extensions import db
from tests import factories
from tests.calls import review_builders, reviews_setup
from tests.calls.test_attachments import tiny_pdf
from tests.conftest import login


def _attach(proposal: Proposal, *, listed: bool) -> int:
    """A stored PDF on the proposal; ``listed``: part of its latest submitted snapshot."""
    data = tiny_pdf()
    stored = secrets.token_hex(16)
    (attachments.storage_dir() / stored).write_bytes(data)
    item = Attachment(filename="budget-detaille.pdf", stored_name=stored, content_type="application/pdf",
                      size=len(data), sha256=hashlib.sha256(data).hexdigest())
    proposal.attachments.append(item)
    db.session.flush()
    if listed:
        snapshot = db.session.query(ProposalSnapshot).filter_by(proposal_id=proposal.id).order_by(
            ProposalSnapshot.number.desc()).first()
        snapshot.content = {**snapshot.content, "attachments": [
            {"id": item.id, "filename": item.filename, "content_type": item.content_type, "size": item.size,
             "sha256": item.sha256}]}
    db.session.commit()
    return item.id


@pytest.fixture
def built(app: Flask, world: factories.World, client: FlaskClient) -> tuple[reviews_setup.Setup, int, int]:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        setup = reviews_setup.build()
        listed = _attach(db.session.get(Proposal, setup.p1), listed=True)
        unlisted = _attach(db.session.get(Proposal, setup.p1), listed=False)
        return setup, listed, unlisted


def test_a_reviewer_downloads_a_submitted_file_from_the_scoring_page(
        app: Flask, client: FlaskClient, built: tuple[reviews_setup.Setup, int, int]) -> None:
    setup, listed, unlisted = built
    with app.app_context():
        review_builders.assign(db.session.get(Proposal, setup.p1), db.session.get(User, setup.reviewers[0]))
        db.session.commit()
    login(client, setup.emails[0])
    page = client.get(f"/proposals/{setup.p1}/my-review").get_data(as_text=True)
    url = f"/proposals/{setup.p1}/reviews/attachments/{listed}"
    assert url in page and "budget-detaille.pdf" in page
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    # a file added after the submission is not what the committee reviews
    assert client.get(f"/proposals/{setup.p1}/reviews/attachments/{unlisted}").status_code == 404
    # nor is a file of another proposal reached through this one
    assert client.get(f"/proposals/{setup.p2}/reviews/attachments/{listed}").status_code == 404


def test_a_conflicted_member_and_an_applicant_cannot_download(
        client: FlaskClient, built: tuple[reviews_setup.Setup, int, int], world: factories.World) -> None:
    setup, listed, _ = built
    url = f"/proposals/{setup.p1}/reviews/attachments/{listed}"
    login(client, setup.emails[2])  # its organisation is a partner of p1
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(client, world.emails["other_delegate"])
    assert client.get(url).status_code == 403
