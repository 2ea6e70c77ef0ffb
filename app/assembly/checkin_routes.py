"""Attendance at the door (check-in) and opening a sitting recorded afterwards.

One page for the door: search by name or acronym (a plain GET form; a small
script filters the rows as one types), one button per member and status,
"mark the ticked members present", the live counts and quorum. Each POST is
one commit and comes back to the same search.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from app.assembly import checkin, queries, services
from app.assembly.forms import ConfirmForm
from app.assembly.models import Assembly, PresenceStatus
from app.assembly.routes import LIVE, _assembly_or_404, _fail, _to_detail, bp
from app.core.content_i18n import localized_text
from app.core.errors import DomainError
from app.core.permissions import require
from app.extensions import db

STATUS_DONE = {
    PresenceStatus.present: lambda n: ngettext("%(num)d member marked present.", "%(num)d members marked present.",
                                               n),
    PresenceStatus.absent: lambda n: ngettext("%(num)d member marked absent.", "%(num)d members marked absent.", n),
    PresenceStatus.represented: lambda n: ngettext("%(num)d member marked represented by proxy.",
                                                   "%(num)d members marked represented by proxy.", n),
}


@bp.route("/assemblies/<int:assembly_id>/presence", methods=["GET", "POST"])
@require("assembly.manage")
def presence(assembly_id: int):
    """The check-in view; a POST applies one row's button or the bulk button, then comes back."""
    assembly = _assembly_or_404(assembly_id)
    search = request.values.get("q", "").strip()[:100]
    page_number = min(max(request.values.get("page", 1, type=int) or 1, 1), 10_000)
    form = ConfirmForm()
    errors: dict[int, str] = {}
    selected: list[int] = []
    bulk_error = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            action = checkin.parse_action(request.form.get("one"), request.form.get("bulk"),
                                          request.form.getlist("selected"))
        except ValueError:
            abort(400)
        selected = list(action.member_ids) if action.bulk else []
        if action.bulk and not action.member_ids:
            bulk_error = _("Tick at least one member, then press the button again.")
        else:
            try:
                done = checkin.check_in(assembly, action.member_ids, actor=current_user, status=action.status)
            except DomainError as exc:
                db.session.rollback()
                if exc.field and not action.bulk:
                    errors[action.member_ids[0]] = str(exc.message)
                else:
                    bulk_error = str(exc.message)
            else:
                db.session.commit()
                flash(STATUS_DONE[action.status](done), "success")
                anchor = None if action.bulk else f"m-{action.member_ids[0]}"
                return redirect(url_for("assembly.presence", assembly_id=assembly.id, q=search or None,
                                        page=page_number if page_number > 1 else None, _anchor=anchor))
    return _checkin_page(assembly, search, page_number, errors=errors, selected=selected, bulk_error=bulk_error)


def _checkin_page(assembly: Assembly, search: str, page_number: int, *, errors: dict[int, str],
                  selected: list[int], bulk_error: str | None) -> tuple[str, int]:
    """The page in a fixed number of queries: one page of members, their presences and proxies, the counts."""
    page = db.paginate(queries.convened_members_query(search), page=page_number, per_page=checkin.PAGE_SIZE,
                       error_out=False, max_per_page=checkin.PAGE_SIZE)
    presences, holders = queries.presence_rows(assembly, [m.id for m in page.items])
    summary = services.presence_summary(assembly)
    missing = checkin.missing_for_quorum(summary.present_or_represented, summary.members,
                                         services.quorum_rule(assembly))
    failed = bool(errors or bulk_error)
    return render_template(
        "assembly/checkin.html", assembly=assembly, page=page, search=search, form=ConfirmForm(formdata=None),
        presences=presences, holders=holders, errors=errors, selected=set(selected), bulk_error=bulk_error,
        summary=summary, missing=missing, editable=assembly.status in LIVE,
        statuses=PresenceStatus), 422 if failed else 200


@bp.route("/assemblies/<int:assembly_id>/record", methods=["GET", "POST"])
@require("assembly.manage")
def record_sitting(assembly_id: int) -> Response | str:
    """Open a sitting recorded afterwards for entering its attendance (no convocation is sent)."""
    assembly = _assembly_or_404(assembly_id)
    if not assembly.recorded_afterwards or assembly.status != "draft":
        return _to_detail(assembly)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            checkin.open_recorded_sitting(assembly, actor=current_user)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("The sitting is open for recording: enter its attendance, then close it."), "success")
            return redirect(url_for("assembly.presence", assembly_id=assembly.id))
    return render_template(
        "assembly/confirm.html", assembly=assembly, form=form, title=_("Record the sitting"),
        question=_("“%(title)s” has already taken place: no convocation will be sent and the statutory notice "
                   "does not apply. Open it to enter its attendance?",
                   title=localized_text(assembly, "title")))
