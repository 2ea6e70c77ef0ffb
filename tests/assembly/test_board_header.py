"""Board format 2: a header that commits the final hash to the whole board.

Issue 10 §1: with the chain over the ballots only, a board whose electorate size, majority rule,
seats, constraints or a candidate's gender or college was rewritten consistently recounted fine
and kept its final hash. Now the chain starts at the hash of a canonical header holding all of
it, so such a board cannot keep the final hash printed in the minutes or the proclamation, and
``flask votes recount FILE --expect-hash H`` catches it. Pure rules first (table-tested), then
the close, the export (stable, as sealed), the recount's new checks and the attack itself.
"""
from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.assembly import board as board_rules
from app.assembly import voting
from app.assembly.board import (
    GENESIS,
    BoardEntry,
    canonical_json,
    chain_hash,
    final_hash,
    header_hash,
    header_of,
    seal,
    verify,
    with_outputs,
)
from app.assembly.models import Vote
from app.assembly.recount import BoardFormatError, check_format, expected_hash_problem, recount
from app.extensions import db
from app.members.models import Member
from tests.assembly import forge
from tests.assembly.board_schema import validated
from tests.assembly.test_board_routes import build_vote

# Pure rules ----------------------------------------------------------------------------------

CANONICAL = [
    ({}, b"{}"),
    ({"b": 1, "a": [True, None, "x"]}, b'{"a":[true,null,"x"],"b":1}'),
    ({"z": {"d": 2, "c": 1}, "A": 0}, b'{"A":0,"z":{"c":1,"d":2}}'),  # keys by code point, nested too
    ({"name": "Femmes démocrates — جمعية"}, '{"name":"Femmes démocrates — جمعية"}'.encode()),  # UTF-8, unescaped
    ({"q": 'say "hi"\\\n'}, b'{"q":"say \\"hi\\"\\\\\\n"}'),  # JSON escapes only where JSON needs them
    ({"ctl": "\x01"}, b'{"ctl":"\\u0001"}'),
    ({"list": [3, 1, 2]}, b'{"list":[3,1,2]}'),  # lists keep their order
]


@pytest.mark.parametrize(("value", "expected"), CANONICAL)
def test_canonical_json(value: Any, expected: bytes) -> None:
    assert canonical_json(value) == expected


def test_canonical_json_refuses_what_json_cannot_say() -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_header_hash_is_sha256_of_the_canonical_bytes() -> None:
    header = {"format": "pcpa-board/2", "vote": {"id": 1, "title": "Rapport"}}
    expected = hashlib.sha256(b'{"format":"pcpa-board/2","vote":{"id":1,"title":"Rapport"}}').hexdigest()
    assert header_hash(header) == expected
    # The order keys were written in does not matter; any value does.
    assert header_hash({"vote": {"title": "Rapport", "id": 1}, "format": "pcpa-board/2"}) == expected
    assert header_hash({"format": "pcpa-board/2", "vote": {"id": 2, "title": "Rapport"}}) != expected


HEADER = {"format": "pcpa-board/2", "vote": {"id": 7}, "rules": {"method": "approval"},
          "election": {"id": 3, "seats": 2, "infeasible_fallback": "void"},
          "electorate": {"size": 1, "by_college": {"a": 1}, "members": {"a": ["M"]}},
          "participants": [{"member": "M", "college": "a"}]}
OUTPUTS = {"election": ("seed", "allocation")}


@pytest.mark.parametrize(("document", "expected"), [
    # The outputs are left out, at the top and within a kind's section.
    ({**HEADER, "header_hash": "h", "ballots": [], "final_hash": "f", "result": {}}, HEADER),
    ({**HEADER, "election": {**HEADER["election"], "seed": "s", "allocation": {}}}, HEADER),
    # Anything else is in the header (defined by exclusion): an added key changes the hash.
    ({**HEADER, "extra": 1}, {**HEADER, "extra": 1}),
    ({**HEADER, "election": {**HEADER["election"], "note": "x"}},
     {**HEADER, "election": {**HEADER["election"], "note": "x"}}),
])
def test_header_of(document: dict[str, Any], expected: dict[str, Any]) -> None:
    assert header_of(document, OUTPUTS) == expected


