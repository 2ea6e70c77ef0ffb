"""The secretariat says which side of the partnership each indicator measures; nobody else can."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from app.grants import indicators
from app.grants.models import Grant, GrantIndicator, GrantStatus
from app.members.models import Member
from tests import factories
from tests.conftest import login
from tests.grants import builders


def test_set_sides_moves_an_indicator_to_a_partner_and_back(session) -> None:  # noqa: ANN001
    grant = builders.grant()
    partner = grant.partners[0]
    first = grant.indicators[0]
    assert indicators.set_sides(grant, {first.id: partner.id}, actor=None) == 1
    assert first.partner_id == partner.id
    assert indicators.set_sides(grant, {first.id: partner.id}, actor=None) == 0  # nothing changed
    assert indicators.set_sides(grant, {first.id: None}, actor=None) == 1
    assert first.partner_id is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.indicator_sides")) is not None


def test_set_sides_refuses_a_partner_of_another_grant_and_a_closed_grant(session) -> None:  # noqa: ANN001
    grant, other = builders.grant(), builders.grant()
    with pytest.raises(DomainError):
        indicators.set_sides(grant, {grant.indicators[0].id: other.partners[0].id}, actor=None)
    closed = builders.grant(status=GrantStatus.closed)
    with pytest.raises(DomainError):
        indicators.set_sides(closed, {closed.indicators[0].id: None}, actor=None)


def test_only_the_secretariat_sets_sides_through_the_page(app: Flask, client: FlaskClient,
                                                         world: factories.World) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    with app.app_context():
        grant = builders.grant(db.session.get(Member, world.member_id))
        db.session.commit()
        grant_id, indicator_id, partner_id = grant.id, grant.indicators[0].id, grant.partners[0].id
    url = f"/grants/{grant_id}/indicators/sides"
    login(client, world.emails["delegate"])  # the grantee
    assert "Which side each indicator measures" not in client.get(f"/grants/{grant_id}/indicators").get_data(
        as_text=True)
    assert client.post(url, data={f"side-{indicator_id}": str(partner_id)}).status_code == 403
    client.post("/logout")
    login(client, world.emails["secretariat"])
    assert "Which side each indicator measures" in client.get(f"/grants/{grant_id}/indicators").get_data(as_text=True)
    response = client.post(url, data={f"side-{indicator_id}": str(partner_id)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(GrantIndicator, indicator_id).partner_id == partner_id
        assert db.session.get(Grant, grant_id) is not None
