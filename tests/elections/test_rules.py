"""The election count as pure rules: ranking and draw, constrained allocation, set-up checks,
substitutes and explanations. Table-driven; the property test checks the same allocation
against a brute-force search over every committee."""
from __future__ import annotations

import hashlib
import json

import pytest

from app.elections.rules import (
    COMBINED,
    FILL_BLOCKED,
    MAX,
    MIN_UNREACHABLE,
    PARITY,
    Allocation,
    Candidate,
    Constraints,
    Reason,
    Skip,
    allocate,
    check_ballot,
    check_constraints,
    count_approvals,
    draw_key,
    explain,
    feasible_setup,
    next_substitute,
    rank,
)

GENDER = {"f": "female", "m": "male", "o": "other", "u": "undisclosed"}
SEED = "board-final-hash"


def field(spec: str, approvals: int) -> Candidate:
    """``"id:college/country/g"`` -> Candidate (g: f, m, o, u)."""
    ident, rest = spec.split(":")
    college, country, g = rest.split("/")
    return Candidate(ident, college, country, GENDER[g], approvals)


def ranked(*specs: str) -> list[Candidate]:
    """Candidates with strictly decreasing approvals, so the ranking is the order given."""
    return [field(s, 100 - i) for i, s in enumerate(specs)]


def C(college: dict | None = None, country: dict | None = None, parity: int | None = None) -> Constraints:  # noqa: N802
    return Constraints(college or {}, country or {}, parity)


# --- allocation ------------------------------------------------------------------------------

