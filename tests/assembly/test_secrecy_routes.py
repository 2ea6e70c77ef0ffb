"""Ballot secrecy against logs and cookies, and the tracker the voter holds before the cast.

- The board looks a tracker up from a posted form (CSRF-protected, anonymous too) and answers on the
  spot: no tracker in a URL, so no access log pairs an address with one. A GET ``?tracker=`` looks
  nothing up and does not echo it.
- Nothing in the session cookie links a member to a tracker: the cast answers with the receipt.
- The tracker is drawn at the confirm step and shown there; the cast form carries it with an HMAC
  bound to (vote, member, tracker): forged, tampered, replayed for another member or vote → refused,
  nothing written. Two sessions posting the same confirm data make one ballot. A cast whose answer
  was lost is found on the board after the close with the tracker from the confirm page.
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly import secrecy, vote_routes, voting
from app.assembly.models import Ballot, Participation, Vote
from app.auth.models import User
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.assembly.test_board_routes import build_vote
from tests.assembly.test_concurrency import BARRIER_TIMEOUT, _hold_after_checks, _open_vote, _run
from tests.auth.helpers import extra_app, page_text
from tests.conftest import login

TRACKER_REFUSED = "This ballot's tracker could not be checked, so nothing was cast. Fill in your ballot again."
ALREADY_CAST = "A ballot has already been cast for this organisation: it counts once, as cast."


def english(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def inputs(html: str) -> dict[str, str]:
    """name -> value of the page's inputs."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            found[name.group(1)] = value.group(1) if value else ""
    return found


def counts(app: Flask, vote_id: int) -> tuple[int, int]:
    with app.app_context():
        result = (db.session.scalar(select(func.count()).select_from(Participation).where(Participation.vote_id == vote_id)),
                  db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)))
        db.session.remove()
    return result


def flashes(client: FlaskClient) -> list[tuple[str, str]]:
    with client.session_transaction() as sess:
        return list(sess.pop("_flashes", []))


def session_data(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """The session cookie decoded as anyone holding it could (signed, not encrypted)."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


@pytest.fixture
def voter(app: Flask) -> dict[str, Any]:
    """An open secret vote of 3 members (+1 alternate each); the first member's delegate signed in."""
    data = _open_vote(app, {"cs-fr": 3}, alternates=1)
    with app.app_context():
        data["emails"] = {m: [db.session.get(User, u).email for u in users] for m, users in data["casters"].items()}
    client = english(app)
    login(client, data["emails"][data["members"][0]][0])
    flashes(client)
    data["client"] = client
    return data


def confirm(client: FlaskClient, vote_id: int, member_id: int, choice: str = "for") -> dict[str, str]:
    response = client.post(f"/votes/{vote_id}/confirm", data={"member_id": member_id, "choice": choice})
    assert response.status_code == 200, response.status_code
    fields = inputs(response.get_data(as_text=True))
    assert secrecy.TRACKER.fullmatch(fields.get("tracker", "")), fields
    return fields


# The pure rules ------------------------------------------------------------------------------

KEY = secrecy.tracker_key("a secret")
GOOD = "0123456789abcdef0123456789abcdef"
MAC = secrecy.tracker_mac(KEY, 7, 3, GOOD)


@pytest.mark.parametrize(("vote_id", "member_id", "tracker", "mac", "valid"), [
    (7, 3, GOOD, MAC, True),
    (7, 4, GOOD, MAC, False),                      # replayed for another member
    (8, 3, GOOD, MAC, False),                      # replayed in another vote
    (7, 3, GOOD[:-1] + "0", MAC, False),           # tracker changed, MAC kept
    (7, 3, GOOD, MAC[:-1] + ("0" if MAC[-1] != "0" else "1"), False),  # MAC changed
    (7, 3, GOOD, "", False),                       # no MAC
    (7, 3, "", secrecy.tracker_mac(KEY, 7, 3, ""), False),  # no tracker, even with its MAC
    (7, 3, GOOD.upper(), secrecy.tracker_mac(KEY, 7, 3, GOOD.upper()), False),  # not a tracker's shape
    (7, 3, GOOD + "0", secrecy.tracker_mac(KEY, 7, 3, GOOD + "0"), False),      # 33 characters
], ids=["valid", "other-member", "other-vote", "tampered-tracker", "tampered-mac", "no-mac", "no-tracker",
        "capitals", "too-long"])
def test_a_tracker_checks_out_only_for_its_vote_and_member(vote_id: int, member_id: int, tracker: str, mac: str,
                                                            valid: bool) -> None:
    assert secrecy.tracker_is_valid(KEY, vote_id, member_id, tracker, mac) is valid


def test_the_tracker_key_depends_on_the_secret_key() -> None:
    assert secrecy.tracker_key("a secret") != secrecy.tracker_key("another secret")
    assert secrecy.tracker_key("a secret") == secrecy.tracker_key(b"a secret")
    assert not secrecy.tracker_is_valid(secrecy.tracker_key("another secret"), 7, 3, GOOD, MAC)


# The tracker at the confirm step ------------------------------------------------------------------

def test_the_confirm_page_shows_the_tracker_the_cast_writes(app: Flask, voter: dict[str, Any]) -> None:
    client, vote_id, member_id = voter["client"], voter["vote_id"], voter["members"][0]
    response = client.post(f"/votes/{vote_id}/confirm", data={"member_id": member_id, "choice": "against"})
    html = response.get_data(as_text=True)
    tracker = inputs(html)["tracker"]
    assert f'<code class="tracker" id="tracker-value">{tracker}</code>' in html
    assert "Note it now" in html and "no-store" in response.headers["Cache-Control"]
    assert counts(app, vote_id) == (0, 0), "nothing is written at the confirm step"
    answer = client.post(f"/votes/{vote_id}/cast", data={k: v for k, v in inputs(html).items() if k != "submit"})
    assert answer.status_code == 200 and "no-store" in answer.headers["Cache-Control"]
    assert f'<code class="tracker">{tracker}</code>' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(Ballot.tracker, Ballot.choice).where(Ballot.vote_id == vote_id)).all() == [
            (tracker, "against")]


