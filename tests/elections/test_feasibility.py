"""Can the validated candidates meet the constraints (checked before voting opens), and the count's
fallback when they cannot ("relax" or "void"). Pure rules, table-driven, with the boundaries; a
property test checks the fallbacks against brute force over every committee, and that whenever
the candidates can meet the constraints every fallback counts exactly as before."""
from __future__ import annotations

import json
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.elections.rules import (
    FALLBACKS,
    RELAX,
    VOID,
    Candidate,
    Constraints,
    allocate,
    check_constraints,
    explain,
    feasibility,
)
from tests.elections.test_allocation_property import SETTINGS, candidates_st, constraints_st, respects, seeds
from tests.elections.test_rules import ALLOCATIONS, SEED, C, ranked

# --- the check before voting opens ------------------------------------------------------------

FEASIBILITY = [
    # (name, candidates, constraints, seats, problem keys)
    ("zero candidates", [], C(), 3, ["no_candidates"]),
    ("zero candidates, with constraints", [], C({"A": (1, None)}, parity=0), 3, ["no_candidates"]),
    ("no constraint", ranked("a:A/FR/m"), C(), 1, []),
    ("fewer candidates than seats is acceptable (seats stay vacant)", ranked("a:A/FR/m", "b:B/TN/f"), C(), 6, []),
    ("exactly enough candidates for a minimum", ranked("t1:A/TN/m", "t2:B/TN/f", "f1:A/FR/m"),
     C(country={"TN": (2, None)}), 3, []),
    ("one candidate short of a minimum", ranked("t1:A/TN/m", "t2:B/TN/f", "f1:A/FR/m"),
     C(country={"TN": (3, None)}), 3, ["min_above_candidates"]),
    ("minimum of a group nobody stands for", ranked("a:A/FR/m", "b:A/FR/f"), C({"B": (1, None)}), 2,
     ["min_above_candidates"]),
    ("minimums exactly the seats", ranked("a:A/FR/m", "b:B/FR/f"), C({"A": (1, None), "B": (1, None)}), 2, []),
    ("the issue's example: 6 seats, 3 from TN with 2 standing, parity no subset meets",
     ranked("t1:A/TN/m", "t2:A/TN/m", "f1:B/FR/m", "f2:B/FR/m", "f3:B/FR/m", "f4:B/FR/m"),
     C(country={"TN": (3, None)}, parity=0), 6, ["min_above_candidates", "parity_conflict"]),
    ("parity 0, one side only", ranked("m1:A/FR/m", "m2:A/FR/m"), C(parity=0), 2, ["parity_conflict"]),
    ("parity 1, one side only: a committee of one meets it", ranked("m1:A/FR/m", "m2:A/FR/m"), C(parity=1), 2, []),
    ("parity exactly at the tolerance", ranked("m1:A/FR/m", "m2:A/FR/m", "m3:A/FR/m", "f1:A/FR/f"),
     C(country={"FR": (4, None)}, parity=2), 4, []),
    ("parity one beyond the tolerance", ranked("m1:A/FR/m", "m2:A/FR/m", "m3:A/FR/m", "f1:A/FR/f"),
     C(country={"FR": (4, None)}, parity=1), 4, ["min_conflict", "parity_conflict"]),
    ("tolerance None: no parity rule", ranked("m1:A/TN/m", "m2:A/TN/m"), C(country={"TN": (2, None)}), 2, []),
    ("other and undisclosed sit whatever the tolerance", ranked("m1:A/FR/m", "o1:A/FR/o", "u1:A/FR/u"),
     C(parity=0), 3, []),
    ("a minimum against parity", ranked("t1:A/TN/m", "t2:A/TN/m", "f1:B/FR/m"), C(country={"TN": (2, None)}, parity=1),
     3, ["min_conflict", "parity_conflict"]),
    ("a minimum against another scope's maximum", ranked("a1:A/TN/m", "b1:B/FR/f"),
     C({"A": (1, None)}, {"TN": (0, 0)}), 2, ["min_conflict", "max_conflict"]),
    ("every candidate held back by a maximum", ranked("a:A/FR/m", "b:B/FR/f"), C(country={"FR": (0, 0)}), 2,
     ["max_conflict"]),
    ("no single cause: two minimums each against a maximum",
     ranked("a1:A/TN/m", "b1:B/DZ/m", "c1:C/FR/f"), C({"A": (1, None), "B": (1, None)}, {"DZ": (0, 0), "TN": (0, 0)}),
     3, ["max_conflict", "max_conflict"]),
    ("a set-up refused in itself is reported as such", ranked("a:A/FR/m"), C({"A": (2, 1)}), 2, ["min_above_max"]),
]