ALLOCATIONS = [
    # (name, candidates in rank order, constraints, seats, elected, skipped [(id, reason)])
    ("no constraints: plain top N",
     ranked("a:ngo/FR/m", "b:ngo/FR/m", "c:ngo/FR/m", "d:ngo/FR/m"), C(), 3,
     ["a", "b", "c"], []),
    ("college max",
     ranked("a1:A/FR/m", "a2:A/FR/m", "b1:B/FR/m", "b2:B/FR/m"), C({"A": (0, 1)}), 2,
     ["a1", "b1"], [("a2", (MAX, "college", "A"))]),
    ("college max exactly reached",
     ranked("a1:A/FR/m", "a2:A/FR/m", "a3:A/FR/m", "b1:B/FR/m"), C({"A": (0, 2)}), 3,
     ["a1", "a2", "b1"], [("a3", (MAX, "college", "A"))]),
    ("college max not binding",
     ranked("a1:A/FR/m", "a2:A/FR/m", "b1:B/FR/m"), C({"A": (0, 2)}), 3,
     ["a1", "a2", "b1"], []),
    ("college min met with the last seat, nobody skipped",
     ranked("a1:A/FR/m", "a2:A/FR/m", "b1:B/FR/m", "a3:A/FR/m"), C({"B": (1, None)}), 3,
     ["a1", "a2", "b1"], []),
    ("college min forces skips",
     ranked("a1:A/FR/m", "a2:A/FR/m", "a3:A/FR/m", "b1:B/FR/m"), C({"B": (1, None)}), 2,
     ["a1", "b1"], [("a2", (MIN_UNREACHABLE, "college", "B")), ("a3", (MIN_UNREACHABLE, "college", "B"))]),
    ("college min of two, last seats",
     ranked("a1:A/FR/m", "a2:A/FR/m", "b1:B/FR/m", "b2:B/FR/m"), C({"B": (2, None)}), 3,
     ["a1", "b1", "b2"], [("a2", (MIN_UNREACHABLE, "college", "B"))]),
    ("country max",
     ranked("f1:A/FR/m", "f2:A/FR/m", "t1:A/TN/m", "f3:A/FR/m"), C(country={"FR": (0, 1)}), 2,
     ["f1", "t1"], [("f2", (MAX, "country", "FR"))]),
    ("country min",
     ranked("f1:A/FR/m", "f2:A/FR/m", "f3:A/FR/m", "t1:A/TN/m", "t2:A/TN/m"), C(country={"TN": (2, None)}), 3,
     ["f1", "t1", "t2"], [("f2", (MIN_UNREACHABLE, "country", "TN")), ("f3", (MIN_UNREACHABLE, "country", "TN"))]),
    ("country min and max both exact",
     ranked("f1:A/FR/m", "f2:A/FR/m", "f3:A/FR/m", "t1:A/TN/m", "t2:A/TN/m"),
     C(country={"TN": (2, 2), "FR": (2, 2)}), 4,
     ["f1", "f2", "t1", "t2"], [("f3", (MAX, "country", "FR"))]),
    ("parity, tolerance 0",
     ranked("m1:A/FR/m", "m2:A/FR/m", "f1:A/FR/f"), C(parity=0), 2,
     ["m1", "f1"], [("m2", (PARITY, "gender", None))]),
    ("parity, tolerance 1",
     ranked("m1:A/FR/m", "m2:A/FR/m", "m3:A/FR/m", "f1:A/FR/f", "f2:A/FR/f"), C(parity=1), 3,
     ["m1", "m2", "f1"], [("m3", (PARITY, "gender", None))]),
    ("parity within tolerance takes the top",
     ranked("m1:A/FR/m", "m2:A/FR/m", "f1:A/FR/f"), C(parity=2), 2,
     ["m1", "m2"], []),
    ("other and undisclosed count for neither side",
     ranked("o1:A/FR/o", "u1:A/FR/u", "m1:A/FR/m", "f1:A/FR/f"), C(parity=0), 2,
     ["o1", "u1"], []),
    ("parity 0 with an odd seat: taken by other",
     ranked("m1:A/FR/m", "m2:A/FR/m", "f1:A/FR/f", "o1:A/FR/o"), C(parity=0), 3,
     ["m1", "f1", "o1"], [("m2", (PARITY, "gender", None))]),
    ("several constraints at once",
     ranked("a1:A/FR/m", "a2:A/FR/m", "a3:A/TN/f", "b1:B/FR/m", "b2:B/FR/f", "b3:B/TN/m", "b4:B/TN/f"),
     C({"A": (0, 2), "B": (1, None)}, {"TN": (2, None)}, 0), 4,
     # a1 in; a2 would fill A and leave two B seats that cannot give two Tunisians and two
     # women; a3 in (A now full); b1 in, leaving one seat for a Tunisian woman: b4.
     ["a1", "a3", "b1", "b4"],
     [("a2", (MIN_UNREACHABLE, "country", "TN")), ("b2", (MIN_UNREACHABLE, "country", "TN")),
      ("b3", (PARITY, "gender", None))]),
    ("taking would leave seats fillable only beyond a maximum",
     ranked("c1:A/FR/m", "c2:A/TN/m", "c3:B/FR/m"), C({"A": (0, 1)}, {"FR": (0, 1)}), 2,
     ["c2", "c3"], [("c1", (FILL_BLOCKED, "college", "A"))]),
    ("two minimums together decide: combined",
     ranked("c0:A/FR/m", "c1:B/TN/f"), C({"B": (1, 2)}, {"TN": (1, 1)}, 1), 1,
     ["c1"], [("c0", (COMBINED, None, None))]),
    ("min and max of one college",
     ranked("a1:A/FR/m", "a2:A/FR/m", "a3:A/FR/m", "b1:B/FR/m", "b2:B/FR/m", "b3:B/FR/m"),
     C({"A": (1, 1), "B": (1, None)}), 3,
     ["a1", "b1", "b2"], [("a2", (MAX, "college", "A")), ("a3", (MAX, "college", "A"))]),
]


@pytest.mark.parametrize(("name", "candidates", "constraints", "seats", "elected", "skipped"), ALLOCATIONS,
                         ids=[a[0] for a in ALLOCATIONS])
def test_allocation(name: str, candidates: list[Candidate], constraints: Constraints, seats: int,
                    elected: list[str], skipped: list[tuple[str, tuple]]) -> None:
    result = allocate(candidates, constraints, seats, SEED)
    assert result.feasible
    assert list(result.elected) == elected
    assert [(s.candidate_id, tuple(s.reason)) for s in result.skipped] == skipped
    order = [c.id for c in candidates]
    assert list(result.substitutes) == [i for i in order if i not in elected]
    assert result.vacant == seats - len(elected)


