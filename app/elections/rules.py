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
* Completion check (``_completable``): exact search over counts, not over candidates.
  Candidates that remain are grouped in classes (college, country, gender side), keeping
  only the groups that carry a constraint; the search chooses how many to take from each
  class, one college block after the other, so a college's count is checked when its block
  ends and then forgotten. States (class, seats left, count of the current college,
  counts of constrained countries, female-minus-male) are memoised and pruned by
  necessary conditions (enough candidates left for every unmet minimum, for parity, for the
  seats). With a handful of colleges and countries this is a few thousand states at most.
* Unelected candidates in rank order are the substitutes. A vacancy goes to the first
  substitute with whom the committee can still be completed within every constraint
  (``next_substitute``); when no substitute allows that, minimums and then parity are given
  up, maximums never.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

FEMALE, MALE, OTHER, UNDISCLOSED = "female", "male", "other", "undisclosed"
GENDERS = (FEMALE, MALE, OTHER, UNDISCLOSED)
COLLEGE, COUNTRY, GENDER = "college", "country", "gender"
SCOPES = (COLLEGE, COUNTRY)

# Why a candidate was passed over (Reason.kind)
MAX = "max"  # taking them would exceed the maximum of their group right away
MIN_UNREACHABLE = "min_unreachable"  # ... would leave a group's minimum out of reach
PARITY = "parity"  # ... would leave the parity tolerance out of reach
FILL_BLOCKED = "fill_blocked"  # ... would leave seats fillable only beyond a group's maximum
COMBINED = "combined"  # several constraints together; no single one is enough to explain it
REASON_KINDS = (MAX, MIN_UNREACHABLE, PARITY, FILL_BLOCKED, COMBINED)

Bounds = tuple[int, int | None]
"""(minimum, maximum) seats of a group; maximum None = no maximum."""


@dataclass(frozen=True)
class Candidate:
    """A candidacy as the count sees it: the member, its college and country, the gender of the
    representative who would sit, and the approvals it received."""

    id: str
    college: str
    country: str
    gender: str
    approvals: int = 0

    def __post_init__(self) -> None:
        if self.gender not in GENDERS:
            raise ValueError(f"unknown gender {self.gender!r}")
        if self.approvals < 0:
            raise ValueError("approvals cannot be negative")

    def group(self, scope: str) -> str:
        return self.college if scope == COLLEGE else self.country


