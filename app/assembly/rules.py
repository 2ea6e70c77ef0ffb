"""Pure vote rules: tally, quorum, majority and double majority.

Exact rational arithmetic (``Fraction``) everywhere: two-thirds of 9 is 6,
never 5.999. No database, no Flask: table-tested in tests/assembly/test_rules.py.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

FOR, AGAINST, ABSTAIN = "for", "against", "abstain"
OPTIONS = (FOR, AGAINST, ABSTAIN)


class MajorityBase(StrEnum):
    """What the ``for`` votes are compared with."""

    expressed = "expressed"  # votes cast excluding abstentions
    cast = "cast"  # every ballot cast, abstentions included
    electorate = "electorate"  # every member of the frozen electorate


class Outcome(StrEnum):
    adopted = "adopted"
    rejected = "rejected"
    no_quorum = "no_quorum"


@dataclass(frozen=True)
class Threshold:
    """``for / base`` must be above ``ratio`` (strict) or at least ``ratio``."""

    ratio: Fraction
    strict: bool

    def met(self, votes_for: int, base: int) -> bool:
        if base <= 0:
            return False
        share = Fraction(votes_for, base)
        return share > self.ratio if self.strict else share >= self.ratio


MORE_THAN_HALF = Threshold(Fraction(1, 2), strict=True)
TWO_THIRDS = Threshold(Fraction(2, 3), strict=False)
THRESHOLDS: dict[str, Threshold] = {"half": MORE_THAN_HALF, "two_thirds": TWO_THIRDS}


@dataclass(frozen=True)
class MajorityRule:
    """A majority as data: base × threshold, optionally also within each college."""

    base: MajorityBase = MajorityBase.expressed
    threshold: str = "half"
    double: bool = False

    @classmethod
    def preset(cls, name: str, double: bool = False) -> MajorityRule:
        """The named rules the statutes use."""
        presets = {
            "simple": cls(MajorityBase.expressed, "half", double),
            "absolute": cls(MajorityBase.electorate, "half", double),
            "two_thirds": cls(MajorityBase.expressed, "two_thirds", double),
        }
        return presets[name]


@dataclass(frozen=True)
class QuorumRule:
    """Present or represented members ÷ electorate must reach ``ratio``.

    ``second_convocation``: the statutes let a second sitting decide without quorum.
    """

    ratio: Fraction = Fraction(1, 2)
    strict: bool = False
    second_convocation: bool = False


def quorum_reached(present_or_represented: int, electorate: int, rule: QuorumRule) -> bool:
    """Whether the sitting may decide. An empty electorate never has quorum."""
    if rule.second_convocation:
        return True
    if electorate <= 0:
        return False
    share = Fraction(present_or_represented, electorate)
    return share > rule.ratio if rule.strict else share >= rule.ratio


@dataclass(frozen=True)
class Counts:
    """Ballots per option for one population (the whole electorate or a college)."""

    votes_for: int = 0
    against: int = 0
    abstain: int = 0
    electorate: int = 0

    @property
    def cast(self) -> int:
        return self.votes_for + self.against + self.abstain

    @property
    def expressed(self) -> int:
        return self.votes_for + self.against

    def base(self, base: MajorityBase) -> int:
        return {MajorityBase.expressed: self.expressed, MajorityBase.cast: self.cast,
                MajorityBase.electorate: self.electorate}[base]


def tally(choices: Iterable[str], electorate: int) -> Counts:
    """Count ballots; an unknown choice is a bug upstream, so it raises."""
    counter = Counter(choices)
    unknown = set(counter) - set(OPTIONS)
    if unknown:
        raise ValueError(f"unknown choices: {sorted(unknown)}")
    return Counts(counter[FOR], counter[AGAINST], counter[ABSTAIN], electorate)


def majority_met(counts: Counts, rule: MajorityRule) -> bool:
    """Whether ``for`` reaches the rule's threshold of its base (zero base: not met)."""
    return THRESHOLDS[rule.threshold].met(counts.votes_for, counts.base(rule.base))


@dataclass(frozen=True)
class Decision:
    """The outcome with the facts that justify it."""

    outcome: Outcome
    overall_met: bool
    colleges_met: Mapping[str, bool] = field(default_factory=dict)


def decide(overall: Counts, rule: MajorityRule, quorum: bool, by_college: Mapping[str, Counts] | None = None
           ) -> Decision:
    """Adopted when quorum is reached, the overall majority is met and, for a double
    majority, the majority is met within every college that has electors.

    A college with an empty electorate is not counted (it cannot block);
    a college with electors but no ballot fails the majority.
    """
    if not quorum:
        return Decision(Outcome.no_quorum, False)
    overall_met = majority_met(overall, rule)
    colleges_met: dict[str, bool] = {}
    if rule.double:
        for code, counts in sorted((by_college or {}).items()):
            if counts.electorate > 0:
                colleges_met[code] = majority_met(counts, rule)
    adopted = overall_met and all(colleges_met.values())
    return Decision(Outcome.adopted if adopted else Outcome.rejected, overall_met, colleges_met)


class ProxyRefusal(StrEnum):
    """Why the statutes refuse a proxy (DESIGN §3: a cap per holder, no chains, not to oneself)."""

    to_itself = "to_itself"
    giver_inactive = "giver_inactive"
    holder_inactive = "holder_inactive"
    already_given = "already_given"
    holder_gave = "holder_gave"  # would make a chain: the holder passes its own vote on
    giver_holds = "giver_holds"  # would make a chain: the giver passes on votes it carries
    cap_reached = "cap_reached"


@dataclass(frozen=True)
class ProxyFacts:
    """What the proxy rule needs to know, read from the database by the service."""

    same_member: bool
    giver_active: bool
    holder_active: bool
    giver_gave: bool
    holder_gave: bool
    giver_holds: int
    holder_carries: int
    max_proxies: int


def proxy_refusal(facts: ProxyFacts) -> ProxyRefusal | None:
    """The first reason the proxy is refused, or None when the statutes allow it."""
    checks = (
        (facts.same_member, ProxyRefusal.to_itself),
        (not facts.giver_active, ProxyRefusal.giver_inactive),
        (not facts.holder_active, ProxyRefusal.holder_inactive),
        (facts.giver_gave, ProxyRefusal.already_given),
        (facts.holder_gave, ProxyRefusal.holder_gave),
        (facts.giver_holds > 0, ProxyRefusal.giver_holds),
        (facts.holder_carries >= facts.max_proxies, ProxyRefusal.cap_reached),
    )
    return next((reason for refused, reason in checks if refused), None)
