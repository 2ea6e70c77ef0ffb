"""A member's representatives: invite one, make one the delegate, remove one, resend an invitation.

The pages hang under the member's URL (``/members/<id>/representatives/...``)
but live with the accounts: a representative is a ``User``, and the member
register below never imports accounts.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import representatives
from app.auth.forms import ConfirmForm, InviteForm
from app.auth.models import User
from app.auth.services import send_invitation
from app.core import mail
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import require
from app.extensions import db
from app.members.blueprint import member_or_404
from app.members.models import Member

bp = Blueprint("representatives", __name__, template_folder="templates")


@bp.route("/members/<int:member_id>/representatives/invite", methods=["GET", "POST"])
@require("representative.invite")
def invite(member_id: int):
    member = member_or_404(member_id)
    form = InviteForm()
    if request.method == "GET" and member.delegate is None:
        form.as_delegate.data = True
    if form.validate_on_submit():
        try:
            user = representatives.invite_representative(member, actor=current_user, email=form.email.data,
                                                  full_name=form.full_name.data, gender=form.gender.data,
                                                  as_delegate=form.as_delegate.data, locale=form.locale.data)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            mail.deliver_pending()
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("auth/representative_invite.html", form=form, member=member)


def _representative(member: Member, user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.member_id != member.id:
        abort(404)
    return user


@bp.route("/members/<int:member_id>/representatives/<int:user_id>/delegate", methods=["GET", "POST"])
@require("representative.manage")
def make_delegate(member_id: int, user_id: int):
    member = member_or_404(member_id)
    user = _representative(member, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            representatives.make_delegate(member, user, actor=current_user)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s is now the delegate of %(member)s.", name=user.full_name, member=member.name), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("auth/representative_confirm.html", form=form, member=member,
                           title=_("Change the delegate"),
                           question=_("Make %(name)s the delegate of %(member)s? The current delegate becomes an alternate.",
                                      name=user.full_name, member=member.name))


@bp.route("/members/<int:member_id>/representatives/<int:user_id>/remove", methods=["GET", "POST"])
@require("representative.manage")
def remove_representative(member_id: int, user_id: int):
    member = member_or_404(member_id)
    user = _representative(member, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            representatives.remove_representative(member, user, actor=current_user)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s no longer represents %(member)s.", name=user.full_name, member=member.name), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("auth/representative_confirm.html", form=form, member=member, title=_("Remove a representative"),
                           question=_("Remove %(name)s from the representatives of %(member)s? The account is closed.",
                                      name=user.full_name, member=member.name))


@bp.route("/members/<int:member_id>/representatives/<int:user_id>/resend", methods=["POST"])
@require("representative.invite")
def resend_invitation(member_id: int, user_id: int):
    member = member_or_404(member_id)
    user = _representative(member, user_id)
    if ConfirmForm().validate_on_submit():
        send_invitation(user, actor=current_user)
        db.session.commit()
        mail.deliver_pending()
        flash(_("Invitation sent again to %(email)s.", email=user.email), "success")
    return redirect(url_for("members.detail", member_id=member.id))