def test_out_of_order_names_who_was_passed_over_and_why() -> None:
    candidates = ranked("a1:A/FR/m", "a2:A/FR/m", "a3:A/FR/m", "b1:B/FR/m", "b2:B/FR/m")
    result = allocate(candidates, C({"A": (0, 1)}), 3, SEED)
    assert result.elected == ("a1", "b1", "b2")
    reason = Reason(MAX, "college", "A")
    assert [tuple(o) for o in result.out_of_order] == [
        ("b1", 4, ("a2", "a3"), (reason,)),
        ("b2", 5, ("a2", "a3"), (reason,)),
    ]
    assert result.skipped == (Skip("a2", 2, reason), Skip("a3", 3, reason))


def test_nothing_out_of_order_without_skips() -> None:
    result = allocate(ranked("a:A/FR/m", "b:B/FR/f", "c:A/TN/m"), C({"A": (0, 2)}), 2, SEED)
    assert result.out_of_order == () and result.skipped == ()


# --- fewer candidates, vacancies, infeasible counts ------------------------------------------

def test_fewer_candidates_than_seats_elects_all_and_says_so() -> None:
    result = allocate(ranked("a:A/FR/m", "b:B/TN/f", "c:A/TN/m"), C(), 5, SEED)
    assert result.elected == ("a", "b", "c")
    assert result.vacant == 2
    assert [tuple(n) for n in result.notices] == [
        ("vacant", {"vacant": 2, "cause": "fewer_candidates", "candidates": 3, "fillable": 3})]


def test_fewer_candidates_only_those_allowed_are_elected() -> None:
    result = allocate(ranked("a1:A/FR/m", "a2:A/FR/m", "b:B/TN/f"), C({"A": (0, 1)}), 5, SEED)
    assert result.elected == ("a1", "b")
    assert result.vacant == 3
    assert result.notices[-1].params["cause"] == "constraints"
    assert result.skipped == (Skip("a2", 2, Reason(MAX, "college", "A")),)


def test_parity_leaves_seats_vacant_rather_than_break_it() -> None:
    result = allocate(ranked("m1:A/FR/m", "m2:A/FR/m", "m3:A/FR/m", "f1:A/FR/f"), C(parity=0), 4, SEED)
    assert result.elected == ("m1", "f1")
    assert result.vacant == 2
    assert result.notices[-1].key == "vacant" and result.notices[-1].params["cause"] == "constraints"


def test_empty_candidate_list() -> None:
    result = allocate([], C({"A": (1, 3)}, parity=0), 12, SEED)
    assert result.feasible
    assert result.elected == result.substitutes == result.skipped == result.draw == ()
    assert result.vacant == 12
    assert [n.key for n in result.notices] == ["min_lowered", "vacant"]
    assert result.notices[0].params == {"scope": "college", "group": "A", "min": 1, "candidates": 0}


def test_minimum_above_the_candidates_is_lowered_to_them() -> None:
    candidates = ranked("a1:A/FR/m", "a2:A/FR/m", "a3:A/FR/m", "b1:B/FR/m")
    result = allocate(candidates, C({"B": (2, None)}), 3, SEED)
    assert result.elected == ("a1", "a2", "b1")
    assert result.vacant == 0
    assert [tuple(n) for n in result.notices] == [
        ("min_lowered", {"scope": "college", "group": "B", "min": 2, "candidates": 1})]


def test_no_committee_at_all_elects_nobody_and_says_why() -> None:
    # the only A candidate is a man, A needs a seat, parity 0, and there is no woman
    candidates = ranked("a1:A/FR/m", "b1:B/FR/m", "b2:B/FR/m")
    result = allocate(candidates, C({"A": (1, None)}, parity=0), 2, SEED)
    assert not result.feasible
    assert result.elected == ()
    assert result.vacant == 2
    assert result.substitutes == ("a1", "b1", "b2")
    assert result.notices[-1].key == "infeasible"
    assert [p[0] for p in result.notices[-1].params["problems"]] == ["parity_unreachable"]


