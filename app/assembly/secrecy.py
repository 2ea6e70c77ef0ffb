"""Ballot secrecy beyond the ballot row: the tracker handed out at the confirm step, and the vacuum
after a close.

The tracker is drawn when the voter confirms and shown on that page, so the voter holds it before
anything is written: a cast whose answer is lost (a worker killed, a network cut) can still be found
on the board. The server keeps nothing that pairs it with the member: the cast form carries it back
with an HMAC bound to (vote, member, tracker), keyed from the app's ``SECRET_KEY``, so a tracker can
be neither forged nor replayed for another member or another vote.

At the close the ballots are rewritten in tracker order (``voting._rewrite_in_tracker_order``); the
row versions written by the casts (which share their transaction id with the participation) stay in
the table's files until VACUUM removes them. ``vacuum_ballots`` does it right after the close
commits (PostgreSQL; nothing to do on SQLite). What is left after that is said in the README
("What ballot secrecy rests on").
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from app.core.errors import DomainError
from app.extensions import db

log = logging.getLogger(__name__)

#: A tracker: 16 random bytes as 32 lowercase hexadecimal characters.
TRACKER = re.compile(r"[0-9a-f]{32}")
#: Domain separation: the key that signs trackers is used for nothing else.
_KEY_LABEL = b"ballot-tracker-v1"
#: How long the VACUUM FULL after a close waits for its lock before a plain VACUUM runs instead.
LOCK_TIMEOUT_MS = 5000
#: How long it first waits for transactions that began before the close (see ``_wait_for_older_snapshots``).
WAIT_MS = 5000


#: What a voter is told when the cast form's tracker does not check out.
REFUSED = _l("This ballot's tracker could not be checked, so nothing was cast. Fill in your ballot again.")


class TrackerRefused(DomainError):
    """The cast form's tracker or its MAC does not check out: nothing is written."""


def new_tracker() -> str:
    """A fresh random tracker (no counter, no time: see tests/assembly/test_secrecy.py)."""
    return secrets.token_hex(16)


def tracker_key(secret_key: str | bytes) -> bytes:
    """The HMAC key for trackers, derived from the app's secret key."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


def tracker_mac(key: bytes, vote_id: int, member_id: int, tracker: str) -> str:
    """The MAC the cast form carries: binds the tracker to one vote and one member."""
    message = f"{vote_id}|{member_id}|{tracker}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def tracker_is_valid(key: bytes, vote_id: int, member_id: int, tracker: str, mac: str) -> bool:
    """Whether ``tracker`` is well formed and ``mac`` was issued for it, this vote and this member."""
    if not TRACKER.fullmatch(tracker or "") or not mac:
        return False
    return hmac.compare_digest(tracker_mac(key, vote_id, member_id, tracker), mac)


def _app_key() -> bytes:
    return tracker_key(current_app.config["SECRET_KEY"])


def issue_tracker(vote_id: int, member_id: int) -> tuple[str, str]:
    """(tracker, MAC) for the confirm page."""
    tracker = new_tracker()
    return tracker, tracker_mac(_app_key(), vote_id, member_id, tracker)


def checked_tracker(vote_id: int, member_id: int, tracker: str, mac: str) -> str:
    """The cast form's tracker if its MAC checks out for this vote and member; refused otherwise."""
    if not tracker_is_valid(_app_key(), vote_id, member_id, tracker, mac):
        raise TrackerRefused(REFUSED)
    return tracker


def well_formed(tracker: str) -> str:
    """``tracker`` if it has a tracker's shape (the cast's own check, before anything is written)."""
    if not TRACKER.fullmatch(tracker):
        raise TrackerRefused(REFUSED)
    return tracker


#: Whether the connected role may VACUUM the ballots table (its owner, a member of the owner's role, or a superuser).
_MAY_VACUUM = text("SELECT pg_has_role(current_user, relowner, 'USAGE') "
                   "OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
                   "FROM pg_class WHERE oid = 'ballots'::regclass")


#: The next transaction id (32 bits, as ``backend_xmin`` shows it) once the close has committed.
_HORIZON = text("SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296)::text")
#: Other sessions whose snapshot or transaction predates the horizon: VACUUM FULL keeps the row
#: versions they (or snapshots taken while such a transaction runs) might still see. Sessions of other databases count too (measured: they hold VACUUM FULL's horizon back).
#: Other roles' sessions show no ``backend_xmin`` unless the role has ``pg_read_all_stats``.
_OLDER_SNAPSHOTS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
    "AND (age(backend_xmin) > age(CAST(:horizon AS xid)) OR age(backend_xid) > age(CAST(:horizon AS xid)))")


def _wait_for_older_snapshots(connection: Connection) -> None:
    """Give transactions that began before the close up to ``WAIT_MS`` to end (an autovacuum ANALYZE,
    a report being read): the row versions they can still see would survive the VACUUM."""
    horizon = connection.execute(_HORIZON).scalar()
    deadline = time.monotonic() + WAIT_MS / 1000
    while connection.execute(_OLDER_SNAPSHOTS, {"horizon": horizon}).scalar():
        if time.monotonic() >= deadline:
            log.warning("Transactions older than a vote's close still run after %d ms: the row versions they "
                        "can see survive this VACUUM, until the next close's", WAIT_MS)
            return
        time.sleep(0.05)


def vacuum_ballots() -> str:
    """Rewrite the ballots table's files once a close has committed (PostgreSQL); returns what ran.

    ``VACUUM FULL`` copies the live ballots (all of them now written by closing transactions) into
    new files and rebuilds the index: the row versions the casts wrote (with the cast's
    transaction id, which the participation keeps) leave PostgreSQL's files, bytes included — a plain
    VACUUM only unlinks them and leaves their bytes in the pages' free space (measured in
    tests/assembly/test_secrecy_storage.py). It locks the table for the copy (milliseconds for
    thousands of ballots); if a transaction holds the table longer than ``LOCK_TIMEOUT_MS``, a plain
    VACUUM runs instead ("plain") and a warning is logged: the next close's rewrite catches up.
    VACUUM cannot run in a transaction, so it runs on an AUTOCOMMIT connection of its own. A failure
    is logged, never raised: the close has committed and the board is published either way.
    "none" on SQLite (nothing to do: see ``voting._rewrite_in_tracker_order``) or after a failure.
    """
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return "none"
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if not connection.execute(_MAY_VACUUM).scalar():  # VACUUM would only warn and skip the table
                log.warning("The database role does not own the ballots table: it cannot VACUUM it after a "
                            "close; the casts' row versions remain until the owner vacuums it")
                return "none"
            _wait_for_older_snapshots(connection)
            connection.execute(text(f"SET lock_timeout = {int(LOCK_TIMEOUT_MS)}"))
            try:
                connection.execute(text("VACUUM (FULL, ANALYZE) ballots"))
                return "full"
            except OperationalError:
                log.warning("VACUUM FULL of the ballots waited more than %d ms for its lock: plain VACUUM "
                            "instead; the bytes of the casts' row versions stay in free space until reused",
                            LOCK_TIMEOUT_MS)
                connection.execute(text("VACUUM (INDEX_CLEANUP ON, ANALYZE) ballots"))
                return "plain"
            finally:
                connection.execute(text("RESET lock_timeout"))
    except Exception:  # noqa: BLE001 - the close stands; the operator is told in the log
        log.warning("VACUUM of the ballots after a vote's close failed: the casts' row versions remain "
                    "until the next VACUUM", exc_info=True)
        return "none"
