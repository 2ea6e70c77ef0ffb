"""The steering committee: current and past compositions, appointed seats, vacancies.

Routes load, check the permission, validate the form, call a service, commit once; a
service's refusal is shown next to its field and what was typed is kept.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.auth.models import Gender
from app.core.errors import DomainError, fail_at_field
from app.core.forms import BaseForm as FlaskForm
from app.core.permissions import Role, require, roles_of
from app.core.timeutil import utcnow
from app.elections import committee, services
from app.elections.models import Mandate, MandateKind
from app.extensions import db
from app.members.models import Member, MemberStatus

bp = Blueprint("committee", __name__, template_folder="templates")

#: Seats the secretariat appoints (elected seats come from an election).
APPOINTED = (MandateKind.ex_officio, MandateKind.guarantor)
NO_MEMBER = 0


@bp.app_template_filter("mandate_kind")
def mandate_kind_label(value: str) -> str:
    return MandateKind(value).label


@bp.app_template_filter("committee_gender")
def gender_label(value: str) -> str:
    try:
        return Gender(value).label
    except ValueError:
        return value


# Forms -----------------------------------------------------------------------------------------

class AppointForm(FlaskForm):
    kind = SelectField(_l("Seat"), validators=[InputRequired(_l("Choose the kind of seat."))])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    member_id = SelectField(_l("Or a member organisation"), coerce=int, default=NO_MEMBER)
    representative_name = StringField(_l("Representative who sits"),
                                      validators=[DataRequired(_l("Name the representative who sits.")),
                                                  Length(max=200)])
    gender = SelectField(_l("Gender of the representative"), default=Gender.undisclosed,
                         validators=[InputRequired(_l("Choose a gender."))])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(_l("Enter the first day of the mandate."))])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(_l("Enter the day the mandate ends."))])
    submit = SubmitField(_l("Appoint"))

    def __init__(self, *args: Any, members: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in APPOINTED]
        self.gender.choices = Gender.choices()
        self.member_id.choices = [(NO_MEMBER, "—"), *members]

    def validate(self, extra_validators: Any = None) -> bool:
        """An ex-officio seat is an outside organisation's; the guarantor is a member or an organisation."""
        ok = super().validate(extra_validators)
        organisation = (self.organisation.data or "").strip()
        member = self.member_id.data or NO_MEMBER
        if self.kind.data == MandateKind.ex_officio:
            if member != NO_MEMBER:
                self.member_id.errors = [*self.member_id.errors,
                                         _("An ex-officio seat is held by an organisation outside the membership "
                                           "(a funder, a ministry): leave the member empty.")]
                ok = False
            if not organisation:
                self.organisation.errors = [*self.organisation.errors, _("Name the organisation.")]
                ok = False
        elif self.kind.data == MandateKind.guarantor and (bool(organisation) == (member != NO_MEMBER)):
            self.organisation.errors = [*self.organisation.errors,
                                        _("Name the organisation or choose a member, not both.")]
            ok = False
        return ok


class EndMandateForm(FlaskForm):
    ended_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date the seat is left."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=2000)])
    submit = SubmitField(_l("Record"))


# Helpers ---------------------------------------------------------------------------------------

_fail = fail_at_field


def _to_index() -> Response:
    return redirect(url_for("committee.index"))


def election_url(election_id: int | None) -> str | None:
    """The election's page, once that page exists (it lives in the elections blueprint)."""
    if election_id is None or "elections.detail" not in current_app.view_functions:
        return None
    return url_for("elections.detail", election_id=election_id)


def _member_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Member.id, Member.name).where(Member.status == MemberStatus.active)
                              .order_by(Member.name)).all()
    return [(row.id, row.name) for row in rows]


def _day(value: Any) -> str:
    return format_date(value)


