"""The bulletin board: its header, sealing and recounting (pure).

Sealing sorts ballots by tracker (which hides the order of casting) and chains
them: ``h_i = sha256(h_{i-1} "|" tracker_i "|" choice_i)`` over UTF-8,
hex-encoded. When a double majority needs per-college counts, the ballot's
college is chained too: ``sha256(h_{i-1} "|" tracker_i "|" college_i "|"
choice_i)``. The last hash is the board's final hash.

Where the chain starts depends on the board format. ``pcpa-board/1`` (votes
closed before format 2): ``h_0`` is 64 zeros, so the final hash commits to the
ballots only. ``pcpa-board/2``: ``h_0`` is the header hash, the SHA-256 of the
canonical JSON of the header -- everything the count uses and the board
publishes except its outputs (the vote, its rules and definition, the frozen
electorate with its members, the participants) -- so the published final hash
commits to the whole board; with no ballot the final hash is the header hash.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
#: Board formats by number, as written in a board's ``format``.
FORMATS = {1: "pcpa-board/1", 2: "pcpa-board/2"}
#: The format every vote closed now is sealed in.
CURRENT_FORMAT = 2
#: Members of a format-2 board that are outputs of the count, not part of its header.
OUTPUT_KEYS = ("header_hash", "ballots", "final_hash", "result")


@dataclass(frozen=True)
class BoardEntry:
    tracker: str
    choice: str
    hash: str
    college: str = ""


def chain_hash(previous: str, tracker: str, choice: str, college: str = "") -> str:
    """One link of the chain (the college only when the ballot carries one)."""
    middle = f"{tracker}|{college}|{choice}" if college else f"{tracker}|{choice}"
    return hashlib.sha256(f"{previous}|{middle}".encode()).hexdigest()


def seal(ballots: Iterable[tuple[str, str] | tuple[str, str, str]], previous: str = GENESIS) -> list[BoardEntry]:
    """Sort (tracker, choice[, college]) by tracker and chain them from ``previous``."""
    entries: list[BoardEntry] = []
    for ballot in sorted(ballots):
        tracker, choice = ballot[0], ballot[1]
        college = ballot[2] if len(ballot) > 2 else ""  # type: ignore[misc]
        previous = chain_hash(previous, tracker, choice, college)
        entries.append(BoardEntry(tracker, choice, previous, college))
    return entries


def final_hash(entries: list[BoardEntry], start: str = GENESIS) -> str:
    """The last link, or the chain's start when there is no ballot."""
    return entries[-1].hash if entries else start


def verify(entries: Iterable[BoardEntry], start: str = GENESIS) -> tuple[bool, str]:
    """Recompute the chain from ``start``; (False, reason) at the first problem."""
    previous = start
    last_tracker: str | None = None
    for position, entry in enumerate(entries, start=1):
        if last_tracker is not None and entry.tracker <= last_tracker:
            return False, f"entry {position}: trackers not in strictly increasing order"
        if chain_hash(previous, entry.tracker, entry.choice, entry.college) != entry.hash:
            return False, f"entry {position}: hash does not match"
        previous, last_tracker = entry.hash, entry.tracker
    return True, ""


# The header (format 2) ------------------------------------------------------------------

def canonical_json(value: Any) -> bytes:
    """The canonical serialisation hashed into the chain: JSON with keys sorted by code point, no
    whitespace (separators "," and ":"), non-ASCII characters as themselves, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def header_hash(header: Mapping[str, Any]) -> str:
    """``h_0`` of a format-2 board: SHA-256 (hex) of the header's canonical JSON."""
    return hashlib.sha256(canonical_json(header)).hexdigest()


def header_of(document: Mapping[str, Any], section_outputs: Mapping[str, Collection[str]]) -> dict[str, Any]:
    """The header of a format-2 board document: every member but the outputs (``OUTPUT_KEYS``, and
    within a kind's section the keys ``section_outputs[section]``, e.g. an election's seed and
    allocation). Defined by exclusion, so anything added to a board is covered by its hash."""
    header = {key: value for key, value in document.items() if key not in OUTPUT_KEYS}
    for section, outputs in section_outputs.items():
        part = header.get(section)
        if isinstance(part, Mapping):
            header[section] = {key: value for key, value in part.items() if key not in outputs}
    return header


def with_outputs(header: Mapping[str, Any], *, header_hash: str, ballots: list[dict[str, Any]], final_hash: str,
                 result: Any, section_outputs: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """A format-2 board document: the header's members as they are, then the outputs
    (``section_outputs`` adds keys to a kind's section, e.g. an election's seed and allocation)."""
    document = {key: dict(value) if key in (section_outputs or {}) else value for key, value in header.items()}
    for section, outputs in (section_outputs or {}).items():
        document.setdefault(section, {}).update(outputs)
    document.update(header_hash=header_hash, ballots=ballots, final_hash=final_hash, result=result)
    return document
