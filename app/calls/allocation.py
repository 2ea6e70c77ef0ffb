"""Pure rules of the funding line: ranking with a published draw, allocation inside the envelope, decisions.

No database, no Flask. The trial allocation page and the recorded decision call the same ``allocate``.
DESIGN.md §3 "Calls for projects":

* Ranking: eligible proposals with a score, highest score first. Equal scores are ordered by lot,
  exactly as the elections draw (``app.elections.rules.draw_key``): ``sha256(seed + "|" + id)`` in
  hexadecimal, smallest first, where the seed is ``seed_of(scores)``, a hash of every proposal's final
  score written exactly -- fixed by the scores, so nobody can steer it and anyone can recompute it.
* Allocation: down the ranking, a proposal scoring below the optional minimum is not funded; the others
  get their amount (the maximum grant, or less when the committee sets it) while the envelope allows.
  One that does not fit what is left is skipped and the next that fits is funded (mode ``skip``), or
  the line stops there (mode ``stop``). The first ``reserve_size`` unfunded proposals above the minimum
  form the reserve list, in order. Nothing is ever cut: an amount is given whole or not at all.
* Decision: each proposal selected, reserve or rejected. An outcome other than the line's is a
  departure and needs a written reason; the selected amounts never add up to more than the envelope;
  an ineligible proposal is never selected; no amount above the proposal's maximum.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.calls.scoring import exact
from app.elections.rules import draw_order

SKIP = "skip"
STOP = "stop"
MODES = (SKIP, STOP)
DEFAULT_RESERVE = 3

# Line outcomes of one proposal
FUNDED = "funded"
RESERVE = "reserve"
NOT_FUNDED = "not_funded"
BELOW_MINIMUM = "below_minimum"
INELIGIBLE = "ineligible"
UNSCORED = "unscored"

# Decision outcomes
SELECTED = "selected"
RESERVED = "reserve"
REJECTED = "rejected"
DECISIONS = (SELECTED, RESERVED, REJECTED)


@dataclass(frozen=True)
class Candidate:
    proposal_id: int
    #: The score of the chosen ranking (raw or calibrated mean); None when the proposal has no review.
    score: Fraction | None
    eligible: bool
    #: What it would be granted: its maximum grant, or the amount the committee set (never above it).
    amount_cents: int
    max_grant_cents: int | None = None


@dataclass(frozen=True)
class TieGroup:
    score: Fraction
    order: tuple[int, ...]  # proposal ids in their drawn order
    keys: tuple[str, ...]  # their draw keys, same order
    #: The group straddles the funding line (some funded, some not): the draw decided who is funded.
    at_line: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"score": exact(self.score), "order": list(self.order), "keys": list(self.keys),
                "at_line": self.at_line}


@dataclass(frozen=True)
class Placement:
    proposal_id: int
    rank: int | None  # 1-based among the ranked (eligible, scored) proposals
    score: Fraction | None
    outcome: str  # FUNDED, RESERVE, NOT_FUNDED, BELOW_MINIMUM, INELIGIBLE, UNSCORED
    amount_cents: int  # granted on the line (0 unless funded)
    requested_cents: int  # the candidate's amount
    remaining_before_cents: int | None  # what was left of the envelope when its turn came
    skipped: bool = False  # reached, did not fit what was left
    stopped: bool = False  # not reached: the line had stopped above it (mode stop)

    def to_dict(self) -> dict[str, Any]:
        return {"proposal_id": self.proposal_id, "rank": self.rank, "score": exact(self.score),
                "outcome": self.outcome, "amount_cents": self.amount_cents, "requested_cents": self.requested_cents,
                "remaining_before_cents": self.remaining_before_cents, "skipped": self.skipped,
                "stopped": self.stopped}


@dataclass(frozen=True)
class Allocation:
    envelope_cents: int
    mode: str
    min_score: Fraction | None
    seed: str
    placements: tuple[Placement, ...]  # ranked first (in order), then below-minimum, ineligible, unscored
    ties: tuple[TieGroup, ...]
    funded_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.envelope_cents - self.funded_cents

    @property
    def ranked_count(self) -> int:
        return sum(1 for p in self.placements if p.rank is not None)

    @property
    def line(self) -> Placement | None:
        """The lowest-ranked funded proposal: its rank and score are "the line"."""
        funded = [p for p in self.placements if p.outcome == FUNDED]
        return funded[-1] if funded else None

    def placement(self, proposal_id: int) -> Placement | None:
        return next((p for p in self.placements if p.proposal_id == proposal_id), None)

    def to_dict(self) -> dict[str, Any]:
        line = self.line
        return {"envelope_cents": self.envelope_cents, "mode": self.mode,
                "min_score": exact(self.min_score) if self.min_score is not None else None, "seed": self.seed,
                "funded_cents": self.funded_cents, "line_rank": line.rank if line else None,
                "line_score": exact(line.score) if line else None,
                "placements": [p.to_dict() for p in self.placements], "ties": [t.to_dict() for t in self.ties]}


def seed_of(scores: Mapping[int, Fraction | None]) -> str:
    """The seed of the draw: sha256 of ``"<id>:<exact score>"`` lines, by proposal id (``exact``: ``143/2``)."""
    text = "\n".join(f"{pid}:{exact(scores[pid])}" for pid in sorted(scores))
    return hashlib.sha256(text.encode()).hexdigest()


def ranking(candidates: Iterable[Candidate], seed: str) -> tuple[list[Candidate], list[TieGroup]]:
    """Eligible scored candidates, best first, equal scores by draw key; and every tie group with its keys."""
    pool = [c for c in candidates if c.eligible and c.score is not None]
    order, groups = draw_order(pool, seed, score=lambda c: c.score, ident=lambda c: str(c.proposal_id),
                               what="proposal id")
    ties = [TieGroup(score, tuple(c.proposal_id for c in group), keys) for score, group, keys in groups]
    return order, ties


def allocate(candidates: Sequence[Candidate], envelope_cents: int, *, min_score: Fraction | None = None,
             mode: str = SKIP, reserve_size: int = DEFAULT_RESERVE, seed: str | None = None) -> Allocation:
    """Draw the funding line (see the module docstring). ``seed`` defaults to ``seed_of`` the scores."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    if envelope_cents < 0 or reserve_size < 0:
        raise ValueError("negative envelope or reserve size")
    if seed is None:
        seed = seed_of({c.proposal_id: c.score for c in candidates})
    order, ties = ranking(candidates, seed)
    remaining = envelope_cents
    stopped = False
    placements: list[Placement] = []
    reserve_left = reserve_size
    for rank, c in enumerate(order, 1):
        amount = max(c.amount_cents, 0)
        if min_score is not None and c.score < min_score:  # type: ignore[operator]
            placements.append(Placement(c.proposal_id, rank, c.score, BELOW_MINIMUM, 0, amount, None))
            continue
        if not stopped and amount <= remaining:
            placements.append(Placement(c.proposal_id, rank, c.score, FUNDED, amount, amount, remaining))
            remaining -= amount
            continue
        skipped = not stopped
        before = remaining if skipped else None
        if mode == STOP:
            stopped = True
        outcome = RESERVE if reserve_left > 0 else NOT_FUNDED
        if outcome == RESERVE:
            reserve_left -= 1
        placements.append(Placement(c.proposal_id, rank, c.score, outcome, 0, amount, before,
                                    skipped=skipped, stopped=not skipped))
    ranked_ids = {c.proposal_id for c in order}
    for c in sorted(candidates, key=lambda c: c.proposal_id):
        if c.proposal_id in ranked_ids:
            continue
        outcome = INELIGIBLE if not c.eligible else UNSCORED
        placements.append(Placement(c.proposal_id, None, c.score, outcome, 0, max(c.amount_cents, 0), None))
    by_id = {p.proposal_id: p for p in placements}
    marked = tuple(TieGroup(t.score, t.order, t.keys,
                            at_line=len({by_id[pid].outcome == FUNDED for pid in t.order}) > 1) for t in ties)
    return Allocation(envelope_cents=envelope_cents, mode=mode, min_score=min_score, seed=seed,
                      placements=tuple(placements), ties=marked, funded_cents=envelope_cents - remaining)


