"""Words for the vote data shown to members: rules, outcomes, choices (one source, translated once)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.assembly.rules import Outcome

#: A majority rule in words, keyed by (base, threshold) as stored on a resolution or a result.
RULE_WORDS: dict[tuple[str, str], Any] = {
    ("expressed", "half"): _l("More than half of the votes cast, abstentions excluded"),
    ("cast", "half"): _l("More than half of the votes cast, abstentions included"),
    ("electorate", "half"): _l("More than half of the electorate"),
    ("expressed", "two_thirds"): _l("At least two thirds of the votes cast, abstentions excluded"),
    ("cast", "two_thirds"): _l("At least two thirds of the votes cast, abstentions included"),
    ("electorate", "two_thirds"): _l("At least two thirds of the electorate"),
}

OUTCOME_WORDS: dict[str, Any] = {
    Outcome.adopted: _l("Adopted"),
    Outcome.rejected: _l("Rejected"),
    Outcome.no_quorum: _l("Quorum not reached"),
}

CHOICE_WORDS: dict[str, Any] = {"for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain")}


def rule_in_words(base: str, threshold: str, double: bool) -> str:
    """The majority rule as a sentence for members (the rule itself stays data)."""
    words = str(RULE_WORDS[(str(base), str(threshold))])
    if double:
        words = str(_l("%(rule)s, overall and within each college", rule=words))
    return words
