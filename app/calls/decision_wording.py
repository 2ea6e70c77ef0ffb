"""How a selection decision is worded for the applicant: the sentence that explains the outcome, ranks as
ordinals, scores out of 100, and the amount granted.

Apart from ``wording.py`` (rule sets, grants, references) because it speaks of the committee's decision.
Everything reads the request's language, or the one ``force_locale`` sets (a letter is worded in the
lead's language, whoever publishes). Scores are rounded half up to one decimal (``scoring.display``) and
written with the language's decimal mark.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from app.calls.money import euros
from app.calls.scoring import display


def score_text(value: Fraction | None) -> str:
    """A score on 0–100 for people: "71.5" ("71,5" in French), one decimal, half up; "—" for none."""
    if value is None:
        return "—"
    return format_decimal(Decimal(display(value, 1)), format="#,##0.0")


def scale_text(value: Fraction | None) -> str:
    """A mean on a criterion's own scale (e.g. 3.7 out of 5), one decimal, half up."""
    return score_text(value)


def ordinal(n: int) -> str:
    """A rank in the reader's language: "6th", "1er"/"6e" in French; the number itself in Arabic."""
    lang = str(get_locale() or "fr")
    if lang == "en":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if lang == "fr":
        return "1er" if n == 1 else f"{n}e"
    return str(n)


def scored_sentence(*, score: Fraction, rank: int, total: int) -> str:
    return _("Your proposal scored %(score)s/100 and ranks %(rank)s of %(total)s;",
             score=score_text(score), rank=ordinal(rank), total=total)


def line_sentence(*, envelope_cents: int, line_rank: int | None, line_score: Fraction | None) -> str:
    """The second half of the sentence: where the envelope drew the line."""
    envelope = euros(Decimal(envelope_cents) / 100)
    if line_rank is None:
        return _("the envelope of %(envelope)s funded no proposal.", envelope=envelope)
    return _("the envelope of %(envelope)s funded proposals down to rank %(line)s, at %(score)s/100.",
             envelope=envelope, line=line_rank, score=score_text(line_score))


def outcome_sentence(outcome: str, *, amount_cents: int, reserve_position: int | None = None) -> str:
    """What the committee decided for this proposal, in one sentence."""
    if outcome == "selected":
        return _("The committee selected it for a grant of %(amount)s.", amount=euros(Decimal(amount_cents) / 100))
    if outcome == "reserve":
        if reserve_position:
            return _("The committee put it on the reserve list, in position %(n)s.", n=reserve_position)
        return _("The committee put it on the reserve list.")
    return _("The committee did not select it.")


def minimum_sentence(min_score: Fraction) -> str:
    return _("Proposals scoring below %(score)s/100, the minimum score set for this call, are not funded.",
             score=score_text(min_score))


def ineligible_sentence(failed: int) -> str:
    return ngettext("Your proposal is not eligible: %(num)d rule of the call is not met, and it was not ranked.",
                    "Your proposal is not eligible: %(num)d rules of the call are not met, and it was not ranked.",
                    failed)


def unscored_sentence() -> str:
    return _("Your proposal received no review score and was not ranked.")


def departure_sentence(reason: str) -> str:
    return _("The committee departed from the funding line for this proposal: %(reason)s", reason=reason)


def amount_lines(*, amount_cents: int, max_grant_cents: int | None) -> list[str]:
    """How the amount granted relates to the maximum grant (whose own calculation ``wording.explain_grant``
    words)."""
    amount = euros(Decimal(amount_cents) / 100)
    if max_grant_cents is None or amount_cents == max_grant_cents:
        return [_("The amount granted is the maximum grant, %(amount)s.", amount=amount)]
    return [_("The committee set the amount granted at %(amount)s, below the maximum grant of %(max)s.",
              amount=amount, max=euros(Decimal(max_grant_cents) / 100))]
