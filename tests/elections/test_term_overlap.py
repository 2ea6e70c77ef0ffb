"""Terms of the elected seats never overlap: the rule (a table), the service's guard, the set-up
form's message at the field, the committee page capped at the seats, and the set-up page saying
why voting cannot open while candidacies are open."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly.models import Vote
from app.auth.models import User, UserKind
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.elections import committee, services, terms
from app.elections.models import Election, Mandate, MandateKind
from app.extensions import db
from tests import factories
from tests.conftest import login

D = date

# The rule ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b", "expected"), [
    ((D(2026, 1, 1), D(2028, 1, 1)), (D(2028, 1, 1), D(2030, 1, 1)), False),  # touch at the boundary
    ((D(2028, 1, 1), D(2030, 1, 1)), (D(2026, 1, 1), D(2028, 1, 1)), False),  # same, other order
    ((D(2026, 1, 1), D(2028, 1, 1)), (D(2027, 12, 31), D(2029, 12, 31)), True),  # one day in common
    ((D(2026, 1, 1), D(2028, 1, 1)), (D(2026, 1, 1), D(2028, 1, 1)), True),  # identical
    ((D(2026, 1, 1), D(2030, 1, 1)), (D(2027, 1, 1), D(2028, 1, 1)), True),  # contained
    ((D(2027, 1, 1), D(2028, 1, 1)), (D(2026, 1, 1), D(2030, 1, 1)), True),  # containing
    ((D(2026, 1, 1), D(2028, 1, 1)), (D(2027, 1, 1), D(2029, 1, 1)), True),  # partial, later
    ((D(2027, 1, 1), D(2029, 1, 1)), (D(2026, 1, 1), D(2028, 1, 1)), True),  # partial, earlier
    ((D(2020, 1, 1), D(2022, 1, 1)), (D(2026, 1, 1), D(2028, 1, 1)), False),  # apart
    ((D(2026, 1, 1), D(2028, 1, 1)), (D(2028, 1, 2), D(2030, 1, 1)), False),  # a day apart
])
def test_overlaps(a: tuple[date, date], b: tuple[date, date], expected: bool) -> None:
    assert terms.overlaps(*a, *b) is expected


@pytest.mark.parametrize(("count", "holds"), [
    (None, True),  # not counted yet: current or scheduled
    ({"allocation": {"elected": ["3", "4"]}}, True),
    ({"allocation": {"elected": [], "notices": [{"key": "void"}]}}, False),  # void: nobody elected
    ({"allocation": {}}, False),
])
def test_only_an_election_with_nobody_elected_frees_its_term(count: dict | None, holds: bool) -> None:
    assert terms.holds_term(count) is holds


def test_first_overlap_names_the_earliest_clash() -> None:
    others = [terms.OtherTerm(3, "C", D(2029, 1, 1), D(2031, 1, 1)), terms.OtherTerm(2, "B", D(2027, 6, 1), D(2029, 6, 1)),
              terms.OtherTerm(1, "A", D(2024, 1, 1), D(2026, 1, 1))]
    assert terms.first_overlap(D(2026, 1, 1), D(2030, 1, 1), others).title == "B"
    assert terms.first_overlap(D(2026, 1, 1), D(2027, 6, 1), others) is None


@pytest.mark.parametrize(("seats", "capacity", "shown"), [
    ([("e1", 1), ("e1", 2)], {"e1": 2}, [("e1", 1), ("e1", 2)]),
    ([("e1", 1), ("e1", 2), ("e1", 3)], {"e1": 2}, [("e1", 1), ("e1", 2)]),  # never more than the seats
    ([("e1", 1), ("e2", 2), ("e1", 3), ("e2", 4)], {"e1": 2, "e2": 2}, [("e2", 2), ("e2", 4)]),  # the latest term
    ([(None, 1), (None, 2)], {}, [(None, 1), (None, 2)]),
    ([(None, 1), ("e1", 2), ("e1", 3)], {"e1": 1}, [(None, 1), ("e1", 2)]),
    ([], {}, []),
])
def test_the_committee_shows_one_terms_seats_at_most(seats: list, capacity: dict, shown: list) -> None:
    assert terms.latest_seats(seats, lambda s: s[0], lambda key: capacity[key]) == shown


# The service and the set-up form --------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


FORMAT = "%Y-%m-%dT%H:%M"


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == UserKind.secretariat))


def _data(title: str, start: date, years: int = 2, seats: int = 2, closes_in: timedelta = timedelta(days=10)) -> dict:
    now = utcnow()
    return {"title": title, "seats": seats, "term_starts_on": start, "term_years": years,
            "candidacy_opens_at": now - timedelta(days=1), "candidacy_closes_at": now + closes_in, "constraints": {}}


def _make(app: Flask, title: str, start: date, **kwargs: object) -> int:
    with app.test_request_context():
        election = services.create_election(actor=_secretariat(), data=_data(title, start, **kwargs))
        db.session.commit()
        return election.id


@pytest.mark.parametrize(("start", "years", "refused"), [
    (D(2029, 1, 1), 2, False),  # starts the day the first ends
    (D(2024, 1, 1), 3, False),  # ends the day the first starts
    (D(2027, 1, 1), 2, True),  # identical
    (D(2028, 12, 31), 2, True),  # one day in common
    (D(2027, 6, 1), 1, True),  # contained
    (D(2026, 1, 1), 5, True),  # containing
])
def test_the_service_refuses_an_overlapping_term(app: Flask, world: factories.World, start: date, years: int,
                                                 refused: bool) -> None:
    _make(app, "Élection 2027", D(2027, 1, 1))
    with app.test_request_context():
        if refused:
            with pytest.raises(DomainError) as caught:
                services.create_election(actor=_secretariat(), data=_data("Élection bis", start, years))
            assert caught.value.field == "term_starts_on"
            assert "Élection 2027" in str(caught.value.message) and "1 janv. 2029" in str(caught.value.message)  # French
        else:
            services.create_election(actor=_secretariat(), data=_data("Élection bis", start, years))
        db.session.rollback()


def test_the_service_guards_edits_too_and_lets_an_election_keep_its_own_term(app: Flask,
                                                                              world: factories.World) -> None:
    _make(app, "Élection 2027", D(2027, 1, 1))
    later = _make(app, "Élection 2029", D(2029, 1, 1))
    with app.test_request_context():
        election = db.session.get(Election, later)
        services.update_election(election, actor=_secretariat(), data=_data("Élection 2029 (renamed)", D(2029, 1, 1)))
        with pytest.raises(DomainError) as caught:
            services.update_election(election, actor=_secretariat(), data=_data("Élection 2029", D(2028, 1, 1)))
        assert caught.value.field == "term_starts_on"
        db.session.rollback()


def test_a_void_election_frees_its_term(app: Flask, world: factories.World) -> None:
    first = _make(app, "Élection nulle", D(2027, 1, 1))
    with app.test_request_context():
        db.session.get(Election, first).count = {"allocation": {"elected": [], "notices": [{"key": "void"}]}}
        db.session.commit()
    _make(app, "Élection reprise", D(2027, 1, 1))


def _form(**overrides: str) -> dict[str, str]:
    now = utcnow()
    data = {"title": "Élection partielle", "seats": "2", "term_starts_on": "2028-01-01", "term_years": "2",
            "candidacy_opens_at": (now - timedelta(days=1)).strftime(FORMAT),
            "candidacy_closes_at": (now + timedelta(days=10)).strftime(FORMAT), "assembly_id": "0",
            "parity_tolerance": ""}
    for prefix in ("colleges", "countries"):
        for i in range(2):
            data[f"{prefix}-{i}-minimum"] = ""
            data[f"{prefix}-{i}-maximum"] = ""
    data.update(overrides)
    return data


def _elections(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Election.id)))


@pytest.mark.parametrize("page", ["new", "edit"])
def test_the_form_says_it_at_the_term_and_keeps_the_input(app: Flask, client: FlaskClient, world: factories.World,
                                                          page: str) -> None:
    with app.app_context():
        factories.college("cs-tn")
        db.session.commit()
    _make(app, "Élection 2027", D(2027, 1, 1))
    url = "/elections/new"
    if page == "edit":
        url = f"/elections/{_make(app, 'Élection 2031', D(2031, 1, 1))}/edit"
    before = _elections(app)
    login(client, world.emails["secretariat"])
    response = client.post(url, data=_form())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    field = html[html.index('for="term_starts_on"'):html.index('name="term_years"')]
    assert "overlaps the term of the election" in field and "Élection 2027" in field and "Jan 1, 2029" in field
    assert 'value="2028-01-01"' in html and 'value="Élection partielle"' in html
    assert _elections(app) == before
    with app.app_context():
        assert "Élection partielle" not in db.session.scalars(select(Election.title)).all()


# The committee page ------------------------------------------------------------------------------------

def test_the_committee_page_never_shows_more_current_mandates_than_seats(app: Flask, client: FlaskClient,
                                                                         world: factories.World) -> None:
    """Elections saved before the rule may overlap (8 mandates for 2 seats): one term's seats are shown."""
    today = utcnow().date()
    with app.app_context():
        elections = []
        for k in range(4):  # written directly: the service now refuses the overlap
            e = Election(title=f"Run {k}", seats=2, term_starts_on=today - timedelta(days=40 - k), term_years=2,
                         candidacy_opens_at=utcnow(), candidacy_closes_at=utcnow(),
                         vote=Vote(kind="election"))
            db.session.add(e)
            elections.append(e)
        db.session.flush()
        for k, e in enumerate(elections):
            for i in range(2):
                member = factories.member(f"Élu {k}-{i}")
                db.session.add(Mandate(kind=MandateKind.elected, member_id=member.id, election_id=e.id,
                                       representative_name=f"Rep {k}-{i}", starts_on=e.term_starts_on,
                                       ends_on=e.term_ends_on))
        db.session.commit()
        shown = committee.composition().elected
        assert len(shown) == 2 and {s.mandate.election.title for s in shown} == {"Run 3"}
    login(client, world.emails["delegate"])
    html = client.get("/committee").get_data(as_text=True)
    current = html.split("Past compositions")[0]
    assert current.count("Élu 3-") == 2 and "Élu 0-" not in current and "Élu 2-" not in current


