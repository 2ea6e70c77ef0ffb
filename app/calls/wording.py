"""How the calls package words things for people: a rule set in sentences, the maximum grant's calculation,
a proposal's reference, percentages, countries, and why a typed amount is refused.

One function per thing shown, so that the rule-set pages, the call page, the resolution put to the assembly,
the proposal's check, review and snapshot pages and the secretariat's instruction page say the same rule
the same way. Amounts are worded by ``money.euros``. Everything reads the request's language (or the one
``force_locale`` sets).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from flask_babel import LazyString, format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from app.calls import content as rule_content
from app.calls import rules, scoring
from app.calls.countries import country_name, territories  # noqa: F401 - the pages' helpers, re-exported
from app.calls.money import AmountLooksLikeThousands, AmountTooLarge, euros

# Numbers, references, countries ---------------------------------------------------------------------------


def percent_text(rate: Decimal | str) -> str:
    """A rate of the budget as a percentage's number in the request's language: 0.65 → "65", 0.325 → "32,5"
    in French (never "6.5E+1")."""
    return share_text(rules.percent(Decimal(str(rate))))


def share_text(value: Decimal | str) -> str:
    """A number that is already a percentage (a co-financing share of "30"): "30", never "3E+1"."""
    return format_decimal(Decimal(str(value)), format="#,##0.##")


class _Referenced(Protocol):
    id: int
    call_id: int


def reference(proposal: _Referenced) -> str:
    """The reference of a proposal on every page, export and e-mail: call and proposal numbers (C3-P0042)."""
    return f"C{proposal.call_id}-P{proposal.id:04d}"


# Typed amounts ---------------------------------------------------------------------------------------------

AMOUNT_THOUSANDS = _l("Write the thousands without a comma or a dot, like 150 000 or 150000: a comma marks "
                      "the cents.")
AMOUNT_TOO_LARGE = _l("Enter an amount of at most one billion euros.")


def amount_refusal(refusal: ValueError, otherwise: LazyString | str) -> LazyString | str:
    """The message at the field for an amount ``money.parse_amount`` refused (``otherwise``: the form's own
    "enter an amount" with its example)."""
    if isinstance(refusal, AmountLooksLikeThousands):
        return AMOUNT_THOUSANDS
    if isinstance(refusal, AmountTooLarge):
        return AMOUNT_TOO_LARGE
    return otherwise


# A rule set's content, labelled with the editor's words ------------------------------------------------------

#: An eligibility rule, by kind (the editor's box, a difference's row).
KIND_LABELS = {
    "lead_active_member": _l("The lead applicant is an active member that signed the current charter"),
    "min_partners": _l("A minimum number of partners"),
    "partner_other_country": _l("At least one partner from the other country (or from listed countries)"),
    "duration_range": _l("A duration range"),
    "budget_range": _l("A total budget range"),
    "cofinancing_share": _l("A minimum share of co-financing"),
    "requested_within_max": _l("The amount requested is not above the computed maximum grant"),
    "challenge_addressed": _l("The call's challenges addressed"),
    "max_open_per_lead": _l("At most K open grants or proposals per lead in this call"),
}
#: A rule's value, by (kind, parameter) (the editor's field, a difference's row).
PARAM_LABELS = {
    ("min_partners", "n"): _l("Minimum number of partners"),
    ("partner_other_country", "countries"): _l("Countries (two-letter codes separated by commas; empty: the "
                                               "other country of the programme)"),
    ("duration_range", "min_months"): _l("Shortest duration (months)"),
    ("duration_range", "max_months"): _l("Longest duration (months)"),
    ("budget_range", "min"): _l("Smallest total budget (€)"),
    ("budget_range", "max"): _l("Largest total budget (€)"),
    ("cofinancing_share", "min_percent"): _l("Minimum co-financing (percentage of the total budget)"),
    ("challenge_addressed", "n"): _l("Minimum number of challenges"),
    ("max_open_per_lead", "k"): _l("Most open proposals or grants per lead (K)"),
}


FUNDING_LABELS = {"rate": _l("Maximum rate of the budget"), "ceiling": _l("Ceiling"), "floor": _l("Floor")}
#: A criterion's field (the headings of the criteria's table where there is one).
CRITERION_LABELS = {"weight": _l("Weight"), "scale_max": _l("Scale"), "na_allowed": _l("Not applicable allowed"),
                    "min_justification": _l("Justification (minimum characters)"), "position": _l("Position")}
#: A criterion's text in one language: (field, language).
TEXT_LABELS = {("name", "fr"): _l("Name in French"), ("name", "en"): _l("Name in English"),
               ("name", "ar"): _l("Name in Arabic"), ("description", "fr"): _l("Description in French"),
               ("description", "en"): _l("Description in English"),
               ("description", "ar"): _l("Description in Arabic")}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.replace("_", " ")))


def criterion_names(*contents: Mapping[str, Any], changes: Iterable[rule_content.Change] = (),
                    lang: str | None = None) -> dict[str, str]:
    """Each criterion's name in ``lang`` by code, from the contents (the first that names it) and, for a criterion
    only an amendment adds or removes, from its changes."""
    lang = lang or str(get_locale() or "fr")
    names: dict[str, str] = {}
    for content in contents:
        for code, criterion in (content.get("criteria") or {}).items():
            name = text_in((criterion or {}).get("name"), lang)
            if name:
                names.setdefault(code, name)
    texts: dict[str, dict[str, Any]] = {}
    for change in changes:
        parts = change.path.split(".")
        if len(parts) == 4 and parts[0] == "criteria" and parts[2] == "name":
            texts.setdefault(parts[1], {})[parts[3]] = change.old if change.new is rule_content.ABSENT else change.new
    for code, values in texts.items():
        name = text_in(values, lang)
        if name:
            names.setdefault(code, name)
    return names


def path_label(path: str, names: Mapping[str, str] | None = None) -> str:
    """A place in a rule set's content in words, as the editor labels it: "Criterion · Relevance · Weight",
    "Eligibility · Longest duration (months)", "Funding · Ceiling". ``names``: criterion names by code
    (``criterion_names``); the code otherwise.

    The one label of a change on the amendment, decision, rebase and history pages, and of a refusal that
    names a place (a conflict, invalid merged rules, a problem the editor cannot put next to a field).
    """
    section, *rest = path.split(".")
    if section == "eligibility":
        if not rest:
            return str(_l("Eligibility"))
        kind, *param = rest
        if len(param) == 1 and (kind, param[0]) in PARAM_LABELS:
            return _joined(_l("Eligibility"), PARAM_LABELS[(kind, param[0])])
        return _joined(_l("Eligibility"), kind_label(kind), *param)
    if section == "funding":
        return _joined(_l("Funding"), *([FUNDING_LABELS.get(rest[0], rest[0])] if len(rest) == 1 else rest))
    if section == "criteria":
        if not rest:
            return str(_l("Selection criteria"))
        code, *leaf = rest
        name = (names or {}).get(code) or code
        if tuple(leaf) in TEXT_LABELS:
            return _joined(_l("Criterion"), name, TEXT_LABELS[(leaf[0], leaf[1])])
        if len(leaf) == 1 and leaf[0] in CRITERION_LABELS:
            return _joined(_l("Criterion"), name, CRITERION_LABELS[leaf[0]])
        return _joined(_l("Criterion"), name, *leaf)
    if path == "selection.disagreement_threshold":
        return _joined(_l("Selection"), _l("Disagreement threshold"))
    if path == "grants.tolerance_percent":
        return _joined(_l("Grants"), _l("Tolerance of a budget line's variance"))
    return path


def _joined(*parts: Any) -> str:
    return " · ".join(str(part) for part in parts)


# The maximum grant -----------------------------------------------------------------------------------------


def explain_grant(calc: rules.GrantCalculation) -> list[str]:
    """The maximum grant's calculation as sentences, e.g. "65 % of 102,050 € = 66,332.50 €, rounded to
    66,333 €; under the 66,440 € ceiling.", then where the amount requested stands."""
    values = {"rate": percent_text(calc.rate), "budget": euros(calc.budget), "exact": euros(calc.at_rate),
              "rounded": euros(calc.at_rate_rounded), "ceiling": euros(calc.ceiling), "req": euros(calc.requested),
              "max": euros(calc.maximum), "floor": euros(calc.floor)}
    exact = calc.at_rate == calc.at_rate_rounded
    if calc.ceiling is None:
        first = (_l("%(rate)s %% of %(budget)s = %(exact)s.", **values) if exact
                 else _l("%(rate)s %% of %(budget)s = %(exact)s, rounded to %(rounded)s.", **values))
    elif calc.at_rate_rounded <= calc.ceiling:
        first = (_l("%(rate)s %% of %(budget)s = %(exact)s; under the %(ceiling)s ceiling.", **values) if exact
                 else _l("%(rate)s %% of %(budget)s = %(exact)s, rounded to %(rounded)s; under the %(ceiling)s "
                         "ceiling.", **values))
    else:
        first = (_l("%(rate)s %% of %(budget)s = %(exact)s; above the %(ceiling)s ceiling, so the ceiling "
                    "applies.", **values) if exact
                 else _l("%(rate)s %% of %(budget)s = %(exact)s, rounded to %(rounded)s; above the %(ceiling)s "
                         "ceiling, so the ceiling applies.", **values))
    lines = [str(first)]
    if calc.limited_by == "requested" and calc.maximum != calc.requested:
        lines.append(str(_l("The amount requested, %(req)s, rounded down to the euro, is not above that: the "
                            "maximum grant is %(max)s.", **values)))
    elif calc.limited_by == "requested":
        lines.append(str(_l("The amount requested, %(req)s, is not above that: the maximum grant is %(max)s.",
                            **values)))
    else:
        lines.append(str(_l("The maximum grant is %(max)s; the amount requested, %(req)s, is above it.",
                            **values)))
    if calc.below_floor:
        lines.append(str(_l("This is below the call's floor of %(floor)s.", **values)))
    return lines


