"""The steering committee: its page (current, next and past compositions, balance against the
constraints), appointed seats, resignations and vacancies, the committee role derived from the
mandates, term reminders, and every committee route tried as every role."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly import voting
from app.auth.models import User, UserKind
from app.core.models import OutboxMessage
from app.core.permissions import Role, roles_of
from app.core.timeutil import utcnow
from app.elections import committee, services
from app.elections.models import Election, Mandate, MandateKind
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.conftest import counting, login


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    """These tests read the English messages (French is the default language)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _today() -> date:
    return utcnow().date()


def _html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def _text(response) -> str:  # noqa: ANN001
    """The page's text without tags or repeated spaces (what a reader sees)."""
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", _html(response))))


def _delegate(member: Member) -> User:
    return next(u for u in member.representatives if u.is_delegate)


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == UserKind.secretariat).order_by(User.id).limit(1))


def _mandate(member: Member | None = None, *, kind: MandateKind = MandateKind.elected, starts: int = -30,
             ends: int = 700, ended: int | None = None, organisation: str = "", election: Election | None = None,
             representative: str = "Représentant·e", gender: str = "female", replaces: Mandate | None = None
             ) -> Mandate:
    """A mandate whose dates are given in days from today."""
    today = _today()
    mandate = Mandate(kind=kind, member_id=member.id if member else None, organisation=organisation,
                      representative_name=representative, gender=gender, election_id=election.id if election else None,
                      starts_on=today + timedelta(days=starts), ends_on=today + timedelta(days=ends),
                      ended_on=None if ended is None else today + timedelta(days=ended),
                      end_reason="Démission" if ended is not None else "", replaces_id=replaces.id if replaces else None)
    db.session.add(mandate)
    db.session.flush()
    return mandate


def _name_colleges() -> None:
    """English names for the colleges (the factories give every college the same name)."""
    for code, name in (("cs-fr", "French civil society"), ("cs-tn", "Tunisian civil society"),
                       ("auth", "Local authorities")):
        factories.college(code).name_en = name


def _election(title: str = "Élection du comité de pilotage", *, seats: int = 12, constraints: dict | None = None,
              term_start: date | None = None) -> Election:
    now = utcnow()
    return services.create_election(actor=_secretariat(), data={
        "title": title, "seats": seats, "term_starts_on": term_start or _today() - timedelta(days=30),
        "term_years": 2, "candidacy_opens_at": now - timedelta(days=1), "candidacy_closes_at": now + timedelta(days=1),
        "constraints": constraints or {}})


# The committee world: one user per role, plus a committee member and an appointed seat ---------------

@dataclass
class Committee:
    emails: dict[str, str]
    member_id: int  # the world's member (delegate + alternate), no seat
    seat_member_id: int  # the committee member's organisation
    elected_id: int  # its current elected mandate
    ex_officio_id: int  # an appointed seat (the funder's)


ROLES = ("anonymous", "delegate", "alternate", "ex_officio", "secretariat", "committee")


@pytest.fixture
def seats(app: Flask, world: factories.World) -> Committee:
    with app.app_context():
        seated = factories.member("Réseau Euromed France", college_code="cs-fr")
        factories.user("committee@example.org", member=seated, delegate=True)
        elected = _mandate(seated, representative="Représentante du réseau")
        funder = _mandate(kind=MandateKind.ex_officio, organisation="Agence Française de Développement",
                          representative="Chargée de mission AFD", gender="female")
        db.session.commit()
        return Committee(emails=world.emails | {"committee": "committee@example.org"}, member_id=world.member_id,
                         seat_member_id=seated.id, elected_id=elected.id, ex_officio_id=funder.id)


SIGNED_IN = frozenset({"delegate", "alternate", "ex_officio", "secretariat", "committee"})
SECRETARIAT = frozenset({"secretariat"})

#: (URL with {mandate}, endpoint, roles allowed to GET, roles allowed to POST (None: no POST route)).
ROUTES = [
    ("/committee", "committee.index", SIGNED_IN, None),
    ("/committee/appoint", "committee.appoint", SECRETARIAT, SECRETARIAT),
    ("/committee/mandates/{mandate}/end", "committee.end_mandate", SECRETARIAT, SECRETARIAT),
    # POST only: designating the chair answers with a redirect to the committee page (refused there for this
    # ex-officio seat, with a message)
    ("/committee/mandates/{mandate}/chair", "committee.designate_chair", None, SECRETARIAT),
]


