"""Member register pages: directory, member page, edit, status, colleges.

The representatives' pages (invite, delegate, remove) are ``app/auth/representative_routes.py``.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.errors import DomainError, fail_at_field
from app.core.permissions import require
from app.extensions import db
from app.members import services
from app.members.blueprint import bp, member_or_404
from app.members.forms import CollegeForm, MemberForm, StatusForm
from app.members.models import College, Country, Member, MemberKind, MemberStatus
from app.members.rules import TRANSITIONS


def _colleges() -> list[College]:
    return list(db.session.scalars(select(College).order_by(College.code)))


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
            fail_at_field(form, exc)
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
    member = member_or_404(member_id)
    form = MemberForm(obj=member, colleges=_colleges())
    if form.validate_on_submit():
        try:
            services.update_member(member, actor=current_user, data=form.member_data())
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/form.html", form=form, member=member)


@bp.route("/members/<int:member_id>/status", methods=["GET", "POST"])
@require("member.change_status")
def change_status(member_id: int):
    member = member_or_404(member_id)
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
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Status changed to “%(status)s”.", status=MemberStatus(form.status.data).label), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return render_template("members/status.html", form=form, member=member)


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
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("College saved."), "success")
            return redirect(url_for("members.colleges"))
    return render_template("members/college_form.html", form=form, college=college)
