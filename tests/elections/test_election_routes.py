"""Election pages as users see them: set-up, candidacies, the approval ballot on the vote page,
results, proclamation; who may do what; and a bounded number of queries per page."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from app.assembly import secrecy, voting
from app.assembly.models import Ballot, Participation, Proxy, Vote
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.elections import services
from app.elections.models import Candidacy, CandidacyStatus, Election, Mandate, MandateKind
from app.extensions import db
from app.members.models import Charter, Member
from tests import factories
from tests.conftest import login
from tests.members.test_directory_queries import counting

FORMAT = "%Y-%m-%dT%H:%M"


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    """These tests read the English messages (French is the default language)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _html(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def _signed(app: Flask, vote_id: int, member_id: int) -> dict[str, str]:
    """A tracker and its MAC as a confirm page gives them (for hand-made casts)."""
    with app.app_context():
        tracker = secrecy.new_tracker()
        return {"tracker": tracker, "mac": secrecy.tracker_mac(secrecy.tracker_key(app.config["SECRET_KEY"]),
                                                               vote_id, member_id, tracker)}


def _receipt(html: str) -> dict[str, str]:
    """The tracker and its MAC carried by a confirm page's cast form."""
    return {"tracker": _value(html, "tracker") or "", "mac": _value(html, "mac") or ""}


def _value(html: str, name: str) -> str | None:
    """The value of the input named ``name`` (attributes come in any order)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def _checked(html: str, value: str) -> bool:
    return any('checked' in tag and f'value="{value}"' in tag for tag in re.findall(r'<input[^>]*type="checkbox"[^>]*>',
                                                                                   html))


def _count(app: Flask, column) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


def _delegate(member: Member) -> User:
    return next(u for u in member.representatives if u.is_delegate)


def _secretariat() -> User:
    return db.session.scalar(select(User).where(User.kind == UserKind.secretariat))


def _form(**overrides: str) -> dict[str, str]:
    """The set-up form as typed (rows: colleges sorted by code, cs-fr then cs-tn; countries FR, TN)."""
    now = utcnow()
    data = {"title": "Élection du comité de pilotage 2027", "seats": "3", "term_starts_on": "2027-01-01",
            "term_years": "2", "candidacy_opens_at": (now - timedelta(days=1)).strftime(FORMAT),
            "candidacy_closes_at": (now + timedelta(days=10)).strftime(FORMAT), "assembly_id": "0",
            "parity_tolerance": ""}
    for prefix in ("colleges", "countries"):
        for i in range(2):
            data[f"{prefix}-{i}-minimum"] = ""
            data[f"{prefix}-{i}-maximum"] = ""
    data.update(overrides)
    return data


def _make_election(app: Flask, *, seats: int = 3, opens_in: timedelta = timedelta(days=-1),
                   closes_in: timedelta = timedelta(days=10), constraints: dict | None = None,
                   assembly_id: int | None = None, title: str = "Élection du comité de pilotage",
                   term_start: date = date(2027, 1, 1)) -> int:
    with app.test_request_context():
        now = utcnow()
        election = services.create_election(actor=_secretariat(), data={
            "title": title, "seats": seats, "term_starts_on": term_start, "term_years": 2,
            "candidacy_opens_at": now + opens_in, "candidacy_closes_at": now + closes_in,
            "assembly_id": assembly_id, "constraints": constraints or {}})
        db.session.commit()
        return election.id


def _sign_world(app: Flask, world: factories.World) -> None:
    """The world's two members sign the charter (they may then stand and vote)."""
    with app.app_context():
        charter = db.session.get(Charter, world.charter_id)
        for member_id in (world.member_id, world.other_member_id):
            member = db.session.get(Member, member_id)
            factories.sign(member, charter, _delegate(member))
        db.session.commit()


def _stand(election_id: int, member: Member, *, gender: str = "female", validate: bool | None = True,
           statement_fr: str = "Nous voulons servir le programme.", statement_en: str = "") -> Candidacy:
    election = db.session.get(Election, election_id)
    candidacy = services.declare_candidacy(election, actor=_delegate(member),
                                           representative_name=f"Représentant {member.name}", gender=gender,
                                           statements={"fr": statement_fr, "en": statement_en, "ar": ""})
    if validate is not None:
        services.decide_candidacy(candidacy, actor=_secretariat(), validate=validate,
                                  reason="" if validate else "Charte non signée")
    return candidacy


def _open(election_id: int) -> None:
    election = db.session.get(Election, election_id)
    election.candidacy_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.open_voting(election, actor=_secretariat(), closes_at=utcnow() + timedelta(hours=2))
    db.session.commit()


@dataclass
class Race:
    """An election with validated candidates, open or closed."""

    election_id: int
    vote_id: int
    names: list[str]  # candidates, in the order they stood
    candidacy_ids: list[int]
    emails: dict[str, str]  # member name -> delegate e-mail


def _race(app: Flask, *, fr: int = 4, tn: int = 3, stand: tuple[int, ...] = (0, 1, 2, 4, 5),
          ballots: dict[int, tuple[int, ...]] | None = None, close: bool = True, seats: int = 3,
          constraints: dict | None = None, prefix: str = "Voter", assembly_id: int | None = None,
          open_vote: bool = True, term_start: date = date(2027, 1, 1)) -> Race:
    """``fr`` French and ``tn`` Tunisian voters; the members at indexes ``stand`` stand (validated);
    ``ballots`` maps a voter index to the indexes (in ``stand``) of the candidates it approves."""
    with app.test_request_context():
        charter = db.session.scalar(select(Charter).order_by(Charter.version.desc())) or factories.charter()
        members = (factories.voters(fr, charter_=charter, college_code="cs-fr", prefix=prefix)
                   + factories.voters(tn, charter_=charter, college_code="cs-tn", country="TN", prefix=prefix))
        member_ids = [m.id for m in members]
        db.session.commit()
    election_id = _make_election(app, seats=seats, constraints=constraints, assembly_id=assembly_id,
                                 term_start=term_start)
    with app.test_request_context():
        members = [db.session.get(Member, i) for i in member_ids]
        candidacies = [_stand(election_id, members[i], gender="female" if k % 2 else "male")
                       for k, i in enumerate(stand)]
        db.session.commit()
        ids = [c.id for c in candidacies]
        names = [members[i].name for i in stand]
        if open_vote:
            _open(election_id)
        election = db.session.get(Election, election_id)
        for voter, approved in (ballots or {}).items():
            member = members[voter]
            voting.cast(election.vote_id, member.id, ",".join(str(ids[k]) for k in approved), actor=_delegate(member))
        db.session.commit()
        if close and open_vote:
            voting.close_vote(election.vote, actor=_secretariat())
            db.session.commit()
        return Race(election_id, election.vote_id, names, ids, {m.name: _delegate(m).email for m in members})


# Set-up ----------------------------------------------------------------------------------------

def test_secretariat_sets_up_an_election_with_constraints(app: Flask, client: FlaskClient,
                                                          world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    html = _html(client.get("/elections/new"))
    assert _value(html, "seats") == "12" and _value(html, "term_years") == "2"
    assert 'name="colleges-0-minimum"' in html and 'name="colleges-1-maximum"' in html  # one row per college
    assert 'name="countries-1-minimum"' in html  # France and Tunisia
    with app.app_context():
        assembly = factories.assembly(title="Assemblée élective")
        db.session.commit()
        assembly_id = assembly.id
    response = client.post("/elections/new", data=_form(**{
        "colleges-0-maximum": "2", "countries-1-minimum": "1", "parity_tolerance": "1",
        "assembly_id": str(assembly_id)}))
    assert response.status_code == 302, _html(response)[:3000]
    with app.app_context():
        election = db.session.scalar(select(Election))
        assert election.seats == 3 and election.term_years == 2 and election.assembly_id == assembly_id
        assert election.constraints == {"college": {"cs-fr": [0, 2]}, "country": {"TN": [1, None]},
                                        "parity_tolerance": 1}
        assert election.candidacy_opens_at.tzinfo is not None and election.vote.kind == "election"
        assert election.vote.assembly_id == assembly_id
    html = _html(client.get(response.headers["Location"]))
    assert "Élection du comité de pilotage 2027" in html
    assert "at most 2 seats" in html and "Members from Tunisia: at least 1 seat" in html
    assert "differ by at most 1" in html and "Assemblée élective" in html
    assert "Élection du comité de pilotage 2027" in _html(client.get("/elections"))


def test_bad_input_is_explained_at_each_field_and_kept(app: Flask, client: FlaskClient,
                                                       world: factories.World) -> None:
    login(client, world.emails["secretariat"])
    response = client.post("/elections/new", data=_form(title="", seats="0", term_years="", **{
        "colleges-0-minimum": "two", "countries-0-maximum": "-1", "candidacy_opens_at": "tomorrow"}))
    assert response.status_code == 200
    html = _html(response)
    for field_id in ("title", "seats", "term_years", "colleges-0-minimum", "countries-0-maximum",
                     "candidacy_opens_at"):
        assert f'id="{field_id}-error"' in html, field_id
    assert 'value="two"' in html and 'value="-1"' in html and 'value="tomorrow"' in html
    assert _count(app, Election.id) == 0
    # A window that closes before it opens is refused at its field.
    now = utcnow()
    html = _html(client.post("/elections/new", data=_form(
        candidacy_opens_at=(now + timedelta(days=5)).strftime(FORMAT),
        candidacy_closes_at=(now + timedelta(days=1)).strftime(FORMAT))))
    assert 'id="candidacy_closes_at-error"' in html and "The candidacy window must end after it opens." in html
    assert _count(app, Election.id) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"colleges-0-minimum": "4"}, "A minimum is larger than the number of seats"),
    ({"colleges-0-minimum": "2", "colleges-0-maximum": "1"}, "A minimum is larger than its maximum"),
    ({"countries-0-minimum": "2", "countries-1-minimum": "2"}, "The minimums add up to more seats than there are"),
    ({"countries-0-maximum": "1", "countries-1-maximum": "1"}, "The maximums leave seats that nobody could fill"),
])
def test_infeasible_constraints_are_refused_at_the_constraints_and_nothing_is_saved(
        app: Flask, client: FlaskClient, world: factories.World, overrides: dict[str, str], message: str) -> None:
    login(client, world.emails["secretariat"])
    response = client.post("/elections/new", data=_form(title="Élection à contraintes impossibles", **overrides))
    assert response.status_code == 200
    html = _html(response)
    error = re.search(r'<p class="error" id="constraints-error"[^>]*>([^<]+)</p>', html)
    assert error is not None and message in error.group(1)
    assert 'value="Élection à contraintes impossibles"' in html
    for name, value in overrides.items():
        assert _value(html, name) == value, name
    assert _count(app, Election.id) == 0