def test_the_session_cookie_holds_no_tracker_after_casting(app: Flask, voter: dict[str, Any]) -> None:
    client, vote_id, member_id = voter["client"], voter["vote_id"], voter["members"][0]
    fields = confirm(client, vote_id, member_id)
    client.post(f"/votes/{vote_id}/cast", data=fields)
    client.get(f"/votes/{vote_id}")  # and after the next page
    with app.app_context():
        tracker = db.session.scalar(select(Ballot.tracker).where(Ballot.vote_id == vote_id))
    assert tracker == fields["tracker"]
    stored = session_data(app, client)
    assert tracker not in json.dumps(stored, default=str), stored
    assert "vote_receipts" not in stored and not [k for k in stored if "receipt" in k or "tracker" in k]


def test_a_reload_of_the_cast_is_refused_as_already_cast(app: Flask, voter: dict[str, Any]) -> None:
    client, vote_id, member_id = voter["client"], voter["vote_id"], voter["members"][0]
    fields = confirm(client, vote_id, member_id)
    assert client.post(f"/votes/{vote_id}/cast", data=fields).status_code == 200
    flashes(client)
    again = client.post(f"/votes/{vote_id}/cast", data=fields)  # the browser's "resend"
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/votes/{vote_id}")
    assert flashes(client) == [("info", ALREADY_CAST)]
    assert counts(app, vote_id) == (1, 1)


def _tampered(fields: dict[str, str], member_ids: list[int], other: dict[str, str]) -> Iterator[tuple[str, dict]]:
    def flipped(value: str) -> str:
        return ("0" if value[0] != "0" else "1") + value[1:]

    yield "forged tracker, no MAC", {**fields, "tracker": secrecy.new_tracker(), "mac": ""}
    yield "forged tracker, old MAC", {**fields, "tracker": flipped(fields["tracker"])}
    yield "tampered MAC", {**fields, "mac": flipped(fields["mac"])}
    yield "no tracker", {k: v for k, v in fields.items() if k not in ("tracker", "mac")}
    yield "not a tracker", {**fields, "tracker": "'><script>", "mac": fields["mac"]}
    yield "another member's confirm", {**other, "member_id": str(member_ids[0])}


def test_a_forged_tampered_or_replayed_tracker_is_refused_and_nothing_written(
        app: Flask, voter: dict[str, Any]) -> None:
    client, vote_id, members = voter["client"], voter["vote_id"], voter["members"]
    fields = confirm(client, vote_id, members[0])
    # A confirm of member 1, posted by its own delegate, then replayed by member 0's delegate for member 0.
    other_client = english(app)
    login(other_client, voter["emails"][members[1]][0])
    other = confirm(other_client, vote_id, members[1])
    for what, data in _tampered(fields, members, other):
        flashes(client)
        response = client.post(f"/votes/{vote_id}/cast", data=data)
        assert response.status_code == 302, what
        assert flashes(client) == [("error", TRACKER_REFUSED)], what
        assert counts(app, vote_id) == (0, 0), what
    # The genuine confirm still casts, with its tracker.
    assert client.post(f"/votes/{vote_id}/cast", data=fields).status_code == 200
    assert counts(app, vote_id) == (1, 1)


