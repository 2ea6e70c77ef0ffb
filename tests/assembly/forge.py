"""What a careful forger does to an exported board (shared by the recount tests).

``rechain`` recomputes every ballot hash in the current order from the board's chain start;
``reseal`` also recomputes a format-2 board's header hash from its (edited) header and
republishes the final hash (and an election's seed); ``rewrite`` then republishes the result
(and an election's allocation) the recount computes, so that the board is consistent again and
only a final hash published elsewhere (``--expect-hash``) can tell.
"""
from __future__ import annotations

from typing import Any

from app.assembly import board as board_rules
from app.assembly import recount as recounting


def start_of(board: dict[str, Any]) -> str:
    """The chain's start as the board states it: its header hash (format 2) or 64 zeros (format 1)."""
    return board.get("header_hash", board_rules.GENESIS)


def rechain(board: dict[str, Any], start: str | None = None) -> str:
    """Every ballot hash recomputed in the current order; returns the last one (the start if none)."""
    previous = start_of(board) if start is None else start
    for ballot in board["ballots"]:
        previous = board_rules.chain_hash(previous, ballot["tracker"], ballot["choice"], ballot.get("college", ""))
        ballot["hash"] = previous
    return previous


def reseal(board: dict[str, Any]) -> str:
    """Header hash (format 2), chain, final hash and seed made consistent with the board's content."""
    if "header_hash" in board:
        board["header_hash"] = board_rules.header_hash(board_rules.header_of(board, recounting.section_outputs()))
    final = rechain(board)
    board["final_hash"] = board["result"]["final_hash"] = final
    if "election" in board:
        board["election"]["seed"] = board["result"]["seed"] = final
    return final


def rewrite(board: dict[str, Any]) -> dict[str, Any]:
    """``reseal``, then republish what the recount computes: the board passes a recount without an
    expected hash. Returns the recount's report."""
    reseal(board)
    report = recounting.recount(board)
    board["result"] = report["result"]
    if "election" in board:
        board["election"]["allocation"] = report["allocation"]
    return report
