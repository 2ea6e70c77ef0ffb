"""Forms of the voting pages: a ballot, its confirmation, opening and closing a vote."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, SubmitField
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import HiddenInput


def choice_labels() -> list[tuple[str, str]]:
    return [("for", str(_l("For"))), ("against", str(_l("Against"))), ("abstain", str(_l("Abstain")))]


class BallotForm(FlaskForm):
    """One ballot for one member; the choice is confirmed on the next page before it is cast."""

    member_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    choice = RadioField(_l("Your choice"), validators=[InputRequired(_l("Choose one of the options."))])
    submit = SubmitField(_l("Continue"))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.choice.choices = choice_labels()


class CastForm(BallotForm):
    submit = SubmitField(_l("Confirm and cast my ballot"))


class OpenVoteForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("Closes at (UTC)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Enter the closing date and time."))])
    submit = SubmitField(_l("Open the vote"))


class ConfirmActionForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