def vacancy_message(outcome: services.VacancyOutcome) -> tuple[str, str]:
    """What the secretariat is told after a seat is left: who takes it, or that it stays vacant."""
    ended = outcome.ended
    when = _day(ended.ended_on)
    if ended.kind != MandateKind.elected:
        return _("The %(kind)s seat of %(holder)s ends on %(date)s.", kind=MandateKind(ended.kind).label,
                 holder=ended.holder, date=when), "success"
    text = _("%(holder)s leaves the committee on %(date)s.", holder=ended.holder, date=when)
    if outcome.successor is not None:
        text += " " + _("%(successor)s, the next substitute that keeps the constraints, takes the seat until "
                        "%(end)s.", successor=outcome.successor.holder, end=_day(outcome.successor.ends_on))
        category = "success"
    elif ended.election is not None and ended.election.count:
        text += " " + _("No substitute keeps the constraints: the seat stays vacant until the end of the term.")
        category = "warning"
    else:
        category = "success"
    if outcome.relaxed:
        text += " " + _("To fill the seat, these constraints were given up: %(relaxed)s.",
                        relaxed=", ".join(str(committee.RELAXED_LABELS.get(r, r)) for r in outcome.relaxed))
    return text, category


# Pages -----------------------------------------------------------------------------------------

@bp.route("/committee")
@require("committee.view")
def index():
    """The current composition, its balance against the constraints, the next and past ones."""
    composition = committee.composition()
    return render_template("elections/committee.html", composition=composition,
                           sits=Role.committee in roles_of(current_user),
                           own=composition.seats_of(current_user.member_id), election_url=election_url)


@bp.route("/committee/appoint", methods=["GET", "POST"])
@require("committee.manage")
def appoint():
    """Appoint an ex-officio seat (funder, ministry) or the guarantor's: appointed, not elected."""
    form = AppointForm(members=_member_choices())
    if not form.is_submitted():
        form.starts_on.data, form.ends_on.data = committee.default_term()
    if form.validate_on_submit():
        member = db.session.get(Member, form.member_id.data) if form.member_id.data else None
        try:
            mandate = services.appoint(
                actor=current_user, kind=MandateKind(form.kind.data), starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, organisation="" if member else (form.organisation.data or ""),
                member=member, representative_name=form.representative_name.data or "", gender=form.gender.data)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("%(holder)s holds the %(kind)s seat from %(start)s to %(end)s.", holder=mandate.holder,
                    kind=MandateKind(mandate.kind).label, start=_day(mandate.starts_on), end=_day(mandate.ends_on)),
                  "success")
            return _to_index()
    guarantor = committee.guarantor_member()
    return render_template("elections/committee_appoint.html", form=form, guarantor=guarantor)


@bp.route("/committee/mandates/<int:mandate_id>/end", methods=["GET", "POST"])
@require("committee.manage")
def end_mandate(mandate_id: int):
    """Record a resignation or withdrawal (an elected seat goes to the next fitting substitute),
    or end an appointed seat: a confirmation page with the date and the reason."""
    mandate = db.get_or_404(Mandate, mandate_id)
    if mandate.ended_on is not None:
        flash(_("This mandate has already ended."), "info")
        return _to_index()
    form = EndMandateForm()
    if not form.is_submitted():
        form.ended_on.data = max(utcnow().date(), mandate.starts_on)
    if form.validate_on_submit():
        try:
            outcome = services.record_vacancy(mandate, actor=current_user, ended_on=form.ended_on.data,
                                              reason=form.reason.data or "")
        except DomainError as exc:
            _fail(form, exc)
        else:
            message, category = vacancy_message(outcome)
            db.session.commit()
            flash(message, category)
            return _to_index()
    fills = mandate.kind == MandateKind.elected and mandate.election is not None and bool(mandate.election.count)
    return render_template("elections/committee_end.html", mandate=mandate, form=form, fills=fills,
                           election_url=election_url)


@bp.route("/committee/mandates/<int:mandate_id>/chair", methods=["POST"])
@require("committee.manage")
def designate_chair(mandate_id: int):
    """Designate the committee's chair, who decides on rule-set amendments with the secretariat."""
    mandate = db.get_or_404(Mandate, mandate_id)
    try:
        services.designate_chair(mandate, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("%(holder)s now chairs the steering committee.", holder=mandate.holder), "success")
    return _to_index()
