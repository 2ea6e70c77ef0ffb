"""Ballot secrecy in the database's files (PostgreSQL): what a dump or a superuser can link.

A cast writes the participation (who) and the ballot (what) in one transaction, so while the vote
is open both rows carry the same transaction id (``xmin``) and lie in casting order: a dump or a
superuser taken mid-vote links them. This is measured here, as the documented limit. At the close
the ballots are rewritten in tracker order by the closing transaction and, once that commits, the
ballots table is rewritten by VACUUM FULL (``secrecy.vacuum_ballots``): no ballot row version, live
or dead, shares a transaction id with a participation any more, and the old row versions' bytes are
gone from the table's pages (``pageinspect``), which a plain VACUUM would leave in free space. SQLite: nothing to measure (the WITHOUT ROWID table
keeps ballots in key order; see test_secrecy.py); the vacuum is a no-op there.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from app.assembly import secrecy, voting
from app.assembly.models import Vote
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories


@pytest.fixture(autouse=True)
def _patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait as long as it takes for transactions older than the close: on a shared server (other
    databases' sessions hold VACUUM FULL's horizon back too) the default ``WAIT_MS`` can run out."""
    monkeypatch.setattr(secrecy, "WAIT_MS", 60_000)


def _postgresql() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL storage only (SQLite: see test_sqlite_stores_ballots_in_tracker_order…)")


