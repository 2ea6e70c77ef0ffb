"""The published JSON Schemas of the board (``app/assembly/schemas/board-<n>.schema.json``): valid
draft 2020-12 schemas; every export of every scenario matches the schema of its format; what the
format does not allow is refused. (Election boards: tests/elections/test_election_board_header.py;
every ``export`` helper of the recount tests validates too.)
"""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator

from app.assembly import voting
from app.assembly.recount import recount
from tests.assembly.board_schema import SCHEMAS, errors, validated
from tests.assembly.test_board_routes import build_vote


def test_every_format_has_a_valid_2020_12_schema() -> None:
    names = sorted(p.name for p in SCHEMAS.glob("*.schema.json"))
    assert names == ["board-1.schema.json", "board-2.schema.json"]
    for name in names:
        schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        assert schema["properties"]["format"] == {"const": f"pcpa-board/{name[6]}"}


#: name -> build_vote arguments. Every rule and shape the board can take for a resolution.
SCENARIOS: dict[str, dict[str, Any]] = {
    "simple majority, secret": {},
    "simple majority, open": {"secret": False},
    "double majority, secret": {"double": True},
    "double majority, open": {"double": True, "secret": False},
    "double majority, quorum failed": {"double": True, "abstainers": 4},
    "nobody voted": {"abstainers": 5},
    "with proxies": {"proxies": 2},
}


def _export(app: Flask, vote_id: int) -> dict[str, Any]:
    response = app.test_client().get(f"/votes/{vote_id}/board.json")
    assert response.status_code == 200
    return json.loads(response.get_data())


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("version", [1, 2])
def test_every_export_matches_its_schema(app: Flask, monkeypatch: pytest.MonkeyPatch, name: str,
                                         version: int) -> None:
    if version == 1:  # a vote closed before format 2
        monkeypatch.setattr(voting, "build_board_header", lambda vote: None)
    board = _export(app, build_vote(app, **SCENARIOS[name]).vote_id)
    assert board["format"] == f"pcpa-board/{version}"
    validated(board)
    assert recount(board, expect_hash=board["final_hash"])["ok"]


def test_the_double_majority_result_shapes(app: Flask) -> None:
    """``by_college`` per college; ``met`` null for every college when the quorum fails."""
    failed = _export(app, build_vote(app, double=True, abstainers=4, prefix="Q").vote_id)
    assert failed["result"]["outcome"] == "no_quorum" and failed["result"]["overall_met"] is False
    assert {code: c["met"] for code, c in failed["result"]["by_college"].items()} == {"cs-fr": None, "cs-tn": None}
    reached = _export(app, build_vote(app, double=True, prefix="R").vote_id)
    assert all(isinstance(c["met"], bool) for c in reached["result"]["by_college"].values())
    assert validated(failed) and validated(reached)


@pytest.fixture
def board(app: Flask) -> dict[str, Any]:
    return validated(_export(app, build_vote(app, double=True).vote_id))


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value


@pytest.mark.parametrize(("path", "value"), [
    (("header_hash",), KeyError),
    (("header_hash",), "A" * 64),
    (("electorate", "members"), KeyError),
    (("electorate", "members", "cs-fr"), "one name"),
    (("format",), "pcpa-board/3"),
    (("final_hash",), "short"),
    (("ballots", 0, "tracker"), "not hex"),
    (("ballots", 0, "voter"), "a name"),
    (("participants", 0, "member"), None),
    (("rules", "majority", "threshold"), "most"),
    (("rules", "quorum", "ratio"), "half"),
    (("result", "outcome"), "maybe"),
    (("result", "by_college", "cs-fr", "met"), "yes"),
    (("vote", "opened_at"), "yesterday"),
    (("surprise",), 1),
])
def test_the_schema_refuses_what_the_format_does_not_allow(board: dict[str, Any], path: tuple[Any, ...],
                                                          value: Any) -> None:
    edited = copy.deepcopy(board)
    _set(edited, path, value)
    assert errors(edited)


def test_a_format_1_board_with_format_2_parts_is_refused(board: dict[str, Any]) -> None:
    edited = copy.deepcopy(board)
    edited["format"] = "pcpa-board/1"
    assert any("header_hash" in e or "members" in e for e in errors(edited))