@pytest.mark.parametrize(("name", "candidates", "constraints", "seats", "keys"), FEASIBILITY,
                         ids=[row[0] for row in FEASIBILITY])
def test_feasibility(name: str, candidates: list[Candidate], constraints: Constraints, seats: int,
                     keys: list[str]) -> None:
    result = feasibility(candidates, constraints, seats)
    assert [p.key for p in result.problems] == keys
    assert result.ok is (keys == [])


def test_the_reasons_name_the_constraints_and_the_numbers() -> None:
    result = feasibility(ranked("t1:A/TN/m", "t2:A/TN/m", "f1:B/FR/m", "f2:B/FR/m"),
                         C(country={"TN": (3, None)}, parity=0), 6)
    assert [tuple(p) for p in result.problems] == [
        ("min_above_candidates", {"scope": "country", "group": "TN", "min": 3, "candidates": 2}),
        ("parity_conflict", {"tolerance": 0, "female": 0, "male": 4, "other": 0}),
    ]
    conflict = feasibility(ranked("a1:A/TN/m", "b1:B/FR/f"), C({"A": (1, None)}, {"TN": (0, 0)}), 2)
    assert [tuple(p) for p in conflict.problems] == [
        ("min_conflict", {"scope": "college", "group": "A", "min": 1}),
        ("max_conflict", {"scope": "country", "group": "TN", "max": 0}),
    ]
    two = feasibility(ranked("a1:A/TN/m", "b1:B/DZ/m", "c1:C/FR/f"),
                      C({"A": (1, None), "B": (1, None)}, {"DZ": (0, 0), "TN": (0, 0)}), 3)
    assert [p.params["group"] for p in two.problems] == ["DZ", "TN"]


# --- the fallback at the count ------------------------------------------------------------------

@pytest.mark.parametrize("row", ALLOCATIONS, ids=[row[0] for row in ALLOCATIONS])
@pytest.mark.parametrize("fallback", FALLBACKS)
def test_a_feasible_election_counts_as_before_with_either_fallback(row: tuple[Any, ...], fallback: str) -> None:
    _name, candidates, constraints, seats, _elected, _skipped = row
    if not feasibility(candidates, constraints, seats).ok:
        pytest.skip("a row where the minimums are lowered at the count")
    assert allocate(candidates, constraints, seats, SEED, fallback=fallback) == allocate(
        candidates, constraints, seats, SEED)


ISSUE = ranked("t1:A/TN/m", "t2:A/TN/m", "f1:B/FR/m", "f2:B/FR/m", "f3:B/FR/m", "f4:B/FR/m")
ISSUE_CONSTRAINTS = C(country={"TN": (3, None)}, parity=0)


def test_void_elects_nobody_and_says_why() -> None:
    result = allocate(ISSUE, ISSUE_CONSTRAINTS, 6, SEED, fallback=VOID)
    assert not result.feasible
    assert result.elected == result.substitutes == result.skipped == result.out_of_order == ()
    assert result.vacant == 6
    assert [c.id for c in result.ranking] == ["t1", "t2", "f1", "f2", "f3", "f4"]  # approvals still published
    assert [tuple(n) for n in result.notices] == [("void", {"problems": [
        ["min_above_candidates", {"scope": "country", "group": "TN", "min": 3, "candidates": 2}],
        ["parity_conflict", {"tolerance": 0, "female": 0, "male": 6, "other": 0}]]})]
    assert [e.key for e in explain(result)] == ["notice.void"]
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data  # stored and published as is
    assert set(data) == set(allocate(ISSUE, C(), 6, SEED).to_dict())  # no new key: old boards compare as before