@dataclass(frozen=True)
class Constraints:
    """Seat constraints, frozen with the election's set-up.

    ``college`` / ``country``: group code -> (min, max). ``parity_tolerance``: largest allowed
    ``|#female - #male|`` among the elected; None = no parity rule.
    """

    college: Mapping[str, Bounds] = field(default_factory=dict)
    country: Mapping[str, Bounds] = field(default_factory=dict)
    parity_tolerance: int | None = None

    def bounds(self, scope: str) -> Mapping[str, Bounds]:
        return self.college if scope == COLLEGE else self.country

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the election row and the exported board (recount)."""
        return {
            "college": {g: [lo, hi] for g, (lo, hi) in sorted(self.college.items())},
            "country": {g: [lo, hi] for g, (lo, hi) in sorted(self.country.items())},
            "parity_tolerance": self.parity_tolerance,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Constraints:
        data = data or {}

        def bounds(raw: Mapping[str, Any] | None) -> dict[str, Bounds]:
            return {g: (int(lo), None if hi is None else int(hi)) for g, (lo, hi) in (raw or {}).items()}

        tol = data.get("parity_tolerance")
        return cls(bounds(data.get(COLLEGE)), bounds(data.get(COUNTRY)), None if tol is None else int(tol))


class Reason(NamedTuple):
    """Machine-readable cause of a skip, e.g. ("max", "college", "ngo") or ("parity", "gender", None)."""

    kind: str
    scope: str | None = None
    group: str | None = None


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


class Notice(NamedTuple):
    """A fact about the whole count (vacant seats, lowered minimum, no possible committee)."""

    key: str
    params: dict[str, Any]


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


def rank(candidates: Iterable[Candidate], seed: str) -> Ranking:
    """Approvals descending, ties by draw key ascending; returns every tie group drawn."""
    cands = list(candidates)
    ids = [c.id for c in cands]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate candidate id")
    order = sorted(cands, key=lambda c: (-c.approvals, draw_key(seed, c.id), c.id))
    draw: list[TieGroup] = []
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and order[j].approvals == order[i].approvals:
            j += 1
        if j - i > 1:
            group = order[i:j]
            draw.append(TieGroup(order[i].approvals, tuple(c.id for c in group),
                                 tuple(draw_key(seed, c.id) for c in group)))
        i = j
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
    for scope in SCOPES:
        present = Counter(c.group(scope) for c in candidates)
        for group, (lo, _hi) in sorted(constraints.bounds(scope).items()):
            if lo > present[group]:
                problems.append(Problem("min_above_candidates", {"scope": scope, "group": group, "min": lo,
                                                                 "candidates": present[group]}))
    tol = constraints.parity_tolerance
    size = min(seats, n)
    if tol is not None:
        g = Counter(_side(c) for c in candidates)
        most = g[0] + 2 * min(g[1], g[-1]) + min(tol, abs(g[1] - g[-1]))
        if size > most:
            problems.append(Problem("parity_unreachable", {"female": g[1], "male": g[-1], "other": g[0],
                                                           "tolerance": tol, "seats": seats, "fillable": most}))
    if not problems and not _completable(_Spec.of(constraints), _Tally(), candidates, size):
        problems.append(Problem("no_full_committee", {"seats": seats, "fillable": size}))
    return problems


# --- allocation ------------------------------------------------------------------------------

def allocate(candidates: Iterable[Candidate], constraints: Constraints, seats: int, seed: str) -> Allocation:
    """The constrained count: rank, fix the committee size, walk the ranking (see module doc)."""
    if seats < 1:
        raise ValueError("seats must be at least 1")
    ranking = rank(candidates, seed)
    pool = ranking.order
    spec, notices = _Spec.of(constraints).clamped(pool)
    size = _largest_size(spec, _Tally(), pool, low=0, high=min(seats, len(pool)))
    if size is None:
        problems = feasible_setup(pool, constraints, seats)
        notices.append(Notice("infeasible", {"problems": [tuple(p) for p in problems]}))
        return Allocation(seats, pool, (), (), (), tuple(c.id for c in pool), ranking.draw, seats,
                          tuple(notices), False)
    taken, skips = _walk(spec, _Tally(), pool, size)
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
    start = _Tally()
    for c in elected_now:
        start = start.plus(c)
    if start.n >= seats or not substitutes:
        return SubstituteChoice(None)
    spec, notices = _Spec.of(constraints).clamped([*elected_now, *substitutes])
    tiers = [((), spec), (("minimums",), spec.without_minimums()),
             (("minimums", "parity"), spec.without_minimums().without_parity())]
    for relaxed, tier in tiers:
        size = _largest_size(tier, start, substitutes, low=start.n + 1, high=min(seats, start.n + len(substitutes)))
        if size is None:
            continue
        taken, skips = _walk(tier, start, substitutes, size, stop_after_first=True)
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
    ``notice.infeasible``: problems (Problem tuples from feasible_setup with the candidates).
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


# --- internals -------------------------------------------------------------------------------

def _side(c: Candidate) -> int:
    """+1 female, -1 male, 0 other/undisclosed (counts for neither side of parity)."""
    return 1 if c.gender == FEMALE else -1 if c.gender == MALE else 0


@dataclass(frozen=True)
class _Tally:
    """Counts of a (partial) committee."""

    n: int = 0
    diff: int = 0  # #female - #male
    college: Mapping[str, int] = field(default_factory=dict)
    country: Mapping[str, int] = field(default_factory=dict)

    def plus(self, c: Candidate) -> _Tally:
        return _Tally(self.n + 1, self.diff + _side(c), {**self.college, c.college: self.college.get(c.college, 0) + 1},
                      {**self.country, c.country: self.country.get(c.country, 0) + 1})

    def count(self, scope: str, group: str) -> int:
        return (self.college if scope == COLLEGE else self.country).get(group, 0)


@dataclass(frozen=True)
class _Spec:
    """Constraints in the form the search uses: only the bounds that constrain anything."""

    lo: Mapping[tuple[str, str], int]  # (scope, group) -> minimum > 0
    hi: Mapping[tuple[str, str], int]  # (scope, group) -> maximum
    tol: int | None

    @classmethod
    def of(cls, constraints: Constraints) -> _Spec:
        lo: dict[tuple[str, str], int] = {}
        hi: dict[tuple[str, str], int] = {}
        for scope in SCOPES:
            for group, (mn, mx) in constraints.bounds(scope).items():
                if mn > 0:
                    lo[(scope, group)] = mn
                if mx is not None:
                    hi[(scope, group)] = mx
        return cls(lo, hi, constraints.parity_tolerance)

    def clamped(self, available: Iterable[Candidate]) -> tuple[_Spec, list[Notice]]:
        """Minimums lowered to the candidates there are (see module doc), with a notice each."""
        cands = list(available)
        present = {scope: Counter(c.group(scope) for c in cands) for scope in SCOPES}
        lo: dict[tuple[str, str], int] = {}
        notices = []
        for (scope, group), mn in sorted(self.lo.items()):
            have = present[scope][group]
            if have < mn:
                notices.append(Notice("min_lowered", {"scope": scope, "group": group, "min": mn, "candidates": have}))
            if min(mn, have) > 0:
                lo[(scope, group)] = min(mn, have)
        return replace(self, lo=lo), notices

    def without_minimums(self) -> _Spec:
        return replace(self, lo={})

    def without_parity(self) -> _Spec:
        return replace(self, tol=None)

    def relaxations(self) -> list[tuple[Reason, _Spec]]:
        """Each constraint dropped alone, in the order a skip is explained by."""
        out = []
        for scope in SCOPES:
            for key in sorted(k for k in self.lo if k[0] == scope):
                out.append((Reason(MIN_UNREACHABLE, *key), replace(self, lo={k: v for k, v in self.lo.items()
                                                                              if k != key})))
        if self.tol is not None:
            out.append((Reason(PARITY, GENDER), self.without_parity()))
        for scope in SCOPES:
            for key in sorted(k for k in self.hi if k[0] == scope):
                out.append((Reason(FILL_BLOCKED, *key), replace(self, hi={k: v for k, v in self.hi.items()
                                                                           if k != key})))
        return out


def _largest_size(spec: _Spec, start: _Tally, pool: Sequence[Candidate], low: int, high: int) -> int | None:
    """The largest committee size in [low, high] that the constraints allow, or None."""
    for size in range(high, low - 1, -1):
        if _completable(spec, start, pool, size):
            return size
    return None


def _walk(spec: _Spec, start: _Tally, pool: Sequence[Candidate], size: int, stop_after_first: bool = False
          ) -> tuple[list[int], list[tuple[int, Reason]]]:
    """Down the ranking: take whoever keeps the committee completable to ``size``.

    Invariant: before each candidate, the tally can be completed from the rest of the pool
    (true at the start by the choice of size; kept because a skip means a completion without them
    exists). Returns the indexes taken and the indexes skipped with their reason.
    """
    tally = start
    taken: list[int] = []
    skipped: list[tuple[int, Reason]] = []
    for i, c in enumerate(pool):
        if tally.n >= size:
            break
        reason = _over_max(spec, tally, c)
        if reason is None:
            after = tally.plus(c)
            rest = pool[i + 1:]
            if _completable(spec, after, rest, size):
                tally = after
                taken.append(i)
                if stop_after_first:
                    break
                continue
            reason = next((r for r, relaxed in spec.relaxations() if _completable(relaxed, after, rest, size)),
                          Reason(COMBINED))
        skipped.append((i, reason))
    return taken, skipped


def _over_max(spec: _Spec, tally: _Tally, c: Candidate) -> Reason | None:
    for scope in SCOPES:
        key = (scope, c.group(scope))
        if key in spec.hi and tally.count(*key) + 1 > spec.hi[key]:
            return Reason(MAX, *key)
    return None


def _completable(spec: _Spec, tally: _Tally, pool: Sequence[Candidate], size: int) -> bool:
    """Can ``tally`` grow to exactly ``size`` members, taken from ``pool`` (any subset), with every
    minimum met, no maximum exceeded and parity within tolerance? Exact (see module doc)."""
    need = size - tally.n
    if need < 0 or need > len(pool):
        return False
    if any(tally.count(*key) > mx for key, mx in spec.hi.items()):
        return False
    parity = spec.tol is not None
    tol = spec.tol or 0
    tracked_colleges = {g for s, g in (*spec.lo, *spec.hi) if s == COLLEGE}
    countries = sorted({g for s, g in (*spec.lo, *spec.hi) if s == COUNTRY})
    country_index = {g: j for j, g in enumerate(countries)}
    country_lo = [spec.lo.get((COUNTRY, g), 0) for g in countries]
    country_hi = [spec.hi.get((COUNTRY, g)) for g in countries]

    classes: Counter[tuple[str, int, int]] = Counter()
    for c in pool:
        college = c.college if c.college in tracked_colleges else ""  # "": untracked, one block
        classes[(college, country_index.get(c.country, -1), _side(c) if parity else 0)] += 1
    in_pool = {k[0] for k in classes}
    for g in tracked_colleges - in_pool:  # nobody left to add: the count is final now
        if tally.college.get(g, 0) < spec.lo.get((COLLEGE, g), 0):
            return False
    items = sorted(classes.items())  # "" sorts first; blocks of one college are contiguous
    n = len(items)
    college = [k[0] for k, _ in items]
    cidx = [k[1] for k, _ in items]
    side = [k[2] for k, _ in items]
    avail = [a for _, a in items]
    c_lo = [spec.lo.get((COLLEGE, g), 0) if g else 0 for g in college]
    c_hi = [spec.hi.get((COLLEGE, g)) if g else None for g in college]
    start = [tally.college.get(g, 0) if g else 0 for g in college]
    block_end = [i == n - 1 or college[i + 1] != college[i] for i in range(n)]

    # Suffix sums for pruning, from class i on: candidates left, per side, per country (and in no
    # constrained country), in the current block; over the blocks after the block of i: their
    # unmet college minimums and how many they can still take (capacity).
    suf = [0] * (n + 1)
    suf_side = {s: [0] * (n + 1) for s in (-1, 0, 1)}
    suf_country = [[0] * len(countries) for _ in range(n + 1)]
    suf_free_country = [0] * (n + 1)
    suf_block = [0] * (n + 1)
    later_need = [0] * (n + 1)
    later_cap = [0] * (n + 1)
    need_acc = cap_acc = 0
    for i in range(n - 1, -1, -1):
        suf[i] = suf[i + 1] + avail[i]
        for s in (-1, 0, 1):
            suf_side[s][i] = suf_side[s][i + 1] + (avail[i] if side[i] == s else 0)
        suf_country[i] = list(suf_country[i + 1])
        suf_free_country[i] = suf_free_country[i + 1]
        if cidx[i] >= 0:
            suf_country[i][cidx[i]] += avail[i]
        else:
            suf_free_country[i] += avail[i]
        suf_block[i] = avail[i] + (0 if block_end[i] else suf_block[i + 1])
        later_need[i], later_cap[i] = need_acc, cap_acc
        if i == 0 or block_end[i - 1]:  # first class of its block
            need_acc += max(0, c_lo[i] - start[i])
            room = c_hi[i]
            cap_acc += suf_block[i] if room is None else min(suf_block[i], room - start[i])
    f_left, m_left, o_left = suf_side[1], suf_side[-1], suf_side[0]

    def hopeful(i: int, left: int, cc: int, nc: tuple[int, ...], d: int) -> bool:
        """Necessary conditions (enough candidates and room for what is still needed); cheap, and
        they cut the dead branches, above all when no committee of the size exists at all."""
        if left > suf[i]:
            return False
        college_need = max(0, c_lo[i] - cc)
        if college_need > suf_block[i] or college_need + later_need[i] > left:
            return False
        room = c_hi[i]
        if left > (suf_block[i] if room is None else min(suf_block[i], room - cc)) + later_cap[i]:
            return False
        country_need = 0
        country_cap = suf_free_country[i]
        for j in range(len(countries)):
            short = max(0, country_lo[j] - nc[j])
            if short > suf_country[i][j]:
                return False
            country_need += short
            top = country_hi[j]
            country_cap += suf_country[i][j] if top is None else min(suf_country[i][j], top - nc[j])
        if country_need > left or left > country_cap:
            return False
        if parity:
            # most females + males that can still be added with |diff| ending within tolerance
            excess = abs(d + f_left[i] - m_left[i]) - tol
            if excess > 0 and excess > (f_left[i] if d + f_left[i] - m_left[i] > 0 else m_left[i]):
                return False
            if left > o_left[i] + f_left[i] + m_left[i] - max(0, excess):
                return False
        return True

    memo: dict[tuple[int, int, int, tuple[int, ...], int], bool] = {}

    def go(i: int, left: int, cc: int, nc: tuple[int, ...], d: int) -> bool:
        if i == n:
            return (left == 0 and all(nc[j] >= country_lo[j] for j in range(len(countries)))
                    and (not parity or abs(d) <= tol))
        key = (i, left, cc, nc, d)
        found = memo.get(key)
        if found is not None:
            return found
        found = False
        if hopeful(i, left, cc, nc, d):
            cap = min(avail[i], left)
            room = c_hi[i]
            if room is not None:
                cap = min(cap, room - cc)
            j = cidx[i]
            top = country_hi[j] if j >= 0 else None
            if top is not None:
                cap = min(cap, top - nc[j])
            for x in range(cap, -1, -1):
                now = cc + x
                if block_end[i]:
                    if now < c_lo[i]:
                        break  # fewer only makes it worse
                    nxt = start[i + 1] if i + 1 < n else 0
                else:
                    nxt = now
                counts = nc if j < 0 or x == 0 else nc[:j] + (nc[j] + x,) + nc[j + 1:]
                if go(i + 1, left - x, nxt, counts, d + side[i] * x):
                    found = True
                    break
        memo[key] = found
        return found

    nc0 = tuple(tally.country.get(g, 0) for g in countries)
    return go(0, need, start[0] if n else 0, nc0, tally.diff)
