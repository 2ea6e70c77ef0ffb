"""Selection pages: who sees what (conflicted rows masked), the trial moving the line, check-your-answers then
record, a departure without its reason refused at its field, publication after a confirmation page."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.calls.models import Call, CallStatus
from app.calls.selection_models import ProposalDecision
from app.extensions import db
from tests import factories
from tests.calls.review_builders import partner_member
from tests.calls.selection_helpers import fake_letters, scene
from tests.conftest import login


@dataclass
class Ids:
    call_id: int
    proposals: list[int]
    reviewers: list[str]  # e-mails
    conflicted_proposal: int


@pytest.fixture
def ids(app: Flask, world: factories.World) -> Ids:
    with app.test_request_context():
        s = scene()
        people = [db.session.get(User, uid) for uid in s.reviewer_ids]
        from app.calls.models import Proposal

        conflicted = db.session.get(Proposal, s.proposal_ids[1])
        partner_member(conflicted, people[0].member)
        db.session.commit()
        return Ids(s.call_id, s.proposal_ids, [p.email for p in people], conflicted.id)


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def _status(app: Flask, call_id: int) -> str:
    with app.app_context():
        return db.session.get(Call, call_id).status


def _line_form(page: str) -> dict[str, str]:
    """The decision form as pre-filled on the trial page (selects, inputs, hidden fields)."""
    form = page[page.index('action="/calls/'):]
    data = {}
    for name, value in re.findall(r'<input type="(?:hidden|text)"[^>]*?name="((?:amount|set)_\d+)" value="([^"]*)"', form):
        data[name] = value
    for name, body in re.findall(r'<select id="outcome-\d+" name="(outcome_\d+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="(\w+)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_pages_for_the_secretariat(client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    for url in (f"/calls/{ids.call_id}/ranking", f"/calls/{ids.call_id}/allocation",
                f"/calls/{ids.call_id}/selection/settings", f"/calls/{ids.call_id}/decision",
                f"/calls/{ids.call_id}"):
        assert client.get(url).status_code == 200, url
    page = _html(client.get(f"/calls/{ids.call_id}/ranking"))
    assert "Calibration of the reviewers" in page and "Reviewer Reviewer" in page
    assert "Check the decision" in _html(client.get(f"/calls/{ids.call_id}/allocation"))
    assert "/allocation" in _html(client.get(f"/calls/{ids.call_id}"))


def test_a_conflicted_committee_member_sees_no_score_and_only_its_own_calibration(
        client: FlaskClient, ids: Ids) -> None:
    login(client, ids.reviewers[0])
    page = _html(client.get(f"/calls/{ids.call_id}/ranking"))
    assert page.count("Conflict of interest") == 1
    row = page[page.index(f"-P{ids.conflicted_proposal:04d}"):]
    row = row[:row.index("</tr>")]
    assert "You cannot see the scores" in row and "/100" not in row
    assert page.count('<th scope="row">Reviewer') == 1  # its own line only
    trial = _html(client.get(f"/calls/{ids.call_id}/allocation"))
    assert "Conflict of interest" in trial and "Check the decision" not in trial  # the committee does not record
    assert client.post(f"/calls/{ids.call_id}/decision", data={}).status_code == 403
    assert client.get(f"/calls/{ids.call_id}/selection/settings").status_code == 403


def test_a_member_outside_the_committee_is_refused(client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["delegate"])
    for url in (f"/calls/{ids.call_id}/ranking", f"/calls/{ids.call_id}/allocation", f"/calls/{ids.call_id}/decision"):
        assert client.get(url).status_code == 403, url


def test_the_trial_moves_the_line_and_saves_nothing(app: Flask, client: FlaskClient, world: factories.World,
                                                    ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    page = _html(client.get(f"/calls/{ids.call_id}/allocation"))
    assert "down to rank 2," in page
    page = _html(client.get(f"/calls/{ids.call_id}/allocation", query_string={"envelope": "400000"}))
    assert "down to rank 5," in page and "These are not the saved settings" in page
    assert "Check the decision" not in page  # another envelope: no decision from here
    page = _html(client.get(f"/calls/{ids.call_id}/allocation", query_string={"envelope": "beaucoup"}))
    assert "Enter the envelope in euros" in page
    assert _status(app, ids.call_id) == CallStatus.in_review


def test_check_then_record_then_publish(app: Flask, client: FlaskClient, world: factories.World, ids: Ids,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fake_letters(monkeypatch)
    login(client, world.emails["secretariat"])
    data = _line_form(_html(client.get(f"/calls/{ids.call_id}/allocation")))
    first, third = ids.proposals[0], ids.proposals[2]
    assert data[f"outcome_{first}"] == "selected" and data[f"outcome_{third}"] == "reserve"
    # Refusing the first without a reason: refused at its field, what was typed kept.
    refused = dict(data, **{f"outcome_{first}": "rejected", f"amount_{first}": ""})
    response = client.post(f"/calls/{ids.call_id}/decision", data=refused)
    assert response.status_code == 422
    assert "give the committee&#39;s reason" in _html(response) or "give the committee's reason" in _html(response)
    assert _status(app, ids.call_id) == CallStatus.in_review
    refused[f"reason_{first}"] = "Le cofinancement annoncé n'est plus confirmé."
    check = client.post(f"/calls/{ids.call_id}/decision", data=refused)
    assert check.status_code == 200 and "Record the decision" in _html(check)
    assert "departs from the line" in _html(check)
    assert _status(app, ids.call_id) == CallStatus.in_review  # nothing recorded by the check page
    response = client.post(f"/calls/{ids.call_id}/decision", data=dict(refused, confirm="1", minutes="Séance"))
    assert response.status_code == 302
    assert _status(app, ids.call_id) == CallStatus.decided
    page = _html(client.get(f"/calls/{ids.call_id}/decision"))
    assert "Le cofinancement annoncé" in page and "Publish the decision" in page
    # A second record is refused.
    again = client.post(f"/calls/{ids.call_id}/decision", data=dict(refused, confirm="1"))
    assert again.status_code == 302
    with app.app_context():
        assert db.session.query(ProposalDecision).count() == len(ids.proposals)
        item = db.session.scalar(select(ProposalDecision).where(ProposalDecision.proposal_id == first))
        assert item.departure and item.outcome == "rejected"
    assert "Publish and send the letters" in _html(client.get(f"/calls/{ids.call_id}/decision/publish"))
    assert client.post(f"/calls/{ids.call_id}/decision/publish").status_code == 302
    assert _status(app, ids.call_id) == CallStatus.published


def test_settings_form(app: Flask, client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    response = client.post(f"/calls/{ids.call_id}/selection/settings",
                           data={"ranking": "calibrated", "min_score": "cent", "mode": "skip", "reserve_size": "3"})
    assert response.status_code == 422 and "between 0 and 100" in _html(response)
    assert 'value="cent"' in _html(response)
    response = client.post(f"/calls/{ids.call_id}/selection/settings",
                           data={"ranking": "calibrated", "min_score": "55", "mode": "stop", "reserve_size": "2"})
    assert response.status_code == 302
    page = _html(client.get(f"/calls/{ids.call_id}/allocation"))
    assert "Calibrated mean · Stop" in page