def test_the_routes_listed_here_are_all_the_committee_routes(app: Flask) -> None:
    rules = {r.endpoint: r for r in app.url_map.iter_rules() if r.endpoint.startswith("committee.")}
    assert set(rules) == {endpoint for _, endpoint, _, _ in ROUTES}
    for url, endpoint, _get, post in ROUTES:
        rule = rules[endpoint]
        assert rule.rule == url.replace("{mandate}", "<int:mandate_id>")
        assert ("POST" in rule.methods) == (post is not None), endpoint
        assert ("GET" in rule.methods) == (_get is not None), endpoint


CASES = [(url, role) for url, *_ in ROUTES for role in ROLES]


@pytest.mark.parametrize(("url", "role"), CASES, ids=[f"{role}:{url}" for url, role in CASES])
def test_every_route_as_every_role(client: FlaskClient, seats: Committee, url: str, role: str) -> None:
    """Anonymous visitors go to the login page; a role not allowed gets 403; an allowed one the page
    (GET) or the form again with its errors (an empty POST changes nothing)."""
    _, endpoint, get_roles, post_roles = next(r for r in ROUTES if r[0] == url)
    target = url.format(mandate=seats.ex_officio_id)
    if role != "anonymous":
        login(client, seats.emails[role])
    for method, allowed in (("GET", get_roles), ("POST", post_roles)):
        if allowed is None:
            continue
        response = client.open(target, method=method, data={})
        where = f"{method} {target} as {role}: {response.status_code} {response.headers.get('Location')}"
        if role == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), where
        elif role in allowed and endpoint == "committee.designate_chair":
            assert response.status_code == 302 and response.headers["Location"] == "/committee", where
        elif role in allowed:
            assert response.status_code == 200, where
        else:
            assert response.status_code == 403, where


def test_a_secretariat_page_for_an_unknown_mandate_is_404(client: FlaskClient, seats: Committee) -> None:
    login(client, seats.emails["secretariat"])
    assert client.get("/committee/mandates/999999/end").status_code == 404


def test_the_committee_role_is_not_enough_for_the_secretariat_pages(app: Flask, client: FlaskClient,
                                                                   seats: Committee) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "committee@example.org"))
        with app.test_request_context():
            assert roles_of(user) == {Role.delegate, Role.committee}
    login(client, seats.emails["committee"])
    assert client.get("/committee/appoint").status_code == 403
    assert client.post(f"/committee/mandates/{seats.elected_id}/end",
                       data={"ended_on": _today().isoformat(), "reason": "x"}).status_code == 403
    with app.app_context():
        assert db.session.get(Mandate, seats.elected_id).ended_on is None


def test_menu_links_to_the_committee_for_signed_in_users(client: FlaskClient, seats: Committee) -> None:
    login(client, seats.emails["ex_officio"])
    assert 'href="/committee"' in _html(client.get("/"))


# The committee role, derived from the mandates ---------------------------------------------------------

def _roles(app: Flask, email: str) -> frozenset[Role]:
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return roles_of(user)


@pytest.mark.parametrize("kind", [MandateKind.elected, MandateKind.guarantor])
def test_delegate_and_alternates_of_a_seated_member_hold_the_committee_role(app: Flask, world: factories.World,
                                                                            kind: MandateKind) -> None:
    with app.app_context():
        member = db.session.get(Member, world.member_id)
        second_alternate = factories.user("alternate2@example.org", member=member)
        db.session.commit()
        emails = [world.emails["delegate"], world.emails["alternate"], second_alternate.email]
        for email in emails:
            assert Role.committee not in _roles(app, email)
        mandate = _mandate(member, kind=kind)
        db.session.commit()
        for email in emails:
            assert Role.committee in _roles(app, email), email
        assert _roles(app, world.emails["delegate"]) == {Role.delegate, Role.committee}
        assert _roles(app, world.emails["alternate"]) == {Role.alternate, Role.committee}
        # Another member's delegate, the ex-officio user and the secretariat do not get it.
        for other in ("other_delegate", "ex_officio", "secretariat"):
            assert Role.committee not in _roles(app, world.emails[other]), other

        mandate.ended_on = _today()  # resigned today: the seat is left today
        db.session.commit()
        for email in emails:
            assert Role.committee not in _roles(app, email), email


