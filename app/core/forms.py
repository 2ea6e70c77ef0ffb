"""Form bases for every form of the app: dates and numbers refused outside sensible bounds.

Why one base: a term start of 9999-12-31 or a count of 2**63 typed in any
field used to reach a date computation or the database and answer 500. The
base's ``Meta.bind_field`` gives every date, date-time and number field a
bound check when the field is bound, so no form can forget it. The check
stops the field's validation chain, so a form's own ``validate_<field>`` never
computes with an out-of-range value; what was typed stays in the field.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import Field, Form
from wtforms.fields import DateField, DateTimeField, DateTimeLocalField, DecimalField, FloatField, IntegerField
from wtforms.validators import StopValidation

from app.core import bounds

DATE_FIELDS = (DateField, DateTimeField, DateTimeLocalField)  # DateTimeLocalField subclasses DateTimeField
NUMBER_FIELDS = (IntegerField, DecimalField, FloatField)  # the range fields subclass these


class DateInRange:
    """A date or date-time field holds a year within ``bounds.YEAR_MIN``..``bounds.YEAR_MAX``."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is not None and not bounds.date_in_range(field.data):
            raise StopValidation(str(_l("Enter a date between the years %(first)s and %(last)s.",
                                        first=bounds.YEAR_MIN, last=bounds.YEAR_MAX)))


class NumberInRange:
    """A number field holds a finite value the database can store."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is not None and not bounds.number_in_range(field.data):
            raise StopValidation(str(_l("Enter a number between %(low)s and %(high)s.",
                                        low=bounds.INT_MIN, high=bounds.INT_MAX)))


def bound_checks(field: Field) -> list[Any]:
    """The bound checks a bound field gets, by its kind (none for text, choices, files…)."""
    if isinstance(field, DATE_FIELDS):
        return [DateInRange()]
    if isinstance(field, NUMBER_FIELDS):
        return [NumberInRange()]
    return []


class BoundsMeta:
    """``Meta`` mixin: adds the bound checks to every field as it is bound to a form."""

    def bind_field(self, form: Form, unbound_field: Any, options: dict[str, Any]) -> Field:
        field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
        checks = bound_checks(field)
        if checks:
            field.validators = [*field.validators, *checks]
        return field


class BaseForm(FlaskForm):
    """Every page form (CSRF-protected): ``FlaskForm`` with bounded dates and numbers."""

    class Meta(BoundsMeta):
        pass


class BaseRow(Form):
    """Every row form nested in a page form (``FormField``/``FieldList``): bounded the same way, and its
    WTForms messages in the page's language like a page form's (a plain ``Form`` answers in English)."""

    class Meta(BoundsMeta):
        def get_translations(self, form: Form) -> Any:
            return wtforms_translations
