"""Recording a sitting already held (on paper): the past-date rule, the confirmation, the marker, no convocation.

The rule is a pure function (table below, boundaries at now, earlier today,
yesterday, later today, inside and past the notice period); the pages check
that a past date is refused at its field with how to proceed, accepted with the
confirmation, marked "recorded afterwards" on the assembly page and in the
minutes (HTML and PDF), and that opening such a sitting sends no convocation and
says in the audit entry why the notice period does not apply.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly.models import AgendaItem, Assembly, AssemblyStatus, Presence, PresenceStatus, Vote
from app.assembly.sitting_dates import DateCheck, check_sitting_date, notice_applies, refusal_message
from app.core.models import AuditEntry, OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.conftest import login
from tests.pdf_text import pdf_text

FORMAT = "%Y-%m-%dT%H:%M"
NOW = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
NOTICE = timedelta(days=15)


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


# The rule -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("starts_at", "previous", "confirmed", "expected"), [
    (NOW + NOTICE + timedelta(days=1), None, False, DateCheck.future),         # beyond the notice period
    (NOW + NOTICE, None, False, DateCheck.future),                             # exactly the notice period
    (NOW + timedelta(days=3), None, False, DateCheck.future),                  # inside it: convene warns later
    (NOW + timedelta(hours=2), None, False, DateCheck.future),                 # later today
    (NOW + timedelta(minutes=1), None, False, DateCheck.future),
    (NOW, None, False, DateCheck.past_unconfirmed),                            # starting now is no longer future
    (NOW - timedelta(minutes=1), None, False, DateCheck.past_unconfirmed),
    (NOW - timedelta(hours=5), None, False, DateCheck.past_unconfirmed),       # earlier today
    (NOW - timedelta(days=1), None, False, DateCheck.past_unconfirmed),        # yesterday
    (NOW - timedelta(days=400), None, False, DateCheck.past_unconfirmed),
    (NOW, None, True, DateCheck.recorded_afterwards),
    (NOW - timedelta(hours=5), None, True, DateCheck.recorded_afterwards),
    (NOW - timedelta(days=1), None, True, DateCheck.recorded_afterwards),
    (NOW - timedelta(days=400), None, True, DateCheck.recorded_afterwards),
    (NOW + timedelta(minutes=1), None, True, DateCheck.future_but_recorded),   # a contradiction
    (NOW + timedelta(days=1), None, True, DateCheck.future_but_recorded),
    # Editing a sitting under way: its past date, unchanged (seconds dropped by the form), is kept.
    (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, 9, 0, 42, tzinfo=UTC), False,
     DateCheck.unchanged),
    (datetime(2026, 11, 30, 9, 1, tzinfo=UTC), datetime(2026, 11, 30, 9, 0, tzinfo=UTC), False,
     DateCheck.past_unconfirmed),                                              # changed by a minute: checked again
    (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), datetime(2026, 11, 30, 9, 0, tzinfo=UTC), True,
     DateCheck.recorded_afterwards),
])
def test_sitting_date_rule(starts_at: datetime, previous: datetime | None, confirmed: bool,
                           expected: DateCheck) -> None:
    assert check_sitting_date(starts_at, now=NOW, previous=previous, recorded_afterwards=confirmed) == expected


@pytest.mark.parametrize(("check", "refused"), [
    (DateCheck.future, False), (DateCheck.unchanged, False), (DateCheck.recorded_afterwards, False),
    (DateCheck.past_unconfirmed, True), (DateCheck.future_but_recorded, True),
])
def test_only_contradictions_and_unconfirmed_past_dates_are_refused(app: Flask, check: DateCheck,
                                                                      refused: bool) -> None:
    with app.test_request_context():
        assert (refusal_message(check) is not None) == refused


@pytest.mark.parametrize(("delta", "applies"), [
    (NOTICE, True), (timedelta(days=1), True), (timedelta(minutes=1), True), (timedelta(0), False),
    (-timedelta(hours=1), False), (-timedelta(days=1), False),
])
def test_the_notice_period_only_applies_to_a_future_sitting(delta: timedelta, applies: bool) -> None:
    assert notice_applies(NOW + delta, now=NOW) is applies


# The pages ------------------------------------------------------------------------------------------

def _form(**overrides: str) -> dict[str, str]:
    data = {"kind": "ordinary", "title": "Assemblée tenue sur papier", "starts_at":
            (utcnow() - timedelta(days=1)).strftime(FORMAT), "place": "Gabès, salle municipale",
            "online": "", "notice_days": "15", "quorum": "1/2", "max_proxies": "1",
            "minutes_notes": "Résolution 1 adoptée à main levée (12 pour, 2 contre)."}
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def _count(app: Flask, column) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


def test_a_past_date_is_refused_at_its_field_with_how_to_proceed(app: Flask, client: FlaskClient,
                                                                  world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    data = _form()
    response = client.post("/assemblies/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="starts_at-error"' in html
    assert "The date is in the past. If this sitting has already taken place, tick" in html
    assert 'id="recorded_afterwards"' in html
    assert f'value="{data["starts_at"]}"' in html and 'value="Gabès, salle municipale"' in html
    assert "Résolution 1 adoptée à main levée" in html
    assert _count(app, Assembly.id) == 0


def test_a_future_date_cannot_be_recorded_afterwards(app: Flask, client: FlaskClient,
                                                     world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    html = client.post("/assemblies/new", data=_form(
        starts_at=(utcnow() + timedelta(days=3)).strftime(FORMAT), recorded_afterwards="y")).get_data(as_text=True)
    assert 'id="starts_at-error"' in html and "A sitting recorded afterwards has already taken place" in html
    assert _count(app, Assembly.id) == 0


def _recorded(app: Flask, client: FlaskClient) -> int:
    response = client.post("/assemblies/new", data=_form(recorded_afterwards="y"))
    assert response.status_code == 302
    with app.app_context():
        assembly = db.session.scalar(select(Assembly))
        assert assembly.recorded_afterwards and assembly.status == AssemblyStatus.draft
        return assembly.id


def test_secretariat_records_a_past_sitting_without_convocation(app: Flask, client: FlaskClient,
                                                                world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    assembly_id = _recorded(app, client)
    html = client.get(f"/assemblies/{assembly_id}").get_data(as_text=True)
    assert "Recorded afterwards" in html and "the statutory notice does not apply" in html
    assert f"/assemblies/{assembly_id}/record" in html and f"/assemblies/{assembly_id}/convene" not in html
    # The convocation step refuses it (the sitting is over).
    client.post(f"/assemblies/{assembly_id}/convene", data={"accept_short_notice": "y"})
    with app.app_context():
        assert db.session.get(Assembly, assembly_id).status == AssemblyStatus.draft
    # A confirmation step, then the sitting is open for recording; no e-mail is queued.
    assert "no convocation will be sent" in client.get(f"/assemblies/{assembly_id}/record").get_data(as_text=True)
    outbox = _count(app, OutboxMessage.id)
    response = client.post(f"/assemblies/{assembly_id}/record")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/assemblies/{assembly_id}/presence")
    assert _count(app, OutboxMessage.id) == outbox
    with app.app_context():
        assembly = db.session.get(Assembly, assembly_id)
        assert assembly.status == AssemblyStatus.in_session and assembly.convened_at is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assembly.recorded_afterwards"))
        assert entry.after["convocations_sent"] == 0
        assert entry.after["notice"].startswith("not applicable: the sitting took place before it was recorded")
    # Attendance is entered at the check-in page, like at the door.
    response = client.post(f"/assemblies/{assembly_id}/presence",
                           data={"bulk": "present", "selected": [str(world.member_id), str(world.other_member_id)]})
    assert response.status_code == 302
    with app.app_context():
        assert set(db.session.scalars(select(Presence.status).where(Presence.assembly_id == assembly_id))) == {
            PresenceStatus.present}
    # Opening it twice changes nothing; the page just leads back.
    entries = _count(app, AuditEntry.id)
    assert client.post(f"/assemblies/{assembly_id}/record").status_code == 302
    assert _count(app, AuditEntry.id) == entries


def test_the_minutes_say_recorded_afterwards_in_html_and_pdf(app: Flask, client: FlaskClient,
                                                             world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    assembly_id = _recorded(app, client)
    assert client.post(f"/assemblies/{assembly_id}/record").status_code == 302
    html = client.get(f"/assemblies/{assembly_id}/minutes").get_data(as_text=True)
    assert 'class="recorded-afterwards-mark"' in html and "no convocation was sent through the platform" in html
    assert "Convocation sent on" not in html
    text, _fonts = pdf_text(client.get(f"/assemblies/{assembly_id}/minutes.pdf").data)
    assert "RECORDED AFTERWARDS" in text.upper() and "no convocation was sent" in " ".join(text.split())


def test_a_convened_sitting_is_not_marked_and_cannot_become_recorded_afterwards(
        app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        assembly_id = factories.assembly(days_ahead=-1).id  # convened, sitting since yesterday
        db.session.commit()
    login(client, world.emails["secretariat"])
    assert "Recorded afterwards" not in client.get(f"/assemblies/{assembly_id}").get_data(as_text=True)
    html = client.get(f"/assemblies/{assembly_id}/edit").get_data(as_text=True)
    assert 'id="recorded_afterwards"' not in html  # decided before the sitting is convened or recorded
    assert client.get(f"/assemblies/{assembly_id}/record").status_code == 302
    assert client.post(f"/assemblies/{assembly_id}/record").status_code == 302
    with app.app_context():
        assembly = db.session.get(Assembly, assembly_id)
        assert not assembly.recorded_afterwards and assembly.status == AssemblyStatus.convened


def test_only_the_secretariat_records_a_sitting(app: Flask, client: FlaskClient, world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    assembly_id = _recorded(app, client)
    delegate = app.test_client()
    delegate.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(delegate, world.emails["delegate"])
    assert delegate.post(f"/assemblies/{assembly_id}/record").status_code in (403, 404)
    with app.app_context():
        assert db.session.get(Assembly, assembly_id).status == AssemblyStatus.draft


def test_a_sitting_recorded_afterwards_opens_no_online_vote(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    """Its votes took place on paper: members are not asked to vote online on a sitting already over."""
    login(client, world.emails["secretariat"])
    assembly_id = _recorded(app, client)
    with app.app_context():
        assembly = db.session.get(Assembly, assembly_id)
        db.session.add(AgendaItem(assembly=assembly, position=1, title="Rapport moral"))
        db.session.flush()
        vote_id = factories.resolution(assembly).vote_id
        db.session.commit()
    assert client.post(f"/assemblies/{assembly_id}/record").status_code == 302
    assert f"/votes/{vote_id}/open" not in client.get(f"/assemblies/{assembly_id}").get_data(as_text=True)
    outbox = _count(app, OutboxMessage.id)
    response = client.post(f"/votes/{vote_id}/open",
                           data={"closes_at": (utcnow() + timedelta(hours=2)).strftime(FORMAT)})
    assert "its votes took place on paper" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Vote, vote_id).status == "pending"
    assert _count(app, OutboxMessage.id) == outbox
