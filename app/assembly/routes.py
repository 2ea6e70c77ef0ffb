"""Assembly pages: list, create and edit, convene, agenda, documents, presence, proxies, resolutions, close.

Routes load, check the permission, validate the form, call a service, commit
once; a service's refusal is shown next to its field and what was typed is kept.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from app.assembly import queries, services, visibility
from app.assembly.forms import (
    AgendaItemForm,
    AssemblyForm,
    ConfirmForm,
    ConveneForm,
    DocumentForm,
    DocumentTitleForm,
    MoveForm,
    ProxyForm,
    ResolutionForm,
    preset_of,
)
from app.assembly.models import (
    AgendaItem,
    Assembly,
    AssemblyDocument,
    AssemblyKind,
    AssemblyStatus,
    Proxy,
    Resolution,
)
from app.core import mail
from app.core.content_i18n import localized_text
from app.core.errors import DomainError, fail_at_field
from app.core.permissions import ensure, require
from app.extensions import db
from app.members.models import Member, MemberStatus

bp = Blueprint("assembly", __name__, template_folder="templates")

#: Assemblies whose attendance and proxies can still change.
LIVE = (AssemblyStatus.convened, AssemblyStatus.in_session)


@bp.app_template_filter("assembly_status")
def assembly_status_label(value: str) -> str:
    return AssemblyStatus(value).label


@bp.app_template_filter("assembly_kind")
def assembly_kind_label(value: str) -> str:
    return AssemblyKind(value).label


def _assembly_or_404(assembly_id: int) -> Assembly:
    """The assembly; a draft exists only for the secretariat."""
    return visibility.assembly_or_404(assembly_id)


def _item_or_404(assembly: Assembly, item_id: int) -> AgendaItem:
    item = db.get_or_404(AgendaItem, item_id)
    if item.assembly_id != assembly.id:
        abort(404)
    return item


_fail = fail_at_field


def _to_detail(assembly: Assembly) -> Response:
    return redirect(url_for("assembly.detail", assembly_id=assembly.id))


def _minutes_url(assembly: Assembly) -> str | None:
    """The minutes' link once that page exists (it lives in another blueprint)."""
    if "minutes.pdf" not in current_app.view_functions:
        return None
    return url_for("minutes.pdf", assembly_id=assembly.id)


# List, create, edit -------------------------------------------------------------------------

@bp.route("/assemblies")
@require("assembly.view")
def index():
    page = db.paginate(queries.visible_assemblies(current_user), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=100)
    return render_template("assembly/index.html", page=page)


