"""The account page: who I am, my language, my password, and "sign out everywhere"."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import services
from app.auth.forms import ChangePasswordForm, ConfirmForm, LanguageForm
from app.auth.routes import start_session
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import require
from app.extensions import db

bp = Blueprint("account", __name__, template_folder="templates")


def _me():  # noqa: ANN202 - the User behind the proxy
    return current_user._get_current_object()


def _page(language_form: LanguageForm | None = None):  # noqa: ANN202 - a Flask response
    if language_form is None:
        language_form = LanguageForm(formdata=None, locale=current_user.locale or session.get("locale") or "")
    return render_template("auth/account.html", language_form=language_form)


@bp.route("/account")
@require("account.edit")
def show():
    return _page()


@bp.route("/account/language", methods=["POST"])
@require("account.edit")
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        return _page(form)
    services.set_locale(_me(), form.locale.data)
    session["locale"] = form.locale.data
    db.session.commit()
    flash(_("Your language is saved."), "success")
    return redirect(url_for("account.show"))


@bp.route("/account/password", methods=["GET", "POST"])
@require("account.edit")
def change_password():
    """The current password, then the new one twice; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = _me()
        try:
            services.change_password(user, form.current.data, form.password.data)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            start_session(user)  # this browser stays signed in, with the new session version
            flash(_("Your password has been changed. Your other sessions have ended."), "success")
            return redirect(url_for("account.show"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/sign-out-everywhere", methods=["GET", "POST"])
@require("account.edit")
def sign_out_everywhere():
    """After a confirmation, every other session of the account ends; this one goes on."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = _me()
        services.sign_out_everywhere(user)
        db.session.commit()
        start_session(user)
        flash(_("Every other session of your account has ended."), "success")
        return redirect(url_for("account.show"))
    return render_template("auth/sign_out_everywhere.html", form=form)
