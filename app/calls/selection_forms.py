"""Forms of the selection: the line's settings, the trial allocation's GET parameters, and the decision.

The trial and the decision carry one field per proposal (``amount_<id>``, ``outcome_<id>``,
``reason_<id>``), read here from the request's mapping rather than declared, so a call of 500 proposals
costs no form class per request; errors are keyed by field name and worded in the UI's language.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.calls import allocation
from app.calls.money import parse_amount, to_cents
from app.calls.selection import MAX_RESERVE, MIN_REASON, TrialParams, parse_min_score
from app.calls.selection_models import DecisionOutcome, LineMode, RankingBasis
from app.core.bounds import int_or_none
from app.core.forms import BaseForm as FlaskForm


class SettingsForm(FlaskForm):
    ranking = RadioField(_l("Ranking used for the line"), choices=RankingBasis.choices(),
                         validators=[InputRequired(_l("Choose the ranking."))])
    min_score = StringField(_l("Minimum score (0 to 100, optional)"), validators=[Optional()])
    mode = RadioField(_l("When a proposal does not fit what is left of the envelope"), choices=LineMode.choices(),
                      validators=[InputRequired(_l("Choose what happens when a proposal does not fit."))])
    reserve_size = IntegerField(_l("Proposals on the reserve list"), validators=[
        InputRequired(_l("Enter the number of proposals on the reserve list.")),
        NumberRange(min=0, max=MAX_RESERVE, message=_l("Enter a number from 0 to %(max)d.", max=MAX_RESERVE))])
    save = SubmitField(_l("Save the settings"))


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the confirmation pages (decision, publication)."""

    confirm = HiddenField()


class DecisionForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes of the committee's decision (optional)"))


@dataclass
class TrialInput:
    """The trial parameters read from a GET query, what was typed (to show it back) and the errors."""

    params: TrialParams
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def query(self) -> dict[str, str]:
        """The typed parameters, to carry the trial into links and the decision form."""
        return {k: v for k, v in self.typed.items() if v != ""}


def _money_cents(text: str) -> int:
    return to_cents(parse_amount(text))


def read_trial(args: Mapping[str, str], *, default: TrialParams, proposal_ids: Sequence[int]) -> TrialInput:
    """The trial's parameters from the query string; a wrong one is reported and its default used."""
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    envelope = default.envelope_cents
    if (text := (args.get("envelope") or "").strip()):
        typed["envelope"] = text
        try:
            envelope = _money_cents(text)
        except ValueError:
            errors["envelope"] = _("Enter the envelope in euros, such as 600000.")
    minimum = default.min_score
    if "min_score" in args:
        text = (args.get("min_score") or "").strip()
        typed["min_score"] = text
        try:
            minimum = parse_min_score(text)
        except ValueError:
            errors["min_score"] = _("Enter a minimum score between 0 and 100, such as 60 or 62.5, or leave it blank.")
    ranking = default.ranking
    if (text := args.get("ranking") or ""):
        typed["ranking"] = text
        if text in {b.value for b in RankingBasis}:
            ranking = text
        else:
            errors["ranking"] = _("Choose the ranking.")
    mode = default.mode
    if (text := args.get("mode") or ""):
        typed["mode"] = text
        if text in allocation.MODES:
            mode = text
        else:
            errors["mode"] = _("Choose what happens when a proposal does not fit.")
    reserve = default.reserve_size
    if (text := (args.get("reserve") or "").strip()):
        typed["reserve"] = text
        if (number := int_or_none(text, 0, MAX_RESERVE)) is not None:
            reserve = number
        else:
            errors["reserve"] = _("Enter a number from 0 to %(max)d.", max=MAX_RESERVE)
    amounts: dict[int, int] = {}
    for pid in proposal_ids:
        key = f"amount_{pid}"
        if (text := (args.get(key) or "").strip()):
            typed[key] = text
            try:
                amounts[pid] = _money_cents(text)
            except ValueError:
                errors[key] = _("Enter an amount in euros, such as 45000.")
    return TrialInput(TrialParams(envelope_cents=envelope, ranking=ranking, mode=mode, reserve_size=reserve,
                                  min_score=minimum, amounts=amounts), typed, errors)


@dataclass
class DecisionInput:
    decided: list[allocation.Decided]
    typed: dict[str, str]
    errors: dict[str, str]


def read_decision(form: Mapping[str, str], proposal_ids: Sequence[int]) -> DecisionInput:
    """Each proposal's outcome, amount (euros) and reason from the decision form."""
    outcomes = {o.value for o in DecisionOutcome}
    decided: list[allocation.Decided] = []
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for pid in proposal_ids:
        outcome = form.get(f"outcome_{pid}") or ""
        amount_text = (form.get(f"amount_{pid}") or "").strip()
        reason = (form.get(f"reason_{pid}") or "").strip()
        typed.update({f"outcome_{pid}": outcome, f"amount_{pid}": amount_text, f"reason_{pid}": reason})
        if outcome not in outcomes:
            errors[f"outcome_{pid}"] = _("Choose selected, reserve list or not selected.")
            continue
        cents = 0
        if outcome == allocation.SELECTED:
            try:
                cents = _money_cents(amount_text)
            except ValueError:
                errors[f"amount_{pid}"] = _("Enter the amount granted in euros, such as 45000.")
                continue
        decided.append(allocation.Decided(pid, outcome, cents, reason))
    return DecisionInput(decided, typed, errors)


def problem_messages(problems: Sequence[tuple[int | None, str, dict]]) -> tuple[dict[str, str], list[str]]:
    """``allocation.decision_problems`` worded: field errors (``outcome_<id>`` …) and errors of the whole."""
    fields: dict[str, str] = {}
    whole: list[str] = []
    for pid, key, _params in problems:
        if key == "reason_required":
            fields[f"reason_{pid}"] = _("This outcome departs from the line: give the committee's reason.")
        elif key == "short_reason":
            fields[f"reason_{pid}"] = _("Give the reason in at least %(min)d characters.", min=MIN_REASON)
        elif key == "ineligible_selected":
            fields[f"outcome_{pid}"] = _("An ineligible proposal cannot be selected.")
        elif key == "amount_required":
            fields[f"amount_{pid}"] = _("Enter the amount granted.")
        elif key == "amount_above_max":
            fields[f"amount_{pid}"] = _("The amount is above the proposal's maximum grant.")
        elif key == "amount_not_selected":
            fields[f"amount_{pid}"] = _("Only a selected proposal is granted an amount.")
        elif key in ("missing", "unknown", "duplicate", "bad_outcome"):
            fields[f"outcome_{pid}"] = _("Choose selected, reserve list or not selected.")
        elif key == "over_envelope":
            whole.append(_("The selected amounts add up to more than the envelope."))
        else:
            whole.append(_("The decision cannot be recorded as it stands."))
    return fields, whole
