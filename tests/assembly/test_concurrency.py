"""One member, one vote under concurrency: threads with their own sessions cast at the same moment.

Each thread pushes its own application context, so it gets its own
``db.session`` and its own connection, commits its own transaction (or rolls
back on a refusal) and removes its session at the end, like a request would.
The same code runs on SQLite (WAL and ``busy_timeout``, set by the app) and on
PostgreSQL (``TEST_DATABASE_URL``).

To make the race as hard as possible, most tests hold every thread on a
barrier *after* ``cast`` has read the vote and checked the voter (by wrapping
``voting.may_cast_for``): all of them have seen an open vote and an unused
slot before any of them writes. Only the unique (vote, member) constraint can
then stop the others, and only the locking between ``cast`` and
``close_vote`` can keep a ballot from landing after the board was sealed.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.assembly import board as board_rules
from app.assembly import board_header, secrecy, voting
from app.assembly.models import Ballot, Participation, Vote
from app.auth.models import User, UserKind
from app.core.errors import DomainError
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.auth.helpers import translated
from tests.conftest import login
from tests.conftest import test_settings as settings_for

ALREADY_CAST = "A ballot has already been cast for this organisation: it counts once, as cast."
NOT_OPEN = "This vote is not open."
CHOICES = ("for", "against", "abstain")
BARRIER_TIMEOUT = 30
JOIN_TIMEOUT = 90


# Fixtures and helpers -------------------------------------------------------------------

@pytest.fixture
def wide_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The test app's database behind a pool wide enough for every thread to hold a connection.

    Threads wait on the barrier with their transaction (and so their
    connection) open; the default pool (5 + 10 overflow) would starve the 16th.
    """
    settings = settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                             SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 40, "max_overflow": 10,
                                                        "pool_timeout": 60})
    wide = create_app(settings)
    yield wide
    with wide.app_context():
        db.session.remove()
        db.engine.dispose()


