"""``flask votes recount FILE``: an untouched exported board passes, a tampered one fails,
an unreadable one is refused, and no database is needed. Also ``flask votes remind``.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.assembly.board import GENESIS, chain_hash, seal
from app.assembly.models import Vote
from app.assembly.recount import FORMAT, BoardFormatError, check_format, recount
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from tests.assembly import forge
from tests.assembly.board_schema import validated
from tests.assembly.test_board_routes import build_vote
from tests.conftest import counting
from tests.conftest import test_settings as settings_for


def export(app: Flask, vote_id: int) -> dict[str, Any]:
    response = app.test_client().get(f"/votes/{vote_id}/board.json")
    assert response.status_code == 200
    return validated(json.loads(response.get_data()))


def run(app: Flask, board: dict[str, Any] | str | bytes, tmp_path: Path) -> tuple[int, dict[str, Any] | None, str]:
    """Write the board to a file, run ``flask votes recount`` on it: (exit code, JSON printed, stderr)."""
    path = tmp_path / "board.json"
    if isinstance(board, dict):
        path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    elif isinstance(board, bytes):
        path.write_bytes(board)
    else:
        path.write_text(board, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["votes", "recount", str(path)])
    printed = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, printed, result.stderr


def rechain(board: dict[str, Any]) -> None:
    """Recompute every hash of the board's ballots in their current order, from its header hash
    (a careful forger)."""
    forge.rechain(board)


@pytest.fixture
def exported(app: Flask) -> dict[str, Any]:
    """A closed secret vote: 5 members, 4 cast (for, for, against, abstain): adopted."""
    built = build_vote(app, abstainers=1)
    return export(app, built.vote_id)


# The untouched board ------------------------------------------------------------------------

def test_untouched_board_passes(app: Flask, exported: dict[str, Any], tmp_path: Path) -> None:
    code, printed, _ = run(app, exported, tmp_path)
    assert code == 0, printed
    assert printed["ok"] is True and printed["problems"] == []
    assert printed["result"] == exported["result"]
    assert printed["result"]["counts"] == {"for": 2, "against": 1, "abstain": 1}
    assert printed["result"]["outcome"] == "adopted"


@pytest.mark.parametrize("kind", [{"secret": False}, {"double": True}, {"double": True, "secret": False}])
def test_untouched_open_and_double_majority_boards_pass(app: Flask, tmp_path: Path, kind: dict[str, bool]) -> None:
    built = build_vote(app, choices=("for", "against", "for", "against", "against"), **kind)
    code, printed, _ = run(app, export(app, built.vote_id), tmp_path)
    assert code == 0, printed
    assert printed["result"]["outcome"] == "rejected"


def test_board_with_no_ballot_passes(app: Flask, tmp_path: Path) -> None:
    built = build_vote(app, abstainers=5)
    board = export(app, built.vote_id)
    assert board["ballots"] == [] and board["final_hash"] == board["header_hash"] != GENESIS
    code, printed, _ = run(app, board, tmp_path)
    assert code == 0 and printed["result"]["outcome"] == "no_quorum"


def test_output_keeps_non_ascii_text(app: Flask, exported: dict[str, Any], tmp_path: Path) -> None:
    old = exported["participants"][0]["member"]
    new = "Association tunisienne des femmes démocrates — جمعية"
    exported["participants"][0]["member"] = new
    exported["participants"].sort(key=lambda p: p["member"])
    for names in exported["electorate"]["members"].values():
        names[:] = sorted(new if name == old else name for name in names)
    forge.reseal(exported)
    code, printed, _ = run(app, exported, tmp_path)
    assert code == 0 and printed["ok"]


# Tampered boards ----------------------------------------------------------------------------

def _flip(choice: str) -> str:
    return "against" if choice == "for" else "for"


def change_choice_keep_hash(board: dict[str, Any]) -> None:
    board["ballots"][1]["choice"] = _flip(board["ballots"][1]["choice"])


def change_choice_and_rechain(board: dict[str, Any]) -> None:
    change_choice_keep_hash(board)
    rechain(board)


def change_choice_rechain_and_republish(board: dict[str, Any]) -> None:
    """The forger also updates the final hash and the published counts: the result's final hash still differs."""
    change_choice_and_rechain(board)
    board["final_hash"] = board["ballots"][-1]["hash"]
    counts = {"for": 0, "against": 0, "abstain": 0}
    for ballot in board["ballots"]:
        counts[ballot["choice"]] += 1
    board["result"]["counts"] = counts


