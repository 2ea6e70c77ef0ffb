"""The minutes of an assembly: an HTML page and the same document as a PDF."""
from __future__ import annotations

from flask import Blueprint, Response

from app.assembly import minutes as minutes_doc
from app.assembly import visibility
from app.assembly.models import Assembly
from app.core.permissions import require

bp = Blueprint("minutes", __name__, template_folder="templates")


def _assembly_or_404(assembly_id: int) -> Assembly:
    """A draft is the secretariat's work in progress: members see an assembly once it is convened."""
    return visibility.assembly_or_404(assembly_id)


@bp.route("/assemblies/<int:assembly_id>/minutes")
@require("minutes.download")
def preview(assembly_id: int) -> str:
    return minutes_doc.render_html(minutes_doc.gather(_assembly_or_404(assembly_id)))


@bp.route("/assemblies/<int:assembly_id>/minutes.pdf")
@require("minutes.download")
def pdf(assembly_id: int) -> Response:
    assembly = _assembly_or_404(assembly_id)
    content = minutes_doc.render_pdf(minutes_doc.gather(assembly))
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="minutes-{assembly.id}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
