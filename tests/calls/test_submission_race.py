"""Submission under concurrency: the deadline race (proposals submitted while the secretariat closes the call)
and double submits (two threads, two browser sessions). Threads have their own application context, session
and connection, and commit or roll back like a request.

Runs on PostgreSQL (``TEST_DATABASE_URL``: the call row's ``FOR SHARE`` against the close's ``FOR UPDATE``,
and the conditional ``UPDATE`` on the proposal row) and on SQLite (``BEGIN IMMEDIATE``: one writer at a time).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.calls import proposals
from app.calls import services as call_services
from app.calls.models import Call, CallStatus, Proposal, ProposalSnapshot, ProposalStatus
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from app.members.models import Charter
from tests import factories
from tests.calls.test_proposals import Scene, fill, scene, user
from tests.conftest import login
from tests.conftest import test_settings as settings_for

pytestmark = pytest.mark.postgres
JOIN_TIMEOUT = 60


@pytest.fixture
def wide_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The test database behind a pool wide enough for every thread to hold a connection."""
    settings = settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                             SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 30, "max_overflow": 10,
                                                        "pool_timeout": 60})
    wide = create_app(settings)
    yield wide
    with wide.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def s(app: Flask, world: factories.World) -> Scene:
    return scene(app, world)


def eligible_drafts(app: Flask, s: Scene, n: int) -> list[tuple[int, str]]:
    """``n`` eligible drafts in the call, each led by its own French member (delegate e-mail returned)."""
    made = []
    with app.app_context():
        charter = db.session.scalar(select(Charter))
        call = db.session.get(Call, s.call_id)
        for member in factories.voters(n, charter_=charter, prefix="Lead"):
            delegate = next(u for u in member.representatives if u.is_delegate)
            proposal = proposals.create_proposal(call, actor=delegate)
            fill(proposal, s, delegate)
            made.append((proposal.id, delegate.email))
        db.session.commit()
    return made


def run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread is stuck"


def submit_in_thread(app: Flask, pid: int, email: str, outcomes: dict[Any, str],
                     before: Callable[[], None] | None = None, key: Any = None) -> threading.Thread:
    def work() -> None:
        with app.app_context():
            try:
                proposal = proposals.load(pid)
                actor = user(email)
                if before is not None:
                    before()
                proposals.submit(proposal, actor=actor)
                db.session.commit()
                outcomes[key if key is not None else pid] = "in"
            except DomainError as exc:
                db.session.rollback()
                outcomes[key if key is not None else pid] = f"refused: {exc.message}"
            except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
                db.session.rollback()
                outcomes[key if key is not None else pid] = f"error: {exc!r}"
            finally:
                db.session.remove()
    return threading.Thread(target=work)


def close_in_thread(app: Flask, call_id: int, outcomes: dict[Any, str], *, delay: float = 0.0,
                    barrier: threading.Barrier | None = None, hold: float = 0.0,
                    closed: threading.Event | None = None) -> threading.Thread:
    """The secretariat closes the call (``services.close_call``); ``hold`` keeps its transaction open after it."""
    def work() -> None:
        with app.app_context():
            try:
                call = db.session.get(Call, call_id)
                actor = user("secretariat@example.org")
                if barrier is not None:
                    barrier.wait(JOIN_TIMEOUT)
                time.sleep(delay)
                call_services.close_call(call, actor=actor)
                if closed is not None:
                    closed.set()
                time.sleep(hold)
                db.session.commit()
                outcomes["close"] = "closed"
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                outcomes["close"] = f"error: {exc!r}"
            finally:
                db.session.remove()
    return threading.Thread(target=work)


def audit_ids(app: Flask, action: str) -> dict[str, int]:
    with app.app_context():
        return {object_id: entry_id for entry_id, object_id in db.session.execute(
            select(AuditEntry.id, AuditEntry.object_id).where(AuditEntry.action == action))}


def assert_all_or_nothing(app: Flask, pids: list[int], outcomes: dict[Any, str]) -> None:
    """Each proposal is either submitted with exactly one snapshot, committed before the close, or untouched."""
    submitted_at = audit_ids(app, "proposal.submitted")
    closed_at = audit_ids(app, "call.closed")
    assert len(closed_at) == 1, outcomes
    close_entry = next(iter(closed_at.values()))
    with app.app_context():
        for pid in pids:
            status = db.session.scalar(select(Proposal.status).where(Proposal.id == pid))
            snapshots = db.session.scalar(select(func.count(ProposalSnapshot.id))
                                          .where(ProposalSnapshot.proposal_id == pid))
            if outcomes[pid] == "in":
                assert (status, snapshots) == (ProposalStatus.submitted, 1), (pid, outcomes)
                assert submitted_at[str(pid)] < close_entry, "a submission committed after the close"
            else:
                assert outcomes[pid].startswith("refused"), outcomes
                assert (status, snapshots) == (ProposalStatus.draft, 0), (pid, outcomes)
                assert str(pid) not in submitted_at


