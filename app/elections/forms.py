"""Forms of the election pages: set-up, candidacy, decision on a candidacy, opening the vote."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.auth.models import Gender
from app.core.forms import BaseForm as FlaskForm
from app.core.forms import BaseRow as Form
from app.core.timeutil import as_utc
from app.elections import rules, services

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class BoundsRow(Form):
    """Minimum and maximum seats of one group; blank = no bound."""

    minimum = IntegerField(_l("Minimum"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))])
    maximum = IntegerField(_l("Maximum"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))])


def _rows(field: FieldList, groups: Sequence[tuple[str, str]]) -> None:
    """One row per group, in the server's order: the group of a row is never taken from the request."""
    while len(field.entries) < len(groups):
        field.append_entry()
    while len(field.entries) > len(groups):
        field.pop_entry()
    for entry, (code, name) in zip(field.entries, groups, strict=True):
        entry.code = code
        entry.group_label = name


def _bounds(field: FieldList) -> dict[str, list[int | None]]:
    out: dict[str, list[int | None]] = {}
    for entry in field.entries:
        lo, hi = entry.form.minimum.data, entry.form.maximum.data
        if lo is not None or hi is not None:
            out[entry.code] = [lo or 0, hi]
    return out


def rows_data(groups: Sequence[tuple[str, str]], bounds: Mapping[str, Sequence[int | None]] | None
              ) -> list[dict[str, int | None]]:
    """Initial rows from stored bounds (a minimum of 0 with no maximum shows blank)."""
    bounds = bounds or {}
    rows = []
    for code, _name in groups:
        lo, hi = (list(bounds.get(code) or [None, None]) + [None, None])[:2]
        rows.append({"minimum": lo or None, "maximum": hi})
    return rows


class ElectionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    seats = IntegerField(_l("Number of seats"), default=12, validators=[
        InputRequired(_l("Enter the number of seats.")),
        NumberRange(min=1, max=100, message=_l("Enter a number from 1 to 100."))])
    term_starts_on = DateField(_l("Term starts on"), validators=[InputRequired(_l("Enter the date the term starts."))])
    term_years = IntegerField(_l("Term (years)"), default=2, validators=[
        InputRequired(_l("Enter the length of the term.")),
        NumberRange(min=1, max=10, message=_l("Enter a number of years from 1 to 10."))])
    candidacy_opens_at = DateTimeLocalField(_l("Candidacies open at (UTC)"), format=DATETIME_FORMATS,
                                            invalid_value_message=_l("Enter a date and a time."),
                                            validators=[InputRequired(_l("Enter when candidacies open."))])
    candidacy_closes_at = DateTimeLocalField(_l("Candidacies close at (UTC)"), format=DATETIME_FORMATS,
                                             invalid_value_message=_l("Enter a date and a time."),
                                             validators=[InputRequired(_l("Enter when candidacies close."))])
    assembly_id = SelectField(_l("Assembly whose proxies apply"), coerce=int, validate_choice=True)
    colleges = FieldList(FormField(BoundsRow))
    countries = FieldList(FormField(BoundsRow))
    parity_tolerance = IntegerField(_l("Gender parity tolerance"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a number from 0 to 100."))])
    #: The statutes' fallback when, after voting opened, the candidates can no longer meet the constraints.
    infeasible_fallback = SelectField(
        _l("If no committee can meet the constraints at the count"), default=rules.RELAX, validate_choice=True,
        choices=[(rules.RELAX, _l("Relax the minimums, then parity, one seat at a time")),
                 (rules.VOID, _l("Declare the election void"))],
        validators=[Optional()])  # not sent (an older page): the default; any other value is refused
    #: Never typed: the set-up check puts the reason an infeasible set-up is refused here.
    constraints = HiddenField()
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, college_groups: Sequence[tuple[str, str]] = (),
                 country_groups: Sequence[tuple[str, str]] = (), assemblies: Sequence[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _rows(self.colleges, college_groups)
        _rows(self.countries, country_groups)
        self.assembly_id.choices = [(0, str(_l("None: no proxies")))] + list(assemblies)
        self._universes = {"colleges": [code for code, _name in college_groups],
                           "countries": [code for code, _name in country_groups]}

    def constraints_data(self) -> dict[str, Any]:
        return {"college": _bounds(self.colleges), "country": _bounds(self.countries),
                "parity_tolerance": self.parity_tolerance.data}

    def validate_constraints(self, field: HiddenField) -> None:
        """The set-up checks that need the groups that exist (maximums on every college or country
        that leave seats nobody could fill); the services check the rest when saving."""
        if not isinstance(self.seats.data, int) or self.seats.errors:
            return
        problems = rules.check_constraints(rules.Constraints.from_dict(self.constraints_data()), self.seats.data,
                                           **self._universes)
        if problems:
            raise ValidationError(services.problem_text(problems[0]))

    def election_data(self) -> dict[str, Any]:
        """The services' data dict (``services.ELECTION_FIELDS``)."""
        constraints = self.constraints_data()
        return {"title": self.title.data.strip(), "seats": self.seats.data, "term_starts_on": self.term_starts_on.data,
                "term_years": self.term_years.data, "candidacy_opens_at": as_utc(self.candidacy_opens_at.data),
                "candidacy_closes_at": as_utc(self.candidacy_closes_at.data),
                "assembly_id": self.assembly_id.data or None, "constraints": constraints,
                "infeasible_fallback": self.infeasible_fallback.data}


class CandidacyForm(FlaskForm):
    representative_name = StringField(_l("Representative who would sit"), validators=[
        DataRequired(_l("Name the representative who would sit.")), Length(max=200)])
    gender = SelectField(_l("Gender of the representative"), validators=[InputRequired(_l("Choose one."))])
    statement_fr = TextAreaField(_l("Statement in French"), validators=[Optional(), Length(max=5000)])
    statement_en = TextAreaField(_l("Statement in English"), validators=[Optional(), Length(max=5000)])
    statement_ar = TextAreaField(_l("Statement in Arabic"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Declare our candidacy"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gender.choices = Gender.choices()

    def statements(self) -> dict[str, str]:
        return {code: getattr(self, f"statement_{code}").data or "" for code in ("fr", "en", "ar")}


class DecisionForm(FlaskForm):
    """The secretariat's decision on one candidacy: validate, or reject with a reason."""

    reason = TextAreaField(_l("Reason (required to reject)"), validators=[Optional(), Length(max=2000)])
    approve = SubmitField(_l("Validate"))
    reject = SubmitField(_l("Reject"))


class OpenVotingForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("Voting closes at (UTC)"), format=DATETIME_FORMATS,
                                   invalid_value_message=_l("Enter a date and a time."),
                                   validators=[InputRequired(_l("Enter the closing date and time."))])
    submit = SubmitField(_l("Open voting"))