def test_a_confirm_of_one_vote_is_refused_in_another(app: Flask, voter: dict[str, Any]) -> None:
    client, vote_id, member_id = voter["client"], voter["vote_id"], voter["members"][0]
    with app.app_context():
        other = factories.resolution(factories.assembly(title="Autre assemblée"), secret=True).vote
        voting.open_vote(other, actor=db.session.get(User, voter["secretariat_id"]),
                         closes_at=utcnow() + timedelta(hours=1))
        db.session.commit()
        other_id = other.id
    fields = confirm(client, vote_id, member_id)
    response = client.post(f"/votes/{other_id}/cast", data=fields)
    assert response.status_code == 302 and flashes(client) == [("error", TRACKER_REFUSED)]
    assert counts(app, other_id) == (0, 0) and counts(app, vote_id) == (0, 0)


@pytest.mark.parametrize("pair", [("delegate", "alternate"), ("delegate", "delegate")],
                         ids=["delegate-and-alternate", "same-user-two-sessions"])
def test_two_sessions_posting_the_same_confirm_make_one_ballot(
        app: Flask, monkeypatch: pytest.MonkeyPatch, pair: tuple[str, str]) -> None:
    data = _open_vote(app, {"cs-fr": 2}, alternates=1)
    vote_id, member_id = data["vote_id"], data["members"][0]
    with app.app_context():
        emails = {"delegate": db.session.get(User, data["casters"][member_id][0]).email,
                  "alternate": db.session.get(User, data["casters"][member_id][1]).email}
    clients = []
    for role in pair:
        client = english(app)
        login(client, emails[role])
        flashes(client)
        clients.append(client)
    fields = confirm(clients[0], vote_id, member_id)  # the same confirm data, posted by both
    _hold_after_checks(monkeypatch, threading.Barrier(2, timeout=BARRIER_TIMEOUT))
    statuses: dict[int, int] = {}
    failures: list[BaseException] = []

    def post(index: int) -> None:
        try:
            statuses[index] = clients[index].post(f"/votes/{vote_id}/cast", data=fields).status_code
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    _run([threading.Thread(target=post, args=(i,)) for i in range(2)])
    assert not failures, failures
    assert sorted(statuses.values()) == [200, 302]
    assert counts(app, vote_id) == (1, 1)
    with app.app_context():
        assert db.session.scalar(select(Ballot.tracker).where(Ballot.vote_id == vote_id)) == fields["tracker"]


