"""Forms of the member import: upload, confirm, cancel."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired

from app.core.forms import BaseForm as FlaskForm


class ImportUploadForm(FlaskForm):
    file = FileField(_l("File to import (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file to import."))])
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(FlaskForm):
    """Carries the token of the preview being confirmed, so a stale tab cannot confirm another upload."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Confirm the import"))


class ImportCancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel this import"))