def remove_ballot(board: dict[str, Any]) -> None:
    del board["ballots"][1]


def remove_ballot_and_rechain(board: dict[str, Any]) -> None:
    remove_ballot(board)
    rechain(board)


def add_ballot(board: dict[str, Any]) -> None:
    last = board["ballots"][-1]
    tracker = "f" * 32
    board["ballots"].append({"tracker": tracker, "choice": "for", "hash": chain_hash(last["hash"], tracker, "for")})


def add_ballot_and_participant(board: dict[str, Any]) -> None:
    """A ballot stuffed with a matching participant: the final hash and the published result give it away."""
    add_ballot(board)
    board["participants"].append({"member": "Zz stuffed member", "college": "cs-fr"})


def duplicate_ballot(board: dict[str, Any]) -> None:
    board["ballots"].insert(2, dict(board["ballots"][1]))
    rechain(board)


def shorten_participants(board: dict[str, Any]) -> None:
    board["participants"].pop()


def swap_order(board: dict[str, Any]) -> None:
    board["ballots"][0], board["ballots"][1] = board["ballots"][1], board["ballots"][0]


def swap_order_and_rechain(board: dict[str, Any]) -> None:
    swap_order(board)
    rechain(board)


def change_published_counts(board: dict[str, Any]) -> None:
    board["result"]["counts"]["for"] += 1


def change_published_outcome(board: dict[str, Any]) -> None:
    board["result"]["outcome"] = "rejected"


def change_final_hash(board: dict[str, Any]) -> None:
    board["final_hash"] = "a" * 64


def change_rule(board: dict[str, Any]) -> None:
    board["rules"]["majority"]["threshold"] = "two_thirds"


def change_electorate(board: dict[str, Any]) -> None:
    board["electorate"]["by_college"]["cs-fr"] += 10
    board["electorate"]["size"] += 10


def duplicate_participant(board: dict[str, Any]) -> None:
    board["participants"][1] = dict(board["participants"][0])


def unknown_choice(board: dict[str, Any]) -> None:
    board["ballots"][0]["choice"] = "yes"
    rechain(board)


TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], None], tuple[str, ...]]] = {
    "choice changed, hash kept": (change_choice_keep_hash, ("chain: entry 2: hash does not match",
                                                            "result.counts")),
    "choice changed, chain recomputed": (change_choice_and_rechain, ("final hash:", "result.counts.",
                                                                     "result.final_hash")),
    "choice changed, chain, final hash and counts republished": (change_choice_rechain_and_republish,
                                                                 ("result.final_hash",)),
    "ballot removed": (remove_ballot, ("chain: entry 2", "count: 3 ballots but 4 members took part",
                                       "result.ballots")),
    "ballot removed, chain recomputed": (remove_ballot_and_rechain, ("count: 3 ballots but 4 members took part",
                                                                     "final hash:", "result.final_hash")),
    "ballot added": (add_ballot, ("count: 5 ballots but 4 members took part", "final hash:",
                                  "result.counts.for")),
    "ballot and participant added": (add_ballot_and_participant, ("final hash:", "result.participation",
                                                                  "result.counts.for")),
    "ballot duplicated, chain recomputed": (duplicate_ballot, ("order: ballots are not sorted by tracker (1 repeated)",
                                                               "count: 5 ballots but 4 members took part")),
    "participants shortened": (shorten_participants, ("count: 4 ballots but 3 members took part",
                                                      "result.participation: published 4, recounted 3")),
    "order swapped": (swap_order, ("chain: entry 1: hash does not match", "order: ballots are not sorted")),
    "order swapped, chain recomputed": (swap_order_and_rechain, ("chain: entry 2: trackers not in strictly",
                                                                 "order: ballots are not sorted", "final hash:")),
    "published counts changed": (change_published_counts, ("result.counts.for: published 3, recounted 2",)),
    "published outcome changed": (change_published_outcome,
                                  ("result.outcome: published 'rejected', recounted 'adopted'",)),
    "final hash changed": (change_final_hash, ("final hash: the board's final_hash aaaa",)),
    "rule changed": (change_rule, ("result.rule.threshold: published 'half', recounted 'two_thirds'",)),
    "electorate changed": (change_electorate, ("result.electorate", "result.quorum.reached")),
    "participant listed twice": (duplicate_participant, ("is listed 2 times",)),
    "unknown choice": (unknown_choice, ("unknown choice 'yes'", "final hash:")),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampered_board_fails(app: Flask, exported: dict[str, Any], tmp_path: Path, name: str) -> None:
    tamper, expected = TAMPERING[name]
    board = copy.deepcopy(exported)
    tamper(board)
    code, printed, stderr = run(app, board, tmp_path)
    assert code == 1, printed
    assert printed["ok"] is False
    for fragment in expected:
        assert any(fragment in problem for problem in printed["problems"]), (fragment, printed["problems"])
    assert "Recount FAILED" in stderr


def test_tampering_with_the_database_after_the_close_shows_in_the_export(app: Flask, tmp_path: Path) -> None:
    """A ballot changed in the database after the close: the export rechains it, the published hash does not match."""
    from app.assembly.models import Ballot

    built = build_vote(app)
    with app.app_context():
        ballot = db.session.scalars(select(Ballot).where(Ballot.vote_id == built.vote_id)).first()
        ballot.choice = _flip(ballot.choice)
        db.session.commit()
    code, printed, _ = run(app, export(app, built.vote_id), tmp_path)
    assert code == 1
    assert any(p.startswith("final hash:") for p in printed["problems"])


# Unreadable files ---------------------------------------------------------------------------

@pytest.mark.parametrize("content", [
    b"\xff\xfe not utf-8",
    "not json at all",
    "[]",
    json.dumps({"format": "something-else/1"}),
    json.dumps({"format": FORMAT}),
])
def test_unreadable_or_foreign_file_exits_2(app: Flask, tmp_path: Path, content: str | bytes) -> None:
    code, printed, stderr = run(app, content, tmp_path)
    assert code == 2
    assert printed["ok"] is False and printed["result"] is None
    assert "is not a readable bulletin board (pcpa-board/1 or pcpa-board/2)" in stderr


def test_missing_file_exits_2(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["votes", "recount", str(tmp_path / "nowhere.json")])
    assert result.exit_code == 2


@pytest.mark.parametrize(("path", "value"), [
    (("ballots", 0, "hash"), 7),
    (("ballots", 0), "a string"),
    (("participants", 0, "member"), None),
    (("electorate", "size"), "5"),
    (("electorate", "by_college", "cs-fr"), -1),
    (("rules", "majority", "base"), "everyone"),
    (("rules", "majority", "threshold"), "most"),
    (("rules", "quorum", "ratio"), "half"),
    (("rules", "quorum", "strict"), "no"),
    (("result",), None),
    (("final_hash",), None),
])
def test_malformed_board_is_a_format_error(exported: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    board = copy.deepcopy(exported)
    target = board
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(BoardFormatError):
        check_format(board)


# No database ----------------------------------------------------------------------------------

def test_recount_sends_no_sql(app: Flask, exported: dict[str, Any], tmp_path: Path) -> None:
    with counting(app) as statements:
        code, _, _ = run(app, exported, tmp_path)
    assert code == 0 and statements == []


def test_recount_runs_without_a_reachable_database(exported: dict[str, Any], tmp_path: Path) -> None:
    offline = create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:9/none"))
    code, printed, _ = run(offline, exported, tmp_path)
    assert code == 0 and printed["ok"]


def test_recount_is_a_pure_function(exported: dict[str, Any]) -> None:
    """No app, no database: the module works on plain dicts (table-testable)."""
    report = recount(exported)
    assert report["ok"] and report["result"] == exported["result"]
    board = copy.deepcopy(exported)
    board["ballots"] = [{"tracker": e.tracker, "choice": e.choice, "hash": e.hash}
                        for e in seal([(b["tracker"], "against") for b in exported["ballots"]])]
    board["final_hash"] = board["ballots"][-1]["hash"]
    report = recount(board)
    assert not report["ok"] and report["result"]["outcome"] == "rejected"


def test_double_majority_ballots_must_match_participants_per_college(app: Flask) -> None:
    built = build_vote(app, double=True)
    board = export(app, built.vote_id)
    moved = next(p for p in board["participants"] if p["college"] == "cs-tn")
    moved["college"] = "cs-fr"
    report = recount(board)
    assert not report["ok"]
    assert "count: college cs-fr: 3 ballots but 4 members took part" in report["problems"]


def test_open_vote_named_choices_must_match_the_ballots(app: Flask) -> None:
    built = build_vote(app, secret=False)
    board = export(app, built.vote_id)
    board["participants"][0]["choice"] = _flip(board["participants"][0]["choice"])
    forge.reseal(board)  # the header changed: a careful forger rehashes it and rechains
    report = recount(board)
    assert report["problems"] == ["open vote: the members' published choices do not match the ballots"]


# flask votes remind ------------------------------------------------------------------------------

def _closing_in(app: Flask, vote_id: int, hours: float) -> None:
    with app.app_context():
        db.session.get(Vote, vote_id).closes_at = utcnow() + timedelta(hours=hours)
        db.session.commit()


def _reminders(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.subject.like("%Reminder%")
                                        | OutboxMessage.subject.like("%Rappel%")))


def test_remind_emails_the_missing_voters_of_votes_closing_soon_once(app: Flask) -> None:
    soon = build_vote(app, close=False, abstainers=2, prefix="Soon")  # 3 of 5 cast
    later = build_vote(app, close=False, abstainers=5, prefix="Later")  # nobody of its 10 electors cast
    _closing_in(app, soon.vote_id, 3)
    _closing_in(app, later.vote_id, 40)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["votes", "remind"])
    assert result.exit_code == 0, result.output
    assert "1 vote(s) reminded, 2 representative(s) e-mailed." in result.output
    assert _reminders(app) == 2
    with app.app_context():
        assert db.session.get(Vote, soon.vote_id).reminded_at is not None
        assert db.session.get(Vote, later.vote_id).reminded_at is None
    # Again: nothing new for the first vote; a wider window takes the second.
    assert "0 vote(s) reminded" in runner.invoke(args=["votes", "remind"]).output
    result = runner.invoke(args=["votes", "remind", "--within-hours", "48"])
    assert "1 vote(s) reminded, 10 representative(s) e-mailed." in result.output
    assert _reminders(app) == 12


def test_remind_skips_closed_votes(app: Flask) -> None:
    built = build_vote(app, abstainers=2)
    with app.app_context():
        assert db.session.get(Vote, built.vote_id).reminded_at is None
    result = app.test_cli_runner().invoke(args=["votes", "remind", "--within-hours", "1000"])
    assert result.exit_code == 0 and "0 vote(s) reminded" in result.output


def test_remind_needs_an_address_for_its_links(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    built = build_vote(app, close=False, abstainers=1)
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "EXTERNAL_URL", None)
    result = app.test_cli_runner().invoke(args=["votes", "remind"])
    assert result.exit_code == 1 and "APP_EXTERNAL_URL" in result.output
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "https://pcpa.example.org")
    result = app.test_cli_runner().invoke(args=["votes", "remind"])
    assert result.exit_code == 0 and "1 vote(s) reminded, 1 representative(s) e-mailed." in result.output
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    assert f"https://pcpa.example.org/votes/{built.vote_id}" in body
