"""Attachments of a proposal: PDF, DOCX, XLSX or ODT, recognised from their content (never from their name),
stored under ``instance/`` with a random name and sent back with their original name.

``sniff`` and ``clean_filename`` are pure; ``add_attachment`` is a service (flush, no commit) that writes the
file before the row, so a refusal leaves nothing behind. Removing is ``proposals.remove_line(…, "attachments",
…)``; the caller deletes the file (``discard``) once the removal is committed.
"""
from __future__ import annotations

import hashlib
import io
import secrets
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.calls import proposals
from app.calls.models import Attachment, Proposal
from app.core import audit
from app.core.errors import DomainError
from app.extensions import db

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Detected kind -> (MIME type, the extension a name of that kind ends with).
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
KIND_NAMES = {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "odt": "OpenDocument (ODT)"}


def max_bytes() -> int:
    """The size limit of one attachment (``CALLS_MAX_ATTACHMENT_BYTES``, 10 MB by default)."""
    return int(current_app.config.get("CALLS_MAX_ATTACHMENT_BYTES") or DEFAULT_MAX_BYTES)


def storage_dir() -> Path:
    """``CALLS_ATTACHMENTS_DIR``, by default ``<instance>/attachments`` (never under ``static``)."""
    configured = current_app.config.get("CALLS_ATTACHMENTS_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(data: bytes) -> str | None:
    """The kind of a file from its first bytes and, for ZIP containers, their members; None when not accepted.

    PDF starts with ``%PDF-``. DOCX and XLSX are ZIP files holding ``[Content_Types].xml`` and a ``word/`` or
    ``xl/`` folder; ODT is a ZIP file whose ``mimetype`` member says so. Only the names and one tiny member
    are read, so a ZIP bomb is never expanded.
    """
    if data.startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100 and archive.read(info).strip() == ODT_MIMETYPE:
                    return "odt"
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "docx"
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
    # zipfile raises NotImplementedError for a compression method it cannot read: not a valid office file.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def clean_filename(name: str) -> str:
    """The name as the user gave it, refused when it holds a path (``/``, ``\\``, ``..``) or control characters."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise DomainError(_l("Choose a file."), field="file")
    if "/" in name or "\\" in name or ".." in name or any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise DomainError(_l("The file name must not contain a path (/, \\ or ..). Rename the file and try "
                             "again."), field="file")
    if len(name) > 200:
        raise DomainError(_l("The file name is too long (200 characters at most)."), field="file")
    return name


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def add_attachment(proposal: Proposal, *, actor: Any, filename: str, data: bytes) -> Attachment:
    """Check the name, the size and the content's type, store the file, then add the row."""
    proposals.ensure_editable(proposal, actor=actor)
    name = clean_filename(filename)
    limit = max_bytes()
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    if len(data) > limit:
        raise DomainError(_l("The file is larger than the limit of %(limit)s.", limit=size_text(limit)), field="file")
    kind = sniff(data)
    if kind is None:
        raise DomainError(_l("The file's content is not a PDF, DOCX, XLSX or ODT document (whatever its name "
                             "says)."), field="file")
    mime, extension = KINDS[kind]
    given = _extension(name)
    if given in KINDS and given != extension:
        raise DomainError(_l("The file's name ends in .%(given)s but its content is a %(kind)s document.",
                             given=given, kind=KIND_NAMES[kind]), field="file")
    if given != extension:
        name = f"{name}.{extension}"[:200]
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


def size_text(size: int) -> str:
    """A size in words: 10 MB, 512 KB, 900 bytes (in the request's language)."""
    from flask_babel import format_decimal

    if size >= 1024 * 1024:
        return str(_l("%(n)s MB", n=format_decimal(round(size / (1024 * 1024), 1))))
    if size >= 1024:
        return str(_l("%(n)s KB", n=format_decimal(round(size / 1024, 1))))
    return str(_l("%(n)s bytes", n=size))
