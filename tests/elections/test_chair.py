"""The committee's chair: one current member seat at a time, designated by the secretariat, audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.elections import services
from app.elections.models import Mandate
from app.extensions import db
from tests import factories
from tests.conftest import login


def _seat(member_id: int | None, *, kind: str = "elected", days_left: int = 700, organisation: str = "") -> Mandate:
    today = utcnow().date()
    mandate = Mandate(kind=kind, member_id=member_id, organisation=organisation, starts_on=today - timedelta(days=10),
                      ends_on=today + timedelta(days=days_left))
    db.session.add(mandate)
    db.session.flush()
    return mandate


def _secretariat(world: factories.World) -> User:
    return db.session.scalar(select(User).where(User.email == world.emails["secretariat"]))


def test_one_chair_at_a_time_and_audited(app: Flask, world: factories.World) -> None:
    with app.test_request_context():
        first, second = _seat(world.member_id), _seat(world.other_member_id)
        services.designate_chair(first, actor=_secretariat(world))
        assert services.chair_member_id() == world.member_id
        services.designate_chair(second, actor=_secretariat(world))
        db.session.commit()
        assert services.chair_member_id() == world.other_member_id
        assert [m.id for m in db.session.scalars(select(Mandate).where(Mandate.chair.is_(True)))] == [second.id]
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mandate.chair")).all()
        assert [e.after["chair_member_id"] for e in entries] == [world.member_id, world.other_member_id]
        assert entries[1].before == {"chair_member_id": world.member_id}


@pytest.mark.parametrize("case", ["ex_officio", "ended"])
def test_only_a_current_member_seat_chairs(app: Flask, world: factories.World, case: str) -> None:
    with app.test_request_context():
        if case == "ex_officio":
            mandate = _seat(None, kind="ex_officio", organisation="Agence Française de Développement")
        else:
            mandate = _seat(world.member_id, days_left=-1)
        with pytest.raises(DomainError):
            services.designate_chair(mandate, actor=_secretariat(world))
        assert services.chair_member_id() is None


def test_an_ended_chair_is_no_longer_the_chair(app: Flask, world: factories.World) -> None:
    with app.test_request_context():
        mandate = _seat(world.member_id)
        services.designate_chair(mandate, actor=_secretariat(world))
        mandate.ended_on = utcnow().date()
        db.session.flush()
        assert services.chair_member_id() is None


@pytest.mark.parametrize(("role", "allowed"), [("secretariat", True), ("delegate", False), ("ex_officio", False)])
def test_the_route_designates_for_the_secretariat_only(app: Flask, client: FlaskClient, world: factories.World,
                                                       role: str, allowed: bool) -> None:
    with app.app_context():
        mandate_id = _seat(world.member_id).id
        db.session.commit()
    login(client, world.emails[role])
    response = client.post(f"/committee/mandates/{mandate_id}/chair")
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        assert (services.chair_member_id() == world.member_id) is allowed
    if allowed:
        html = client.get("/committee", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Chair" in html
