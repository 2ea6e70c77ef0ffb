"""Voting services on a real database: electorate, cast rule, one member one vote, close and count."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from app.assembly import voting
from app.assembly.models import Ballot, Participation, Vote, VoteElector
from app.auth.models import User, UserKind
from app.core.errors import DomainError
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import MemberStatus
from tests import factories


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def setup(app: Flask, ctx: None):  # noqa: ANN201
    """Five voting members (3 French, 2 Tunisian), a suspended one, an unsigned one, a secretariat user."""
    charter = factories.charter()
    fr = factories.voters(3, charter_=charter, college_code="cs-fr")
    tn = factories.voters(2, charter_=charter, college_code="cs-tn", country="TN")
    suspended = factories.voters(1, charter_=charter, prefix="Suspended")[0]
    suspended.status = MemberStatus.suspended
    factories.member("Unsigned member")
    secretariat = factories.user("sec@example.org", kind=UserKind.secretariat)
    assembly = factories.assembly()
    db.session.commit()
    return {"fr": fr, "tn": tn, "assembly": assembly, "secretariat": secretariat, "charter": charter}


def _open(setup: dict, **kwargs: object) -> Vote:
    resolution = factories.resolution(setup["assembly"], **kwargs)
    voting.open_vote(resolution.vote, actor=setup["secretariat"], closes_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    return resolution.vote


def _delegate(member) -> User:  # noqa: ANN001
    return next(u for u in member.representatives if u.is_delegate)


def test_opening_freezes_active_signed_members_only(setup: dict) -> None:
    vote = _open(setup)
    names = set(db.session.scalars(select(VoteElector.member_id).where(VoteElector.vote_id == vote.id)))
    assert names == {m.id for m in setup["fr"] + setup["tn"]}
    assert vote.electorate_size == 5
    # A member that signs after the opening does not join the frozen electorate.
    late = factories.voters(1, charter_=setup["charter"], prefix="Late")[0]
    db.session.commit()
    with pytest.raises(DomainError):
        voting.cast(vote.id, late.id, "for", actor=_delegate(late))


def test_opening_emails_every_voter_with_the_closing_time(setup: dict) -> None:
    _open(setup)
    subjects = db.session.scalars(select(OutboxMessage.subject)).all()
    assert len([s for s in subjects if "Approbation" in s]) == 5


def test_cast_returns_a_random_tracker_and_records_one_participation(setup: dict) -> None:
    vote = _open(setup)
    member = setup["fr"][0]
    tracker = voting.cast(vote.id, member.id, "for", actor=_delegate(member))
    db.session.commit()
    assert len(tracker) == 32 and int(tracker, 16) >= 0
    assert db.session.scalar(select(Ballot.choice).where(Ballot.tracker == tracker)) == "for"
    assert voting.turnout(vote) == 1


def test_second_cast_for_the_same_member_is_refused_kindly(setup: dict) -> None:
    vote = _open(setup)
    member = setup["fr"][0]
    alternate = factories.user("alt@example.org", member=member)
    db.session.commit()
    voting.cast(vote.id, member.id, "for", actor=_delegate(member))
    db.session.commit()
    with pytest.raises(voting.AlreadyCast) as refused:
        voting.cast(vote.id, member.id, "against", actor=alternate)
    db.session.rollback()
    with force_locale("en"):
        assert "already" in str(refused.value.message)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1


def test_an_alternate_casts_when_the_delegate_has_not(setup: dict) -> None:
    vote = _open(setup)
    member = setup["tn"][0]
    alternate = factories.user("alt@example.org", member=member)
    db.session.commit()
    voting.cast(vote.id, member.id, "abstain", actor=alternate)
    db.session.commit()
    assert [s.cast for s in voting.slots_for(_delegate(member), vote)] == [True]


@pytest.mark.parametrize("who", ["secretariat", "other_member_delegate", "ex_officio"])
def test_others_cannot_cast_for_a_member(setup: dict, who: str) -> None:
    vote = _open(setup)
    target = setup["fr"][0]
    actor = {"secretariat": setup["secretariat"], "other_member_delegate": _delegate(setup["fr"][1]),
             "ex_officio": factories.user("ex@example.org", kind=UserKind.ex_officio)}[who]
    with pytest.raises(DomainError):
        voting.cast(vote.id, target.id, "for", actor=actor)


@pytest.mark.parametrize("choice", ["", "yes", "FOR", "for;against"])
def test_unknown_choice_is_refused_and_nothing_is_written(setup: dict, choice: str) -> None:
    vote = _open(setup)
    member = setup["fr"][0]
    with pytest.raises(DomainError):
        voting.cast(vote.id, member.id, choice, actor=_delegate(member))
    db.session.rollback()
    assert voting.turnout(vote) == 0


def test_cast_refused_before_opening_after_closing_time_and_after_close(setup: dict) -> None:
    resolution = factories.resolution(setup["assembly"])
    db.session.commit()
    member = setup["fr"][0]
    with pytest.raises(DomainError):  # pending: no electorate yet
        voting.cast(resolution.vote_id, member.id, "for", actor=_delegate(member))
    vote = _open(setup, title="Second")
    vote.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(DomainError):
        voting.cast(vote.id, member.id, "for", actor=_delegate(member))


def test_proxy_holder_delegate_casts_for_the_giver_and_the_giver_cannot(setup: dict) -> None:
    from app.assembly import services

    giver, holder = setup["fr"][0], setup["tn"][0]
    services.give_proxy(setup["assembly"], actor=_delegate(giver), giver=giver, holder=holder)
    holder_alternate = factories.user("holder-alt@example.org", member=holder)
    db.session.commit()
    vote = _open(setup)
    slots = voting.slots_for(_delegate(holder), vote)
    assert [(s.member_id, s.by_proxy) for s in slots] == [(holder.id, False), (giver.id, True)]
    assert voting.slots_for(_delegate(giver), vote) == []
    assert voting.gave_proxy_in(_delegate(giver), vote) == holder.name
    assert [s.member_id for s in voting.slots_for(holder_alternate, vote)] == [holder.id]
    with pytest.raises(DomainError):
        voting.cast(vote.id, giver.id, "for", actor=_delegate(giver))
    with pytest.raises(DomainError):
        voting.cast(vote.id, giver.id, "for", actor=holder_alternate)
    voting.cast(vote.id, giver.id, "against", actor=_delegate(holder))
    voting.cast(vote.id, holder.id, "for", actor=_delegate(holder))
    db.session.commit()
    assert voting.turnout(vote) == 2


def test_close_seals_the_board_and_publishes_the_result(setup: dict) -> None:
    vote = _open(setup)
    choices = ["for", "for", "against", "abstain"]
    for member, choice in zip(setup["fr"] + setup["tn"], choices, strict=False):
        voting.cast(vote.id, member.id, choice, actor=_delegate(member))
    db.session.commit()
    result = voting.close_vote(vote, actor=setup["secretariat"])
    db.session.commit()
    assert result["electorate"] == 5 and result["participation"] == 4 and result["ballots"] == 4
    assert result["counts"] == {"for": 2, "against": 1, "abstain": 1}
    assert result["quorum"]["reached"] is True
    assert result["outcome"] == "adopted"  # 2 of 3 expressed > 1/2
    assert vote.final_hash == result["final_hash"] and len(vote.final_hash) == 64
    entries = voting.board_slice(vote, 1, 50)
    assert [e.tracker for e in entries] == sorted(e.tracker for e in entries)
    assert entries[-1].hash == vote.final_hash
    with pytest.raises(DomainError):
        voting.close_vote(vote, actor=setup["secretariat"])


def test_quorum_not_reached_when_too_few_members_took_part(setup: dict) -> None:
    vote = _open(setup)
    member = setup["fr"][0]
    voting.cast(vote.id, member.id, "for", actor=_delegate(member))
    db.session.commit()
    result = voting.close_vote(vote, actor=setup["secretariat"])
    assert result["outcome"] == "no_quorum"


def test_double_majority_needs_every_college_and_ballots_carry_the_college(setup: dict) -> None:
    vote = _open(setup, double=True)
    for member in setup["fr"]:
        voting.cast(vote.id, member.id, "for", actor=_delegate(member))
    for member in setup["tn"]:
        voting.cast(vote.id, member.id, "against", actor=_delegate(member))
    db.session.commit()
    assert set(db.session.scalars(select(Ballot.college))) == {"cs-fr", "cs-tn"}
    result = voting.close_vote(vote, actor=setup["secretariat"])
    assert result["overall_met"] is True and result["outcome"] == "rejected"
    assert result["by_college"]["cs-tn"]["met"] is False and result["by_college"]["cs-fr"]["met"] is True


def test_ballots_carry_no_college_without_double_majority(setup: dict) -> None:
    vote = _open(setup)
    member = setup["fr"][0]
    voting.cast(vote.id, member.id, "for", actor=_delegate(member))
    db.session.commit()
    assert db.session.scalars(select(Ballot.college)).all() == [""]


def test_open_vote_publishes_choices_per_member_secret_vote_does_not(setup: dict) -> None:
    open_vote = _open(setup, secret=False, title="Vote nominatif")
    secret_vote = _open(setup, title="Vote secret")
    member = setup["fr"][0]
    voting.cast(open_vote.id, member.id, "against", actor=_delegate(member))
    voting.cast(secret_vote.id, member.id, "against", actor=_delegate(member))
    db.session.commit()
    assert voting.participants(open_vote)[0][2] == "against"
    assert voting.participants(secret_vote)[0][2] is None


def test_reminders_go_only_to_members_that_have_not_voted(setup: dict) -> None:
    vote = _open(setup)
    db.session.query(OutboxMessage).delete()
    voted = setup["fr"][0]
    voting.cast(vote.id, voted.id, "for", actor=_delegate(voted))
    sent = voting.send_reminders(vote, actor=setup["secretariat"])
    db.session.commit()
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert sent == 4 and _delegate(voted).email not in recipients


def test_board_pages_chain_from_checkpoints(setup: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(voting, "CHECKPOINT", 2)
    vote = _open(setup)
    for member in setup["fr"] + setup["tn"]:
        voting.cast(vote.id, member.id, "for", actor=_delegate(member))
    db.session.commit()
    voting.close_vote(vote, actor=setup["secretariat"])
    db.session.commit()
    whole = voting.board_slice(vote, 1, 5)
    pages = [e for page in (1, 2, 3) for e in voting.board_slice(vote, page, 2)]
    assert pages == whole and len(vote.board_checkpoints) == 3
    assert voting.tracker_position(vote, whole[3].tracker) == 4
    assert voting.tracker_position(vote, "0" * 32) is None
