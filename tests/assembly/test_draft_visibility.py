"""A draft assembly is the secretariat's alone, and so is everything that hangs from it: every vote
route and every election route answers for a vote (an election) of a draft assembly exactly as for
one that does not exist, for everyone but the secretariat (issue 10, §7)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.assembly import visibility
from app.assembly.models import AssemblyStatus, Participation
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.elections import services as election_services
from app.extensions import db
from tests import factories
from tests.conftest import login

ROLES = factories.ROLES
SECRET_TITLE = "Résolution cachée du brouillon"
ELECTION_TITLE = "Élection cachée du brouillon"
MISSING = 987654


@dataclass
class Draft:
    vote_id: int
    election_id: int
    election_vote_id: int


@pytest.fixture
def draft(app: Flask, world: factories.World) -> Draft:
    with app.app_context():
        assembly = factories.assembly(convened=False, title="Assemblée en préparation")
        resolution = factories.resolution(assembly, title=SECRET_TITLE)
        secretariat = db.session.query(User).filter_by(kind=UserKind.secretariat).one()
        now = utcnow()
        election = election_services.create_election(actor=secretariat, data={
            "title": ELECTION_TITLE, "seats": 3, "term_starts_on": (now + timedelta(days=60)).date(),
            "term_years": 2, "candidacy_opens_at": now - timedelta(days=1),
            "candidacy_closes_at": now + timedelta(days=1), "constraints": {}, "assembly_id": assembly.id})
        db.session.commit()
        assert assembly.status == AssemblyStatus.draft and election.vote.assembly_id == assembly.id
        return Draft(resolution.vote_id, election.id, election.vote_id)


def _routes(app: Flask, prefix: str, key: str) -> list[tuple[str, str]]:
    """(rule, method) for every route under ``prefix`` taking ``key``: new routes are covered as they come."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and key in rule.arguments:
            found += [(rule.rule, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found)


def _url(rule: str, key: str, value: int) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(value) if m.group(1) == key else "1", rule)


def _ask(client: FlaskClient, method: str, url: str):  # noqa: ANN202
    return client.get(url) if method == "GET" else client.post(url, data={"member_id": "1", "choice": "for"})


def _where_to(response, vote_id: int) -> str:  # noqa: ANN001
    """The redirect target with the vote's id blanked (so a draft and a missing vote compare)."""
    return unquote(response.headers.get("Location", "")).replace(f"/votes/{vote_id}", "/votes/ID")


def _sign_in(client: FlaskClient, world: factories.World, role: str) -> None:
    if role != "anonymous":
        login(client, world.emails[role])


def test_every_vote_route_is_listed(app: Flask) -> None:
    rules = {rule for rule, _method in _routes(app, "/votes/", "vote_id")}
    assert {"/votes/<int:vote_id>", "/votes/<int:vote_id>/results", "/votes/<int:vote_id>/board",
            "/votes/<int:vote_id>/board.json", "/votes/<int:vote_id>/turnout.json"} <= rules


@pytest.mark.parametrize("role", ROLES)
def test_a_vote_of_a_draft_assembly_is_hidden_like_a_missing_one(app: Flask, client: FlaskClient,
                                                                  world: factories.World, draft: Draft,
                                                                  role: str) -> None:
    _sign_in(client, world, role)
    for vote_id in (draft.vote_id, draft.election_vote_id):
        for rule, method in _routes(app, "/votes/", "vote_id"):
            shown = _ask(client, method, _url(rule, "vote_id", vote_id))
            missing = _ask(client, method, _url(rule, "vote_id", MISSING))
            body = shown.get_data(as_text=True)
            where = f"{method} {rule} as {role}"
            if role == "secretariat":
                assert shown.status_code != 404, where
                continue
            assert shown.status_code == missing.status_code, where
            assert _where_to(shown, vote_id) == _where_to(missing, MISSING), where
            assert SECRET_TITLE not in body and ELECTION_TITLE not in body, where
    with app.app_context():
        assert db.session.query(Participation).count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_an_election_of_a_draft_assembly_is_hidden_like_a_missing_one(app: Flask, client: FlaskClient,
                                                                      world: factories.World, draft: Draft,
                                                                      role: str) -> None:
    _sign_in(client, world, role)
    for rule, method in _routes(app, "/elections/", "election_id"):
        shown = _ask(client, method, _url(rule, "election_id", draft.election_id))
        missing = _ask(client, method, _url(rule, "election_id", MISSING))
        where = f"{method} {rule} as {role}"
        if role == "secretariat":
            assert rule.count("<") > 1 or shown.status_code != 404, where  # other ids are made up
            continue
        assert shown.status_code == missing.status_code, where
        assert ELECTION_TITLE not in shown.get_data(as_text=True), where


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_of_a_convened_assembly_vote_stay_readable(app: Flask, client: FlaskClient,
                                                             world: factories.World, draft: Draft, role: str) -> None:
    with app.app_context():
        from app.assembly.models import Vote

        db.session.get(Vote, draft.vote_id).assembly.status = AssemblyStatus.convened
        db.session.commit()
    _sign_in(client, world, role)
    for path in ("/board", "/board.json", ""):
        response = client.get(f"/votes/{draft.vote_id}{path}")
        if role == "anonymous":
            assert response.status_code in (302, 404, 409)  # sign-in, or a vote never opened is not announced
        else:
            assert response.status_code in (200, 409), path  # 409: the board is published at the close


@pytest.mark.parametrize(("status", "role", "visible"), [
    (None, "anonymous", True),
    (None, "delegate", True),
    (AssemblyStatus.draft, "anonymous", False),
    (AssemblyStatus.draft, "delegate", False),
    (AssemblyStatus.draft, "alternate", False),
    (AssemblyStatus.draft, "ex_officio", False),
    (AssemblyStatus.draft, "secretariat", True),
    (AssemblyStatus.convened, "anonymous", True),
    (AssemblyStatus.convened, "delegate", True),
    (AssemblyStatus.in_session, "ex_officio", True),
    (AssemblyStatus.closed, "alternate", True),
])
def test_assembly_status_visible(status: str | None, role: str, visible: bool) -> None:
    @dataclass
    class Someone:
        kind: str
        member_id: int | None
        is_delegate: bool
        is_authenticated: bool = True
        id: int | None = None

    users = {"anonymous": Someone("", None, False, is_authenticated=False),
             "delegate": Someone("representative", 1, True), "alternate": Someone("representative", 1, False),
             "ex_officio": Someone("ex_officio", None, False), "secretariat": Someone("secretariat", None, False)}
    assert visibility.assembly_status_visible(users[role], status) is visible
