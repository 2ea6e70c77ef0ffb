"""Recount a vote from its exported bulletin board alone: no database, no application.

The export (``/votes/<id>/board.json``, format ``pcpa-board/2``, or
``pcpa-board/1`` for votes closed before it) carries the rules, the frozen
electorate per college (format 2: with its members' names), the members who
took part, every ballot (tracker, choice, chain hash, and the college when the
vote needs per-college counts), the final hash and the published result.
``recount`` checks the header hash (format 2: the chain starts from it), the
chain and its order, the final hash, that there are as many ballots as members
who took part and that they are electors, recomputes the result with the same
pure function that published it, and lists every difference; with
``expect_hash`` (the final hash printed in the minutes or the proclamation) it
also catches a board rewritten consistently. Anyone can reproduce it: the
header and the chain are described in ``app/assembly/board.py``, the JSON
Schemas in ``app/assembly/schemas/`` and the README.

The board of another kind of vote (``result.kind``, e.g. "election", with a
section of that name) is checked and recounted by what that kind registered in
``BOARD_KINDS`` (elections: ``app/elections/recount.py``), with the helpers
below (``need``, ``check_board``, ``differences``...) and the same chain checks.
"""
from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from app.assembly import board as board_rules
from app.assembly.rules import OPTIONS, THRESHOLDS, MajorityBase, MajorityRule, QuorumRule
from app.assembly.voting import compute_result

#: The format boards are sealed in now; ``FORMATS`` are all those ``recount`` reads.
FORMAT = board_rules.FORMATS[board_rules.CURRENT_FORMAT]
FORMATS = tuple(board_rules.FORMATS.values())
#: A hash as the board writes it: SHA-256 in lowercase hexadecimal.
HASH = re.compile(r"[0-9a-f]{64}")
#: Problems of one kind listed one by one before they are summed up (a tampered board can have thousands).
MAX_LISTED = 10


class BoardFormatError(ValueError):
    """The file cannot be read or is not a board document of a known format."""


@dataclass(frozen=True)
class BoardKind:
    """How the board of a vote kind other than a resolution is read and recounted.

    ``check_format(document)`` raises ``BoardFormatError`` (``fail``/``need``) on the kind's
    ``rules`` and own section; ``recount(board)`` returns ``{"ok", "problems", "result",
    "final_hash", ...}``. ``outputs``: the keys of the kind's own section that the count
    produces (not part of a format-2 header, e.g. an election's seed and allocation).
    """

    check_format: Callable[[Mapping[str, Any]], None]
    recount: Callable[[Mapping[str, Any]], dict[str, Any]]
    outputs: tuple[str, ...] = ()


#: ``result.kind`` (also the name of the kind's own section of the board) -> its ``BoardKind``.
#: Elections register "election" from their ``init_app``; a resolution's board is read here.
BOARD_KINDS: dict[str, BoardKind] = {}


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
    """Decode JSON and check it is a board document of a known format."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BoardFormatError(f"not JSON: {exc}") from exc
    check_format(document)
    return document


def fail(where: str, what: str) -> None:
    raise BoardFormatError(f"{where}: {what}")


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def need(mapping: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in mapping:
        fail(where, f"missing {key!r}")
    value = mapping[key]
    if kind is int:
        ok = is_int(value)
    else:
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if not ok:
        fail(f"{where}.{key}", "wrong type")
    return value


def kind_of(document: Mapping[str, Any]) -> BoardKind | None:
    """The registered kind whose section the board has or whose name its result gives; None: a resolution."""
    result = document.get("result")
    for name, kind in BOARD_KINDS.items():
        if name in document or (isinstance(result, dict) and result.get("kind") == name):
            return kind
    return None


def format_number(document: Mapping[str, Any]) -> int:
    """1 or 2: the board's format (checked by ``check_format``)."""
    return next(n for n, name in board_rules.FORMATS.items() if name == document.get("format"))


def section_outputs() -> dict[str, tuple[str, ...]]:
    """Per registered kind's section, the keys that are outputs (not in the header)."""
    return {name: kind.outputs for name, kind in BOARD_KINDS.items()}


