"""Forms of the instruction page: confirm the automatic eligibility, or override one rule with a reason.

Both forms sit on one page and post to the same address; the button pressed (``confirm`` or
``override``) says which one was sent.
"""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.calls.instruction import MIN_REASON
from app.core.forms import BaseForm as FlaskForm


class ConfirmForm(FlaskForm):
    confirm = SubmitField(_l("Confirm the eligibility"))


class OverrideForm(FlaskForm):
    kind = SelectField(_l("Rule"), validators=[InputRequired(_l("Choose the rule to override."))])
    passed = RadioField(_l("Outcome"), choices=[("pass", _l("Passes")), ("fail", _l("Fails"))],
                        validators=[InputRequired(_l("Choose whether the rule passes or fails."))])
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Explain the override.")),
        Length(min=MIN_REASON, max=4000,
               message=_l("Explain the override in %(min)d to %(max)d characters.", min=MIN_REASON, max=4000))])
    override = SubmitField(_l("Override this rule"))

    def __init__(self, *args: object, rules: Sequence[tuple[str, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Choose a rule")), *rules]

    @property
    def passes(self) -> bool:
        return self.passed.data == "pass"
