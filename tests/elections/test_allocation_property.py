"""The allocation against brute force: on small random elections, the committee ``allocate``
elects is the one a search over every subset finds -- the largest size the constraints allow
(at most the seats), and among committees of that size the best in the ranking order (sorted
rank positions, compared lexicographically). Likewise for the substitute that fills a vacancy.

The brute force is written from the rules' statement, independently of the search in
app/elections/rules.py; only the rule "a minimum is lowered to the candidates of its group
there are" is shared, because it is part of the statement.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import combinations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.elections.rules import GENDERS, Candidate, Constraints, allocate, check_constraints, next_substitute

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])

COLLEGES = ["A", "B", "C"]
COUNTRIES = ["FR", "TN"]

bounds = st.tuples(st.integers(0, 3), st.none() | st.integers(0, 4)).filter(
    lambda b: b[1] is None or b[0] <= b[1])
constraints_st = st.builds(
    Constraints,
    st.dictionaries(st.sampled_from(COLLEGES), bounds, max_size=3),
    st.dictionaries(st.sampled_from(COUNTRIES), bounds, max_size=2),
    st.none() | st.integers(0, 2),
)
candidates_st = st.lists(
    st.tuples(st.sampled_from(COLLEGES), st.sampled_from(COUNTRIES), st.sampled_from(GENDERS), st.integers(0, 4)),
    max_size=9,
).map(lambda rows: [Candidate(f"c{i}", *row) for i, row in enumerate(rows)])
seeds = st.sampled_from(["", "seed", "0f3a9c", "board-final-hash"])


def ranking(candidates: Sequence[Candidate], seed: str) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (-c.approvals, hashlib.sha256(f"{seed}|{c.id}".encode()).hexdigest()))


def lowered(constraints: Constraints, available: Sequence[Candidate]) -> dict[tuple[str, str], tuple[int, int | None]]:
    """(scope, group) -> (min lowered to the candidates there are, max)."""
    out = {}
    for scope in ("college", "country"):
        for group, (lo, hi) in constraints.bounds(scope).items():
            present = sum(1 for c in available if getattr(c, scope) == group)
            out[(scope, group)] = (min(lo, present), hi)
    return out


def respects(committee: Sequence[Candidate], bounds_: dict, tolerance: int | None) -> bool:
    for (scope, group), (lo, hi) in bounds_.items():
        n = sum(1 for c in committee if getattr(c, scope) == group)
        if n < lo or (hi is not None and n > hi):
            return False
    women = sum(1 for c in committee if c.gender == "female")
    men = sum(1 for c in committee if c.gender == "male")
    return tolerance is None or abs(women - men) <= tolerance


def brute_force(candidates: list[Candidate], constraints: Constraints, seats: int, seed: str) -> list[str] | None:
    order = ranking(candidates, seed)
    bounds_ = lowered(constraints, order)
    for size in range(min(seats, len(order)), -1, -1):
        for picked in combinations(range(len(order)), size):  # lexicographic order of rank positions
            if respects([order[i] for i in picked], bounds_, constraints.parity_tolerance):
                return [order[i].id for i in picked]
    return None


@SETTINGS
@given(candidates=candidates_st, constraints=constraints_st, seats=st.integers(1, 5), seed=seeds)
def test_allocation_is_the_best_feasible_committee(candidates: list[Candidate], constraints: Constraints,
                                                    seats: int, seed: str) -> None:
    assume(not check_constraints(constraints, seats))
    result = allocate(candidates, constraints, seats, seed)
    expected = brute_force(candidates, constraints, seats, seed)
    if expected is None:
        assert not result.feasible and result.elected == ()
        return
    assert result.feasible
    assert list(result.elected) == expected
    order = [c.id for c in ranking(candidates, seed)]
    assert [c.id for c in result.ranking] == order
    assert list(result.substitutes) == [i for i in order if i not in expected]
    assert result.vacant == seats - len(expected)
    # skips happen only while seats were left, and explain every out-of-order election
    last = max((order.index(i) for i in expected), default=-1)
    assert all(s.rank - 1 < last for s in result.skipped)
    skipped = {s.candidate_id for s in result.skipped}
    for o in result.out_of_order:
        assert set(o.passed_over) == {i for i in order[: o.rank - 1] if i in skipped}


def brute_substitute(sitting: list[Candidate], subs: list[Candidate], constraints: Constraints, seats: int
                     ) -> tuple[str | None, tuple[str, ...]]:
    """The first substitute of the best committee that completes the sitting one, by tiers."""
    bounds_ = lowered(constraints, [*sitting, *subs])
    no_min = {k: (0, hi) for k, (_, hi) in bounds_.items()}
    tiers = [((), bounds_, constraints.parity_tolerance), (("minimums",), no_min, constraints.parity_tolerance),
             (("minimums", "parity"), no_min, None)]
    for relaxed, bounds_t, tolerance in tiers:
        for size in range(min(seats, len(sitting) + len(subs)), len(sitting), -1):
            firsts = [picked[0] for picked in combinations(range(len(subs)), size - len(sitting))
                      if respects([*sitting, *(subs[i] for i in picked)], bounds_t, tolerance)]
            if firsts:
                return subs[min(firsts)].id, relaxed
    return None, ()


@SETTINGS
@given(candidates=candidates_st, constraints=constraints_st, seats=st.integers(1, 5), seed=seeds,
       leaver=st.integers(0, 4))
def test_next_substitute_is_the_first_of_the_best_completion(candidates: list[Candidate], constraints: Constraints,
                                                             seats: int, seed: str, leaver: int) -> None:
    assume(not check_constraints(constraints, seats))
    result = allocate(candidates, constraints, seats, seed)
    assume(result.elected and result.substitutes)
    by_id = {c.id: c for c in candidates}
    gone = result.elected[leaver % len(result.elected)]
    sitting = [by_id[i] for i in result.elected if i != gone]
    subs = [by_id[i] for i in result.substitutes]
    choice = next_substitute(sitting, subs, constraints, seats)
    expected, relaxed = brute_substitute(sitting, subs, constraints, seats)
    assert (choice.chosen.id if choice.chosen else None) == expected
    if expected is not None:
        assert choice.relaxed == relaxed
