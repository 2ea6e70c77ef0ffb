"""Recount a vote from its exported bulletin board alone: no database, no application.

The export (``/votes/<id>/board.json``, format ``pcpa-board/1``) carries the
rules, the frozen electorate per college, the members who took part, every
ballot (tracker, choice, chain hash, and the college when the vote needs
per-college counts), the final hash and the published result. ``recount``
checks the chain and its order, the final hash, that there are as many ballots
as members who took part, recomputes the result with the same pure function
that published it, and lists every difference. Anyone can reproduce it: the
chain is described in ``app/assembly/board.py`` and in the README.

An election's board (``result.kind`` "election") has ``rules`` {"method":
"approval"} and an ``election`` section: seats, constraints, candidates (id,
member, college, country, gender, representative), the seed (the final hash)
and the allocation published at the close. Its recount checks every approval
ballot, recounts the approvals and reruns the constrained allocation
(``app.elections.rules``) seeded by the chain's final hash, and compares the
approvals, the elected list in order, the substitutes, the draw, the skips and
the vacant seats.
"""
from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from app.assembly import board as board_rules
from app.assembly.rules import OPTIONS, THRESHOLDS, MajorityBase, MajorityRule, QuorumRule
from app.assembly.voting import compute_result
from app.elections import rules as election_rules

FORMAT = "pcpa-board/1"
#: ``result.kind`` of an election, and the only ballot method an election board may name.
ELECTION = "election"
APPROVAL = "approval"
#: A candidacy id as written in an election board and in its approval ballots.
CANDIDATE_ID = re.compile(r"[0-9]+")
#: Problems of one kind listed one by one before they are summed up (a tampered board can have thousands).
MAX_LISTED = 10


class BoardFormatError(ValueError):
    """The file cannot be read or is not a ``pcpa-board/1`` document."""


# Reading ------------------------------------------------------------------------------

def load(path: str | Path) -> dict[str, Any]:
    """Read and check the shape of an exported board file (``-`` reads standard input)."""
    try:
        if str(path) == "-":
            import sys

            raw = sys.stdin.buffer.read()
        else:
            raw = Path(path).read_bytes()
    except OSError as exc:
        raise BoardFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse(raw)


def parse(raw: bytes | str) -> dict[str, Any]:
    """Decode JSON and check it is a ``pcpa-board/1`` document."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BoardFormatError(f"not JSON: {exc}") from exc
    check_format(document)
    return document


def _fail(where: str, what: str) -> None:
    raise BoardFormatError(f"{where}: {what}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _need(mapping: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in mapping:
        _fail(where, f"missing {key!r}")
    value = mapping[key]
    if kind is int:
        ok = _is_int(value)
    else:
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if not ok:
        _fail(f"{where}.{key}", "wrong type")
    return value


def is_election(document: Mapping[str, Any]) -> bool:
    """An election's board: it has an ``election`` section or its result says so."""
    result = document.get("result")
    return "election" in document or (isinstance(result, dict) and result.get("kind") == ELECTION)


def check_format(document: object) -> None:
    """Raise ``BoardFormatError`` unless ``document`` has the shape of a ``pcpa-board/1`` board."""
    if not isinstance(document, dict):
        _fail("board", "not a JSON object")
    if document.get("format") != FORMAT:
        _fail("format", f"expected {FORMAT!r}, found {document.get('format')!r}")
    _need(document, "vote", dict, "board")
    if is_election(document):
        _check_election_format(document)
    else:
        _check_resolution_rules(document)
    electorate = _need(document, "electorate", dict, "board")
    _need(electorate, "size", int, "electorate")
    by_college = _need(electorate, "by_college", dict, "electorate")
    for code, size in by_college.items():
        if not _is_int(size) or size < 0:
            _fail(f"electorate.by_college.{code}", "not a count")
    for i, participant in enumerate(_need(document, "participants", list, "board"), start=1):
        where = f"participants[{i}]"
        if not isinstance(participant, dict):
            _fail(where, "not an object")
        _need(participant, "member", str, where)
        _need(participant, "college", str, where)
        if "choice" in participant:
            _need(participant, "choice", str, where)
    for i, ballot in enumerate(_need(document, "ballots", list, "board"), start=1):
        where = f"ballots[{i}]"
        if not isinstance(ballot, dict):
            _fail(where, "not an object")
        for key in ("tracker", "choice", "hash"):
            _need(ballot, key, str, where)
        if "college" in ballot:
            _need(ballot, "college", str, where)
    _need(document, "final_hash", str, "board")
    _need(document, "result", dict, "board")


