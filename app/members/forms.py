"""Forms of the member register, colleges and charter (representatives: ``app/auth/forms.py``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, Optional, Regexp

from app.core.forms import BaseForm as FlaskForm
from app.members.models import Country, MemberKind, MemberStatus


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the organisation's name.")), Length(max=200)])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Kind of organisation"), validators=[InputRequired(_l("Choose a kind."))])
    country = SelectField(_l("Country"), validators=[InputRequired(_l("Choose a country."))])
    college_id = SelectField(_l("College"), coerce=int, validate_choice=True,
                             validators=[InputRequired(_l("Choose a college."))])
    territory = StringField(_l("City or territory"), validators=[Optional(), Length(max=200)])
    admission_date = DateField(_l("Admission date"), validators=[Optional()])
    email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email(_l("Enter a valid e-mail address.")),
                                                        Length(max=254)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=50),
                                                     Regexp(r"^[0-9+() .-]*$", message=_l("Use digits, spaces and + ( ) - only."))])
    address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=1000)])
    website = StringField(_l("Website"), validators=[Optional(), URL(message=_l("Enter a full address such as https://example.org.")),
                                                     Length(max=300)])
    org_id_scheme = StringField(
        _l("Register (org-id scheme)"),
        validators=[Optional(), Length(max=20), Regexp(r"^[A-Za-z]{2}-[A-Za-z0-9]{2,15}$",
                                                       message=_l("Write a scheme such as TN-RNE or FR-RNA."))])
    registration_number = StringField(_l("Registration number"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        """A register and a number go together (they make the organisation's identifier in the grants exports)."""
        valid = super().validate(extra_validators)
        if bool((self.registration_number.data or "").strip()) != bool((self.org_id_scheme.data or "").strip()):
            self.registration_number.errors = [*self.registration_number.errors,
                                               _l("Give both the register and the number, or neither.")]
            return False
        return valid

    def __init__(self, *args, colleges=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.kind.choices = MemberKind.choices()
        self.country.choices = Country.choices()
        self.college_id.choices = [(c.id, c.name) for c in colleges]

    def member_data(self) -> dict:
        data = {f: getattr(self, f).data if getattr(self, f).data is not None else
                (None if f == "admission_date" else "") for f in
                ("name", "acronym", "kind", "country", "college_id", "territory", "admission_date", "email",
                 "phone", "address", "website", "org_id_scheme", "registration_number")}
        data["org_id_scheme"] = data["org_id_scheme"].strip().upper()
        data["registration_number"] = data["registration_number"].strip()
        return data


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[InputRequired(_l("Choose a status."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for this change.")),
                                                     Length(max=2000)])
    effective_date = DateField(_l("Effective date"), validators=[Optional()])
    submit = SubmitField(_l("Change the status"))

    def __init__(self, *args, allowed=(), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, s.label) for s in MemberStatus if s in allowed]


class CollegeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a short code.")), Length(max=30),
                                               Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, - and _ only."))])
    name_fr = StringField(_l("Name in French"), validators=[DataRequired(_l("Enter the name in French.")), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    name_ar = StringField(_l("Name in Arabic"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))


class CharterForm(FlaskForm):
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(_l("Enter the title in French.")), Length(max=200)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(_l("Enter the title in English.")), Length(max=200)])
    title_ar = StringField(_l("Title in Arabic"), validators=[DataRequired(_l("Enter the title in Arabic.")), Length(max=200)])
    text_fr = TextAreaField(_l("Text in French"), validators=[DataRequired(_l("Enter the text in French."))])
    text_en = TextAreaField(_l("Text in English"), validators=[DataRequired(_l("Enter the text in English."))])
    text_ar = TextAreaField(_l("Text in Arabic"), validators=[DataRequired(_l("Enter the text in Arabic."))])
    submit = SubmitField(_l("Publish this version"))


class SignCharterForm(FlaskForm):
    agree = BooleanField(_l("I have read the charter and sign it on behalf of my organisation"),
                         validators=[DataRequired(_l("Tick the box to sign."))])
    submit = SubmitField(_l("Sign the charter"))