def test_with_outputs_then_header_of_gives_the_header_back() -> None:
    document = with_outputs(HEADER, header_hash=header_hash(HEADER), ballots=[], final_hash="f", result={"r": 1},
                            section_outputs={"election": {"seed": "s", "allocation": {"elected": []}}})
    assert list(document) == [*HEADER, "header_hash", "ballots", "final_hash", "result"]
    assert document["election"] == {**HEADER["election"], "seed": "s", "allocation": {"elected": []}}
    assert header_of(document, OUTPUTS) == HEADER
    assert "seed" not in HEADER["election"]  # the stored header is not changed


@pytest.mark.parametrize("start", [GENESIS, "ab" * 32])
def test_chain_from_a_start(start: str) -> None:
    entries = seal([("b2", "for"), ("a1", "against", "cs-fr")], previous=start)
    assert entries[0].hash == chain_hash(start, "a1", "against", "cs-fr")
    assert entries[1].hash == chain_hash(entries[0].hash, "b2", "for")
    assert final_hash(entries, start) == entries[-1].hash
    assert verify(entries, start) == (True, "")
    other = GENESIS if start != GENESIS else "cd" * 32
    assert verify(entries, other) == (False, "entry 1: hash does not match")


@pytest.mark.parametrize("start", [GENESIS, "ab" * 32])
def test_with_no_ballot_the_final_hash_is_the_start(start: str) -> None:
    assert final_hash([], start) == start and verify([], start) == (True, "")


@pytest.mark.parametrize(("recounted", "expected", "problem"), [
    ("a" * 64, "a" * 64, False),
    ("a" * 64, " " + "A" * 64 + "\n", False),  # as copied from a PDF
    ("a" * 64, "b" * 64, True),
])
def test_expected_hash_problem(recounted: str, expected: str, problem: bool) -> None:
    found = expected_hash_problem(recounted, expected)
    assert (found is not None) is problem
    if problem:
        assert found.startswith("expected hash: the board's recounted final hash aaaa")


# The close ------------------------------------------------------------------------------------

def _vote(app: Flask, vote_id: int) -> tuple[dict[str, Any], str, list[str], int]:
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        return vote.board_header, vote.final_hash, vote.board_checkpoints, vote.board_format


def test_the_close_stores_the_header_and_chains_from_it(app: Flask) -> None:
    built = build_vote(app, double=True, abstainers=1)
    header, final, checkpoints, version = _vote(app, built.vote_id)
    assert version == 2 and header["format"] == "pcpa-board/2"
    assert list(header) == ["format", "vote", "rules", "electorate", "participants"]
    assert header["rules"] == {"majority": {"base": "expressed", "threshold": "half", "double_majority": True},
                               "quorum": {"ratio": "1/2", "strict": False, "second_convocation": False}}
    fr, tn = sorted(built.names[:3]), sorted(built.names[3:])
    assert header["electorate"] == {"size": 5, "by_college": {"cs-fr": 3, "cs-tn": 2},
                                    "members": {"cs-fr": fr, "cs-tn": tn}}
    assert header["participants"] == sorted(
        ({"member": name, "college": "cs-fr" if name in fr else "cs-tn"} for name in built.choices),
        key=lambda p: (p["member"], p["college"]))
    start = header_hash(header)
    assert checkpoints[0] == start
    with app.app_context():
        entries = voting.board_slice(db.session.get(Vote, built.vote_id), 1, 10)
    assert entries[0].hash == chain_hash(start, entries[0].tracker, entries[0].choice, entries[0].college)
    assert entries[-1].hash == final


