"""Quorum, majority, double majority and tally: table-driven, exact arithmetic."""
from __future__ import annotations

from fractions import Fraction

import pytest

from app.assembly.rules import (
    Counts,
    MajorityBase,
    MajorityRule,
    Outcome,
    QuorumRule,
    decide,
    majority_met,
    quorum_reached,
    tally,
)

SIMPLE = MajorityRule.preset("simple")
ABSOLUTE = MajorityRule.preset("absolute")
TWO_THIRDS = MajorityRule.preset("two_thirds")
TWO_THIRDS_CAST = MajorityRule(MajorityBase.cast, "two_thirds")


@pytest.mark.parametrize(("counts", "rule", "met"), [
    # simple majority of votes expressed (abstentions excluded), strictly more than half
    (Counts(5, 4, 0, 20), SIMPLE, True),
    (Counts(5, 5, 0, 20), SIMPLE, False),  # tie is not a majority
    (Counts(5, 4, 10, 20), SIMPLE, True),  # abstentions do not count
    (Counts(1, 0, 0, 20), SIMPLE, True),
    (Counts(0, 0, 0, 20), SIMPLE, False),  # zero votes cast
    (Counts(0, 0, 7, 20), SIMPLE, False),  # everyone abstains
    # absolute majority: more than half of the electorate
    (Counts(10, 0, 0, 20), ABSOLUTE, False),  # exactly half is not more than half
    (Counts(11, 0, 0, 20), ABSOLUTE, True),
    (Counts(5, 0, 0, 9), ABSOLUTE, True),  # 5/9 > 1/2
    (Counts(4, 0, 0, 9), ABSOLUTE, False),
    (Counts(1, 0, 0, 0), ABSOLUTE, False),  # empty electorate
    # two-thirds of votes expressed, "at least"
    (Counts(6, 3, 0, 9), TWO_THIRDS, True),  # two-thirds of 9 is 6
    (Counts(5, 4, 0, 9), TWO_THIRDS, False),
    (Counts(6, 3, 5, 30), TWO_THIRDS, True),  # abstentions excluded
    (Counts(2, 1, 0, 3), TWO_THIRDS, True),
    (Counts(66, 34, 0, 100), TWO_THIRDS, False),  # 0.66 < 2/3
    (Counts(67, 33, 0, 100), TWO_THIRDS, True),
    # two-thirds of votes cast, abstentions included
    (Counts(6, 0, 3, 9), TWO_THIRDS_CAST, True),
    (Counts(6, 0, 4, 10), TWO_THIRDS_CAST, False),
])
def test_majority(counts: Counts, rule: MajorityRule, met: bool) -> None:
    assert majority_met(counts, rule) is met


@pytest.mark.parametrize(("present", "electorate", "rule", "reached"), [
    (35, 70, QuorumRule(), True),  # exactly half reaches the default quorum
    (34, 70, QuorumRule(), False),
    (35, 70, QuorumRule(strict=True), False),
    (36, 70, QuorumRule(strict=True), True),
    (0, 0, QuorumRule(), False),  # empty electorate
    (0, 70, QuorumRule(second_convocation=True), True),  # second convocation: no quorum needed
    (47, 70, QuorumRule(Fraction(2, 3)), True),  # 47/70 > 2/3
    (46, 70, QuorumRule(Fraction(2, 3)), False),
    (6, 9, QuorumRule(Fraction(2, 3)), True),
])
def test_quorum(present: int, electorate: int, rule: QuorumRule, reached: bool) -> None:
    assert quorum_reached(present, electorate, rule) is reached


def test_tally_counts_each_option() -> None:
    assert tally(["for", "against", "for", "abstain"], 10) == Counts(2, 1, 1, 10)
    assert tally([], 0) == Counts(0, 0, 0, 0)


def test_tally_refuses_unknown_choice() -> None:
    with pytest.raises(ValueError):
        tally(["for", "maybe"], 3)


DOUBLE = MajorityRule.preset("simple", double=True)


@pytest.mark.parametrize(("overall", "colleges", "rule", "quorum", "outcome", "colleges_met"), [
    (Counts(6, 4, 0, 12), {}, SIMPLE, True, Outcome.adopted, {}),
    (Counts(5, 5, 0, 12), {}, SIMPLE, True, Outcome.rejected, {}),
    (Counts(6, 4, 0, 12), {}, SIMPLE, False, Outcome.no_quorum, {}),
    # double majority: met overall and in both colleges
    (Counts(6, 4, 0, 12), {"tn": Counts(3, 2, 0, 6), "fr": Counts(3, 2, 0, 6)}, DOUBLE, True, Outcome.adopted,
     {"fr": True, "tn": True}),
    # met overall, but one college against
    (Counts(7, 3, 0, 12), {"tn": Counts(5, 0, 0, 6), "fr": Counts(2, 3, 0, 6)}, DOUBLE, True, Outcome.rejected,
     {"fr": False, "tn": True}),
    # an empty college cannot block
    (Counts(4, 1, 0, 6), {"tn": Counts(4, 1, 0, 6), "auth": Counts(0, 0, 0, 0)}, DOUBLE, True, Outcome.adopted,
     {"tn": True}),
    # a college with electors but only abstentions fails
    (Counts(4, 1, 2, 8), {"tn": Counts(4, 1, 0, 6), "fr": Counts(0, 0, 2, 2)}, DOUBLE, True, Outcome.rejected,
     {"fr": False, "tn": True}),
])
def test_decide(overall, colleges, rule, quorum, outcome, colleges_met) -> None:
    decision = decide(overall, rule, quorum, colleges)
    assert decision.outcome == outcome
    assert dict(decision.colleges_met) == colleges_met


# Proxies (pure rule; the service reads the facts) --------------------------------------------------

from app.assembly.rules import ProxyFacts, ProxyRefusal, proxy_refusal  # noqa: E402

_ALLOWED = ProxyFacts(same_member=False, giver_active=True, holder_active=True, giver_gave=False,
                      holder_gave=False, giver_holds=0, holder_carries=0, max_proxies=1)


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, None),
    ({"holder_carries": 1}, ProxyRefusal.cap_reached),  # exactly the cap of 1
    ({"holder_carries": 1, "max_proxies": 2}, None),  # one below a cap of 2
    ({"holder_carries": 2, "max_proxies": 2}, ProxyRefusal.cap_reached),
    ({"max_proxies": 0}, ProxyRefusal.cap_reached),  # statutes allowing no proxy at all
    ({"same_member": True}, ProxyRefusal.to_itself),
    ({"giver_active": False}, ProxyRefusal.giver_inactive),
    ({"holder_active": False}, ProxyRefusal.holder_inactive),
    ({"giver_gave": True}, ProxyRefusal.already_given),
    ({"holder_gave": True}, ProxyRefusal.holder_gave),  # no chain through the holder
    ({"giver_holds": 1}, ProxyRefusal.giver_holds),  # no chain through the giver
    ({"same_member": True, "holder_carries": 5}, ProxyRefusal.to_itself),  # the first reason is given
])
def test_proxy_rule(changes: dict, expected: ProxyRefusal | None) -> None:
    from dataclasses import replace

    assert proxy_refusal(replace(_ALLOWED, **changes)) == expected
