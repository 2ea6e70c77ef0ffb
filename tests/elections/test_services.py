"""Election services on a real database: set-up, candidacies, approval ballots, count, mandates, committee role."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.assembly import voting
from app.auth.models import User, UserKind
from app.core.errors import DomainError
from app.core.permissions import Role, roles_of
from app.core.timeutil import utcnow
from app.elections import services
from app.elections.models import CandidacyStatus, Election, Mandate, MandateKind
from app.extensions import db
from tests import factories


def _delegate(member) -> User:  # noqa: ANN001
    return next(u for u in member.representatives if u.is_delegate)


def _data(**overrides: object) -> dict:
    now = utcnow()
    data = {"title": "Élection du comité de pilotage", "seats": 3, "term_starts_on": date(2027, 1, 1),
            "term_years": 2, "candidacy_opens_at": now - timedelta(days=1),
            "candidacy_closes_at": now + timedelta(days=1), "constraints": {}}
    data.update(overrides)
    return data


@pytest.fixture
def setup(app: Flask, ctx: None) -> dict:
    charter = factories.charter()
    fr = factories.voters(4, charter_=charter, college_code="cs-fr")
    tn = factories.voters(3, charter_=charter, college_code="cs-tn", country="TN")
    secretariat = factories.user("sec@example.org", kind=UserKind.secretariat)
    db.session.commit()
    return {"fr": fr, "tn": tn, "secretariat": secretariat, "charter": charter}


def _election(setup: dict, **overrides: object) -> Election:
    election = services.create_election(actor=setup["secretariat"], data=_data(**overrides))
    db.session.commit()
    return election


def _stand(election: Election, member, gender: str = "female"):  # noqa: ANN001, ANN202
    return services.declare_candidacy(election, actor=_delegate(member), representative_name=f"Rep {member.name}",
                                      gender=gender, statements={"fr": "Nous voulons servir.", "en": "", "ar": ""})


@pytest.mark.parametrize(("constraints", "seats"), [
    ({"college": {"cs-fr": [4, None]}}, 3),  # a minimum above the seats
    ({"college": {"cs-fr": [2, 1]}}, 3),  # min above max
    ({"college": {"cs-fr": [2, None], "cs-tn": [2, None]}}, 3),  # minimums add up to more than the seats
    ({}, 0),
])
def test_infeasible_setup_is_refused_with_a_reason(setup: dict, constraints: dict, seats: int) -> None:
    with pytest.raises(DomainError) as refused:
        services.create_election(actor=setup["secretariat"], data=_data(constraints=constraints, seats=seats))
    assert refused.value.field == "constraints" and str(refused.value.message)


def test_only_a_delegate_declares_its_own_members_candidacy_once_during_the_window(setup: dict) -> None:
    election = _election(setup)
    member = setup["fr"][0]
    alternate = factories.user("alt@example.org", member=member)
    with pytest.raises(DomainError):
        services.declare_candidacy(election, actor=alternate, representative_name="X", gender="male",
                                   statements={"fr": "x"})
    candidacy = _stand(election, member)
    db.session.commit()
    assert candidacy.member_id == member.id and candidacy.status == CandidacyStatus.submitted
    with pytest.raises(DomainError):
        _stand(election, member)
    db.session.rollback()
    closed = _election(setup, candidacy_opens_at=utcnow() - timedelta(days=3),
                       candidacy_closes_at=utcnow() - timedelta(days=1), term_starts_on=date(2029, 1, 1))
    with pytest.raises(DomainError):
        _stand(closed, setup["fr"][1])


def test_validation_needs_an_eligible_member_and_rejection_a_reason(setup: dict) -> None:
    election = _election(setup)
    candidacy = _stand(election, setup["fr"][0])
    with pytest.raises(DomainError):
        services.decide_candidacy(candidacy, actor=setup["secretariat"], validate=False, reason=" ")
    setup["fr"][0].status = "suspended"
    with pytest.raises(DomainError):
        services.decide_candidacy(candidacy, actor=setup["secretariat"], validate=True)
    setup["fr"][0].status = "active"
    services.decide_candidacy(candidacy, actor=setup["secretariat"], validate=True)
    assert candidacy.status == CandidacyStatus.validated


def _run_election(setup: dict, ballots: dict[int, list[int]], **overrides: object) -> tuple[Election, list]:
    """Every member stands; ``ballots`` maps a voter index to the indexes of the candidates it approves."""
    election = _election(setup, **overrides)
    members = setup["fr"] + setup["tn"]
    candidacies = [_stand(election, m, gender="female" if i % 2 else "male") for i, m in enumerate(members)]
    for c in candidacies:
        services.decide_candidacy(c, actor=setup["secretariat"], validate=True)
    election.candidacy_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.open_voting(election, actor=setup["secretariat"], closes_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    for voter, approved in ballots.items():
        member = members[voter]
        voting.cast(election.vote_id, member.id, ",".join(str(candidacies[i].id) for i in approved),
                    actor=_delegate(member))
    db.session.commit()
    voting.close_vote(election.vote, actor=setup["secretariat"])
    db.session.commit()
    return election, candidacies


def test_approval_ballots_up_to_n_blank_valid(setup: dict) -> None:
    election = _election(setup)
    members = setup["fr"] + setup["tn"]
    candidacies = [_stand(election, m) for m in members[:5]]
    for c in candidacies:
        services.decide_candidacy(c, actor=setup["secretariat"], validate=True)
    election.candidacy_closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.open_voting(election, actor=setup["secretariat"], closes_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    voter = members[0]
    ids = [str(c.id) for c in candidacies]
    with pytest.raises(DomainError) as too_many:
        voting.cast(election.vote_id, voter.id, ",".join(ids[:4]), actor=_delegate(voter))
    assert too_many.value.field == "choice"
    with pytest.raises(DomainError):
        voting.cast(election.vote_id, voter.id, "999999", actor=_delegate(voter))
    db.session.rollback()
    assert voting.cast(election.vote_id, voter.id, "", actor=_delegate(voter))
    voting.cast(election.vote_id, members[1].id, f"{ids[2]},{ids[0]}", actor=_delegate(members[1]))
    db.session.commit()
    from app.assembly.models import Ballot

    assert sorted(db.session.scalars(select(Ballot.choice))) == ["", f"{ids[0]},{ids[2]}"]


def test_count_elects_by_approvals_and_creates_mandates(setup: dict) -> None:
    # Candidates 0..6; approvals: 0 x5, 1 x4, 2 x3, 3 x2, others 0.
    ballots = {0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2], 3: [0, 1, 3], 4: [0, 3]}
    election, candidacies = _run_election(setup, ballots)
    count = election.count
    assert count["approvals"][str(candidacies[0].id)] == 5
    assert count["allocation"]["elected"] == [str(candidacies[i].id) for i in (0, 1, 2)]
    assert count["allocation"]["substitutes"][0] == str(candidacies[3].id)
    mandates = db.session.scalars(select(Mandate).order_by(Mandate.id)).all()
    assert [m.candidacy_id for m in mandates] == [candidacies[i].id for i in (0, 1, 2)]
    assert all(m.starts_on == date(2027, 1, 1) and m.ends_on == date(2029, 1, 1) for m in mandates)
    assert election.vote.result["elected"] == count["allocation"]["elected"]


def test_college_maximum_skips_a_candidate_and_says_why(setup: dict) -> None:
    ballots = {0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2], 3: [0, 1, 4], 4: [4]}
    election, candidacies = _run_election(setup, ballots, constraints={"college": {"cs-fr": [0, 2]}})
    elected = election.count["allocation"]["elected"]
    assert sorted(elected) == sorted(str(candidacies[i].id) for i in (0, 1, 4))  # 3rd French skipped
    skipped = election.count["allocation"]["skipped"][0]
    assert skipped["id"] == str(candidacies[2].id) and skipped["reason"] == ["max", "college", "cs-fr"]


def test_committee_role_comes_and_goes_with_mandates_and_a_substitute_fills_the_vacancy(app: Flask,
                                                                                     setup: dict) -> None:
    ballots = {0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 3], 3: [0, 1, 3]}
    election, candidacies = _run_election(setup, ballots, term_starts_on=utcnow().date() - timedelta(days=1))
    members = setup["fr"] + setup["tn"]
    first = _delegate(members[0])
    with app.test_request_context():
        assert Role.committee in roles_of(first)
    mandate = db.session.scalar(select(Mandate).where(Mandate.candidacy_id == candidacies[0].id))
    outcome = services.record_vacancy(mandate, actor=setup["secretariat"], ended_on=utcnow().date(),
                                      reason="Démission")
    db.session.commit()
    assert outcome.successor is not None and outcome.successor.ends_on == mandate.ends_on
    substitute_member = outcome.successor.member_id
    with app.test_request_context():
        assert Role.committee not in roles_of(first)
        newcomer = _delegate(db.session.get(type(members[0]), substitute_member))
        assert Role.committee in roles_of(newcomer)


def test_ex_officio_seats_are_appointed_not_elected(setup: dict) -> None:
    today = utcnow().date()
    mandate = services.appoint(actor=setup["secretariat"], kind=MandateKind.ex_officio, starts_on=today,
                               ends_on=today + timedelta(days=730), organisation="Agence Française de Développement",
                               representative_name="Représentante AFD")
    assert mandate.holder == "Agence Française de Développement" and mandate.member_id is None
    assert mandate in services.current_mandates()
    with pytest.raises(DomainError):
        services.appoint(actor=setup["secretariat"], kind=MandateKind.elected, starts_on=today,
                         ends_on=today + timedelta(days=1), organisation="X")