def _check_resolution_rules(document: Mapping[str, Any]) -> None:
    rules = _need(document, "rules", dict, "board")
    majority = _need(rules, "majority", dict, "rules")
    base = _need(majority, "base", str, "rules.majority")
    if base not in {b.value for b in MajorityBase}:
        _fail("rules.majority.base", f"unknown base {base!r}")
    threshold = _need(majority, "threshold", str, "rules.majority")
    if threshold not in THRESHOLDS:
        _fail("rules.majority.threshold", f"unknown threshold {threshold!r}")
    _need(majority, "double_majority", bool, "rules.majority")
    quorum = _need(rules, "quorum", dict, "rules")
    ratio = _need(quorum, "ratio", str, "rules.quorum")
    try:
        Fraction(ratio)
    except (ValueError, ZeroDivisionError):
        _fail("rules.quorum.ratio", f"not a fraction: {ratio!r}")
    _need(quorum, "strict", bool, "rules.quorum")
    _need(quorum, "second_convocation", bool, "rules.quorum")


def _check_bounds(raw: object, where: str) -> None:
    if not isinstance(raw, dict):
        _fail(where, "wrong type")
    for group, bounds in raw.items():
        if not (isinstance(bounds, list) and len(bounds) == 2 and _is_int(bounds[0])
                and (bounds[1] is None or _is_int(bounds[1]))):
            _fail(f"{where}.{group}", "not [minimum, maximum or null]")


def _check_election_format(document: Mapping[str, Any]) -> None:
    rules = _need(document, "rules", dict, "board")
    method = _need(rules, "method", str, "rules")
    if method != APPROVAL:
        _fail("rules.method", f"expected {APPROVAL!r}, found {method!r}")
    election = _need(document, "election", dict, "board")
    if _need(election, "seats", int, "election") < 1:
        _fail("election.seats", "must be at least 1")
    constraints = _need(election, "constraints", dict, "election")
    for scope in election_rules.SCOPES:
        _check_bounds(constraints.get(scope, {}), f"election.constraints.{scope}")
    tolerance = constraints.get("parity_tolerance")
    if tolerance is not None and not _is_int(tolerance):
        _fail("election.constraints.parity_tolerance", "not an integer or null")
    for i, candidate in enumerate(_need(election, "candidates", list, "election"), start=1):
        where = f"election.candidates[{i}]"
        if not isinstance(candidate, dict):
            _fail(where, "not an object")
        for key in ("id", "member", "college", "country", "gender", "representative"):
            _need(candidate, key, str, where)
        if not CANDIDATE_ID.fullmatch(candidate["id"]):
            _fail(f"{where}.id", f"not a candidacy id: {candidate['id']!r}")
        if candidate["gender"] not in election_rules.GENDERS:
            _fail(f"{where}.gender", f"unknown gender {candidate['gender']!r}")
    _need(election, "seed", str, "election")
    _need(election, "allocation", dict, "election")


# Recounting ---------------------------------------------------------------------------

