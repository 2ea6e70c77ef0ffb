"""The audit log: chain verification, append-only ORM guard, ``flask audit verify``,
the secretariat's log page and its filters, the entries written by the member
register, and two writers appending at once."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from app.auth.models import User
from app.core import audit
from app.core.audit import GENESIS, entry_digest, verify_chain
from app.core.models import AuditEntry
from app.extensions import db
from app.members.models import Member
from tests.conftest import login

# verify_chain -----------------------------------------------------------------


def _chain(n: int = 5) -> list[SimpleNamespace]:
    """A valid chain of ``n`` plain objects shaped like AuditEntry."""
    out: list[SimpleNamespace] = []
    prev = GENESIS
    for i in range(1, n + 1):
        item = SimpleNamespace(id=i, at=datetime(2026, 1, i, 12, tzinfo=UTC), actor_id=1,
                               actor_label="secretariat@example.org", action=f"member.action{i}",
                               object_type="member", object_id=str(i), before=None, after={"n": i},
                               prev_hash=prev, hash="")
        item.hash = entry_digest(prev, audit.hashed_fields(item))  # type: ignore[arg-type]
        prev = item.hash
        out.append(item)
    return out


def _rehash(item: SimpleNamespace) -> None:
    item.hash = entry_digest(item.prev_hash, audit.hashed_fields(item))  # type: ignore[arg-type]


def _intact(c: list[SimpleNamespace]) -> None:
    pass


def _alter_content(c: list[SimpleNamespace]) -> None:
    c[2].action = "member.deleted"


def _alter_after(c: list[SimpleNamespace]) -> None:
    c[2].after = {"n": 99}


def _alter_and_rehash(c: list[SimpleNamespace]) -> None:
    """The forger recomputes the altered entry's own hash: the next link breaks."""
    c[2].action = "member.deleted"
    _rehash(c[2])


def _delete_middle(c: list[SimpleNamespace]) -> None:
    del c[2]


def _reorder(c: list[SimpleNamespace]) -> None:
    c[1], c[2] = c[2], c[1]


def _forge_prev_hash(c: list[SimpleNamespace]) -> None:
    c[2].prev_hash = "f" * 64
    _rehash(c[2])


def _truncate_head(c: list[SimpleNamespace]) -> None:
    del c[0]


CASES: list[tuple[str, Callable[[list[SimpleNamespace]], None], bool, int | None, str]] = [
    ("intact", _intact, True, None, ""),
    ("content altered", _alter_content, False, 3, "content"),
    ("after altered", _alter_after, False, 3, "content"),
    ("altered and rehashed", _alter_and_rehash, False, 4, "previous"),
    ("entry deleted in the middle", _delete_middle, False, 4, "previous"),
    ("entries reordered", _reorder, False, 3, "previous"),
    ("prev_hash forged", _forge_prev_hash, False, 3, "previous"),
    ("first entry deleted", _truncate_head, False, 2, "previous"),
]


@pytest.mark.parametrize(("tamper", "ok", "bad_id", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_verify_chain(tamper: Callable[[list[SimpleNamespace]], None], ok: bool, bad_id: int | None,
                      reason: str) -> None:
    chain = _chain()
    tamper(chain)
    report = verify_chain(chain)  # type: ignore[arg-type]
    assert report.ok is ok
    assert report.first_bad_id == bad_id
    assert reason in report.reason


def test_verify_empty_chain() -> None:
    report = verify_chain([])
    assert report.ok and report.checked == 0


def test_recorded_entries_chain_from_genesis(ctx: None) -> None:
    first = audit.record("test.one", "thing", 1, after={"when": date(2026, 3, 1)})
    second = audit.record("test.two", "thing", 2, before={"a": 1}, after={"a": 2})
    db.session.commit()
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert verify_chain(entries).ok
    assert entries[0].after == {"when": "2026-03-01"}


# Append-only --------------------------------------------------------------------


def test_orm_refuses_update(ctx: None) -> None:
    audit.record("test.one", "thing", 1)
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry)).one()
    entry.action = "test.changed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalars(select(AuditEntry.action)).one() == "test.one"


def test_orm_refuses_delete(ctx: None) -> None:
    audit.record("test.one", "thing", 1)
    db.session.commit()
    db.session.delete(db.session.scalars(select(AuditEntry)).one())
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(AuditEntry.id))) == 1


# flask audit verify ---------------------------------------------------------------


def _append(app: Flask, n: int) -> None:
    with app.app_context():
        for i in range(n):
            audit.record(f"test.{i}", "thing", i, after={"i": i})
        db.session.commit()