# The deadline race --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("delay", [0.0, 0.01, 0.05])
def test_submissions_racing_the_close_are_in_or_refused(app: Flask, wide_app: Flask, s: Scene,
                                                        delay: float) -> None:
    drafts = eligible_drafts(app, s, 8)
    barrier = threading.Barrier(len(drafts) + 1)
    outcomes: dict[Any, str] = {}
    threads = [submit_in_thread(wide_app, pid, email, outcomes, before=lambda: barrier.wait(JOIN_TIMEOUT))
               for pid, email in drafts]
    threads.append(close_in_thread(wide_app, s.call_id, outcomes, barrier=barrier, delay=delay))
    run(threads)
    assert outcomes["close"] == "closed", outcomes
    assert_all_or_nothing(app, [pid for pid, _e in drafts], outcomes)
    with app.app_context():
        assert db.session.get(Call, s.call_id).status == CallStatus.closed


def test_a_close_waits_for_a_submission_in_progress(app: Flask, wide_app: Flask, s: Scene,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The submission holds the call row while it writes its snapshot: the close commits after it."""
    [(pid, email)] = eligible_drafts(app, s, 1)
    locked = threading.Event()
    original = proposals.snapshot_content

    def slow_snapshot(*args: Any, **kwargs: Any) -> dict[str, Any]:
        locked.set()  # the call row is held now
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(proposals, "snapshot_content", slow_snapshot)
    outcomes: dict[Any, str] = {}
    submitter = submit_in_thread(wide_app, pid, email, outcomes)
    closer = close_in_thread(wide_app, s.call_id, outcomes)
    submitter.start()
    assert locked.wait(JOIN_TIMEOUT)
    closer.start()
    run_started = [submitter, closer]
    for thread in run_started:
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive()
    assert outcomes == {pid: "in", "close": "closed"}
    assert_all_or_nothing(app, [pid], outcomes)


def test_a_submission_waits_for_a_close_in_progress_and_is_refused(app: Flask, wide_app: Flask, s: Scene) -> None:
    """The close has updated the call but not committed yet: the submission waits for it, then sees it closed."""
    [(pid, email)] = eligible_drafts(app, s, 1)
    closed = threading.Event()
    outcomes: dict[Any, str] = {}
    closer = close_in_thread(wide_app, s.call_id, outcomes, hold=0.5, closed=closed)
    submitter = submit_in_thread(wide_app, pid, email, outcomes, before=lambda: closed.wait(JOIN_TIMEOUT))
    run([closer, submitter])
    assert outcomes["close"] == "closed"
    assert outcomes[pid].startswith("refused: The call is closed"), outcomes
    assert_all_or_nothing(app, [pid], outcomes)


# Double submit ----------------------------------------------------------------------------------------------------

def test_two_threads_submitting_the_same_proposal_make_one_snapshot(app: Flask, wide_app: Flask, s: Scene,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    [(pid, email)] = eligible_drafts(app, s, 1)
    barrier = threading.Barrier(2)
    original = proposals._lock_call

    def together(call_id: int) -> Call:
        barrier.wait(JOIN_TIMEOUT)  # both have read a draft and passed the checks
        return original(call_id)

    monkeypatch.setattr(proposals, "_lock_call", together)
    outcomes: dict[Any, str] = {}
    run([submit_in_thread(wide_app, pid, email, outcomes, key=i) for i in range(2)])
    assert sorted(outcomes.values()) == ["in", "refused: This proposal has already been submitted."], outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(ProposalSnapshot.id))) == 1
        assert db.session.get(Proposal, pid).submitted_number == 1
    assert len(audit_ids(app, "proposal.submitted")) == 1


def test_two_browser_sessions_submitting_make_one_snapshot(app: Flask, wide_app: Flask, s: Scene,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    [(pid, email)] = eligible_drafts(app, s, 1)
    clients = [wide_app.test_client() for _ in range(2)]
    for client in clients:
        login(client, email)
    barrier = threading.Barrier(2)
    original = proposals._lock_call

    def together(call_id: int) -> Call:
        barrier.wait(JOIN_TIMEOUT)
        return original(call_id)

    monkeypatch.setattr(proposals, "_lock_call", together)
    locations: list[str] = []

    def post(client: Any) -> None:
        response = client.post(f"/proposals/{pid}/submit")
        locations.append(f"{response.status_code} {response.headers.get('Location', '')}")

    run([threading.Thread(target=post, args=(client,)) for client in clients])
    assert sorted(locations) == [f"302 /proposals/{pid}/review", f"302 /proposals/{pid}/submitted"], locations
    with app.app_context():
        assert db.session.scalar(select(func.count(ProposalSnapshot.id))) == 1