def test_the_committee_role_ends_with_the_term_and_starts_with_it(app: Flask, world: factories.World) -> None:
    with app.app_context():
        member = db.session.get(Member, world.member_id)
        over = _mandate(member, starts=-730, ends=0)  # the term ended today
        db.session.commit()
        assert Role.committee not in _roles(app, world.emails["delegate"])
        over.ends_on = _today() + timedelta(days=1)
        db.session.commit()
        assert Role.committee in _roles(app, world.emails["alternate"])
        db.session.delete(over)
        _mandate(member, starts=1, ends=731)  # next term, not begun
        db.session.commit()
        assert Role.committee not in _roles(app, world.emails["delegate"])


def test_ex_officio_users_get_no_committee_role_from_their_organisations_seat(app: Flask,
                                                                              world: factories.World) -> None:
    with app.app_context():
        funder = db.session.scalar(select(User).where(User.email == world.emails["ex_officio"]))
        funder.organisation_label = "Agence Française de Développement"
        _mandate(kind=MandateKind.ex_officio, organisation="Agence Française de Développement",
                 representative=funder.full_name)
        db.session.commit()
        assert _roles(app, world.emails["ex_officio"]) == {Role.ex_officio}
        assert services.committee_member_ids() == set()


def test_the_page_tells_a_committee_member_they_sit_on_it(client: FlaskClient, seats: Committee) -> None:
    login(client, seats.emails["committee"])
    page = _text(client.get("/committee"))
    assert "You sit on the committee" in page
    assert "Your organisation Réseau Euromed France holds a seat (Elected)" in page
    for role in ("delegate", "alternate", "ex_officio", "secretariat"):
        client.post("/logout")
        login(client, seats.emails[role])
        assert "You sit on the committee" not in _text(client.get("/committee")), role


# The committee page --------------------------------------------------------------------------------------

CONSTRAINTS = {"college": {"cs-fr": [1, 2], "cs-tn": [1, 2], "auth": [1, None]},
               "country": {"FR": [1, None], "TN": [1, None]}, "parity_tolerance": 0}


def test_the_page_shows_elected_ex_officio_and_guarantor_seats_with_the_balance(client: FlaskClient,
                                                                                seats: Committee,
                                                                                app: Flask) -> None:
    with app.app_context():
        _name_colleges()
        election = _election("Élection 2026", seats=4, constraints=CONSTRAINTS)
        fr = factories.member("Collectif Lillois", college_code="cs-fr")
        tn = factories.member("Association Tunisienne de Sfax", country="TN", college_code="cs-tn")
        guarantor = factories.member("Solidarité Laïque", college_code="cs-fr")
        _mandate(fr, election=election, representative="Camille Durand-Test", gender="female")
        _mandate(tn, election=election, representative="Sami Test", gender="male")
        _mandate(tn, election=election, starts=-60, ended=-10, representative="Ancienne représentante")
        _mandate(guarantor, kind=MandateKind.guarantor, representative="Garante du programme")
        _mandate(kind=MandateKind.ex_officio, organisation="Ministères tunisiens", representative="Délégué ministère",
                 gender="male")
        db.session.commit()
    login(client, seats.emails["delegate"])
    page = _text(client.get("/committee"))
    # Elected: member, college, country, sitting representative, gender, term dates.
    assert "Collectif Lillois French civil society France Camille Durand-Test Woman" in page
    assert "Association Tunisienne de Sfax" in page and "Sami Test Man" in page
    # Appointed seats: organisation and representative, no vote.
    assert "Funders and ministries: appointed, no vote in elections" in page
    assert "Ministères tunisiens Délégué ministère Man" in page
    assert "Agence Française de Développement Chargée de mission AFD Woman" in page
    assert "Solidarité Laïque Garante du programme" in page
    # The balance of the election's seats against its constraints (the world's seat has no election).
    assert "Balance against the constraints of Élection 2026" in page
    assert "2 of 4 seats filled." in page and "2 seats vacant" in page
    assert "College: Local authorities 0 at least 1 no" in page
    assert "College: French civil society 1 1 to 2 yes" in page
    assert "Country: Tunisia 1 at least 1 yes" in page
    assert "Gender parity 1 woman, 1 man, 0 others or undisclosed difference of at most 0 yes" in page
    # The seat left early is history, not current.
    assert "Ancienne représentante" in page.split("Past compositions")[1]
    assert "Ancienne représentante" not in page.split("Past compositions")[0]
    # No secretariat action for a delegate.
    assert "Record a resignation" not in page and "Appoint an ex-officio" not in page


