"""Call pages (list, page, draft set-up, opening, closing, later steps) and the programme's challenges.

Routes load (404), check the permission, validate the form, call a service,
commit once; a service's refusal is shown next to its field and what was
typed is kept. E-mails leave after the commit.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import services, wording
from app.calls.call_forms import CallForm, ChallengeForm, ConfirmForm, amount_text
from app.calls.models import Call, CallStatus, Challenge, ProposalStatus
from app.core import mail
from app.core.errors import DomainError, fail_at_field
from app.core.home import register_home_panel
from app.core.permissions import can, ensure, require
from app.core.timeutil import utcnow
from app.extensions import db

bp = Blueprint("calls", __name__, template_folder="templates")


@bp.record_once
def _register_home_panel(state: Any) -> None:
    """Members find the open calls on their home page (``app.core.home``)."""
    register_home_panel("calls.open", order=35, template="calls/calls/_home_open.html",
                        context=services.open_calls_panel)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"status_label": lambda status: CallStatus(status).label,
            "proposal_status_label": lambda status: ProposalStatus(status).label}


def _call_or_404(call_id: int) -> Call:
    call = services.call_page(call_id)
    if call is None:
        abort(404)
    return call


def _to_call(call: Call) -> Any:
    return redirect(url_for("calls.detail", call_id=call.id))


def _versions(keep: int | None = None) -> list[tuple[Any, str]]:
    return [(v, services.version_label(v)) for v in services.version_choices(keep)]


# List and page --------------------------------------------------------------------------------

@bp.route("/calls")
@require("call.view")
def index():
    manage = can(current_user, "call.manage")
    status = request.args.get("status") or None
    if status not in {s.value for s in CallStatus}:
        status = None
    page = db.paginate(services.calls_query(manage=manage, status=status if manage else None),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False, max_per_page=100)
    counts = services.submitted_counts([c.id for c in page.items]) if manage else {}
    return render_template("calls/calls/index.html", page=page, manage=manage, status=status, counts=counts,
                           statuses=CallStatus.choices(), now=utcnow())


def _time_left(call: Call) -> str | None:
    now = utcnow()
    if call.status != CallStatus.open or call.closes_at <= now:
        return None
    return format_timedelta(call.closes_at - now, threshold=1.1, add_direction=True)


@bp.route("/calls/<int:call_id>")
@require("call.view")
def detail(call_id: int):
    call = _call_or_404(call_id)
    manage = can(current_user, "call.manage")
    ensure(manage or services.visible_to_members(call))
    accepting = services.is_accepting(call)
    may_propose = (accepting and can(current_user, "proposal.create") and services.member_may_propose(current_user))
    start_url = url_for("proposals.new", call_id=call.id) if may_propose else None
    version = call.rule_set_version
    return render_template(
        "calls/calls/detail.html", call=call, manage=manage, accepting=accepting, start_url=start_url,
        time_left=_time_left(call), version=version, words=wording.rules_in_words(version.content or {}),
        own=services.own_proposals(call, current_user.member_id), next_status=services.next_status(call),
        opening_problems=services.opening_problems(call) if manage and call.status == CallStatus.draft else [])


# Draft set-up ---------------------------------------------------------------------------------

@bp.route("/calls/new", methods=["GET", "POST"])
@require("call.manage")
def create():
    form = CallForm(challenges=services.challenge_choices(), versions=_versions())
    if form.validate_on_submit():
        try:
            call = services.create_call(actor=current_user, data=form.call_data())
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Call saved as a draft. Open it when it is ready."), "success")
            return _to_call(call)
    return render_template("calls/calls/form.html", form=form, call=None), 422 if form.errors else 200


def _form_data(call: Call) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(call, name) for name in services.CALL_TEXT_FIELDS}
    data.update(envelope=amount_text(call.envelope), opens_at=call.opens_at.replace(tzinfo=None),
                closes_at=call.closes_at.replace(tzinfo=None), rule_set_version_id=call.rule_set_version_id,
                challenge_ids=[c.id for c in call.challenges], reminder_days=call.reminder_days)
    return data


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@require("call.manage")
def edit(call_id: int):
    call = _call_or_404(call_id)
    if call.status != CallStatus.draft:
        flash(_("Only a draft call can be edited."), "error")
        return _to_call(call)
    form = CallForm(challenges=services.challenge_choices(c.id for c in call.challenges),
                    versions=_versions(call.rule_set_version_id), data=_form_data(call))
    if form.validate_on_submit():
        try:
            services.update_call(call, actor=current_user, data=form.call_data())
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return _to_call(call)
    return render_template("calls/calls/form.html", form=form, call=call), 422 if form.errors else 200


# Transitions ------------------------------------------------------------------------------------

@bp.route("/calls/<int:call_id>/open", methods=["GET", "POST"])
@require("call.manage")
def open_call(call_id: int):
    """Confirmation page: what opening does, what still stops it."""
    call = _call_or_404(call_id)
    if call.status != CallStatus.draft:
        flash(_("This call is no longer a draft."), "info")
        return _to_call(call)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            sent = services.open_call(call, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            call = _call_or_404(call_id)
            status = 422
        else:
            db.session.commit()
            mail.deliver_pending()  # e-mails leave after the commit
            flash(ngettext("The call is open. %(num)d representative was e-mailed.",
                           "The call is open. %(num)d representatives were e-mailed.", sent), "success")
            return _to_call(call)
    return render_template("calls/calls/open.html", call=call, form=form,
                           problems=services.opening_problems(call),
                           recipients=len(services.representatives_of_active_members())), status


@bp.route("/calls/<int:call_id>/close", methods=["GET", "POST"])
@require("call.manage")
def close_call(call_id: int):
    call = _call_or_404(call_id)
    if call.status != CallStatus.open:
        flash(_("Only an open call can be closed."), "info")
        return _to_call(call)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.close_call(call, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("The call is closed: no proposal can be submitted any more."), "success")
        return _to_call(call)
    return render_template("calls/calls/close.html", call=call, form=form, early=utcnow() < call.closes_at,
                           submitted=services.submitted_counts([call.id]).get(call.id, 0))


@bp.route("/calls/<int:call_id>/advance", methods=["GET", "POST"])
@require("call.manage")
def advance(call_id: int):
    """Closed → in review → decided → published, one confirmed step at a time."""
    call = _call_or_404(call_id)
    target = services.next_status(call)
    if target is None:
        flash(_("This call has no further step to take here."), "info")
        return _to_call(call)
    form = ConfirmForm(data={"target": target})
    if form.validate_on_submit():
        try:
            new = services.advance(call, actor=current_user, expected=form.target.data or None)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("The call is now: %(status)s.", status=CallStatus(new).label), "success")
        return _to_call(call)
    return render_template("calls/calls/advance.html", call=call, form=form, target=target)


# Challenges ----------------------------------------------------------------------------------------

@bp.route("/challenges")
@require("call.manage")
def challenges():
    return render_template("calls/challenges/index.html", challenges=services.challenges_list())


@bp.route("/challenges/new", methods=["GET", "POST"])
@require("call.manage")
def create_challenge():
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            services.create_challenge(actor=current_user, data=form.challenge_data())
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Challenge saved."), "success")
            return redirect(url_for("calls.challenges"))
    return render_template("calls/challenges/form.html", form=form, challenge=None), 422 if form.errors else 200


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@require("call.manage")
def edit_challenge(challenge_id: int):
    challenge = db.get_or_404(Challenge, challenge_id)
    form = ChallengeForm(obj=challenge)
    if form.validate_on_submit():
        try:
            services.update_challenge(challenge, actor=current_user, data=form.challenge_data())
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("Challenge saved."), "success")
            return redirect(url_for("calls.challenges"))
    return render_template("calls/challenges/form.html", form=form, challenge=challenge), 422 if form.errors else 200
