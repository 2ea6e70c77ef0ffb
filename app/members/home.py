"""The member register's home panels (see ``app.core.home``): the user's organisation, and the
register's counts for the secretariat."""
from __future__ import annotations

from typing import Any

from app.core.home import register_home_panel
from app.core.permissions import can
from app.extensions import db
from app.members import services
from app.members.models import Member


def organisation_panel(user: Any) -> dict[str, Any] | None:
    """A representative's organisation and whether it signed the current charter (three queries)."""
    if not user.member_id:
        return None
    charter = services.current_charter()
    member = db.session.get(Member, user.member_id)
    if member is None:
        return None
    return {"member": member, "charter": charter, "signed": member.signature_of(charter)}


def register_panel(user: Any) -> dict[str, Any] | None:
    """For the secretariat: how many members are active, applying, or missing the charter."""
    if not can(user, "member.create"):
        return None
    return {"counts": services.register_counts(services.current_charter())}


def register() -> None:
    register_home_panel("members.organisation", order=10, template="members/_home_organisation.html",
                        context=organisation_panel)
    register_home_panel("members.register", order=40, template="members/_home_register.html",
                        context=register_panel)