def test_past_compositions_group_by_election_with_end_reasons_and_who_replaced_whom(
        client: FlaskClient, seats: Committee, app: Flask) -> None:
    with app.app_context():
        old = _election("Élection 2022", term_start=_today() - timedelta(days=900))
        new = _election("Élection 2024")
        a = factories.member("Ancien Membre Alpha")
        b = factories.member("Membre Bêta")
        c = factories.member("Membre Gamma")
        _mandate(a, election=old, starts=-900, ends=-170, representative="Rep Alpha")
        left = _mandate(b, election=new, ended=-5, representative="Rep Bêta")
        left.end_reason = "Démission pour raisons de santé"
        _mandate(c, election=new, starts=-5, representative="Rep Gamma", replaces=left)
        _mandate(kind=MandateKind.ex_officio, organisation="Ancien bailleur", starts=-900, ends=-170,
                 representative="Rep bailleur")
        db.session.commit()
    login(client, seats.emails["alternate"])
    page = _text(client.get("/committee"))
    current, past = page.split("Past compositions and changes during the term")
    assert "Membre Gamma replaces Membre Bêta since" in current
    assert "Membre Bêta" not in current.replace("replaces Membre Bêta", "")
    # Newest term first, then the older one, then the appointed seats.
    assert past.index("Élection 2024") < past.index("Élection 2022") < past.index("Appointed seats")
    assert "Membre Bêta Elected Rep Bêta" in past
    assert "Démission pour raisons de santé Membre Gamma, from" in past
    assert "Ancien Membre Alpha Elected Rep Alpha" in past and "End of the term" in past
    assert "Ancien bailleur Ex-officio Rep bailleur" in past


def test_a_composition_that_has_not_begun_is_shown_as_the_next_one(client: FlaskClient, seats: Committee,
                                                                   app: Flask) -> None:
    with app.app_context():
        coming = _election("Élection 2028", seats=2, term_start=_today() + timedelta(days=40))
        _mandate(factories.member("Futur Membre"), election=coming, starts=40, ends=770, representative="Rep futur")
        db.session.commit()
    login(client, seats.emails["secretariat"])
    page = _text(client.get("/committee"))
    assert "Next composition" in page
    nxt = page.split("Next composition")[1].split("Past compositions")[0]
    assert "Futur Membre" in nxt and "Balance against the constraints of Élection 2028" in nxt
    assert "Futur Membre" not in page.split("Next composition")[0]


_counting = counting



def _add_mandates(app: Flask, n: int, start: int) -> None:
    """``n`` more seats of every kind: elected (some replaced), guarantor, ex-officio, past and future."""
    with app.app_context():
        # Terms never overlap: each batch's election has its own term (the later batch, the later term).
        election = _election(f"Élection {start}", seats=n, term_start=_today() - timedelta(days=30 + 800 * (2 - start)))
        for i in range(n):
            member = factories.member(f"Membre {start}-{i}", college_code=("cs-fr", "cs-tn", "auth")[i % 3],
                                      country="FR" if i % 2 else "TN")
            if i % 5 == 0:
                gone = _mandate(member, election=election, ended=-3)
                _mandate(factories.member(f"Suppléant {start}-{i}"), election=election, starts=-3, replaces=gone)
            elif i % 5 == 1:
                _mandate(kind=MandateKind.ex_officio, organisation=f"Bailleur {start}-{i}")
            elif i % 5 == 2:
                _mandate(member, kind=MandateKind.guarantor, starts=-900, ends=-100)
            elif i % 5 == 3:
                _mandate(member, election=election, starts=10)
            else:
                _mandate(member, election=election, gender="male")
        db.session.commit()