def test_an_open_vote_header_names_each_choice(app: Flask) -> None:
    built = build_vote(app, secret=False)
    header, *_ = _vote(app, built.vote_id)
    assert {p["member"]: p["choice"] for p in header["participants"]} == built.choices


def test_a_vote_nobody_voted_in_has_the_header_hash_as_final_hash(app: Flask) -> None:
    built = build_vote(app, abstainers=5)
    header, final, checkpoints, _ = _vote(app, built.vote_id)
    assert header["participants"] == [] and final == header_hash(header) and checkpoints == []


# The export -----------------------------------------------------------------------------------

def export_bytes(app: Flask, vote_id: int) -> bytes:
    response = app.test_client().get(f"/votes/{vote_id}/board.json")
    assert response.status_code == 200
    return response.get_data()


def export(app: Flask, vote_id: int) -> dict[str, Any]:
    return validated(json.loads(export_bytes(app, vote_id)))


def test_the_export_is_the_stored_header_with_the_outputs(app: Flask) -> None:
    built = build_vote(app)
    header, final, _, _ = _vote(app, built.vote_id)
    board = export(app, built.vote_id)
    assert header_of(board, {}) == header
    assert board["header_hash"] == header_hash(header)
    assert board["final_hash"] == final == board["result"]["final_hash"] == board["ballots"][-1]["hash"]
    assert recount(board, expect_hash=final)["ok"]


def test_same_vote_same_bytes_and_a_member_renamed_later_changes_nothing(app: Flask, tmp_path: Path) -> None:
    built = build_vote(app, secret=False)
    before = export_bytes(app, built.vote_id)
    assert export_bytes(app, built.vote_id) == before
    renamed = built.names[0]
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.name == renamed))
        member.name = "Renamed after the close"
        db.session.commit()
    assert export_bytes(app, built.vote_id) == before
    board = json.loads(before)
    assert renamed in board["electorate"]["members"]["cs-fr"]
    assert recount(board, expect_hash=board["final_hash"])["ok"]


