"""Pure rules of the steering-committee count: ranking, draw, constrained allocation, substitutes.

No database, no Flask: the count must be reproducible from the exported board alone (recount)
and explainable to every member, so every decision comes out as data -- machine-readable
reasons, the published draw, message keys with parameters (the sentences live in the UI).
Table-tested in tests/elections/test_rules.py and checked against a brute-force search over
every committee in tests/elections/test_allocation_property.py.

The rules (DESIGN.md §3 "Steering-committee elections"):

* Ranking: approvals, most first. Equal approvals are ordered by lot: by
  ``sha256(seed + "|" + candidate id)`` in hexadecimal, smallest first. The seed is fixed
  before the count (the board's final hash), so nobody can steer the draw, and anyone can
  check it; every tie group is published with its keys.
* Constraints: minimum and maximum seats per college and per country, and gender parity:
  ``|#female - #male| <= tolerance`` among the elected. ``other`` and ``undisclosed`` count
  for neither side (they neither help nor hurt parity).
* Size: the committee has ``seats`` members when a committee of that size can respect every
  constraint; otherwise the largest size that can ("fillable"), the other seats stay vacant
  and a notice says so. A minimum larger than the number of candidates of its group is
  lowered to that number at count time (a notice says so): seats are not kept empty for
  candidates who do not exist, and the set-up check warns about it beforehand.
* Allocation: go down the ranking and take each candidate unless taking them would exceed a
  maximum, or would leave no way to complete the committee to its size from the candidates
  ranked below (a minimum unreachable, parity out of reach, or the remaining seats fillable
  only beyond a maximum). That greedy walk with an exact completion check elects the
  committee whose sorted rank positions are lexicographically smallest among all committees
  of that size that respect the constraints -- "best in the ranking order".
* Completion check (``completion.completable``, in ``completion.py``): exact search over counts, not over candidates.
  Candidates that remain are grouped in classes (college, country, gender side), keeping
  only the groups that carry a constraint; the search chooses how many to take from each
  class, one college block after the other, so a college's count is checked when its block
  ends and then forgotten. States (class, seats left, count of the current college,
  counts of constrained countries, female-minus-male) are memoised and pruned by
  necessary conditions (enough candidates left for every unmet minimum, for parity, for the
  seats). With a handful of colleges and countries this is a few thousand states at most.
* Feasibility before voting opens (``feasibility``): the validated candidates *can meet* the
  constraints when some committee of 1 to ``seats`` of them has every group at or above its
  minimum as written (not lowered), no group above its maximum, and ``|#female - #male|`` within
  the tolerance. Fewer members than seats is acceptable (the seats left stay vacant, as the count
  does); an empty committee is not a committee. Otherwise opening is refused with the reasons:
  every minimum above its group's candidates, then the constraints that, each dropped alone,
  would let a committee exist (or, when no single one would, a smallest set that together does).
* When that still happens at the count (a candidacy or a member changed after the opening), the
  election's ``fallback`` decides (``allocate(..., fallback=...)``):
  ``"void"``: the election is void -- nobody elected, no substitutes, every seat vacant, a
  ``void`` notice with the reasons, ``feasible`` false. ``"relax"``: minimums above their
  group's candidates are lowered to them (as always); if still no committee of at least one
  member exists, the constraints are relaxed one unit at a time in this order, stopping as soon
  as one exists: each country minimum lowered by one, in turn by country code, round after
  round until all are 0; then each college minimum likewise; then the parity tolerance raised
  by one at a time. Maximums are never relaxed (the same order as a vacancy: minimums, then
  parity). Every step is a ``relaxed`` notice after a ``no_committee`` notice with the reasons,
  and the count then runs with the relaxed constraints. If even without any minimum or parity
  nobody can sit (maximums of 0), the count is the legacy one. ``None`` (boards sealed before
  the setting existed): the count as it was -- minimums lowered to the candidates there are,
  the largest size (possibly 0), or ``feasible`` false and nobody elected. Whenever the
  candidates can meet the constraints, the three give the same allocation.
* Unelected candidates in rank order are the substitutes. A vacancy goes to the first
  substitute with whom the committee can still be completed within every constraint
  (``next_substitute``); when no substitute allows that, minimums and then parity are given
  up, maximums never.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from app.elections import completion
from app.elections.count_types import (  # noqa: F401  (re-exported: the count's vocabulary is read as rules.X)
    COLLEGE,
    COMBINED,
    COUNTRY,
    FEMALE,
    FILL_BLOCKED,
    GENDER,
    GENDERS,
    MALE,
    MAX,
    MIN_UNREACHABLE,
    OTHER,
    PARITY,
    REASON_KINDS,
    SCOPES,
    UNDISCLOSED,
    Bounds,
    Candidate,
    Constraints,
    Notice,
    Reason,
)

T = TypeVar("T")


class Problem(NamedTuple):
    """A set-up problem: message key + parameters (the sentence is the UI's)."""

    key: str
    params: dict[str, Any]


class TieGroup(NamedTuple):
    """Candidates with equal approvals, in the order drawn, with each one's draw key
    (sha256 hex of seed|id, same order) so that anyone can check the draw."""

    approvals: int
    order: tuple[str, ...]
    keys: tuple[str, ...]


class Ranking(NamedTuple):
    order: tuple[Candidate, ...]
    draw: tuple[TieGroup, ...]


class Skip(NamedTuple):
    """A candidate passed over while seats were left; rank is 1-based in the list walked."""

    candidate_id: str
    rank: int
    reason: Reason


class OutOfOrder(NamedTuple):
    """An elected candidate ranked below someone who was skipped, with the skips' reasons."""

    candidate_id: str
    rank: int
    passed_over: tuple[str, ...]
    reasons: tuple[Reason, ...]


class Explanation(NamedTuple):
    """One sentence for the results page: candidate (None = about the whole count), key, params."""

    candidate_id: str | None
    key: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Allocation:
    """The whole result of a count, reproducible from (candidates, constraints, seats, seed)."""

    seats: int
    ranking: tuple[Candidate, ...]
    elected: tuple[str, ...]  # in the order taken (= rank order)
    skipped: tuple[Skip, ...]
    out_of_order: tuple[OutOfOrder, ...]
    substitutes: tuple[str, ...]  # every unelected candidate, in rank order
    draw: tuple[TieGroup, ...]
    vacant: int
    notices: tuple[Notice, ...]
    feasible: bool  # False: no committee of any size respects the constraints; nobody elected

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, to store and publish the result and to compare it on a recount."""
        return {
            "seats": self.seats,
            "ranking": [{"id": c.id, "approvals": c.approvals} for c in self.ranking],
            "elected": list(self.elected),
            "skipped": [{"id": s.candidate_id, "rank": s.rank, "reason": list(s.reason)} for s in self.skipped],
            "out_of_order": [{"id": o.candidate_id, "rank": o.rank, "passed_over": list(o.passed_over),
                              "reasons": [list(r) for r in o.reasons]} for o in self.out_of_order],
            "substitutes": list(self.substitutes),
            "draw": [{"approvals": t.approvals, "order": list(t.order), "keys": list(t.keys)} for t in self.draw],
            "vacant": self.vacant,
            "notices": [{"key": n.key, "params": n.params} for n in self.notices],
            "feasible": self.feasible,
        }


@dataclass(frozen=True)
class SubstituteChoice:
    """Who fills a vacancy. ``skipped``: substitutes passed over (rank = 1-based position in the
    substitute list). ``relaxed``: constraint families given up to find anyone
    ((), ("minimums",) or ("minimums", "parity"))."""

    chosen: Candidate | None
    skipped: tuple[Skip, ...] = ()
    relaxed: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()  # minimums lowered to the sitting members + substitutes there are


# --- ballots ---------------------------------------------------------------------------------

def check_ballot(choices: Collection[str], candidate_ids: Collection[str], max_choices: int) -> str | None:
    """Why an approval ballot is invalid (message key), or None. A blank ballot is valid."""
    if len(set(choices)) != len(choices):
        return "duplicate_choice"
    if any(c not in candidate_ids for c in choices):
        return "unknown_candidate"
    if len(choices) > max_choices:
        return "too_many_choices"
    return None


def count_approvals(ballots: Iterable[Collection[str]], candidate_ids: Collection[str], max_choices: int
                    ) -> dict[str, int]:
    """Approvals per candidate (every candidate listed, 0 included). An invalid ballot was
    refused at casting, so finding one here means a bug or a tampered board: it raises."""
    ids = set(candidate_ids)
    totals = dict.fromkeys(sorted(ids), 0)
    for n, choices in enumerate(ballots, 1):
        problem = check_ballot(choices, ids, max_choices)
        if problem:
            raise ValueError(f"ballot {n}: {problem}")
        for c in choices:
            totals[c] += 1
    return totals


# --- ranking and draw ------------------------------------------------------------------------

def draw_key(seed: str, candidate_id: str) -> str:
    """The lot of one candidate: anyone can recompute it from the published seed."""
    return hashlib.sha256(f"{seed}|{candidate_id}".encode()).hexdigest()


def draw_order(items: Iterable[T], seed: str, *, score: Callable[[T], Any], ident: Callable[[T], str],
               what: str = "id") -> tuple[list[T], list[tuple[Any, tuple[T, ...], tuple[str, ...]]]]:
    """Items by ``score`` descending, equal scores by draw key (``draw_key(seed, ident(item))``) ascending;
    and every group of two or more equal scores as (score, its items in the drawn order, their draw keys).
    Used for candidates (approvals) and for the calls' proposals (scores). A repeated ``ident`` raises
    ``ValueError("duplicate <what>")``."""
    pool = list(items)
    ids = [ident(x) for x in pool]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate {what}")
    order = sorted(pool, key=lambda x: (-score(x), draw_key(seed, ident(x)), ident(x)))
    groups: list[tuple[Any, tuple[T, ...], tuple[str, ...]]] = []
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and score(order[j]) == score(order[i]):
            j += 1
        if j - i > 1:
            group = tuple(order[i:j])
            groups.append((score(order[i]), group, tuple(draw_key(seed, ident(x)) for x in group)))
        i = j
    return order, groups


def rank(candidates: Iterable[Candidate], seed: str) -> Ranking:
    """Approvals descending, ties by draw key ascending; returns every tie group drawn."""
    order, groups = draw_order(candidates, seed, score=lambda c: c.approvals, ident=lambda c: c.id,
                               what="candidate id")
    draw = [TieGroup(approvals, tuple(c.id for c in group), keys) for approvals, group, keys in groups]
    return Ranking(tuple(order), tuple(draw))


# --- set-up checks ---------------------------------------------------------------------------

def check_constraints(constraints: Constraints, seats: int, *, colleges: Collection[str] | None = None,
                      countries: Collection[str] | None = None) -> list[Problem]:
    """Problems that make the constraints infeasible in themselves, whoever stands: the set-up is
    refused while any remains. ``colleges``/``countries``: the groups that exist, when known
    (unknown groups and maxima too small to fill the seats are then reported too)."""
    problems: list[Problem] = []
    if seats < 1:
        problems.append(Problem("seats_not_positive", {"seats": seats}))
    universes = {COLLEGE: colleges, COUNTRY: countries}
    for scope in SCOPES:
        bounds = constraints.bounds(scope)
        for group, (lo, hi) in sorted(bounds.items()):
            p = {"scope": scope, "group": group, "min": lo, "max": hi}
            if lo < 0 or (hi is not None and hi < 0):
                problems.append(Problem("negative_bound", p))
            elif hi is not None and lo > hi:
                problems.append(Problem("min_above_max", p))
            elif lo > seats >= 1:
                problems.append(Problem("min_above_seats", {**p, "seats": seats}))
        total = sum(lo for lo, _ in bounds.values() if lo > 0)
        if seats >= 1 and total > seats:
            problems.append(Problem("minimums_above_seats", {"scope": scope, "total": total, "seats": seats}))
        universe = universes[scope]
        if universe is not None:
            for group in sorted(set(bounds) - set(universe)):
                problems.append(Problem("unknown_group", {"scope": scope, "group": group}))
            maxima = [bounds[g][1] if g in bounds else None for g in universe]
            if universe and seats >= 1 and all(mx is not None for mx in maxima):
                total = sum(mx or 0 for mx in maxima)
                if total < seats:
                    problems.append(Problem("maximums_below_seats", {"scope": scope, "total": total, "seats": seats}))
    tol = constraints.parity_tolerance
    if tol is not None and tol < 0:
        problems.append(Problem("negative_tolerance", {"tolerance": tol}))
    return problems



def minimums_above_candidates(candidates: Sequence[Candidate], constraints: Constraints) -> list[Problem]:
    """Every minimum above the number of validated candidates in its group (no committee can reach it)."""
    problems: list[Problem] = []
    for scope in SCOPES:
        present = Counter(c.group(scope) for c in candidates)
        for group, (lo, _hi) in sorted(constraints.bounds(scope).items()):
            if lo > present[group]:
                problems.append(Problem("min_above_candidates", {"scope": scope, "group": group, "min": lo,
                                                                 "candidates": present[group]}))
    return problems

def feasible_setup(candidates: Sequence[Candidate] | None, constraints: Constraints, seats: int) -> list[Problem]:
    """Everything that stops a full committee of ``seats`` from being formed; [] when it can be.

    ``candidates`` None: only the structural checks (``check_constraints``), for the set-up form.
    With candidates (validated candidacies, before the vote opens) it also reports what these
    candidates make impossible -- those are warnings: the count still runs, lowering minimums
    to the candidates there are and leaving seats vacant, and says so.
    """
    problems = check_constraints(constraints, seats)
    if candidates is None or problems:
        return problems
    n = len(candidates)
    if n < seats:
        problems.append(Problem("fewer_candidates_than_seats", {"candidates": n, "seats": seats}))
    problems.extend(minimums_above_candidates(candidates, constraints))
    tol = constraints.parity_tolerance
    size = min(seats, n)
    if tol is not None:
        g = Counter(completion.gender_side(c) for c in candidates)
        most = g[0] + 2 * min(g[1], g[-1]) + min(tol, abs(g[1] - g[-1]))
        if size > most:
            problems.append(Problem("parity_unreachable", {"female": g[1], "male": g[-1], "other": g[0],
                                                           "tolerance": tol, "seats": seats, "fillable": most}))
    if not problems and not completion.completable(completion.Spec.of(constraints), completion.Tally(), candidates, size):
        problems.append(Problem("no_full_committee", {"seats": seats, "fillable": size}))
    return problems


# --- feasibility before voting opens, and the fallback at the count ------------------------------

RELAX, VOID = "relax", "void"
#: The statutes' choice when the validated candidates cannot meet the constraints at the count.
FALLBACKS = (RELAX, VOID)

_Item = tuple[str, ...]  # ("min"|"max", scope, group) or ("parity",): one constraint of a Spec


class Feasibility(NamedTuple):
    """Whether the validated candidates can meet the constraints (see module doc), and why not."""

    ok: bool
    problems: tuple[Problem, ...]


def _meetable(spec: completion.Spec, pool: Sequence[Candidate], seats: int) -> bool:
    """Some committee of 1..seats members from ``pool`` meets ``spec``."""
    return completion.largest_size(spec, completion.Tally(), pool, low=1, high=min(seats, len(pool))) is not None


def _items(spec: completion.Spec) -> list[_Item]:
    """The spec's constraints in the order reasons are listed: minimums, parity, maximums."""
    order = {COLLEGE: 0, COUNTRY: 1}
    mins = sorted(spec.lo, key=lambda k: (order[k[0]], k[1]))
    maxs = sorted(spec.hi, key=lambda k: (order[k[0]], k[1]))
    return [("min", *k) for k in mins] + ([("parity",)] if spec.tol is not None else []) + [("max", *k) for k in maxs]


def _without(spec: completion.Spec, items: Collection[_Item]) -> completion.Spec:
    return completion.Spec(lo={k: v for k, v in spec.lo.items() if ("min", *k) not in items},
                           hi={k: v for k, v in spec.hi.items() if ("max", *k) not in items},
                           tol=None if ("parity",) in items else spec.tol)


def _blamed(spec: completion.Spec, pool: Sequence[Candidate], seats: int) -> list[_Item]:
    """The constraints to blame when no committee meets ``spec``: each one whose dropping alone lets
    a committee exist; when none does, a smallest-by-inclusion set whose dropping together does
    (drop all, then keep back, in order, every one that is not needed)."""
    items = _items(spec)
    singles = [i for i in items if _meetable(_without(spec, {i}), pool, seats)]
    if singles:
        return singles
    dropped = list(items)
    for item in items:
        rest = [d for d in dropped if d != item]
        if _meetable(_without(spec, rest), pool, seats):
            dropped = rest
    return dropped


def _problem(item: _Item, spec: completion.Spec, pool: Sequence[Candidate]) -> Problem:
    if item[0] == "parity":
        sides = Counter(completion.gender_side(c) for c in pool)
        return Problem("parity_conflict", {"tolerance": spec.tol, "female": sides[1], "male": sides[-1],
                                           "other": sides[0]})
    kind, scope, group = item
    if kind == "min":
        return Problem("min_conflict", {"scope": scope, "group": group, "min": spec.lo[(scope, group)]})
    return Problem("max_conflict", {"scope": scope, "group": group, "max": spec.hi[(scope, group)]})


def feasibility(candidates: Iterable[Candidate], constraints: Constraints, seats: int) -> Feasibility:
    """Can the validated candidates meet the constraints (module doc: 1..seats members, every minimum
    as written, every maximum, parity)? Checked before voting opens; ``problems`` say why not:
    the set-up's own problems (``check_constraints``), or ``no_candidates``, or every
    ``min_above_candidates`` (scope, group, min, candidates), then the constraints to blame
    (``min_conflict``: scope, group, min -- as lowered to the candidates; ``parity_conflict``:
    tolerance, female, male, other; ``max_conflict``: scope, group, max)."""
    structural = check_constraints(constraints, seats)
    if structural:
        return Feasibility(False, tuple(structural))
    pool = list(candidates)
    if not pool:
        return Feasibility(False, (Problem("no_candidates", {}),))
    problems: list[Problem] = minimums_above_candidates(pool, constraints)
    spec, _lowered = completion.Spec.of(constraints).clamped(pool)
    if not _meetable(spec, pool, seats):
        problems.extend(_problem(item, spec, pool) for item in _blamed(spec, pool, seats))
    return Feasibility(not problems, tuple(problems))


def relax(spec: completion.Spec, pool: Sequence[Candidate], seats: int) -> tuple[completion.Spec, list[Notice]]:
    """The "relax" fallback (module doc): one unit at a time -- country minimums in turn by code,
    round after round, then college minimums, then the parity tolerance up -- until some committee
    of at least one member meets the spec; a ``relaxed`` notice per step (constraint "min" with
    scope, group, or "parity" with scope "gender"; ``from`` and ``to``). The caller has checked
    that the spec without minimums and parity can be met, so this ends."""
    lo = dict(spec.lo)
    tol = spec.tol
    steps: list[Notice] = []

    def now() -> completion.Spec:
        return completion.Spec({k: v for k, v in lo.items() if v > 0}, spec.hi, tol)

    for scope in (COUNTRY, COLLEGE):
        keys = sorted(k for k in lo if k[0] == scope)
        while any(lo[k] > 0 for k in keys):
            for key in keys:
                if lo[key] > 0:
                    lo[key] -= 1
                    steps.append(Notice("relaxed", {"constraint": "min", "scope": scope, "group": key[1],
                                                    "from": lo[key] + 1, "to": lo[key]}))
                    if _meetable(now(), pool, seats):
                        return now(), steps
    while tol is not None and tol < len(pool):
        tol += 1
        steps.append(Notice("relaxed", {"constraint": "parity", "scope": GENDER, "group": None,
                                        "from": tol - 1, "to": tol}))
        if _meetable(now(), pool, seats):
            return now(), steps
    return now(), steps


def _jsonable_problems(problems: Iterable[Problem]) -> list[list[Any]]:
    return [[p.key, p.params] for p in problems]


# --- allocation ------------------------------------------------------------------------------

def allocate(candidates: Iterable[Candidate], constraints: Constraints, seats: int, seed: str, *,
             fallback: str | None = None) -> Allocation:
    """The constrained count: rank, fix the committee size, walk the ranking (see module doc).

    ``fallback`` ("relax", "void", or None for the count as before the setting existed): what
    happens when the candidates cannot meet the constraints (module doc); identical results
    whenever they can."""
    if seats < 1:
        raise ValueError("seats must be at least 1")
    if fallback is not None and fallback not in FALLBACKS:
        raise ValueError(f"unknown fallback {fallback!r}")
    ranking = rank(candidates, seed)
    pool = ranking.order
    spec, notices = completion.Spec.of(constraints).clamped(pool)
    if fallback == VOID:
        check = feasibility(pool, constraints, seats)
        if not check.ok:
            return Allocation(seats, pool, (), (), (), (), ranking.draw, seats,
                              (Notice(VOID, {"problems": _jsonable_problems(check.problems)}),), False)
    elif (fallback == RELAX and not _meetable(spec, pool, seats)
          and _meetable(spec.without_minimums().without_parity(), pool, seats)):
        notices.append(Notice("no_committee", {"fallback": RELAX, "problems": _jsonable_problems(
            feasibility(pool, constraints, seats).problems)}))
        spec, steps = relax(spec, pool, seats)
        notices.extend(steps)
    size = completion.largest_size(spec, completion.Tally(), pool, low=0, high=min(seats, len(pool)))
    if size is None:
        problems = feasible_setup(pool, constraints, seats)
        notices.append(Notice("infeasible", {"problems": [tuple(p) for p in problems]}))
        return Allocation(seats, pool, (), (), (), tuple(c.id for c in pool), ranking.draw, seats,
                          tuple(notices), False)
    taken, skips = completion.walk(spec, completion.Tally(), pool, size)
    assert len(taken) == size, "the walk keeps the committee completable to its size"
    elected = tuple(pool[i].id for i in taken)
    skipped = tuple(Skip(pool[i].id, i + 1, reason) for i, reason in skips)
    out_of_order = []
    for i in taken:
        before = [s for s in skipped if s.rank < i + 1]
        if before:
            reasons = tuple(dict.fromkeys(s.reason for s in before))
            out_of_order.append(OutOfOrder(pool[i].id, i + 1, tuple(s.candidate_id for s in before), reasons))
    chosen = set(taken)
    substitutes = tuple(c.id for i, c in enumerate(pool) if i not in chosen)
    vacant = seats - size
    if vacant:
        cause = "fewer_candidates" if size == len(pool) else "constraints"
        notices.append(Notice("vacant", {"vacant": vacant, "cause": cause, "candidates": len(pool),
                                         "fillable": size}))
    return Allocation(seats, pool, elected, skipped, tuple(out_of_order), substitutes, ranking.draw, vacant,
                      tuple(notices), True)


def next_substitute(elected_now: Sequence[Candidate], substitutes: Sequence[Candidate], constraints: Constraints,
                    seats: int) -> SubstituteChoice:
    """Who fills a vacancy for the rest of the term.

    ``elected_now``: the sitting elected members, the leaver already removed. ``substitutes``: the
    unelected candidates still available, in rank order. The rule is the count's own walk, started
    from the sitting committee: the first substitute who does not exceed a maximum and with whom the
    committee can still be completed to its largest possible size (at most ``seats``) within every
    constraint. As in the count, a minimum is first lowered to the candidates of its group
    there are (sitting or substitute; see ``notices``). If no substitute allows a completion, the
    minimums are given up, then parity (``relaxed``); a maximum is never exceeded. ``chosen`` is
    None when there is no vacancy or nobody fits. For several vacancies, call it again with the
    chosen one sitting.
    """
    start = completion.Tally()
    for c in elected_now:
        start = start.plus(c)
    if start.n >= seats or not substitutes:
        return SubstituteChoice(None)
    spec, notices = completion.Spec.of(constraints).clamped([*elected_now, *substitutes])
    tiers = [((), spec), (("minimums",), spec.without_minimums()),
             (("minimums", "parity"), spec.without_minimums().without_parity())]
    for relaxed, tier in tiers:
        size = completion.largest_size(tier, start, substitutes, low=start.n + 1, high=min(seats, start.n + len(substitutes)))
        if size is None:
            continue
        taken, skips = completion.walk(tier, start, substitutes, size, stop_after_first=True)
        skipped = tuple(Skip(substitutes[i].id, i + 1, reason) for i, reason in skips)
        return SubstituteChoice(substitutes[taken[0]], skipped, relaxed, tuple(notices))
    return SubstituteChoice(None, notices=tuple(notices))


def explain(allocation: Allocation) -> list[Explanation]:
    """One entry per skipped or out-of-order candidate (in rank order), then one per tie group
    drawn, then one per notice. Keys:

    ``skipped.<kind>`` (kind in REASON_KINDS): rank, approvals, scope, group;
    ``elected.out_of_order``: rank, approvals, passed_over (ids), reasons (Reason tuples);
    ``draw.tie``: approvals, order (ids), keys (sha256 hex);
    ``notice.vacant``: vacant, cause ("fewer_candidates" | "constraints"), candidates, fillable;
    ``notice.min_lowered``: scope, group, min, candidates;
    ``notice.infeasible``: problems (Problem tuples from feasible_setup with the candidates);
    ``notice.void``: problems ([key, params] from ``feasibility``), the election is void;
    ``notice.no_committee``: fallback ("relax"), problems (as for void), before the steps:
    ``notice.relaxed``: constraint ("min" | "parity"), scope, group, from, to.
    """
    approvals = {c.id: c.approvals for c in allocation.ranking}
    per_rank: list[tuple[int, Explanation]] = []
    for s in allocation.skipped:
        per_rank.append((s.rank, Explanation(s.candidate_id, f"skipped.{s.reason.kind}", {
            "rank": s.rank, "approvals": approvals[s.candidate_id], "scope": s.reason.scope,
            "group": s.reason.group})))
    for o in allocation.out_of_order:
        per_rank.append((o.rank, Explanation(o.candidate_id, "elected.out_of_order", {
            "rank": o.rank, "approvals": approvals[o.candidate_id], "passed_over": o.passed_over,
            "reasons": o.reasons})))
    result = [e for _, e in sorted(per_rank, key=lambda pe: pe[0])]
    result += [Explanation(None, "draw.tie", {"approvals": t.approvals, "order": t.order, "keys": t.keys})
               for t in allocation.draw]
    result += [Explanation(None, f"notice.{n.key}", n.params) for n in allocation.notices]
    return result