def _listed(problems: list[str], items: list[str], summary: str) -> None:
    problems.extend(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        problems.append(summary.format(n=len(items) - MAX_LISTED))


def _differences(published: Any, recomputed: Any, path: str) -> list[str]:
    """Every leaf where the published result and the recount disagree."""
    if isinstance(published, dict) and isinstance(recomputed, dict):
        found: list[str] = []
        for key in list(recomputed) + [k for k in published if k not in recomputed]:
            where = f"{path}.{key}"
            if key not in published:
                found.append(f"{where}: missing from the published result (recounted {recomputed[key]!r})")
            elif key not in recomputed:
                found.append(f"{where}: published {published[key]!r} but not produced by the recount")
            else:
                found.extend(_differences(published[key], recomputed[key], where))
        return found
    if published != recomputed or type(published) is not type(recomputed):
        return [f"{path}: published {published!r}, recounted {recomputed!r}"]
    return []


def rules_of(board: Mapping[str, Any]) -> tuple[MajorityRule, QuorumRule]:
    majority, quorum = board["rules"]["majority"], board["rules"]["quorum"]
    return (MajorityRule(MajorityBase(majority["base"]), majority["threshold"], majority["double_majority"]),
            QuorumRule(Fraction(quorum["ratio"]), strict=quorum["strict"],
                       second_convocation=quorum["second_convocation"]))


def _check_board(board: Mapping[str, Any], problems: list[str]) -> str:
    """What every board must satisfy, whatever the vote: the chain, its order and final hash, one
    ballot per member who took part, the electorate. Returns the final hash of the ballots as they
    are in the file (the published one when the chain holds)."""
    ballots = board["ballots"]
    participants = board["participants"]
    electorate = board["electorate"]
    by_college: dict[str, int] = dict(electorate["by_college"])

    # The chain: order, every link, and the final hash.
    entries = [board_rules.BoardEntry(b["tracker"], b["choice"], b["hash"], b.get("college") or "")
               for b in ballots]
    chained, reason = board_rules.verify(entries)
    if not chained:
        problems.append(f"chain: {reason}")
    trackers = [e.tracker for e in entries]
    # Checked apart from the chain, so a chain recomputed in a wrong order is still caught here.
    if any(a >= b for a, b in itertools.pairwise(trackers)):
        repeated = len(trackers) - len(set(trackers))
        problems.append(f"order: ballots are not sorted by tracker{f' ({repeated} repeated)' if repeated else ''}")
    last = entries[-1].hash if entries else board_rules.GENESIS
    if last != board["final_hash"]:
        problems.append(f"final hash: the board's final_hash {board['final_hash']} is not the last hash of "
                        f"the chain {last}")
    # A verified chain is the sealed chain (same order, same links); otherwise seal the ballots afresh.
    recomputed_final = last if chained else board_rules.final_hash(
        board_rules.seal((e.tracker, e.choice, e.college) for e in entries))

    # One ballot per member who took part.
    if len(ballots) != len(participants):
        problems.append(f"count: {len(ballots)} ballots but {len(participants)} members took part")
    names = Counter(p["member"] for p in participants)
    _listed(problems, [f"participants: {name!r} is listed {n} times" for name, n in sorted(names.items()) if n > 1],
            "participants: {n} more members listed more than once")

    # The electorate and who took part.
    if electorate["size"] != sum(by_college.values()):
        problems.append(f"electorate: size {electorate['size']} is not the sum of its colleges "
                        f"{sum(by_college.values())}")
    if len(participants) > sum(by_college.values()):
        problems.append(f"participants: {len(participants)} members took part in an electorate of "
                        f"{sum(by_college.values())}")
    outsiders = sorted({p["college"] for p in participants} - set(by_college))
    if outsiders:
        problems.append(f"participants: colleges not in the electorate: {', '.join(outsiders)}")
    return recomputed_final


def _check_colleges(board: Mapping[str, Any], colleges: list[str], problems: list[str]) -> None:
    """Ballots that carry a college: known colleges, and as many ballots per college as members."""
    strangers = sorted(set(colleges) - set(board["electorate"]["by_college"]))
    if strangers:
        problems.append(f"ballots: colleges not in the electorate: {', '.join(strangers)}")
    cast_in = Counter(colleges)
    took_part = Counter(p["college"] for p in board["participants"])
    for code in sorted(set(cast_in) | set(took_part)):
        if cast_in[code] != took_part[code]:
            problems.append(f"count: college {code}: {cast_in[code]} ballots but {took_part[code]} members "
                            f"took part")


def recount(board: Mapping[str, Any]) -> dict[str, Any]:
    """Check a ``pcpa-board/1`` board and recompute its result.

    Returns ``{"ok": bool, "problems": [str, ...], "result": {...}}`` where
    ``result`` is what the ballots in the file decide under the rules in the
    file, in the same shape as the published result. An election's report
    also has ``allocation``: the recomputed allocation, draw included.
    """
    if is_election(board):
        return recount_election(board)
    problems: list[str] = []
    ballots = board["ballots"]
    participants = board["participants"]
    by_college: dict[str, int] = dict(board["electorate"]["by_college"])
    rule, quorum = rules_of(board)
    recomputed_final = _check_board(board, problems)

    # Ballots: known choices, and colleges when the vote counts per college.
    unknown = [f"ballot {i} ({b['tracker']}): unknown choice {b['choice']!r}"
               for i, b in enumerate(ballots, start=1) if b["choice"] not in OPTIONS]
    _listed(problems, unknown, "ballots: {n} more ballots with an unknown choice")
    colleges = [b.get("college") or "" for b in ballots]
    per_college = any(colleges)
    if rule.double and ballots and not all(colleges):
        problems.append("ballots: a double majority needs the college of every ballot")
    if per_college:
        _check_colleges(board, colleges, problems)

    # Open (named) votes publish each member's choice: it must match the ballots.
    if participants and all("choice" in p for p in participants):
        named = Counter((p["college"] if per_college else "", p["choice"]) for p in participants)
        secret = Counter(zip(colleges, (b["choice"] for b in ballots), strict=True))
        if named != secret:
            problems.append("open vote: the members' published choices do not match the ballots")

    result = compute_result(
        choices_by_college=[(college, b["choice"]) for college, b in zip(colleges, ballots, strict=True)
                            if b["choice"] in OPTIONS],
        electorate_by_college=by_college, participation=len(participants), rule=rule, quorum=quorum,
        final_hash=recomputed_final)
    problems.extend(_differences(board["result"], result, "result"))
    return {"ok": not problems, "problems": problems, "result": result}


# Elections ------------------------------------------------------------------------------

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


def recount_election(board: Mapping[str, Any]) -> dict[str, Any]:
    """Check an election's board and rerun its count (approvals, then the constrained allocation
    seeded by the chain's final hash); compare with the published result and allocation."""
    problems: list[str] = []
    ballots = board["ballots"]
    participants = board["participants"]
    election = board["election"]
    seats: int = election["seats"]
    recomputed_final = _check_board(board, problems)

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
        _check_colleges(board, colleges, problems)
    valid: list[list[str]] = []
    invalid: list[str] = []
    unordered: list[str] = []
    for i, b in enumerate(ballots, start=1):
        choices = parse_approvals(b["choice"])
        problem = election_rules.check_ballot(choices, candidates, seats)
        if problem is not None:
            invalid.append(f"ballot {i} ({b['tracker']}): {problem.replace('_', ' ')} in {b['choice']!r}")
            continue
        if not _canonical(choices):
            unordered.append(f"ballot {i} ({b['tracker']}): candidates not in increasing order in {b['choice']!r}")
        valid.append(choices)
    _listed(problems, invalid, "ballots: {n} more invalid ballots")
    _listed(problems, unordered, "ballots: {n} more ballots not in increasing order")

    # The count, with the same pure functions as at the close.
    approvals = election_rules.count_approvals(valid, candidates, seats)
    constraints = election_rules.Constraints.from_dict(election["constraints"])
    allocation = _jsonable(election_rules.allocate(
        [election_rules.Candidate(cid, c["college"], c["country"], c["gender"], approvals[cid])
         for cid, c in candidates.items()], constraints, seats, recomputed_final).to_dict())
    result = {"kind": ELECTION, "electorate": sum(board["electorate"]["by_college"].values()),
              "participation": len(participants), "ballots": len(ballots), "seats": seats, "approvals": approvals,
              "elected": allocation["elected"], "substitutes": allocation["substitutes"],
              "vacant": allocation["vacant"], "seed": recomputed_final, "final_hash": recomputed_final}
    problems.extend(_differences(board["result"], result, "result"))
    problems.extend(_differences(election["allocation"], allocation, "election.allocation"))
    return {"ok": not problems, "problems": problems, "result": result, "allocation": allocation}
