"""Two desks check the same member in at the same moment: one presence row, no error, one audit entry.

Each thread pushes its own application context (its own session and
connection) and commits like a request. Runs on SQLite and on PostgreSQL
(``TEST_DATABASE_URL``). The barrier holds every thread until all have loaded
the assembly and the member, so the writes really meet.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.assembly import services
from app.assembly.models import Assembly, Presence, PresenceStatus
from app.auth.models import User, UserKind
from app.core.models import AuditEntry
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.conftest import login
from tests.conftest import test_settings as settings_for

THREADS = 8
TIMEOUT = 60


@pytest.fixture
def wide_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The test database behind a pool wide enough for every thread to hold a connection."""
    settings = settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_size": 20, "max_overflow": 5,
                                                       "pool_timeout": 60})
    wide = create_app(settings)
    yield wide
    with wide.app_context():
        db.session.remove()
        db.engine.dispose()


def _setup(app: Flask) -> dict[str, int]:
    with app.app_context():
        member = factories.member("Union des Coopératives de Médenine", country="TN", college_code="cs-tn")
        secretariat = factories.user("desk@example.org", kind=UserKind.secretariat)
        assembly = factories.assembly()
        db.session.commit()
        return {"assembly": assembly.id, "member": member.id, "actor": secretariat.id}


def _race(app: Flask, jobs: list[Callable[[threading.Barrier], None]]) -> list[BaseException]:
    """Run each job in its own thread and app context (it waits on the barrier once loaded); return the errors."""
    barrier = threading.Barrier(len(jobs), timeout=TIMEOUT)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[threading.Barrier], None]) -> None:
        with app.app_context():
            try:
                job(barrier)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    assert not any(t.is_alive() for t in threads), "a thread is still running (deadlock?)"
    return errors


def _rows(app: Flask, ids: dict[str, int]) -> list[str]:
    with app.app_context():
        rows = list(db.session.scalars(select(Presence.status).where(Presence.assembly_id == ids["assembly"],
                                                                     Presence.member_id == ids["member"])))
        db.session.remove()
        return rows


def _entries(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count(AuditEntry.id))
                                  .where(AuditEntry.action == "assembly.presence_set"))
        db.session.remove()
        return count


def test_many_desks_mark_the_same_member_present_at_once(wide_app: Flask) -> None:
    ids = _setup(wide_app)

    def job(barrier: threading.Barrier) -> None:
        assembly = db.session.get(Assembly, ids["assembly"])
        member = db.session.get(Member, ids["member"])
        actor = db.session.get(User, ids["actor"])
        db.session.commit()  # end the read: each desk's change is its own request
        barrier.wait()
        services.set_presence(assembly, member, actor=actor, status=PresenceStatus.present)

    errors = _race(wide_app, [job] * THREADS)
    assert errors == []
    assert _rows(wide_app, ids) == [PresenceStatus.present]
    assert _entries(wide_app) == 1  # the first desk changed it; the others found it done


def test_the_presence_row_is_made_once_even_without_the_audit_lock(wide_app: Flask) -> None:
    """``_presence`` alone (as ``confirm_attendance`` and proxies use it): the unique constraint decides."""
    ids = _setup(wide_app)

    def job(barrier: threading.Barrier) -> None:
        assembly = db.session.get(Assembly, ids["assembly"])
        db.session.commit()
        barrier.wait()
        services._presence(assembly, ids["member"])

    errors = _race(wide_app, [job] * THREADS)
    assert errors == []
    assert _rows(wide_app, ids) == [PresenceStatus.absent]


def test_two_sessions_check_in_through_the_page_at_once(wide_app: Flask) -> None:
    ids = _setup(wide_app)
    with wide_app.app_context():
        others = [m.id for m in factories.voters(4, prefix="Queue")]
        db.session.commit()
    clients = [wide_app.test_client() for _ in range(2)]
    for client in clients:
        login(client, "desk@example.org")
    barrier = threading.Barrier(len(clients), timeout=TIMEOUT)
    statuses: list[int] = []
    lock = threading.Lock()
    selected = [str(ids["member"]), *map(str, others)]

    def post(client) -> None:  # noqa: ANN001
        barrier.wait()
        response = client.post(f"/assemblies/{ids['assembly']}/presence", data={"bulk": "present",
                                                                              "selected": selected})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    assert statuses == [302, 302]
    with wide_app.app_context():
        rows = db.session.execute(select(Presence.member_id, func.count()).where(
            Presence.assembly_id == ids["assembly"]).group_by(Presence.member_id)).all()
        db.session.remove()
    assert dict(rows) == dict.fromkeys([ids["member"], *others], 1)
    assert _entries(wide_app) == 5
