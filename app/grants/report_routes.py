"""Pages of a grant's reports, budget and indicators (blueprint ``grant_reports``).

Who: the secretariat (everything, and alone sets the schedule, reviews, decides amendments); the grantee's
representatives (their own grant: prepare and attach; the delegate alone submits; they ask for amendments);
the committee and ex-officio members read the reports, budget and indicators of the portfolio but never the
attachments (a grantee's private documents). Anybody else gets 403, anonymous users the sign-in page.

Routes load (404), check the permission, validate, call a service, commit once, flash, redirect. Irreversible
steps (submit, approve or return, decide an amendment, take a report off the schedule) go through a
confirmation page.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from app.calls import attachments as call_attachments
from app.calls.models import BudgetCategory
from app.calls.money import from_cents
from app.core.bounds import bounded_int, int_or_none
from app.core.errors import DomainError, fail_at_field
from app.core.i18n import text_direction
from app.core.permissions import can
from app.core.timeutil import utcnow
from app.extensions import db, login_manager
from app.grants import agreements, budget, indicators, reports
from app.grants.models import (
    AmendmentState,
    BudgetAmendment,
    Grant,
    Report,
    ReportAttachment,
    ReportKind,
    ReportNature,
    ReportVersion,
    ReportVersionStatus,
)
from app.grants.report_forms import (
    AmendForm,
    AmendmentDecisionForm,
    ConfirmForm,
    ReviewForm,
    ScheduleForm,
    UploadForm,
    read_amounts,
    read_texts,
)

bp = Blueprint("grant_reports", __name__, template_folder="templates")

UPLOAD_OVERHEAD = 256 * 1024


@bp.record_once
def _upload_limit(state: BlueprintSetupState) -> None:
    """An attachment may be larger than the app's ``MAX_CONTENT_LENGTH``: raise the limit for that one POST
    (first among the ``before_request`` functions, so before the CSRF check reads the form)."""
    app: Flask = state.app

    def raise_limit() -> None:
        if request.method == "POST" and request.endpoint == "grant_reports.upload":
            request.max_content_length = max(call_attachments.max_bytes() + UPLOAD_OVERHEAD,
                                             app.config.get("MAX_CONTENT_LENGTH") or 0)

    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


def _grant_url(grant: Grant) -> str | None:
    """The grant's own page (owner G-A) when its blueprint is registered and the reader may open it
    (portfolio readers — committee and ex-officio members — read these pages but not the agreement)."""
    if not agreements.can_view(grant, current_user):
        return None
    for endpoint in ("grants.detail", "grants.grant", "grants.show", "grants.view"):
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, grant_id=grant.id)
            except BuildError:
                continue
    return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"from_cents": from_cents, "grant_url": _grant_url, "sections": reports.SECTIONS,
            "comment_parts": reports.COMMENT_PARTS, "report_kind": lambda v: ReportKind(v).label,
            "report_nature": lambda v: ReportNature(v).label,
            "version_status": lambda v: ReportVersionStatus(v).label if v else _("Not started"),
            "amendment_state": lambda v: AmendmentState(v).label, "file_size": call_attachments.size_text,
            "percent": indicators.percent, "flag_label": budget.flag_label, "category_label": _category_label}


def _category_label(code: str) -> str:
    try:
        return BudgetCategory(code).label
    except ValueError:
        return code


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """Anonymous users go to the sign-in page; the object-level checks do the rest."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def _grant(grant_id: int) -> Grant:
    grant = db.session.get(Grant, grant_id)
    if grant is None:
        abort(404)
    if not reports.can_view(grant, current_user):
        abort(403)
    return grant


