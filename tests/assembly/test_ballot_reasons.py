"""A representative with no ballot is told why and what to do: the rule (a table, with its
precedence) and the ballot page as a delegate and as an alternate, for each reason."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.assembly import voting
from app.assembly.ballot_reasons import BallotFacts, NoBallot, no_ballot_reason
from app.assembly.models import Proxy, Vote
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Charter, Member, MemberStatus
from tests import factories
from tests.conftest import login, page_statements

# The rule ---------------------------------------------------------------------------------------

F = BallotFacts
OPEN, PENDING, CLOSED = "open", "pending", "closed"

REASONS = [
    # (facts, reason): one row per reason, then the precedence between them
    (F(True, OPEN), None),
    (F(False, OPEN), NoBallot.not_representative),
    (F(False, CLOSED), NoBallot.not_representative),
    (F(True, CLOSED), NoBallot.closed),
    (F(True, OPEN, past_closing=True), NoBallot.closed),
    (F(True, CLOSED, member_active=False, charter_signed=False, in_electorate=False), NoBallot.closed),
    (F(True, PENDING, in_electorate=False), NoBallot.not_open_yet),
    (F(True, PENDING, member_active=False, in_electorate=False), NoBallot.member_not_active),
    (F(True, PENDING, charter_signed=False, in_electorate=False), NoBallot.charter_not_signed),
    (F(True, PENDING, member_active=False, charter_signed=False, in_electorate=False), NoBallot.member_not_active),
    (F(True, PENDING, proxy_holder="B", in_electorate=False), NoBallot.proxy_given),
    (F(True, PENDING, charter_signed=False, proxy_holder="B", in_electorate=False), NoBallot.charter_not_signed),
    (F(True, OPEN, member_active=False, in_electorate=False), NoBallot.member_not_active),
    (F(True, OPEN, charter_signed=False, in_electorate=False), NoBallot.charter_not_signed),
    (F(True, OPEN, in_electorate=False), NoBallot.not_in_electorate),
    # In the frozen electorate, what changed since does not take the ballot away.
    (F(True, OPEN, member_active=False, charter_signed=False), None),
    (F(True, OPEN, proxy_holder="B"), NoBallot.proxy_given),
    (F(True, OPEN, proxy_holder="B", cast_by="delegate"), NoBallot.proxy_given),
    (F(True, OPEN, cast_by="you"), NoBallot.cast_by_you),
    (F(True, OPEN, cast_by="delegate"), NoBallot.cast_by_delegate),
    (F(True, OPEN, cast_by="alternate"), NoBallot.cast_by_alternate),
    (F(True, OPEN, past_closing=True, cast_by="you"), NoBallot.closed),
]


@pytest.mark.parametrize(("facts", "expected"), REASONS)
def test_no_ballot_reason(facts: BallotFacts, expected: NoBallot | None) -> None:
    assert no_ballot_reason(facts) == expected


def test_every_reason_is_in_the_table() -> None:
    assert {reason for _, reason in REASONS} - {None} == set(NoBallot)


# The page ---------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


ROLES = ("delegate", "alternate")


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == UserKind.secretariat))


def _setup(app: Flask, world: factories.World, *, sign_own: bool = True, sign_other: bool = True,
           status: MemberStatus = MemberStatus.active, proxy: bool = False, open_: bool = True) -> int:
    """A convened assembly with one resolution; the two members' charter, status and proxy as asked."""
    with app.app_context():
        charter = db.session.get(Charter, world.charter_id)
        own, other = db.session.get(Member, world.member_id), db.session.get(Member, world.other_member_id)
        delegate = next(u for u in own.representatives if u.is_delegate)
        if sign_own:
            factories.sign(own, charter, delegate)
        if sign_other:
            factories.sign(other, charter, next(u for u in other.representatives if u.is_delegate))
        own.status = status
        assembly = factories.assembly()
        resolution = factories.resolution(assembly, title="Adoption of the call rules")
        if proxy:
            db.session.add(Proxy(assembly_id=assembly.id, giver_id=own.id, holder_id=other.id))
        db.session.flush()
        if open_:
            voting.open_vote(resolution.vote, actor=_secretariat(), closes_at=utcnow() + timedelta(days=1))
        db.session.commit()
        return resolution.vote.id