# A rule set in sentences -------------------------------------------------------------------------------------


def text_in(values: Mapping[str, Any] | str | None, lang: str) -> str:
    """A three-language text of a rule set's content in ``lang``, falling back to French, then any."""
    if isinstance(values, str):
        return values
    values = values or {}
    for code in (lang, "fr", *rules.LANGS):
        if values.get(code):
            return str(values[code])
    return ""


def _whole(value: Any) -> int:
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return 0


def ordered_criteria(content: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The selection criteria as (code, criterion), in their position's order."""
    return sorted((content.get("criteria") or {}).items(),
                  key=lambda item: (_whole((item[1] or {}).get("position")), item[0]))


def funding_sentences(funding: Mapping[str, Any]) -> list[str]:
    """The funding rules of a rule set, one sentence each."""
    parsed = rules.Funding.from_content(funding)
    lines = [str(_l("The grant is at most %(rate)s %% of the proposal's total budget, rounded to the euro "
                    "(half up), and never more than the amount requested (rounded down to the euro).",
                    rate=percent_text(parsed.rate)))]
    if parsed.ceiling is not None:
        lines.append(str(_l("Ceiling: %(amount)s per proposal.", amount=euros(parsed.ceiling))))
    else:
        lines.append(str(_l("No ceiling per proposal.")))
    if parsed.floor > 0:
        lines.append(str(_l("Floor: a proposal whose maximum grant is below %(amount)s is not eligible.",
                            amount=euros(parsed.floor))))
    return lines


@dataclass(frozen=True)
class CriterionLine:
    code: str
    name: str
    description: str
    weight: int
    share: str          # of the total weight, "60 %"
    scale_max: int
    na_allowed: bool
    min_justification: int


@dataclass(frozen=True)
class RulesInWords:
    """A rule-set version's content as the pages show it."""

    rules: list[tuple[str, str]]   # (eligibility kind, sentence), in the registry's order
    funding: list[str]
    criteria: list[CriterionLine]
    selection: list[str] = field(default_factory=list)

    @property
    def eligibility(self) -> list[str]:
        return [sentence for _kind, sentence in self.rules]

    @property
    def total_weight(self) -> int:
        return sum(c.weight for c in self.criteria)


def rules_in_words(content: Mapping[str, Any], lang: str | None = None) -> RulesInWords:
    """Eligibility, funding and weighted criteria of a rule-set version, in ``lang`` (the request's by default)."""
    lang = lang or str(get_locale() or "fr")
    eligibility = content.get("eligibility") or {}
    sentences = [(kind, rules.describe(kind, eligibility[kind] or {})) for kind in rules.REGISTRY
                 if kind in eligibility]
    ordered = ordered_criteria(content)
    total = sum(_whole((c or {}).get("weight")) for _code, c in ordered)
    lines = []
    for code, c in ordered:
        c = c or {}
        weight = _whole(c.get("weight"))
        share = f"{share_text((Decimal(weight * 100) / total).quantize(Decimal(1)))} %" if total else ""
        lines.append(CriterionLine(code=code, name=text_in(c.get("name"), lang) or code,
                                   description=text_in(c.get("description"), lang), weight=weight, share=share,
                                   scale_max=_whole(c.get("scale_max")), na_allowed=bool(c.get("na_allowed")),
                                   min_justification=_whole(c.get("min_justification"))))
    threshold = scoring.disagreement_threshold(content)
    tolerance = (content.get("grants") or {}).get("tolerance_percent", rule_content.DEFAULT_TOLERANCE)
    selection = [str(_l("A proposal is flagged for discussion when the scores of its reviews differ by more than "
                        "%(n)s points out of 100.", n=threshold)),
                 str(_l("During the grant, spending on a budget line more than %(n)s %% away from its plan is flagged.",
                        n=tolerance))]
    return RulesInWords(rules=sentences, funding=funding_sentences(content.get("funding") or {}), criteria=lines,
                        selection=selection)
