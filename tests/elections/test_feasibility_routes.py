"""Opening an election whose validated candidates cannot meet the constraints is refused with the
reason, as the secretariat sees it; the fallback setting on the set-up form and the election page;
and the fallback at the count when a candidacy goes after the opening ("void": nobody elected,
said in words, no mandate; "relax": the relaxation said), recounted from the board."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly import voting
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.elections import services
from app.elections.models import Candidacy, CandidacyStatus, Election, Mandate
from app.extensions import db
from tests import factories
from tests.conftest import login
from tests.elections.test_election_recount import export, run
from tests.elections.test_election_routes import FORMAT, _form, _html, _race, _secretariat


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _close_candidacies(app: Flask, election_id: int) -> None:
    with app.app_context():
        db.session.get(Election, election_id).candidacy_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def _opened(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "vote.opened"))


def test_opening_is_refused_while_no_committee_can_meet_the_constraints(app: Flask, client: FlaskClient,
                                                                        world: factories.World) -> None:
    # Seats 3, at least 2 from Tunisia; one Tunisian stands (and one French member).
    race = _race(app, stand=(0, 4), constraints={"country": {"TN": [2, None]}}, open_vote=False)
    _close_candidacies(app, race.election_id)
    login(client, world.emails["secretariat"])
    reason = ("No committee can meet the constraints with the validated candidates: at least 2 seats for members "
              "from Tunisia, but only 1 validated candidates there.")
    html = _html(client.get(f"/elections/{race.election_id}/open"))
    assert "Voting cannot open" in html and reason in html
    before = _opened(app)
    later = (utcnow() + timedelta(days=2)).strftime(FORMAT)
    response = client.post(f"/elections/{race.election_id}/open", data={"closes_at": later})
    assert response.status_code == 200 and reason in _html(response)
    with app.app_context():
        election = db.session.get(Election, race.election_id)
        assert election.vote.status == "pending" and not election.frozen and election.vote.opened_at is None
    assert _opened(app) == before  # nothing changed, nothing audited
    # The secretariat adjusts the constraints: voting opens.
    with app.app_context():
        election = db.session.get(Election, race.election_id)
        election.constraints = {"country": {"TN": [1, None]}}
        db.session.commit()
    assert "Voting cannot open" not in _html(client.get(f"/elections/{race.election_id}/open"))
    response = client.post(f"/elections/{race.election_id}/open", data={"closes_at": later})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Election, race.election_id).vote.status == "open"


def test_parity_that_no_committee_meets_is_said(app: Flask, client: FlaskClient, world: factories.World) -> None:
    # Two men stand (genders alternate from male: indexes 0 and 2 of ``stand``), parity 0.
    race = _race(app, stand=(0, 1, 2), constraints={"country": {"FR": [3, None]}, "parity_tolerance": 0},
                 open_vote=False)
    with app.app_context():
        db.session.get(Candidacy, race.candidacy_ids[1]).status = CandidacyStatus.rejected
        db.session.commit()
    _close_candidacies(app, race.election_id)
    login(client, world.emails["secretariat"])
    html = _html(client.post(f"/elections/{race.election_id}/open",
                             data={"closes_at": (utcnow() + timedelta(days=2)).strftime(FORMAT)}))
    assert "at least 3 seats for members from France, but only 2 validated candidates there" in html
    assert "gender parity within 0" in html and "with 0 women, 2 men and 0 others" in html
    with app.app_context():
        assert db.session.get(Election, race.election_id).vote.status == "pending"


def test_the_fallback_is_set_on_the_form_and_shown(app: Flask, client: FlaskClient, world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    html = _html(client.get("/elections/new"))
    assert 'name="infeasible_fallback"' in html and "the election is void and nobody is elected" in html
    assert re.search(r'<option selected value="relax">|<option value="relax" selected', html)
    # A value that is not offered is refused at its field; nothing is saved, what was typed is kept.
    html = _html(client.post("/elections/new", data=_form(title="Élection au repli inconnu",
                                                          infeasible_fallback="toss")))
    assert 'id="infeasible_fallback-error"' in html and 'value="Élection au repli inconnu"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Election.id))) == 0
    response = client.post("/elections/new", data=_form(infeasible_fallback="void"))
    assert response.status_code == 302
    with app.app_context():
        election = db.session.scalar(select(Election))
        assert election.infeasible_fallback == "void"
        election_id = election.id
    html = _html(client.get(f"/elections/{election_id}"))
    assert re.search(r'id="infeasible-fallback">Declare the election void<', html)
    html = _html(client.get(f"/elections/{election_id}/edit"))
    assert re.search(r'<option selected value="void">|<option value="void" selected', html)
    opens = re.search(r'name="candidacy_opens_at"[^>]*value="([^"]+)"', html).group(1)
    closes = re.search(r'name="candidacy_closes_at"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(f"/elections/{election_id}/edit", data=_form(
        candidacy_opens_at=opens, candidacy_closes_at=closes, infeasible_fallback="relax"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Election, election_id).infeasible_fallback == "relax"
    assert "Relax the minimums, then parity, one seat at a time" in _html(client.get(f"/elections/{election_id}"))
    # Left out (an older page): the default.
    assert "infeasible_fallback" not in _form()
    client.post("/elections/new", data=_form(title="Sans repli", term_starts_on="2031-01-01"))  # terms never overlap
    with app.app_context():
        assert db.session.scalar(select(Election.infeasible_fallback).where(Election.title == "Sans repli")) == "relax"


def _withdraw_and_close(app: Flask, candidacy_id: int, election_id: int) -> None:
    """A candidacy goes after the opening (nobody approved it), then voting closes."""
    with app.test_request_context():
        db.session.get(Candidacy, candidacy_id).status = CandidacyStatus.withdrawn
        voting.close_vote(db.session.get(Election, election_id).vote, actor=_secretariat())
        db.session.commit()


def test_void_at_the_count(app: Flask, client: FlaskClient, world: factories.World, tmp_path: Path) -> None:
    # At least 2 from Tunisia; two Tunisians stand (indexes 4 and 5); one withdraws after the opening.
    race = _race(app, stand=(0, 4, 5), constraints={"country": {"TN": [2, None]}}, open_vote=False)
    with app.app_context():
        db.session.get(Election, race.election_id).infeasible_fallback = "void"
        db.session.commit()
    _close_candidacies(app, race.election_id)
    with app.test_request_context():
        election = db.session.get(Election, race.election_id)
        services.open_voting(election, actor=_secretariat(), closes_at=utcnow() + timedelta(hours=2))
        voter = db.session.get(Candidacy, race.candidacy_ids[0]).member  # approves itself and the first Tunisian
        voting.cast(election.vote_id, voter.id, f"{race.candidacy_ids[0]},{race.candidacy_ids[1]}",
                    actor=next(u for u in voter.representatives if u.is_delegate))
        db.session.commit()
    _withdraw_and_close(app, race.candidacy_ids[2], race.election_id)
    with app.app_context():
        election = db.session.get(Election, race.election_id)
        allocation = election.count["allocation"]
        assert allocation["elected"] == [] and allocation["substitutes"] == [] and allocation["vacant"] == 3
        assert not allocation["feasible"] and allocation["notices"][0]["key"] == "void"
        assert election.vote.result["elected"] == [] and election.vote.result["vacant"] == 3
        assert db.session.scalar(select(func.count(Mandate.id)).where(Mandate.election_id == election.id)) == 0
    login(client, world.emails["ex_officio"])
    html = _html(client.get(f"/elections/{race.election_id}/results"))
    assert "The election is void" in html and "Nobody is elected." in html
    assert "at least 2 seats for members from Tunisia, but only 1 validated candidates there" in html
    assert "no mandate is created" in html
    board = export(app, race.vote_id)
    assert board["election"]["infeasible_fallback"] == "void"
    code, printed, err = run(app, board, tmp_path)
    assert code == 0, err
    assert printed["allocation"]["notices"][0]["key"] == "void"


def test_relax_at_the_count(app: Flask, client: FlaskClient, world: factories.World, tmp_path: Path) -> None:
    # Parity 0: a man and a woman stand (indexes 0 and 1 of ``stand``); the woman withdraws after the opening.
    race = _race(app, stand=(0, 1), ballots={0: (0,), 1: (0,)}, constraints={"parity_tolerance": 0}, close=False)
    _withdraw_and_close(app, race.candidacy_ids[1], race.election_id)
    with app.app_context():
        election = db.session.get(Election, race.election_id)
        assert election.infeasible_fallback == "relax"
        allocation = election.count["allocation"]
        assert allocation["elected"] == [str(race.candidacy_ids[0])] and allocation["feasible"]
        assert [n["key"] for n in allocation["notices"]] == ["no_committee", "relaxed", "vacant"]
        assert db.session.scalar(select(func.count(Mandate.id)).where(Mandate.election_id == election.id)) == 1
    login(client, world.emails["ex_officio"])
    html = _html(client.get(f"/elections/{race.election_id}/results"))
    assert "The election is void" not in html
    assert "the constraints were relaxed one seat at a time" in html
    assert "Gender parity relaxed: women and men may differ by 1 instead of 0." in html
    board = export(app, race.vote_id)
    assert board["election"]["infeasible_fallback"] == "relax"
    code, printed, err = run(app, board, tmp_path)
    assert code == 0, err
    assert printed["allocation"]["elected"] == [str(race.candidacy_ids[0])]