def test_void_even_when_only_a_minimum_exceeds_its_candidates() -> None:
    """Void reads the minimums as written: the count does not lower them first."""
    candidates = ranked("t1:A/TN/m", "f1:B/FR/f", "f2:B/FR/m")
    result = allocate(candidates, C(country={"TN": (2, None)}), 3, SEED, fallback=VOID)
    assert result.elected == () and result.notices[0].key == "void"
    relaxed = allocate(candidates, C(country={"TN": (2, None)}), 3, SEED, fallback=RELAX)
    assert relaxed == allocate(candidates, C(country={"TN": (2, None)}), 3, SEED)  # lowered, as always
    assert relaxed.elected == ("t1", "f1", "f2") and relaxed.notices[0].key == "min_lowered"


def test_relax_lowers_country_minimums_then_parity_one_at_a_time() -> None:
    result = allocate(ISSUE, ISSUE_CONSTRAINTS, 6, SEED, fallback=RELAX)
    assert result.feasible
    assert [(n.key, n.params.get("constraint"), n.params.get("group"), n.params.get("from"), n.params.get("to"))
            for n in result.notices] == [
        ("min_lowered", None, "TN", None, None),
        ("no_committee", None, None, None, None),
        ("relaxed", "min", "TN", 2, 1),
        ("relaxed", "min", "TN", 1, 0),
        ("relaxed", "parity", None, 0, 1),
        ("vacant", None, None, None, None),
    ]
    assert result.elected == ("t1",) and result.vacant == 5
    assert result.substitutes == ("t2", "f1", "f2", "f3", "f4")
    assert {e.key for e in explain(result)} >= {"notice.no_committee", "notice.relaxed", "notice.vacant"}


def test_relax_goes_round_by_round_over_the_countries_then_the_colleges() -> None:
    # TN and DZ candidates are all men, A's and B's too; the only woman is French. Parity 0: the
    # minimums go first, one seat at a time: DZ, TN (round 1), DZ (round 2), then college A --
    # and that is enough: B's man and the woman (B's minimum kept, parity 0 kept).
    candidates = ranked("d1:A/DZ/m", "d2:A/DZ/m", "t1:B/TN/m", "f1:C/FR/f")
    constraints = C({"A": (1, None), "B": (1, None)}, {"DZ": (2, None), "TN": (1, None)}, 0)
    assert not feasibility(candidates, constraints, 4).ok
    result = allocate(candidates, constraints, 4, SEED, fallback=RELAX)
    steps = [(n.params["scope"], n.params["group"], n.params["to"]) for n in result.notices if n.key == "relaxed"]
    assert steps == [("country", "DZ", 1), ("country", "TN", 0), ("country", "DZ", 0),
                     ("college", "A", 0)]
    assert result.elected == ("t1", "f1") and result.vacant == 2


def test_relax_only_as_far_as_a_committee_of_one_needs() -> None:
    result = allocate(ranked("m1:A/FR/m", "m2:A/FR/m", "m3:A/FR/m"), C(parity=0), 3, SEED, fallback=RELAX)
    assert [n.params for n in result.notices if n.key == "relaxed"] == [
        {"constraint": "parity", "scope": "gender", "group": None, "from": 0, "to": 1}]
    assert result.elected == ("m1",) and result.vacant == 2
    # Without the setting (boards sealed before it), the same count elects nobody, as it always did.
    legacy = allocate(ranked("m1:A/FR/m", "m2:A/FR/m", "m3:A/FR/m"), C(parity=0), 3, SEED)
    assert legacy.elected == () and legacy.feasible


def test_relax_never_touches_a_maximum() -> None:
    candidates = ranked("a:A/FR/m", "b:B/FR/f")
    result = allocate(candidates, C(country={"FR": (0, 0)}), 2, SEED, fallback=RELAX)
    assert result == allocate(candidates, C(country={"FR": (0, 0)}), 2, SEED)
    assert result.elected == () and not any(n.key == "relaxed" for n in result.notices)