def test_seats_must_be_positive() -> None:
    with pytest.raises(ValueError):
        allocate(ranked("a:A/FR/m"), C(), 0, SEED)


# --- ranking and draw ------------------------------------------------------------------------

def test_ranking_by_approvals_then_draw() -> None:
    cands = [field("a:A/FR/m", 3), field("b:A/FR/m", 7), field("c:A/FR/m", 5), field("d:A/FR/m", 5)]
    ranking = rank(cands, SEED)
    assert ranking.order[0].id == "b" and ranking.order[-1].id == "a"
    tied = sorted(["c", "d"], key=lambda i: hashlib.sha256(f"{SEED}|{i}".encode()).hexdigest())
    assert [c.id for c in ranking.order[1:3]] == tied
    assert len(ranking.draw) == 1
    group = ranking.draw[0]
    assert group.approvals == 5 and list(group.order) == tied
    assert list(group.keys) == [draw_key(SEED, i) for i in tied]
    assert list(group.keys) == sorted(group.keys)


def test_ranking_refuses_duplicate_ids() -> None:
    with pytest.raises(ValueError):
        rank([field("a:A/FR/m", 1), field("a:B/TN/f", 2)], SEED)


def tie_at_last_seat() -> list[Candidate]:
    return [field("top:A/FR/m", 9), field("x:A/FR/m", 4), field("y:B/TN/f", 4), field("z:A/TN/m", 4),
            field("low:A/FR/m", 1)]


def test_tie_at_the_last_seat_is_drawn_reproducibly() -> None:
    first = allocate(tie_at_last_seat(), C(), 2, SEED)
    again = allocate(list(reversed(tie_at_last_seat())), C(), 2, SEED)
    assert first == again
    winner = min(["x", "y", "z"], key=lambda i: draw_key(SEED, i))
    assert first.elected == ("top", winner)
    assert [t.order for t in first.draw] == [tuple(sorted(["x", "y", "z"], key=lambda i: draw_key(SEED, i)))]
    ties = [e for e in explain(first) if e.key == "draw.tie"]
    assert ties and ties[0].params["order"] == first.draw[0].order


def test_another_seed_can_draw_another_winner() -> None:
    winners = {allocate(tie_at_last_seat(), C(), 2, f"seed-{n}").elected[1] for n in range(20)}
    assert len(winners) > 1


def test_draw_and_constraints_together() -> None:
    # tie between two A candidates for the last seat, but A is full: the B candidate below wins
    cands = [field("a1:A/FR/m", 9), field("a2:A/FR/m", 5), field("a3:A/FR/m", 5), field("b:B/FR/m", 2)]
    for seed in ("s1", "s2", "s3"):
        result = allocate(cands, C({"A": (0, 1)}), 2, seed)
        assert result.elected == ("a1", "b")
        assert {s.candidate_id for s in result.skipped} == {"a2", "a3"}


# --- set-up checks ---------------------------------------------------------------------------

SETUP = [
    ("fine", C({"A": (1, 4)}, {"FR": (4, 8), "TN": (4, 8)}, 2), 12, []),
    ("no constraints", C(), 12, []),
    ("min above max", C({"A": (3, 2)}), 12, ["min_above_max"]),
    ("minimums above seats", C({"A": (5, None), "B": (5, None), "C": (3, None)}), 12, ["minimums_above_seats"]),
    ("country minimums above seats", C(country={"FR": (7, None), "TN": (6, None)}), 12, ["minimums_above_seats"]),
    ("minimums exactly the seats", C(country={"FR": (6, None), "TN": (6, None)}), 12, []),
    ("one minimum above seats", C({"A": (13, None)}), 12, ["min_above_seats", "minimums_above_seats"]),
    ("negative bound", C({"A": (-1, 2)}), 12, ["negative_bound"]),
    ("negative tolerance", C(parity=-1), 12, ["negative_tolerance"]),
    ("no seats", C(), 0, ["seats_not_positive"]),
]