@bp.route("/assemblies/new", methods=["GET", "POST"])
@require("assembly.manage")
def create():
    config = current_app.config
    form = AssemblyForm(notice_days=config["ASSEMBLY_NOTICE_DAYS"], max_proxies=config["ASSEMBLY_MAX_PROXIES"],
                        quorum=str(config["ASSEMBLY_QUORUM"]))
    if form.validate_on_submit():
        try:
            assembly = services.create_assembly(actor=current_user, data=form.assembly_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Assembly created as a draft: add its agenda, then convene it."), "success")
            return _to_detail(assembly)
    return render_template("assembly/form.html", form=form, assembly=None)


@bp.route("/assemblies/<int:assembly_id>/edit", methods=["GET", "POST"])
@require("assembly.manage")
def edit(assembly_id: int):
    assembly = _assembly_or_404(assembly_id)
    form = AssemblyForm(obj=assembly, current_starts_at=assembly.starts_at)
    if request.method == "GET":
        form.quorum.data = f"{assembly.quorum_num}/{assembly.quorum_den}"
    if form.validate_on_submit():
        try:
            services.update_assembly(assembly, actor=current_user, data=form.assembly_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return _to_detail(assembly)
    return render_template("assembly/form.html", form=form, assembly=assembly)


# The assembly page ---------------------------------------------------------------------------

@bp.route("/assemblies/<int:assembly_id>")
@require("assembly.view")
def detail(assembly_id: int):
    """Everything about one sitting, in a fixed number of queries whatever the number of members."""
    assembly = queries.assembly_page(assembly_id)
    if assembly is None or not visibility.assembly_visible(current_user, assembly):
        abort(404)
    proxies = services.live_proxies(assembly)
    member_id = current_user.member_id
    own = {"member": None, "presence": None, "gave": None, "holds": [], "form": None}
    live = assembly.status in LIVE
    frozen = live and services.any_vote_opened(assembly)
    if member_id is not None:
        own["member"] = db.session.get(Member, member_id)
        own["gave"] = next((p for p in proxies if p.giver_id == member_id), None)
        own["holds"] = [p for p in proxies if p.holder_id == member_id]
        own["presence"] = queries.presence_rows(assembly, [member_id])[0].get(member_id)
        member = own["member"]
        if (live and not frozen and own["gave"] is None and not own["holds"] and member is not None
                and member.status == MemberStatus.active and services.can_manage_proxy_of(current_user, member)):
            own["form"] = ProxyForm(formdata=None, holders=queries.proxy_holder_choices(member))
    return render_template(
        "assembly/detail.html", assembly=assembly, summary=services.presence_summary(assembly), proxies=proxies,
        own=own, live=live, frozen=frozen, majority_in_words=queries.majority_in_words,
        minutes_url=_minutes_url(assembly), confirm_form=ConfirmForm(formdata=None),
        move_form=MoveForm(formdata=None))


# Convene and close --------------------------------------------------------------------------

@bp.route("/assemblies/<int:assembly_id>/convene", methods=["GET", "POST"])
@require("assembly.manage")
def convene(assembly_id: int):
    assembly = _assembly_or_404(assembly_id)
    if assembly.status != AssemblyStatus.draft:
        flash(_("This assembly has already been convened."), "info")
        return _to_detail(assembly)
    shortfall = services.notice_shortfall(assembly)
    form = ConveneForm(shortfall=shortfall)
    if form.validate_on_submit():
        try:
            sent = services.convene(assembly, actor=current_user, accept_short_notice=bool(form.accept_short_notice.data))
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            mail.deliver_pending()
            flash(ngettext("The assembly is convened: %(num)d convocation sent.",
                           "The assembly is convened: %(num)d convocations sent.", sent), "success")
            return _to_detail(assembly)
    return render_template("assembly/convene.html", assembly=assembly, form=form, shortfall=shortfall,
                           recipients=services.convened_users_count())


@bp.route("/assemblies/<int:assembly_id>/close", methods=["GET", "POST"])
@require("assembly.manage")
def close(assembly_id: int):
    assembly = _assembly_or_404(assembly_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.close_assembly(assembly, actor=current_user)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("The assembly is closed."), "success")
            return _to_detail(assembly)
    return render_template("assembly/confirm.html", assembly=assembly, form=form, title=_("Close the assembly"),
                           question=_("Close “%(title)s”? Nothing can be changed afterwards: no agenda item, "
                                      "document, attendance, proxy or resolution.",
                                      title=localized_text(assembly, "title")))


# Agenda ----------------------------------------------------------------------------------------

@bp.route("/assemblies/<int:assembly_id>/agenda/new", methods=["GET", "POST"])
@require("assembly.manage")
def add_item(assembly_id: int):
    return _agenda_item_page(_assembly_or_404(assembly_id), None)


@bp.route("/assemblies/<int:assembly_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@require("assembly.manage")
def edit_item(assembly_id: int, item_id: int):
    """Reword an agenda item or give it in the other languages."""
    assembly = _assembly_or_404(assembly_id)
    return _agenda_item_page(assembly, _item_or_404(assembly, item_id))


def _agenda_item_page(assembly: Assembly, item: AgendaItem | None):
    """One form for adding (``item`` None) and editing an agenda item: same fields, same errors."""
    form = AgendaItemForm(obj=item)
    if item is not None:
        form.submit.label.text = _("Save")
    if form.validate_on_submit():
        fields = {"title": form.title.data, "description": form.description.data or "",
                  "source_locale": form.source_locale.data, "translations": form.translations_data()}
        try:
            if item is None:
                services.add_agenda_item(assembly, actor=current_user, **fields)
            else:
                services.update_agenda_item(item, actor=current_user, **fields)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Agenda item added.") if item is None else _("Changes saved."), "success")
            return _to_detail(assembly)
    return render_template("assembly/agenda_item.html", assembly=assembly, form=form, item=item)


@bp.route("/assemblies/<int:assembly_id>/agenda/<int:item_id>/move", methods=["POST"])
@require("assembly.manage")
def move_item(assembly_id: int, item_id: int):
    assembly = _assembly_or_404(assembly_id)
    item = _item_or_404(assembly, item_id)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_agenda_item(item, actor=current_user, offset=-1 if form.direction.data == "up" else 1)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
    return _to_detail(assembly)


@bp.route("/assemblies/<int:assembly_id>/agenda/<int:item_id>/remove", methods=["GET", "POST"])
@require("assembly.manage")
def remove_item(assembly_id: int, item_id: int):
    assembly = _assembly_or_404(assembly_id)
    item = _item_or_404(assembly, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_agenda_item(item, actor=current_user)
        except DomainError as exc:
            _fail(form, exc)
            return _to_detail(assembly)
        db.session.commit()
        flash(_("Agenda item removed."), "success")
        return _to_detail(assembly)
    return render_template("assembly/confirm.html", assembly=assembly, form=form, title=_("Remove an agenda item"),
                           question=_("Remove “%(title)s” from the agenda?", title=localized_text(item, "title")))


# Documents --------------------------------------------------------------------------------------

@bp.route("/assemblies/<int:assembly_id>/documents/new", methods=["GET", "POST"])
@require("assembly.manage")
def upload_document(assembly_id: int):
    assembly = _assembly_or_404(assembly_id)
    form = DocumentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_document(assembly, actor=current_user, title=form.title.data or "",
                                  filename=upload.filename or "", content=upload.read(),
                                  source_locale=form.source_locale.data, translations=form.translations_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Document added."), "success")
            return _to_detail(assembly)
    return render_template("assembly/document.html", assembly=assembly, form=form, document=None)


@bp.route("/assemblies/<int:assembly_id>/documents/<int:document_id>/edit", methods=["GET", "POST"])
@require("assembly.manage")
def edit_document(assembly_id: int, document_id: int):
    """Retitle a document or give its title in the other languages (the file stays)."""
    assembly = _assembly_or_404(assembly_id)
    document = db.get_or_404(AssemblyDocument, document_id)
    if document.assembly_id != assembly.id:
        abort(404)
    form = DocumentTitleForm(obj=document)
    if form.validate_on_submit():
        try:
            services.update_document(document, actor=current_user, title=form.title.data or "",
                                     source_locale=form.source_locale.data, translations=form.translations_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return _to_detail(assembly)
    return render_template("assembly/document.html", assembly=assembly, form=form, document=document)


@bp.route("/assemblies/<int:assembly_id>/documents/<int:document_id>")
@require("assembly.view")
def download_document(assembly_id: int, document_id: int):
    assembly = _assembly_or_404(assembly_id)
    document = db.get_or_404(AssemblyDocument, document_id)
    if document.assembly_id != assembly.id:
        abort(404)
    return send_from_directory(services.documents_dir(), document.stored_name, download_name=document.filename,
                               as_attachment=True)


# Attendance: the check-in view is in checkin_routes.py ------------------------------------------

@bp.route("/assemblies/<int:assembly_id>/attend", methods=["POST"])
@require("assembly.attend")
def attend(assembly_id: int):
    assembly = _assembly_or_404(assembly_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.confirm_attendance(assembly, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("Your organisation's online attendance is confirmed."), "success")
    return _to_detail(assembly)


# Proxies ---------------------------------------------------------------------------------------------

@bp.route("/assemblies/<int:assembly_id>/members/<int:member_id>/proxy", methods=["GET", "POST"])
@require("proxy.give")
def give_proxy(assembly_id: int, member_id: int):
    """A delegate entrusts its member's vote to another member (the secretariat may record a paper proxy)."""
    assembly = _assembly_or_404(assembly_id)
    giver = db.get_or_404(Member, member_id)
    ensure(services.can_manage_proxy_of(current_user, giver))
    form = ProxyForm(holders=queries.proxy_holder_choices(giver))
    if form.validate_on_submit():
        holder = db.session.get(Member, form.holder_id.data)
        if holder is None:
            abort(400)
        try:
            services.give_proxy(assembly, actor=current_user, giver=giver, holder=holder)
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("%(giver)s's proxy is given to %(holder)s.", giver=giver.name, holder=holder.name), "success")
            return _to_detail(assembly)
    return render_template("assembly/proxy.html", assembly=assembly, giver=giver, form=form,
                           current=services.live_proxy_of(assembly, giver.id)), 422 if form.errors else 200


@bp.route("/assemblies/<int:assembly_id>/proxies/<int:proxy_id>/revoke", methods=["POST"])
@require("proxy.give")
def revoke_proxy(assembly_id: int, proxy_id: int):
    assembly = _assembly_or_404(assembly_id)
    proxy = db.get_or_404(Proxy, proxy_id)
    if proxy.assembly_id != assembly.id:
        abort(404)
    ensure(services.can_manage_proxy_of(current_user, proxy.giver))
    if ConfirmForm().validate_on_submit():
        try:
            services.revoke_proxy(proxy, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
            flash(_("The proxy is revoked."), "success")
    return _to_detail(assembly)


# Resolutions ------------------------------------------------------------------------------------------

@bp.route("/assemblies/<int:assembly_id>/items/<int:item_id>/resolutions/new", methods=["GET", "POST"])
@require("assembly.manage")
def new_resolution(assembly_id: int, item_id: int):
    assembly = _assembly_or_404(assembly_id)
    item = _item_or_404(assembly, item_id)
    return _resolution_page(assembly, item, None)


@bp.route("/assemblies/<int:assembly_id>/resolutions/<int:resolution_id>/edit", methods=["GET", "POST"])
@require("assembly.manage")
def edit_resolution(assembly_id: int, resolution_id: int):
    assembly = _assembly_or_404(assembly_id)
    resolution = db.get_or_404(Resolution, resolution_id)
    if resolution.agenda_item.assembly_id != assembly.id:
        abort(404)
    return _resolution_page(assembly, resolution.agenda_item, resolution)


def _resolution_page(assembly: Assembly, item: AgendaItem, resolution: Resolution | None):  # noqa: ANN202
    form = ResolutionForm(obj=resolution)
    if request.method == "GET" and resolution is not None:
        form.preset.data = preset_of(resolution.majority_base, resolution.threshold)
        form.secret.data = resolution.vote.secret
    if form.validate_on_submit():
        try:
            saved = services.save_resolution(item, resolution, actor=current_user, data=form.resolution_data())
        except DomainError as exc:
            _fail(form, exc)
        else:
            db.session.commit()
            flash(_("Resolution “%(title)s” saved.", title=saved.title), "success")
            return _to_detail(assembly)
    return render_template("assembly/resolution_form.html", assembly=assembly, item=item, resolution=resolution,
                           form=form)

