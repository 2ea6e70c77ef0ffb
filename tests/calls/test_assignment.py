"""The reviewers' suggestion (pure): R per proposal, load balanced, never conflicted, one per organisation."""
from __future__ import annotations

import pytest

from app.calls.assignment import Reviewer, suggest

R = [Reviewer(1, 10), Reviewer(2, 20), Reviewer(3, 30), Reviewer(4, 40)]


def _count(s, pid):  # noqa: ANN001, ANN202
    return len(s.added_to(pid))


@pytest.mark.parametrize(("proposals", "per", "existing", "conflicts", "expected", "shortfalls"), [
    # two proposals, two reviewers each, four reviewers: perfectly balanced
    ([1, 2], 2, {}, {}, {1: [1, 2], 2: [3, 4]}, {}),
    # a conflict: reviewer 1's member (10) is partner of proposal 1
    ([1], 3, {}, {1: [10]}, {1: [2, 3, 4]}, {}),
    # already assigned reviewers count, and their load too
    ([1, 2], 2, {1: [1]}, {}, {1: [2], 2: [3, 4]}, {}),
    # not enough reviewers free of conflict: a shortfall
    ([1], 3, {}, {1: [10, 20]}, {1: [3, 4]}, {1: 1}),
    # nothing to do
    ([1], 1, {1: [4]}, {}, {1: []}, {}),
])
def test_suggest_table(proposals, per, existing, conflicts, expected, shortfalls) -> None:  # noqa: ANN001
    s = suggest(proposals, R, per_proposal=per, existing=existing, conflicts=conflicts)
    assert {pid: sorted(s.added_to(pid)) for pid in proposals} == expected
    assert dict(s.shortfalls) == shortfalls


def test_one_reviewer_per_organisation() -> None:
    same = [Reviewer(1, 10), Reviewer(2, 10), Reviewer(3, 30)]
    s = suggest([1], same, per_proposal=3, existing={}, conflicts={})
    assert sorted(s.added_to(1)) == [1, 3]
    assert s.shortfalls == {1: 1}
    # nor alongside a representative already assigned
    s = suggest([1], same, per_proposal=2, existing={1: [2]}, conflicts={})
    assert s.added_to(1) == [3]


def test_load_is_balanced_over_many_proposals() -> None:
    s = suggest(list(range(1, 11)), R, per_proposal=2, existing={}, conflicts={})
    assert not s.shortfalls
    assert sorted(s.loads.values()) == [5, 5, 5, 5]
    for pid in range(1, 11):
        assert _count(s, pid) == 2


def test_scarce_reviewer_goes_where_needed() -> None:
    # proposal 1 can only be reviewed by reviewer 4 (others conflicted); proposal 2 by anyone
    s = suggest([2, 1], R, per_proposal=1, existing={}, conflicts={1: [10, 20, 30]})
    assert s.added_to(1) == [4]
    assert s.added_to(2) == [1]


def test_never_a_conflicted_reviewer() -> None:
    conflicts = {pid: [10] for pid in range(1, 6)}
    s = suggest(list(range(1, 6)), R, per_proposal=3, existing={}, conflicts=conflicts)
    assert all(rid != 1 for _, rid in s.additions)


def test_member_less_reviewer_is_not_grouped() -> None:
    s = suggest([1], [Reviewer(1, None), Reviewer(2, None)], per_proposal=2, existing={}, conflicts={})
    assert sorted(s.added_to(1)) == [1, 2]
