"""Forms of the proposal pages: one per section, one per kind of line, the upload, "have you completed
this section?", and the confirmations (submit, withdraw).

Forms check formats (numbers, dates, amounts) and keep what was typed; the services check the rules again.
Field names are the services' field names, so a refusal lands next to its field.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.calls.models import BudgetCategory, Challenge, PartnerKind
from app.calls.money import parse_amount
from app.calls.wording import amount_refusal, territories
from app.core.forms import BaseForm as FlaskForm

#: Countries offered first (the programme's), then every other one by name.
FIRST_COUNTRIES = ("FR", "TN")
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 two-letter codes, France and Tunisia first, then by name."""
    names = territories()
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c.isupper() and c not in _NOT_COUNTRIES]
    rest = sorted((c for c in codes if c not in FIRST_COUNTRIES), key=lambda c: names[c].casefold())
    return [(c, names.get(c, c)) for c in (*FIRST_COUNTRIES, *rest)]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes (no JavaScript, each labelled)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AmountField(StringField):
    """An amount typed by a person ("12 500", "12500,50"); the text is kept as typed for redisplay."""

    def pre_validate(self, form: Any) -> None:
        if not (self.data or "").strip():
            return
        try:
            parse_amount(self.data)
        except ValueError as exc:
            raise ValidationError(amount_refusal(
                exc, _l("Enter an amount in euros, for example 12500 or 12 500,50."))) from exc

    @property
    def amount(self) -> Decimal | None:
        if not (self.data or "").strip():
            return None
        try:
            return parse_amount(self.data)
        except ValueError:
            return None


COMPLETED_CHOICES = [("yes", _l("Yes, I have completed this section")),
                     ("no", _l("No, I will come back to it later"))]


class CompletedMixin:
    completed = RadioField(_l("Have you completed this section?"), choices=COMPLETED_CHOICES, default="no",
                           validators=[Optional()])

    @property
    def done(self) -> bool:
        return self.completed.data == "yes"  # type: ignore[attr-defined]


_WHOLE = _l("Enter a whole number, zero or more.")
_PERCENT = _l("Enter a percentage from 0 to 100.")


