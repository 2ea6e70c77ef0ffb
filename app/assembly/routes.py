"""Assembly pages: list, convene, agenda, documents, presence, proxies, resolutions."""
from __future__ import annotations

from flask import Blueprint

from app.assembly import models  # noqa: F401  (register the tables)

bp = Blueprint("assembly", __name__, template_folder="templates")


@bp.route("/assemblies/<int:assembly_id>")
def detail(assembly_id: int):
    return "TODO"
