"""Forms of the reports, the budget and its amendments.

Fixed fields are WTForms fields (CSRF, labels, dates); the fields there are one of per section, budget line or
indicator (``section_<key>``, ``line_<code>``, ``indicator_<id>``, ``comment_<part>``) are read here from the
request's mapping, keeping what was typed, with errors keyed by field name in the UI's language.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.calls.money import parse_amount, to_cents
from app.calls.wording import amount_refusal
from app.core.forms import BaseForm as FlaskForm
from app.grants.models import ReportKind, ReportNature


class ScheduleForm(FlaskForm):
    kind = SelectField(_l("Kind of report"), choices=ReportKind.choices(),
                       validators=[InputRequired(_l("Choose the kind of report."))])
    nature = SelectField(_l("What the report covers"), choices=ReportNature.choices(),
                         validators=[InputRequired(_l("Choose what the report covers."))])
    period_starts_on = DateField(_l("Period from"), validators=[InputRequired(_l("Enter the first day of the "
                                                                                 "period."))])
    period_ends_on = DateField(_l("Period to"), validators=[InputRequired(_l("Enter the last day of the period."))])
    due_on = DateField(_l("Due on"), validators=[InputRequired(_l("Enter the due date."))])


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirmation pages (their button carries ``confirm=1``)."""


class UploadForm(FlaskForm):
    file = FileField(_l("Invoice or statement (PDF, DOCX, XLSX, ODT, JPEG or PNG)"),
                     validators=[FileRequired(_l("Choose a file."))])


REVIEW_CHOICES = [("return", _l("Return it to the grantee with comments")),
                  ("approve", _l("Approve it (it is then frozen and its expenditure justified)"))]


class ReviewForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=REVIEW_CHOICES,
                          validators=[InputRequired(_l("Choose whether to return or approve the report."))])


class AmendForm(FlaskForm):
    new_ends_on = DateField(_l("New end date (leave empty to keep it)"), validators=[Optional()])
    reason = TextAreaField(_l("Why the budget should change"),
                           validators=[InputRequired(_l("Explain why the budget should change."))])


AMENDMENT_CHOICES = [("approve", _l("Approve: a new version of the budget")),
                     ("decline", _l("Decline, with the reason"))]


class AmendmentDecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=AMENDMENT_CHOICES,
                          validators=[InputRequired(_l("Choose whether to approve or decline the request."))])
    decision_reason = TextAreaField(_l("Reason for declining"), validators=[Optional()])


@dataclass
class Typed:
    """Values read from per-item fields: the parsed ones, what was typed (shown back) and the errors."""

    values: dict[str, object] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def read_texts(data: Mapping[str, str], prefix: str, keys: Iterable[str]) -> Typed:
    """Free texts per key (``<prefix><key>``): sections, comments, indicator actuals."""
    result = Typed()
    for key in keys:
        text = (data.get(f"{prefix}{key}") or "").strip()
        result.typed[f"{prefix}{key}"] = text
        result.values[str(key)] = text
    return result


def read_amounts(data: Mapping[str, str], codes: Iterable[str], *, required: bool) -> Typed:
    """Euros per budget line (``line_<code>``) in cents; an empty field is 0 unless ``required``."""
    result = Typed()
    for code in codes:
        name = f"line_{code}"
        text = (data.get(name) or "").strip()
        result.typed[name] = text
        if not text:
            if required:
                result.errors[name] = _("Enter an amount in euros, such as 1250.50.")
            else:
                continue
            continue
        try:
            result.values[code] = to_cents(parse_amount(text))
        except ValueError as refusal:
            result.errors[name] = str(amount_refusal(refusal, _("Enter an amount in euros, such as 1250.50.")))
    return result
