"""Pages of the grants dashboards, exports and closure (blueprint ``grant_dashboards``).

- ``/grants/dashboard`` (secretariat): per call and overall, reports due/overdue/waiting, instalments due,
  grants at risk with the reason of each flag; a chart of paid vs committed per call with its table.
- ``/grants/mine`` (a grantee's representatives): its grants, what is due next, what was paid.
- ``/grants/portfolio`` (committee, ex-officio, secretariat): the programme's portfolio, figures only (no
  grantee's document is linked from it).
- Downloads (secretariat): ``/grants/export.<xlsx|csv>?table=…``, ``/grants/360giving.<json|csv>``,
  ``/grants/iati.xml``.
- ``/grants/<id>/closing`` (secretariat; a confirmation page before the irreversible step) and
  ``/grants/<id>/closing-statement.pdf`` (secretariat and the grantee).

Routes load (404), check the permission, validate, call a service, commit once, flash, redirect.
"""
from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, HiddenField, StringField
from wtforms.validators import Length, Optional

from app.core.bounds import bounded_int
from app.core.errors import DomainError, fail_at_field
from app.core.forms import BaseForm as FlaskForm
from app.core.i18n import text_direction
from app.core.permissions import Role, ensure, require, roles_of
from app.core.timeutil import utcnow
from app.extensions import db
from app.grants import agreements, closure, dashboard, exports
from app.grants.charts import Chart
from app.grants.models import Grant, GrantStatus

bp = Blueprint("grant_dashboards", __name__, template_folder="templates")

#: Rows of a dashboard list shown before "and N more" (the figures above always count every grant).
LIST_LIMIT = 50
TABLE_MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   "csv": "text/csv; charset=utf-8"}


class ClosingForm(FlaskForm):
    """The settlement's transfer (when there is a balance) and the confirmation step."""

    on = DateField(_l("Date of the transfer"), validators=[Optional()])
    reference = StringField(_l("Reference of the transfer"), validators=[Optional(), Length(max=120)])
    confirm = HiddenField()


def _rtl() -> bool:
    return text_direction(str(get_locale() or "fr")) == "rtl"


def _grant_link(grant_id: int) -> str | None:
    return url_for("grants.detail", grant_id=grant_id) if "grants.detail" in current_app.view_functions else None


def _chart_context() -> dict[str, Any]:
    return {"grant_link": _grant_link, "flag_text": dashboard.flag_text, "missing_text": dashboard.missing_text,
            "percent": dashboard.percent, "limit": LIST_LIMIT, "today": utcnow().date()}


def _download(body: bytes, mimetype: str, name: str, ext: str):  # noqa: ANN202
    response = send_file(BytesIO(body), mimetype=mimetype, as_attachment=True,
                         download_name=f"{name}-{utcnow().date().isoformat()}.{ext}")
    response.headers["Cache-Control"] = "no-store"
    return response


# Dashboards ------------------------------------------------------------------------------------------

@bp.route("/grants/dashboard")
@require("grant.manage")
def secretariat():
    call_id = request.args.get("call", type=bounded_int)
    data = dashboard.overview(call_id=call_id)
    chart: Chart = dashboard.paid_vs_committed(data.per_call, rtl=_rtl())
    return render_template("grants/dashboards/secretariat.html", data=data, chart=chart, call_id=call_id,
                           **_chart_context())


@bp.route("/grants/mine")
@require("grant.view")
def mine():
    if current_user.member_id is None:  # the secretariat follows every grant on its dashboard
        return redirect(url_for("grant_dashboards.secretariat"))
    data = dashboard.mine(current_user.member_id)
    charts = [dashboard.indicator_chart(g.indicators, rtl=_rtl(), title=_("Indicator progress · %(number)s",
                                                                           number=g.number))
              for g in data.grants if g.indicators]
    return render_template("grants/dashboards/mine.html", data=data, charts=charts, **_chart_context())