def test_edit_saves_and_is_refused_once_voting_opened(app: Flask, client: FlaskClient,
                                                      world: factories.World) -> None:
    election_id = _make_election(app, constraints={"college": {"cs-fr": [0, 2]}})
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/elections/{election_id}/edit"))
    assert _value(html, "colleges-0-maximum") == "2" and _value(html, "colleges-0-minimum") == ""
    opens, closes = _value(html, "candidacy_opens_at"), _value(html, "candidacy_closes_at")
    assert opens and closes
    response = client.post(f"/elections/{election_id}/edit", data=_form(
        title="Élection renommée", seats="5", candidacy_opens_at=opens, candidacy_closes_at=closes,
        **{"colleges-0-maximum": "3", "parity_tolerance": "2"}))
    assert response.status_code == 302
    with app.app_context():
        election = db.session.get(Election, election_id)
        assert election.title == "Élection renommée" and election.seats == 5
        assert election.constraints["college"] == {"cs-fr": [0, 3]} and election.constraints["parity_tolerance"] == 2
    # Voting opens: the set-up is frozen.
    _sign_world(app, world)
    with app.test_request_context():
        _stand(election_id, db.session.get(Member, world.member_id))
        db.session.commit()
        _open(election_id)
    response = client.get(f"/elections/{election_id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/elections/{election_id}")
    assert "The set-up is frozen: voting has opened." in _html(client.get(response.headers["Location"]))
    response = client.post(f"/elections/{election_id}/edit", data=_form(title="Trop tard", seats="7"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Election, election_id).seats == 5


# Candidacies ------------------------------------------------------------------------------------

def test_a_delegate_declares_its_own_members_candidacy_once(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    election_id = _make_election(app)
    login(client, world.emails["delegate"])
    html = _html(client.get(f"/elections/{election_id}"))
    assert "Declare our candidacy" in html
    html = _html(client.get(f"/elections/{election_id}/candidacy"))
    assert "Association des Jeunes de Gafsa" in html and 'name="gender"' in html
    # No statement: refused at the field, what was typed is kept, nothing saved.
    response = client.post(f"/elections/{election_id}/candidacy", data={
        "representative_name": "Représentante de Gafsa", "gender": "female"})
    html = _html(response)
    assert 'id="statement_fr-error"' in html and "Write a statement in at least one language." in html
    assert 'value="Représentante de Gafsa"' in html and _count(app, Candidacy.id) == 0
    response = client.post(f"/elections/{election_id}/candidacy", data={
        "representative_name": "Représentante de Gafsa", "gender": "female",
        "statement_ar": "نريد خدمة البرنامج"})
    assert response.status_code == 302
    with app.app_context():
        candidacy = db.session.scalar(select(Candidacy))
        assert candidacy.member_id == world.member_id and candidacy.status == CandidacyStatus.submitted
        assert candidacy.gender == "female" and candidacy.statement_ar == "نريد خدمة البرنامج"
    html = _html(client.get(f"/elections/{election_id}"))
    assert re.search(r"Your organisation(&#39;|')s candidacy", html) and "Submitted" in html
    assert "Declare our candidacy</a>" not in html
    # A second declaration is refused, on the page and on a direct POST.
    response = client.get(f"/elections/{election_id}/candidacy")
    assert response.status_code == 302
    assert "already declared its candidacy" in _html(client.get(response.headers["Location"]))
    client.post(f"/elections/{election_id}/candidacy", data={
        "representative_name": "Autre", "gender": "male", "statement_fr": "Encore"})
    assert _count(app, Candidacy.id) == 1


@pytest.mark.parametrize("role", ["alternate", "ex_officio", "secretariat"])
def test_only_a_delegate_declares(app: Flask, client: FlaskClient, world: factories.World, role: str) -> None:
    election_id = _make_election(app)
    login(client, world.emails[role])
    assert "Declare our candidacy" not in _html(client.get(f"/elections/{election_id}"))
    assert client.get(f"/elections/{election_id}/candidacy").status_code == 403
    response = client.post(f"/elections/{election_id}/candidacy", data={
        "representative_name": "X", "gender": "male", "statement_fr": "Texte"})
    assert response.status_code == 403
    assert _count(app, Candidacy.id) == 0


@pytest.mark.parametrize(("opens_in", "closes_in"), [(timedelta(days=-5), timedelta(days=-1)),
                                                     (timedelta(days=1), timedelta(days=5))],
                         ids=["closed", "not-yet-open"])
def test_declaring_outside_the_window_is_refused(app: Flask, client: FlaskClient, world: factories.World,
                                                 opens_in: timedelta, closes_in: timedelta) -> None:
    election_id = _make_election(app, opens_in=opens_in, closes_in=closes_in)
    login(client, world.emails["delegate"])
    assert "Declare our candidacy" not in _html(client.get(f"/elections/{election_id}"))
    response = client.post(f"/elections/{election_id}/candidacy", data={
        "representative_name": "Représentante", "gender": "female", "statement_fr": "Texte"})
    assert response.status_code == 302
    assert "Candidacies are not open for this election." in _html(client.get(response.headers["Location"]))
    assert _count(app, Candidacy.id) == 0


def test_secretariat_validates_or_rejects_with_a_reason(app: Flask, client: FlaskClient,
                                                        world: factories.World) -> None:
    election_id = _make_election(app)
    _sign_world(app, world)
    with app.test_request_context():
        own = _stand(election_id, db.session.get(Member, world.member_id), validate=None)
        other = _stand(election_id, db.session.get(Member, world.other_member_id), validate=None)
        db.session.commit()
        own_id, other_id = own.id, other.id
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/elections/{election_id}"))
    assert html.count("Submitted") >= 2 and f'id="reason-{own_id}"' in html
    url = f"/elections/{election_id}/candidacies/{own_id}/decide"
    # Rejecting needs a reason: refused at that candidacy's field, nothing changes.
    response = client.post(url, data={"reason": "  ", "reject": "Reject"})
    html = _html(response)
    assert response.status_code == 200 and f'id="reason-{own_id}-error"' in html
    assert "Give the reason for the rejection." in html
    with app.app_context():
        assert db.session.get(Candidacy, own_id).status == CandidacyStatus.submitted
    assert client.post(url, data={"reason": "Statuts non fournis", "reject": "Reject"}).status_code == 302
    # Neither button: nothing is decided.
    client.post(f"/elections/{election_id}/candidacies/{other_id}/decide", data={"reason": "x"})
    assert client.post(f"/elections/{election_id}/candidacies/{other_id}/decide",
                       data={"approve": "Validate"}).status_code == 302
    with app.app_context():
        rejected, validated = db.session.get(Candidacy, own_id), db.session.get(Candidacy, other_id)
        assert rejected.status == CandidacyStatus.rejected and rejected.decision_reason == "Statuts non fournis"
        assert validated.status == CandidacyStatus.validated
    # A member that is not eligible cannot be validated: the reason is shown at the field.
    with app.app_context():
        db.session.get(Member, world.member_id).status = "suspended"
        db.session.commit()
    html = _html(client.post(url, data={"approve": "Validate"}))
    assert "The member is not active." in html and f'id="reason-{own_id}-error"' in html
    # The delegate reads its own rejection and the reason.
    client.post("/logout")
    login(client, world.emails["delegate"])
    html = _html(client.get(f"/elections/{election_id}"))
    assert "Rejected" in html and "Statuts non fournis" in html


def test_decisions_and_actions_belong_to_the_secretariat(app: Flask, client: FlaskClient,
                                                         world: factories.World) -> None:
    election_id = _make_election(app)
    _sign_world(app, world)
    with app.test_request_context():
        candidacy_id = _stand(election_id, db.session.get(Member, world.other_member_id), validate=None).id
        db.session.commit()
    for role in ("delegate", "alternate", "ex_officio"):
        client.post("/logout")
        login(client, world.emails[role])
        assert client.post(f"/elections/{election_id}/candidacies/{candidacy_id}/decide",
                           data={"approve": "Validate"}).status_code == 403
        html = _html(client.get(f"/elections/{election_id}"))
        assert "Open voting" not in html and "All candidacies" not in html and "Edit the set-up" not in html
    with app.app_context():
        assert db.session.get(Candidacy, candidacy_id).status == CandidacyStatus.submitted


def test_public_list_shows_validated_candidacies_only_in_the_readers_language(
        app: Flask, client: FlaskClient, world: factories.World) -> None:
    election_id = _make_election(app)
    with app.test_request_context():
        charter = db.session.get(Charter, world.charter_id)
        fr = factories.voters(3, charter_=charter, prefix="Liste")
        db.session.commit()
        _stand(election_id, fr[0], statement_fr="Déclaration en français", statement_en="Statement in English")
        _stand(election_id, fr[1], validate=False, statement_fr="Candidature rejetée")
        _stand(election_id, fr[2], validate=None, statement_fr="Candidature en attente")
        db.session.commit()
        names = [m.name for m in fr]
    login(client, world.emails["delegate"])
    html = _html(client.get(f"/elections/{election_id}"))
    assert names[0] in html and "Statement in English" in html and "Déclaration en français" not in html
    assert names[1] not in html and names[2] not in html and "Candidature en attente" not in html
    assert f"Représentant {names[0]}" in html and "Candidates (1)" in html
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "Déclaration en français" in _html(client.get(f"/elections/{election_id}"))
    client.post("/logout")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.emails["secretariat"])
    html = _html(client.get(f"/elections/{election_id}"))
    assert all(name in html for name in names) and "Rejected" in html and "Submitted" in html


# Opening -----------------------------------------------------------------------------------------

def test_opening_voting_asks_for_a_closing_time_and_checks_the_candidates(app: Flask, client: FlaskClient,
                                                                          world: factories.World) -> None:
    election_id = _make_election(app)
    login(client, world.emails["secretariat"])
    later = (utcnow() + timedelta(days=20)).strftime(FORMAT)
    html = _html(client.post(f"/elections/{election_id}/open", data={"closes_at": later}))
    assert "Voting opens after the candidacy window closes." in html
    with app.app_context():
        db.session.get(Election, election_id).candidacy_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    html = _html(client.post(f"/elections/{election_id}/open", data={"closes_at": later}))
    assert "No candidacy has been validated." in html
    _sign_world(app, world)
    with app.test_request_context():
        election = db.session.get(Election, election_id)
        election.candidacy_closes_at = utcnow() + timedelta(days=1)
        db.session.commit()
        _stand(election_id, db.session.get(Member, world.member_id))
        db.session.get(Election, election_id).candidacy_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    html = _html(client.get(f"/elections/{election_id}/open"))
    assert "1 validated candidate will be on the ballot." in html
    past = (utcnow() - timedelta(hours=1)).strftime(FORMAT)
    html = _html(client.post(f"/elections/{election_id}/open", data={"closes_at": past}))
    assert 'id="closes_at-error"' in html and "The closing time must be in the future." in html
    response = client.post(f"/elections/{election_id}/open", data={"closes_at": later})
    with app.app_context():
        election = db.session.get(Election, election_id)
        assert election.vote.status == "open" and election.frozen
        vote_id = election.vote_id
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/votes/{vote_id}")
    # The vote page's own "open" sends the secretariat back to the election's.
    response = client.get(f"/votes/{vote_id}/open")
    assert response.status_code == 302 and f"/elections/{election_id}/open" in response.headers["Location"]
    assert client.get(f"/elections/{election_id}/open").status_code == 302  # already open


# The approval ballot -----------------------------------------------------------------------------

def test_approval_ballot_over_http(app: Flask, client: FlaskClient, world: factories.World) -> None:
    race = _race(app, close=False)
    voter = "Voter cs-fr 3"
    login(client, race.emails[voter])
    html = _html(client.get(f"/votes/{race.vote_id}"))
    assert "Approve up to 3 candidates; a blank ballot is valid." in html
    assert html.count('type="checkbox"') == 5
    for name in race.names:
        assert f"{name} (Société civile française, " in html and f"represented by Représentant {name}" in html
    ids = [str(i) for i in race.candidacy_ids]
    member_id = int(_value(html, "member_id"))
    # Four boxes: refused on the ballot, boxes still ticked, nothing saved.
    response = client.post(f"/votes/{race.vote_id}/confirm", data={"member_id": member_id, "choice": ids[:4]})
    html = _html(response)
    assert response.status_code == 422 and "Approve at most 3 candidates." in html
    assert all(_checked(html, i) for i in ids[:4]) and not _checked(html, ids[4])
    # The same at the cast itself (a hand-made request).
    response = client.post(f"/votes/{race.vote_id}/cast", data={"member_id": member_id, "choice": ",".join(ids[:4]),
                                                                **_signed(app, race.vote_id, member_id)})
    html = _html(response)
    assert response.status_code == 422 and "Approve at most 3 candidates." in html
    assert all(_checked(html, i) for i in ids[:4]) and not _checked(html, ids[4])
    assert _count(app, Participation.id) == 0 and _count(app, Ballot.tracker) == 0
    # Two boxes: the confirmation lists them, then the cast stores the canonical choice.
    html = _html(client.post(f"/votes/{race.vote_id}/confirm",
                             data={"member_id": member_id, "choice": [ids[2], ids[0]]}))
    assert "you approve 2 candidates" in html and race.names[0] in html and race.names[2] in html
    assert race.names[1] not in html
    choice = _value(html, "choice")
    assert choice == f"{ids[0]},{ids[2]}"
    response = client.post(f"/votes/{race.vote_id}/cast", data={"member_id": member_id, "choice": choice,
                                                                **_receipt(html)})
    assert response.status_code == 200
    html = _html(response)
    assert "Your tracker" in html and "A ballot has been cast for this organisation." in html
    with app.app_context():
        assert list(db.session.scalars(select(Ballot.choice))) == [f"{ids[0]},{ids[2]}"]
    # A second ballot for the same member is refused.
    client.post(f"/votes/{race.vote_id}/cast", data={"member_id": member_id, "choice": ids[1],
                                                     **_signed(app, race.vote_id, member_id)})
    assert _count(app, Ballot.tracker) == 1


def test_a_blank_approval_ballot_is_valid(app: Flask, client: FlaskClient, world: factories.World) -> None:
    race = _race(app, close=False)
    login(client, race.emails["Voter cs-tn 2"])
    html = _html(client.get(f"/votes/{race.vote_id}"))
    member_id = int(_value(html, "member_id"))
    html = _html(client.post(f"/votes/{race.vote_id}/confirm", data={"member_id": member_id}))
    assert "Blank ballot: you approve no candidate." in html
    assert _value(html, "choice") == ""
    assert client.post(f"/votes/{race.vote_id}/cast",
                       data={"member_id": member_id, "choice": "", **_receipt(html)}).status_code == 200
    with app.app_context():
        assert list(db.session.scalars(select(Ballot.choice))) == [""]
        assert db.session.scalar(select(Participation.member_id)) == member_id


def test_a_proxy_holder_casts_two_approval_ballots(app: Flask, client: FlaskClient, world: factories.World) -> None:
    with app.app_context():
        assembly = factories.assembly(title="Assemblée élective")
        db.session.commit()
        assembly_id = assembly.id
    race = _race(app, close=False, open_vote=False, assembly_id=assembly_id)
    giver, holder = "Voter cs-tn 0", "Voter cs-tn 1"
    with app.test_request_context():
        members = {m.name: m.id for m in db.session.scalars(select(Member))}
        db.session.add(Proxy(assembly_id=assembly_id, giver_id=members[giver], holder_id=members[holder]))
        db.session.commit()
        _open(race.election_id)
    login(client, race.emails[holder])
    html = _html(client.get(f"/votes/{race.vote_id}"))
    assert f"For your organisation, {holder}" in html and f"By proxy for {giver}" in html
    assert html.count("Approve up to 3 candidates; a blank ballot is valid.") == 2
    ids = [str(i) for i in race.candidacy_ids]
    for name, approved in ((holder, ids[:1]), (giver, ids[3:5])):
        member_id = members[name]
        html = _html(client.post(f"/votes/{race.vote_id}/confirm", data={"member_id": member_id, "choice": approved}))
        choice = _value(html, "choice")
        assert client.post(f"/votes/{race.vote_id}/cast",
                           data={"member_id": member_id, "choice": choice, **_receipt(html)}).status_code == 200
    with app.app_context():
        assert sorted(db.session.scalars(select(Ballot.choice))) == sorted([ids[0], f"{ids[3]},{ids[4]}"])
        assert _count(app, Participation.id) == 2
    # The giver's own delegate has no ballot left.
    client.post("/logout")
    login(client, race.emails[giver])
    html = _html(client.get(f"/votes/{race.vote_id}"))
    assert f"Your organisation gave its proxy to <bdi>{holder}</bdi>" in html and 'type="checkbox"' not in html


def test_resolution_ballots_are_unchanged(app: Flask, client: FlaskClient, world: factories.World) -> None:
    """The resolution's radio ballot still confirms and casts, with no approval wording."""
    with app.test_request_context():
        members = factories.voters(2, prefix="Resolution")
        assembly = factories.assembly()
        resolution = factories.resolution(assembly)
        db.session.commit()
        voting.open_vote(resolution.vote, actor=_secretariat(), closes_at=utcnow() + timedelta(hours=1))
        db.session.commit()
        vote_id, member_id, email = resolution.vote_id, members[0].id, _delegate(members[0]).email
    login(client, email)
    html = _html(client.get(f"/votes/{vote_id}"))
    assert 'type="radio"' in html and "Approve up to" not in html
    html = _html(client.post(f"/votes/{vote_id}/confirm", data={"member_id": member_id, "choice": "for"}))
    assert "Confirm your ballot" in html and "<strong>For</strong>" in html
    response = client.post(f"/votes/{vote_id}/cast", data={"member_id": member_id, "choice": "maybe",
                                                           **_receipt(html)})
    assert response.status_code == 302 and _count(app, Ballot.tracker) == 0
    assert client.post(f"/votes/{vote_id}/cast",
                       data={"member_id": member_id, "choice": "for", **_receipt(html)}).status_code == 200
    assert _count(app, Ballot.tracker) == 1


# Results and proclamation ------------------------------------------------------------------------

#: Voters 0..3 French, 4..6 Tunisian; candidates (indexes into ``stand``): fr0, fr1, fr2, tn0, tn1.
#: Approvals: fr0 5, fr1 4, fr2 3, tn0 1, tn1 1 (a tie). With at most 2 French seats, fr2 is skipped
#: and the tie between the two Tunisians is drawn; the winner is elected out of rank order.
BALLOTS = {0: (0, 1, 2), 1: (0, 1, 2), 2: (0, 1, 2), 3: (0, 1, 3), 4: (0, 4), 5: (), 6: ()}
MAX_TWO_FRENCH = {"college": {"cs-fr": [0, 2]}}


def test_results_are_hidden_before_the_close_then_explained(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    race = _race(app, ballots=BALLOTS, constraints=MAX_TWO_FRENCH, close=False)
    login(client, world.emails["delegate"])
    html = _html(client.get(f"/elections/{race.election_id}/results"))
    assert "Results are hidden until voting closes" in html and "Turnout:" in html
    assert '<span id="turnout-count">7</span>' in html
    assert not any(f"Représentant {name}" in html for name in race.names)
    response = client.get(f"/elections/{race.election_id}/proclamation.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/elections/{race.election_id}/results")
    # The secretariat closes from the vote's close page: it lands on the election's results.
    client.post("/logout")
    login(client, world.emails["secretariat"])
    assert "Close voting" in _html(client.get(f"/elections/{race.election_id}"))
    response = client.post(f"/votes/{race.vote_id}/close")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/elections/{race.election_id}/results")
    client.post("/logout")
    login(client, world.emails["delegate"])
    html = _html(client.get(f"/elections/{race.election_id}/results"))
    fr0, fr1, fr2, tn0, tn1 = race.names
    with app.app_context():
        election = db.session.get(Election, race.election_id)
        allocation = election.count["allocation"]
        by_id = dict(zip((str(i) for i in race.candidacy_ids), race.names, strict=True))
        elected = [by_id[i] for i in allocation["elected"]]
        substitutes = [by_id[i] for i in allocation["substitutes"]]
        final_hash = election.vote.final_hash
        draw = allocation["draw"][0]
    winner = elected[2]
    loser = tn1 if winner == tn0 else tn0
    assert elected[:2] == [fr0, fr1] and winner in (tn0, tn1)
    assert substitutes == [fr2, loser]
    elected_part = html.split('id="elected-title"')[1].split('id="substitutes-title"')[0]
    assert all(f"{name}</bdi></strong>" in elected_part for name in elected)
    assert f"represented by <bdi>Représentant {fr0}</bdi>" in elected_part
    substitutes_part = html.split('id="substitutes-title"')[1].split('id="why-title"')[0]
    assert substitutes_part.index(fr2) < substitutes_part.index(loser)
    assert (f"{fr2} was skipped: electing them would exceed the maximum of 2 seats for the college "
            "Société civile française.") in html
    assert f"{winner} was elected out of rank order (rank 4) because {fr2}, ranked higher, could not be elected: " \
           "the maximum for the college Société civile française." in html
    assert final_hash in html and all(key in html for key in draw["keys"])
    assert "Tie at 1 approval" in html
    assert f'href="/votes/{race.vote_id}/board"' in html and f'href="/votes/{race.vote_id}/board.json"' in html
    assert f'href="/elections/{race.election_id}/proclamation.pdf"' in html
    # The approvals, in rank order.
    ranking = html.split('id="ranking-title"')[1].split('id="draw-title"')[0]
    positions = [ranking.index(f"<th scope=\"row\"><bdi>{name}</bdi></th>") for name in (fr0, fr1, fr2)]
    assert positions == sorted(positions)
    assert "<td>5</td>" in ranking and "Substitute no. 1" in ranking


def test_vacant_seats_and_lowered_minimums_are_said(app: Flask, client: FlaskClient, world: factories.World) -> None:
    # Two Tunisian candidates when voting opens (it could not open with one); one withdraws before the close.
    race = _race(app, stand=(0, 4, 5), ballots={0: (0, 1)}, seats=3, constraints={"country": {"TN": [2, None]}},
                 close=False)
    with app.test_request_context():
        db.session.get(Candidacy, race.candidacy_ids[2]).status = CandidacyStatus.withdrawn
        voting.close_vote(db.session.get(Election, race.election_id).vote, actor=_secretariat())
        db.session.commit()
    login(client, world.emails["ex_officio"])
    html = _html(client.get(f"/elections/{race.election_id}/results"))
    assert "1 seat stays vacant: there were only 2 candidates." in html
    assert "The minimum for members from Tunisia (2) was lowered to 1" in html


def test_the_proclamation_pdf(app: Flask, client: FlaskClient, world: factories.World) -> None:
    race = _race(app, ballots=BALLOTS, constraints=MAX_TWO_FRENCH)
    login(client, world.emails["alternate"])
    response = client.get(f"/elections/{race.election_id}/proclamation.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == f'attachment; filename="proclamation-{race.election_id}.pdf"'
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    squashed = "".join(text.split())
    with app.app_context():
        final_hash = db.session.get(Election, race.election_id).vote.final_hash
    assert final_hash in squashed
    assert "Proclamation of the results" in text and "2 years, from" in text
    for name in race.names:
        assert "".join(name.split()) in squashed
    assert "wasskipped" in squashed and "electedoutofrankorder" in squashed


# Every route × every role -------------------------------------------------------------------------

ROLES = ("anonymous", "delegate", "alternate", "ex_officio", "secretariat", "committee")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
SECRETARIAT = frozenset({"secretariat"})
DELEGATES = frozenset({"delegate", "committee"})  # the committee member here is its member's delegate


@dataclass(frozen=True)
class Route:
    url: str
    get: frozenset[str] | None = None
    post: frozenset[str] | None = None


def _routes(election_id: int, candidacy_id: int) -> list[Route]:
    e = f"/elections/{election_id}"
    return [
        Route("/elections", get=SIGNED_IN),
        Route("/elections/new", get=SECRETARIAT, post=SECRETARIAT),
        Route(f"{e}/edit", get=SECRETARIAT, post=SECRETARIAT),
        Route(e, get=SIGNED_IN),
        Route(f"{e}/candidacy", get=DELEGATES, post=DELEGATES),
        Route(f"{e}/candidacies/{candidacy_id}/decide", post=SECRETARIAT),
        Route(f"{e}/open", get=SECRETARIAT, post=SECRETARIAT),
        Route(f"{e}/results", get=SIGNED_IN),
        Route(f"{e}/proclamation.pdf", get=SIGNED_IN),
    ]


def _check(response, url: str, role: str, allowed: bool) -> None:  # noqa: ANN001
    where = f"{url} as {role}: {response.status_code} {response.headers.get('Location', '')}"
    location = urlsplit(response.headers.get("Location", ""))
    if allowed:
        assert response.status_code in (200, 302), where
        if response.status_code == 302:
            assert location.path != "/login", where
    elif role == "anonymous":
        assert response.status_code == 302 and location.path == "/login", where
        assert parse_qs(location.query).get("next") == [url], where
    else:
        assert response.status_code == 403, where


@pytest.mark.parametrize("state", ["candidacies", "closed"])
def test_every_route_as_every_role(app: Flask, world: factories.World, state: str) -> None:
    """Open candidacy window (one submitted candidacy), then a closed election; the committee member is
    the other member's delegate with a current mandate."""
    if state == "closed":
        race = _race(app, ballots=BALLOTS, constraints=MAX_TWO_FRENCH, prefix="Matrix")
        election_id, candidacy_id = race.election_id, race.candidacy_ids[0]
    else:
        election_id = _make_election(app)
        _sign_world(app, world)
        with app.test_request_context():
            candidacy_id = _stand(election_id, db.session.get(Member, world.other_member_id), validate=None).id
            db.session.commit()
    with app.app_context():
        today = utcnow().date()
        db.session.add(Mandate(kind=MandateKind.guarantor, member_id=world.other_member_id,
                               starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=300)))
        db.session.commit()
    emails = {**world.emails, "committee": world.emails["other_delegate"]}
    for route in _routes(election_id, candidacy_id):
        for role in ROLES:
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
            if role != "anonymous":
                login(client, emails[role])
            if route.get is not None:
                _check(client.get(route.url), route.url, role, role in route.get)
            if route.post is not None:
                _check(client.post(route.url, data={}), route.url, role, role in route.post)
    with app.app_context():  # nothing was created or decided by the empty POSTs
        assert db.session.scalar(select(func.count(Election.id))) == 1
        if state == "candidacies":
            assert db.session.get(Candidacy, candidacy_id).status == CandidacyStatus.submitted


def test_committee_role_is_derived_for_the_matrix_member(app: Flask, world: factories.World) -> None:
    from app.core.permissions import Role, roles_of

    with app.app_context():
        today = utcnow().date()
        db.session.add(Mandate(kind=MandateKind.guarantor, member_id=world.other_member_id,
                               starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=300)))
        db.session.commit()
        user = db.session.scalar(select(User).where(User.email == world.emails["other_delegate"]))
        with app.test_request_context():
            assert roles_of(user) == {Role.delegate, Role.committee}


# Bounded queries ----------------------------------------------------------------------------------

def _statements(app: Flask, client: FlaskClient, url: str) -> tuple[int, str]:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), _html(response)


