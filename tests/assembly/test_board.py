"""Board sealing and chain verification (pure)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.assembly.board import GENESIS, BoardEntry, chain_hash, final_hash, seal, verify

BALLOTS = [("c3", "for"), ("a1", "against"), ("b2", "abstain")]


def test_seal_sorts_by_tracker_and_chains() -> None:
    entries = seal(BALLOTS)
    assert [e.tracker for e in entries] == ["a1", "b2", "c3"]
    assert entries[0].hash == chain_hash(GENESIS, "a1", "against")
    assert entries[2].hash == chain_hash(entries[1].hash, "c3", "for")
    assert final_hash(entries) == entries[-1].hash
    assert verify(entries) == (True, "")


def test_order_of_casting_does_not_change_the_board() -> None:
    assert seal(BALLOTS) == seal(list(reversed(BALLOTS)))


def test_empty_board() -> None:
    assert seal([]) == [] and final_hash([]) == GENESIS and verify([])[0]


def _tamper(kind: str) -> list[BoardEntry]:
    entries = seal(BALLOTS)
    if kind == "choice":
        entries[1] = replace(entries[1], choice="for")
    elif kind == "removed":
        del entries[1]
    elif kind == "added":
        entries.append(BoardEntry("d4", "for", "f" * 64))
    elif kind == "reordered":
        entries[0], entries[1] = entries[1], entries[0]
    return entries


@pytest.mark.parametrize("kind", ["choice", "removed", "added", "reordered"])
def test_tampering_is_detected(kind: str) -> None:
    ok, reason = verify(_tamper(kind))
    assert not ok and reason