def test_the_page_costs_the_same_queries_for_5_or_40_mandates(app: Flask, client: FlaskClient,
                                                              seats: Committee) -> None:
    login(client, seats.emails["secretariat"])
    _add_mandates(app, 5, 1)
    with _counting(app) as few:
        assert client.get("/committee").status_code == 200
    _add_mandates(app, 35, 2)
    with app.app_context():
        assert db.session.scalar(select(func.count(Mandate.id))) >= 40
    with _counting(app) as many:
        page = client.get("/committee")
    assert page.status_code == 200 and "Membre 2-34" in _html(page)
    assert len(many) == len(few), (len(few), len(many))
    assert len(many) <= 15


# Appointed seats -----------------------------------------------------------------------------------------

def _appoint_form(**overrides: str) -> dict[str, str]:
    data = {"kind": "ex_officio", "organisation": "Agence Française de Développement", "member_id": "0",
            "representative_name": "Responsable de programme", "gender": "female",
            "starts_on": _today().isoformat(), "ends_on": (_today() + timedelta(days=600)).isoformat()}
    data.update(overrides)
    return data


def test_the_secretariat_appoints_an_ex_officio_seat(app: Flask, client: FlaskClient, seats: Committee) -> None:
    login(client, seats.emails["secretariat"])
    form = _html(client.get("/committee/appoint"))
    assert _today().isoformat() in form  # the dates are offered
    response = client.post("/committee/appoint", data=_appoint_form(organisation="Ministères tunisiens"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/committee")
    page = _text(client.get("/committee"))
    assert "Ministères tunisiens holds the Ex-officio seat from" in page
    with app.app_context():
        mandate = db.session.scalar(select(Mandate).where(Mandate.organisation == "Ministères tunisiens"))
        assert mandate.kind == MandateKind.ex_officio and mandate.member_id is None
        assert mandate.representative_name == "Responsable de programme" and mandate.gender == "female"
        assert mandate.ends_on == _today() + timedelta(days=600)


def test_the_guarantor_seat_goes_to_a_member_and_gives_its_representatives_the_role(
        app: Flask, client: FlaskClient, seats: Committee) -> None:
    login(client, seats.emails["secretariat"])
    response = client.post("/committee/appoint", data=_appoint_form(
        kind="guarantor", organisation="", member_id=str(seats.member_id), representative_name="Garante"))
    assert response.status_code == 302
    with app.app_context():
        mandate = db.session.scalar(select(Mandate).where(Mandate.kind == MandateKind.guarantor))
        assert mandate.member_id == seats.member_id and mandate.organisation == ""
        assert Role.committee in _roles(app, seats.emails["alternate"])


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"member_id": "MEMBER"}, "member_id", "leave the member empty"),
    ({"organisation": ""}, "organisation", "Name the organisation."),
    ({"kind": "guarantor", "member_id": "MEMBER"}, "organisation", "not both"),
    ({"kind": "guarantor", "organisation": ""}, "organisation", "not both"),
    ({"kind": "elected"}, "kind", "Not a valid choice"),
    ({"representative_name": " "}, "representative_name", "Name the representative who sits."),
    ({"ends_on": "2020-01-01"}, "ends_on", "The mandate must end after it starts."),
    ({"starts_on": "not a date"}, "starts_on", "Not a valid date value."),
])
def test_an_invalid_appointment_is_refused_at_its_field_keeping_what_was_typed(
        app: Flask, client: FlaskClient, seats: Committee, overrides: dict, field: str, message: str) -> None:
    login(client, seats.emails["secretariat"])
    typed = {"organisation": "Fondation Typée"} | {
        k: (str(seats.member_id) if v == "MEMBER" else v) for k, v in overrides.items()}
    data = _appoint_form(**typed)
    response = client.post("/committee/appoint", data=data)
    assert response.status_code == 200
    page = _html(response)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', page), page[page.find("error"):][:500]
    if data["organisation"]:
        assert 'value="Fondation Typée"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Mandate.id))) == 2  # the fixture's two seats only


