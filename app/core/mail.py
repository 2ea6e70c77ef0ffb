"""E-mail: queued in the outbox with the change, delivered over SMTP after commit."""
from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db

_LINK = re.compile(r"https?://\S+/(?:invitation|reset)[/#]\S+")
#: The code of a single-use link, alone on its line (e-mails give it for readers whose link does not open).
_CODE = re.compile(r"(?m)^[A-Za-z0-9_\-]{32,}$")


def queue(recipient: str, subject: str, body: str, *,
          attachment: tuple[str, str, bytes] | None = None) -> OutboxMessage:
    """Add a message to the outbox in the current transaction (flush, no commit).

    ``attachment``: (file name, content type such as "application/pdf", bytes), sent with the message.
    """
    message = OutboxMessage(recipient=recipient, subject=str(subject), body=str(body))
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment_data = attachment
    db.session.add(message)
    db.session.flush()
    return message


def deliver_pending(limit: int = 100) -> int:
    """Send unsent outbox messages over SMTP; returns how many were sent.

    Without ``MAIL_SERVER`` (development) the outbox is the delivery. Called
    after the request's commit so that a mail never leaves for a change that
    was rolled back.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    pending = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.error.is_(None)).limit(limit)
    ).all()
    if not pending:
        return 0
    sent = 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            for message in pending:
                email = EmailMessage()
                email["From"] = config["MAIL_SENDER"]
                email["To"] = message.recipient
                email["Subject"] = message.subject
                email.set_content(message.body)
                if message.attachment_data is not None:
                    maintype, _, subtype = (message.attachment_type or "application/octet-stream").partition("/")
                    email.add_attachment(message.attachment_data, maintype=maintype, subtype=subtype,
                                         filename=message.attachment_name or "attachment")
                try:
                    smtp.send_message(email)
                    message.sent_at = utcnow()
                    sent += 1
                except smtplib.SMTPException as exc:
                    message.error = str(exc)[:500]
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("SMTP delivery failed, messages stay in the outbox: %s", exc)
    db.session.commit()
    return sent


def redact_links(body: str) -> str:
    """Hide single-use links when real mail is on, so the outbox leaks no account."""
    if not current_app.config.get("MAIL_SERVER"):
        return body
    return _CODE.sub("[…]", _LINK.sub("[…]", body))