def _open_and_cast(size: int) -> dict[str, Any]:
    """An open secret vote where ``size`` members cast, one request (transaction) each."""
    members = factories.voters(size, prefix="Dump")
    secretariat = factories.user("sec-dump@example.org", kind=UserKind.secretariat)
    resolution = factories.resolution(factories.assembly(), secret=True)
    vote = resolution.vote
    voting.open_vote(vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
    db.session.commit()
    trackers = {}
    for i, member in enumerate(members):
        delegate = next(u for u in member.representatives if u.is_delegate)
        trackers[member.id] = voting.cast(vote.id, member.id, ("for", "against", "abstain")[i % 3], actor=delegate)
        db.session.commit()
    return {"vote_id": vote.id, "trackers": trackers, "secretariat_id": secretariat.id}


def _linked_by_xmin(vote_id: int) -> dict[int, str]:
    """member id -> tracker of the live ballot that shares its participation's transaction id."""
    return {member: tracker for member, tracker in db.session.execute(text(
        "SELECT p.member_id, b.tracker FROM participations p JOIN ballots b "
        "ON b.vote_id = p.vote_id AND b.xmin::text = p.xmin::text WHERE p.vote_id = :v"), {"v": vote_id})}


def _physical_order(vote_id: int, table: str, column: str) -> list[Any]:
    return list(db.session.scalars(text(f"SELECT {column} FROM {table} WHERE vote_id = :v ORDER BY ctid"),
                                   {"v": vote_id}))


def _pageinspect() -> bool:
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except Exception:  # noqa: BLE001 - not a superuser, or the contrib package is missing
        return False
    return True


def _heap_versions(table: str) -> list[dict[str, Any]]:
    """Every line pointer of every page of ``table``: flags, and the row version's xmin/xmax if stored."""
    pages = db.session.scalar(text("SELECT pg_relation_size(:t) / current_setting('block_size')::int"),
                              {"t": table})
    rows = []
    for page in range(pages):
        rows += [dict(r._mapping) for r in db.session.execute(text(
            "SELECT :p AS page, lp, lp_flags, t_xmin::text AS xmin, t_xmax::text AS xmax "
            "FROM heap_page_items(get_raw_page(:t, :p))"), {"t": table, "p": page})]
    return rows


def _raw_ballot_pages() -> bytes:
    """The bytes of every page of the ballots table, free space included (what a disk copy holds)."""
    pages = db.session.scalar(text("SELECT pg_relation_size('ballots') / current_setting('block_size')::int"))
    return b"".join(bytes(db.session.scalar(text("SELECT get_raw_page('ballots', :p)"), {"p": page}))
                    for page in range(pages))


def _close(data: dict[str, Any]) -> None:
    vote = db.session.get(Vote, data["vote_id"])
    voting.close_vote(vote, actor=db.session.get(User, data["secretariat_id"]))
    db.session.commit()
    db.session.close()  # no snapshot of ours may hold the dead row versions back


def test_mid_vote_a_dump_links_ballots_to_participations_and_the_close_with_vacuum_cuts_it(
        app: Flask, ctx: None) -> None:
    _postgresql()
    data = _open_and_cast(150)  # more than one page: the close's copies land on other pages
    vote_id, trackers = data["vote_id"], data["trackers"]

    # The documented limit: while the vote is open, every ballot shares its cast's transaction id
    # with the participation, and the rows lie (nearly: free space is reused) in casting order in both
    # tables, so a dump's two tables, read side by side, pair most ballots with their member (a random
    # order would agree on half of the pairs).
    assert _linked_by_xmin(vote_id) == trackers
    member_of = {tracker: member for member, tracker in trackers.items()}
    by_participation = {m: i for i, m in enumerate(_physical_order(vote_id, "participations", "member_id"))}
    by_ballot = {member_of[t]: i for i, t in enumerate(_physical_order(vote_id, "ballots", "tracker"))}
    pairs = [(a, b) for a in trackers for b in trackers if by_participation[a] < by_participation[b]]
    concordant = sum(1 for a, b in pairs if by_ballot[a] < by_ballot[b]) / len(pairs)
    assert concordant >= 0.8, f"the ballots' order agrees with the casting order on {concordant:.0%} of pairs"
    cast_xids = set(db.session.scalars(text("SELECT xmin::text FROM participations WHERE vote_id = :v"),
                                       {"v": vote_id}))
    assert len(cast_xids) == len(trackers)
    file_before = db.session.scalar(text("SELECT pg_relation_filenode('ballots')"))
    db.session.commit()

    _close(data)
    assert secrecy.vacuum_ballots() == "full"

    assert _linked_by_xmin(vote_id) == {}
    assert _physical_order(vote_id, "ballots", "tracker") == sorted(trackers.values())
    xids = set(db.session.scalars(text("SELECT xmin::text FROM ballots WHERE vote_id = :v"), {"v": vote_id}))
    assert len(xids) == 1 and not xids & cast_xids, "every ballot carries the close's transaction id"
    assert db.session.scalar(text("SELECT pg_relation_filenode('ballots')")) != file_before, "new files"
    if not _pageinspect():
        pytest.skip("pageinspect is not available here: the row versions were not inspected")
    versions = _heap_versions("ballots")
    assert not [v for v in versions if v["xmin"] in cast_xids], "a ballot version still carries a cast's xid"
    assert not [v for v in versions if v["lp_flags"] != 1], "dead or unused line pointers remain"
    assert len(versions) == len(trackers)
    raw = _raw_ballot_pages()
    assert [raw.count(t.encode()) for t in trackers.values()] == [1] * len(trackers), (
        "the bytes of a cast's ballot version remain in the pages")


def test_a_plain_vacuum_would_leave_the_casts_bytes_in_free_space(
        app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Why the close runs VACUUM FULL: a plain VACUUM unlinks the dead versions, not their bytes.

    It is also the fallback when the table's lock cannot be had within ``LOCK_TIMEOUT_MS``.
    """
    _postgresql()
    if not _pageinspect():
        pytest.skip("pageinspect is not available here")
    data = _open_and_cast(150)
    trackers = data["trackers"]
    cast_xids = set(db.session.scalars(text("SELECT xmin::text FROM participations WHERE vote_id = :v"),
                                       {"v": data["vote_id"]}))
    db.session.commit()
    _close(data)
    monkeypatch.setattr(secrecy, "LOCK_TIMEOUT_MS", 200)
    with db.engine.connect() as holder:  # a transaction reading the ballots holds a lock VACUUM FULL needs
        holder.execute(text("SELECT count(*) FROM ballots"))
        assert secrecy.vacuum_ballots() == "plain"
        holder.rollback()
    assert not [v for v in _heap_versions("ballots") if v["xmin"] in cast_xids], "unlinked from the table"
    counts = [_raw_ballot_pages().count(t.encode()) for t in trackers.values()]
    assert max(counts) > 1, "a plain VACUUM leaves the old versions' bytes in the pages' free space"
    db.session.commit()
    assert secrecy.vacuum_ballots() == "full"
    assert [_raw_ballot_pages().count(t.encode()) for t in trackers.values()] == [1] * len(trackers)


def test_the_vacuum_is_skipped_with_a_warning_where_it_cannot_run(
        app: Flask, ctx: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """SQLite: nothing to do. PostgreSQL, a role that does not own the table: VACUUM would only warn and
    skip it, so the platform says so in its log instead of claiming it ran."""
    if db.engine.dialect.name != "postgresql":
        assert secrecy.vacuum_ballots() == "none"
        return
    monkeypatch.setattr(secrecy, "_MAY_VACUUM", text("SELECT false"))
    with caplog.at_level("WARNING", logger="app.assembly.secrecy"):
        assert secrecy.vacuum_ballots() == "none"
    assert "does not own the ballots table" in caplog.text
    monkeypatch.undo()
    with db.engine.connect() as connection:
        assert connection.execute(secrecy._MAY_VACUUM).scalar() is True  # the test role owns it


def test_the_vacuum_waits_for_a_transaction_that_began_before_the_close(app: Flask, ctx: None) -> None:
    """A snapshot older than the close would keep the casts' row versions alive through the VACUUM
    (an autovacuum ANALYZE, a report being read): the vacuum waits for it (up to ``WAIT_MS``)."""
    _postgresql()
    if not _pageinspect():
        pytest.skip("pageinspect is not available here")
    data = _open_and_cast(20)
    cast_xids = set(db.session.scalars(text("SELECT xmin::text FROM participations WHERE vote_id = :v"),
                                       {"v": data["vote_id"]}))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as reader:
        assert reader.execute(text("SELECT count(*) FROM ballots")).scalar() == 20  # its snapshot: before the close
        _close(data)
        ending = threading.Timer(0.5, reader.rollback)
        ending.start()
        started = time.monotonic()
        assert secrecy.vacuum_ballots() == "full"
        ending.join()
    assert time.monotonic() - started >= 0.4, "the vacuum did not wait for the older snapshot"
    assert not [v for v in _heap_versions("ballots") if v["xmin"] in cast_xids]