@pytest.mark.parametrize(("name", "constraints", "seats", "keys"), SETUP, ids=[s[0] for s in SETUP])
def test_check_constraints(name: str, constraints: Constraints, seats: int, keys: list[str]) -> None:
    assert [p.key for p in check_constraints(constraints, seats)] == keys
    assert [p.key for p in feasible_setup(None, constraints, seats)] == keys


def test_check_constraints_against_the_groups_that_exist() -> None:
    constraints = C({"A": (0, 3), "B": (0, 4), "X": (1, 1)})
    problems = check_constraints(constraints, 12, colleges=["A", "B"], countries=["FR", "TN"])
    assert [(p.key, p.params) for p in problems] == [
        ("unknown_group", {"scope": "college", "group": "X"}),
        ("maximums_below_seats", {"scope": "college", "total": 7, "seats": 12}),
    ]
    assert check_constraints(C({"A": (0, 6)}, {"FR": (0, 6), "TN": (0, 6)}), 12,
                             colleges=["A", "B"], countries=["FR", "TN"]) == []


def test_min_above_max_names_the_group() -> None:
    [problem] = check_constraints(C(country={"TN": (4, 3)}), 12)
    assert problem.params == {"scope": "country", "group": "TN", "min": 4, "max": 3}


CANDIDATE_SETUP = [
    ("enough of everything", ranked("a:A/FR/m", "b:B/TN/f"), C({"A": (1, 1)}, {"TN": (1, None)}, 0), 2, []),
    ("fewer candidates than seats", ranked("a:A/FR/m"), C(), 2, ["fewer_candidates_than_seats"]),
    ("minimum above the candidates", ranked("a:A/FR/m", "b:A/FR/f", "c:B/FR/m"), C({"B": (2, None)}), 3,
     ["min_above_candidates"]),
    ("parity impossible", ranked("a:A/FR/m", "b:A/FR/m", "c:A/FR/m", "d:A/FR/f"), C(parity=1), 4,
     ["parity_unreachable"]),
    ("parity possible thanks to other", ranked("a:A/FR/m", "b:A/FR/o", "c:A/FR/u"), C(parity=1), 3, []),
    ("no full committee from constraints together",
     ranked("a:A/FR/m", "b:B/TN/m", "c:B/FR/f"), C({"A": (1, None)}, {"TN": (1, None)}), 1, ["no_full_committee"]),
    ("structural problems first", ranked("a:A/FR/m"), C({"A": (2, 1)}), 2, ["min_above_max"]),
]


@pytest.mark.parametrize(("name", "candidates", "constraints", "seats", "keys"), CANDIDATE_SETUP,
                         ids=[s[0] for s in CANDIDATE_SETUP])
def test_feasible_setup_with_candidates(name: str, candidates: list[Candidate], constraints: Constraints,
                                        seats: int, keys: list[str]) -> None:
    assert [p.key for p in feasible_setup(candidates, constraints, seats)] == keys


def test_parity_problem_says_how_many_seats_can_be_filled() -> None:
    [problem] = feasible_setup(ranked("a:A/FR/m", "b:A/FR/m", "c:A/FR/m", "d:A/FR/f", "e:A/FR/o"), C(parity=1), 5)
    assert problem.params == {"female": 1, "male": 3, "other": 1, "tolerance": 1, "seats": 5, "fillable": 4}


# --- substitutes -----------------------------------------------------------------------------

def test_substitutes_are_the_unelected_in_rank_order() -> None:
    candidates = ranked("a1:A/FR/m", "a2:A/FR/m", "b1:B/FR/m", "a3:A/FR/m", "b2:B/FR/m")
    result = allocate(candidates, C({"A": (0, 1)}), 2, SEED)
    assert result.elected == ("a1", "b1")
    assert result.substitutes == ("a2", "a3", "b2")


