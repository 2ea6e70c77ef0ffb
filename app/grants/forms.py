"""Forms of the agreement, its schedule, signatures, status, early release, payments and corrections.

Amounts are typed like people type them (``money.parse_amount``) and kept as typed when refused. The
schedule carries one set of fields per row (``amount_<n>``, ``condition_<n>``, ``report_<n>``,
``share_<n>``), read from the request's mapping like the selection's decision form.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.calls.money import parse_amount, to_cents
from app.calls.wording import amount_refusal
from app.core.bounds import int_or_none
from app.core.forms import BaseForm as FlaskForm
from app.grants.instalments import Row
from app.grants.models import InstalmentCondition

LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]


def _amount(form: FlaskForm, field_: StringField) -> None:
    try:
        value = parse_amount(field_.data or "")
    except ValueError as exc:
        raise ValidationError(str(amount_refusal(exc, _("Enter an amount in euros, such as 12500 or 12500.50.")))) \
            from exc
    if value <= 0:
        raise ValidationError(_("Enter an amount above zero."))


def cents_of(text: str) -> int:
    """Cents of an amount a validated field holds."""
    return to_cents(parse_amount(text))


class ConfirmForm(FlaskForm):
    """Only the CSRF token (confirmation pages)."""

    confirm = HiddenField()


class AgreementForm(FlaskForm):
    title = StringField(_l("Title of the grant"), validators=[InputRequired(_l("Enter the title of the grant.")),
                                                              Length(max=300)])
    summary = TextAreaField(_l("Purpose of the grant"), validators=[Optional()])
    starts_on = DateField(_l("Start date"), validators=[InputRequired(_l("Enter the start date."))])
    ends_on = DateField(_l("End date"), validators=[InputRequired(_l("Enter the end date."))])
    awarded = StringField(_l("Amount awarded (EUR)"), validators=[InputRequired(_l("Enter the amount awarded.")),
                                                                  _amount])
    local_currency = StringField(_l("Local currency of payments (optional, e.g. TND)"),
                                 validators=[Optional(), Length(min=3, max=3, message=_l(
                                     "Enter a currency code of three letters, such as TND."))])
    language = SelectField(_l("Language of the agreement"), choices=LANGUAGE_CHOICES)


class SignForm(FlaskForm):
    grantee_on = DateField(_l("Signed by the grantee on"),
                           validators=[InputRequired(_l("Enter the date the grantee signed."))])
    programme_on = DateField(_l("Signed for the programme on"),
                             validators=[InputRequired(_l("Enter the date the programme signed."))])
    confirm = HiddenField()


class StatusForm(FlaskForm):
    target = RadioField(_l("New status"), validators=[InputRequired(_l("Choose the new status."))])
    reason = TextAreaField(_l("Reason (required to terminate)"), validators=[Optional(), Length(max=4000)])
    confirm = HiddenField()


class ReleaseForm(FlaskForm):
    reason = TextAreaField(_l("Why release this instalment before its condition is met"),
                           validators=[InputRequired(_l("Explain why the instalment is released early.")),
                                       Length(max=4000)])
    confirm = HiddenField()


class DisbursementForm(FlaskForm):
    instalment = SelectField(_l("Instalment"), coerce=int,
                             validators=[InputRequired(_l("Choose the instalment paid."))])
    value_date = DateField(_l("Date of the payment"), validators=[InputRequired(_l("Enter the date of the payment."))])
    amount = StringField(_l("Amount paid (EUR)"), validators=[InputRequired(_l("Enter the amount paid.")), _amount])
    reference = StringField(_l("Reference of the transfer"),
                            validators=[InputRequired(_l("Enter the payment's reference.")), Length(max=120)])
    local_amount = StringField(_l("Amount in the local currency (optional)"), validators=[Optional()])
    exchange_rate = StringField(_l("Exchange rate used (local currency for 1 EUR)"), validators=[Optional()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
    confirm = HiddenField()

    def validate_local_amount(self, field_: StringField) -> None:
        if field_.data and _decimal(field_.data) is None:
            raise ValidationError(_("Enter a number, such as 150000 or 150000.500."))
        if field_.data and not self.exchange_rate.data:
            raise ValidationError(_("Enter the exchange rate too."))

    def validate_exchange_rate(self, field_: StringField) -> None:
        if field_.data and (_decimal(field_.data) is None or _decimal(field_.data) <= 0):
            raise ValidationError(_("Enter a rate above zero, such as 3.35."))
        if field_.data and not self.local_amount.data:
            raise ValidationError(_("Enter the amount in the local currency too."))


def _decimal(text: str) -> Decimal | None:
    cleaned = (text or "").strip().replace(" ", "").replace("\xa0", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def decimal_text(text: str) -> str:
    """A validated decimal typed by a person, as stored text ("3,35" → "3.35")."""
    value = _decimal(text)
    return "" if value is None else f"{value:f}"


class ReverseForm(FlaskForm):
    amount = StringField(_l("Amount to cancel (EUR; leave blank for the whole entry)"), validators=[Optional(),
                                                                                                   _amount])
    value_date = DateField(_l("Date of the correction"), validators=[InputRequired(_l("Enter the date."))])
    reason = TextAreaField(_l("Why the entry is corrected"), validators=[
        InputRequired(_l("Explain why the entry is corrected.")), Length(max=2000)])
    confirm = HiddenField()


@dataclass
class ScheduleInput:
    rows: list[Row]
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_schedule(data: Mapping[str, str], count: int) -> ScheduleInput:
    """The schedule's rows typed in the form (blank rows skipped), what was typed and the errors per field."""
    result = ScheduleInput(rows=[])
    conditions = {c.value for c in InstalmentCondition}
    for n in range(1, count + 1):
        keys = (f"amount_{n}", f"condition_{n}", f"report_{n}", f"share_{n}")
        for key in keys:
            result.typed[key] = (data.get(key) or "").strip()
        amount_text = result.typed[f"amount_{n}"]
        if not amount_text:
            continue
        try:
            cents = cents_of(amount_text)
        except ValueError as exc:
            result.errors[f"amount_{n}"] = str(amount_refusal(exc, _("Enter an amount in euros, such as 12500.")))
            continue
        condition = result.typed[f"condition_{n}"]
        if condition not in conditions:
            result.errors[f"condition_{n}"] = _("Choose the condition.")
            continue
        report_id = share = None
        if condition == InstalmentCondition.report_approved:
            text = result.typed[f"report_{n}"]
            report_id = int_or_none(text, low=1)
            if report_id is None:
                result.errors[f"report_{n}"] = _("Choose the report whose approval makes the instalment due.")
                continue
        if condition == InstalmentCondition.expenditure_share:
            text = result.typed[f"share_{n}"].rstrip("%").strip()
            share = int_or_none(text, 0, 100)
            if share is None:
                result.errors[f"share_{n}"] = _("Enter a share from 0 to 100 %.")
                continue
        result.rows.append(Row(cents, condition, report_id, share))
    return result
