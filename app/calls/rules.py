"""Pure rules of calls for projects: the funding amount and the registry of eligibility kinds.

No database, no request: every function here is table-tested (tests/calls/test_rules.py).
What a rule set's content looks like, and how its versions are compared and
amended, lives in ``app.calls.content`` (it reads this registry to validate).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from flask_babel import LazyString, lazy_ngettext, ngettext
from flask_babel import lazy_gettext as _l

from app.calls.countries import country_list
from app.calls.money import euro_down, euros, round_euro

LANGS = ("fr", "en", "ar")
PROGRAMME_COUNTRIES = ("FR", "TN")
#: Words of an outcome: a str, a lazy string, or a callable returning one (worded when first read).
Words = Any


# Funding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funding:
    """Funding rules of a rule set: maximum rate of the total budget, ceiling, floor (euros)."""

    rate: Decimal
    ceiling: Decimal | None
    floor: Decimal = Decimal(0)

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> Funding:
        ceiling = data.get("ceiling")
        return cls(rate=Decimal(str(data.get("rate", "1"))),
                   ceiling=Decimal(str(ceiling)) if ceiling not in (None, "") else None,
                   floor=Decimal(str(data.get("floor") or "0")))


@dataclass(frozen=True)
class GrantCalculation:
    """The maximum grant and every figure that explains it."""

    requested: Decimal
    budget: Decimal
    rate: Decimal
    at_rate: Decimal          # rate × budget, exact
    at_rate_rounded: Decimal  # to the euro, half up
    ceiling: Decimal | None
    floor: Decimal
    maximum: Decimal          # min(requested rounded down, rate × budget rounded half up, ceiling)
    limited_by: str           # "requested", "rate" or "ceiling"
    below_floor: bool


def max_grant(requested: Decimal, budget: Decimal, funding: Funding) -> GrantCalculation:
    """``min(requested rounded down to the euro, rate × budget rounded half up, ceiling)`` (DESIGN §3).

    The amount requested is rounded down, never up: the maximum grant is never more than what was
    asked (66,332.50 € requested gives at most 66,332 €), nor than the ceiling (rounded down too, should
    it have cents), while the rate's share keeps the seed's rounding half up (65 % of 102,050 € =
    66,332.50 € gives 66,333 €).
    Ties go to the most explanatory limit in the order requested, ceiling, rate:
    a project asking exactly 65 % is "what it requested".
    """
    at_rate = budget * funding.rate
    rounded = round_euro(at_rate)
    candidates = [("requested", euro_down(requested))]
    if funding.ceiling is not None:
        candidates.append(("ceiling", euro_down(funding.ceiling)))  # a ceiling with cents is never passed
    candidates.append(("rate", rounded))
    limited_by, maximum = min(candidates, key=lambda pair: pair[1])
    return GrantCalculation(requested=requested, budget=budget, rate=funding.rate, at_rate=at_rate,
                            at_rate_rounded=rounded, ceiling=funding.ceiling, floor=funding.floor,
                            maximum=maximum, limited_by=limited_by, below_floor=maximum < funding.floor)


def percent(rate: Decimal) -> Decimal:
    """0.65 → 65 (for sentences); 1 → 100, never 1E+2."""
    return _plain(rate * 100)


def _plain(value: Decimal) -> Decimal:
    """Trailing zeros dropped without going to an exponent (``normalize`` alone turns 20 into 2E+1)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


# Eligibility ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    country: str
    is_member: bool = False


@dataclass(frozen=True)
class ProposalFacts:
    """What eligibility looks at, gathered from a proposal (or its snapshot) by the services."""

    lead_active: bool
    lead_signed_current_charter: bool
    lead_country: str
    partners: tuple[Partner, ...]
    duration_months: int | None
    total_budget: Decimal
    requested: Decimal
    cofinancing: Decimal
    challenges: int
    lead_open_elsewhere: int  # the lead's other open proposals in this call and open grants
    grant: GrantCalculation