# Why voting cannot open yet ----------------------------------------------------------------------------

def test_the_set_up_says_why_voting_cannot_open_while_candidacies_are_open(app: Flask, client: FlaskClient,
                                                                           world: factories.World) -> None:
    election_id = _make(app, "Élection 2027", D(2027, 1, 1), closes_in=timedelta(days=3))
    with app.app_context():
        closes = db.session.get(Election, election_id).candidacy_closes_at
    login(client, world.emails["secretariat"])
    detail = client.get(f"/elections/{election_id}").get_data(as_text=True)
    assert 'id="opening-waits"' in detail and "Voting cannot open while candidacies are open" in detail
    def says_when(text: str) -> bool:  # the time candidacies close, in whatever format the language writes it
        return str(closes.day) in text and str(closes.year % 100) in text and f":{closes.minute:02d}" in text

    assert says_when(detail.split('id="opening-waits"')[1].split("</p>")[0])
    assert "bring the close of candidacies forward in the set-up" in detail
    opening = client.get(f"/elections/{election_id}/open").get_data(as_text=True)
    assert 'id="open-refused"' in opening and "Voting cannot open while candidacies are open" in opening
    assert says_when(opening.split('id="open-refused"')[1].split("</div>")[0])
    # Once candidacies have closed the page stops saying it (the other reasons take over).
    with app.app_context():
        db.session.get(Election, election_id).candidacy_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    detail = client.get(f"/elections/{election_id}").get_data(as_text=True)
    assert 'id="opening-waits"' not in detail
    opening = client.get(f"/elections/{election_id}/open").get_data(as_text=True)
    assert "while candidacies are open" not in opening and "No candidacy has been validated." in opening


def test_members_do_not_see_the_secretariats_opening_notice(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    election_id = _make(app, "Élection 2027", D(2027, 1, 1))
    login(client, world.emails["delegate"])
    assert 'id="opening-waits"' not in client.get(f"/elections/{election_id}").get_data(as_text=True)
