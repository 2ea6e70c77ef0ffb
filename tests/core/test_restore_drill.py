"""``flask ops restore-drill``: a backup restored into a new database passes (audit chain intact, every
closed vote's board, elections included, recounts to its sealed final hash); a tampered ballot, result or
audit entry fails with exit status 1 and says where.

The backup is the one the README prescribes: ``pg_dump -Fc`` then ``pg_restore`` into a new database on
PostgreSQL (``TEST_DATABASE_URL``); SQLite's online backup of the file otherwise.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url

from app import create_app
from app.assembly.models import Ballot, Vote, VoteStatus
from app.core import audit
from app.core.models import AuditEntry
from app.core.ops_commands import DRILL_CHECKS, DrillResult, register_drill_check
from app.extensions import db
from tests.assembly.test_board_routes import build_vote
from tests.conftest import test_settings as settings_for
from tests.elections.test_election_recount import build_election
from tests.pg_scratch import scratch_postgres


def drill(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["ops", "restore-drill", *args])


def build_scene(app: Flask) -> dict[str, int]:
    """An election and two resolutions (one secret, one named), all closed, and one vote still open."""
    election = build_election(app)
    secret = build_vote(app, prefix="Drill", abstainers=1)
    named = build_vote(app, prefix="Named", secret=False)
    build_vote(app, prefix="Open", close=False)
    return {"election": election.vote_id, "secret": secret.vote_id, "named": named.vote_id}


def _backup_and_restore(app: Flask, target: str) -> None:
    """Copy the test database into ``target`` as an operator would (pg_dump/pg_restore, or SQLite's backup)."""
    with app.app_context():
        url = make_url(str(db.engine.url))
        db.session.remove()
    if url.get_backend_name() == "postgresql":
        source = url.set(drivername="postgresql").render_as_string(hide_password=False)
        restored = make_url(target).set(drivername="postgresql").render_as_string(hide_password=False)
        dump = subprocess.run(["pg_dump", "-Fc", "--no-owner", source], check=True, capture_output=True).stdout
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored], input=dump, check=True,
                       capture_output=True)
    else:
        with sqlite3.connect(url.database) as src, sqlite3.connect(make_url(target).database) as dst:
            src.backup(dst)


@pytest.fixture
def restored_url(tmp_path: Path) -> Iterator[str]:
    if os.environ.get("TEST_DATABASE_URL"):
        with scratch_postgres("drill") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"


def test_restored_backup_passes_the_drill(app: Flask, restored_url: str, tmp_path: Path) -> None:
    ids = build_scene(app)
    with app.app_context():
        published = audit.head()
    _backup_and_restore(app, restored_url)
    restored = create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI=restored_url))
    try:
        result = drill(restored, "--expect", published.text)
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0].startswith("restore drill on ")
        assert f"OK  audit log: {published.entries} checked" in lines
        assert "OK  bulletin boards: 3 checked" in lines  # the open vote is not counted
        assert lines[-1] == "restore drill passed"
        with restored.app_context():  # the copy is the restored one, and the drill changed nothing in it
            assert db.session.scalar(select(func.count()).select_from(Vote)
                                     .where(Vote.status == VoteStatus.closed)) == len(ids)
            assert audit.head() == published
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()


def test_empty_database_passes(app: Flask) -> None:
    result = drill(app)
    assert result.exit_code == 0, result.output
    assert "OK  audit log: 0 checked" in result.stdout and "OK  bulletin boards: 0 checked" in result.stdout


def _change_choice(vote_id: int) -> None:
    """The first ballot with a choice: for <-> against, abstain -> for, an election's approvals -> none."""
    tracker = db.session.scalar(select(Ballot.tracker).where(Ballot.vote_id == vote_id, Ballot.choice != "")
                                .order_by(Ballot.tracker))
    choice = db.session.scalar(select(Ballot.choice).where(Ballot.vote_id == vote_id, Ballot.tracker == tracker))
    other = {"for": "against", "against": "for", "abstain": "for"}.get(choice, "")
    db.session.execute(update(Ballot).where(Ballot.vote_id == vote_id, Ballot.tracker == tracker)
                       .values(choice=other))


def _remove_ballot(vote_id: int) -> None:
    tracker = db.session.scalar(select(Ballot.tracker).where(Ballot.vote_id == vote_id).order_by(Ballot.tracker))
    db.session.execute(delete(Ballot).where(Ballot.vote_id == vote_id, Ballot.tracker == tracker))


def _rewrite_result(vote_id: int) -> None:
    vote = db.session.get(Vote, vote_id)
    vote.result = {**vote.result, "adopted": not vote.result.get("adopted")}


@pytest.mark.parametrize(("vote", "tamper"), [
    ("secret", _change_choice),     # a secret ballot's choice changed in the database
    ("named", _change_choice),      # a named ballot's choice
    ("secret", _remove_ballot),     # a ballot removed
    ("election", _change_choice),   # an election ballot's approvals emptied
    ("election", _remove_ballot),
    ("secret", _rewrite_result),    # the published result rewritten
], ids=["secret-choice", "named-choice", "secret-removed", "election-choice", "election-removed",
        "result-rewritten"])
def test_tampered_board_fails(app: Flask, vote: str, tamper) -> None:  # noqa: ANN001
    ids = build_scene(app)
    with app.app_context():
        tamper(ids[vote])
        db.session.commit()
    result = drill(app)
    assert result.exit_code == 1, result.output
    assert "OK  audit log" in result.stdout  # the ballots are not in the audit log (secrecy): only the recount sees it
    assert "FAILED  bulletin boards: 3 checked, 1 failure(s)" in result.stdout
    assert f"vote {ids[vote]} (" in result.stdout
    assert "restore drill FAILED: bulletin boards" in result.stderr


@pytest.mark.parametrize("tamper", ["changed", "deleted"])
def test_tampered_audit_entry_fails(app: Flask, tamper: str) -> None:
    build_scene(app)
    with app.app_context():
        entry_id = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id).offset(3).limit(1))
        if tamper == "changed":
            db.session.execute(update(AuditEntry).where(AuditEntry.id == entry_id)
                               .values(actor_label="Someone else"))
        else:
            db.session.execute(delete(AuditEntry).where(AuditEntry.id == entry_id))
        db.session.commit()
    result = drill(app)
    assert result.exit_code == 1, result.output
    assert "FAILED  audit log" in result.stdout and "chain broken at entry" in result.stdout
    assert "OK  bulletin boards: 3 checked" in result.stdout  # every check runs, whatever failed before
    assert "restore drill FAILED: audit log" in result.stderr


def test_a_published_head_the_copy_lacks_fails(app: Flask) -> None:
    build_vote(app, prefix="Drill")
    with app.app_context():
        published = audit.head()
        wrong = f"{published.entries}:{'0' * 64}"
    assert drill(app, "--expect", published.text).exit_code == 0
    result = drill(app, "--expect", wrong)
    assert result.exit_code == 1 and "FAILED  audit log" in result.stdout
    assert drill(app, "--expect", "not-a-head").exit_code == 2  # refused like flask audit verify


def test_a_check_that_crashes_is_a_failure_and_the_others_still_run(app: Flask) -> None:
    def broken() -> DrillResult:
        raise RuntimeError("disk on fire")

    register_drill_check("zz-broken", broken, order=99)
    try:
        result = drill(app)
    finally:
        DRILL_CHECKS.pop("zz-broken")
    assert result.exit_code == 1
    assert "OK  bulletin boards" in result.stdout
    assert "FAILED  zz-broken: 0 checked, 1 failure(s)" in result.stdout and "disk on fire" in result.stdout