class Outcome:
    """One eligibility rule applied to one proposal.

    ``rule`` (the rule in a sentence) and ``reason`` (why it passed or failed) are strings in the
    request's language, worded when first read rather than when the rule is applied: deciding the
    eligibility of thousands of proposals then costs no translation or number formatting, and an
    outcome holds no object of its own until read (the garbage collector's work on kept outcomes was
    most of the time otherwise, tests/bench/calls_bench.py). Read them in the request that evaluated.
    """

    __slots__ = ("kind", "passed", "field", "_rule", "_reason", "_spec", "_params", "_facts")

    def __init__(self, kind: str, passed: bool, rule: Words, reason: Words, field: str) -> None:
        self.kind = kind
        self.passed = passed
        self.field = field  # the proposal section the reason belongs to
        self._rule = rule
        self._reason = reason
        self._spec: RuleKind | None = None

    @classmethod
    def deferred(cls, spec: RuleKind, passed: bool, params: Mapping[str, Any], facts: ProposalFacts) -> Outcome:
        """An outcome worded on first read, from its rule kind, parameters and facts."""
        outcome = cls(spec.kind, passed, None, None, spec.section)
        outcome._spec, outcome._params, outcome._facts = spec, params, facts
        return outcome

    @property
    def rule(self) -> str:
        if not isinstance(self._rule, str):
            words = self._spec.sentence(self._params) if self._rule is None and self._spec else self._rule
            self._rule = _word(words)
        return self._rule

    @property
    def reason(self) -> str:
        if not isinstance(self._reason, str):
            words = self._spec.check(self._params, self._facts)[1] if self._reason is None and self._spec \
                else self._reason
            self._reason = _word(words)
        return self._reason

    def _key(self) -> tuple[str, bool, str, str, str]:
        return self.kind, self.passed, self.rule, self.reason, self.field

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Outcome) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.kind, self.passed, self.field))

    def __repr__(self) -> str:
        return f"Outcome(kind={self.kind!r}, passed={self.passed!r}, reason={self.reason!r})"


def _word(words: Words) -> str:
    return str(words() if callable(words) else words)


@dataclass(frozen=True)
class RuleKind:
    """A registered eligibility kind: its parameters (name → type), its sentence and its check."""

    kind: str
    params: Mapping[str, str]          # name -> "int" | "money" | "percent" | "countries"
    section: str                        # proposal section the failure points to
    sentence: Callable[[Mapping[str, Any]], str]
    check: Callable[[Mapping[str, Any], ProposalFacts], tuple[bool, Words]]  # reason as a lazy string
    defaults: Mapping[str, Any] = field(default_factory=dict)


REGISTRY: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    REGISTRY[kind.kind] = kind
    return kind


def _euros(value: Any) -> LazyString:
    """An amount as shown in the request's language (``money.euros``), formatted when the text holding it is
    read."""
    return LazyString(euros, value)


def _share(value: Decimal, pattern: str = "#,##0.##") -> LazyString:
    """A percentage's number in the request's language (32,5 in French), never with an exponent."""
    from flask_babel import format_decimal

    return LazyString(format_decimal, value, format=pattern)


def _names(codes: tuple[str, ...]) -> LazyString:
    """Countries by name in the request's language ("Tunisia", "Mali or Guinea"), worded when read."""
    return LazyString(country_list, codes)


def _int(params: Mapping[str, Any], name: str) -> int:
    return int(Decimal(str(params.get(name) or 0)))  # "12.0" from a form is 12 (``int("12.0")`` fails)


def _dec(params: Mapping[str, Any], name: str) -> Decimal:
    return Decimal(str(params.get(name) or "0"))


def _countries(params: Mapping[str, Any]) -> tuple[str, ...]:
    raw = params.get("countries") or ()
    if isinstance(raw, str):
        raw = raw.replace(";", ",").split(",")
    return tuple(c.strip().upper() for c in raw if c and c.strip())


