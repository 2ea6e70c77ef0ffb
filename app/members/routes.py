"""Member register pages: directory, member page, edit, status, representatives, colleges."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.core import mail
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import can, require
from app.extensions import db
from app.members import services
from app.members.forms import CollegeForm, ConfirmForm, InviteForm, MemberForm, StatusForm
from app.members.models import College, Country, Member, MemberKind, MemberStatus
from app.members.rules import TRANSITIONS

bp = Blueprint("members", __name__, template_folder="templates")


@bp.app_template_filter("member_status")
def member_status_label(value: str) -> str:
    return MemberStatus(value).label


def _member_or_404(member_id: int) -> Member:
    return db.get_or_404(Member, member_id)


def _colleges() -> list[College]:
    return list(db.session.scalars(select(College).order_by(College.code)))


_fail = fail_at_field


@bp.route("/members")
@require("member.list")
def directory():
    filters = services.DirectoryFilters.from_args(request.args)
    charter = services.current_charter()
    page = db.paginate(services.directory_query(filters, charter), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=100)
    signed = services.signed_member_ids(charter, [m.id for m in page.items])
    return render_template("members/directory.html", page=page, filters=filters, charter=charter, signed=signed,
                           colleges=_colleges(), kinds=MemberKind, statuses=MemberStatus, countries=Country)


@bp.route("/members/new", methods=["GET", "POST"])
@require("member.create")
def create():
    form = MemberForm(colleges=_colleges())
    if form.validate_on_submit():
        try:
            member = services.create_member(actor=current_user, data=form.member_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Member “%(name)s” created as an applicant.", name=member.name), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/form.html", form=form, member=None)


@bp.route("/members/<int:member_id>")
@require("member.view")
def detail(member_id: int):
    member = services.member_page(member_id)
    charter = services.current_charter()
    return render_template("members/detail.html", member=member, charter=charter,
                           signature=member.signature_of(charter),
                           show_contacts=member.can_view_contacts(current_user))


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@require("member.edit")
def edit(member_id: int):
    member = _member_or_404(member_id)
    form = MemberForm(obj=member, colleges=_colleges())
    if form.validate_on_submit():
        try:
            services.update_member(member, actor=current_user, data=form.member_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/form.html", form=form, member=member)


@bp.route("/members/<int:member_id>/status", methods=["GET", "POST"])
@require("member.change_status")
def change_status(member_id: int):
    member = _member_or_404(member_id)
    allowed = TRANSITIONS[MemberStatus(member.status)]
    if not allowed:
        flash(_("A withdrawn member keeps its status."), "info")
        return redirect(url_for("members.detail", member_id=member.id))
    form = StatusForm(allowed=allowed)
    if form.validate_on_submit():
        try:
            services.change_status(member, actor=current_user, target=MemberStatus(form.status.data),
                                   reason=form.reason.data, effective=form.effective_date.data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Status changed to “%(status)s”.", status=MemberStatus(form.status.data).label), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/status.html", form=form, member=member)


@bp.route("/members/<int:member_id>/representatives/invite", methods=["GET", "POST"])
@require("representative.invite")
def invite(member_id: int):
    member = _member_or_404(member_id)
    form = InviteForm()
    if request.method == "GET" and member.delegate is None:
        form.as_delegate.data = True
    if form.validate_on_submit():
        try:
            user = services.invite_representative(member, actor=current_user, email=form.email.data,
                                                  full_name=form.full_name.data, gender=form.gender.data,
                                                  as_delegate=form.as_delegate.data, locale=form.locale.data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            mail.deliver_pending()
            flash(_("Invitation sent to %(email)s.", email=user.email), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/invite.html", form=form, member=member)


def _representative(member: Member, user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.member_id != member.id:
        abort(404)
    return user


@bp.route("/members/<int:member_id>/representatives/<int:user_id>/delegate", methods=["GET", "POST"])
@require("representative.manage")
def make_delegate(member_id: int, user_id: int):
    member = _member_or_404(member_id)
    user = _representative(member, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.make_delegate(member, user, actor=current_user)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s is now the delegate of %(member)s.", name=user.full_name, member=member.name), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/confirm.html", form=form, member=member,
                           title=_("Change the delegate"),
                           question=_("Make %(name)s the delegate of %(member)s? The current delegate becomes an alternate.",
                                      name=user.full_name, member=member.name))


@bp.route("/members/<int:member_id>/representatives/<int:user_id>/remove", methods=["GET", "POST"])
@require("representative.manage")
def remove_representative(member_id: int, user_id: int):
    member = _member_or_404(member_id)
    user = _representative(member, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_representative(member, user, actor=current_user)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s no longer represents %(member)s.", name=user.full_name, member=member.name), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/confirm.html", form=form, member=member, title=_("Remove a representative"),
                           question=_("Remove %(name)s from the representatives of %(member)s? The account is closed.",
                                      name=user.full_name, member=member.name))


@bp.route("/members/<int:member_id>/representatives/<int:user_id>/resend", methods=["POST"])
@require("representative.invite")
def resend_invitation(member_id: int, user_id: int):
    from app.auth.services import send_invitation

    member = _member_or_404(member_id)
    user = _representative(member, user_id)
    if ConfirmForm().validate_on_submit():
        send_invitation(user, actor=current_user)
        db.session.commit()
        mail.deliver_pending()
        flash(_("Invitation sent again to %(email)s.", email=user.email), "success")
    return redirect(url_for("members.detail", member_id=member.id))


# Colleges -------------------------------------------------------------------

@bp.route("/colleges")
@require("college.manage")
def colleges():
    counts = dict(db.session.execute(select(Member.college_id, db.func.count()).group_by(Member.college_id)).all())
    return render_template("members/colleges.html", colleges=_colleges(), counts=counts)


@bp.route("/colleges/new", methods=["GET", "POST"], defaults={"college_id": None})
@bp.route("/colleges/<int:college_id>/edit", methods=["GET", "POST"])
@require("college.manage")
def edit_college(college_id: int | None):
    college = db.get_or_404(College, college_id) if college_id else None
    form = CollegeForm(obj=college)
    if form.validate_on_submit():
        try:
            services.save_college(college, actor=current_user, data=form.data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("College saved."), "success")
            return redirect(url_for("members.colleges"))
    return render_template("members/college_form.html", form=form, college=college)


from app.members import charter_routes, transfer_routes  # noqa: E402,F401  (register more routes on bp)

__all__ = ["bp", "can"]