def _as_before_format_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Close votes as the platform did before format 2 (no header): a board of an old vote."""
    monkeypatch.setattr(voting, "build_board_header", lambda vote: None)


def test_a_vote_closed_before_format_2_still_exports_and_recounts_as_format_1(
        app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _as_before_format_2(monkeypatch)
    built = build_vote(app, double=True)
    header, final, checkpoints, version = _vote(app, built.vote_id)
    assert version == 1 and header is None and checkpoints[0] == GENESIS
    board = export(app, built.vote_id)
    assert board["format"] == "pcpa-board/1"
    assert list(board) == ["format", "vote", "rules", "electorate", "participants", "ballots", "final_hash",
                           "result"]
    assert board["electorate"] == {"size": 5, "by_college": {"cs-fr": 3, "cs-tn": 2}}
    assert board["ballots"][0]["hash"] == chain_hash(GENESIS, board["ballots"][0]["tracker"],
                                                     board["ballots"][0]["choice"], board["ballots"][0]["college"])
    code, printed, _ = run(app, board, tmp_path, expect=final)
    assert code == 0 and printed["ok"], printed
    code, printed, _ = run(app, board, tmp_path, expect="e" * 64)
    assert code == 1 and any(p.startswith("expected hash:") for p in printed["problems"])


# The recount's format-2 checks ---------------------------------------------------------------

def run(app: Flask, board: dict[str, Any], tmp_path: Path, *, expect: str | None = None
        ) -> tuple[int, dict[str, Any] | None, str]:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board, ensure_ascii=False), encoding="utf-8")
    args = ["votes", "recount", str(path)] + (["--expect-hash", expect] if expect is not None else [])
    result = app.test_cli_runner().invoke(args=args)
    printed = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, printed, result.stderr


@pytest.fixture
def exported(app: Flask) -> dict[str, Any]:
    """A closed secret double-majority vote: 5 electors (3 cs-fr, 2 cs-tn), 4 cast."""
    return export(app, build_vote(app, double=True, abstainers=1).vote_id)


def _outsider_takes_part(board: dict[str, Any]) -> None:
    board["participants"][0]["member"] = "Zz not an elector"


def _member_moved(board: dict[str, Any]) -> None:
    members = board["electorate"]["members"]
    members["cs-tn"].append(members["cs-fr"].pop())


def _member_twice(board: dict[str, Any]) -> None:
    members = board["electorate"]["members"]
    members["cs-tn"][0] = members["cs-fr"][0]


def _participant_in_another_college(board: dict[str, Any]) -> None:
    participant = next(p for p in board["participants"] if p["college"] == "cs-fr")
    participant["college"] = "cs-tn"


def _header_hash_replaced(board: dict[str, Any]) -> None:
    board["header_hash"] = "c" * 64


CHECKS: dict[str, tuple[Callable[[dict[str, Any]], None], bool, str]] = {
    # edit, reseal (header hash and chain made consistent), a problem expected
    "participant who is not an elector": (_outsider_takes_part, True, "participants: 'Zz not an elector' is not an "
                                                                      "elector of college"),
    "members do not match the counts": (_member_moved, True, "electorate: college cs-fr: 2 members listed but 3 "
                                                             "counted"),
    "member listed in two colleges": (_member_twice, True, "is listed 2 times"),
    "participant in another college than its own": (_participant_in_another_college, True, "is not an elector of "
                                                                                            "college cs-tn"),
    "header hash replaced": (_header_hash_replaced, False, "header: the board's header_hash cccc"),
    "header edited, hash kept": (lambda b: b["rules"]["quorum"].update(ratio="2/3"), False,
                                 "header: the board's header_hash"),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_recount_checks_the_header_and_the_electorate(exported: dict[str, Any], name: str) -> None:
    edit, reseal, expected = CHECKS[name]
    board = copy.deepcopy(exported)
    edit(board)
    if reseal:
        forge.reseal(board)
    report = recount(board)
    assert not report["ok"]
    assert any(expected in problem for problem in report["problems"]), report["problems"]


def test_a_chain_from_64_zeros_is_refused_in_format_2(exported: dict[str, Any]) -> None:
    board = copy.deepcopy(exported)
    board["final_hash"] = board["result"]["final_hash"] = forge.rechain(board, GENESIS)
    report = recount(board)
    assert "chain: entry 1: hash does not match" in report["problems"]


# The attack: a board rewritten consistently ---------------------------------------------------

def _electorate_grows(board: dict[str, Any]) -> None:
    extra = [f"Zz invented elector {i:02d}" for i in range(10)]
    board["electorate"]["members"]["cs-fr"] = sorted(board["electorate"]["members"]["cs-fr"] + extra)
    board["electorate"]["by_college"]["cs-fr"] += 10
    board["electorate"]["size"] += 10


def _majority(board: dict[str, Any]) -> None:
    board["rules"]["majority"]["threshold"] = "two_thirds"


def _base(board: dict[str, Any]) -> None:
    board["rules"]["majority"]["base"] = "electorate"


def _single_majority(board: dict[str, Any]) -> None:
    board["rules"]["majority"]["double_majority"] = False
    for ballot in board["ballots"]:
        ballot.pop("college", None)


def _quorum(board: dict[str, Any]) -> None:
    board["rules"]["quorum"]["second_convocation"] = True


def _title(board: dict[str, Any]) -> None:
    board["vote"]["title"] = "Another resolution"


ATTACKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "electorate size": _electorate_grows, "majority threshold": _majority, "majority base": _base,
    "double majority dropped": _single_majority, "quorum": _quorum, "title": _title,
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_board_rewritten_consistently_is_caught_by_the_published_hash(
        app: Flask, exported: dict[str, Any], tmp_path: Path, name: str) -> None:
    published = exported["final_hash"]
    code, printed, stderr = run(app, exported, tmp_path, expect=published)
    assert code == 0 and printed["ok"], printed
    assert "is the expected" in stderr
    board = copy.deepcopy(exported)
    ATTACKS[name](board)
    forge.rewrite(board)
    code, printed, _ = run(app, board, tmp_path)
    assert code == 0, printed["problems"]  # consistent: nothing in the file gives it away...
    code, printed, stderr = run(app, board, tmp_path, expect=published)
    assert code == 1 and printed["ok"] is False  # ...but the hash printed in the minutes does
    assert [p for p in printed["problems"] if p.startswith("expected hash:")], printed["problems"]
    assert f"is not the expected {published}" in stderr


@pytest.mark.parametrize("value", ["abc", "g" * 64, "a" * 63])
def test_a_malformed_expected_hash_is_a_usage_error(app: Flask, exported: dict[str, Any], tmp_path: Path,
                                                   value: str) -> None:
    code, _, stderr = run(app, exported, tmp_path, expect=value)
    assert code == 2 and "64 hexadecimal characters" in stderr


#: Edits an attacker can make to a format-2 resolution board's header: (path, new value).
HEADER_PATHS = [
    ("electorate", "size"), ("electorate", "by_college", "cs-fr"), ("electorate", "by_college", "cs-tn"),
    ("rules", "majority", "base"), ("rules", "majority", "threshold"), ("rules", "majority", "double_majority"),
    ("rules", "quorum", "ratio"), ("rules", "quorum", "strict"), ("rules", "quorum", "second_convocation"),
    ("vote", "secret"), ("vote", "title"), ("vote", "id"),
]
VALUES = st.one_of(st.integers(min_value=0, max_value=50), st.booleans(),
                   st.sampled_from(["expressed", "cast", "electorate", "half", "two_thirds", "1/3", "2/3", "1"]),
                   st.text(max_size=8))


def test_any_header_edit_rewritten_consistently_changes_the_final_hash(exported: dict[str, Any]) -> None:
    """Generated edits (hypothesis): whatever an attacker changes in the header and however well it
    rechains and republishes, the recomputed final hash is no longer the published one."""
    published = exported["final_hash"]
    assert recount(exported, expect_hash=published)["ok"]

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(path=st.sampled_from(HEADER_PATHS), value=VALUES)
    def check(path: tuple[str, ...], value: Any) -> None:
        board = copy.deepcopy(exported)
        target = board
        for key in path[:-1]:
            target = target[key]
        assume(target[path[-1]] != value or type(target[path[-1]]) is not type(value))
        target[path[-1]] = value
        forge.reseal(board)
        assert board["final_hash"] != published
        try:
            check_format(board)
        except BoardFormatError:
            return  # a value the format does not allow: refused as unreadable (exit 2)
        report = recount(board, expect_hash=published)
        assert not report["ok"]
        assert any(p.startswith("expected hash:") for p in report["problems"])

    check()


def test_the_chain_start_is_what_the_board_module_says(exported: dict[str, Any]) -> None:
    """An independent recounter's recipe (README): header = the document without the outputs."""
    header = {k: v for k, v in exported.items() if k not in ("header_hash", "ballots", "final_hash", "result")}
    digest = hashlib.sha256(json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                            .encode("utf-8")).hexdigest()
    assert digest == exported["header_hash"]
    previous = digest
    for ballot in exported["ballots"]:
        previous = hashlib.sha256(
            f"{previous}|{ballot['tracker']}|{ballot['college']}|{ballot['choice']}".encode()).hexdigest()
        assert previous == ballot["hash"]
    assert previous == exported["final_hash"]
    assert board_rules.verify([BoardEntry(b["tracker"], b["choice"], b["hash"], b["college"])
                               for b in exported["ballots"]], digest) == (True, "")
