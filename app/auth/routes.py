"""Sign-in, sign-out, invitation and password-reset pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services, throttle
from app.auth.forms import ForgotPasswordForm, LinkCodeForm, LoginForm, SetPasswordForm
from app.auth.models import TokenPurpose, User
from app.core import audit, mail
from app.core.errors import DomainError
from app.core.redirects import safe_next
from app.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The account of a session token "id:version"; None (signed out) when the version is no longer the
    account's: sign-out, a password change or reset, a role loss and "sign out everywhere" bump it."""
    user_id, _, version = token.partition(":")
    if not all(part.isascii() and part.isdigit() and len(part) < 10 for part in (user_id, version)):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def start_session(user: User) -> None:
    """Regenerate the session at sign-in (no fixation), keep the language; the session carries the
    account's current session version. The language chosen before signing in stays, else the account's
    language becomes this session's: a later change of the account's language (from another session) does
    not switch this one. With neither, each page follows the browser's languages."""
    locale = session.get("locale") or user.locale
    session.clear()
    if locale:
        session["locale"] = locale
    session.permanent = True
    login_user(user)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(throttle.failure_limit, methods=["POST"], deduct_when=throttle.failed_sign_in)
def login():
    """Only refused sign-ins count against the client's address; the account's own failures slow its
    next checks down (``services.authenticate``) but never refuse the right password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            form.password.errors.append(_("E-mail address or password is wrong."))
        else:
            start_session(user)
            flash(_("Welcome, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: the account's session version moves on, so a copy of this session cookie (and every
    other session of the account) stops working too."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        services.end_sessions(user)
        audit.record("auth.logout", "user", user.id, actor=user)
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


# Single-use links -------------------------------------------------------------------------------------
# The e-mailed link is ``/reset#<code>``: the fragment never reaches the server (nor its access log).
# The page's script posts the code (or the person pastes it); the code then waits in the session for
# the password form, and the URL never holds it. Links sent before, ``/reset/<code>``, still work: the
# code moves into the session and the browser is sent on to the code-free URL at once.

_SESSION_KEY = {TokenPurpose.reset: "reset_code", TokenPurpose.invitation: "invitation_code"}


def _link_page(purpose: TokenPurpose, template: str, done_message: str):  # noqa: ANN202 - a Flask response
    key = _SESSION_KEY[purpose]
    here = url_for(request.endpoint or "core.home")
    if request.method == "POST" and "code" in request.form:
        code_form = LinkCodeForm()
        if code_form.validate_on_submit():
            try:
                services.token_user(code_form.code.data, purpose)
            except DomainError as exc:
                code_form.code.errors.append(str(exc.message))
            else:
                session[key] = code_form.code.data
                return redirect(here)
        return render_template("auth/link_code.html", form=code_form, purpose=purpose)
    secret = session.get(key)
    if not secret:
        return render_template("auth/link_code.html", form=LinkCodeForm(formdata=None), purpose=purpose)
    try:
        user = services.token_user(secret, purpose)
    except DomainError as exc:
        session.pop(key, None)
        return render_template("auth/link_invalid.html", message=exc.message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.consume_token(secret, purpose, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            session.pop(key, None)
            return render_template("auth/link_invalid.html", message=exc.message), 410
        db.session.commit()
        start_session(user)  # a new session: the code goes with the old one
        flash(done_message, "success")
        return redirect(url_for("core.home"))
    return render_template(template, form=form, invited=user)


def _keep_code_and_move_on(purpose: TokenPurpose, secret: str, endpoint: str):  # noqa: ANN202
    """An older link with the code in its path: keep the code in the session, leave the URL at once."""
    session[_SESSION_KEY[purpose]] = secret[:200]
    return redirect(url_for(endpoint))


@bp.route("/invitation", methods=["GET", "POST"])
@limiter.limit(throttle.failure_limit, methods=["POST"], deduct_when=throttle.failed_sign_in)
def invitation():
    return _link_page(TokenPurpose.invitation, "auth/accept_invitation.html",
                      _("Your password is set. Welcome to the platform."))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _keep_code_and_move_on(TokenPurpose.invitation, token, "auth.invitation")


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(throttle.failure_limit, methods=["POST"], deduct_when=throttle.failed_sign_in)
def reset():
    return _link_page(TokenPurpose.reset, "auth/reset_password.html", _("Your password has been changed."))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _keep_code_and_move_on(TokenPurpose.reset, token, "auth.reset")
