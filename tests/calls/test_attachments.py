"""Attachments: the type is read from the content (a PDF's magic bytes, the ZIP container of DOCX, XLSX and
ODT), never from the name; too large, empty, or a name holding a path is refused at the field; accepted files
are stored under the instance folder with a random name and sent back under their original name, only to
those who may read the proposal; removing one deletes its file.

The small documents are built here: a PDF with pypdf, an XLSX with openpyxl, DOCX and ODT with zipfile.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from pypdf import PdfWriter
from sqlalchemy import func, select

from app.calls import attachments
from app.calls.models import Attachment
from app.core.errors import DomainError
from app.extensions import db
from tests import factories
from tests.conftest import login

DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
              '<Default Extension="xml" ContentType="application/xml"/>'
              '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
              'wordprocessingml.document.main+xml"/></Types>')
DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'officeDocument" Target="word/document.xml"/></Relationships>')
DOCX_BODY = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
             '<w:body><w:p><w:r><w:t>Lettre de soutien</w:t></w:r></w:p></w:body></w:document>')


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tiny_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", DOCX_BODY)
    return out.getvalue()


def tiny_xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Budget"
    book.active["B1"] = 102050
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tiny_odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?>'
                         '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                         '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                         'vnd.oasis.opendocument.text"/></manifest:manifest>', compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                         'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def zip_of(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100 + b"This program cannot be run"


# The pure checks ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "kind"), [
    (tiny_pdf(), "pdf"),
    (tiny_docx(), "docx"),
    (tiny_xlsx(), "xlsx"),
    (tiny_odt(), "odt"),
    (b"%PDF-", "pdf"),
    (b"Ceci est un texte, pas un PDF.\n", None),
    (b" %PDF-1.4 (not at the start)", None),
    (EXE, None),
    (b"", None),
    (b"PK\x03\x04 truncated zip", None),
    (zip_of(**{"word/document.xml": "<x/>"}), None),                      # no [Content_Types].xml
    (zip_of(**{"[Content_Types].xml": "<x/>", "ppt/slide1.xml": "<x/>"}), None),  # a presentation
    (zip_of(mimetype="application/vnd.oasis.opendocument.spreadsheet"), None),     # ODS, not ODT
    (zip_of(**{"readme.txt": "hello"}), None),
])
def test_sniff_reads_the_content(data: bytes, kind: str | None) -> None:
    assert attachments.sniff(data) == kind


@pytest.mark.parametrize(("name", "ok"), [
    ("budget.xlsx", True),
    ("Lettre de soutien – mairie.pdf", True),
    ("تقرير.pdf", True),
    ("../../etc/passwd.pdf", False),
    ("dossier/budget.xlsx", False),
    ("C:\\Users\\moi\\budget.xlsx", False),
    ("budget..pdf", False),
    ("rapport\x00.pdf", False),
    ("facture\u202efdp.exe", False),  # a right-to-left override hides the real extension
    ("", False),
    ("   ", False),
    ("a" * 201, False),
])
def test_clean_filename(app: Flask, name: str, ok: bool) -> None:
    with app.test_request_context():
        if ok:
            assert attachments.clean_filename(name) == name.strip()
        else:
            with pytest.raises(DomainError) as refused:
                attachments.clean_filename(name)
            assert refused.value.field == "file"


# Uploads through the page --------------------------------------------------------------------------------------------

@pytest.fixture
def draft(app: Flask, world: factories.World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    from tests.calls.test_proposals import scene, start

    monkeypatch.setitem(app.config, "CALLS_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    monkeypatch.setitem(app.config, "CALLS_MAX_ATTACHMENT_BYTES", None)
    s = scene(app, world)
    with app.app_context():
        pid = start(s).id
        db.session.commit()
    return pid


def upload(client: FlaskClient, pid: int, name: str, data: bytes):  # noqa: ANN201
    return client.post(f"/proposals/{pid}/sections/attachments", content_type="multipart/form-data",
                       data={"action": "add", "file": (io.BytesIO(data), name)})


def stored(app: Flask) -> list[Path]:
    return sorted(Path(app.config["CALLS_ATTACHMENTS_DIR"]).glob("*"))


def attachment_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Attachment.id)))


@pytest.mark.parametrize(("name", "data", "mime"), [
    ("dossier.pdf", tiny_pdf(), "application/pdf"),
    ("lettre.docx", tiny_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.xlsx", tiny_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("statuts.odt", tiny_odt(), "application/vnd.oasis.opendocument.text"),
])
def test_real_documents_are_accepted_stored_and_sent_back(app: Flask, client: FlaskClient, draft: int, name: str,
                                                          data: bytes, mime: str) -> None:
    login(client, "alternate@example.org")
    response = upload(client, draft, name, data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with app.app_context():
        item = db.session.scalar(select(Attachment))
        assert (item.filename, item.content_type, item.size) == (name, mime, len(data))
        assert item.stored_name != name and name not in item.stored_name and len(item.stored_name) == 32
        attachment_id = item.id
    files = stored(app)
    assert [f.name for f in files] == [item.stored_name] and files[0].read_bytes() == data
    download = client.get(f"/proposals/{draft}/attachments/{attachment_id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"].startswith(mime)
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert name in download.headers["Content-Disposition"]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("rapport.pdf", b"Ceci est un texte, pas un PDF.\n" * 20, "is not a PDF, DOCX, XLSX or ODT document"),
    ("programme.pdf", EXE, "is not a PDF, DOCX, XLSX or ODT document"),
    ("programme.exe", EXE, "is not a PDF, DOCX, XLSX or ODT document"),
    ("archive.docx", zip_of(**{"readme.txt": "hello"}), "is not a PDF, DOCX, XLSX or ODT document"),
    ("tableau.xlsx", tiny_pdf(), "ends in .xlsx but its content is a PDF document"),
    ("../../instance/config.pdf", tiny_pdf(), "must not contain a path"),
    ("sous-dossier/dossier.pdf", tiny_pdf(), "must not contain a path"),
    ("vide.pdf", b"", "The file is empty."),
])
def test_wrong_files_are_refused_at_the_field(app: Flask, client: FlaskClient, draft: int, name: str, data: bytes,
                                              message: str) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "delegate@example.org")
    response = upload(client, draft, name, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and message in page.replace("&#39;", "'")
    assert attachment_count(app) == 0 and stored(app) == []


def test_a_backslash_path_is_refused(app: Flask, client: FlaskClient, draft: int) -> None:
    """A Windows path, sent as RFC 7578 says (backslashes escaped in the quoted file name)."""
    boundary = "----proposal-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nadd\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"C:\\\\Documents\\\\budget.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    body += tiny_pdf() + f"\r\n--{boundary}--\r\n".encode()
    login(client, "delegate@example.org")
    response = client.post(f"/proposals/{draft}/sections/attachments", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)
    assert attachment_count(app) == 0 and stored(app) == []


def test_too_large_is_refused(app: Flask, client: FlaskClient, draft: int) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = tiny_pdf()
    app.config["CALLS_MAX_ATTACHMENT_BYTES"] = len(data) - 1
    login(client, "delegate@example.org")
    response = upload(client, draft, "dossier.pdf", data)
    assert response.status_code == 422 and "The file is larger than the limit of" in response.get_data(as_text=True)
    assert attachment_count(app) == 0 and stored(app) == []
    app.config["CALLS_MAX_ATTACHMENT_BYTES"] = len(data)
    assert upload(client, draft, "dossier.pdf", data).status_code == 302  # exactly at the limit


def test_the_limit_defaults_to_10_mb_even_above_the_app_request_limit(app: Flask, client: FlaskClient,
                                                                      draft: int) -> None:
    """The app refuses requests above ``MAX_CONTENT_LENGTH`` (5 MB); an attachment may reach 10 MB."""
    with app.app_context():
        assert attachments.max_bytes() == 10 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] < 10 * 1024 * 1024
    data = tiny_pdf() + b"%" + b"0" * (7 * 1024 * 1024)
    login(client, "delegate@example.org")
    assert upload(client, draft, "gros.pdf", data).status_code == 302
    assert upload(client, draft, "trop-gros.pdf", data + b"0" * (4 * 1024 * 1024)).status_code in (413, 422)
    assert attachment_count(app) == 1


def test_removing_an_attachment_deletes_its_file(app: Flask, client: FlaskClient, draft: int) -> None:
    login(client, "delegate@example.org")
    upload(client, draft, "dossier.pdf", tiny_pdf())
    with app.app_context():
        attachment_id = db.session.scalar(select(Attachment.id))
    assert len(stored(app)) == 1
    response = client.post(f"/proposals/{draft}/sections/attachments/lines/{attachment_id}/remove")
    assert response.status_code == 302
    assert attachment_count(app) == 0 and stored(app) == []
    assert client.get(f"/proposals/{draft}/attachments/{attachment_id}").status_code == 404


def test_only_readers_of_the_proposal_download(app: Flask, client: FlaskClient, draft: int) -> None:
    login(client, "delegate@example.org")
    upload(client, draft, "dossier.pdf", tiny_pdf())
    with app.app_context():
        attachment_id = db.session.scalar(select(Attachment.id))
    client.post("/logout")
    for email, status in (("secretariat@example.org", 200), ("alternate@example.org", 200),
                          ("other@example.org", 403), ("funder@example.org", 403)):
        login(client, email)
        assert client.get(f"/proposals/{draft}/attachments/{attachment_id}").status_code == status, email
        client.post("/logout")
    assert client.get(f"/proposals/{draft}/attachments/{attachment_id}").status_code == 302  # to the login page
