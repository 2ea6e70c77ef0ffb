"""Sign-in, sign-out, invitation and password-reset pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from app.auth.models import TokenPurpose, User
from app.core import audit, mail
from app.core.errors import DomainError
from app.core.redirects import safe_next
from app.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _start_session(user: User) -> None:
    """Regenerate the session at sign-in (no fixation), keep the language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session.permanent = True
    login_user(user)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    """Attempts are also counted per account, so guesses spread over many addresses are limited too."""
    return "account:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            form.password.errors.append(_("E-mail address or password is wrong."))
        else:
            _start_session(user)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        audit.record("auth.logout", "user", current_user.id, actor=current_user)
        db.session.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        mail.deliver_pending()
        flash(_("If an account uses this address, a link to reset the password has been sent to it."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _token_page(token: str, purpose: TokenPurpose, template: str, done_message: str):
    try:
        user = services.token_user(token, purpose)
    except DomainError as exc:
        return render_template("auth/link_invalid.html", message=exc.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.consume_token(token, purpose, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            return render_template("auth/link_invalid.html", message=exc.message), 410
        db.session.commit()
        _start_session(user)
        flash(done_message, "success")
        return redirect(url_for("core.home"))
    return render_template(template, form=form, invited=user)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _token_page(token, TokenPurpose.invitation, "auth/accept_invitation.html",
                       _("Your password is set. Welcome to the platform."))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    return _token_page(token, TokenPurpose.reset, "auth/reset_password.html", _("Your password has been changed."))
