"""Forms of the call and challenge pages (secretariat)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.calls import money
from app.calls.models import Challenge, RuleSetVersion
from app.calls.wording import amount_refusal
from app.core.content_i18n import text_attrs
from app.core.forms import BaseForm as FlaskForm
from app.core.timeutil import as_utc

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def amount_text(value: Decimal) -> str:
    """An amount as the form shows it, read back the same way in every language ("150 000,50")."""
    cents = value.quantize(Decimal("0.01"))
    whole, fraction = divmod(abs(cents), 1)
    text = f"{int(whole):,}".replace(",", " ")
    return text + (f",{int(fraction * 100):02d}" if fraction else "")


class CheckboxesField(SelectMultipleField):
    """Checkboxes, one per choice (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CallForm(FlaskForm):
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(_l("Enter the title in French.")),
                                                               Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    title_ar = StringField(_l("Title in Arabic"), validators=[Optional(), Length(max=300)], render_kw=text_attrs("ar"))
    text_fr = TextAreaField(_l("Text of the call in French"), validators=[Optional(), Length(max=50000)])
    text_en = TextAreaField(_l("Text of the call in English"), validators=[Optional(), Length(max=50000)])
    text_ar = TextAreaField(_l("Text of the call in Arabic"), validators=[Optional(), Length(max=50000)], render_kw=text_attrs("ar"))
    challenge_ids = CheckboxesField(_l("Challenges the call addresses"), coerce=int, validate_choice=True)
    envelope = StringField(_l("Envelope (euros)"), validators=[InputRequired(_l("Enter the envelope in euros."))])
    opens_at = DateTimeLocalField(_l("Opens at (UTC)"), format=DATETIME_FORMATS,
                                  invalid_value_message=_l("Enter a date and a time."),
                                  validators=[InputRequired(_l("Enter when the call opens."))])
    closes_at = DateTimeLocalField(_l("Closes at (UTC)"), format=DATETIME_FORMATS,
                                   invalid_value_message=_l("Enter a date and a time."),
                                   validators=[InputRequired(_l("Enter when the call closes."))])
    rule_set_version_id = SelectField(_l("Rule set version"), coerce=int, validate_choice=True,
                                      validators=[InputRequired(_l("Choose the version of the rule set."))])
    reminder_days = IntegerField(_l("Reminder (days before closing)"), default=7, validators=[
        InputRequired(_l("Enter a number of days.")),
        NumberRange(min=0, max=90, message=_l("Enter a number of days from 0 to 90."))])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, challenges: Sequence[Challenge] = (),
                 versions: Sequence[tuple[RuleSetVersion, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.challenge_ids.choices = [(c.id, f"{c.code} · {c.title}") for c in challenges]
        self.rule_set_version_id.choices = [(v.id, label) for v, label in versions]
        if not versions:
            self.rule_set_version_id.choices = [(0, str(_l("No adopted rule set yet")))]

    def validate_envelope(self, field: StringField) -> None:
        try:
            amount = money.parse_amount(field.data or "")
        except ValueError as exc:  # "150,000" included: parse_amount refuses thousands after a comma itself
            raise ValidationError(amount_refusal(
                exc, _l("Enter an amount in euros, like 150 000 or 150000,50."))) from exc
        if amount <= 0:
            raise ValidationError(_l("The envelope is an amount in euros above zero."))

    def validate_closes_at(self, field: DateTimeLocalField) -> None:
        opens = self.opens_at.data
        if isinstance(opens, datetime) and isinstance(field.data, datetime) and field.data <= opens:
            raise ValidationError(_l("The call must close after it opens."))

    def validate_rule_set_version_id(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose the version of the rule set."))

    def call_data(self) -> dict[str, Any]:
        """The services' data dict (``services.CALL_FIELDS``)."""
        data: dict[str, Any] = {name: (getattr(self, name).data or "") for name in
                                ("title_fr", "title_en", "title_ar", "text_fr", "text_en", "text_ar")}
        data.update(envelope=self.envelope_amount(), opens_at=as_utc(self.opens_at.data),
                    closes_at=as_utc(self.closes_at.data), rule_set_version_id=self.rule_set_version_id.data,
                    challenge_ids=list(self.challenge_ids.data or []), reminder_days=self.reminder_days.data)
        return data

    def envelope_amount(self) -> Decimal:
        return money.parse_amount(self.envelope.data or "")


class ChallengeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=30)])
    position = IntegerField(_l("Position in lists"), default=0, validators=[
        InputRequired(_l("Enter a position.")), NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000."))])
    theme_fr = StringField(_l("Theme in French"), validators=[Optional(), Length(max=200)])
    theme_en = StringField(_l("Theme in English"), validators=[Optional(), Length(max=200)])
    theme_ar = StringField(_l("Theme in Arabic"), validators=[Optional(), Length(max=200)], render_kw=text_attrs("ar"))
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(_l("Enter the title in French.")),
                                                               Length(max=400)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=400)])
    title_ar = StringField(_l("Title in Arabic"), validators=[Optional(), Length(max=400)], render_kw=text_attrs("ar"))
    active = BooleanField(_l("Active: offered to new calls"), default=True)
    submit = SubmitField(_l("Save"))

    def challenge_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: (getattr(self, name).data or "").strip() for name in
                                ("code", "theme_fr", "theme_en", "theme_ar", "title_fr", "title_en", "title_ar")}
        data.update(position=self.position.data or 0, active=bool(self.active.data))
        return data


class ConfirmForm(FlaskForm):
    """A confirmation page's one button; ``target`` is the status it announced (a stale page is refused)."""

    target = HiddenField()
    submit = SubmitField(_l("Confirm"))