class AboutForm(CompletedMixin, FlaskForm):
    title = StringField(_l("Title of the project"), validators=[Length(max=300)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=5000)])
    territories = TextAreaField(_l("Territories"), validators=[Length(max=2000)])
    challenges = MultiCheckboxField(_l("Challenges addressed"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save and continue"))

    def __init__(self, *args: Any, challenges: list[Challenge], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenges.choices = [(c.id, f"{c.code} · {c.title}") for c in challenges]

    def values(self) -> dict[str, Any]:
        return {"title": self.title.data or "", "summary": self.summary.data or "",
                "territories": self.territories.data or "", "challenge_ids": list(self.challenges.data or [])}


class BeneficiariesForm(CompletedMixin, FlaskForm):
    beneficiaries_direct = IntegerField(_l("Direct beneficiaries"), validators=[
        Optional(), NumberRange(min=0, message=_WHOLE)])
    beneficiaries_indirect = IntegerField(_l("Indirect beneficiaries"), validators=[
        Optional(), NumberRange(min=0, message=_WHOLE)])
    women_percent = IntegerField(_l("Share of women (%)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_PERCENT)])
    youth_percent = IntegerField(_l("Share of young people (%)"), validators=[
        Optional(), NumberRange(min=0, max=100, message=_PERCENT)])
    submit = SubmitField(_l("Save and continue"))

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in (
            "beneficiaries_direct", "beneficiaries_indirect", "women_percent", "youth_percent")}


class DatesForm(CompletedMixin, FlaskForm):
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    duration_months = IntegerField(_l("Duration (months)"), validators=[
        Optional(), NumberRange(min=1, max=120, message=_l("Enter a duration from 1 to 120 months."))])
    submit = SubmitField(_l("Save and continue"))

    def values(self) -> dict[str, Any]:
        return {"starts_on": self.starts_on.data, "duration_months": self.duration_months.data}


class ResultsForm(CompletedMixin, FlaskForm):
    expected_results = TextAreaField(_l("Expected results"), validators=[Length(max=5000)])
    main_activities = TextAreaField(_l("Main activities"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Save and continue"))

    def values(self) -> dict[str, Any]:
        return {"expected_results": self.expected_results.data or "",
                "main_activities": self.main_activities.data or ""}


class DoneForm(CompletedMixin, FlaskForm):
    """The bottom of a line section: is it complete?"""

    submit = SubmitField(_l("Save and return to the task list"))


#: Said above the partner's fields, and at the member's field when neither a member nor an organisation is given.
PARTNER_EITHER = _l("Choose a member of the programme, or give the name and country of an outside organisation.")


class PartnerForm(FlaskForm):
    """A partner: a member picked from the list, or else an outside organisation by its name and country."""

    member_id = SelectField(_l("Member of the programme"), coerce=int, validators=[Optional()])
    name = StringField(_l("Name of the outside organisation"), validators=[Length(max=300)])
    country = SelectField(_l("Country of the outside organisation"), validators=[Optional()])
    kind = SelectField(_l("Kind of organisation"), choices=PartnerKind.choices(), default=PartnerKind.association)
    role = TextAreaField(_l("Role in the project"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Add this partner"))

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_id.choices = [(0, str(_l("Choose a member")))] + members
        self.country.choices = [("", str(_l("Choose a country")))] + country_choices()

    @property
    def is_member(self) -> bool:
        """A member picked from the list is the partner, whatever else was typed."""
        return bool(self.member_id.data)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.is_member:
            return ok
        name, country = (self.name.data or "").strip(), self.country.data
        if not name and not country:
            self.member_id.errors = [*self.member_id.errors, str(PARTNER_EITHER)]
            return False
        if not name:
            self.name.errors = [*self.name.errors, str(_l("Enter the name of the organisation."))]
            ok = False
        if not country:
            self.country.errors = [*self.country.errors, str(_l("Choose the country of the organisation."))]
            ok = False
        return ok

    def values(self) -> dict[str, Any]:
        member = self.is_member
        return {"member_id": self.member_id.data if member else None, "name": "" if member else self.name.data,
                "country": "" if member else self.country.data, "kind": self.kind.data,
                "role": self.role.data or ""}


class BudgetLineForm(FlaskForm):
    category = SelectField(_l("Category"), choices=BudgetCategory.choices(), default=BudgetCategory.activities)
    description = StringField(_l("Description"), validators=[Length(max=500)])
    total = AmountField(_l("Total of the line (€)"), validators=[DataRequired(_l("Enter the total of this line."))])
    requested = AmountField(_l("Of which requested from the programme (€)"))
    submit = SubmitField(_l("Add this line"))

    def validate_requested(self, field: AmountField) -> None:
        total, requested = self.total.amount, field.amount
        if total is not None and requested is not None and requested > total:
            raise ValidationError(_l("The amount requested cannot be more than the line's total."))

    def values(self) -> dict[str, Any]:
        return {"category": self.category.data, "description": self.description.data or "",
                "total": self.total.amount, "requested": self.requested.amount or Decimal("0")}


COFINANCING_STATUS = [("confirmed", _l("Confirmed")), ("expected", _l("Expected"))]


class CofinancingForm(FlaskForm):
    source = StringField(_l("Source"), validators=[DataRequired(_l("Enter the source of the co-financing.")),
                                                   Length(max=300)])
    amount = AmountField(_l("Amount (€)"), validators=[DataRequired(_l("Enter the amount."))])
    status = RadioField(_l("Is it confirmed?"), choices=COFINANCING_STATUS, default="expected",
                        validators=[DataRequired(_l("Say whether it is confirmed or expected."))])
    submit = SubmitField(_l("Add this co-financing"))

    def values(self) -> dict[str, Any]:
        return {"source": self.source.data, "amount": self.amount.amount, "confirmed": self.status.data == "confirmed"}


class IndicatorForm(FlaskForm):
    name = StringField(_l("Indicator"), validators=[DataRequired(_l("Enter the name of the indicator.")),
                                                    Length(max=300)])
    unit = StringField(_l("Unit"), validators=[Length(max=60)])
    baseline = StringField(_l("Baseline"), validators=[Length(max=60)])
    target = StringField(_l("Target"), validators=[Length(max=60)])
    submit = SubmitField(_l("Add this indicator"))

    def values(self) -> dict[str, Any]:
        return {"name": self.name.data, "unit": self.unit.data or "", "baseline": self.baseline.data or "",
                "target": self.target.data or ""}


class AttachmentForm(FlaskForm):
    file = FileField(_l("File (PDF, DOCX, XLSX or ODT)"), validators=[FileRequired(_l("Choose a file."))])
    submit = SubmitField(_l("Upload the file"))


class ConfirmForm(FlaskForm):
    """A confirmation page's button (submit, withdraw): CSRF and nothing else."""

    submit = SubmitField(_l("Confirm"))


SCALAR_FORMS: dict[str, type[FlaskForm]] = {"about": AboutForm, "beneficiaries": BeneficiariesForm,
                                            "dates": DatesForm, "results": ResultsForm}
LINE_FORMS: dict[str, type[FlaskForm]] = {"partners": PartnerForm, "budget": BudgetLineForm,
                                          "cofinancing": CofinancingForm, "indicators": IndicatorForm,
                                          "attachments": AttachmentForm}
