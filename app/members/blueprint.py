"""The ``members`` blueprint, apart from the modules that add views to it.

``routes`` (register, colleges), ``charter_routes`` and ``transfer_routes`` each
import ``bp`` from here and none imports another, so there is no import cycle
and no import order to respect; ``app.members.init_app`` loads them and
registers the blueprint.
"""
from __future__ import annotations

from flask import Blueprint

from app.extensions import db
from app.members.models import Member, MemberStatus

bp = Blueprint("members", __name__, template_folder="templates")


@bp.app_template_filter("member_status")
def member_status_label(value: str) -> str:
    return MemberStatus(value).label


def member_or_404(member_id: int) -> Member:
    return db.get_or_404(Member, member_id)