def _page(client: FlaskClient, world: factories.World, role: str, vote_id: int) -> str:
    client.post("/logout")
    login(client, world.emails[role])
    response = client.get(f"/votes/{vote_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("&#39;", "'")


def _cast(app: Flask, world: factories.World, role: str, vote_id: int) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == world.emails[role]))
        voting.cast(vote_id, world.member_id, "for", actor=user)
        db.session.commit()


def _reason(html: str) -> str | None:
    marker = 'data-reason="'
    start = html.find(marker)
    return None if start < 0 else html[start + len(marker):html.index('"', start + len(marker))]


@pytest.mark.parametrize("role", ROLES)
def test_a_ballot_waits_with_a_primary_button_and_large_choices(app: Flask, client: FlaskClient,
                                                                world: factories.World, role: str) -> None:
    html = _page(client, world, role, _setup(app, world))
    assert _reason(html) is None and 'type="radio"' in html
    assert 'class="button ballot-submit"' in html and 'value="Continue"' in html
    assert '<div class="choice"><input' in html and '<label for="choice-' in html


def test_the_ballot_styles_make_the_whole_label_a_large_target() -> None:
    css = (Path(__file__).parents[2] / "app/core/static/app.css").read_text()
    block = css[css.index("/* Ballot page"):]
    assert ".ballot .choice label { display:flex;" in block and "min-height:3rem" in block  # 48 px >= 44 px
    assert "padding-inline-start" in block and "padding-left" not in block  # mirrored in Arabic


@pytest.mark.parametrize("role", ROLES)
def test_charter_not_signed_before_the_vote_opens(app: Flask, client: FlaskClient, world: factories.World,
                                                  role: str) -> None:
    html = _page(client, world, role, _setup(app, world, sign_own=False, open_=False))
    assert _reason(html) == "charter_not_signed"
    assert "has not signed the current charter" in html and "fixed when it opened" not in html
    if role == "delegate":
        assert 'href="/charter">Read and sign the charter' in html
    else:
        assert "Your organisation's delegate signs it." in html and 'href="/charter">Read the charter' in html


@pytest.mark.parametrize("role", ROLES)
def test_charter_not_signed_when_the_vote_opened(app: Flask, client: FlaskClient, world: factories.World,
                                                 role: str) -> None:
    html = _page(client, world, role, _setup(app, world, sign_own=False))
    assert _reason(html) == "charter_not_signed" and "fixed when it opened" in html
    assert 'type="radio"' not in html and "You have no ballot to cast" not in html


@pytest.mark.parametrize("role", ROLES)
def test_member_not_active(app: Flask, client: FlaskClient, world: factories.World, role: str) -> None:
    html = _page(client, world, role, _setup(app, world, status=MemberStatus.suspended))
    assert _reason(html) == "member_not_active" and "is not an active member" in html
    assert f'href="/members/{world.member_id}"' in html


@pytest.mark.parametrize("role", ROLES)
def test_proxy_given_names_the_holder(app: Flask, client: FlaskClient, world: factories.World, role: str) -> None:
    vote_id = _setup(app, world, proxy=True)
    html = _page(client, world, role, vote_id)
    assert _reason(html) == "proxy_given" and 'type="radio"' not in html
    assert "Your organisation gave its proxy to <bdi>Collectif Solidaire de Nantes</bdi>" in html
    # The holder's delegate has the ballot; nothing is said to it about a missing one.
    holder = _page(client, world, "other_delegate", vote_id)
    assert _reason(holder) is None and 'type="radio"' in holder


@pytest.mark.parametrize("role", ROLES)
def test_proxy_given_before_the_vote_opens_says_how_to_vote_oneself(app: Flask, client: FlaskClient,
                                                                    world: factories.World, role: str) -> None:
    html = _page(client, world, role, _setup(app, world, proxy=True, open_=False))
    assert _reason(html) == "proxy_given" and "revokes the proxy before the vote opens" in html


@pytest.mark.parametrize("role", ROLES)
def test_not_open_yet_says_when(app: Flask, client: FlaskClient, world: factories.World, role: str) -> None:
    html = _page(client, world, role, _setup(app, world, open_=False))
    assert _reason(html) == "not_open_yet" and "The secretariat opens it during the assembly of" in html
    assert html.count("This vote has not opened yet.") == 1


