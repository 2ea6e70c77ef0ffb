"""The README is the complete specification of a resolution's count: an independent count written
from the README alone ("The count of a resolution") agrees with the platform's on generated
boards, including the cases a literal reading used to get wrong (issue 10 §1: a majority over an
empty base, ``overall_met`` and per-college ``met`` when the quorum fails).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assembly.rules import MajorityBase, MajorityRule, QuorumRule
from app.assembly.voting import compute_result


def readme_count(ballots: list[tuple[str, str]], by_college: dict[str, int], participants: int,
                 rules: dict[str, Any]) -> dict[str, Any]:
    """The README's count, nothing else: (college, choice) ballots, the electorate per college,
    the number of participants, the board's ``rules``."""
    majority, quorum = rules["majority"], rules["quorum"]
    electorate = sum(by_college.values())

    def counts(choices: list[str]) -> dict[str, int]:
        return {c: choices.count(c) for c in ("for", "against", "abstain")}

    def met(c: dict[str, int], electors: int) -> bool:
        base = {"expressed": c["for"] + c["against"], "cast": c["for"] + c["against"] + c["abstain"],
                "electorate": electors}[majority["base"]]
        if base == 0:
            return False  # a majority over an empty base is never met
        share = Fraction(c["for"], base)
        return share > Fraction(1, 2) if majority["threshold"] == "half" else share >= Fraction(2, 3)

    ratio = Fraction(quorum["ratio"])
    if quorum["second_convocation"]:
        reached = True
    elif electorate == 0:
        reached = False
    else:
        share = Fraction(participants, electorate)
        reached = share > ratio if quorum["strict"] else share >= ratio
    overall = counts([choice for _, choice in ballots])
    colleges = {code: counts([choice for college, choice in ballots if college == code])
                for code in sorted(by_college)} if majority["double_majority"] else {}
    if not reached:
        outcome, overall_met, college_met = "no_quorum", False, dict.fromkeys(colleges)
    else:
        overall_met = met(overall, electorate)
        college_met = {code: met(c, by_college[code]) if by_college[code] > 0 else None
                       for code, c in colleges.items()}
        adopted = overall_met and all(v for v in college_met.values() if v is not None)
        outcome = "adopted" if adopted else "rejected"
    return {
        "electorate": electorate, "participation": participants, "ballots": len(ballots),
        "quorum": {**quorum, "reached": reached}, "counts": overall,
        "rule": dict(majority), "outcome": outcome, "overall_met": overall_met,
        "by_college": {code: {"electorate": by_college[code], **c, "met": college_met[code]}
                       for code, c in colleges.items()},
    }


def platform_count(ballots: list[tuple[str, str]], by_college: dict[str, int], participants: int,
                   rules: dict[str, Any]) -> dict[str, Any]:
    majority, quorum = rules["majority"], rules["quorum"]
    result = compute_result(
        choices_by_college=ballots, electorate_by_college=by_college, participation=participants,
        rule=MajorityRule(MajorityBase(majority["base"]), majority["threshold"], majority["double_majority"]),
        quorum=QuorumRule(Fraction(quorum["ratio"]), strict=quorum["strict"],
                          second_convocation=quorum["second_convocation"]), final_hash="f" * 64)
    del result["final_hash"]
    return result


def _rules(base: str = "expressed", threshold: str = "half", double: bool = False, ratio: str = "1/2",
           strict: bool = False, second: bool = False) -> dict[str, Any]:
    return {"majority": {"base": base, "threshold": threshold, "double_majority": double},
            "quorum": {"ratio": ratio, "strict": strict, "second_convocation": second}}


CASES = {
    # (ballots, electorate per college, participants, rules) -> the README's open points, each checked
    "only abstentions: empty base, rejected": ([("a", "abstain")] * 3, {"a": 4}, 3, _rules()),
    "a college with electors and no ballot fails": ([("a", "for")] * 3, {"a": 3, "b": 2}, 3, _rules(double=True)),
    "quorum failed: overall_met false, met null": ([("a", "for")] * 1, {"a": 3, "b": 2}, 1, _rules(double=True)),
    "quorum failed, single majority": ([("a", "for")], {"a": 5}, 1, _rules()),
    "two thirds of 9 is 6": ([("a", "for")] * 6 + [("a", "against")] * 3, {"a": 9}, 9, _rules(threshold="two_thirds")),
    "strict quorum exactly at the ratio": ([("a", "for")] * 2, {"a": 4}, 2, _rules(strict=True)),
    "second convocation, nobody": ([], {"a": 4}, 0, _rules(second=True)),
    "empty electorate": ([], {}, 0, _rules()),
    "electorate base": ([("a", "for")] * 3 + [("a", "abstain")] * 2, {"a": 7}, 5, _rules(base="electorate")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_readme_count_is_the_platform_count(name: str) -> None:
    args = CASES[name]
    assert readme_count(*args) == platform_count(*args)


def test_the_open_points_as_the_readme_states_them() -> None:
    assert platform_count(*CASES["only abstentions: empty base, rejected"])["outcome"] == "rejected"
    failed = platform_count(*CASES["quorum failed: overall_met false, met null"])
    assert failed["outcome"] == "no_quorum" and failed["overall_met"] is False
    assert {c["met"] for c in failed["by_college"].values()} == {None}
    assert failed["by_college"]["a"]["for"] == 1  # counts still given


@st.composite
def boards(draw: st.DrawFn) -> tuple[list[tuple[str, str]], dict[str, int], int, dict[str, Any]]:
    by_college = draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 6), max_size=3))
    ballots = []
    for code, size in by_college.items():
        cast = draw(st.integers(0, size))
        ballots += [(code, draw(st.sampled_from(["for", "against", "abstain"]))) for _ in range(cast)]
    rules = _rules(draw(st.sampled_from(["expressed", "cast", "electorate"])), draw(st.sampled_from(["half",
                   "two_thirds"])), draw(st.booleans()), draw(st.sampled_from(["1/2", "1/3", "2/3", "1", "0"])),
                   draw(st.booleans()), draw(st.booleans()))
    return ballots, by_college, len(ballots), rules


@settings(max_examples=400, deadline=None)
@given(board=boards())
def test_generated_boards_agree(board: tuple[list[tuple[str, str]], dict[str, int], int, dict[str, Any]]) -> None:
    assert readme_count(*board) == platform_count(*board)