def test_an_appointed_seat_is_ended_without_substitute(app: Flask, client: FlaskClient, seats: Committee) -> None:
    login(client, seats.emails["secretariat"])
    page = _text(client.get(f"/committee/mandates/{seats.ex_officio_id}/end"))
    assert "End an appointed seat" in page and "Agence Française de Développement" in page
    assert "It is not filled automatically" in page
    response = client.post(f"/committee/mandates/{seats.ex_officio_id}/end",
                           data={"ended_on": _today().isoformat(), "reason": "Fin de la convention de financement"},
                           follow_redirects=True)
    text = _text(response)
    assert "The Ex-officio seat of Agence Française de Développement ends on" in text
    assert "Fin de la convention de financement" in text.split("Past compositions")[1]
    with app.app_context():
        mandate = db.session.get(Mandate, seats.ex_officio_id)
        assert mandate.ended_on == _today() and mandate.end_reason == "Fin de la convention de financement"
        assert db.session.scalar(select(func.count(Mandate.id))) == 2
    # Ended already: the page sends back to the committee.
    again = client.get(f"/committee/mandates/{seats.ex_officio_id}/end", follow_redirects=True)
    assert "This mandate has already ended." in _text(again)


def test_ending_a_seat_needs_a_reason_and_a_date_within_the_mandate(app: Flask, client: FlaskClient,
                                                                   seats: Committee) -> None:
    login(client, seats.emails["secretariat"])
    url = f"/committee/mandates/{seats.elected_id}/end"
    response = client.post(url, data={"ended_on": _today().isoformat(), "reason": " "})
    assert response.status_code == 200 and 'id="reason-error"' in _html(response)
    response = client.post(url, data={"ended_on": (_today() - timedelta(days=400)).isoformat(),
                                      "reason": "Retrait du membre"})
    assert response.status_code == 200
    assert re.search(r'id="ended_on-error">The date must fall within the mandate', _html(response))
    assert "Retrait du membre" in _html(response)  # kept
    with app.app_context():
        assert db.session.get(Mandate, seats.elected_id).ended_on is None


# Resignations and substitutes (a real election, counted) --------------------------------------------------

@dataclass
class Counted:
    election_id: int
    mandates: dict[str, int]  # candidate label -> mandate id (elected ones)
    names: dict[str, str]


def _run(app: Flask, candidates: dict[str, tuple[str, str, str]], ballots: list[str], seats: int,
         constraints: dict) -> Counted:
    """An election counted by the services: ``candidates`` label -> (college, country, gender); each
    ballot is a string of labels it approves. Every candidate member votes, plus blank voters."""
    with app.app_context():
        charter = factories.charter(version=2)
        members = {}
        for label, (college, country, _gender) in candidates.items():
            members[label] = factories.voters(1, charter_=charter, college_code=college, country=country,
                                              prefix=f"Cand{label}")[0]
        extra = factories.voters(max(0, len(ballots) - len(members)), charter_=charter, prefix="Electeur")
        election = _election("Élection avec suppléants", seats=seats, constraints=constraints,
                             term_start=_today() - timedelta(days=10))
        candidacies = {}
        for label, member in members.items():
            candidacies[label] = services.declare_candidacy(
                election, actor=_delegate(member), representative_name=f"Rep {label}",
                gender=candidates[label][2], statements={"fr": "Déclaration"})
            services.decide_candidacy(candidacies[label], actor=_secretariat(), validate=True)
        election.candidacy_closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        services.open_voting(election, actor=_secretariat(), closes_at=utcnow() + timedelta(hours=1))
        voters = [*members.values(), *extra]
        for voter, ballot in zip(voters, ballots, strict=False):
            voting.cast(election.vote_id, voter.id, ",".join(str(candidacies[c].id) for c in ballot),
                        actor=_delegate(voter))
        voting.close_vote(election.vote, actor=_secretariat())
        db.session.commit()
        by_candidacy = {m.candidacy_id: m.id for m in db.session.scalars(select(Mandate))}
        return Counted(election.id, {label: by_candidacy[c.id] for label, c in candidacies.items()
                                     if c.id in by_candidacy},
                       {label: m.name for label, m in members.items()})


