"""Forms of the review pages: settings (R, deadline), assignment by hand, conflicts, the scoring form's
fixed part (the criteria's fields are named per criterion and read by ``read_marks``), comments."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.calls import scoring
from app.calls.reviewing import MAX_COMMENT, MAX_REVIEWERS
from app.core.forms import BaseForm as FlaskForm

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
MIN_REASON = 5
NOT_APPLICABLE = "na"


class SettingsForm(FlaskForm):
    reviewers_per_proposal = IntegerField(_l("Reviewers per proposal"), validators=[
        InputRequired(_l("Enter a number of reviewers.")),
        NumberRange(min=1, max=MAX_REVIEWERS, message=_l("Enter a number of reviewers from 1 to %(max)d.",
                                                          max=MAX_REVIEWERS))])
    review_deadline = DateTimeLocalField(_l("Review deadline (UTC)"), format=DATETIME_FORMATS,
                                         invalid_value_message=_l("Enter a date and a time."),
                                         validators=[Optional()])
    save_settings = SubmitField(_l("Save the settings"))


class _Chosen:
    """Refuses a select still on its placeholder (the choice 0)."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(self.message)


def _pick(label: Any, message: Any) -> SelectField:
    """A select of ids whose first choice, 0, is a placeholder: leaving it there is refused with ``message``."""
    return SelectField(label, coerce=int, validate_choice=True, validators=[InputRequired(message), _Chosen(message)])


def _reason_validators() -> list[Any]:
    """The reason of a conflict of interest, declared or recorded."""
    return [DataRequired(_l("Give the reason for the conflict of interest.")),
            Length(min=MIN_REASON, max=2000, message=_l("Write %(min)d to %(max)d characters.", min=MIN_REASON,
                                                        max=2000))]


class AssignForm(FlaskForm):
    proposal_id = _pick(_l("Proposal"), _l("Choose a proposal."))
    reviewer_id = _pick(_l("Reviewer"), _l("Choose a reviewer."))
    assign = SubmitField(_l("Assign"))

    def __init__(self, *args: Any, proposals: Sequence[tuple[int, str]] = (),
                 reviewers: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal_id.choices = [(0, _l("Choose a proposal")), *proposals]
        self.reviewer_id.choices = [(0, _l("Choose a reviewer")), *reviewers]


class ApplyForm(FlaskForm):
    apply = SubmitField(_l("Make these assignments"))


class NotifyForm(FlaskForm):
    notify = SubmitField(_l("E-mail the reviewers their lists"))


class RecordConflictForm(FlaskForm):
    proposal_id = _pick(_l("Proposal"), _l("Choose a proposal."))
    member_id = _pick(_l("Member organisation"), _l("Choose the organisation."))
    reason = TextAreaField(_l("Reason"), validators=_reason_validators())
    record = SubmitField(_l("Record the conflict"))

    def __init__(self, *args: Any, proposals: Sequence[tuple[int, str]] = (),
                 members: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal_id.choices = [(0, _l("Choose a proposal")), *proposals]
        self.member_id.choices = [(0, _l("Choose an organisation")), *members]


class DeclareForm(FlaskForm):
    reason = TextAreaField(_l("Why you have a conflict of interest"), validators=_reason_validators())
    declare = SubmitField(_l("Declare the conflict"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[
        DataRequired(_l("Write your comment.")),
        Length(max=MAX_COMMENT, message=_l("Write at most %(max)d characters.", max=MAX_COMMENT))])
    post = SubmitField(_l("Post the comment"))


class ReviewForm(FlaskForm):
    """The fixed part of the scoring form; each criterion adds ``score-<code>`` and ``justification-<code>``."""

    eligible = RadioField(_l("In your view, is the proposal eligible?"),
                          choices=[("yes", _l("Yes")), ("no", _l("No")), ("", _l("No opinion"))], default="",
                          validate_choice=False)
    save = SubmitField(_l("Save the draft"))
    submit_review = SubmitField(_l("Submit the review"))

    @property
    def eligible_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.eligible.data or "")


def read_marks(criteria: Sequence[scoring.Criterion], data: Mapping[str, str]
               ) -> tuple[dict[str, scoring.Mark], dict[str, str], dict[str, dict[str, str]], dict[str, list[str]]]:
    """The marks typed in the form, justifications written before a score is chosen (kept in the draft),
    what to show back in each field, and unreadable scores' errors."""
    marks: dict[str, scoring.Mark] = {}
    pending: dict[str, str] = {}
    typed: dict[str, dict[str, str]] = {}
    errors: dict[str, list[str]] = {}
    for c in criteria:
        raw = (data.get(f"score-{c.code}") or "").strip()
        text = data.get(f"justification-{c.code}") or ""
        typed[c.code] = {"score": raw, "justification": text}
        if raw == NOT_APPLICABLE:
            marks[c.code] = scoring.Mark(None, text)
        elif raw:
            try:
                marks[c.code] = scoring.Mark(int(raw), text)
            except ValueError:
                errors[f"score-{c.code}"] = [str(_l("Choose a score from 0 to %(max)d.", max=c.scale_max))]
        elif text.strip():
            pending[c.code] = text
    return marks, pending, typed, errors


def typed_from_review(criteria: Sequence[scoring.Criterion], marks: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """What the form shows for a saved review."""
    out = {}
    for c in criteria:
        raw = marks.get(c.code) or {}
        if c.code not in marks or raw.get("pending"):
            score = ""
        elif raw.get("score") is None:
            score = NOT_APPLICABLE
        else:
            score = str(raw["score"])
        out[c.code] = {"score": score, "justification": raw.get("justification") or ""}
    return out
