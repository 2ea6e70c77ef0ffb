"""Shared tools for the sign-in tests: apps with the protections the suite's app
keeps off, a real SMTP server, translated strings as pages show them, and
small database look-ups.
"""
from __future__ import annotations

import html
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app import create_app
from app.auth.models import Token, User
from app.core.models import AuditEntry, OutboxMessage
from app.extensions import db, limiter
from tests.conftest import test_settings as settings_for
from tests.conftest import wipe

#: An e-mailed single-use link: the page, then the code in the fragment (``/reset#<code>``).
LINK = re.compile(r"https?://[^/\s]+(/(?:invitation|reset)#[A-Za-z0-9_\-]+)")


def translated(app: Flask, msgid: str, locale: str = "fr", **variables: Any) -> str:
    """``msgid`` in ``locale``, read from the catalogs.

    So the tests keep passing when a translation is reworded, and fail when a
    page shows a string that did not go through the catalogs or shows it in
    another language. Compare it with ``page_text`` (pages escape some
    strings and not others).
    """
    with app.test_request_context(), force_locale(locale):
        return gettext(msgid, **variables)


def page_text(response: Any) -> str:
    """The HTML of ``response`` with entities decoded (``&#39;`` is ``'``)."""
    return html.unescape(response.get_data(as_text=True))


@contextmanager
def extra_app(tmp_dir: Path, **overrides: Any) -> Iterator[Flask]:
    """An app with its own settings on the test database, emptied afterwards.

    Flask-Limiter's extension object is process-wide and ``init_app`` sets its
    ``enabled`` flag for every app, so the flag is put back on exit: otherwise
    an app built with ``RATELIMIT_ENABLED=True`` would rate-limit the rest of
    the suite's sign-ins. Likewise its "storage unreachable" state.
    """
    previous = limiter.enabled
    application = create_app(settings_for(tmp_dir, **overrides))
    with application.app_context():
        db.create_all()
    try:
        yield application
    finally:
        limiter.enabled = previous
        limiter._storage_dead = False  # a test with Redis down leaves the process-wide limiter on its fallback
        wipe(application)
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Inbox:
    """aiosmtpd handler keeping every message received, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server(port: int) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1:``port`` for the duration of the block."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def body_of(message: EmailMessage) -> str:
    return message.get_content()


def link_path(message: EmailMessage) -> str:
    """The path of the single-use link in a message, with its fragment (``/invitation#<secret>``)."""
    match = LINK.search(body_of(message))
    assert match, body_of(message)
    return match.group(1)


def link_in_outbox(app: Flask, email: str) -> str:
    """The link path in the last message to ``email`` (without SMTP the outbox is the delivery)."""
    bodies = [m.body for m in outbox(app) if m.recipient == email]
    assert bodies, email
    match = LINK.search(bodies[-1])
    assert match, bodies[-1]
    return match.group(1)


def user_by_email(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None, email
        db.session.expunge(user)
        return user


def tokens_of(app: Flask, email: str) -> list[Token]:
    with app.app_context():
        rows = db.session.scalars(select(Token).join(User).where(User.email == email).order_by(Token.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def audit_actions(app: Flask, prefix: str = "") -> list[tuple[str, str | None, dict[str, Any] | None]]:
    """(action, object id, after) of every audit entry, oldest first."""
    with app.app_context():
        rows = db.session.execute(select(AuditEntry.action, AuditEntry.object_id, AuditEntry.after)
                                  .where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def field_errors(page: str, field_id: str) -> list[str]:
    """Error messages shown next to one form field (see macros.html), entities decoded."""
    found = re.findall(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page)
    return [html.unescape(text) for text in found]


def input_value(page: str, name: str) -> str | None:
    """The ``value`` of the input called ``name`` in the page's main content
    (the header has its own forms), or None when it has none."""
    main = page[page.index("<main"):]
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', main)
    assert tag, f"no input {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def session_cookie(response: Any) -> str:
    """The Set-Cookie header of the session cookie in ``response``."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


def follow_link(client: Any, link: str) -> Any:
    """Open an e-mailed link as a browser does: the page (the fragment is not sent), then its script
    posts the code. Returns the answer to that POST (a redirect to the page when the code is good)."""
    page, _, code = link.partition("#")
    assert client.get(page).status_code == 200
    return client.post(page, data={"code": code})


def open_link(client: Any, link: str) -> str:
    """``follow_link`` that must succeed; the page to send the new password to (no code in it)."""
    response = follow_link(client, link)
    page = link.partition("#")[0]
    assert response.status_code == 302 and response.headers["Location"] == page, response.status_code
    return page
