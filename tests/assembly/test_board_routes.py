"""Results, the public bulletin board, its JSON export and tracker lookup, as users see them.

``build_vote`` (also used by test_recount.py and test_vote_queries.py) opens a
resolution, casts through ``voting.cast`` and, unless told otherwise, closes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import cycle

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.assembly import board_header, services, voting
from app.assembly.board import chain_hash
from app.assembly.models import Vote
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.conftest import login

CHOICES = ("for", "for", "against", "abstain", "for")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Pages in English (the msgids), whatever the default language."""
    english = app.test_client()
    english.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return english


@dataclass
class Built:
    """Ids and names of a vote built by ``build_vote`` (usable outside its session)."""

    vote_id: int
    assembly_id: int
    names: list[str] = field(default_factory=list)  # members of the electorate built here, in order
    emails: dict[str, str] = field(default_factory=dict)  # member name -> delegate e-mail
    choices: dict[str, str] = field(default_factory=dict)  # member name -> choice cast
    trackers: dict[str, str] = field(default_factory=dict)  # member name -> tracker


def _delegate(member_id: int) -> User:
    return db.session.scalar(select(User).where(User.member_id == member_id, User.is_delegate.is_(True)))


def build_vote(app: Flask, *, secret: bool = True, double: bool = False, fr: int = 3, tn: int = 2,
               prefix: str = "Voter", choices: tuple[str, ...] = CHOICES, abstainers: int = 0,
               proxies: int = 0, skip: tuple[int, ...] = (), close: bool = True,
               title: str = "Approbation du rapport moral") -> Built:
    """``fr`` + ``tn`` new voters; all but the last ``abstainers`` and those at the indexes in
    ``skip`` cast (cycling through ``choices``).

    With ``proxies``, the first ``proxies`` members give their proxy to the next ones
    (member 0 to member 1, 2 to 3, ...), whose delegates then cast for them.
    """
    with app.test_request_context():
        members = (factories.voters(fr, college_code="cs-fr", prefix=prefix)
                   + factories.voters(tn, college_code="cs-tn", country="TN", prefix=prefix))
        secretariat = db.session.scalar(select(User).where(User.kind == UserKind.secretariat)) or factories.user(
            f"sec-{prefix.lower()}@example.org", kind=UserKind.secretariat)
        assembly = factories.assembly(title=f"Assemblée {prefix}")
        for i in range(proxies):
            giver, holder = members[2 * i], members[2 * i + 1]
            services.give_proxy(assembly, actor=_delegate(giver.id), giver=giver, holder=holder)
        resolution = factories.resolution(assembly, title=title, secret=secret, double=double)
        vote = resolution.vote
        voting.open_vote(vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
        db.session.commit()
        built = Built(vote.id, assembly.id, names=[m.name for m in members],
                      emails={m.name: _delegate(m.id).email for m in members})
        holders = {members[2 * i].id: members[2 * i + 1].id for i in range(proxies)}
        voting_members = [m for i, m in enumerate(members[:len(members) - abstainers]) if i not in skip]
        for member, choice in zip(voting_members, cycle(choices)):
            actor = _delegate(holders.get(member.id, member.id))
            built.trackers[member.name] = voting.cast(vote.id, member.id, choice, actor=actor)
            built.choices[member.name] = choice
            db.session.commit()
        if close:
            voting.close_vote(vote, actor=secretariat)
            db.session.commit()
        return built


def chain_start_of(app: Flask, vote_id: int) -> str:
    """Where the vote's chain starts: its header hash (every vote closed now has a format-2 board)."""
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        assert vote.board_format == 2 and vote.board_header is not None
        return board_header.chain_start(vote)


def close(app: Flask, vote_id: int) -> None:
    with app.test_request_context():
        voting.close_vote(db.session.get(Vote, vote_id), actor=None)
        db.session.commit()


def html_of(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def section(html: str, css_class: str) -> tuple[str, str]:
    """(the ``<section class="css_class">`` element, the page without it)."""
    match = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    assert match, f"no {css_class} section"
    return match.group(0), html[:match.start()] + html[match.end():]


# Results ------------------------------------------------------------------------------

def test_results_are_hidden_while_the_vote_is_open(app: Flask, client: FlaskClient,
                                                   world: factories.World) -> None:
    built = build_vote(app, close=False)
    login(client, world.emails["delegate"])
    html = html_of(client, f"/votes/{built.vote_id}/results")
    assert "Results are hidden until the vote closes" in html
    assert 'id="turnout-count">5<' in html
    for absent in ("Adopted", "Rejected", "Outcome", "Counts", "Final hash", *built.names):
        assert absent not in html, absent
    # The board and its export are sealed too.
    board = html_of(client, f"/votes/{built.vote_id}/board")
    assert "The board is sealed when the vote closes" in board and 'id="turnout-count">5<' in board
    assert not any(t in board for t in built.trackers.values())
    response = client.get(f"/votes/{built.vote_id}/board.json")
    assert response.status_code == 409 and "when the vote closes" in response.get_json()["error"]


def test_results_of_a_vote_not_opened_say_so(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        vote_id = factories.resolution(factories.assembly()).vote_id
        db.session.commit()
    # Not announced to visitors yet: the public pages do not show it.
    assert client.get(f"/votes/{vote_id}/board").status_code == 404
    assert client.get(f"/votes/{vote_id}/board.json").status_code == 404
    login(client, world.emails["ex_officio"])
    html = html_of(client, f"/votes/{vote_id}/results")
    assert "This vote has not opened yet." in html and "turnout-count" not in html
    assert "This vote has not opened yet." in html_of(client, f"/votes/{vote_id}/board")
    assert client.get(f"/votes/{vote_id}/board.json").status_code == 409


def test_results_need_a_sign_in_but_the_board_does_not(app: Flask, client: FlaskClient) -> None:
    built = build_vote(app)
    response = client.get(f"/votes/{built.vote_id}/results")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/votes/{built.vote_id}/board").status_code == 200
    assert client.get(f"/votes/{built.vote_id}/board.json").status_code == 200
    assert client.get("/votes/999999/board").status_code == 404
    assert client.get("/votes/999999/board.json").status_code == 404


def test_secret_vote_results_after_the_close(app: Flask, client: FlaskClient, world: factories.World) -> None:
    built = build_vote(app, abstainers=1)  # 4 of 5 cast: for, for, against, abstain
    login(client, world.emails["delegate"])
    html = html_of(client, f"/votes/{built.vote_id}/results")
    assert "Adopted" in html
    assert "<dt>Electorate</dt><dd>5</dd>" in html and "<dt>Members who took part</dt><dd>4</dd>" in html
    assert "At least 1/2 of the electorate must take part (3 members)" in html and "reached" in html
    assert "More than half of the votes cast, abstentions excluded" in html
    assert "2 of 3 counted" in html  # two votes for needed out of three expressed
    for option, n in (("For", 2), ("Against", 1), ("Abstain", 1)):
        assert f'<tr><th scope="row">{option}</th><td>{n}</td></tr>' in html
    with app.app_context():
        final = db.session.get(Vote, built.vote_id).final_hash
    assert final in html
    assert f'href="/votes/{built.vote_id}/board"' in html and f'href="/votes/{built.vote_id}/board.json"' in html
    participants, rest = section(html, "participants")
    took_part = [name for name in built.names if name in built.choices]
    assert all(name in participants for name in took_part)
    assert built.names[-1] not in html  # did not vote
    # Secret: member names appear in the participants list only, and that list says nothing of choices.
    assert not any(name in rest for name in built.names)
    assert not any(label in participants for label in (">For<", ">Against<", ">Abstain<"))


def test_open_vote_results_list_each_members_choice(app: Flask, client: FlaskClient,
                                                    world: factories.World) -> None:
    built = build_vote(app, secret=False)
    login(client, world.emails["alternate"])
    html = html_of(client, f"/votes/{built.vote_id}/results")
    labels = {"for": "For", "against": "Against", "abstain": "Abstain"}
    for name, choice in built.choices.items():
        assert re.search(rf"<th scope=\"row\"><bdi>{re.escape(name)}</bdi></th>\s*<td>[^<]*</td><td>{labels[choice]}</td>",
                         html), name


def test_double_majority_results_show_each_college(app: Flask, client: FlaskClient,
                                                   world: factories.World) -> None:
    # French college: for, for, against (met); Tunisian college: against, against (not met).
    built = build_vote(app, double=True, choices=("for", "for", "against", "against", "against"))
    login(client, world.emails["secretariat"])
    html = html_of(client, f"/votes/{built.vote_id}/results")
    assert "Rejected" in html and "overall and within each college" in html
    assert "Double majority: results per college" in html
    assert "Société civile française" in html
    assert "<td>3</td><td>2</td><td>1</td><td>0</td>" in html  # cs-fr: electorate, for, against, abstain
    assert "<td>2</td><td>0</td><td>2</td><td>0</td>" in html  # cs-tn
    assert html.count("not met") >= 1 and ">met<" in html


def test_quorum_not_reached_is_the_outcome(app: Flask, client: FlaskClient, world: factories.World) -> None:
    built = build_vote(app, abstainers=3)  # 2 of 5 cast
    login(client, world.emails["delegate"])
    html = html_of(client, f"/votes/{built.vote_id}/results")
    assert "Quorum not reached" in html and "not reached" in html


# The bulletin board ---------------------------------------------------------------------

def test_anonymous_reads_the_board_after_the_close(app: Flask, client: FlaskClient) -> None:
    built = build_vote(app)
    html = html_of(client, f"/votes/{built.vote_id}/board")
    trackers = sorted(built.trackers.values())
    positions = [html.index(t) for t in trackers]
    assert positions == sorted(positions)  # sorted by tracker
    previous = chain_start_of(app, built.vote_id)
    by_tracker = {t: c for name, t in built.trackers.items() for c in [built.choices[name]]}
    for tracker in trackers:
        previous = chain_hash(previous, tracker, by_tracker[tracker])
        assert previous in html
    assert f'id="final-hash">{previous}<' in html
    participants, _ = section(html, "participants")
    assert all(f"<li><bdi>{name}</bdi></li>" in participants for name in built.names)
    assert "Find my tracker" in html and "Sign in" in html


def test_secret_board_never_pairs_a_member_with_a_choice(app: Flask, client: FlaskClient) -> None:
    built = build_vote(app, double=True)
    html = html_of(client, f"/votes/{built.vote_id}/board")
    participants, rest = section(html, "participants")
    assert not any(name in rest for name in built.names)
    assert not any(label in participants for label in (">For<", ">Against<", ">Abstain<"))
    assert "<th scope=\"col\">College</th>" in rest and "<td>cs-tn</td>" in rest  # per-college board


def test_tracker_lookup_goes_to_its_page_and_highlights_it(app: Flask, client: FlaskClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Posted, never in a URL (see test_secrecy_routes.py for the rest of the lookup)."""
    monkeypatch.setitem(app.config, "BOARD_PAGE_SIZE", 2)
    built = build_vote(app)
    trackers = sorted(built.trackers.values())
    wanted = trackers[2]  # third on the board: page 2 of 3
    first = html_of(client, f"/votes/{built.vote_id}/board")
    assert trackers[0] in first and trackers[2] not in first and "Page 1 of 3" in first
    response = client.post(f"/votes/{built.vote_id}/board", data={"tracker": wanted})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Page 2 of 3" in html and "position 3" in html
    assert f'<tr id="ballot-{wanted}" class="found" aria-current="true">' in html
    assert f"<mark>{wanted}</mark>" in html and html.count("<mark>") == 1
    # Paging on from the found page shows the next page, not the tracker again.
    html = html_of(client, f"/votes/{built.vote_id}/board?page=3")
    assert "Page 3 of 3" in html and "<mark>" not in html


@pytest.mark.parametrize("typed", ["0" * 32, "not a tracker", "'><script>alert(1)</script>"])
def test_tracker_not_found_is_said_clearly(app: Flask, client: FlaskClient, typed: str) -> None:
    built = build_vote(app)
    response = client.post(f"/votes/{built.vote_id}/board", data={"tracker": typed})
    assert response.status_code in (200, 422)
    html = response.get_data(as_text=True)
    assert ("No ballot with this tracker" in html or "A tracker has 32 characters" in html) and 'role="alert"' in html
    assert "<script>alert" not in html and "<mark>" not in html


def test_board_pages_are_clamped(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "BOARD_PAGE_SIZE", 2)
    built = build_vote(app)
    assert "Page 3 of 3" in html_of(client, f"/votes/{built.vote_id}/board?page=99")
    assert "Page 1 of 3" in html_of(client, f"/votes/{built.vote_id}/board?page=-4")
    assert "Page 1 of 3" in html_of(client, f"/votes/{built.vote_id}/board?page=x")


def test_board_of_a_vote_nobody_voted_in(app: Flask, client: FlaskClient) -> None:
    built = build_vote(app, abstainers=5)
    html = html_of(client, f"/votes/{built.vote_id}/board")
    assert "No ballot was cast in this vote." in html and chain_start_of(app, built.vote_id) in html


@pytest.mark.parametrize(("locale", "direction"), [("fr", "ltr"), ("en", "ltr"), ("ar", "rtl")])
def test_board_renders_in_each_language(app: Flask, client: FlaskClient, locale: str, direction: str) -> None:
    built = build_vote(app)
    response = client.get(f"/votes/{built.vote_id}/board", headers={"Accept-Language": locale})
    assert response.status_code == 200
    assert f'lang="{locale}" dir="{direction}"' in response.get_data(as_text=True)


# The JSON export ------------------------------------------------------------------------

def test_export_is_the_sealed_board(app: Flask, client: FlaskClient) -> None:
    built = build_vote(app, secret=True)
    response = client.get(f"/votes/{built.vote_id}/board.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert f'filename="vote-{built.vote_id}-board.json"' in response.headers["Content-Disposition"]
    board = response.get_json()
    assert list(board) == ["format", "vote", "rules", "electorate", "participants", "header_hash", "ballots",
                           "final_hash", "result"]
    assert board["format"] == "pcpa-board/2"
    vote = board["vote"]
    assert vote["id"] == built.vote_id and vote["title"] == "Approbation du rapport moral" and vote["secret"]
    assert vote["assembly"] == {"id": built.assembly_id, "title": "Assemblée Voter"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", vote["opened_at"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", vote["closed_at"])
    assert board["rules"] == {"majority": {"base": "expressed", "threshold": "half", "double_majority": False},
                              "quorum": {"ratio": "1/2", "strict": False, "second_convocation": False}}
    assert board["electorate"] == {"size": 5, "by_college": {"cs-fr": 3, "cs-tn": 2}, "members": {
        "cs-fr": sorted(built.names[:3]), "cs-tn": sorted(built.names[3:])}}
    assert board["header_hash"] == chain_start_of(app, built.vote_id)
    assert board["participants"] == sorted(
        [{"member": name, "college": "cs-tn" if " cs-tn " in name else "cs-fr"} for name in built.choices],
        key=lambda p: p["member"])
    trackers = [b["tracker"] for b in board["ballots"]]
    assert trackers == sorted(built.trackers.values())
    assert all(set(b) == {"tracker", "choice", "hash"} for b in board["ballots"])  # no college: not per-college
    assert board["ballots"][-1]["hash"] == board["final_hash"] == board["result"]["final_hash"]
    assert board["result"]["counts"] == {"for": 3, "against": 1, "abstain": 1}
    # Deterministic: the same bytes every time, whatever the reader's language.
    again = client.get(f"/votes/{built.vote_id}/board.json", headers={"Accept-Language": "ar"})
    assert again.get_data() == response.get_data()


def test_export_of_an_open_vote_names_choices_and_of_double_majority_colleges(app: Flask,
                                                                            client: FlaskClient) -> None:
    named = build_vote(app, secret=False, prefix="Named")
    board = client.get(f"/votes/{named.vote_id}/board.json").get_json()
    assert {p["member"]: p["choice"] for p in board["participants"]} == named.choices
    double = build_vote(app, double=True, prefix="Double")
    board = client.get(f"/votes/{double.vote_id}/board.json").get_json()
    assert {b["college"] for b in board["ballots"]} == {"cs-fr", "cs-tn"}
    assert all("choice" not in p for p in board["participants"])
    assert board["rules"]["majority"]["double_majority"] is True