@pytest.mark.parametrize("fallback", FALLBACKS)
def test_no_candidate_left(fallback: str) -> None:
    result = allocate([], C({"A": (1, 3)}, parity=0), 5, SEED, fallback=fallback)
    assert result.elected == () and result.vacant == 5
    if fallback == VOID:
        assert [n.key for n in result.notices] == ["void"] and not result.feasible
    else:
        assert result == allocate([], C({"A": (1, 3)}, parity=0), 5, SEED)


def test_an_unknown_fallback_is_refused() -> None:
    with pytest.raises(ValueError, match="fallback"):
        allocate(ISSUE, C(), 6, SEED, fallback="toss")


# --- the fallbacks against brute force ------------------------------------------------------------

def _committees(candidates: list[Candidate], seats: int) -> list[tuple[Candidate, ...]]:
    return [picked for size in range(1, min(seats, len(candidates)) + 1) for picked in combinations(candidates, size)]


def _bounds(constraints: Constraints) -> dict[tuple[str, str], tuple[int, int | None]]:
    return {(scope, group): b for scope in ("college", "country") for group, b in constraints.bounds(scope).items()}


def _meets(candidates: list[Candidate], bounds: dict, tolerance: int | None, seats: int) -> bool:
    return any(respects(c, bounds, tolerance) for c in _committees(candidates, seats))


def _relaxation_steps(candidates: list[Candidate], constraints: Constraints, seats: int) -> list[tuple[Any, ...]]:
    """The documented order, written out: minimums lowered to the candidates there are, then country
    minimums one by one in code order round after round, then college minimums, then parity + 1."""
    bounds = _bounds(constraints)
    for (scope, group), (lo, hi) in bounds.items():
        bounds[(scope, group)] = (min(lo, sum(1 for c in candidates if getattr(c, scope) == group)), hi)
    tol = constraints.parity_tolerance
    steps: list[tuple[Any, ...]] = []
    for scope in ("country", "college"):
        keys = sorted(k for k in bounds if k[0] == scope)
        while any(bounds[k][0] > 0 for k in keys):
            for key in keys:
                lo, hi = bounds[key]
                if lo > 0:
                    bounds[key] = (lo - 1, hi)
                    steps.append((scope, key[1], lo - 1))
                    if _meets(candidates, bounds, tol, seats):
                        return steps
    while tol is not None and tol < len(candidates):
        tol += 1
        steps.append(("gender", None, tol))
        if _meets(candidates, bounds, tol, seats):
            return steps
    return steps


@SETTINGS
@given(candidates=candidates_st, constraints=constraints_st, seats=st.integers(1, 5), seed=seeds)
def test_fallbacks_against_brute_force(candidates: list[Candidate], constraints: Constraints, seats: int,
                                       seed: str) -> None:
    if check_constraints(constraints, seats):
        return
    bounds = _bounds(constraints)
    meetable = _meets(candidates, bounds, constraints.parity_tolerance, seats)
    assert feasibility(candidates, constraints, seats).ok is meetable
    legacy = allocate(candidates, constraints, seats, seed)
    void = allocate(candidates, constraints, seats, seed, fallback=VOID)
    relax = allocate(candidates, constraints, seats, seed, fallback=RELAX)
    if meetable:
        assert void == relax == legacy
        return
    assert void.elected == () and not void.feasible and void.notices[0].key == "void"
    if legacy.elected:  # lowering the minimums to the candidates was enough: as before
        assert relax == legacy
        return
    free = {k: (0, hi) for k, (_, hi) in bounds.items()}
    if not _meets(candidates, free, None, seats):  # nobody can sit whatever is relaxed
        assert relax == legacy
        return
    steps = [(n.params["scope"], n.params["group"], n.params["to"]) for n in relax.notices if n.key == "relaxed"]
    assert steps == _relaxation_steps(candidates, constraints, seats)
    assert relax.feasible and relax.elected
