"""The audit log's anchor outside the database: the head, signed, e-mailed to people the operator does not control.

The hash chain alone catches one rewritten entry, not a chain recomputed
after a forged entry nor its last entries deleted: whoever can write the
database can redo every hash. A head published outside (the minutes, a
proclamation, this signed e-mail kept by the ex-officio members and the
guarantor) pins the prefix it names: ``flask audit verify --expect N:HASH``.

The statement is one line of text, signed with Ed25519::

    audit-anchor v1 site=<EXTERNAL_URL or SERVER_NAME> at=<UTC time> head=<N:HASH>

The private key lives in a file outside the repository (``AUDIT_SIGNING_KEY_FILE``,
default ``instance/audit-signing-key.pem``, created on first use, mode 0600);
the public key is served at ``/audit/key`` and quoted in every e-mail.
Recipients come from a registry: the packages that know who the ex-officio
members and the guarantor are (elections) fill it from their ``init_app``.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.core import audit, mail
from app.core.models import OutboxMessage
from app.core.storage import shared_path
from app.core.timeutil import utcnow
from app.extensions import db

PREFIX = "audit-anchor v1"
DEFAULT_KEY_NAME = "audit-signing-key.pem"
_STATEMENT = re.compile(r"^audit-anchor v1 site=(?P<site>\S+) at=(?P<at>\S+) head=(?P<head>\d+:[0-9a-f]{64})$")
_SIGNATURE = re.compile(r"^Signature:\s*(?P<sig>[A-Za-z0-9+/=]{80,100})\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Recipient:
    """Someone who keeps the anchor: an account of an ex-officio member or of the guarantor."""

    email: str
    name: str
    #: Why they receive it, shown in the command's output and the e-mail: a lazy string (read in each one's language).
    capacity: object
    locale: str | None = None


RecipientSource = Callable[[], Iterable[Recipient]]
_SOURCES: dict[str, RecipientSource] = {}


def register_recipients(name: str, source: RecipientSource) -> None:
    """A higher package says who receives the anchor (idempotent: the name is the key)."""
    _SOURCES[name] = source


def recipients() -> list[Recipient]:
    """Every registered source's recipients, one per e-mail address, in a stable order."""
    seen: dict[str, Recipient] = {}
    for name in sorted(_SOURCES):
        for recipient in _SOURCES[name]():
            seen.setdefault(recipient.email.lower(), recipient)
    return sorted(seen.values(), key=lambda r: r.email)


# The signing key ---------------------------------------------------------------------------------

def key_path() -> Path:
    """``AUDIT_SIGNING_KEY_FILE`` or ``<SHARED_DIR>/audit-signing-key.pem`` (instance/ is git-ignored)."""
    return shared_path("AUDIT_SIGNING_KEY_FILE", DEFAULT_KEY_NAME)


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The private key in ``path``; created there on first use, readable by its owner only (0600).

    Created under a temporary name then linked into place, so two processes
    starting together never read half a key: the second link fails and that
    process reads the first one's key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    return load_or_create_key(key_path())


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo): what ``openssl pkeyutl -pubin`` reads."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, in groups of four hex digits: to compare the key read aloud."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    digest = hashlib.sha256(public.public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)).hexdigest()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


# The statement ---------------------------------------------------------------------------------

def statement(site: str, at: datetime, head: audit.Head) -> str:
    """The one line that is signed (pure): no space inside a field, no trailing newline."""
    site = re.sub(r"\s+", "", site) or "platform"
    return f"{PREFIX} site={site} at={at.strftime('%Y-%m-%dT%H:%M:%SZ')} head={head.text}"


def sign(key: Ed25519PrivateKey, line: str) -> str:
    """Base64 of the Ed25519 signature of the line's UTF-8 bytes."""
    return base64.b64encode(key.sign(line.encode("utf-8"))).decode("ascii")


def signature_valid(public_key_pem: str | bytes, line: str, signature_b64: str) -> bool:
    """Whether ``signature_b64`` is the key's signature of ``line`` (pure)."""
    raw = public_key_pem.encode("ascii") if isinstance(public_key_pem, str) else public_key_pem
    public = serialization.load_pem_public_key(raw)
    if not isinstance(public, Ed25519PublicKey):
        return False
    try:
        public.verify(base64.b64decode(signature_b64, validate=True), line.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class ReceivedAnchor:
    statement: str
    signature: str
    head: audit.Head
    site: str
    at: str


def parse_received(text: str) -> ReceivedAnchor:
    """Find the statement and its signature in a received e-mail (pure); ValueError when missing."""
    line = next((m for m in (_STATEMENT.match(raw.strip()) for raw in text.splitlines()) if m), None)
    if line is None:
        raise ValueError(f"no line starting with {PREFIX!r} and naming site, at and head")
    sig = _SIGNATURE.search(text)
    if sig is None:
        raise ValueError("no 'Signature:' line with a base64 signature")
    return ReceivedAnchor(line.group(0), sig.group("sig"), audit.parse_head(line.group("head")),
                          line.group("site"), line.group("at"))


# Sending ---------------------------------------------------------------------------------

def site_name() -> str:
    return (current_app.config.get("EXTERNAL_URL") or current_app.config.get("SERVER_NAME") or "platform").rstrip("/")


def key_url() -> str:
    """The public key page as an absolute link (from a command too: EXTERNAL_URL or localhost)."""
    base = current_app.config.get("EXTERNAL_URL")
    if has_request_context():
        return base.rstrip("/") + url_for("core.audit_key") if base else url_for("core.audit_key", _external=True)
    with current_app.test_request_context(base_url=base or "http://127.0.0.1:5000"):
        return url_for("core.audit_key", _external=True)


@dataclass(frozen=True)
class Anchoring:
    head: audit.Head
    statement: str
    signature: str
    recipients: list[Recipient]
    messages: list[OutboxMessage]


class NoRecipient(Exception):
    """Nobody to send the anchor to: no active account of an ex-officio member or of the guarantor."""


def queue_anchor(*, actor: object | None = None) -> Anchoring:
    """Sign the current head and queue one e-mail per recipient; record the anchoring (flush, no commit).

    The chain's lock is taken first, so the head is the last entry before the
    ``audit.anchored`` entry that records it.
    """
    people = recipients()
    if not people:
        raise NoRecipient()
    key = signing_key()
    audit.serialise()
    current = audit.head()
    line = statement(site_name(), utcnow(), current)
    signature = sign(key, line)
    context = {"statement": line, "signature": signature, "head": current, "public_key": public_pem(key),
               "fingerprint": fingerprint(key), "key_url": key_url()}
    messages = []
    for person in people:
        with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            body = render_template("core/email/audit_anchor.txt", recipient=person, **context)
            subject = str(_l("Audit log anchor: %(head)s", head=f"{current.entries}:{current.hash[:12]}…"))
        messages.append(mail.queue(person.email, subject, body))
    audit.record("audit.anchored", "audit", current.entries, actor=actor,
                 after={"head": current.text, "statement": line, "recipients": [p.email for p in people]})
    return Anchoring(current, line, signature, people, messages)


def deliver(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Send the outbox until these messages are out or SMTP stops making progress; the ones left unsent."""
    ids = [m.id for m in messages]
    while True:
        unsent = [m for m in (db.session.get(OutboxMessage, i) for i in ids) if m is not None and m.sent_at is None]
        if not unsent or mail.deliver_pending() == 0:
            return [m for m in (db.session.get(OutboxMessage, i) for i in ids) if m is not None and m.sent_at is None]
