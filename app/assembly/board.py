"""The bulletin board: sealing and recounting, from the ballots alone (pure).

Sealing sorts ballots by tracker (which hides the order of casting) and chains
them: ``h_0`` is 64 zeros and ``h_i = sha256(h_{i-1} "|" tracker_i "|" choice_i)``
over UTF-8, hex-encoded. When a double majority needs per-college counts, the
ballot's college is chained too: ``sha256(h_{i-1} "|" tracker_i "|" college_i "|"
choice_i)``. The last hash is the board's final hash.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


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


def final_hash(entries: list[BoardEntry]) -> str:
    return entries[-1].hash if entries else GENESIS


def verify(entries: Iterable[BoardEntry]) -> tuple[bool, str]:
    """Recompute the chain; (False, reason) at the first problem."""
    previous = GENESIS
    last_tracker: str | None = None
    for position, entry in enumerate(entries, start=1):
        if last_tracker is not None and entry.tracker <= last_tracker:
            return False, f"entry {position}: trackers not in strictly increasing order"
        if chain_hash(previous, entry.tracker, entry.choice, entry.college) != entry.hash:
            return False, f"entry {position}: hash does not match"
        previous, last_tracker = entry.hash, entry.tracker
    return True, ""
