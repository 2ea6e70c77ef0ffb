"""Call and challenge pages as users see them: who may do what (six roles), the set-up form's bad input,
opening refused under a version not adopted, what members see, and a bounded number of queries."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.calls.models import Call, CallStatus, Challenge, VersionStatus
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.elections.models import Mandate
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders
from tests.conftest import counting, login

FORMAT = "%Y-%m-%dT%H:%M"
ROLES = ("anonymous", "delegate", "alternate", "committee", "ex_officio", "secretariat")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
SECRETARIAT = frozenset({"secretariat"})


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@dataclass(frozen=True)
class Ids:
    draft: int
    open: int
    closed: int
    challenge: int
    adopted: int
    frozen: int


@pytest.fixture
def ids(app: Flask, world: factories.World) -> Ids:
    """A draft, an open and a closed call under an adopted version; a frozen version; the committee seat."""
    with app.app_context():
        today = utcnow().date()
        db.session.add(Mandate(kind="elected", member_id=world.other_member_id, starts_on=today,
                               ends_on=today + timedelta(days=730), representative_name="Other delegate"))
        adopted = builders.version(title="Règlement adopté")
        frozen = builders.version(status=VersionStatus.frozen, title="Règlement soumis")
        draft = builders.call(adopted, status=CallStatus.draft, title="Appel en préparation")
        draft.opened_at = None
        opened = builders.call(adopted, title="Appel ouvert")
        closed = builders.call(adopted, status=CallStatus.closed, title="Appel clos")
        db.session.commit()
        return Ids(draft=draft.id, open=opened.id, closed=closed.id, challenge=draft.challenges[0].id,
                   adopted=adopted.id, frozen=frozen.id)


def email_of(world: factories.World, role: str) -> str:
    return world.emails["other_delegate" if role == "committee" else role]


def sign_in(client: FlaskClient, world: factories.World, role: str) -> None:
    if role != "anonymous":
        login(client, email_of(world, role))


def _html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def _value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def _count(app: Flask, column) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


def _status(app: Flask, call_id: int) -> str:
    with app.app_context():
        return db.session.get(Call, call_id).status


# Who may do what ---------------------------------------------------------------------------------

#: (method, URL template, roles allowed). The draft call is the secretariat's only.
MATRIX = [
    ("GET", "/calls", SIGNED_IN),
    ("GET", "/calls/new", SECRETARIAT),
    ("POST", "/calls/new", SECRETARIAT),
    ("GET", "/calls/{open}", SIGNED_IN),
    ("GET", "/calls/{closed}", SIGNED_IN),
    ("GET", "/calls/{draft}", SECRETARIAT),
    ("GET", "/calls/{draft}/edit", SECRETARIAT),
    ("POST", "/calls/{draft}/edit", SECRETARIAT),
    ("GET", "/calls/{draft}/open", SECRETARIAT),
    ("POST", "/calls/{draft}/open", SECRETARIAT),
    ("GET", "/calls/{open}/close", SECRETARIAT),
    ("POST", "/calls/{open}/close", SECRETARIAT),
    ("GET", "/calls/{closed}/advance", SECRETARIAT),
    ("POST", "/calls/{closed}/advance", SECRETARIAT),
    ("GET", "/challenges", SECRETARIAT),
    ("GET", "/challenges/new", SECRETARIAT),
    ("POST", "/challenges/new", SECRETARIAT),
    ("GET", "/challenges/{challenge}/edit", SECRETARIAT),
    ("POST", "/challenges/{challenge}/edit", SECRETARIAT),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "allowed"), MATRIX, ids=[f"{m} {u}" for m, u, _a in MATRIX])
def test_every_route_for_every_role(client: FlaskClient, world: factories.World, ids: Ids, role: str, method: str,
                                    url: str, allowed: frozenset[str]) -> None:
    sign_in(client, world, role)
    path = url.format(**ids.__dict__)
    response = client.open(path, method=method, data={})
    location = response.headers.get("Location", "")
    if role == "anonymous":
        assert response.status_code == 302 and urlsplit(location).path == "/login"
    elif role in allowed:
        assert response.status_code in (200, 302, 422), (role, path, response.status_code)
        assert urlsplit(location).path != "/login"
    else:
        assert response.status_code == 403, (role, path, response.status_code)


def test_the_routes_of_the_matrix_are_all_the_blueprints_routes(app: Flask) -> None:
    rules = {(m, re.sub(r"<int:(\w+)>", "{x}", r.rule)) for r in app.url_map.iter_rules()
             if r.endpoint.startswith("calls.") for m in r.methods - {"HEAD", "OPTIONS"}}
    covered = {(m, re.sub(r"\{\w+\}", "{x}", u)) for m, u, _a in MATRIX}
    assert rules <= covered


def test_unknown_calls_and_challenges_are_404(client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    for path in ("/calls/999999", "/calls/999999/edit", "/calls/999999/open", "/calls/999999/close",
                 "/calls/999999/advance", "/challenges/999999/edit"):
        assert client.get(path).status_code == 404, path


# Set-up form -----------------------------------------------------------------------------------

def _form(ids: Ids, **overrides: str) -> dict[str, object]:
    now = utcnow()
    data: dict[str, object] = {
        "title_fr": "Coopérer autrement en acteurs de changement", "title_en": "Cooperating differently",
        "title_ar": "", "text_fr": "Texte de l'appel", "text_en": "", "text_ar": "",
        "challenge_ids": [str(ids.challenge)], "envelope": "150 000",
        "opens_at": (now + timedelta(days=1)).strftime(FORMAT),
        "closes_at": (now + timedelta(days=40)).strftime(FORMAT),
        "rule_set_version_id": str(ids.adopted), "reminder_days": "7"}
    data.update(overrides)
    return data


def test_the_secretariat_creates_a_draft_call(app: Flask, client: FlaskClient, world: factories.World,
                                              ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    page = _html(client.get("/calls/new"))
    assert "Règlement adopté" in page and "Règlement soumis" not in page  # adopted versions only
    assert f'value="{ids.challenge}"' in page and 'type="checkbox"' in page
    before = _count(app, Call.id)
    response = client.post("/calls/new", data=_form(ids, envelope="150 000,50"))
    assert response.status_code == 302
    with app.app_context():
        call = db.session.scalar(select(Call).order_by(Call.id.desc()))
        assert call.status == CallStatus.draft and call.envelope_cents == 15_000_050
        assert [c.id for c in call.challenges] == [ids.challenge] and call.reminder_days == 7
        assert urlsplit(response.headers["Location"]).path == f"/calls/{call.id}"
    assert _count(app, Call.id) == before + 1


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"envelope": "abc"}, "envelope", "Enter an amount in euros"),
    ({"envelope": "150,000"}, "envelope", "Write the thousands without a comma"),
    ({"envelope": "2 000 000 000"}, "envelope", "Enter an amount of at most one billion euros."),
    ({"envelope": "0"}, "envelope", "above zero"),
    ({"envelope": ""}, "envelope", "Enter the envelope"),
    ({"closes_at": "before"}, "closes_at", "The call must close after it opens."),
    ({"title_fr": ""}, "title_fr", "Enter the title in French."),
    ({"opens_at": "not a date"}, "opens_at", "Enter a date and a time."),
    ({"reminder_days": "-3"}, "reminder_days", "from 0 to 90"),
    ({"rule_set_version_id": "frozen"}, "rule_set_version_id", "Not a valid choice"),
])
def test_bad_input_is_kept_at_its_field_and_nothing_is_saved(app: Flask, client: FlaskClient, world: factories.World,
                                                             ids: Ids, overrides: dict[str, str], field: str,
                                                             message: str) -> None:
    login(client, world.emails["secretariat"])
    data = _form(ids, **overrides)
    if overrides.get("closes_at") == "before":
        data["closes_at"] = (utcnow() - timedelta(days=3)).strftime(FORMAT)
    if overrides.get("rule_set_version_id") == "frozen":
        data["rule_set_version_id"] = str(ids.frozen)
    before = _count(app, Call.id)
    response = client.post("/calls/new", data=data)
    html = _html(response)
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1), html[:3000]
    if field == "envelope" and overrides["envelope"]:
        assert _value(html, "envelope") == overrides["envelope"]  # what was typed is kept
    assert _value(html, "title_en") == "Cooperating differently"
    assert _count(app, Call.id) == before


def test_editing_keeps_the_values_and_only_a_draft_is_edited(app: Flask, client: FlaskClient,
                                                             world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/calls/{ids.draft}/edit"))
    assert _value(html, "title_fr") == "Appel en préparation"
    assert _value(html, "envelope") == "600 000"  # read back the same in every language
    response = client.post(f"/calls/{ids.draft}/edit",
                           data=_form(ids, title_fr="Titre revu", envelope=_value(html, "envelope")))
    assert response.status_code == 302
    with app.app_context():
        call = db.session.get(Call, ids.draft)
        assert call.title_fr == "Titre revu" and call.envelope_cents == 60_000_000
    response = client.get(f"/calls/{ids.open}/edit")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == f"/calls/{ids.open}"
    response = client.post(f"/calls/{ids.open}/edit", data=_form(ids, title_fr="Changé"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Call, ids.open).title_fr == "Appel ouvert"


# Opening, closing, later steps -------------------------------------------------------------------

@pytest.mark.parametrize("status", [VersionStatus.draft, VersionStatus.frozen, VersionStatus.rejected])
def test_the_open_route_refuses_a_version_not_adopted(app: Flask, client: FlaskClient, world: factories.World,
                                                      ids: Ids, status: str) -> None:
    with app.app_context():
        version = builders.version(status=status, title="Règlement non adopté")
        db.session.get(Call, ids.draft).rule_set_version_id = version.id
        db.session.commit()
    login(client, world.emails["secretariat"])
    page = _html(client.get(f"/calls/{ids.draft}/open"))
    assert "not adopted by the assembly" in page
    assert "<button" not in page.split("<main", 1)[1].split("</form>")[-1]  # no confirm button, only an edit link
    response = client.post(f"/calls/{ids.draft}/open", data={})
    assert response.status_code == 422
    assert "Only an adopted version can open a call." in _html(response)
    assert _status(app, ids.draft) == CallStatus.draft
    assert _count(app, OutboxMessage.id) == 0


def test_opening_a_call_emails_the_representatives_after_commit(app: Flask, client: FlaskClient,
                                                                world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    page = _html(client.get(f"/calls/{ids.draft}/open"))
    assert "What will happen" in page and "3 representatives of the active members are e-mailed" in page
    response = client.post(f"/calls/{ids.draft}/open", data={})
    assert response.status_code == 302
    assert _status(app, ids.draft) == CallStatus.open
    with app.app_context():
        recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {world.emails["delegate"], world.emails["alternate"], world.emails["other_delegate"]}
    assert "3 representatives were e-mailed" in _html(client.get(f"/calls/{ids.draft}"))


def test_closing_and_the_later_steps(app: Flask, client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    page = _html(client.get(f"/calls/{ids.open}/close"))
    assert "ends it early" in page
    assert client.post(f"/calls/{ids.open}/close", data={}).status_code == 302
    assert _status(app, ids.open) == CallStatus.closed
    page = _html(client.get(f"/calls/{ids.open}/advance"))
    assert f'value="{CallStatus.in_review}"' in page
    assert client.post(f"/calls/{ids.open}/advance", data={"target": CallStatus.in_review}).status_code == 302
    assert _status(app, ids.open) == CallStatus.in_review
    # The decision is recorded on the selection's pages, never by a bare "next step".
    assert client.post(f"/calls/{ids.open}/advance", data={"target": CallStatus.decided}).status_code == 302
    assert _status(app, ids.open) == CallStatus.in_review


def test_a_stale_advance_page_is_refused(app: Flask, client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    client.post(f"/calls/{ids.closed}/advance", data={"target": CallStatus.in_review})
    client.post(f"/calls/{ids.closed}/advance", data={"target": CallStatus.in_review})  # double click
    assert _status(app, ids.closed) == CallStatus.in_review


# What members see ----------------------------------------------------------------------------------

def test_members_see_open_and_published_calls_the_secretariat_all(client: FlaskClient, world: factories.World,
                                                                   ids: Ids) -> None:
    login(client, world.emails["delegate"])
    html = _html(client.get("/calls"))
    assert "Appel ouvert" in html and "Appel en préparation" not in html and "Appel clos" not in html
    client.post("/logout")
    login(client, world.emails["secretariat"])
    html = _html(client.get("/calls"))
    assert all(t in html for t in ("Appel ouvert", "Appel en préparation", "Appel clos"))
    html = _html(client.get("/calls?status=closed"))
    assert "Appel clos" in html and "Appel ouvert" not in html


def test_the_call_page_in_sentences(client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["alternate"])
    html = _html(client.get(f"/calls/{ids.open}"))
    assert "600,000 €" in html                                   # envelope
    assert "Closes in" in html                                   # time left
    assert "At least 1 partner." in html                      # eligibility via rules.describe
    assert "at most 65 % of the proposal" in html and "66,440 €" in html
    assert "Relevance" in html and "3 / 3" in html                # criterion and weight
    assert "D1" in html and "Challenge D1" in html


def test_start_a_proposal_only_for_a_delegate_while_the_call_accepts(client: FlaskClient, world: factories.World,
                                                                    ids: Ids) -> None:
    action = f'action="/calls/{ids.open}/proposals/new"'
    for role, shown in (("delegate", True), ("committee", True), ("alternate", False),
                        ("ex_officio", False), ("secretariat", False)):
        client.post("/logout")
        login(client, email_of(world, role))
        assert (action in _html(client.get(f"/calls/{ids.open}"))) is shown, role
    client.post("/logout")
    login(client, world.emails["delegate"])
    assert "/proposals/new" not in _html(client.get(f"/calls/{ids.closed}"))


def test_the_page_lists_the_viewers_own_proposals_only(app: Flask, client: FlaskClient, world: factories.World,
                                                       ids: Ids) -> None:
    with app.app_context():
        call = db.session.get(Call, ids.open)
        builders.proposal(call, db.session.get(Member, world.member_id), title="Notre projet")
        builders.proposal(call, db.session.get(Member, world.other_member_id), title="Leur projet")
        db.session.commit()
    login(client, world.emails["alternate"])
    html = _html(client.get(f"/calls/{ids.open}"))
    assert "Notre projet" in html and "Leur projet" not in html


def test_a_draft_call_is_hidden_from_members(client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["delegate"])
    assert client.get(f"/calls/{ids.draft}").status_code == 403


# Challenges ---------------------------------------------------------------------------------------

def test_the_secretariat_manages_challenges(app: Flask, client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    data = {"code": "D7", "position": "7", "theme_fr": "Climat", "theme_en": "Climate", "theme_ar": "",
            "title_fr": "Transition écologique", "title_en": "Ecological transition", "title_ar": "", "active": "y"}
    assert client.post("/challenges/new", data=data).status_code == 302
    html = _html(client.get("/challenges"))
    assert "D7" in html and "Ecological transition" in html
    response = client.post("/challenges/new", data={**data, "code": "d7"})
    assert response.status_code == 422
    assert re.search(r'id="code-error">Another challenge already uses this code.', _html(response))
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.code == "D7"))
    response = client.post(f"/challenges/{challenge.id}/edit", data={**data, "active": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Challenge, challenge.id).active is False
    assert f'value="{challenge.id}"' not in _html(client.get("/calls/new"))  # no longer offered


# Bounded queries --------------------------------------------------------------------------------

def _calls(n: int) -> None:
    version = builders.version(title="Règlement en nombre")
    challenges = [builders.challenge("D1"), builders.challenge("D2")]
    for i in range(n):
        builders.call(version, status=CallStatus.open if i % 2 else CallStatus.published, title=f"Appel {i}",
                      challenges=challenges)


@pytest.mark.parametrize("role", ["delegate", "secretariat"])
def test_the_call_list_issues_the_same_queries_for_3_and_60_calls(app: Flask, client: FlaskClient,
                                                                  world: factories.World, role: str) -> None:
    login(client, world.emails[role])
    counts = []
    for n in (3, 57):
        with app.app_context():
            _calls(n)
            db.session.commit()
        with counting(app) as statements:
            response = client.get("/calls")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_call_page_issues_a_bounded_number_of_queries(app: Flask, client: FlaskClient, world: factories.World,
                                                          ids: Ids) -> None:
    login(client, world.emails["delegate"])
    with counting(app) as statements:
        assert client.get(f"/calls/{ids.open}").status_code == 200
    assert len(statements) <= 12, statements


def test_the_home_page_lists_open_calls(client: FlaskClient, world: factories.World, ids: Ids) -> None:
    login(client, world.emails["delegate"])
    html = _html(client.get("/"))
    assert "Open calls for projects" in html and "Appel ouvert" in html and f"/calls/{ids.open}" in html
    assert "Appel en préparation" not in html and "Appel clos" not in html


def test_the_secretariat_finds_the_proposals_and_the_rule_set_from_the_call(client: FlaskClient,
                                                                            world: factories.World, ids: Ids) -> None:
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/calls/{ids.open}"))
    assert f'href="/calls/{ids.open}/proposals"' in html
    assert re.search(r'href="/rulesets/\d+/versions/1"', html)