@pytest.mark.parametrize("role", ROLES)
def test_closed(app: Flask, client: FlaskClient, world: factories.World, role: str) -> None:
    vote_id = _setup(app, world)
    with app.app_context():
        voting.close_vote(db.session.get(Vote, vote_id), actor=_secretariat())
        db.session.commit()
    html = _page(client, world, role, vote_id)
    assert _reason(html) == "closed" and "Voting is over" in html


@pytest.mark.parametrize("role", ROLES)
def test_not_in_the_electorate_frozen_at_the_opening(app: Flask, client: FlaskClient, world: factories.World,
                                                     role: str) -> None:
    vote_id = _setup(app, world, sign_own=False)
    with app.app_context():
        own = db.session.get(Member, world.member_id)
        factories.sign(own, db.session.get(Charter, world.charter_id), next(u for u in own.representatives
                                                                            if u.is_delegate))
        db.session.commit()
    html = _page(client, world, role, vote_id)
    assert _reason(html) == "not_in_electorate" and "was not in the electorate when this vote opened" in html


@pytest.mark.parametrize(("caster", "reader", "words"), [
    ("delegate", "alternate", "Your organisation's delegate cast it"),
    ("alternate", "delegate", "An alternate of your organisation cast it"),
    ("delegate", "delegate", "You cast it"),
    ("alternate", "alternate", "You cast it"),
])
def test_cast_by_another_representative_or_oneself(app: Flask, client: FlaskClient, world: factories.World,
                                                   caster: str, reader: str, words: str) -> None:
    vote_id = _setup(app, world)
    _cast(app, world, caster, vote_id)
    html = _page(client, world, reader, vote_id)
    assert _reason(html) is None  # no separate box: said beside the organisation's ballot
    assert "A ballot has been cast for this organisation." in html and words in html
    # Only that the organisation took part: never what was chosen.
    assert 'type="radio"' not in html and "For</label>" not in html and "tracker" not in html.lower().split(
        "turnout")[0].split("<main")[-1]


def test_not_a_representative_and_the_secretariat(app: Flask, client: FlaskClient, world: factories.World) -> None:
    vote_id = _setup(app, world)
    html = _page(client, world, "ex_officio", vote_id)
    assert _reason(html) == "not_representative" and "Only the representatives of member organisations vote" in html
    assert _reason(_page(client, world, "secretariat", vote_id)) is None


def test_an_election_not_open_yet_says_candidacies_close_first(app: Flask, client: FlaskClient,
                                                               world: factories.World) -> None:
    from app.elections import services

    with app.app_context():
        charter = db.session.get(Charter, world.charter_id)
        own = db.session.get(Member, world.member_id)
        factories.sign(own, charter, next(u for u in own.representatives if u.is_delegate))
        closes = (utcnow() + timedelta(days=10)).replace(hour=12, minute=0, second=0, microsecond=0)
        election = services.create_election(actor=_secretariat(), data={
            "title": "Committee 2027", "seats": 2, "term_starts_on": (utcnow() + timedelta(days=60)).date(),
            "term_years": 2, "candidacy_opens_at": utcnow() - timedelta(days=1), "candidacy_closes_at": closes,
            "constraints": {}})
        db.session.commit()
        vote_id = election.vote_id
    html = _page(client, world, "delegate", vote_id)
    assert _reason(html) == "not_open_yet" and "It opens at the earliest on" in html and "12:00" in html


def test_the_ballot_page_costs_the_same_queries_whatever_the_electorate(app: Flask, client: FlaskClient,
                                                                       world: factories.World) -> None:
    vote_id = _setup(app, world, sign_own=False, open_=False)
    login(client, world.emails["alternate"])
    small = page_statements(app, client, f"/votes/{vote_id}")
    with app.app_context():
        factories.voters(30)
        db.session.commit()
    assert page_statements(app, client, f"/votes/{vote_id}") == small


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_reason_is_given_in_french_and_in_arabic(app: Flask, client: FlaskClient, world: factories.World,
                                                      language: str) -> None:
    vote_id = _setup(app, world, proxy=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    html = _page(client, world, "alternate", vote_id)
    assert _reason(html) == "proxy_given" and "<bdi>Collectif Solidaire de Nantes</bdi>" in html
    assert ('dir="rtl"' in html) is (language == "ar")
