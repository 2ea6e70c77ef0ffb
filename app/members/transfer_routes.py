"""Import and export of the member directory.

Import: upload → preview (every row checked) → confirm (re-checked, all rows
or none). The parsed upload waits in ``<instance>/imports/<token>.json``; the
token lives in the signed session cookie, so one user cannot confirm another's.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.core.permissions import can, require
from app.core.storage import shared_path
from app.core.timeutil import utcnow
from app.extensions import db
from app.members import services, transfer
from app.members.blueprint import bp
from app.members.models import College, Country, MemberKind
from app.members.transfer_forms import ImportCancelForm, ImportConfirmForm, ImportUploadForm

SESSION_KEY = "member_import"
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _pending_dir() -> Path:
    """``IMPORT_DIR``, by default ``<SHARED_DIR>/imports``: the confirmation may reach another app node."""
    return shared_path("IMPORT_DIR", "imports")


def _pending() -> tuple[str, str, transfer.RawTable] | None:
    """(token, filename, table) of this user's upload awaiting confirmation."""
    token = session.get(SESSION_KEY)
    found = transfer.load_pending(_pending_dir(), token, user_id=current_user.id)
    if found is None:
        return None
    return token, found[0], found[1]


def _forget_pending() -> None:
    transfer.drop_pending(_pending_dir(), session.pop(SESSION_KEY, None))


def _import_page(form: ImportUploadForm, status: int = 200):  # noqa: ANN202 - Flask response
    colleges = list(db.session.scalars(select(College).order_by(College.code)))
    pending = _pending()
    return render_template("members/import.html", form=form, columns=transfer.COLUMNS, colleges=colleges,
                           kinds=MemberKind, countries=Country, max_rows=current_app.config["IMPORT_MAX_ROWS"],
                           pending_filename=pending[1] if pending else None), status


@bp.route("/members/import", methods=["GET", "POST"])
@require("member.import")
def import_members():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = Path(upload.filename or "").name[:200]
        limits = transfer.ReadLimits.from_config(current_app.config)
        try:  # never more than the limit + 1 byte is read: enough to refuse a larger file
            table = transfer.read_table(filename, upload.read(limits.max_bytes + 1),
                                        max_rows=current_app.config["IMPORT_MAX_ROWS"], limits=limits)
        except transfer.ImportFileError as exc:
            form.file.errors = [_row_message(p) for p in exc.problems]
            return _import_page(form, 422)
        _forget_pending()
        session[SESSION_KEY] = transfer.save_pending(_pending_dir(), user_id=current_user.id, filename=filename,
                                                     table=table)
        return redirect(url_for("members.import_preview"))
    return _import_page(form, 422 if form.errors else 200)


def _row_message(problem: transfer.Problem) -> str:
    if problem.row is None:
        return str(problem.message)
    return _("Row %(row)d: %(message)s", row=problem.row, message=problem.message)


@bp.route("/members/import/preview")
@require("member.import")
def import_preview():
    pending = _pending()
    if pending is None:
        flash(_("No import is waiting for confirmation. Choose a file."), "info")
        return redirect(url_for("members.import_members"))
    token, filename, table = pending
    preview = transfer.check(table)
    return render_template("members/import_preview.html", preview=preview, filename=filename,
                           confirm_form=ImportConfirmForm(token=token))


@bp.route("/members/import/confirm", methods=["POST"])
@require("member.import")
def import_confirm():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    pending = _pending()
    if pending is None or form.token.data != pending[0]:
        flash(_("This preview is no longer current: nothing was imported. Check the file again."), "error")
        return redirect(url_for("members.import_preview" if pending else "members.import_members"))
    token, filename, table = pending
    try:
        members = transfer.import_table(table, actor=current_user, filename=filename)
        db.session.commit()
    except (DomainError, IntegrityError) as exc:
        db.session.rollback()
        if isinstance(exc, transfer.ImportRejected):
            flash(_("Nothing was imported: the register changed since the preview. The rows with errors "
                    "are marked below."), "error")
        else:
            flash(_("Nothing was imported: the register changed during the import. Check the file again."),
                  "error")
        return redirect(url_for("members.import_preview"))
    _forget_pending()
    flash(ngettext("%(num)d member imported.", "%(num)d members imported.", len(members)), "success")
    return redirect(url_for("members.directory"))


@bp.route("/members/import/cancel", methods=["POST"])
@require("member.import")
def import_cancel():
    if ImportCancelForm().validate_on_submit():
        _forget_pending()
        flash(_("The import was cancelled; nothing was imported."), "info")
    return redirect(url_for("members.import_members"))


@bp.route("/members/import/template.csv")
@require("member.import")
def import_template():
    return send_file(BytesIO(transfer.template_csv()), mimetype=MIMETYPES["csv"], as_attachment=True,
                     download_name="members-import-template.csv")


@bp.route("/members/export.<fmt>")
@require("member.export")
def export(fmt: str):
    """The directory as filtered and sorted on screen, every page, contacts only for those allowed."""
    if fmt not in MIMETYPES:
        abort(404)
    filters = services.DirectoryFilters.from_args(request.args)
    charter = services.current_charter()
    members = list(db.session.scalars(services.directory_query(filters, charter)))
    signed = services.signed_member_ids(charter, [m.id for m in members])
    header, rows = transfer.export_table(members, signed, with_contacts=can(current_user, "member.view_contacts"))
    body = transfer.write_csv(header, rows) if fmt == "csv" else transfer.write_xlsx(header, rows)
    response = send_file(BytesIO(body), mimetype=MIMETYPES[fmt], as_attachment=True,
                         download_name=f"members-{utcnow().date().isoformat()}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response