@bp.route("/grants/portfolio")
@require("portfolio.view")
def portfolio():
    grants, calls, overall = dashboard.portfolio()
    page = max(request.args.get("page", 1, type=bounded_int) or 1, 1)
    size = current_app.config.get("PAGE_SIZE", 25)
    pages = max((len(grants) + size - 1) // size, 1)
    page = min(page, pages)
    shown = grants[(page - 1) * size: page * size]
    return render_template("grants/dashboards/portfolio.html", grants=shown, count=len(grants), page=page,
                           pages=pages, calls=calls, overall=overall,
                           chart=dashboard.paid_vs_committed(calls, rtl=_rtl()),
                           progress=dashboard.call_progress_chart(grants, rtl=_rtl()),
                           secretariat=Role.secretariat in roles_of(current_user), **_chart_context())


# Exports ---------------------------------------------------------------------------------------------

@bp.route("/grants/export.<fmt>")
@require("grant.export")
def export(fmt: str):
    """``?table=portfolio|instalments|disbursements|expenditure`` (XLSX: every table when none is named)."""
    if fmt not in TABLE_MIMETYPES:
        abort(404)
    name = request.args.get("table", "")
    if name and name not in exports.TABLES:
        abort(404)
    tables = [name] if name else (list(exports.TABLES) if fmt == "xlsx" else ["portfolio"])
    label = "grants" if len(tables) > 1 else f"grants-{tables[0]}"
    return _download(exports.export_table(fmt, tables), TABLE_MIMETYPES[fmt], label, fmt)


@bp.route("/grants/360giving.<fmt>")
@require("grant.export")
def giving(fmt: str):
    if fmt not in ("json", "csv"):
        abort(404)
    grants = exports.giving_grants()
    if fmt == "json":
        return _download(exports.giving_json(grants), "application/json", "grants-360giving", "json")
    return _download(exports.giving_csv(grants), TABLE_MIMETYPES["csv"], "grants-360giving", "csv")


@bp.route("/grants/iati.xml")
@require("grant.export")
def iati():
    return _download(exports.iati_xml(), "application/xml", "grants-iati", "xml")


# Closure ---------------------------------------------------------------------------------------------

def _grant_or_404(grant_id: int) -> Grant:
    grant = db.session.get(Grant, grant_id)
    if grant is None:
        abort(404)
    return grant


@bp.route("/grants/<int:grant_id>/closing", methods=["GET", "POST"])
@require("grant.manage")
def closing(grant_id: int):
    """The closing balance; POST without ``confirm`` shows the check-your-answers page, with it closes."""
    grant = _grant_or_404(grant_id)
    state = closure.closing_of(grant)
    form = ClosingForm(data={"on": utcnow().date()} if request.method == "GET" else None)
    confirming = False
    if request.method == "POST" and form.validate_on_submit():
        if not state.can_close:
            flash(_("This grant cannot be closed yet."), "error")
            return redirect(url_for("grant_dashboards.closing", grant_id=grant.id))
        balance = state.balance.final_payment_cents or state.balance.refund_cents
        if balance and not (form.reference.data or "").strip():
            form.reference.errors = [*form.reference.errors, _("Enter the reference of the transfer.")]
        if balance and form.on.data is None:
            form.on.errors = [*form.on.errors, _("Enter the date of the transfer.")]
        if not form.errors and not form.reference.errors and not form.on.errors:
            if form.confirm.data != "yes":
                confirming = True
            else:
                try:
                    closure.close(grant, on=form.on.data or utcnow().date(), reference=form.reference.data or "",
                                  actor=current_user)
                except DomainError as exc:
                    db.session.rollback()
                    fail_at_field(form, exc)
                else:
                    db.session.commit()
                    flash(_("The grant %(number)s is closed.", number=grant.number), "success")
                    return redirect(url_for("grant_dashboards.closing", grant_id=grant.id))
    has_errors = bool(form.errors or form.reference.errors or form.on.errors)
    return render_template("grants/dashboards/closing.html", grant=grant, state=state, form=form,
                           confirming=confirming, has_errors=has_errors, grant_link=_grant_link,
                           problem_text=closure.problem_text, closed=grant.status == GrantStatus.closed), \
        422 if has_errors else 200


@bp.route("/grants/<int:grant_id>/closing-statement.pdf")
@require("grant.view")
def statement(grant_id: int):
    grant = _grant_or_404(grant_id)
    ensure(agreements.can_view(grant, current_user))
    if grant.status not in (GrantStatus.closing, GrantStatus.closed):
        abort(404)
    response = send_file(BytesIO(closure.statement_pdf(grant)), mimetype="application/pdf", as_attachment=True,
                         download_name=closure.statement_filename(grant))
    response.headers["Cache-Control"] = "no-store"
    return response