def line_decision(outcome: str) -> str:
    """What the line proposes for a proposal: funded → selected, reserve → reserve, anything else → rejected."""
    return {FUNDED: SELECTED, RESERVE: RESERVED}.get(outcome, REJECTED)


@dataclass(frozen=True)
class Decided:
    """The committee's decision on one proposal."""

    proposal_id: int
    outcome: str  # SELECTED, RESERVED, REJECTED
    amount_cents: int  # granted (0 unless selected)
    reason: str = ""  # required when the outcome departs from the line


def decision_problems(allocation: Allocation, decided: Sequence[Decided], *,
                      max_grants: Mapping[int, int | None]) -> list[tuple[int | None, str, dict[str, Any]]]:
    """What keeps a decision from being recorded: ``(proposal id or None, key, parameters)``.

    Keys: ``unknown``/``missing``/``duplicate`` (the decision must cover exactly the line's proposals), ``bad_outcome``,
    ``reason_required`` (a departure without a reason), ``ineligible_selected``, ``amount_required``
    (selected with no amount, unless the proposal asks for none: the line funds it at 0), ``amount_above_max``, ``amount_not_selected``, ``over_envelope`` (None,
    ``total``, ``envelope``).
    """
    problems: list[tuple[int | None, str, dict[str, Any]]] = []
    by_id = {p.proposal_id: p for p in allocation.placements}
    seen = set()
    total = 0
    for d in decided:
        if d.proposal_id in seen:
            problems.append((d.proposal_id, "duplicate", {}))
            continue
        seen.add(d.proposal_id)
        placement = by_id.get(d.proposal_id)
        if placement is None:
            problems.append((d.proposal_id, "unknown", {}))
            continue
        if d.outcome not in DECISIONS:
            problems.append((d.proposal_id, "bad_outcome", {}))
            continue
        if d.outcome != line_decision(placement.outcome) and not d.reason.strip():
            problems.append((d.proposal_id, "reason_required", {"line": line_decision(placement.outcome)}))
        if d.outcome == SELECTED:
            if placement.outcome == INELIGIBLE:
                problems.append((d.proposal_id, "ineligible_selected", {}))
            if d.amount_cents <= 0 < placement.requested_cents:
                problems.append((d.proposal_id, "amount_required", {}))
            ceiling = max_grants.get(d.proposal_id)
            if ceiling is not None and d.amount_cents > ceiling:
                problems.append((d.proposal_id, "amount_above_max", {"max_cents": ceiling}))
            total += max(d.amount_cents, 0)
        elif d.amount_cents:
            problems.append((d.proposal_id, "amount_not_selected", {}))
    for pid in by_id:
        if pid not in seen:
            problems.append((pid, "missing", {}))
    if total > allocation.envelope_cents:
        problems.append((None, "over_envelope", {"total_cents": total, "envelope_cents": allocation.envelope_cents}))
    return problems


def departures(allocation: Allocation, decided: Iterable[Decided]) -> list[Decided]:
    """The decisions that depart from the line (each carries its reason)."""
    by_id = {p.proposal_id: p for p in allocation.placements}
    return [d for d in decided if d.proposal_id in by_id and d.outcome != line_decision(by_id[d.proposal_id].outcome)]
