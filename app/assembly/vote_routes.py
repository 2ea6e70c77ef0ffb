"""Vote pages: ballot, confirmation, cast, live turnout; opening, reminding and closing.

Results, the bulletin board and its export are in ``board_routes.py``. A vote of a kind that
registered an approval ballot (``kinds.APPROVAL_BALLOTS``; an election: a box per validated
candidate) shows it on the same pages; where the kind has its own opening or results page
(``kinds.VOTE_PAGES``), the generic one redirects there.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.assembly import ballot_reasons, kinds, secrecy, visibility, voting
from app.assembly.models import Vote
from app.assembly.vote_forms import (
    ApprovalBallotForm,
    ApprovalCastForm,
    BallotForm,
    CastForm,
    ConfirmActionForm,
    OpenVoteForm,
)
from app.core import mail
from app.core.bounds import bounded_int
from app.core.errors import DomainError
from app.core.permissions import can, require
from app.core.timeutil import as_utc
from app.extensions import db

bp = Blueprint("votes", __name__, template_folder="templates")

def _vote_or_404(vote_id: int) -> Vote:
    """The vote, or 404 when its assembly is hidden from the user (a draft: the secretariat's alone)."""
    return visibility.vote_or_404(vote_id)


def _slot(vote: Vote, member_id: int | None) -> voting.Slot | None:
    return next((s for s in voting.slots_for(current_user, vote) if s.member_id == member_id), None)


def _private(response):  # noqa: ANN001, ANN202 - a Flask response
    """Pages that show a tracker: kept out of shared caches and the browser's stored pages."""
    response = make_response(response)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _ballot_page(vote: Vote, forms: dict[int, BallotForm | ApprovalBallotForm] | None = None, status: int = 200,
                 receipts: list[tuple[int, str]] | None = None):
    """The ballot page; ``receipts`` ((member id, tracker) just cast) only on the cast's own answer:
    trackers are never kept in the session, so nothing there links a member to one."""
    slots = voting.slots_for(current_user, vote) if can(current_user, "vote.cast") else []
    forms = forms or {}
    approval = kinds.approval_ballot(vote)
    for slot in slots:
        if not slot.cast and slot.member_id not in forms:
            forms[slot.member_id] = (
                ApprovalBallotForm(formdata=None, member_id=slot.member_id, candidates=approval.choices)
                if approval is not None else BallotForm(formdata=None, member_id=slot.member_id))
    why = None if can(current_user, "vote.manage") else ballot_reasons.explain(current_user, vote)
    return render_template("assembly/ballot.html", vote=vote, resolution=vote.resolution, slots=slots,
                           forms=forms, receipts=receipts or [], turnout=voting.turnout(vote),
                           why=why, cast_reasons=ballot_reasons.CAST, approval=approval), status


def _refused_approvals(vote: Vote, member_id: int, raw: str, exc: DomainError):
    """An approval ballot refused at the cast (e.g. too many boxes): back to the ballot, boxes still ticked."""
    approval = kinds.approval_ballot(vote)
    offered = {value for value, _label in (approval.choices if approval is not None else [])}
    ticked = [part for part in (p.strip() for p in raw.split(",")) if part in offered]
    form = ApprovalBallotForm(formdata=None, member_id=member_id, choice=ticked,
                              candidates=approval.choices if approval is not None else [])
    form.choice.errors = [str(exc.message)]
    return _ballot_page(vote, {member_id: form}, status=422)


@bp.route("/votes/<int:vote_id>")
@require("vote.view")
def ballot(vote_id: int):
    return _ballot_page(_vote_or_404(vote_id))


@bp.route("/votes/<int:vote_id>/confirm", methods=["POST"])
@require("vote.cast")
def confirm(vote_id: int):
    """Second step: show the choice back to the voter before anything is written, with the tracker
    the ballot will carry (the voter holds it even if the cast's answer is lost)."""
    vote = _vote_or_404(vote_id)
    if kinds.uses_approval(vote):
        return _confirm_approvals(vote)
    form = BallotForm()
    slot = _slot(vote, form.member_id.data)
    if slot is None or slot.cast or not vote.is_open:
        flash(_("This ballot can no longer be cast."), "error")
        return redirect(url_for("votes.ballot", vote_id=vote.id))
    if not form.validate_on_submit():
        return _ballot_page(vote, {slot.member_id: form}, status=422)
    tracker, mac = secrecy.issue_tracker(vote.id, slot.member_id)
    cast_form = CastForm(formdata=None, member_id=slot.member_id, choice=form.choice.data, tracker=tracker, mac=mac)
    label = dict(form.choice.choices)[form.choice.data]
    return _private(render_template("assembly/ballot_confirm.html", vote=vote, resolution=vote.resolution,
                                    slot=slot, form=cast_form, choice_label=label, tracker=tracker))


def _confirm_approvals(vote: Vote):
    """An approval ballot's second step: the approved choices (or a blank ballot) shown back, checked
    against the kind's choice rule (an election: at most N) before anything is written."""
    approval = kinds.approval_ballot(vote)
    form = ApprovalBallotForm(candidates=approval.choices if approval is not None else [])
    slot = _slot(vote, form.member_id.data)
    if approval is None or slot is None or slot.cast or not vote.is_open:
        flash(_("This ballot can no longer be cast."), "error")
        return redirect(url_for("votes.ballot", vote_id=vote.id))
    if form.validate_on_submit():
        try:
            choice = voting.CHOICE_RULES[vote.kind](vote.id, form.choice_string())
        except DomainError as exc:
            form.choice.errors = [*form.choice.errors, str(exc.message)]
        else:
            tracker, mac = secrecy.issue_tracker(vote.id, slot.member_id)
            cast_form = ApprovalCastForm(formdata=None, member_id=slot.member_id, choice=choice, tracker=tracker,
                                         mac=mac)
            return _private(render_template("assembly/ballot_confirm.html", vote=vote, resolution=None, slot=slot,
                                            form=cast_form, approval=approval, approved=approval.approved(choice),
                                            tracker=tracker))
    return _ballot_page(vote, {slot.member_id: form}, status=422)


@bp.route("/votes/<int:vote_id>/cast", methods=["POST"])
@require("vote.cast")
def cast(vote_id: int):
    """The confirmed ballot. CSRFProtect has checked the token; the fields are read directly (the hot
    path: no form object), the tracker's MAC is checked and ``voting.cast`` validates the choice for
    the vote's kind. The answer shows the tracker (no redirect: the session keeps none); a reload
    posts again and is refused as already cast."""
    member_id = request.form.get("member_id", type=bounded_int)
    choice = request.form.get("choice", "")
    if member_id is None or len(choice) > 4000:
        flash(_("This ballot could not be read: fill it in again."), "error")
        return redirect(url_for("votes.ballot", vote_id=vote_id))
    try:
        tracker = secrecy.checked_tracker(vote_id, member_id, request.form.get("tracker", ""),
                                          request.form.get("mac", ""))
        tracker = voting.cast(vote_id, member_id, choice, actor=current_user, tracker=tracker)
    except voting.AlreadyCast as exc:
        db.session.rollback()
        flash(str(exc.message), "info")
        return redirect(url_for("votes.ballot", vote_id=vote_id))
    except DomainError as exc:
        db.session.rollback()
        if exc.field == "choice":
            vote = _vote_or_404(vote_id)
            if kinds.uses_approval(vote):
                return _refused_approvals(vote, member_id, choice, exc)
        flash(str(exc.message), "error")
        return redirect(url_for("votes.ballot", vote_id=vote_id))
    db.session.commit()
    flash(_("Your ballot has been cast. Keep its tracker to find it on the bulletin board."), "success")
    return _private(_ballot_page(_vote_or_404(vote_id), receipts=[(member_id, tracker)]))


@bp.route("/votes/<int:vote_id>/turnout.json")
@require("vote.view")
def turnout(vote_id: int):
    """The live count of members that voted: never who, never what."""
    vote = _vote_or_404(vote_id)
    return jsonify(status=vote.status, turnout=voting.turnout(vote), electorate=vote.electorate_size)


# Secretariat ------------------------------------------------------------------------------

@bp.route("/votes/<int:vote_id>/open", methods=["GET", "POST"])
@require("vote.manage")
def open_vote(vote_id: int):
    vote = _vote_or_404(vote_id)
    elsewhere = kinds.own_page(vote, "open")  # an election is opened from its page, which checks its candidates
    if elsewhere is not None:
        return redirect(elsewhere)
    form = OpenVoteForm()
    if form.validate_on_submit():
        try:
            size = voting.open_vote(vote, actor=current_user, closes_at=as_utc(form.closes_at.data))
        except DomainError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "", None)
            if target is not None:
                target.errors = [*target.errors, str(exc.message)]
            else:
                flash(str(exc.message), "error")
        else:
            db.session.commit()
            mail.deliver_pending()  # e-mails leave after the commit
            flash(ngettext("The vote is open: %(num)d member in the electorate.",
                           "The vote is open: %(num)d members in the electorate.", size), "success")
            return redirect(url_for("votes.ballot", vote_id=vote.id))
    return render_template("assembly/vote_open.html", vote=vote, resolution=vote.resolution, form=form,
                           vote_title=voting.vote_title(vote))


