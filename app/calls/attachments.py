"""Attachments of a proposal: PDF, DOCX, XLSX or ODT, recognised from their content (never from their name:
``app.core.uploads``), stored under ``instance/`` with a random name and sent back with their original name.

``sniff`` is pure; ``add_attachment`` is a service (flush, no commit) that writes the
file before the row, so a refusal leaves nothing behind. Removing is ``proposals.remove_line(…, "attachments",
…)``; the caller deletes the file (``discard``) once the removal is committed.
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from flask import current_app

from app.calls import proposals
from app.calls.models import Attachment, Proposal
from app.core import audit, uploads
from app.core.storage import shared_dir
from app.extensions import db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: The kinds a proposal may attach (``app.core.uploads.KINDS``).
ACCEPTED: tuple[str, ...] = ("pdf", "docx", "xlsx", "odt")
#: Detected kind -> (MIME type, the extension a name of that kind ends with).
KINDS: dict[str, tuple[str, str]] = {kind: (uploads.KINDS[kind].mime, uploads.KINDS[kind].extension)
                                     for kind in ACCEPTED}
KIND_NAMES = {kind: uploads.KINDS[kind].label for kind in ACCEPTED}
clean_filename = uploads.clean_filename
size_text = uploads.size_text


def max_bytes() -> int:
    """The size limit of one attachment (``CALLS_MAX_ATTACHMENT_BYTES``, 10 MB by default)."""
    return int(current_app.config.get("CALLS_MAX_ATTACHMENT_BYTES") or DEFAULT_MAX_BYTES)


def storage_dir() -> Path:
    """``CALLS_ATTACHMENTS_DIR``, by default ``<SHARED_DIR>/attachments`` (never under ``static``)."""
    return shared_dir("CALLS_ATTACHMENTS_DIR", "attachments")


def sniff(data: bytes) -> str | None:
    """The kind of a file from its content (``app.core.uploads.sniff``), None when a proposal does not take it."""
    kind = uploads.sniff(data)
    return kind if kind in ACCEPTED else None


def add_attachment(proposal: Proposal, *, actor: Any, filename: str, data: bytes) -> Attachment:
    """Check the name, the size and the content's type, store the file, then add the row."""
    proposals.ensure_editable(proposal, actor=actor)
    checked = uploads.check(filename, data, accepted=ACCEPTED, max_bytes=max_bytes())
    name, mime = checked.filename, checked.mime
    stored = secrets.token_hex(16)
    (storage_dir() / stored).write_bytes(data)
    item = Attachment(filename=name, stored_name=stored, content_type=mime, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=getattr(actor, "id", None))
    proposal.attachments.append(item)
    db.session.flush()
    audit.record("proposal.attachment_added", "proposal", proposal.id, actor=actor,
                 after={"attachment_id": item.id, "filename": item.filename, "content_type": mime,
                        "size": item.size, "sha256": item.sha256})
    return item


def path_of(item: Attachment) -> Path:
    return storage_dir() / item.stored_name


def discard(stored_name: str) -> None:
    """Delete a removed attachment's file (after the removal is committed)."""
    if not stored_name or "/" in stored_name or "\\" in stored_name or ".." in stored_name:
        return
    (storage_dir() / stored_name).unlink(missing_ok=True)
