"""Recount an election from its exported board alone: no database, no application.

``app/assembly/recount.py`` reads every board (the header hash, the chain, its
order, the final hash, one ballot per member who took part); an election's
board, with ``result.kind`` "election", also has ``rules`` {"method":
"approval"} and an ``election`` section: id, seats, constraints, candidates
(id, member, college, country, gender, representative), in format 2 the
``infeasible_fallback`` -- all of it in the header -- and the outputs: the seed
(the final hash) and the allocation published at the close. Its recount, registered in
``recount.BOARD_KINDS`` from ``app.elections.init_app``, checks every approval
ballot, recounts the approvals and reruns the constrained allocation
(``rules.py``) seeded by the chain's final hash, and compares the approvals,
the elected list in order, the substitutes, the draw, the skips and the
vacant seats.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from app.assembly.recount import (
    BoardKind,
    check_board,
    check_colleges,
    differences,
    fail,
    is_int,
    listed,
    need,
)
from app.elections import rules

#: ``result.kind`` of an election, and the name of its section of the board.
ELECTION = "election"
#: The only ballot method an election board may name.
APPROVAL = "approval"
#: A candidacy id as written in an election board and in its approval ballots.
CANDIDATE_ID = re.compile(r"[0-9]+")
#: The keys of the ``election`` section that the count produces (not in a format-2 header).
OUTPUTS = ("seed", "allocation")


def _check_bounds(raw: object, where: str) -> None:
    if not isinstance(raw, dict):
        fail(where, "wrong type")
    for group, bounds in raw.items():
        if not (isinstance(bounds, list) and len(bounds) == 2 and is_int(bounds[0])
                and (bounds[1] is None or is_int(bounds[1]))):
            fail(f"{where}.{group}", "not [minimum, maximum or null]")


def check_format(document: Mapping[str, Any]) -> None:
    """The election's part of a board: ``rules`` {"method": "approval"} and the ``election`` section."""
    method = need(need(document, "rules", dict, "board"), "method", str, "rules")
    if method != APPROVAL:
        fail("rules.method", f"expected {APPROVAL!r}, found {method!r}")
    election = need(document, "election", dict, "board")
    if need(election, "seats", int, "election") < 1:
        fail("election.seats", "must be at least 1")
    constraints = need(election, "constraints", dict, "election")
    for scope in rules.SCOPES:
        _check_bounds(constraints.get(scope, {}), f"election.constraints.{scope}")
    tolerance = constraints.get("parity_tolerance")
    if tolerance is not None and not is_int(tolerance):
        fail("election.constraints.parity_tolerance", "not an integer or null")
    for i, candidate in enumerate(need(election, "candidates", list, "election"), start=1):
        where = f"election.candidates[{i}]"
        if not isinstance(candidate, dict):
            fail(where, "not an object")
        for key in ("id", "member", "college", "country", "gender", "representative"):
            need(candidate, key, str, where)
        if not CANDIDATE_ID.fullmatch(candidate["id"]):
            fail(f"{where}.id", f"not a candidacy id: {candidate['id']!r}")
        if candidate["gender"] not in rules.GENDERS:
            fail(f"{where}.gender", f"unknown gender {candidate['gender']!r}")
    if document.get("format") != "pcpa-board/1" or "infeasible_fallback" in election:
        fallback = need(election, "infeasible_fallback", str, "election")
        if fallback not in rules.FALLBACKS:
            fail("election.infeasible_fallback", f"expected one of {', '.join(rules.FALLBACKS)}, found {fallback!r}")
    need(election, "seed", str, "election")
    need(election, "allocation", dict, "election")


def parse_approvals(choice: str) -> list[str]:
    """The candidacy ids of an approval ballot as written ("" = blank); nothing is stripped, so a
    ballot the platform did not write (spaces, empty parts) shows up as an unknown candidate."""
    return choice.split(",") if choice else []


def _canonical(choices: list[str]) -> bool:
    """The platform writes the ids sorted by number."""
    return choices == sorted(choices, key=int)


def _jsonable(data: Any) -> Any:
    """As the published result reads after its trip through JSON (tuples become lists)."""
    return json.loads(json.dumps(data))


def recount(board: Mapping[str, Any]) -> dict[str, Any]:
    """Check an election's board and rerun its count (approvals, then the constrained allocation
    seeded by the chain's final hash); compare with the published result and allocation."""
    problems: list[str] = []
    ballots = board["ballots"]
    participants = board["participants"]
    election = board["election"]
    seats: int = election["seats"]
    recomputed_final = check_board(board, problems)

    if election["seed"] != board["final_hash"]:
        problems.append(f"seed: the election's seed {election['seed']} is not the board's final hash "
                        f"{board['final_hash']}")

    # The candidates, once each.
    candidates: dict[str, Mapping[str, Any]] = {}
    for entry in election["candidates"]:
        if entry["id"] in candidates:
            problems.append(f"candidates: {entry['id']} is listed more than once")
        else:
            candidates.setdefault(entry["id"], entry)

    # Every ballot: known candidates, none twice, at most one per seat; written as the platform does.
    colleges = [b.get("college") or "" for b in ballots]
    if any(colleges):
        check_colleges(board, colleges, problems)
    valid: list[list[str]] = []
    invalid: list[str] = []
    unordered: list[str] = []
    for i, b in enumerate(ballots, start=1):
        choices = parse_approvals(b["choice"])
        problem = rules.check_ballot(choices, candidates, seats)
        if problem is not None:
            invalid.append(f"ballot {i} ({b['tracker']}): {problem.replace('_', ' ')} in {b['choice']!r}")
            continue
        if not _canonical(choices):
            unordered.append(f"ballot {i} ({b['tracker']}): candidates not in increasing order in {b['choice']!r}")
        valid.append(choices)
    listed(problems, invalid, "ballots: {n} more invalid ballots")
    listed(problems, unordered, "ballots: {n} more ballots not in increasing order")

    # The count, with the same pure functions as at the close.
    approvals = rules.count_approvals(valid, candidates, seats)
    constraints = rules.Constraints.from_dict(election["constraints"])
    allocation = _jsonable(rules.allocate(
        [rules.Candidate(cid, c["college"], c["country"], c["gender"], approvals[cid])
         for cid, c in candidates.items()], constraints, seats, recomputed_final,
        # absent from boards sealed before the setting existed: their count had no fallback (None)
        fallback=election.get("infeasible_fallback")).to_dict())
    result = {"kind": ELECTION, "electorate": sum(board["electorate"]["by_college"].values()),
              "participation": len(participants), "ballots": len(ballots), "seats": seats, "approvals": approvals,
              "elected": allocation["elected"], "substitutes": allocation["substitutes"],
              "vacant": allocation["vacant"], "seed": recomputed_final, "final_hash": recomputed_final}
    problems.extend(differences(board["result"], result, "result"))
    problems.extend(differences(election["allocation"], allocation, "election.allocation"))
    return {"ok": not problems, "problems": problems, "result": result, "allocation": allocation,
            "final_hash": recomputed_final}


#: What ``app.elections.init_app`` registers in ``app.assembly.recount.BOARD_KINDS[ELECTION]``.
BOARD_KIND = BoardKind(check_format=check_format, recount=recount, outputs=OUTPUTS)
