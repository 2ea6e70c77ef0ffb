"""Sign-in, password and representative forms."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.auth.models import Gender
from app.core.forms import BaseForm as FlaskForm

LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English"), ("ar", "العربية")]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                         Email(_l("Enter a valid e-mail address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    next = StringField()
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                         Email(_l("Enter a valid e-mail address."))])
    submit = SubmitField(_l("Send me a link"))


def _long_enough(form: FlaskForm, field: PasswordField) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Use at least %(n)d characters.", n=minimum))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a password.")),
                                                             _long_enough, Length(max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(_l("Repeat the password.")),
                                        EqualTo("password", _l("The two passwords differ."))])
    submit = SubmitField(_l("Save the password"))


class InviteForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Enter an e-mail address.")),
                                                         Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    gender = SelectField(_l("Gender"), default=Gender.undisclosed)
    locale = SelectField(_l("Language of the e-mails"), choices=LANGUAGE_CHOICES, default="fr")
    as_delegate = BooleanField(_l("Make this person the delegate (the current delegate becomes an alternate)"))
    submit = SubmitField(_l("Send the invitation"))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.gender.choices = Gender.choices()


class ConfirmForm(FlaskForm):
    """An explicit confirmation step before an action."""

    submit = SubmitField(_l("Confirm"))


def _code(form: FlaskForm, field: StringField) -> None:
    """Accept the code alone or the whole link pasted (the code is what follows "#")."""
    field.data = (field.data or "").strip().rsplit("#", 1)[-1].rsplit("/", 1)[-1].strip()


class LinkCodeForm(FlaskForm):
    """The code of an e-mailed link: the page's script fills it from the link; without script, pasted."""

    code = StringField(_l("Code from the e-mail"), validators=[DataRequired(_l("Enter the code from the e-mail.")),
                                                                Length(max=200), _code])
    submit = SubmitField(_l("Continue"))


class ChangePasswordForm(SetPasswordForm):
    """The new password as a reset sets it (same rules), after the current one."""

    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(_l("Enter your current password.")), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(_l("Repeat the password.")),
                                        EqualTo("password", _l("The two passwords differ."))])
    submit = SubmitField(_l("Change the password"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language of the pages and e-mails"), choices=LANGUAGE_CHOICES,
                         validators=[DataRequired(_l("Choose a language."))])
    submit = SubmitField(_l("Save the language"))
