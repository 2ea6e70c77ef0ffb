"""Uploaded files: their kind read from their bytes (never from their name), and the checks every upload makes.

A file's name says what its sender wants us to believe; its first bytes say what it is. ``sniff`` reads
them; ``check`` refuses, at the form's ``file`` field, an empty or too large file, content of a kind the
page does not take (a program, an HTML page, an archive…), and a name whose extension claims another kind
(a PDF named .docx). Used by the assembly documents, the proposals' attachments and the grants' report
attachments. Pure, apart from ``size_text`` (the reader's language).
"""
from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


@dataclass(frozen=True)
class Kind:
    """A kind of document: its MIME type, the extension given to a name without one, the extensions its
    names may end in, a short name for lists ("DOCX") and a longer one for sentences ("Word (DOCX)")."""

    mime: str
    extension: str
    extensions: tuple[str, ...]
    short: str
    label: str


KINDS: dict[str, Kind] = {
    "pdf": Kind("application/pdf", "pdf", ("pdf",), "PDF", "PDF"),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", ("docx",),
                 "DOCX", "Word (DOCX)"),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", ("xlsx",),
                 "XLSX", "Excel (XLSX)"),
    "odt": Kind("application/vnd.oasis.opendocument.text", "odt", ("odt",), "ODT", "OpenDocument (ODT)"),
    "ods": Kind("application/vnd.oasis.opendocument.spreadsheet", "ods", ("ods",), "ODS",
                "OpenDocument spreadsheet (ODS)"),
    "jpeg": Kind("image/jpeg", "jpg", ("jpg", "jpeg"), "JPEG", "JPEG"),
    "png": Kind("image/png", "png", ("png",), "PNG", "PNG"),
    "txt": Kind("text/plain", "txt", ("txt",), "TXT", "plain text (TXT)"),
}
#: Extensions of kinds never accepted: a name ending in one of them is checked like the others (an
#: executable named .exe is refused for its content, whatever the page accepts).
OTHER_EXTENSIONS = frozenset({"html", "htm", "xhtml", "svg", "xml", "js", "exe", "dll", "msi", "bat", "cmd", "sh",
                              "zip", "doc", "xls", "ppt", "pptx", "odp"})
#: The ``mimetype`` member of an OpenDocument file -> its kind.
_OPENDOCUMENT = {b"application/vnd.oasis.opendocument.text": "odt",
                 b"application/vnd.oasis.opendocument.spreadsheet": "ods"}
#: What HTML, SVG or XML starts with (refused as text: a browser would run it).
_MARKUP = ("<!doctype", "<html", "<head", "<body", "<script", "<svg", "<?xml", "<iframe", "<meta", "<a ", "<img",
           "<div", "<style", "<object", "<embed", "<form", "<!--")
#: Bytes read to decide whether a file is text.
_TEXT_SAMPLE = 64 * 1024


def _zip_kind(data: bytes) -> str | None:
    """DOCX and XLSX: ``[Content_Types].xml`` and a ``word/`` or ``xl/`` folder; ODT and ODS: their ``mimetype``
    member. Only the names and one tiny member are read, so a ZIP bomb is never expanded."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    found = _OPENDOCUMENT.get(archive.read(info).strip())
                    if found is not None:
                        return found
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return "docx"
                if any(n.startswith("xl/") for n in names):
                    return "xlsx"
    # zipfile raises NotImplementedError for a compression method it cannot read: not a valid office file.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None
    return None


def _text_kind(data: bytes) -> str | None:
    """Plain text: UTF-8 (or a single-byte encoding) without control characters but tab, line breaks and
    form feed; "html" when it is markup a browser would render."""
    sample = data[:_TEXT_SAMPLE]
    if sample.startswith(b"\xef\xbb\xbf"):
        sample = sample[3:]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the sample's end
            text = sample[:exc.start].decode("utf-8")
        else:
            text = sample.decode("cp1252", errors="replace")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
        return None
    head = text.lstrip().lower()
    if head.startswith("<") and any(head.startswith(tag) or tag in head[:2048] for tag in _MARKUP):
        return "html"
    return "txt"


def sniff(data: bytes) -> str | None:
    """The kind of a file from its bytes: a key of ``KINDS``, "html" (markup), or None (anything else: a
    program, an archive, a damaged file)."""
    if not data:
        return None
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith((b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")):
        return None  # Windows, Linux and macOS programs, scripts
    return _text_kind(data)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def clean_filename(name: str) -> str:
    """The name as the user gave it, refused when it holds a path (``/``, ``\\``, ``..``) or control or
    format characters (a right-to-left override can hide the real extension)."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise DomainError(_l("Choose a file."), field="file")
    if "/" in name or "\\" in name or ".." in name or any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise DomainError(_l("The file name must not contain a path (/, \\ or ..). Rename the file and try "
                             "again."), field="file")
    if len(name) > 200:
        raise DomainError(_l("The file name is too long (200 characters at most)."), field="file")
    return name


def kinds_text(accepted: Sequence[str]) -> Any:
    """"PDF, DOCX, XLSX or ODT": the accepted kinds in a sentence."""
    names = [KINDS[kind].short for kind in accepted]
    if len(names) == 1:
        return names[0]
    return _l("%(first)s or %(last)s", first=", ".join(names[:-1]), last=names[-1])


@dataclass(frozen=True)
class Checked:
    """An upload that passed: its kind, MIME type, and its name (the kind's extension added when it had none
    of a known kind)."""

    kind: str
    mime: str
    filename: str


def check(filename: str, data: bytes, *, accepted: Sequence[str], max_bytes: int) -> Checked:
    """Refuse (``DomainError`` at the ``file`` field) an empty or too large file, content of a kind not
    ``accepted``, or a name ending in another kind's extension; else what the file is."""
    name = clean_filename(filename)
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    if len(data) > max_bytes:
        raise DomainError(_l("The file is larger than the limit of %(limit)s.", limit=size_text(max_bytes)),
                          field="file")
    kind = sniff(data)
    if kind not in accepted or kind not in KINDS:
        raise DomainError(_l("The file's content is not a %(kinds)s document (whatever its name says).",
                             kinds=kinds_text(accepted)), field="file")
    found = KINDS[kind]
    given = extension_of(name)
    known = {ext for item in KINDS.values() for ext in item.extensions} | OTHER_EXTENSIONS
    if given in known and given not in found.extensions:
        raise DomainError(_l("The file's name ends in .%(given)s but its content is a %(kind)s document.",
                             given=given, kind=found.label), field="file")
    if given not in found.extensions:
        name = f"{name}.{found.extension}"[:200]
    return Checked(kind, found.mime, name)


def size_text(size: int) -> str:
    """A size in words: 10 MB, 512 KB, 900 bytes (in the request's language)."""
    from flask_babel import format_decimal

    if size >= 1024 * 1024:
        return str(_l("%(n)s MB", n=format_decimal(round(size / (1024 * 1024), 1))))
    if size >= 1024:
        return str(_l("%(n)s KB", n=format_decimal(round(size / 1024, 1))))
    return str(_l("%(n)s bytes", n=size))