def _lead_active(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    if not facts.lead_active:
        return False, _l("The lead organisation is not an active member of the programme.")
    if not facts.lead_signed_current_charter:
        return False, _l("The lead organisation has not signed the current charter.")
    return True, _l("The lead organisation is an active member and signed the current charter.")


def _min_partners(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    n, count = _int(params, "n"), len(facts.partners)
    if count < n:
        return False, lazy_ngettext("At least %(num)d partner is required; the proposal names %(count)s.",
                                    "At least %(num)d partners are required; the proposal names %(count)s.",
                                    n, count=count)
    return True, lazy_ngettext("The proposal names %(num)d partner.", "The proposal names %(num)d partners.", count)


def _other_country(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    listed = _countries(params)
    wanted = set(listed) if listed else set(PROGRAMME_COUNTRIES) - {facts.lead_country}
    if any(p.country.upper() in wanted for p in facts.partners):
        return True, _l("At least one partner is from %(countries)s.", countries=_names(tuple(sorted(wanted))))
    return False, _l("No partner is from %(countries)s.", countries=_names(tuple(sorted(wanted))))


def _duration(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    low, high = _int(params, "min_months"), _int(params, "max_months")
    months = facts.duration_months
    if months is None:
        return False, _l("The duration is not given.")
    if months < low or months > high:
        return False, _l("The duration is %(months)s months; it must be between %(low)s and %(high)s months.",
                         months=months, low=low, high=high)
    return True, _l("The duration is %(months)s months.", months=months)


def _budget(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    low, high = _dec(params, "min"), _dec(params, "max")
    if facts.total_budget < low or facts.total_budget > high:
        return False, _l("The total budget is %(budget)s; it must be between %(low)s and %(high)s.",
                         budget=_euros(facts.total_budget), low=_euros(low), high=_euros(high))
    return True, _l("The total budget is %(budget)s.", budget=_euros(facts.total_budget))


def _cofinancing(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    need = _dec(params, "min_percent")
    if facts.total_budget <= 0:
        return need <= 0, _l("The budget is empty, so co-financing cannot be measured.")
    share = facts.cofinancing * 100 / facts.total_budget
    shown = _share(share.quantize(Decimal("0.01"), rounding=ROUND_DOWN))  # 25, 24.9, 24.99 (never 25 for 24.999)
    if share < need:
        return False, _l("Co-financing is %(share)s %% of the budget; at least %(need)s %% is required.",
                         share=shown, need=_share(need))
    return True, _l("Co-financing is %(share)s %% of the budget.", share=shown)


def _requested(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    grant = facts.grant
    if grant.below_floor:
        return False, _l("The maximum grant, %(max)s, is below the call's floor of %(floor)s.",
                         max=_euros(grant.maximum), floor=_euros(grant.floor))
    if euro_down(facts.requested) > grant.maximum:  # rounded as ``max_grant`` rounds it
        return False, _l("The amount requested, %(req)s, is above the maximum grant of %(max)s.",
                         req=_euros(facts.requested), max=_euros(grant.maximum))
    return True, _l("The amount requested, %(req)s, is within the maximum grant of %(max)s.",
                    req=_euros(facts.requested), max=_euros(grant.maximum))


def _challenges(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    n = max(_int(params, "n"), 1)
    if facts.challenges < n:
        return False, _l("The proposal addresses %(count)s of the call's challenges; at least %(n)s required.",
                         count=facts.challenges, n=n)
    return True, _l("The proposal addresses %(count)s of the call's challenges.", count=facts.challenges)


def _open_per_lead(params: Mapping[str, Any], facts: ProposalFacts) -> tuple[bool, Words]:
    k = _int(params, "k")
    if facts.lead_open_elsewhere >= k:
        return False, lazy_ngettext(
            "At most %(num)d open proposal or grant is allowed per lead; the lead organisation already holds "
            "%(count)s.",
            "At most %(num)d open proposals or grants are allowed per lead; the lead organisation already holds "
            "%(count)s.", k, count=facts.lead_open_elsewhere)
    return True, lazy_ngettext("The lead organisation holds %(num)d other open proposal or grant.",
                               "The lead organisation holds %(num)d other open proposals or grants.",
                               facts.lead_open_elsewhere)


register(RuleKind("lead_active_member", {}, "lead",
                  lambda p: str(_l("The lead applicant is an active member that signed the current charter.")),
                  _lead_active))
register(RuleKind("min_partners", {"n": "int"}, "partners",
                  lambda p: ngettext("At least %(num)d partner.", "At least %(num)d partners.", _int(p, "n")),
                  _min_partners, {"n": 1}))
register(RuleKind("partner_other_country", {"countries": "countries"}, "partners",
                  lambda p: str(_l("At least one partner from %(countries)s.", countries=_names(_countries(p))))
                  if _countries(p) else str(_l("At least one partner from the other country of the programme.")),
                  _other_country))
register(RuleKind("duration_range", {"min_months": "int", "max_months": "int"}, "dates",
                  lambda p: str(_l("A duration between %(low)s and %(high)s months.",
                                   low=_int(p, "min_months"), high=_int(p, "max_months"))),
                  _duration, {"min_months": 12, "max_months": 36}))
register(RuleKind("budget_range", {"min": "money", "max": "money"}, "budget",
                  lambda p: str(_l("A total budget between %(low)s and %(high)s.",
                                   low=_euros(_dec(p, "min")), high=_euros(_dec(p, "max")))),
                  _budget, {"min": "0", "max": "1000000"}))
register(RuleKind("cofinancing_share", {"min_percent": "percent"}, "cofinancing",
                  lambda p: str(_l("Co-financing of at least %(need)s %% of the budget.",
                                   need=_share(_dec(p, "min_percent")))),
                  _cofinancing, {"min_percent": "35"}))
register(RuleKind("requested_within_max", {}, "budget",
                  lambda p: str(_l("The amount requested is not above the computed maximum grant.")), _requested))
register(RuleKind("challenge_addressed", {"n": "int"}, "challenges",
                  lambda p: str(_l("At least %(n)s of the call's challenges addressed.", n=max(_int(p, "n"), 1))),
                  _challenges, {"n": 1}))
register(RuleKind("max_open_per_lead", {"k": "int"}, "lead",
                  lambda p: ngettext("The lead holds at most %(num)d open grant or proposal in this call.",
                                     "The lead holds at most %(num)d open grants or proposals in this call.",
                                     _int(p, "k")),
                  _open_per_lead, {"k": 1}))


def facts_to_dict(facts: ProposalFacts) -> dict[str, Any]:
    """Facts as JSON (kept in a snapshot so its reasons can be re-worded in any language later)."""
    grant = facts.grant
    return {"lead_active": facts.lead_active, "lead_signed_current_charter": facts.lead_signed_current_charter,
            "lead_country": facts.lead_country,
            "partners": [{"country": p.country, "is_member": p.is_member} for p in facts.partners],
            "duration_months": facts.duration_months, "total_budget": str(facts.total_budget),
            "requested": str(facts.requested), "cofinancing": str(facts.cofinancing),
            "challenges": facts.challenges, "lead_open_elsewhere": facts.lead_open_elsewhere,
            "funding": {"rate": str(grant.rate), "ceiling": None if grant.ceiling is None else str(grant.ceiling),
                        "floor": str(grant.floor)}}


def facts_from_dict(data: Mapping[str, Any]) -> ProposalFacts:
    """The inverse of ``facts_to_dict`` (the grant is recomputed from the stored funding rules)."""
    requested, budget = Decimal(data["requested"]), Decimal(data["total_budget"])
    return ProposalFacts(
        lead_active=data["lead_active"], lead_signed_current_charter=data["lead_signed_current_charter"],
        lead_country=data["lead_country"],
        partners=tuple(Partner(p["country"], p.get("is_member", False)) for p in data["partners"]),
        duration_months=data["duration_months"], total_budget=budget, requested=requested,
        cofinancing=Decimal(data["cofinancing"]), challenges=data["challenges"],
        lead_open_elsewhere=data["lead_open_elsewhere"],
        grant=max_grant(requested, budget, Funding.from_content(data["funding"])))


def describe(kind: str, params: Mapping[str, Any]) -> str:
    """A rule in a sentence, in the current language."""
    return REGISTRY[kind].sentence(params)


def evaluate(eligibility: Mapping[str, Mapping[str, Any]], facts: ProposalFacts) -> list[Outcome]:
    """Every rule of the rule set applied to the facts, in registry order."""
    outcomes = []
    for kind, spec in REGISTRY.items():
        if kind not in eligibility:
            continue
        params = eligibility[kind] or {}
        outcomes.append(Outcome.deferred(spec, spec.check(params, facts)[0], params, facts))
    return outcomes


def eligible(outcomes: list[Outcome], overrides: Mapping[str, bool] | None = None) -> bool:
    """All rules pass, counting the secretariat's overrides (kind → passed) where given."""
    overrides = overrides or {}
    return all(overrides.get(o.kind, o.passed) for o in outcomes)