def _report(grant: Grant, report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None or report.grant_id != grant.id:
        abort(404)
    return report


def _only(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _who(grant: Grant) -> dict[str, bool]:
    user = current_user
    return {"secretariat": reports.is_secretariat(user), "grantee": reports.is_grantee(grant, user),
            "may_prepare": reports.can_prepare(grant, user), "may_submit": reports.can_submit(grant, user),
            "may_review": reports.can_review(user), "may_schedule": reports.can_schedule(user),
            "may_attachments": reports.can_read_attachments(grant, user)}


def _to_report(grant: Grant, report: Report) -> Any:
    return redirect(url_for("grant_reports.report", grant_id=grant.id, report_id=report.id))


# The schedule -------------------------------------------------------------------------------------------------

@bp.route("/grants/<int:grant_id>/reports")
@signed_in
def index(grant_id: int):
    grant = _grant(grant_id)
    today = utcnow().date()
    return render_template("grants/reports/index.html", grant=grant, reports=grant.reports, today=today,
                           who=_who(grant), editable=reports.editable)


def _entry(form: ScheduleForm) -> reports.ScheduleEntry:
    return reports.ScheduleEntry(form.kind.data, form.nature.data, form.period_starts_on.data,
                                 form.period_ends_on.data, form.due_on.data)


@bp.route("/grants/<int:grant_id>/reports/schedule", methods=["GET", "POST"])
@signed_in
def schedule(grant_id: int):
    """Add a report to the schedule, change one (``?report=<id>``), or take one off (with confirmation)."""
    grant = _grant(grant_id)
    _only(reports.can_schedule(current_user))
    editing = None
    chosen = request.values.get("report", type=bounded_int)
    if chosen is not None:
        editing = _report(grant, chosen)
    if request.method == "POST" and request.form.get("remove"):
        return _unschedule(grant, _report(grant, request.form.get("remove", type=bounded_int) or 0))
    data = None
    if request.method == "GET" and editing is not None:
        data = {"kind": editing.kind, "nature": editing.nature, "period_starts_on": editing.period_starts_on,
                "period_ends_on": editing.period_ends_on, "due_on": editing.due_on}
    form = ScheduleForm(data=data)
    form.kind.choices = ReportKind.choices()
    form.nature.choices = ReportNature.choices()
    if form.validate_on_submit():
        try:
            if editing is None:
                reports.add_report(grant, _entry(form), actor=current_user)
            else:
                reports.update_report(editing, _entry(form), actor=current_user)
        except DomainError as exc:
            fail_at_field(form, exc)
            grant = _grant(grant_id)
            editing = _report(grant, chosen) if chosen is not None else None
        else:
            db.session.commit()
            flash(_("The schedule of reports is saved."), "success")
            return redirect(url_for("grant_reports.index", grant_id=grant.id))
    return render_template("grants/reports/schedule.html", grant=grant, form=form, editing=editing,
                           reports=grant.reports, confirm=ConfirmForm()), 422 if form.errors else 200


def _unschedule(grant: Grant, report: Report) -> Any:
    form = ConfirmForm()
    if not request.form.get("confirm"):
        return render_template("grants/reports/unschedule.html", grant=grant, report=report, form=form)
    if form.validate_on_submit():
        try:
            reports.remove_report(report, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("The report is taken off the schedule."), "success")
    return redirect(url_for("grant_reports.schedule", grant_id=grant.id))


# A report -----------------------------------------------------------------------------------------------------

def _version_page(grant: Grant, report: Report, version: ReportVersion | None) -> dict[str, Any]:
    statement = budget.statement(grant)
    planned = {row.code: row for row in statement.rows}
    return {"grant": grant, "report": report, "version": version, "planned": planned,
            "attachments": reports.attachments_of(version) if version else [],
            "indicator_list": grant.indicators, "who": _who(grant), "line_codes": reports.budget_codes(grant)}


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>")
@signed_in
def report(grant_id: int, report_id: int):
    grant = _grant(grant_id)
    item = _report(grant, report_id)
    version = reports.latest(item)
    wanted = request.args.get("version", type=bounded_int)
    if wanted is not None:
        version = next((v for v in item.versions if v.number == wanted), None)
        if version is None:
            abort(404)
    page = _version_page(grant, item, version)
    return render_template("grants/reports/report.html", **page, versions=item.versions,
                           editable=reports.editable(item), lacks=reports.missing(item, version)
                           if version is not None and version.status == ReportVersionStatus.draft else [])


def _edit_page(grant: Grant, report: Report, version: ReportVersion | None, *, typed: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, status: int = 200, upload: UploadForm | None = None) -> Any:
    typed = typed if typed is not None else _typed_of(grant, report, version)
    page = _version_page(grant, report, version)
    returned = next((v for v in reversed(report.versions) if v.status == ReportVersionStatus.returned), None)
    return render_template("grants/reports/edit.html", **page, typed=typed, errors=errors or {},
                           upload=upload or UploadForm(), form=ConfirmForm(), returned=returned,
                           max_upload=call_attachments.size_text(call_attachments.max_bytes())), status


def _typed_of(grant: Grant, report: Report, version: ReportVersion | None) -> dict[str, str]:
    """The fields as saved (the returned version's when no draft exists yet: the next draft starts from it)."""
    source = version
    typed: dict[str, str] = {}
    if source is None:
        return typed
    for key in reports.sections_of(report):
        typed[f"section_{key}"] = source.narrative.get(key, "")
    for code, cents in source.expenditure.items():
        typed[f"line_{code}"] = str(from_cents(int(cents)))
    for key, value in source.indicators.items():
        typed[f"indicator_{key}"] = value
    return typed


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(grant_id: int, report_id: int):
    grant = _grant(grant_id)
    _only(reports.can_prepare(grant, current_user))
    item = _report(grant, report_id)
    if not reports.editable(item):
        flash(_("This report cannot be changed now."), "error")
        return _to_report(grant, item)
    version = reports.latest(item)
    if request.method == "GET":
        return _edit_page(grant, item, version)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    narrative = read_texts(request.form, "section_", reports.sections_of(item))
    amounts = read_amounts(request.form, reports.budget_codes(grant) if reports.asks_expenditure(item) else [],
                           required=False)
    actuals = read_texts(request.form, "indicator_",
                         [str(i.id) for i in grant.indicators] if reports.asks_indicators(item) else [])
    typed = {**narrative.typed, **amounts.typed, **actuals.typed}
    if amounts.errors:
        return _edit_page(grant, item, version, typed=typed, errors=amounts.errors, status=422)
    content = reports.DraftContent(narrative=narrative.values, expenditure=amounts.values,  # type: ignore[arg-type]
                                   indicators=actuals.values)  # type: ignore[arg-type]
    try:
        reports.save_draft(item, content, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        grant = _grant(grant_id)
        item = _report(grant, report_id)
        return _edit_page(grant, item, reports.latest(item), typed=typed,
                          errors={exc.field or "form": str(exc.message)}, status=422)
    db.session.commit()
    flash(_("The draft is saved."), "success")
    if request.form.get("then") == "submit" and reports.can_submit(grant, current_user):
        return redirect(url_for("grant_reports.submit", grant_id=grant.id, report_id=item.id))
    return _to_report(grant, item)


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>/attachments", methods=["POST"])
@signed_in
def upload(grant_id: int, report_id: int):
    grant = _grant(grant_id)
    _only(reports.can_prepare(grant, current_user))
    item = _report(grant, report_id)
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data
        try:
            reports.add_attachment(item, actor=current_user, filename=data.filename or "",
                                   data=data.read(call_attachments.max_bytes() + 1))
        except DomainError as exc:
            fail_at_field(form, exc)
        else:
            db.session.commit()
            flash(_("File attached."), "success")
            return redirect(url_for("grant_reports.edit", grant_id=grant.id, report_id=item.id))
    grant = _grant(grant_id)
    item = _report(grant, report_id)
    if not reports.editable(item):
        return _to_report(grant, item)
    return _edit_page(grant, item, reports.latest(item), upload=form, status=422)


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>/attachments/<int:attachment_id>/remove",
          methods=["POST"])
@signed_in
def remove_attachment(grant_id: int, report_id: int, attachment_id: int):
    grant = _grant(grant_id)
    _only(reports.can_prepare(grant, current_user))
    item = _report(grant, report_id)
    attachment_ = _attachment_of(item, attachment_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stored = reports.remove_attachment(item, attachment_, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _to_report(grant, item)
    db.session.commit()
    reports.discard(stored)
    flash(_("File removed."), "success")
    return redirect(url_for("grant_reports.edit", grant_id=grant.id, report_id=item.id))


def _attachment_of(report: Report, attachment_id: int) -> ReportAttachment:
    item = db.session.get(ReportAttachment, attachment_id)
    if item is None or item.version_id not in {v.id for v in report.versions}:
        abort(404)
    return item


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>/attachments/<int:attachment_id>")
@signed_in
def attachment(grant_id: int, report_id: int, attachment_id: int):
    """The file under its original name, as a download: the secretariat and the grantee only."""
    grant = _grant(grant_id)
    _only(reports.can_read_attachments(grant, current_user))
    item = _report(grant, report_id)
    file = _attachment_of(item, attachment_id)
    path = reports.path_of(file)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=file.content_type, as_attachment=True, download_name=file.filename,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>/submit", methods=["GET", "POST"])
@signed_in
def submit(grant_id: int, report_id: int):
    """Check your answers, then submit (the grantee's delegate)."""
    grant = _grant(grant_id)
    _only(reports.can_submit(grant, current_user))
    item = _report(grant, report_id)
    version = reports.latest(item)
    if version is None or version.status != ReportVersionStatus.draft:
        flash(_("There is no draft to submit."), "error")
        return _to_report(grant, item)
    form = ConfirmForm()
    lacks = reports.missing(item, version)
    if request.method == "POST" and form.validate_on_submit():
        try:
            reports.submit(item, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("The report is submitted. The secretariat will review it."), "success")
            return _to_report(grant, item)
        grant = _grant(grant_id)
        item = _report(grant, report_id)
        version = reports.latest(item)
    page = _version_page(grant, item, version)
    return render_template("grants/reports/submit.html", **page, form=form, lacks=lacks), \
        422 if request.method == "POST" else 200


@bp.route("/grants/<int:grant_id>/reports/<int:report_id>/review", methods=["GET", "POST"])
@signed_in
def review(grant_id: int, report_id: int):
    """Return with comments per section, or approve; a confirmation page before either."""
    grant = _grant(grant_id)
    _only(reports.can_review(current_user))
    item = _report(grant, report_id)
    version = reports.latest(item)
    if version is None or version.status != ReportVersionStatus.submitted:
        flash(_("Only a submitted report can be reviewed."), "error")
        return _to_report(grant, item)
    form = ReviewForm()
    form.decision.choices = [(value, str(label)) for value, label in form.decision.choices]
    comments = read_texts(request.form, "comment_", reports.COMMENT_PARTS)
    errors: dict[str, str] = {}
    page = _version_page(grant, item, version)
    if request.method == "POST" and form.validate_on_submit():
        decision = form.decision.data
        kept = {k: v for k, v in comments.values.items() if v}
        if decision == "return" and not kept:
            errors["comment_general"] = _("Write at least one comment saying what to change.")
        elif not request.form.get("confirm"):
            return render_template("grants/reports/review_confirm.html", **page, decision=decision,
                                   comments=kept, form=ConfirmForm(),
                                   now_due=_would_be_due(grant) if decision == "approve" else [])
        else:
            return _decide(grant, item, decision, kept, comments.typed)
    return render_template("grants/reports/review.html", **page, form=form, typed=comments.typed,
                           errors=errors), 422 if (form.errors or errors) else 200


def _would_be_due(grant: Grant) -> list[int]:
    """Instalment numbers waiting on this approval (for the confirmation page)."""
    return [i.number for i in grant.instalments if i.condition == "report_approved"
            and i.condition_report_id in {r.id for r in grant.reports if r.status == ReportVersionStatus.submitted}]


def _decide(grant: Grant, item: Report, decision: str, comments: dict[str, str], typed: dict[str, str]) -> Any:
    try:
        if decision == "approve":
            approval = reports.approve(item, actor=current_user)
        else:
            reports.return_report(item, comments, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("grant_reports.review", grant_id=grant.id, report_id=item.id))
    db.session.commit()
    if decision == "approve":
        flash(_("The report is approved and its expenditure recorded."), "success")
        if approval.now_due:
            numbers = ", ".join(str(i.number) for i in approval.now_due)
            flash(ngettext("Instalment %(numbers)s is now due.", "Instalments %(numbers)s are now due.",
                           len(approval.now_due), numbers=numbers), "success")
    else:
        flash(_("The report is returned to the grantee with your comments."), "success")
    return _to_report(grant, item)


# Budget -------------------------------------------------------------------------------------------------------

@bp.route("/grants/<int:grant_id>/budget", endpoint="budget")
@signed_in
def budget_page(grant_id: int):
    grant = _grant(grant_id)
    chosen = request.args.get("report", type=bounded_int)
    period_report = _report(grant, chosen) if chosen is not None else budget.default_period_report(grant)
    return render_template("grants/reports/budget.html", grant=grant, statement=budget.statement(
        grant, period_report=period_report), versions=budget.versions(grant), amendments=budget.amendments(grant),
        pending=budget.pending(grant), who=_who(grant), may_amend=_may_amend(grant),
        may_decide=reports.can_schedule(current_user))



def _may_amend(grant: Grant) -> bool:
    return reports.is_grantee(grant, current_user) and can(current_user, "budget.amend")


@bp.route("/grants/<int:grant_id>/budget/amend", methods=["GET", "POST"])
@signed_in
def amend(grant_id: int):
    """The grantee's request: new planned amounts per line and/or a new end date, checked, then confirmed."""
    grant = _grant(grant_id)
    _only(_may_amend(grant))
    statement = budget.statement(grant)
    if budget.pending(grant) is not None:
        flash(_("A request is already waiting for the secretariat's decision."), "error")
        return redirect(url_for("grant_reports.budget", grant_id=grant.id))
    codes = [row.code for row in statement.rows if statement.version and any(
        line.code == row.code for line in statement.version.lines)]
    form = AmendForm()
    typed = {f"line_{row.code}": str(from_cents(row.figures.planned_cents)) for row in statement.rows
             if row.code in codes}
    errors: dict[str, str] = {}
    if request.method == "POST":
        amounts = read_amounts(request.form, codes, required=True)
        typed = amounts.typed
        errors = dict(amounts.errors)
        if form.validate_on_submit() and not errors:
            lines = {code: int(cents) for code, cents in amounts.values.items()}  # type: ignore[call-overload]
            problems = budget.check_request(grant, lines, form.new_ends_on.data, today=utcnow().date())
            for name, message in problems:
                errors.setdefault(name, message)
            if not errors:
                if not request.form.get("confirm"):
                    return render_template("grants/reports/amend_confirm.html", grant=grant, statement=statement,
                                           lines=lines, form=form, typed=typed)
                try:
                    budget.request_amendment(grant, lines=lines, new_ends_on=form.new_ends_on.data,
                                             reason=form.reason.data or "", actor=current_user)
                except DomainError as exc:
                    db.session.rollback()
                    errors[exc.field or "reason"] = str(exc.message)
                else:
                    db.session.commit()
                    flash(_("Your request is sent to the secretariat."), "success")
                    return redirect(url_for("grant_reports.budget", grant_id=grant.id))
    for name in ("new_ends_on", "reason"):  # the service's refusals beside their WTForms field
        target = getattr(form, name)
        if name in errors and errors[name] not in target.errors:
            target.errors = [*target.errors, errors[name]]
        elif target.errors:
            errors.setdefault(name, str(target.errors[0]))
    return render_template("grants/reports/amend.html", grant=grant, statement=statement, codes=codes, form=form,
                           typed=typed, errors=errors), 422 if (errors or form.errors) else 200


@bp.route("/grants/<int:grant_id>/budget/amendments/<int:amendment_id>", methods=["GET", "POST"])
@signed_in
def decide_amendment(grant_id: int, amendment_id: int):
    grant = _grant(grant_id)
    amendment = db.session.get(BudgetAmendment, amendment_id)
    if amendment is None or amendment.grant_id != grant.id:
        abort(404)
    deciding = reports.can_schedule(current_user)
    form = AmendmentDecisionForm()
    base = next((v for v in budget.versions(grant) if v.id == amendment.base_version_id), None)
    page = {"grant": grant, "amendment": amendment, "base": base, "who": _who(grant), "deciding": deciding}
    if request.method == "POST":
        _only(deciding)
        if form.validate_on_submit():
            decision = form.decision.data
            reason = (form.decision_reason.data or "").strip()
            if decision == "decline" and not reason:
                form.decision_reason.errors = [_("Give the reason for declining.")]
            elif not request.form.get("confirm"):
                return render_template("grants/reports/amendment_confirm.html", **page, form=form,
                                       decision=decision, reason=reason)
            else:
                try:
                    if decision == "approve":
                        version = budget.approve_amendment(amendment, actor=current_user)
                    else:
                        budget.decline_amendment(amendment, reason=reason, actor=current_user)
                except DomainError as exc:
                    db.session.rollback()
                    flash(str(exc.message), "error")
                    return redirect(url_for("grant_reports.decide_amendment", grant_id=grant.id,
                                            amendment_id=amendment_id))
                db.session.commit()
                if decision == "approve":
                    flash(_("The amendment is approved: version %(n)s of the budget applies.", n=version.number),
                          "success")
                else:
                    flash(_("The amendment is declined."), "success")
                return redirect(url_for("grant_reports.budget", grant_id=grant.id))
    return render_template("grants/reports/amendment.html", **page, form=form), 422 if form.errors else 200


# Indicators ---------------------------------------------------------------------------------------------------

@bp.route("/grants/<int:grant_id>/indicators", endpoint="indicators")
@signed_in
def indicators_page(grant_id: int):
    grant = _grant(grant_id)
    data = indicators.table(grant)
    rtl = text_direction(str(get_locale() or "fr")) == "rtl"
    charts = [indicators.chart(side, rtl=rtl) for side in data.sides]
    partners = list(grant.partners) if can(current_user, "grant.manage") else []
    return render_template("grants/reports/indicators.html", grant=grant, data=data, charts=charts, who=_who(grant),
                           partners=partners)


@bp.route("/grants/<int:grant_id>/indicators/sides", methods=["POST"], endpoint="indicator_sides")
@signed_in
def indicator_sides(grant_id: int):
    """The secretariat says which side of the partnership each indicator measures."""
    grant = _grant(grant_id)
    if not can(current_user, "grant.manage"):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    sides: dict[int, int | None] = {}
    for indicator in grant.indicators:
        raw = request.form.get(f"side-{indicator.id}", "")
        if raw == "lead":
            sides[indicator.id] = None
        elif (side := int_or_none(raw, low=1)) is not None:
            sides[indicator.id] = side
    try:
        changed = indicators.set_sides(grant, sides, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(ngettext("%(num)d indicator changed side.", "%(num)d indicators changed side.", changed), "success")
    return redirect(url_for("grant_reports.indicators", grant_id=grant.id))

