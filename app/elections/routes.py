"""Election pages: set-up, candidacies, ballot, results, proclamation.

Routes load, check the permission, validate the form, call a service, commit
once; a service's refusal is shown next to its field and what was typed is kept.
The ballot itself is the vote page (``app/assembly/vote_routes.py``), which
shows an approval ballot for a vote of kind ``election``.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.assembly import minutes as minutes_doc
from app.assembly import visibility
from app.core import mail
from app.core.errors import DomainError, fail_at_field
from app.core.i18n import format_moment, text_direction
from app.core.permissions import can, require
from app.core.timeutil import as_utc, utcnow
from app.elections import models, queries, services  # noqa: F401  (tables; the ballot and count rules register)
from app.elections.forms import CandidacyForm, DecisionForm, ElectionForm, OpenVotingForm, rows_data
from app.elections.models import Candidacy, CandidacyStatus, Election
from app.extensions import db

bp = Blueprint("elections", __name__, template_folder="templates")


def _election_or_404(election_id: int) -> Election:
    election = queries.election_page(election_id)
    if election is None or not visibility.assembly_visible(current_user, election.assembly):
        abort(404)  # an election of a draft assembly is hidden with it
    return election


_fail = fail_at_field


def _to_detail(election: Election) -> Any:
    return redirect(url_for("elections.detail", election_id=election.id))


def _groups() -> dict[str, Any]:
    """The rows of the constraints: every college, the programme's countries."""
    return {"college_groups": [(c.code, c.name) for c in queries.colleges()],
            "country_groups": [(code, queries.country_name(code)) for code in queries.COUNTRIES]}


def _phase(election: Election) -> str:
    """Where the election stands, in words (list and detail pages)."""
    vote = election.vote
    if vote is not None and vote.is_closed:
        return _("Voting closed")
    if vote is not None and vote.is_open:
        return _("Voting open")
    now = utcnow()
    if now < election.candidacy_opens_at:
        return _("Candidacies not open yet")
    if now < election.candidacy_closes_at:
        return _("Candidacies open")
    return _("Candidacies closed")


def candidacies_still_open(election: Election) -> str | None:
    """Why voting cannot open yet while candidacies run, with when they close and what to do (the
    service refuses it too: ``services.open_voting``); None once they have closed."""
    if election.frozen or utcnow() >= election.candidacy_closes_at:
        return None
    return _("Voting cannot open while candidacies are open: they close on %(time)s (UTC). Come back after "
             "that time to open voting, or, to open sooner, bring the close of candidacies forward in the "
             "set-up.", time=format_moment(election.candidacy_closes_at))


# List, create, edit -------------------------------------------------------------------------

@bp.route("/elections")
@require("election.view")
def index():
    page = db.paginate(queries.elections_query(), per_page=current_app.config["PAGE_SIZE"], error_out=False,
                       max_per_page=100)
    return render_template("elections/index.html", page=page, phase=_phase)


