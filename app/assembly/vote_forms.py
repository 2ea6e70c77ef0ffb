"""Forms of the voting pages: a ballot (a resolution's choice or an election's approvals), its
confirmation, opening and closing a vote; the board's tracker lookup."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from app.core.forms import BaseForm as FlaskForm


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
    """The confirmed ballot, with the tracker drawn at the confirm step and its MAC (``secrecy``)."""

    tracker = HiddenField()
    mac = HiddenField()
    submit = SubmitField(_l("Confirm and cast my ballot"))


class ApprovalBallotForm(FlaskForm):
    """An election's ballot for one member: a box per validated candidate, none ticked = a blank ballot.

    ``candidates``: (candidacy id, label) pairs. How many boxes may be ticked is the election's
    choice rule (``voting.CHOICE_RULES["election"]``), checked at the confirmation and at the cast.
    """

    member_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    choice = SelectMultipleField(_l("Candidates you approve"), widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    submit = SubmitField(_l("Continue"))

    def __init__(self, *args, candidates: list[tuple[str, str]] | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.choice.choices = list(candidates or [])

    def choice_string(self) -> str:
        """The approvals as the cast takes them: candidacy ids, comma-separated ("" = blank)."""
        return ",".join(self.choice.data or [])


class ApprovalCastForm(FlaskForm):
    """The confirmed approval ballot: candidacy ids, comma-separated, "" for a blank ballot."""

    member_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    choice = StringField(validators=[Length(max=4000)])
    tracker = HiddenField()
    mac = HiddenField()
    submit = SubmitField(_l("Confirm and cast my ballot"))


class OpenVoteForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("Closes at (UTC)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Enter the closing date and time."))])
    submit = SubmitField(_l("Open the vote"))


class ConfirmActionForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class TrackerLookupForm(FlaskForm):
    """The board's tracker lookup: posted, so that no tracker ever appears in a URL (access logs)."""

    tracker = StringField(_l("Find my tracker"), validators=[
        DataRequired(_l("Enter your tracker.")),
        Length(max=80, message=_l("A tracker has 32 characters, digits and letters a to f."))])
    submit = SubmitField(_l("Find"))
