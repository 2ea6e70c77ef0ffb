"""Append-only, hash-chained audit log.

``h_i = sha256(h_{i-1} || canonical JSON of entry i)``; the first entry chains
onto 64 zeros. Entries are written in the caller's transaction (flush, no
commit), so a change and its audit record land together or not at all.
Never pass a secret ballot's content here.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    """Dates, enums and decimals become strings so the hash input is stable."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def entry_digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """Hash of one entry chained onto its predecessor (pure)."""
    payload = json.dumps(_jsonable(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields covered by the hash, exactly as stored."""
    return {
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
    }


def _lock_chain(session: Session) -> None:
    """Serialise appenders before the last hash is read, so two writers never chain onto the same entry.

    PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a
    time, but the driver only opens a transaction at the first INSERT/UPDATE:
    a writer that has not written yet would read the last hash unlocked. So
    take the write lock first (``BEGIN IMMEDIATE``, which waits ``busy_timeout``).
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    elif dialect == "sqlite":
        raw = connection.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def serialise() -> None:
    """Take the audit chain's lock now: services whose checks must not race (a proxy cap) call it first."""
    _lock_chain(db.session)


def record(
    action: str,
    obj_type: str,
    obj_id: object | None = None,
    *,
    actor: Any | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry for a state change, in the current transaction."""
    session = db.session
    _lock_chain(session)
    last = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        prev_hash=last or GENESIS,
    )
    entry.hash = entry_digest(entry.prev_hash, hashed_fields(entry))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a chain check: ``ok`` and, if not, the first bad entry."""

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Recompute every hash in id order; stop at the first mismatch (pure)."""
    prev = GENESIS
    count = 0
    for entry in entries:
        count += 1
        if entry.prev_hash != prev:
            return ChainReport(False, count, entry.id, "previous hash does not match")
        if entry_digest(prev, hashed_fields(entry)) != entry.hash:
            return ChainReport(False, count, entry.id, "entry content does not match its hash")
        prev = entry.hash
    return ChainReport(True, count)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: object, instances: object) -> None:
    """The log is append-only: updating or deleting an entry is a bug."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("the audit log is append-only")
