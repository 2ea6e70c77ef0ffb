"""The committee's chair decides on amendments with the secretariat, never on its own organisation's;
other committee members do not decide (service and route)."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.calls import rulesets
from app.calls.models import Amendment, AmendmentStatus
from app.core.errors import DomainError
from app.elections import services as election_services
from app.elections.models import Mandate
from app.extensions import db
from tests.calls.ruleset_helpers import EMAILS, build_people, changed, make_rule_set
from tests.conftest import login


def _setup(proposer: str) -> tuple[int, int]:
    """A rule set, an amendment by ``proposer`` and the chair given to the second committee member's seat."""
    people = build_people()
    rule_set = make_rule_set(people)
    amendment = rulesets.propose_amendment(
        rule_set, actor=people.user(proposer), title="Taux", rationale="Un taux plus juste pour tous",
        new_content=changed(rulesets.head(rule_set).content, funding__rate="0.7"))
    chair_seat = db.session.scalar(select(Mandate).where(Mandate.member_id == people.committee2_member_id))
    election_services.designate_chair(chair_seat, actor=people.user("secretariat"))
    db.session.commit()
    return rule_set.id, amendment.id


@pytest.mark.parametrize(("proposer", "decider", "allowed"), [
    ("committee", "committee2", True),    # the chair decides another member's amendment
    ("committee2", "committee2", False),  # never its own organisation's
    ("committee2", "committee", False),   # a committee member who is not the chair
    ("committee", "secretariat", True),
])
def test_who_decides(app: Flask, proposer: str, decider: str, allowed: bool) -> None:
    with app.test_request_context():
        _, amendment_id = _setup(proposer)
        people_user = db.session.scalar(select(User).where(User.email == EMAILS[decider]))
        amendment = db.session.get(Amendment, amendment_id)
        if allowed:
            version = rulesets.decide_amendment(amendment, actor=people_user, accept=True, reason="Accepté en comité")
            assert version is not None and version.number == 2
        else:
            with pytest.raises(DomainError):
                rulesets.decide_amendment(amendment, actor=people_user, accept=True, reason="Accepté en comité")
            assert amendment.status == AmendmentStatus.proposed


@pytest.mark.parametrize(("proposer", "decider", "status"), [
    ("committee", "committee2", 302), ("committee2", "committee2", 403), ("committee2", "committee", 403)])
def test_decide_route_for_the_chair(app: Flask, client: FlaskClient, proposer: str, decider: str,
                                   status: int) -> None:
    with app.app_context():
        rule_set_id, amendment_id = _setup(proposer)
    login(client, EMAILS[decider])
    url = f"/rulesets/{rule_set_id}/amendments/{amendment_id}/decide"
    assert client.get(url).status_code == (200 if status == 302 else 403)
    response = client.post(url, data={"decision": "accept", "reason": "Accepté par la présidence"})
    assert response.status_code == status
    with app.app_context():
        expected = AmendmentStatus.accepted if status == 302 else AmendmentStatus.proposed
        assert db.session.get(Amendment, amendment_id).status == expected