@bp.route("/elections/new", methods=["GET", "POST"])
@require("election.manage")
def create():
    form = ElectionForm(assemblies=queries.live_assemblies(), **_groups())
    if form.validate_on_submit():
        try:
            election = services.create_election(actor=current_user, data=form.election_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Election created. Delegates can declare candidacies during the window."), "success")
            return _to_detail(election)
    return render_template("elections/form.html", form=form, election=None)


@bp.route("/elections/<int:election_id>/edit", methods=["GET", "POST"])
@require("election.manage")
def edit(election_id: int):
    election = _election_or_404(election_id)
    if election.frozen:
        flash(_("The set-up is frozen: voting has opened."), "error")
        return _to_detail(election)
    groups = _groups()
    constraints = election.constraints or {}
    form = ElectionForm(
        assemblies=queries.live_assemblies(election.assembly_id), **groups,
        data={"title": election.title, "seats": election.seats, "term_starts_on": election.term_starts_on,
              "term_years": election.term_years, "candidacy_opens_at": election.candidacy_opens_at,
              "candidacy_closes_at": election.candidacy_closes_at, "assembly_id": election.assembly_id or 0,
              "colleges": rows_data(groups["college_groups"], constraints.get("college")),
              "countries": rows_data(groups["country_groups"], constraints.get("country")),
              "parity_tolerance": constraints.get("parity_tolerance"),
              "infeasible_fallback": election.infeasible_fallback or "relax"})
    if form.validate_on_submit():
        try:
            services.update_election(election, actor=current_user, data=form.election_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return _to_detail(election)
    return render_template("elections/form.html", form=form, election=election)


# The election page ----------------------------------------------------------------------------

def _detail_page(election: Election, decision_forms: dict[int, DecisionForm] | None = None) -> str:
    """Set-up, candidates, the visitor's own candidacy and the secretariat's actions (bounded queries)."""
    manage = can(current_user, "election.manage")
    candidacies = queries.candidacies_of(election.id, validated_only=not manage)
    public = [c for c in candidacies if c.status == CandidacyStatus.validated]
    own = queries.own_candidacy(election.id, current_user.member_id)
    forms = decision_forms or {}
    if manage and not election.frozen:
        for c in candidacies:
            forms.setdefault(c.id, DecisionForm(formdata=None))
    names = queries.college_names()
    return render_template(
        "elections/detail.html", election=election, candidacies=candidacies, public=public, own=own,
        decision_forms=forms, phase=_phase(election), constraints=queries.constraints_in_words(
            election.constraints, names), college_names=names, country_name=queries.country_name,
        gender_label=queries.gender_label, candidacy_open=services.candidacy_open(election),
        published=queries.published(election), fallback=queries.fallback_label(election.infeasible_fallback),
        opening_waits=candidacies_still_open(election) if manage else None)


@bp.route("/elections/<int:election_id>")
@require("election.view")
def detail(election_id: int):
    return _detail_page(_election_or_404(election_id))


# Candidacies ------------------------------------------------------------------------------------

@bp.route("/elections/<int:election_id>/candidacy", methods=["GET", "POST"])
@require("candidacy.declare")
def declare(election_id: int):
    """A delegate declares its own member's candidacy during the window."""
    election = _election_or_404(election_id)
    if queries.own_candidacy(election.id, current_user.member_id) is not None:
        flash(_("Your organisation has already declared its candidacy."), "info")
        return _to_detail(election)
    if not services.candidacy_open(election):
        flash(_("Candidacies are not open for this election."), "error")
        return _to_detail(election)
    form = CandidacyForm()
    if form.validate_on_submit():
        try:
            services.declare_candidacy(election, actor=current_user, representative_name=form.representative_name.data,
                                       gender=form.gender.data, statements=form.statements())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Your candidacy is declared. The secretariat will validate it."), "success")
            return _to_detail(election)
    return render_template("elections/candidacy.html", election=election, form=form)


@bp.route("/elections/<int:election_id>/candidacies/<int:candidacy_id>/decide", methods=["POST"])
@require("election.manage")
def decide(election_id: int, candidacy_id: int):
    """Validate a candidacy, or reject it with a reason."""
    election = _election_or_404(election_id)
    candidacy = db.get_or_404(Candidacy, candidacy_id)
    if candidacy.election_id != election.id:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit() or not (form.approve.data or form.reject.data):
        flash(_("Choose to validate or to reject the candidacy."), "error")
        return _to_detail(election)
    try:
        services.decide_candidacy(candidacy, actor=current_user, validate=bool(form.approve.data),
                                  reason=form.reason.data or "")
    except DomainError as exc:
        _fail(form, exc)
        return _detail_page(_election_or_404(election_id), {candidacy_id: form})
    db.session.commit()
    name = candidacy.member.name
    if candidacy.status == CandidacyStatus.validated:
        flash(_("The candidacy of %(name)s is validated.", name=name), "success")
    else:
        flash(_("The candidacy of %(name)s is rejected.", name=name), "success")
    return _to_detail(election)


# Voting ---------------------------------------------------------------------------------------------

@bp.route("/elections/<int:election_id>/open", methods=["GET", "POST"])
@require("election.manage")
def open_voting(election_id: int):
    """Confirmation page: opening freezes the set-up, the candidates and the electorate."""
    election = _election_or_404(election_id)
    if election.frozen:
        flash(_("Voting has already opened."), "info")
        return _to_detail(election)
    form = OpenVotingForm()
    refusal: str | None = None
    if form.validate_on_submit():
        try:
            size = services.open_voting(election, actor=current_user, closes_at=as_utc(form.closes_at.data))
        except DomainError as exc:
            if exc.field is None:  # about the election, not the form: shown as the page's refusal
                db.session.rollback()
                refusal = str(exc.message)
            else:
                _fail(form, exc)
            election = _election_or_404(election_id)
        else:
            vote_id = election.vote_id
            db.session.commit()
            mail.deliver_pending()
            flash(ngettext("Voting is open: %(num)d member in the electorate.",
                           "Voting is open: %(num)d members in the electorate.", size), "success")
            return redirect(url_for("votes.ballot", vote_id=vote_id))
    validated = queries.candidacies_of(election.id, validated_only=True)
    waits = candidacies_still_open(election)
    if refusal is None and waits is not None:
        refusal = waits
    elif refusal is None and not validated:
        refusal = _("No candidacy has been validated.")
    elif refusal is None:
        check = services.feasibility(election, validated)
        refusal = None if check.ok else services.no_committee_text(check.problems)
    return render_template("elections/open.html", election=election, form=form, candidates=len(validated),
                           refusal=refusal)


# Results and proclamation ------------------------------------------------------------------------

@bp.route("/elections/<int:election_id>/results")
@require("election.view")
def results(election_id: int):
    """Hidden until the close (the turnout only); then the count, the draw and why."""
    election = _election_or_404(election_id)
    if not queries.published(election):
        return render_template("elections/results.html", election=election, view=None,
                               turnout=queries.turnout(election))
    return render_template("elections/results.html", election=election, view=queries.results_view(election),
                           turnout=None)


@bp.route("/elections/<int:election_id>/proclamation.pdf")
@require("election.view")
def proclamation(election_id: int):
    election = _election_or_404(election_id)
    if not queries.published(election):
        flash(_("The proclamation is published when voting closes."), "info")
        return redirect(url_for("elections.results", election_id=election.id))
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    html = render_template(
        "elections/proclamation.html", v=queries.results_view(election), e=election, locale=locale,
        direction=text_direction(locale), when=minutes_doc.when, generated_at=utcnow(),
        programme=current_app.config.get("PROGRAMME_NAME") or _("Programme platform"))
    response = Response(minutes_doc.html_to_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="proclamation-{election.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