def test_a_resignation_gives_the_seat_to_the_next_substitute(app: Flask, client: FlaskClient,
                                                             seats: Committee) -> None:
    counted = _run(app, {"A": ("cs-fr", "FR", "female"), "B": ("cs-fr", "FR", "male"),
                         "C": ("cs-tn", "TN", "female"), "D": ("cs-tn", "TN", "male")},
                   ["AB", "AB", "AC", "AD", "BC"], seats=2, constraints={})
    assert set(counted.mandates) == {"A", "B"}
    login(client, seats.emails["secretariat"])
    url = f"/committee/mandates/{counted.mandates['B']}/end"
    page = _text(client.get(url))
    assert "Record a resignation or withdrawal" in page and counted.names["B"] in page
    assert "the next substitute in the ranking whose election keeps the constraints" in page
    response = client.post(url, data={"ended_on": _today().isoformat(), "reason": "Démission"},
                           follow_redirects=True)
    text = _text(response)
    assert (f"{counted.names['B']} leaves the committee on" in text
            and f"{counted.names['C']}, the next substitute that keeps the constraints, takes the seat until" in text)
    current, past = text.split("Past compositions and changes during the term")
    assert f"{counted.names['C']} replaces {counted.names['B']} since" in current
    assert f"Démission {counted.names['C']}, from" in past
    with app.app_context():
        successor = db.session.scalar(select(Mandate).where(Mandate.replaces_id == counted.mandates["B"]))
        assert successor.starts_on == _today() and successor.representative_name == "Rep C"
        c_delegate = db.session.scalar(select(User).where(User.email == "candc-cs-tn-0@example.org"))
        b_delegate = db.session.scalar(select(User).where(User.email == "candb-cs-fr-0@example.org"))
        assert Role.committee in _roles(app, c_delegate.email)
        assert Role.committee not in _roles(app, b_delegate.email)


def test_when_no_substitute_keeps_the_constraints_the_seat_stays_vacant(app: Flask, client: FlaskClient,
                                                                        seats: Committee) -> None:
    # Two seats, at most one French member: A (FR) and C (TN) sit; the only substitute is French.
    counted = _run(app, {"A": ("cs-fr", "FR", "female"), "B": ("cs-fr", "FR", "male"),
                         "C": ("cs-tn", "TN", "female")},
                   ["AB", "AB", "AC"], seats=2, constraints={"country": {"FR": [0, 1]}})
    assert set(counted.mandates) == {"A", "C"}
    login(client, seats.emails["secretariat"])
    response = client.post(f"/committee/mandates/{counted.mandates['C']}/end",
                           data={"ended_on": _today().isoformat(), "reason": "Retrait du membre"},
                           follow_redirects=True)
    text = _text(response)
    assert "No substitute keeps the constraints: the seat stays vacant until the end of the term." in text
    assert "1 of 2 seats filled." in text and "1 seat vacant" in text
    assert "Nobody: the seat stayed vacant" in text
    with app.app_context():
        assert db.session.scalar(select(func.count(Mandate.id)).where(Mandate.replaces_id.is_not(None))) == 0


def test_the_flash_says_which_constraints_were_given_up(app: Flask, client: FlaskClient,
                                                        seats: Committee) -> None:
    # Three seats, two from cs-tn, at most one French member. B leaves: the cs-tn substitute (D) is French
    # and would exceed the maximum, so the minimum is given up and E (cs-fr, Tunisian) takes the seat.
    counted = _run(app, {"A": ("cs-tn", "TN", "female"), "B": ("cs-tn", "TN", "male"),
                         "C": ("cs-fr", "FR", "female"), "D": ("cs-tn", "FR", "male"),
                         "E": ("cs-fr", "TN", "male")},
                   ["ABC", "ABC", "ABC", "ABD", "ADE"], seats=3,
                   constraints={"college": {"cs-tn": [2, None]}, "country": {"FR": [0, 1]}})
    with app.app_context():
        _name_colleges()
        db.session.commit()
    assert set(counted.mandates) == {"A", "B", "C"}
    login(client, seats.emails["secretariat"])
    response = client.post(f"/committee/mandates/{counted.mandates['B']}/end",
                           data={"ended_on": _today().isoformat(), "reason": "Démission"}, follow_redirects=True)
    text = _text(response)
    assert f"{counted.names['E']}, the next substitute that keeps the constraints, takes the seat" in text
    assert ("To fill the seat, these constraints were given up: the minimum seats per college and per country."
            in text)
    assert "College: Tunisian civil society 1 at least 2 no" in text


# Reminders before a term ends ----------------------------------------------------------------------------