def check_format(document: object) -> None:
    """Raise ``BoardFormatError`` unless ``document`` has the shape of a board of a known format."""
    if not isinstance(document, dict):
        fail("board", "not a JSON object")
    if document.get("format") not in FORMATS:
        fail("format", f"expected one of {', '.join(map(repr, FORMATS))}, found {document.get('format')!r}")
    version = format_number(document)
    need(document, "vote", dict, "board")
    kind = kind_of(document)
    if kind is not None:
        kind.check_format(document)
    else:
        _check_resolution_rules(document)
    electorate = need(document, "electorate", dict, "board")
    need(electorate, "size", int, "electorate")
    by_college = need(electorate, "by_college", dict, "electorate")
    for code, size in by_college.items():
        if not is_int(size) or size < 0:
            fail(f"electorate.by_college.{code}", "not a count")
    if version >= 2:
        for code, names in need(electorate, "members", dict, "electorate").items():
            if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
                fail(f"electorate.members.{code}", "not a list of names")
        if not HASH.fullmatch(need(document, "header_hash", str, "board")):
            fail("header_hash", "not a SHA-256 in lowercase hexadecimal")
    for i, participant in enumerate(need(document, "participants", list, "board"), start=1):
        where = f"participants[{i}]"
        if not isinstance(participant, dict):
            fail(where, "not an object")
        need(participant, "member", str, where)
        need(participant, "college", str, where)
        if "choice" in participant:
            need(participant, "choice", str, where)
    for i, ballot in enumerate(need(document, "ballots", list, "board"), start=1):
        where = f"ballots[{i}]"
        if not isinstance(ballot, dict):
            fail(where, "not an object")
        for key in ("tracker", "choice", "hash"):
            need(ballot, key, str, where)
        if "college" in ballot:
            need(ballot, "college", str, where)
    need(document, "final_hash", str, "board")
    need(document, "result", dict, "board")


def _check_resolution_rules(document: Mapping[str, Any]) -> None:
    rules = need(document, "rules", dict, "board")
    majority = need(rules, "majority", dict, "rules")
    base = need(majority, "base", str, "rules.majority")
    if base not in {b.value for b in MajorityBase}:
        fail("rules.majority.base", f"unknown base {base!r}")
    threshold = need(majority, "threshold", str, "rules.majority")
    if threshold not in THRESHOLDS:
        fail("rules.majority.threshold", f"unknown threshold {threshold!r}")
    need(majority, "double_majority", bool, "rules.majority")
    quorum = need(rules, "quorum", dict, "rules")
    ratio = need(quorum, "ratio", str, "rules.quorum")
    try:
        Fraction(ratio)
    except (ValueError, ZeroDivisionError):
        fail("rules.quorum.ratio", f"not a fraction: {ratio!r}")
    need(quorum, "strict", bool, "rules.quorum")
    need(quorum, "second_convocation", bool, "rules.quorum")


# Recounting ---------------------------------------------------------------------------

