"""Forms of the assembly pages: the assembly, its agenda, documents, proxies, presence and resolutions."""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.assembly.models import AssemblyKind, PresenceStatus
from app.assembly.rules import THRESHOLDS, MajorityBase
from app.assembly.sitting_dates import check_sitting_date, refusal_message
from app.core.content_forms import TranslationsMixin, source_locale_field, translation_field
from app.core.content_i18n import text_attrs
from app.core.forms import BaseForm as FlaskForm
from app.core.timeutil import as_utc, utcnow


def _quorum(form: FlaskForm, field: Field) -> None:
    """A fraction between 0 (excluded) and 1, typed as ``1/2``."""
    try:
        ratio = Fraction((field.data or "").strip())
    except (ValueError, ZeroDivisionError):
        raise ValidationError(_l("Enter a fraction such as 1/2 or 2/3.")) from None
    if not 0 < ratio <= 1:
        raise ValidationError(_l("The quorum is a fraction above 0 and at most 1."))


class AssemblyForm(TranslationsMixin, FlaskForm):
    TRANSLATED = ("title",)
    kind = SelectField(_l("Kind of assembly"), validators=[InputRequired(_l("Choose a kind."))])
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    source_locale = source_locale_field()
    title_fr = translation_field("title", "fr", 200)
    title_en = translation_field("title", "en", 200)
    title_ar = translation_field("title", "ar", 200)
    starts_at = DateTimeLocalField(_l("Date and time (UTC)"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   invalid_value_message=_l("Enter a date and a time."),
                                   validators=[InputRequired(_l("Enter the date and time of the assembly."))])
    place = StringField(_l("Place"), validators=[Length(max=300)])
    online = BooleanField(_l("Members can attend and vote online"), default=True)
    notice_days = IntegerField(_l("Statutory notice (days)"),
                               validators=[InputRequired(_l("Enter a number of days.")),
                                           NumberRange(min=0, max=365, message=_l("Enter a number of days from 0 to 365."))])
    quorum = StringField(_l("Quorum (share of active members present or represented)"),
                         validators=[DataRequired(_l("Enter a fraction such as 1/2 or 2/3.")), _quorum])
    second_convocation = BooleanField(_l("Second convocation: the assembly decides without quorum"))
    max_proxies = IntegerField(_l("Proxies a member may hold"),
                               validators=[InputRequired(_l("Enter a number.")),
                                           NumberRange(min=0, max=20, message=_l("Enter a number from 0 to 20."))])
    minutes_notes = TextAreaField(_l("Notes for the minutes"), validators=[Optional(), Length(max=20000)])
    recorded_afterwards = BooleanField(_l("This sitting has already taken place: I am recording it afterwards"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, current_starts_at: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = AssemblyKind.choices()
        self.init_translations(kwargs.get("obj"))
        self._current_starts_at = current_starts_at

    def validate_starts_at(self, field: Field) -> None:
        """A new date must be in the future, unless the secretariat records a sitting already held."""
        if field.data is None:
            return
        message = refusal_message(check_sitting_date(as_utc(field.data), now=utcnow(),
                                                     previous=self._current_starts_at,
                                                     recorded_afterwards=bool(self.recorded_afterwards.data)))
        if message:
            raise ValidationError(message)

    def validate_place(self, field: Field) -> None:
        if not self.online.data and not (field.data or "").strip():
            raise ValidationError(_l("Enter the place, or let members attend online."))

    def assembly_data(self) -> dict[str, Any]:
        ratio = Fraction(self.quorum.data.strip())
        return {"kind": self.kind.data, "title": self.title.data.strip(), "starts_at": as_utc(self.starts_at.data),
                "place": (self.place.data or "").strip(), "online": bool(self.online.data),
                "notice_days": self.notice_days.data, "quorum_num": ratio.numerator, "quorum_den": ratio.denominator,
                "second_convocation": bool(self.second_convocation.data), "max_proxies": self.max_proxies.data,
                "minutes_notes": self.minutes_notes.data or "",
                "recorded_afterwards": bool(self.recorded_afterwards.data), "source_locale": self.source_locale.data,
                "translations": self.translations_data()}


class AgendaItemForm(TranslationsMixin, FlaskForm):
    TRANSLATED = ("title", "description")
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the item's title.")), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    source_locale = source_locale_field()
    title_fr = translation_field("title", "fr", 300)
    title_en = translation_field("title", "en", 300)
    title_ar = translation_field("title", "ar", 300)
    description_fr = translation_field("description", "fr", 10000, area=True)
    description_en = translation_field("description", "en", 10000, area=True)
    description_ar = translation_field("description", "ar", 10000, area=True)
    submit = SubmitField(_l("Add to the agenda"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_translations(kwargs.get("obj"))


class MoveForm(FlaskForm):
    direction = SelectField(choices=[("up", "up"), ("down", "down")], validators=[InputRequired()])


class DocumentForm(TranslationsMixin, FlaskForm):
    TRANSLATED = ("title",)
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    source_locale = source_locale_field()
    title_fr = translation_field("title", "fr", 300)
    title_en = translation_field("title", "en", 300)
    title_ar = translation_field("title", "ar", 300)
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])
    submit = SubmitField(_l("Upload"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_translations(kwargs.get("obj"))
        extensions = current_app.config["ASSEMBLY_DOCUMENT_EXTENSIONS"]
        self.file.validators = [*self.file.validators, FileAllowed(
            extensions, _l("Accepted kinds of file: %(list)s.", list=", ".join(extensions)))]


class DocumentTitleForm(TranslationsMixin, FlaskForm):
    """A document's title and its translations, without replacing the file."""

    TRANSLATED = ("title",)
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    source_locale = source_locale_field()
    title_fr = translation_field("title", "fr", 300)
    title_en = translation_field("title", "en", 300)
    title_ar = translation_field("title", "ar", 300)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_translations(kwargs.get("obj"))


class ConveneForm(FlaskForm):
    accept_short_notice = BooleanField(_l("Convene anyway, although the statutory notice is not met"))
    submit = SubmitField(_l("Send the convocation"))

    def __init__(self, *args: Any, shortfall: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shortfall = shortfall

    def validate_accept_short_notice(self, field: Field) -> None:
        if self.shortfall and not field.data:
            raise ValidationError(_l("Tick the box to convene despite the short notice."))


class ConfirmForm(FlaskForm):
    """An explicit confirmation step before an irreversible action."""

    submit = SubmitField(_l("Confirm"))


class ProxyForm(FlaskForm):
    holder_id = SelectField(_l("Member that will vote for yours"), coerce=int, validate_choice=True,
                            validators=[InputRequired(_l("Choose a member."))])
    submit = SubmitField(_l("Give the proxy"))

    def __init__(self, *args: Any, holders: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.holder_id.choices = [(0, str(_l("Choose a member")))] + list(holders)

    def validate_holder_id(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose a member."))


def presence_choices() -> list[tuple[str, str]]:
    return PresenceStatus.choices()


def threshold_label(name: str) -> str:
    return str({"half": _l("More than half"), "two_thirds": _l("At least two thirds")}[name])


#: Majority presets of the statutes (see ``rules.MajorityRule.preset``); "custom" uses base and threshold.
PRESETS = {"simple": (MajorityBase.expressed, "half"), "absolute": (MajorityBase.electorate, "half"),
           "two_thirds": (MajorityBase.expressed, "two_thirds")}


def preset_of(base: str, threshold: str) -> str:
    return next((name for name, rule in PRESETS.items() if rule == (base, threshold)), "custom")


class ResolutionForm(FlaskForm):
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(_l("Enter the title in French.")),
                                                              Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    title_ar = StringField(_l("Title in Arabic"), validators=[Optional(), Length(max=300)], render_kw=text_attrs("ar"))
    text_fr = TextAreaField(_l("Text in French"), validators=[Optional(), Length(max=50000)])
    text_en = TextAreaField(_l("Text in English"), validators=[Optional(), Length(max=50000)])
    text_ar = TextAreaField(_l("Text in Arabic"), validators=[Optional(), Length(max=50000)], render_kw=text_attrs("ar"))
    preset = SelectField(_l("Majority"), default="simple", validators=[InputRequired(_l("Choose a majority."))])
    majority_base = SelectField(_l("Base (other rule)"), default=MajorityBase.expressed.value)
    threshold = SelectField(_l("Threshold (other rule)"), default="half")
    double_majority = BooleanField(_l("Double majority: also required within each college"))
    secret = BooleanField(_l("Secret ballot"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preset.choices = [("simple", str(_l("Simple majority: more than half of the votes cast, "
                                                 "abstentions excluded"))),
                               ("absolute", str(_l("Absolute majority: more than half of the electorate"))),
                               ("two_thirds", str(_l("Two-thirds: at least two thirds of the votes cast, "
                                                     "abstentions excluded"))),
                               ("custom", str(_l("Other rule: the base and threshold below")))]
        self.majority_base.choices = [(MajorityBase.expressed.value, str(_l("Votes cast, abstentions excluded"))),
                                      (MajorityBase.cast.value, str(_l("Votes cast, abstentions included"))),
                                      (MajorityBase.electorate.value, str(_l("The whole electorate")))]
        self.threshold.choices = [(name, threshold_label(name)) for name in THRESHOLDS]

    def resolution_data(self) -> dict[str, Any]:
        base, threshold = PRESETS.get(self.preset.data, (self.majority_base.data, self.threshold.data))
        data = {name: (getattr(self, name).data or "").strip()
                for name in ("title_fr", "title_en", "title_ar", "text_fr", "text_en", "text_ar")}
        return data | {"majority_base": str(base), "threshold": threshold,
                       "double_majority": bool(self.double_majority.data), "secret": bool(self.secret.data)}