@pytest.fixture
def ending(app: Flask, world: factories.World) -> dict[str, int]:
    """Seats ending in 30 days (a member's, with a delegate and an alternate), in 20 days (an ex-officio
    seat), in 90 days, and one that ended early."""
    with app.app_context():
        member = db.session.get(Member, world.member_id)
        other = db.session.get(Member, world.other_member_id)
        soon = _mandate(member, ends=30)
        funder = _mandate(kind=MandateKind.ex_officio, organisation="Agence Française de Développement", ends=20)
        later = _mandate(other, ends=90)
        gone = _mandate(other, ends=10, ended=-1)
        factories.user("sec2@example.org", kind=UserKind.secretariat)
        db.session.commit()
        return {"soon": soon.id, "funder": funder.id, "later": later.id, "gone": gone.id}


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_remind_emails_representatives_and_the_secretariat_once_per_mandate(
        app: Flask, runner, world: factories.World, ending: dict[str, int]) -> None:  # noqa: ANN001
    result = runner.invoke(args=["committee", "remind", "--within-days", "60"])
    assert result.exit_code == 0, result.output
    # 2 seats; the member's delegate and alternate (one mail each), two secretariat users (one list each).
    assert "2 mandate(s) reminded, 4 e-mail(s) sent." in result.output
    with app.app_context():
        mails = _outbox()
        recipients = sorted(m.recipient for m in mails)
        assert recipients == sorted([world.emails["delegate"], world.emails["alternate"],
                                     world.emails["secretariat"], "sec2@example.org"])
        to_delegate = next(m for m in mails if m.recipient == world.emails["delegate"])
        assert "Association des Jeunes de Gafsa" in to_delegate.body
        assert "/committee" in to_delegate.body and to_delegate.body.count("http") == 1
        digest = next(m for m in mails if m.recipient == world.emails["secretariat"])
        assert "Association des Jeunes de Gafsa" in digest.body and "Agence Française de Développement" in digest.body
        assert "Collectif Solidaire de Nantes" not in digest.body
        reminded = {m.id for m in db.session.scalars(select(Mandate).where(Mandate.reminded_at.is_not(None)))}
        assert reminded == {ending["soon"], ending["funder"]}
    again = runner.invoke(args=["committee", "remind", "--within-days", "60"])
    assert again.exit_code == 0 and "0 mandate(s) reminded, 0 e-mail(s) sent." in again.output
    wider = runner.invoke(args=["committee", "remind", "--within-days", "120"])
    assert "1 mandate(s) reminded" in wider.output
    with app.app_context():
        assert len(_outbox()) == 4 + 1 + 2  # the other member's delegate, and the two secretariat users


def test_remind_writes_in_each_recipients_language(app: Flask, runner, world: factories.World,  # noqa: ANN001
                                                   ending: dict[str, int]) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.email == world.emails["alternate"])).locale = "fr"
        db.session.scalar(select(User).where(User.email == world.emails["delegate"])).locale = "en"
        db.session.commit()
    assert runner.invoke(args=["committee", "remind"]).exit_code == 0
    with app.app_context():
        mails = {m.recipient: m for m in _outbox()}
        english = mails[world.emails["delegate"]]
        assert english.subject.startswith("Your committee seat ends on")
        assert "The steering-committee seat of Association des Jeunes de Gafsa ends on" in english.body
        assert mails[world.emails["alternate"]].body.strip()


def test_remind_refuses_a_window_below_one_day(runner) -> None:  # noqa: ANN001
    result = runner.invoke(args=["committee", "remind", "--within-days", "0"])
    assert result.exit_code != 0


def test_two_overlapping_runs_claim_each_mandate_once(app: Flask, ending: dict[str, int]) -> None:
    """The claim is one conditional UPDATE: a second run that starts before the first commits waits for
    it, then finds nothing left (PostgreSQL; SQLite has a single writer)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs two concurrent writers (PostgreSQL)")
        engine = db.engine
    statement = committee.claim_statement(60, _today())
    results: dict[str, list[int]] = {}
    with engine.connect() as first:
        results["first"] = sorted(first.execute(statement).scalars())

        def second_run() -> None:
            with engine.connect() as second:
                results["second"] = sorted(second.execute(statement).scalars())
                second.commit()

        thread = threading.Thread(target=second_run)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the second run should wait for the first one's claim"
        first.commit()
    thread.join(timeout=10)
    assert results["first"] == sorted([ending["soon"], ending["funder"]])
    assert results["second"] == []
