"""Proposals under concurrency: two "start a proposal" clicks (one draft), the deadline race (proposals
submitted while the secretariat closes the call) and double submits (two threads, two browser sessions).
Threads have their own application context, session and connection, and commit or roll back like a request.

Runs on PostgreSQL (``TEST_DATABASE_URL``: the partial unique index on drafts, the call row's ``FOR SHARE``
against the close's ``FOR UPDATE``, and the conditional ``UPDATE`` on the proposal row) and on SQLite (the
same index; ``BEGIN IMMEDIATE``: one writer at a time).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.calls import proposals, snapshots
from app.calls import services as call_services
from app.calls.models import Call, CallStatus, Proposal, ProposalSnapshot, ProposalStatus
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from app.members.models import Charter
from tests import factories
from tests.calls.test_proposals import Scene, fill, scene, user
from tests.conftest import login

pytestmark = pytest.mark.postgres
JOIN_TIMEOUT = 60


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
                with force_locale("en"):  # the messages are compared in English
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


# Starting a proposal ----------------------------------------------------------------------------------------------

def _together_at_the_insert(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Each thread waits for the others right before its INSERT: all have looked for a draft and found none."""
    barrier = threading.Barrier(parties)
    original = proposals._insert_draft

    def together(*args: Any) -> int | None:
        barrier.wait(JOIN_TIMEOUT)
        return original(*args)

    monkeypatch.setattr(proposals, "_insert_draft", together)


def _drafts(app: Flask, call_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Proposal.id).where(Proposal.call_id == call_id,
                                                                 Proposal.status == ProposalStatus.draft)))


def test_two_threads_starting_a_proposal_make_one_draft(app: Flask, wide_app: Flask, s: Scene,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _together_at_the_insert(monkeypatch, 2)
    outcomes: dict[Any, str] = {}

    def start_in_thread(key: int) -> threading.Thread:
        def work() -> None:
            with wide_app.app_context():
                try:
                    proposal, started = proposals.open_draft(db.session.get(Call, s.call_id),
                                                             actor=user(s.emails["delegate"]))
                    db.session.commit()
                    outcomes[key] = f"{'started' if started else 'found'} {proposal.id}"
                except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
                    db.session.rollback()
                    outcomes[key] = f"error: {exc!r}"
                finally:
                    db.session.remove()
        return threading.Thread(target=work)

    run([start_in_thread(i) for i in range(2)])
    [draft] = _drafts(app, s.call_id)
    assert sorted(outcomes.values()) == [f"found {draft}", f"started {draft}"], outcomes
    assert len(audit_ids(app, "proposal.created")) == 1


def test_two_browser_sessions_starting_a_proposal_make_one_draft(app: Flask, wide_app: Flask, s: Scene,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _together_at_the_insert(monkeypatch, 2)
    clients = [wide_app.test_client() for _ in range(2)]
    for client in clients:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the flashed messages are compared in English
        login(client, s.emails["delegate"])
    locations: list[str] = []

    def post(client: Any) -> None:
        response = client.post(f"/calls/{s.call_id}/proposals/new")
        locations.append(f"{response.status_code} {response.headers.get('Location', '')}")

    run([threading.Thread(target=post, args=(client,)) for client in clients])
    [draft] = _drafts(app, s.call_id)
    assert locations == [f"302 /proposals/{draft}"] * 2, locations
    assert len(audit_ids(app, "proposal.created")) == 1
    pages = [client.get(f"/proposals/{draft}", headers={"Accept-Language": "en"}).get_data(as_text=True)
             for client in clients]
    assert sum("Proposal started." in page for page in pages) == 1
    assert sum("already has a draft for this call" in page for page in pages) == 1


def test_the_database_refuses_a_second_draft(app: Flask, s: Scene) -> None:
    """The partial unique index itself: a second draft of the same lead in the call is refused; a submitted
    or withdrawn proposal beside the draft, or a draft in another call, is not."""
    with app.app_context():
        lead = s.member_id
        db.session.add(Proposal(call_id=s.call_id, lead_member_id=lead, status=ProposalStatus.draft))
        db.session.add(Proposal(call_id=s.call_id, lead_member_id=lead, status=ProposalStatus.submitted))
        db.session.add(Proposal(call_id=s.call_id, lead_member_id=lead, status=ProposalStatus.withdrawn))
        db.session.add(Proposal(call_id=s.call_id, lead_member_id=s.other_member_id, status=ProposalStatus.draft))
        db.session.commit()
        db.session.add(Proposal(call_id=s.call_id, lead_member_id=lead, status=ProposalStatus.draft))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert len(_drafts(app, s.call_id)) == 2


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
    original = snapshots.snapshot_content

    def slow_snapshot(*args: Any, **kwargs: Any) -> dict[str, Any]:
        locked.set()  # the call row is held now
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(snapshots, "snapshot_content", slow_snapshot)
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
