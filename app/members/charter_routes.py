"""Charter pages: read the current version, sign it (delegates), publish one (secretariat)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.errors import DomainError, fail_at_field
from app.core.permissions import require
from app.extensions import db
from app.members import services
from app.members.blueprint import bp
from app.members.forms import CharterForm, SignCharterForm
from app.members.models import Charter


@bp.route("/charter", methods=["GET", "POST"])
@require("charter.view")
def charter():
    current = services.current_charter()
    member = current_user.member if current_user.member_id else None
    signature = member.signature_of(current) if member else None
    can_sign = bool(current and member and signature is None and member.can_sign_charter(current_user))
    form = SignCharterForm()
    if can_sign and form.validate_on_submit():
        try:
            services.sign_charter(member, actor=current_user, charter=current)
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("The charter is signed for %(member)s.", member=member.name), "success")
            return redirect(url_for("members.charter"))
    versions = list(db.session.scalars(select(Charter).order_by(Charter.version.desc())))
    return render_template("members/charter.html", charter=current, member=member, signature=signature,
                           can_sign=can_sign, form=form, versions=versions)


@bp.route("/charter/<int:version>")
@require("charter.view")
def charter_version(version: int):
    item = db.first_or_404(select(Charter).where(Charter.version == version))
    return render_template("members/charter_version.html", charter=item)


@bp.route("/charter/publish", methods=["GET", "POST"])
@require("charter.publish")
def publish_charter():
    current = services.current_charter()
    form = CharterForm(obj=current)
    if form.validate_on_submit():
        try:
            published = services.publish_charter(
                actor=current_user,
                titles={c: getattr(form, f"title_{c}").data for c in ("fr", "en", "ar")},
                texts={c: getattr(form, f"text_{c}").data for c in ("fr", "en", "ar")})
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Version %(v)d of the charter is published. Every member must sign it again.",
                    v=published.version), "success")
            return redirect(url_for("members.charter"))
    return render_template("members/charter_publish.html", form=form, current=current)