def _pages(app: Flask, size: int, world: factories.World) -> dict[str, int]:
    """Statements per page for an election with ``size`` candidates (all validated, some rejected)."""
    half = size // 2
    stand = tuple(range(size))
    ballots = {i: (i % size, (i + 1) % size) for i in range(size - 1)}  # the last one votes on the page
    race = _race(app, fr=size - half, tn=half, stand=stand, ballots=ballots, close=False, prefix=f"Size{size}",
                 constraints={"college": {"cs-fr": [1, size - 1]}, "parity_tolerance": size},
                 term_start=date(2027 + size, 1, 1))  # one term per size: terms never overlap
    counts: dict[str, int] = {}
    for role in ("delegate", "secretariat"):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login(client, world.emails[role])
        counts[f"detail ({role})"], html = _statements(app, client, f"/elections/{race.election_id}")
        assert all(name in html for name in race.names)
        counts[f"results, open ({role})"], _ = _statements(app, client, f"/elections/{race.election_id}/results")
    voter = app.test_client()
    voter.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(voter, race.emails[race.names[-1]])
    counts["ballot"], html = _statements(app, voter, f"/votes/{race.vote_id}")
    assert html.count('type="checkbox"') == size
    with app.test_request_context():
        voting.close_vote(db.session.get(Vote, race.vote_id), actor=_secretariat())
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.emails["delegate"])
    counts["results"], html = _statements(app, client, f"/elections/{race.election_id}/results")
    assert all(name in html for name in race.names)
    counts["detail (closed)"], _ = _statements(app, client, f"/elections/{race.election_id}")
    return counts


def test_election_pages_issue_as_many_queries_for_5_as_for_40_candidates(app: Flask,
                                                                         world: factories.World) -> None:
    small = _pages(app, 5, world)
    large = _pages(app, 40, world)
    assert large == small