@bp.route("/votes/<int:vote_id>/close", methods=["GET", "POST"])
@require("vote.manage")
def close_vote(vote_id: int):
    vote = _vote_or_404(vote_id)
    form = ConfirmActionForm()
    if form.validate_on_submit():
        try:
            voting.close_vote(vote, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("votes.ballot", vote_id=vote.id))
        db.session.commit()
        secrecy.vacuum_ballots()  # the casts' row versions (paired by transaction id) leave the files now
        mail.deliver_pending()  # e-mails leave after the commit
        flash(_("The vote is closed and its results are published."), "success")
        return redirect(kinds.own_page(vote, "results") or url_for("board.results", vote_id=vote.id))
    return render_template("assembly/vote_close.html", vote=vote, resolution=vote.resolution, form=form,
                           turnout=voting.turnout(vote), vote_title=voting.vote_title(vote))


@bp.route("/votes/<int:vote_id>/remind", methods=["POST"])
@require("vote.manage")
def remind(vote_id: int):
    vote = _vote_or_404(vote_id)
    if not ConfirmActionForm().validate_on_submit():
        abort(400)
    try:
        sent = voting.send_reminders(vote, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        mail.deliver_pending()  # e-mails leave after the commit
        flash(ngettext("Reminder sent to %(num)d representative.", "Reminder sent to %(num)d representatives.", sent), "success")
    return redirect(request.referrer or url_for("votes.ballot", vote_id=vote.id))
