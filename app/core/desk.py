"""The desk's e-mail line (see ``app.core.home``): messages the outbox could not deliver.

With a mail server, an e-mail leaves right after its request; one still waiting
means the server refused it or could not be reached. Without a mail server
(development, or an installation not finished) nothing ever leaves: the desk
says so instead of counting an ever-growing queue as work to do.
"""
from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import case, func, select

from app.core.home import DeskItem, register_desk, register_desk_panel
from app.core.models import OutboxMessage
from app.core.permissions import can
from app.extensions import db


def outbox_lines(waiting: int, failed: int, *, smtp: bool) -> list[tuple[str, str]]:
    """(kind, count text) lines for unsent e-mails: "failed" and "waiting", or "no_server" without SMTP."""
    lines = []
    if failed:
        lines.append(("failed", ngettext("%(num)d e-mail was refused by the mail server.",
                                         "%(num)d e-mails were refused by the mail server.", failed)))
    if waiting:
        if smtp:
            lines.append(("waiting", ngettext("%(num)d e-mail is waiting to be sent.",
                                              "%(num)d e-mails are waiting to be sent.", waiting)))
        else:
            lines.append(("no_server", ngettext(
                "No mail server is configured: %(num)d e-mail is kept in the outbox only.",
                "No mail server is configured: %(num)d e-mails are kept in the outbox only.", waiting)))
    return lines


_ACTIONS = {"failed": _l("Read the errors in the outbox"), "waiting": _l("Open the outbox"),
            "no_server": _l("Open the outbox")}


def outbox_items(user: Any) -> list[DeskItem]:
    """For the secretariat: unsent e-mails (one query)."""
    if not can(user, "outbox.view"):
        return []
    unsent = OutboxMessage.sent_at.is_(None)
    waiting, failed = db.session.execute(select(
        func.count(case((OutboxMessage.error.is_(None), 1))),
        func.count(case((OutboxMessage.error.is_not(None), 1)))).where(unsent)).one()
    smtp = bool(current_app.config.get("MAIL_SERVER"))
    return [DeskItem(text, url_for("core.outbox"), str(_ACTIONS[kind]), tone="warn" if kind == "failed" else "")
            for kind, text in outbox_lines(waiting or 0, failed or 0, smtp=smtp)]


def register() -> None:
    register_desk_panel()
    register_desk("core.outbox", order=90, title=_l("E-mails"), items=outbox_items)