def listed(problems: list[str], items: list[str], summary: str) -> None:
    problems.extend(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        problems.append(summary.format(n=len(items) - MAX_LISTED))


def differences(published: Any, recomputed: Any, path: str) -> list[str]:
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
                found.extend(differences(published[key], recomputed[key], where))
        return found
    if published != recomputed or type(published) is not type(recomputed):
        return [f"{path}: published {published!r}, recounted {recomputed!r}"]
    return []


def rules_of(board: Mapping[str, Any]) -> tuple[MajorityRule, QuorumRule]:
    majority, quorum = board["rules"]["majority"], board["rules"]["quorum"]
    return (MajorityRule(MajorityBase(majority["base"]), majority["threshold"], majority["double_majority"]),
            QuorumRule(Fraction(quorum["ratio"]), strict=quorum["strict"],
                       second_convocation=quorum["second_convocation"]))


def chain_start(board: Mapping[str, Any], problems: list[str]) -> str:
    """``h_0`` of the board's chain: format 1, 64 zeros; format 2, the hash of the header as it is in
    the file (recomputed, never read from ``header_hash``, which must agree with it)."""
    if format_number(board) < 2:
        return board_rules.GENESIS
    start = board_rules.header_hash(board_rules.header_of(board, section_outputs()))
    if board["header_hash"] != start:
        problems.append(f"header: the board's header_hash {board['header_hash']} is not the hash of its header "
                        f"{start}")
    return start


def check_board(board: Mapping[str, Any], problems: list[str]) -> str:
    """What every board must satisfy, whatever the vote: the header hash (format 2), the chain, its
    order and final hash, one ballot per member who took part, the electorate and, in format 2, its
    members. Returns the final hash of the ballots as they are in the file, chained from the header
    as it is in the file (the published one when nothing was changed)."""
    ballots = board["ballots"]
    participants = board["participants"]
    electorate = board["electorate"]
    by_college: dict[str, int] = dict(electorate["by_college"])
    start = chain_start(board, problems)

    # The chain: order, every link, and the final hash.
    entries = [board_rules.BoardEntry(b["tracker"], b["choice"], b["hash"], b.get("college") or "")
               for b in ballots]
    chained, reason = board_rules.verify(entries, start)
    if not chained:
        problems.append(f"chain: {reason}")
    trackers = [e.tracker for e in entries]
    # Checked apart from the chain, so a chain recomputed in a wrong order is still caught here.
    if any(a >= b for a, b in itertools.pairwise(trackers)):
        repeated = len(trackers) - len(set(trackers))
        problems.append(f"order: ballots are not sorted by tracker{f' ({repeated} repeated)' if repeated else ''}")
    last = entries[-1].hash if entries else start
    if last != board["final_hash"]:
        problems.append(f"final hash: the board's final_hash {board['final_hash']} is not the last hash of "
                        f"the chain {last}")
    # A verified chain is the sealed chain (same order, same links); otherwise seal the ballots afresh.
    recomputed_final = last if chained else board_rules.final_hash(
        board_rules.seal(((e.tracker, e.choice, e.college) for e in entries), previous=start), start)

    # One ballot per member who took part.
    if len(ballots) != len(participants):
        problems.append(f"count: {len(ballots)} ballots but {len(participants)} members took part")
    names = Counter(p["member"] for p in participants)
    listed(problems, [f"participants: {name!r} is listed {n} times" for name, n in sorted(names.items()) if n > 1],
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
    if "members" in electorate:
        check_members(electorate, participants, problems)
    return recomputed_final


def check_members(electorate: Mapping[str, Any], participants: list[Mapping[str, Any]], problems: list[str]) -> None:
    """Format 2: the electorate's members agree with its counts, nobody is an elector twice, and
    every member who took part is an elector of the college it took part in."""
    members: dict[str, list[str]] = electorate["members"]
    by_college: dict[str, int] = electorate["by_college"]
    for code in sorted(set(members) | set(by_college)):
        listed_names, counted = len(members.get(code, [])), by_college.get(code, 0)
        if listed_names != counted:
            problems.append(f"electorate: college {code}: {listed_names} members listed but {counted} counted")
    electors = Counter(name for names in members.values() for name in names)
    listed(problems, [f"electorate: {name!r} is listed {n} times" for name, n in sorted(electors.items()) if n > 1],
           "electorate: {n} more members listed more than once")
    seats = {(code, name) for code, names in members.items() for name in names}
    listed(problems, [f"participants: {p['member']!r} is not an elector of college {p['college']}"
                      for p in participants if (p["college"], p["member"]) not in seats],
           "participants: {n} more members who are not electors of their college")


def check_colleges(board: Mapping[str, Any], colleges: list[str], problems: list[str]) -> None:
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


def recount(board: Mapping[str, Any], expect_hash: str | None = None) -> dict[str, Any]:
    """Check a board (any format) and recompute its result.

    Returns ``{"ok": bool, "problems": [str, ...], "result": {...}, "final_hash": str}``
    where ``result`` is what the ballots in the file decide under the rules in the
    file, in the same shape as the published result, and ``final_hash`` the final
    hash recomputed from the file (header and ballots). Another kind's board is
    recounted by that kind (an election's report also has ``allocation``: the
    recomputed allocation, draw included). ``expect_hash``: the final hash
    published elsewhere (minutes, proclamation); a different recomputed one is a
    problem -- the only way to catch a board rewritten consistently.
    """
    kind = kind_of(board)
    report = kind.recount(board) if kind is not None else _recount_resolution(board)
    if expect_hash is not None:
        problem = expected_hash_problem(report["final_hash"], expect_hash)
        if problem is not None:
            report["problems"].append(problem)
            report["ok"] = False
    return report


def expected_hash_problem(recounted: str, expected: str) -> str | None:
    """The problem when the recounted final hash is not the one published elsewhere, or None."""
    if recounted == expected.strip().lower():
        return None
    return (f"expected hash: the board's recounted final hash {recounted} is not the expected {expected.strip()} "
            f"(the hash printed in the minutes or the proclamation): this is not the board that was sealed")


def _recount_resolution(board: Mapping[str, Any]) -> dict[str, Any]:
    problems: list[str] = []
    ballots = board["ballots"]
    participants = board["participants"]
    by_college: dict[str, int] = dict(board["electorate"]["by_college"])
    rule, quorum = rules_of(board)
    recomputed_final = check_board(board, problems)

    # Ballots: known choices, and colleges when the vote counts per college.
    unknown = [f"ballot {i} ({b['tracker']}): unknown choice {b['choice']!r}"
               for i, b in enumerate(ballots, start=1) if b["choice"] not in OPTIONS]
    listed(problems, unknown, "ballots: {n} more ballots with an unknown choice")
    colleges = [b.get("college") or "" for b in ballots]
    per_college = any(colleges)
    if rule.double and ballots and not all(colleges):
        problems.append("ballots: a double majority needs the college of every ballot")
    if per_college:
        check_colleges(board, colleges, problems)

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
    problems.extend(differences(board["result"], result, "result"))
    return {"ok": not problems, "problems": problems, "result": result, "final_hash": recomputed_final}