def _open_vote(app: Flask, groups: dict[str, int], *, alternates: int = 0, secret: bool = True,
               double: bool = False) -> dict[str, Any]:
    """An open vote whose electorate is ``groups`` (college -> members); ids only, all committed.

    ``alternates`` extra users are invited for each member, so several people may cast for it.
    """
    with app.app_context():
        charter = factories.charter()
        members = []
        for code, size in groups.items():
            members += factories.voters(size, charter_=charter, college_code=code, country="TN" if "tn" in code
                                        else "FR")
        casters: dict[int, list[int]] = {}
        for m in members:
            delegate = next(u for u in m.representatives if u.is_delegate)
            extra = [factories.user(f"alt-{m.id}-{i}@example.org", member=m) for i in range(alternates)]
            casters[m.id] = [delegate.id] + [u.id for u in extra]
        secretariat = factories.user("sec-conc@example.org", kind=UserKind.secretariat)
        assembly = factories.assembly()
        resolution = factories.resolution(assembly, secret=secret, double=double)
        voting.open_vote(resolution.vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
        db.session.commit()
        return {"vote_id": resolution.vote_id, "members": [m.id for m in members], "casters": casters,
                "secretariat_id": secretariat.id,
                "college": {m.id: m.college.code for m in members}}


class Outcomes:
    """What each thread got: a tracker (committed), a refusal, or an unexpected error."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.trackers: dict[Any, str] = {}
        self.refusals: dict[Any, DomainError] = {}
        self.errors: list[tuple[Any, BaseException]] = []

    def run(self, app: Flask, key: Any, job: Callable[[], str], *, before_commit: Callable[[], None] | None = None
            ) -> None:
        """Run ``job`` in a fresh app context; commit a success, roll back a refusal, always remove the session."""
        with app.app_context():
            try:
                tracker = job()
                if before_commit is not None:
                    before_commit()
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                with self.lock:
                    self.refusals[key] = exc
            except BaseException as exc:  # noqa: BLE001 - reported by the test, in its own thread
                db.session.rollback()
                with self.lock:
                    self.errors.append((key, exc))
            else:
                with self.lock:
                    self.trackers[key] = tracker
            finally:
                db.session.remove()


def _cast_job(vote_id: int, member_id: int, actor_id: int, choice: str) -> Callable[[], str]:
    def job() -> str:
        actor = db.session.get(User, actor_id)
        assert actor is not None
        return voting.cast(vote_id, member_id, choice, actor=actor)
    return job


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread is still running (deadlock?)"


def _hold_after_checks(monkeypatch: pytest.MonkeyPatch, barrier: threading.Barrier) -> None:
    """Every cast waits here once it has read the vote and checked its voter, before writing."""
    check = voting.may_cast_for

    def checked_then_wait(user: User, member_id: int, proxy_holder_id: int | None) -> bool:
        allowed = check(user, member_id, proxy_holder_id)
        barrier.wait()
        return allowed

    monkeypatch.setattr(voting, "may_cast_for", checked_then_wait)


def _counts(app: Flask, vote_id: int) -> tuple[int, int]:
    with app.app_context():
        participations = db.session.scalar(select(func.count()).select_from(Participation)
                                           .where(Participation.vote_id == vote_id))
        ballots = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id))
        db.session.remove()
        return participations, ballots


def _table(app: Flask, vote_id: int) -> list[tuple[str, str, str]]:
    """(tracker, choice, college) of every ballot in the table."""
    with app.app_context():
        rows = [tuple(r) for r in db.session.execute(
            select(Ballot.tracker, Ballot.choice, Ballot.college).where(Ballot.vote_id == vote_id))]
        db.session.remove()
        return rows


def _close(app: Flask, vote_id: int, secretariat_id: int) -> dict[str, Any]:
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        result = voting.close_vote(vote, actor=db.session.get(User, secretariat_id))
        db.session.commit()
        db.session.remove()
        return result


def _assert_board_matches_table(app: Flask, vote_id: int, committed: dict[Any, str]) -> None:
    """The sealed board is exactly the ballots table, and every tracker a voter was given is on it."""
    rows = _table(app, vote_id)
    participations, ballots = _counts(app, vote_id)
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        result, final_hash, start = vote.result, vote.final_hash, board_header.chain_start(vote)
        db.session.remove()
    assert ballots == participations, (ballots, participations)
    assert result["ballots"] == ballots, f"sealed {result['ballots']} ballots, the table has {ballots}"
    assert result["participation"] == participations
    assert sum(result["counts"].values()) == ballots
    assert final_hash == board_rules.final_hash(board_rules.seal(rows, start), start), "a ballot changed after the seal"
    assert set(committed.values()) == {tracker for tracker, _, _ in rows}


# a) Many sessions cast for the same member at the same moment -----------------------------

ROUNDS = 3
SAME_MEMBER_THREADS = 16


def test_sixteen_sessions_casting_for_one_member_make_exactly_one_ballot(
        wide_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _open_vote(wide_app, {"cs-fr": ROUNDS}, alternates=SAME_MEMBER_THREADS - 1)
    vote_id = data["vote_id"]
    winners: list[str] = []
    for round_, member_id in enumerate(data["members"], start=1):
        barrier = threading.Barrier(SAME_MEMBER_THREADS, timeout=BARRIER_TIMEOUT)
        _hold_after_checks(monkeypatch, barrier)
        outcomes = Outcomes()
        actors = data["casters"][member_id]
        assert len(actors) == SAME_MEMBER_THREADS
        choices = {i: CHOICES[i % 3] for i in range(SAME_MEMBER_THREADS)}
        threads = [threading.Thread(target=outcomes.run, args=(
            wide_app, i, _cast_job(vote_id, member_id, actors[i], choices[i]))) for i in range(SAME_MEMBER_THREADS)]
        _run(threads)

        assert not outcomes.errors, outcomes.errors
        assert len(outcomes.trackers) == 1, f"round {round_}: {len(outcomes.trackers)} casts succeeded"
        assert len(outcomes.refusals) == SAME_MEMBER_THREADS - 1
        assert all(isinstance(r, voting.AlreadyCast) for r in outcomes.refusals.values()), outcomes.refusals
        [(winner, tracker)] = outcomes.trackers.items()
        winners.append(choices[winner])
        assert _counts(wide_app, vote_id) == (round_, round_)
        rows = _table(wide_app, vote_id)
        assert tracker in {t for t, _, _ in rows}
        assert Counter(choice for _, choice, _ in rows) == Counter(winners), "the ballot is not the winner's"


# b) Many members at once: nothing lost ------------------------------------------------------

MANY_MEMBERS = {"cs-fr": 30, "cs-tn": 20}
WORKERS = 12


def test_fifty_members_casting_at_once_lose_no_ballot_and_the_count_matches(
        wide_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _open_vote(wide_app, MANY_MEMBERS, double=True)
    vote_id, members = data["vote_id"], data["members"]
    choices = {m: CHOICES[(i * 7) % 3] for i, m in enumerate(members)}
    start = threading.Barrier(WORKERS, timeout=BARRIER_TIMEOUT)
    outcomes = Outcomes()

    def worker(share: list[int]) -> None:
        try:
            start.wait()
        except threading.BrokenBarrierError as exc:
            outcomes.errors.append(("barrier", exc))
            return
        for member_id in share:
            outcomes.run(wide_app, member_id,
                         _cast_job(vote_id, member_id, data["casters"][member_id][0], choices[member_id]))

    _run([threading.Thread(target=worker, args=(members[i::WORKERS],)) for i in range(WORKERS)])

    assert not outcomes.errors, outcomes.errors
    assert not outcomes.refusals, outcomes.refusals
    assert set(outcomes.trackers) == set(members)
    assert len(set(outcomes.trackers.values())) == len(members), "two ballots share a tracker"
    assert _counts(wide_app, vote_id) == (len(members), len(members))
    rows = _table(wide_app, vote_id)
    assert {t for t, _, _ in rows} == set(outcomes.trackers.values())
    assert Counter((c, ch) for _, ch, c in rows) == Counter((data["college"][m], choices[m]) for m in members)

    result = _close(wide_app, vote_id, data["secretariat_id"])
    cast = Counter(choices.values())
    assert result["ballots"] == result["participation"] == len(members)
    assert result["counts"] == {"for": cast["for"], "against": cast["against"], "abstain": cast["abstain"]}
    for code in MANY_MEMBERS:
        in_college = Counter(choices[m] for m in members if data["college"][m] == code)
        college = result["by_college"][code]
        assert (college["for"], college["against"], college["abstain"]) == (
            in_college["for"], in_college["against"], in_college["abstain"])
    _assert_board_matches_table(wide_app, vote_id, outcomes.trackers)


# c) Through HTTP: two signed-in sessions post the same cast -----------------------------------

@pytest.mark.parametrize("pair", [("delegate", "alternate"), ("delegate", "delegate")],
                         ids=["delegate-and-alternate", "same-user-two-sessions"])
def test_two_sessions_posting_the_cast_at_once_make_one_ballot_and_a_kind_message(
        app: Flask, monkeypatch: pytest.MonkeyPatch, pair: tuple[str, str]) -> None:
    data = _open_vote(app, {"cs-fr": 2}, alternates=1)
    vote_id, member_id = data["vote_id"], data["members"][0]
    with app.app_context():
        emails = {"delegate": db.session.get(User, data["casters"][member_id][0]).email,
                  "alternate": db.session.get(User, data["casters"][member_id][1]).email}
    clients = []
    for role in pair:
        client = app.test_client()
        login(client, emails[role])
        with client.session_transaction() as sess:
            sess.pop("_flashes", None)  # the welcome message
        clients.append(client)
    with app.app_context():  # what each session's confirm page gave it (the tracker and its MAC)
        key = secrecy.tracker_key(app.config["SECRET_KEY"])
        trackers = [secrecy.new_tracker() for _ in pair]
        receipts = [{"tracker": t, "mac": secrecy.tracker_mac(key, vote_id, member_id, t)} for t in trackers]
    _hold_after_checks(monkeypatch, threading.Barrier(2, timeout=BARRIER_TIMEOUT))
    responses: dict[int, Any] = {}
    flashes: dict[int, list[tuple[str, str]]] = {}
    failures: list[BaseException] = []

    def post(index: int, choice: str) -> None:
        try:
            client = clients[index]
            responses[index] = client.post(f"/votes/{vote_id}/cast", data={"member_id": member_id, "choice": choice,
                                                                          **receipts[index]})
            with client.session_transaction() as sess:
                flashes[index] = list(sess.get("_flashes", []))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    _run([threading.Thread(target=post, args=(0, "for")), threading.Thread(target=post, args=(1, "against"))])

    assert not failures, failures
    # The winner is answered with its receipt (200, the tracker on the page, no flash left in the
    # session); the loser goes back to the ballot page with a kind message.
    assert sorted(r.status_code for r in responses.values()) == [200, 302]
    [loser] = [i for i, r in responses.items() if r.status_code == 302]
    winner = 1 - loser
    assert responses[loser].headers["Location"].endswith(f"/votes/{vote_id}")
    assert trackers[winner] in responses[winner].get_data(as_text=True)
    assert _counts(app, vote_id) == (1, 1)
    assert flashes[winner] == [] and [category for category, _ in flashes[loser]] == ["info"], flashes
    assert flashes[loser][0][1] == translated(app, ALREADY_CAST)
    winner_choice = ("for", "against")[winner]
    assert [(tracker, choice) for tracker, choice, _ in _table(app, vote_id)] == [(trackers[winner], winner_choice)]


# d) Closing while casting: no ballot lands after the seal ------------------------------------

def test_casts_racing_the_close_all_land_on_the_board_or_are_refused(wide_app: Flask) -> None:
    data = _open_vote(wide_app, {"cs-fr": 48})
    vote_id, members = data["vote_id"], data["members"]
    workers = 8
    start = threading.Barrier(workers + 1, timeout=BARRIER_TIMEOUT)
    enough = threading.Event()
    outcomes = Outcomes()
    closed: list[dict[str, Any]] = []

    def caster(share: list[int]) -> None:
        start.wait()
        for member_id in share:
            outcomes.run(wide_app, member_id,
                         _cast_job(vote_id, member_id, data["casters"][member_id][0], "for"))
            if len(outcomes.trackers) >= len(members) // 3:
                enough.set()

    def closer() -> None:
        start.wait()
        enough.wait(timeout=JOIN_TIMEOUT)
        try:
            closed.append(_close(wide_app, vote_id, data["secretariat_id"]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes.errors.append(("close", exc))

    _run([threading.Thread(target=caster, args=(members[i::workers],)) for i in range(workers)]
         + [threading.Thread(target=closer)])

    assert not outcomes.errors, outcomes.errors
    assert closed, "the vote was not closed"
    assert all(str(r.message) == NOT_OPEN for r in outcomes.refusals.values()), outcomes.refusals
    assert len(outcomes.trackers) + len(outcomes.refusals) == len(members)
    assert len(outcomes.trackers) >= len(members) // 3
    _assert_board_matches_table(wide_app, vote_id, outcomes.trackers)


def test_a_cast_in_flight_when_the_close_starts_is_on_the_sealed_board(wide_app: Flask) -> None:
    """Cast written but not committed, then the close starts: the close must wait for it."""
    data = _open_vote(wide_app, {"cs-fr": 3})
    vote_id, member_id = data["vote_id"], data["members"][0]
    in_flight, closing = threading.Event(), threading.Event()
    outcomes = Outcomes()

    def hold_the_commit() -> None:
        in_flight.set()
        closing.wait(timeout=BARRIER_TIMEOUT)
        time.sleep(0.5)  # the close is now running (or waiting for this transaction)

    def closer() -> None:
        in_flight.wait(timeout=BARRIER_TIMEOUT)
        closing.set()
        try:
            _close(wide_app, vote_id, data["secretariat_id"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes.errors.append(("close", exc))

    _run([threading.Thread(target=outcomes.run, args=(
        wide_app, member_id, _cast_job(vote_id, member_id, data["casters"][member_id][0], "against")),
        kwargs={"before_commit": hold_the_commit}), threading.Thread(target=closer)])

    assert not outcomes.errors, outcomes.errors
    assert list(outcomes.trackers) == [member_id]
    _assert_board_matches_table(wide_app, vote_id, outcomes.trackers)


def test_a_cast_that_saw_the_vote_open_before_the_close_is_refused_after_it(
        wide_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cast checked (vote open), then the close commits, then the cast writes: it must insert nothing."""
    data = _open_vote(wide_app, {"cs-fr": 3})
    vote_id, member_id = data["vote_id"], data["members"][0]
    checked, closed = threading.Event(), threading.Event()
    outcomes = Outcomes()
    check = voting.may_cast_for

    def check_then_wait_for_the_close(user: User, member: int, holder: int | None) -> bool:
        allowed = check(user, member, holder)
        checked.set()
        closed.wait(timeout=BARRIER_TIMEOUT)
        return allowed

    monkeypatch.setattr(voting, "may_cast_for", check_then_wait_for_the_close)

    def closer() -> None:
        checked.wait(timeout=BARRIER_TIMEOUT)
        try:
            _close(wide_app, vote_id, data["secretariat_id"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes.errors.append(("close", exc))
        finally:
            closed.set()

    _run([threading.Thread(target=outcomes.run, args=(
        wide_app, member_id, _cast_job(vote_id, member_id, data["casters"][member_id][0], "for"))),
        threading.Thread(target=closer)])

    assert not outcomes.errors, outcomes.errors
    assert not outcomes.trackers
    assert str(outcomes.refusals[member_id].message) == NOT_OPEN
    assert _counts(wide_app, vote_id) == (0, 0)
    _assert_board_matches_table(wide_app, vote_id, {})


def test_a_cast_arriving_while_the_close_is_sealing_waits_and_is_refused(wide_app: Flask) -> None:
    """The close has marked the vote closed but not committed; a cast starting now must not slip in."""
    data = _open_vote(wide_app, {"cs-fr": 3})
    vote_id, member_id = data["vote_id"], data["members"][0]
    sealing = threading.Event()
    outcomes = Outcomes()

    def closer() -> None:
        with wide_app.app_context():
            try:
                vote = db.session.get(Vote, vote_id)
                voting.close_vote(vote, actor=db.session.get(User, data["secretariat_id"]))
                sealing.set()
                time.sleep(0.5)  # the cast below starts meanwhile, and must wait or see the vote closed
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                outcomes.errors.append(("close", exc))
            finally:
                sealing.set()
                db.session.remove()

    def late_caster() -> None:
        sealing.wait(timeout=BARRIER_TIMEOUT)
        outcomes.run(wide_app, member_id, _cast_job(vote_id, member_id, data["casters"][member_id][0], "for"))

    _run([threading.Thread(target=closer), threading.Thread(target=late_caster)])

    assert not outcomes.errors, outcomes.errors
    assert not outcomes.trackers
    assert str(outcomes.refusals[member_id].message) == NOT_OPEN
    _assert_board_matches_table(wide_app, vote_id, {})
