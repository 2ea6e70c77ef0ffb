"""An election's format-2 board: seats, constraints, candidates (every attribute the count uses)
and the fallback are in the header, so the final hash -- and the seed of the draw -- commit to
them. Issue 10 §1: changing the seats, a constraint, or a candidate's gender or college and
rewriting the board consistently used to recount fine and keep the published hash; now
``flask votes recount FILE --expect-hash H`` with the proclamation's hash catches it every time.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.assembly import voting
from app.assembly.board import GENESIS, chain_hash, header_hash, header_of
from app.assembly.models import Vote
from app.assembly.recount import BoardFormatError, check_format, recount
from app.elections.models import Election
from app.extensions import db
from app.members.models import Member
from tests.assembly import forge
from tests.assembly.board_schema import validated
from tests.elections.test_election_recount import SEATS, BuiltElection, build_election, export


def run(app: Flask, board: dict[str, Any], tmp_path: Path, expect: str | None = None
        ) -> tuple[int, dict[str, Any] | None, str]:
    path = tmp_path / "election-board.json"
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    args = ["votes", "recount", str(path)] + (["--expect-hash", expect] if expect else [])
    result = app.test_cli_runner().invoke(args=args)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None, result.stderr


@pytest.fixture
def built(app: Flask) -> BuiltElection:
    return build_election(app)


@pytest.fixture
def exported(app: Flask, built: BuiltElection) -> dict[str, Any]:
    return export(app, built.vote_id)  # validated against board-2.schema.json


def test_the_header_holds_the_election_definition(app: Flask, built: BuiltElection, exported: dict[str, Any]
                                                  ) -> None:
    with app.app_context():
        vote = db.session.get(Vote, built.vote_id)
        header, final = vote.board_header, vote.final_hash
    assert vote.board_format == 2
    assert list(header) == ["format", "vote", "rules", "election", "electorate", "participants"]
    section = header["election"]
    assert list(section) == ["id", "seats", "constraints", "candidates", "infeasible_fallback"]
    assert section["seats"] == SEATS and section["infeasible_fallback"] == "relax"
    assert [c["id"] for c in section["candidates"]] == sorted(built.ids.values(), key=int)
    assert set(section["candidates"][0]) == {"id", "member", "college", "country", "gender", "representative"}
    assert header_of(exported, {"election": ("seed", "allocation")}) == header
    # The seed of the draw is the final hash, chained from the header.
    assert exported["header_hash"] == header_hash(header)
    first = exported["ballots"][0]
    assert first["hash"] == chain_hash(header_hash(header), first["tracker"], first["choice"])
    assert exported["election"]["seed"] == exported["result"]["seed"] == final == exported["final_hash"]


def test_the_untouched_board_passes_with_the_published_hash(app: Flask, exported: dict[str, Any],
                                                            tmp_path: Path) -> None:
    code, printed, stderr = run(app, exported, tmp_path, expect=exported["final_hash"])
    assert code == 0 and printed["ok"], printed
    assert printed["final_hash"] == exported["final_hash"] and "is the expected" in stderr


def test_a_member_renamed_after_the_close_changes_nothing(app: Flask, built: BuiltElection) -> None:
    before = app.test_client().get(f"/votes/{built.vote_id}/board.json").get_data()
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.name == built.members["fr0"]))
        member.name = "Renamed after the proclamation"
        db.session.get(Election, built.election_id).infeasible_fallback = "void"
        db.session.commit()
    assert app.test_client().get(f"/votes/{built.vote_id}/board.json").get_data() == before


def _candidate(board: dict[str, Any], index: int) -> dict[str, Any]:
    return board["election"]["candidates"][index]


def _skipped_candidate(board: dict[str, Any]) -> dict[str, Any]:
    skipped = board["election"]["allocation"]["skipped"][0]["id"]
    return next(c for c in board["election"]["candidates"] if c["id"] == skipped)


#: The issue's attacks, each rewritten consistently afterwards (header hash, chain, seed, result, allocation).
ATTACKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "seats": lambda b: b["election"].update(seats=SEATS + 1),
    "college maximum": lambda b: b["election"]["constraints"]["college"].update({"cs-fr": [0, 3]}),
    "parity tolerance": lambda b: b["election"]["constraints"].update(parity_tolerance=3),
    "country minimum": lambda b: b["election"]["constraints"]["country"].update({"TN": [2, None]}),
    "candidate's college": lambda b: _skipped_candidate(b).update(college="cs-tn"),
    "candidate's gender": lambda b: _candidate(b, 0).update(gender="female" if _candidate(b, 0)["gender"] == "male"
                                                            else "male"),
    "candidate's country": lambda b: _candidate(b, 0).update(country="TN"),
    "candidate removed": lambda b: b["election"]["candidates"].pop(),
    "fallback": lambda b: b["election"].update(infeasible_fallback="void"),
    "electorate size": lambda b: (b["electorate"]["members"]["cs-fr"].append("Zz invented"),
                                  b["electorate"]["by_college"].update({"cs-fr": b["electorate"]["by_college"]["cs-fr"]
                                                                        + 1}),
                                  b["electorate"].update(size=b["electorate"]["size"] + 1)),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_board_rewritten_consistently_is_caught_by_the_proclamation_hash(
        app: Flask, exported: dict[str, Any], tmp_path: Path, name: str) -> None:
    published = exported["final_hash"]
    board = copy.deepcopy(exported)
    ATTACKS[name](board)
    if name == "candidate removed":  # its approvals go with it, as a careful forger would do
        gone = {c["id"] for c in exported["election"]["candidates"]} - {c["id"] for c in board["election"]["candidates"]}
        for ballot in board["ballots"]:
            ballot["choice"] = ",".join(i for i in ballot["choice"].split(",") if i and i not in gone)
    forge.rewrite(board)
    code, printed, _ = run(app, board, tmp_path)
    assert code == 0, printed["problems"]  # consistent: the file alone cannot tell
    code, printed, stderr = run(app, board, tmp_path, expect=published)
    assert code == 1 and not printed["ok"]
    assert any(p.startswith("expected hash:") for p in printed["problems"]), printed["problems"]
    assert "Recount FAILED" in stderr


def test_the_college_attack_changed_the_elected_list(exported: dict[str, Any]) -> None:
    """Why it matters: the candidate skipped by the college maximum would have been elected."""
    board = copy.deepcopy(exported)
    ATTACKS["candidate's college"](board)
    report = forge.rewrite(board)
    assert report["result"]["elected"] != exported["result"]["elected"]
    assert not recount(board, expect_hash=exported["final_hash"])["ok"]


GENDERS = st.sampled_from(["female", "male", "other", "undisclosed"])
COLLEGES = st.sampled_from(["cs-fr", "cs-tn", "auth"])
BOUNDS = st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, 4))).map(list)


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["seats", "gender", "college", "country", "college_bounds", "country_bounds",
                                 "tolerance"]))
    index = draw(st.integers(0, 6))
    value = {"seats": st.integers(1, 7), "gender": GENDERS, "college": COLLEGES, "country": st.sampled_from(["FR", "TN"]),
             "college_bounds": BOUNDS, "country_bounds": BOUNDS, "tolerance": st.one_of(st.none(), st.integers(0, 4))}
    return kind, (index, draw(value[kind]))


def _apply(board: dict[str, Any], kind: str, index: int, value: Any) -> None:
    election = board["election"]
    if kind == "seats":
        election["seats"] = value
    elif kind in ("gender", "college", "country"):
        election["candidates"][index][kind] = value
    elif kind == "college_bounds":
        election["constraints"]["college"]["cs-tn"] = value
    elif kind == "country_bounds":
        election["constraints"]["country"]["TN"] = value
    else:
        election["constraints"]["parity_tolerance"] = value


def test_generated_edits_of_the_election_definition_are_always_caught(exported: dict[str, Any]) -> None:
    """Hypothesis: any edit of seats, constraints or a candidate's attributes that changes the
    header, rewritten consistently, no longer has the published final hash."""
    published = exported["final_hash"]
    changed_outcomes = []

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(edit=edits())
    def check(edit: tuple[str, tuple[int, Any]]) -> None:
        kind, (index, value) = edit
        board = copy.deepcopy(exported)
        _apply(board, kind, index, value)
        if header_of(board, {"election": ("seed", "allocation")}) == header_of(exported, {"election": ("seed",
                                                                                                      "allocation")}):
            return  # no change at all
        try:
            check_format(board)
            too_many = any(b["choice"].count(",") + 1 > board["election"]["seats"] for b in board["ballots"]
                           if b["choice"])
            if too_many:
                forge.reseal(board)
            else:
                report = forge.rewrite(board)
                changed_outcomes.append(report["result"]["elected"] != exported["result"]["elected"])
        except (BoardFormatError, ValueError):
            return  # not a board the format or the count accepts: refused anyway
        assert board["final_hash"] != published
        assert not recount(board, expect_hash=published)["ok"]

    check()
    assert any(changed_outcomes)  # some edits did change who was elected


def test_a_format_1_election_still_exports_and_recounts(app: Flask, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setattr(voting, "build_board_header", lambda vote: None)  # as closed before format 2
    built = build_election(app)
    board = validated(export(app, built.vote_id))
    assert board["format"] == "pcpa-board/1" and "header_hash" not in board
    assert "infeasible_fallback" not in board["election"] and "members" not in board["electorate"]
    first = board["ballots"][0]
    assert first["hash"] == chain_hash(GENESIS, first["tracker"], first["choice"])
    code, printed, _ = run(app, board, tmp_path, expect=board["final_hash"])
    assert code == 0 and printed["ok"], printed
    edited = copy.deepcopy(board)
    edited["election"]["seats"] = SEATS + 1
    forge.rewrite(edited)
    assert recount(edited)["ok"]  # format 1 cannot tell: the reason for format 2
    assert recount(edited, expect_hash=board["final_hash"])["ok"]