def test_cli_verify_intact_then_tampered(app: Flask, runner) -> None:  # noqa: ANN001 - FlaskCliRunner
    _append(app, 4)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "4" in result.output
    with app.app_context():
        with db.engine.begin() as conn:
            target = conn.execute(text("SELECT id FROM audit_entries ORDER BY id LIMIT 1 OFFSET 1")).scalar()
            conn.execute(text("UPDATE audit_entries SET action = 'x' WHERE id = :id"), {"id": target})
        db.session.remove()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert str(target) in result.output


def test_cli_verify_detects_deleted_row(app: Flask, runner) -> None:  # noqa: ANN001
    _append(app, 3)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entries WHERE id = (SELECT MIN(id) FROM audit_entries)"))
        db.session.remove()
    assert runner.invoke(args=["audit", "verify"]).exit_code != 0


def test_cli_verify_empty_log(runner) -> None:  # noqa: ANN001
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


# The log page ---------------------------------------------------------------------


@pytest.fixture
def log_entries(app: Flask, world, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:  # noqa: ANN001
    """Four entries on known days by known actors (``at`` is pinned, the chain stays valid)."""
    plan = [
        (datetime(2026, 1, 10, 9, tzinfo=UTC), "secretariat", "member.created", "member"),
        (datetime(2026, 2, 10, 9, tzinfo=UTC), "secretariat", "member.status_changed", "member"),
        (datetime(2026, 3, 10, 9, tzinfo=UTC), "delegate", "charter.signed", "member"),
        (datetime(2026, 4, 10, 9, tzinfo=UTC), "secretariat", "college.created", "college"),
    ]
    ids: dict[str, int] = {}
    with app.app_context():
        for at, role, action, obj_type in plan:
            monkeypatch.setattr(audit, "utcnow", lambda at=at: at)
            actor = db.session.scalar(select(User).where(User.email == world.emails[role]))
            ids[action] = audit.record(action, obj_type, 7, actor=actor, after={"mark": f"MARK-{action}"}).id
        db.session.commit()
    monkeypatch.undo()
    return ids


def _marks(html: str) -> set[str]:
    import re

    return set(re.findall(r"MARK-([a-z_.]+)", html))


ALL = {"member.created", "member.status_changed", "charter.signed", "college.created"}
FILTERS = [
    ({}, ALL),
    ({"action": "member."}, {"member.created", "member.status_changed"}),
    ({"action": "charter"}, {"charter.signed"}),
    ({"object_type": "college"}, {"college.created"}),
    ({"actor": "delegate@"}, {"charter.signed"}),
    ({"actor": "SECRETARIAT"}, {"member.created", "member.status_changed", "college.created"}),
    ({"from": "2026-02-10"}, {"member.status_changed", "charter.signed", "college.created"}),
    ({"to": "2026-02-10"}, {"member.created", "member.status_changed"}),
    ({"from": "2026-02-01", "to": "2026-03-31"}, {"member.status_changed", "charter.signed"}),
    ({"from": "not-a-date"}, ALL),
    ({"action": "member.", "object_type": "member", "from": "2026-02-01"}, {"member.status_changed"}),
    ({"action": "nothing"}, set()),
    # LIKE wildcards typed in a filter are taken literally.
    ({"action": "%"}, set()),
    ({"actor": "%"}, set()),
    ({"actor": "_"}, set()),
]


@pytest.mark.parametrize(("args", "expected"), FILTERS, ids=[str(a) for a, _ in FILTERS])
def test_log_page_filters(client, world, log_entries, args: dict[str, str], expected: set[str]) -> None:  # noqa: ANN001
    login(client, world.emails["secretariat"])
    response = client.get("/audit", query_string=args)
    assert response.status_code == 200
    # Logging in adds an auth.login entry; only the marked ones matter here.
    assert _marks(response.get_data(as_text=True)) == expected


@pytest.mark.parametrize("role", ["delegate", "alternate", "ex_officio"])
def test_log_page_is_secretariat_only(client, world, role: str) -> None:  # noqa: ANN001
    login(client, world.emails[role])
    assert client.get("/audit").status_code == 403


def test_log_page_anonymous_goes_to_login(client, world) -> None:  # noqa: ANN001
    response = client.get("/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Entries written by the register ---------------------------------------------------


def _last(app: Flask, action: str) -> AuditEntry:
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry is not None, f"no {action} entry"
        db.session.expunge(entry)
        return entry


def test_member_creation_is_audited(app: Flask, client, world) -> None:  # noqa: ANN001
    with app.app_context():
        college_id = db.session.scalar(select(Member.college_id).where(Member.id == world.member_id))
    login(client, world.emails["secretariat"])
    response = client.post("/members/new", data={"name": "Réseau Audit Test", "acronym": "RAT", "kind": "network",
                                                 "country": "TN", "college_id": str(college_id),
                                                 "territory": "Sfax"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    entry = _last(app, "member.created")
    assert entry.actor_label == world.emails["secretariat"]
    assert entry.object_type == "member"
    assert entry.before is None
    assert entry.after["name"] == "Réseau Audit Test" and entry.after["status"] == "applicant"


def test_status_change_is_audited(app: Flask, client, world) -> None:  # noqa: ANN001
    login(client, world.emails["secretariat"])
    response = client.post(f"/members/{world.member_id}/status",
                           data={"status": "suspended", "reason": "Unpaid dues", "effective_date": "2026-05-01"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    entry = _last(app, "member.status_changed")
    assert entry.object_id == str(world.member_id)
    assert entry.before == {"status": "active"}
    assert entry.after["status"] == "suspended" and entry.after["reason"] == "Unpaid dues"
    assert entry.after["effective_date"] == "2026-05-01"


def test_delegate_change_is_audited(app: Flask, client, world) -> None:  # noqa: ANN001
    with app.app_context():
        alternate_id = db.session.scalar(select(User.id).where(User.email == world.emails["alternate"]))
    login(client, world.emails["secretariat"])
    response = client.post(f"/members/{world.member_id}/representatives/{alternate_id}/delegate", data={})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    entry = _last(app, "member.delegate_changed")
    assert entry.before == {"delegate": world.emails["delegate"]}
    assert entry.after == {"delegate": world.emails["alternate"]}


def test_charter_signature_is_audited(app: Flask, client, world) -> None:  # noqa: ANN001
    login(client, world.emails["delegate"])
    response = client.post("/charter", data={"agree": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    entry = _last(app, "charter.signed")
    assert entry.actor_label == world.emails["delegate"]
    assert entry.object_id == str(world.member_id)
    assert entry.after == {"charter_version": 1, "signed_by": world.emails["delegate"]}


def test_whole_log_verifies_after_a_session_of_work(app: Flask, client, world, runner) -> None:  # noqa: ANN001
    login(client, world.emails["secretariat"])
    client.post(f"/members/{world.member_id}/status", data={"status": "suspended", "reason": "r"})
    client.post("/logout")
    client.post("/login", data={"email": world.emails["delegate"], "password": "wrong password"})
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


# Two writers at once -----------------------------------------------------------------


def _concurrent_appends(app: Flask, monkeypatch: pytest.MonkeyPatch, per_thread: int) -> list[BaseException]:
    """Two threads, each with its own app context and session, append and commit.

    A barrier right after each writer has read the last hash makes the race
    deterministic when nothing serialises the writers; with a lock the second
    writer is still waiting, so the first one passes the barrier on timeout.
    """
    barrier = threading.Barrier(2, timeout=1.0)
    digest = audit.entry_digest

    def paused_digest(prev_hash: str, fields: Any) -> str:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return digest(prev_hash, fields)

    monkeypatch.setattr(audit, "entry_digest", paused_digest)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with app.app_context():
                for i in range(per_thread):
                    audit.record(f"test.{name}", "thing", i)
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    monkeypatch.undo()
    return errors


@pytest.mark.parametrize("per_thread", [1, 5])
def test_two_writers_both_land_and_chain_verifies(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                 per_thread: int) -> None:
    errors = _concurrent_appends(app, monkeypatch, per_thread)
    assert not errors, errors
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        assert len(entries) == 2 * per_thread
        assert {e.action for e in entries} == {"test.a", "test.b"}
        assert verify_chain(entries).ok
        db.session.remove()


def test_writer_after_a_read_in_the_same_transaction(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that already read (but not wrote) in its transaction still chains correctly."""
    def reading_writer() -> None:
        with app.app_context():
            db.session.scalar(select(db.func.count(AuditEntry.id)))
            audit.record("test.reader", "thing", 1)
            db.session.commit()

    done: list[BaseException] = []

    def run() -> None:
        try:
            reading_writer()
        except BaseException as exc:  # noqa: BLE001
            done.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not done, done
    with app.app_context():
        assert verify_chain(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))).ok
        db.session.remove()


