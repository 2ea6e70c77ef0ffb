"""Pure rules of calls for projects: funding amount, eligibility kinds, rule-set content and its versions.

No database, no request: every function here is table-tested (tests/calls/test_rules.py).

A rule set's *content* is plain data (JSON in the database)::

    {"eligibility": {"<kind>": {<params>}, ...},          # the kinds that apply, with their values
     "funding": {"rate": "0.65", "ceiling": "66440", "floor": "0"},
     "criteria": {"<code>": {"name": {"fr","en","ar"}, "description": {"fr","en","ar"},
                             "weight": 3, "scale_max": 5, "na_allowed": false,
                             "min_justification": 50, "position": 1}}}

Amounts in content are decimal strings of euros (never floats). Versions are
compared leaf by leaf (``flatten``/``diff``) and an amendment is a list of leaf
changes ``(path, old, new)`` applied with a three-way check (``apply_changes``).
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from flask_babel import LazyString, lazy_ngettext, ngettext
from flask_babel import lazy_gettext as _l

from app.calls.countries import country_list
from app.calls.money import euro_down, euros, round_euro

LANGS = ("fr", "en", "ar")
PROGRAMME_COUNTRIES = ("FR", "TN")
ABSENT: Any = None  # a leaf that does not exist
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


# Content: validation, flatten, diff, apply -------------------------------------------------


def empty_content() -> dict[str, Any]:
    return {"eligibility": {}, "funding": {"rate": "1", "ceiling": "", "floor": "0"}, "criteria": {}}


def validate(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of a rule set's content as (field path, translated message); empty when valid."""
    problems: list[tuple[str, str]] = []
    for kind, params in (content.get("eligibility") or {}).items():
        spec = REGISTRY.get(kind)
        if spec is None:
            problems.append((f"eligibility.{kind}", str(_l("Unknown eligibility rule."))))
            continue
        for name, type_ in spec.params.items():
            value = (params or {}).get(name)
            path = f"eligibility.{kind}.{name}"
            if type_ == "countries":
                if any(len(c) != 2 or not c.isalpha() for c in _countries(params or {})):
                    problems.append((path, str(_l("Give two-letter country codes separated by commas."))))
                continue
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                number = Decimal("NaN")
            if not number.is_finite():
                problems.append((path, str(_l("Enter a number."))))
                continue
            if number < 0 or (type_ == "int" and number != number.to_integral_value()):
                problems.append((path, str(_l("Enter a whole number, zero or more.")) if type_ == "int"
                                 else str(_l("Enter an amount, zero or more."))))
            if type_ == "percent" and number > 100:
                problems.append((path, str(_l("A percentage is at most 100."))))
        if any(p[0].startswith(f"eligibility.{kind}.") for p in problems):
            continue  # the bounds are compared only once each is a valid number
        if kind == "duration_range" and _int(params, "min_months") > _int(params, "max_months"):
            problems.append((f"eligibility.{kind}.max_months", str(_l("The maximum is below the minimum."))))
        if kind == "budget_range" and _dec(params, "min") > _dec(params, "max"):
            problems.append((f"eligibility.{kind}.max", str(_l("The maximum is below the minimum."))))
    funding = content.get("funding") or {}
    try:
        rate = Decimal(str(funding.get("rate")))
        if not Decimal(0) < rate <= Decimal(1):
            problems.append(("funding.rate", str(_l("The rate is a share of the budget above 0 % and at most 100 %."))))
    except (InvalidOperation, ValueError):
        problems.append(("funding.rate", str(_l("Enter a number."))))
    for name in ("ceiling", "floor"):
        raw = funding.get(name)
        if raw in (None, ""):
            continue
        try:
            if Decimal(str(raw)) < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problems.append((f"funding.{name}", str(_l("Enter an amount, zero or more."))))
    if not any(p[0].startswith("funding.") for p in problems) and funding.get("ceiling") not in (None, ""):
        if Decimal(str(funding.get("floor") or 0)) > Decimal(str(funding["ceiling"])):
            problems.append(("funding.floor", str(_l("The floor is above the ceiling."))))
    for code, criterion in (content.get("criteria") or {}).items():
        path = f"criteria.{code}"
        if not (criterion.get("name") or {}).get("fr", "").strip():
            problems.append((f"{path}.name.fr", str(_l("A criterion needs a name in French."))))
        try:
            if int(criterion.get("weight", 0)) <= 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append((f"{path}.weight", str(_l("The weight is a whole number above zero."))))
        try:
            if int(criterion.get("scale_max", 0)) < 1:
                raise ValueError
        except (TypeError, ValueError):
            problems.append((f"{path}.scale_max", str(_l("The scale goes from 0 to a whole number above zero."))))
        try:
            if int(criterion.get("min_justification", 0)) < 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append((f"{path}.min_justification", str(_l("Enter a whole number, zero or more."))))
    return problems


def flatten(content: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Leaves of nested dicts as ``{"a.b.c": value}``; an empty dict is a leaf of its own ({})."""
    flat: dict[str, Any] = {}
    for key, value in content.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = copy.deepcopy(value)
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``flatten`` (paths sorted so parents come first)."""
    content: dict[str, Any] = {}
    for path in sorted(flat):
        node = content
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        value = flat[path]
        if isinstance(value, Mapping) and not value and isinstance(node.get(parts[-1]), dict):
            continue  # an empty-dict leaf does not erase children set by another path
        node[parts[-1]] = copy.deepcopy(value)
    return content


@dataclass(frozen=True)
class Change:
    """One leaf changed: ``old`` is ABSENT (None) for an addition, ``new`` is ABSENT for a removal."""

    path: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        return cls(path=data["path"], old=data.get("old"), new=data.get("new"))


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Leaf changes from ``before`` to ``after``, sorted by path."""
    a, b = flatten(before), flatten(after)
    changes = []
    for path in sorted(set(a) | set(b)):
        old, new = a.get(path, ABSENT), b.get(path, ABSENT)
        if old != new:
            changes.append(Change(path, old, new))
    return changes


@dataclass(frozen=True)
class Merge:
    """The result of applying an amendment's changes to the current head."""

    content: dict[str, Any] | None
    conflicts: tuple[Change, ...]

    @property
    def ok(self) -> bool:
        return not self.conflicts


def apply_changes(head: Mapping[str, Any], changes: list[Change]) -> Merge:
    """Three-way apply: each change needs the head to still hold its ``old`` value at that path.

    A change whose path was changed by another accepted amendment since the
    amendment's base is a conflict; the amendment must then be rebased on the
    head (or declined). A change already present in the head is not a conflict.
    """
    flat = flatten(head)
    conflicts = []
    for change in changes:
        current = flat.get(change.path, ABSENT)
        if current == change.new:
            continue
        if current != change.old:
            conflicts.append(change)
            continue
        if change.new is ABSENT:
            flat.pop(change.path, None)
        else:
            flat[change.path] = copy.deepcopy(change.new)
    if conflicts:
        return Merge(None, tuple(conflicts))
    return Merge(_prune(unflatten(flat)), ())


def _prune(content: dict[str, Any]) -> dict[str, Any]:
    """Top-level sections always present; a removed criterion or rule leaves no empty shell behind."""
    base = empty_content()
    base["eligibility"] = {k: v for k, v in (content.get("eligibility") or {}).items() if v is not None}
    base["criteria"] = {k: v for k, v in (content.get("criteria") or {}).items() if v not in ({}, None)}
    base["funding"] = {**base["funding"], **(content.get("funding") or {})}
    return base