def test_a_cast_whose_answer_was_lost_is_found_on_the_board_with_the_confirm_tracker(
        app: Flask, voter: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    client, vote_id, member_id = voter["client"], voter["vote_id"], voter["members"][0]
    tracker = confirm(client, vote_id, member_id, "abstain")
    answered = vote_routes._ballot_page

    def connection_lost(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("receipts"):
            raise ConnectionResetError("the answer never reached the voter")
        return answered(*args, **kwargs)

    monkeypatch.setattr(vote_routes, "_ballot_page", connection_lost)
    with pytest.raises(ConnectionResetError):
        client.post(f"/votes/{vote_id}/cast", data=tracker)
    monkeypatch.undo()
    assert counts(app, vote_id) == (1, 1), "the cast committed before its answer was lost"
    # "Already cast" cannot show the tracker: the voter kept it from the confirm page.
    assert tracker["tracker"] not in client.get(f"/votes/{vote_id}").get_data(as_text=True)
    with app.app_context():
        voting.close_vote(db.session.get(Vote, vote_id), actor=db.session.get(User, voter["secretariat_id"]))
        db.session.commit()
    anonymous = english(app)
    html = anonymous.post(f"/votes/{vote_id}/board", data={"tracker": tracker["tracker"]}).get_data(as_text=True)
    assert "Your ballot is on the board at position 1." in html
    assert f'<tr id="ballot-{tracker["tracker"]}" class="found" aria-current="true">' in html


def test_the_close_route_vacuums_the_ballots(app: Flask, voter: dict[str, Any], monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    ran: list[str] = []
    monkeypatch.setattr(secrecy, "vacuum_ballots", lambda: ran.append("vacuum") or "none")
    with app.app_context():
        secretariat = db.session.get(User, voter["secretariat_id"]).email
    client = english(app)
    login(client, secretariat)
    response = client.post(f"/votes/{voter['vote_id']}/close", data={"submit": "Confirm"})
    assert response.status_code == 302 and ran == ["vacuum"]


# The lookup on the board ----------------------------------------------------------------------------

def _no_tracker_in_a_url(html: str, tracker: str) -> None:
    """Every href, action or src holding the tracker holds it in the fragment only (never sent)."""
    for url in re.findall(r'(?:href|action|src)="([^"]*)"', html):
        if tracker in url:
            assert "#" in url and tracker not in url.split("#", 1)[0], url


def test_the_lookup_is_posted_and_answered_with_the_tracker_s_page_and_row(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "BOARD_PAGE_SIZE", 2)
    built = build_vote(app)
    client = english(app)
    trackers = sorted(built.trackers.values())
    wanted = trackers[2]  # third on the board: page 2 of 3
    first = client.get(f"/votes/{built.vote_id}/board").get_data(as_text=True)
    assert f'<form method="post" action="/votes/{built.vote_id}/board#lookup"' in first
    for typed in (wanted, " ".join(wanted[i:i + 8] for i in range(0, 32, 8)).upper(), "-".join(wanted)):
        response = client.post(f"/votes/{built.vote_id}/board", data={"tracker": typed})
        assert response.status_code == 200 and "Location" not in response.headers, typed
        html = response.get_data(as_text=True)
        assert "Page 2 of 3" in html and "position 3" in html
        assert f'<tr id="ballot-{wanted}" class="found" aria-current="true">' in html
        assert f"<mark>{wanted}</mark>" in html and html.count("<mark>") == 1
        _no_tracker_in_a_url(html, wanted)
        assert f'href="/votes/{built.vote_id}/board?page=3"' in html  # paging goes on by GET, without it


@pytest.mark.parametrize(("typed", "message", "status"), [
    ("0" * 32, "No ballot with this tracker on this board.", 200),
    ("not a tracker", "A tracker has 32 characters, digits and letters a to f.", 422),
    ("'><script>alert(1)</script>", "A tracker has 32 characters, digits and letters a to f.", 422),
    ("", "Enter your tracker.", 422),
    ("a" * 81, "A tracker has 32 characters, digits and letters a to f.", 422),
])
def test_a_lookup_that_finds_nothing_says_why(app: Flask, typed: str, message: str, status: int) -> None:
    built = build_vote(app)
    response = english(app).post(f"/votes/{built.vote_id}/board", data={"tracker": typed})
    assert response.status_code == status
    html = page_text(response)
    assert message in html and 'role="alert"' in html and 'aria-invalid="true"' in html
    assert "<script>alert" not in response.get_data(as_text=True) and "<mark>" not in html


def test_a_tracker_in_the_url_is_neither_looked_up_nor_echoed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "BOARD_PAGE_SIZE", 2)
    built = build_vote(app)
    wanted = sorted(built.trackers.values())[2]
    for query in ({"tracker": wanted}, {"tracker": wanted, "page": 2}):
        response = english(app).get(f"/votes/{built.vote_id}/board", query_string=query)
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        assert "type yours in the form below" in html
        assert "<mark>" not in html and 'class="found"' not in html and "position 3" not in html
        assert f'value="{wanted}"' not in html
        for url in re.findall(r'(?:href|action)="([^"]*)"', html):
            assert "tracker=" not in url, url
    assert "type yours in the form below" not in english(app).get(f"/votes/{built.vote_id}/board").get_data(
        as_text=True)


@pytest.fixture
def csrf_app(tmp_path: Path) -> Iterator[Flask]:
    with extra_app(tmp_path, WTF_CSRF_ENABLED=True) as application:
        yield application


def test_the_lookup_needs_the_form_s_token_and_works_anonymously(csrf_app: Flask) -> None:
    built = build_vote(csrf_app)
    wanted = sorted(built.trackers.values())[0]
    client = english(csrf_app)
    assert client.post(f"/votes/{built.vote_id}/board", data={"tracker": wanted}).status_code == 400
    page = client.get(f"/votes/{built.vote_id}/board").get_data(as_text=True)
    token = inputs(page)["csrf_token"]
    response = client.post(f"/votes/{built.vote_id}/board", data={"tracker": wanted, "csrf_token": token})
    assert response.status_code == 200 and f"<mark>{wanted}</mark>" in response.get_data(as_text=True)
