"""``flask calls remind`` and ``flask calls close-due``: once per call, only when due; and, on PostgreSQL,
the close waits for a submission holding the call row (``lock_call_for_submission``) and vice versa."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.calls import services
from app.calls.models import Call, CallStatus
from app.core.models import AuditEntry, OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import MemberStatus
from tests import factories
from tests.calls import builders


def _call(closes_in: timedelta, *, status: str = CallStatus.open, reminder_days: int = 7, title: str = "Appel") -> Call:
    call = builders.call(status=status, title=title)
    call.closes_at = utcnow() + closes_in
    call.reminder_days = reminder_days
    db.session.flush()
    return call


def _mails() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


# Reminders --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("closes_in", "status", "days", "due"), [
    (timedelta(days=6), CallStatus.open, 7, True),
    (timedelta(days=7), CallStatus.open, 7, True),                 # exactly at the window's edge
    (timedelta(days=7, minutes=1), CallStatus.open, 7, False),
    (timedelta(hours=1), CallStatus.open, 1, True),
    (timedelta(hours=1), CallStatus.open, 0, False),               # 0 days: no reminder
    (-timedelta(minutes=1), CallStatus.open, 7, False),            # past its close
    (timedelta(days=2), CallStatus.draft, 7, False),
    (timedelta(days=2), CallStatus.closed, 7, False),
])
def test_reminder_due(session: factories.World, closes_in: timedelta, status: str, days: int, due: bool) -> None:
    now = utcnow()
    call = _call(closes_in, status=status, reminder_days=days)
    call.closes_at = now + closes_in
    assert services.reminder_due(call, now) is due


def test_reminders_go_once_to_active_members_representatives(session: factories.World) -> None:
    world = session
    gone = factories.member("Association partie", status=MemberStatus.withdrawn)
    factories.user("gone@example.org", member=gone, delegate=True)
    due = _call(timedelta(days=3), title="Appel bientôt clos")
    _call(timedelta(days=30), title="Appel lointain")
    assert services.send_reminders() == 1
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {world.emails["delegate"], world.emails["alternate"], world.emails["other_delegate"]}
    assert due.reminded_at is not None
    subject = db.session.scalar(select(OutboxMessage.subject).limit(1))
    assert "Appel bientôt clos" in subject
    assert services.send_reminders() == 0  # once per call
    assert _mails() == 3
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "call.reminded")) == 1


def test_the_remind_command(app: Flask, world: factories.World) -> None:
    with app.app_context():
        _call(timedelta(days=2))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["calls", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 call reminded." in result.output
    result = runner.invoke(args=["calls", "remind"])
    assert "0 calls reminded." in result.output
    with app.app_context():
        assert _mails() == 3


# Closing due calls ----------------------------------------------------------------------------------

def test_close_due_closes_only_the_calls_past_their_time(session: factories.World) -> None:
    past = _call(-timedelta(minutes=1), title="Échu")
    future = _call(timedelta(hours=1), title="En cours")
    draft = _call(-timedelta(days=1), status=CallStatus.draft, title="Brouillon")
    assert services.close_due() == 1
    assert (past.status, future.status, draft.status) == (CallStatus.closed, CallStatus.open, CallStatus.draft)
    assert past.closed_at is not None
    assert services.close_due() == 0


def test_the_close_due_command(app: Flask, world: factories.World) -> None:
    with app.app_context():
        call_id = _call(-timedelta(seconds=1)).id
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["calls", "close-due"])
    assert result.exit_code == 0, result.output
    assert "1 call closed." in result.output
    with app.app_context():
        assert db.session.get(Call, call_id).status == CallStatus.closed
        actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(call_id),
                                                                          AuditEntry.object_type == "call")))
    assert actions == ["call.closed"]


# Concurrency (PostgreSQL) ------------------------------------------------------------------------

def _postgresql(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_a_close_waits_for_a_submission_holding_the_call(app: Flask, world: factories.World) -> None:
    """The submission's FOR SHARE makes the close wait until the submission commits: it is either in or refused."""
    if not _postgresql(app):
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    with app.app_context():
        call_id = _call(timedelta(hours=1)).id
        db.session.commit()
    holding, done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def submitter() -> None:
        with app.app_context():
            call = services.lock_call_for_submission(call_id)
            seen["accepting"] = services.is_accepting(call)
            holding.set()
            time.sleep(0.5)  # writing the snapshot
            seen["closed_before_commit"] = done.is_set()
            db.session.commit()

    def closer() -> None:
        with app.app_context():
            holding.wait(5)
            services.close_call(db.session.get(Call, call_id), actor=None)
            db.session.commit()
            done.set()

    threads = [threading.Thread(target=submitter), threading.Thread(target=closer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"accepting": True, "closed_before_commit": False}
    assert done.is_set()
    with app.app_context():
        assert db.session.get(Call, call_id).status == CallStatus.closed


def test_a_submission_after_the_close_sees_the_call_closed(app: Flask, world: factories.World) -> None:
    """A submission arriving while the close holds the row waits for it, then reads the call closed."""
    if not _postgresql(app):
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    with app.app_context():
        call_id = _call(timedelta(hours=1)).id
        db.session.commit()
    closing = threading.Event()
    seen: dict[str, object] = {}

    def closer() -> None:
        with app.app_context():
            services.close_call(db.session.get(Call, call_id), actor=None)
            closing.set()
            time.sleep(0.5)
            db.session.commit()

    def submitter() -> None:
        with app.app_context():
            call = db.session.get(Call, call_id)  # read before the lock: still open in this session
            seen["before"] = call.status
            closing.wait(5)
            locked = services.lock_call_for_submission(call_id)
            seen["accepting"] = services.is_accepting(locked)
            db.session.rollback()

    threads = [threading.Thread(target=submitter), threading.Thread(target=closer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"before": CallStatus.open, "accepting": False}


def test_two_reminder_runs_remind_once(app: Flask, world: factories.World) -> None:
    if not _postgresql(app):
        pytest.skip("concurrent transactions: PostgreSQL only")
    with app.app_context():
        _call(timedelta(days=2))
        db.session.commit()
    results: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        with app.test_request_context():
            start.wait(5)
            results.append(services.send_reminders())
            db.session.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == [0, 1]
    with app.app_context():
        assert _mails() == 3