def by_id(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {c.id: c for c in candidates}


SUBSTITUTES = [
    # (name, candidates, constraints, seats, sitting after the leaver left, substitutes in rank order,
    #  chosen, skipped [(id, reason)], relaxed)
    ("no constraints: the first substitute",
     ranked("a:A/FR/m", "b:A/FR/m", "c:A/FR/m", "d:A/FR/m"), C(), 3, ["a", "b"], ["d", "c"],
     "d", [], ()),
    ("a maximum skips a substitute",
     ranked("a1:A/FR/m", "b1:B/FR/m", "a2:A/FR/m", "b2:B/FR/m"), C({"A": (0, 1)}), 2, ["a1"], ["a2", "b2"],
     "b2", [("a2", (MAX, "college", "A"))], ()),
    ("a minimum the leaver held is restored",
     ranked("f1:A/FR/m", "t1:A/TN/m", "f2:A/FR/m", "f3:A/FR/m", "t2:A/TN/m"), C(country={"TN": (1, None)}), 2,
     ["f1"], ["f2", "f3", "t2"],
     "t2", [("f2", (MIN_UNREACHABLE, "country", "TN")), ("f3", (MIN_UNREACHABLE, "country", "TN"))], ()),
    ("parity: a woman replaces a woman",
     ranked("m1:A/FR/m", "f1:A/FR/f", "m2:A/FR/m", "f2:A/FR/f"), C(parity=0), 2, ["m1"], ["m2", "f2"],
     "f2", [("m2", (PARITY, "gender", None))], ()),
    ("a minimum nobody left can restore is given up",
     ranked("f1:A/FR/m", "t1:A/TN/m", "f2:A/FR/m"), C(country={"TN": (1, None)}), 2, ["f1"], ["f2"],
     "f2", [], ()),  # lowered to the candidates there are, as in the count (see notices)
    ("a minimum given up when keeping it would break parity",
     ranked("f1:A/FR/f", "t1:A/TN/m", "f2:A/FR/m", "t2:A/TN/f"), C(country={"TN": (1, None)}, parity=0), 2,
     ["f1"], ["f2", "t2"],
     "f2", [], ("minimums",)),
    ("parity given up when nobody keeps it, a maximum never",
     ranked("m1:A/FR/m", "f1:B/FR/f", "m2:A/FR/m", "m3:B/FR/m"), C({"A": (0, 1)}, parity=0), 2, ["m1"],
     ["m2", "m3"],
     "m3", [("m2", (MAX, "college", "A"))], ("minimums", "parity")),
]


@pytest.mark.parametrize(("name", "candidates", "constraints", "seats", "sitting", "subs", "chosen", "skipped",
                          "relaxed"), SUBSTITUTES, ids=[s[0] for s in SUBSTITUTES])
def test_next_substitute(name: str, candidates: list[Candidate], constraints: Constraints, seats: int,
                         sitting: list[str], subs: list[str], chosen: str, skipped: list[tuple[str, tuple]],
                         relaxed: tuple[str, ...]) -> None:
    pool = by_id(candidates)
    choice = next_substitute([pool[i] for i in sitting], [pool[i] for i in subs], constraints, seats)
    assert choice.chosen is not None and choice.chosen.id == chosen
    assert [(s.candidate_id, tuple(s.reason)) for s in choice.skipped] == skipped
    assert choice.relaxed == relaxed


def test_substitute_when_a_minimum_has_nobody_left() -> None:
    pool = by_id(ranked("f1:A/FR/m", "t1:A/TN/m", "f2:A/FR/m"))
    choice = next_substitute([pool["f1"]], [pool["f2"]], C(country={"TN": (1, None)}), 2)
    assert choice.chosen == pool["f2"]
    assert [tuple(n) for n in choice.notices] == [
        ("min_lowered", {"scope": "country", "group": "TN", "min": 1, "candidates": 0})]


def test_no_substitute_when_nobody_fits_a_maximum() -> None:
    pool = by_id(ranked("a1:A/FR/m", "b1:B/FR/m", "a2:A/FR/m"))
    choice = next_substitute([pool["a1"]], [pool["a2"]], C({"A": (0, 1)}), 2)
    assert choice.chosen is None


def test_no_substitute_without_a_vacancy_or_substitutes() -> None:
    pool = by_id(ranked("a:A/FR/m", "b:A/FR/m", "c:A/FR/m"))
    assert next_substitute([pool["a"], pool["b"]], [pool["c"]], C(), 2).chosen is None
    assert next_substitute([pool["a"]], [], C(), 2).chosen is None


def test_vacancy_after_count_follows_the_substitute_list() -> None:
    candidates = ranked("a1:A/FR/m", "a2:A/TN/f", "b1:B/FR/m", "a3:A/FR/f", "b2:B/TN/f", "b3:B/FR/f")
    constraints = C({"A": (0, 2)}, {"TN": (1, None)}, 1)
    result = allocate(candidates, constraints, 3, SEED)
    pool = by_id(candidates)
    assert result.elected == ("a1", "a2", "b1")
    # a2, the only Tunisian, resigns: a3 comes first (A has room again) but TN must be restored
    sitting = [pool["a1"], pool["b1"]]
    subs = [pool[i] for i in result.substitutes]
    choice = next_substitute(sitting, subs, constraints, 3)
    assert choice.chosen is not None and choice.chosen.id == "b2"
    assert [s.candidate_id for s in choice.skipped] == ["a3"]


# --- explanations ----------------------------------------------------------------------------

def test_explain_gives_one_entry_per_skipped_or_out_of_order_candidate() -> None:
    candidates = ranked("a1:A/FR/m", "a2:A/FR/m", "b1:B/FR/m")
    result = allocate(candidates, C({"A": (0, 1)}), 5, SEED)
    assert [tuple(e) for e in explain(result)] == [
        ("a2", "skipped.max", {"rank": 2, "approvals": 99, "scope": "college", "group": "A"}),
        ("b1", "elected.out_of_order", {"rank": 3, "approvals": 98, "passed_over": ("a2",),
                                        "reasons": (Reason(MAX, "college", "A"),)}),
        (None, "notice.vacant", {"vacant": 3, "cause": "constraints", "candidates": 3, "fillable": 2}),
    ]


def test_explain_keys_are_known() -> None:
    known = {"skipped.max", "skipped.min_unreachable", "skipped.parity", "skipped.fill_blocked",
             "skipped.combined", "elected.out_of_order", "draw.tie", "notice.vacant", "notice.min_lowered",
             "notice.infeasible"}
    for _, candidates, constraints, seats, *_ in ALLOCATIONS:
        for entry in explain(allocate(candidates, constraints, seats, SEED)):
            assert entry.key in known


def test_allocation_serialises_to_json() -> None:
    candidates = tie_at_last_seat()
    result = allocate(candidates, C({"A": (0, 2)}, {"TN": (1, None)}, 1), 3, SEED)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["elected"] == list(result.elected)
    assert data["draw"][0]["order"] == list(result.draw[0].order)
    assert isinstance(result, Allocation)


def test_constraints_round_trip() -> None:
    constraints = C({"A": (1, 4), "B": (0, None)}, {"TN": (4, 8)}, 2)
    assert Constraints.from_dict(json.loads(json.dumps(constraints.to_dict()))) == constraints
    assert Constraints.from_dict(None) == Constraints()


# --- ballots ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("choices", "problem"), [
    ([], None),  # blank ballot is valid
    (["a", "b"], None),
    (["a", "b", "c"], "too_many_choices"),
    (["a", "a"], "duplicate_choice"),
    (["zz"], "unknown_candidate"),
])
def test_check_ballot(choices: list[str], problem: str | None) -> None:
    assert check_ballot(choices, {"a", "b", "c"}, 2) == problem


def test_count_approvals() -> None:
    assert count_approvals([["a", "b"], [], ["b"]], ["a", "b", "c"], 2) == {"a": 1, "b": 2, "c": 0}
    with pytest.raises(ValueError, match="ballot 2: too_many_choices"):
        count_approvals([["a"], ["a", "b", "c"]], ["a", "b", "c"], 2)


def test_candidate_validates_gender_and_approvals() -> None:
    with pytest.raises(ValueError):
        Candidate("a", "A", "FR", "f", 1)
    with pytest.raises(ValueError):
        Candidate("a", "A", "FR", "female", -1)
