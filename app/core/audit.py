"""Append-only, hash-chained audit log.

``h_i = sha256(h_{i-1} || canonical JSON of entry i)``; the first entry chains
onto 64 zeros. Entries are written in the caller's transaction (flush, no
commit), so a change and its audit record land together or not at all.
Never pass a secret ballot's content here.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import event, func, select, text
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


class Head(NamedTuple):
    """The chain's head: how many entries it holds and the hash of the last one.

    Published outside the database (minutes, proclamations, the signed daily
    e-mail), it pins the whole prefix: the hash of entry N covers every entry
    before it, so rewriting or deleting any of the first N entries changes it
    or removes it. Its text form is ``N:HASH`` (``0:`` + 64 zeros for an empty log).
    """

    entries: int
    hash: str

    @property
    def text(self) -> str:
        return f"{self.entries}:{self.hash}"

    def __str__(self) -> str:
        return self.text


_HEX = frozenset("0123456789abcdef")


def parse_head(raw: str) -> Head:
    """``"N:HASH"`` -> Head; ValueError with the reason otherwise (pure)."""
    count, sep, digest = raw.strip().partition(":")
    digest = digest.lower()
    if not sep or not count.isdigit() or len(digest) != 64 or not set(digest) <= _HEX:
        raise ValueError(f"{raw!r} is not an audit head: expected N:HASH (a count, a colon, 64 hex digits)")
    head = Head(int(count), digest)
    if head.entries == 0 and digest != GENESIS:
        raise ValueError(f"{raw!r}: an empty log's head is 0:{GENESIS}")
    return head


def head() -> Head:
    """The current head, read in one statement (one snapshot: the count and the last hash agree).

    Called right after ``record`` in the same transaction, it is the head that
    includes that entry: the chain's lock is held until the commit.
    """
    last = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1).scalar_subquery()
    count, digest = db.session.execute(select(func.count(AuditEntry.id), last)).one()
    return Head(int(count or 0), digest or GENESIS)


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a chain check: ``ok`` and, if not, the first bad entry (or the anchor not met)."""

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    #: How many published heads (``--expect``) were found still in the chain.
    anchors_met: int = 0


def verify_chain(entries: Iterable[AuditEntry], anchors: Sequence[Head] = ()) -> ChainReport:
    """Recompute every hash in id order; stop at the first mismatch (pure).

    ``anchors``: heads published earlier. Each must still be a prefix of the
    chain: entry N (the N-th in id order) exists and its hash is the anchor's.
    A chain rewritten after a forged entry and rehashed to the end, or cut
    short, is intact on its own and fails here.
    """
    wanted: dict[int, list[Head]] = {}
    for anchor in anchors:
        wanted.setdefault(anchor.entries, []).append(anchor)
    for anchor in wanted.get(0, []):
        if anchor.hash != GENESIS:
            return ChainReport(False, 0, None, f"the anchor {anchor.text} is not an empty log's head")
    met = len(wanted.get(0, []))
    prev = GENESIS
    count = 0
    for entry in entries:
        count += 1
        if entry.prev_hash != prev:
            return ChainReport(False, count, entry.id, "previous hash does not match", met)
        if entry_digest(prev, hashed_fields(entry)) != entry.hash:
            return ChainReport(False, count, entry.id, "entry content does not match its hash", met)
        for anchor in wanted.get(count, []):
            if anchor.hash != entry.hash:
                return ChainReport(False, count, entry.id, f"entry {count} has hash {entry.hash}, the anchor says "
                                   f"{anchor.hash} (rewritten)", met)
            met += 1
        prev = entry.hash
    longest = max(anchors, key=lambda a: a.entries, default=None)
    if longest is not None and longest.entries > count:
        return ChainReport(False, count, None, f"truncated: only {count} entries, the anchor {longest.text} needs "
                           f"{longest.entries}", met)
    return ChainReport(True, count, anchors_met=met)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: object, instances: object) -> None:
    """The log is append-only: updating or deleting an entry is a bug."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("the audit log is append-only")
