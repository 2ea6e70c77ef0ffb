"""Uploads are judged by their bytes, never by their name (issue 10, §7): ``app.core.uploads.sniff`` reads
the kind, ``check`` refuses a kind the page does not take and a name that claims another kind."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from pypdf import PdfWriter

from app.core import uploads
from app.core.errors import DomainError


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_of(members: dict[str, str], *, mimetype: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def tiny_docx() -> bytes:
    return zip_of({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
                   "word/document.xml": "<w:document/>"})


def tiny_xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Budget"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tiny_odt() -> bytes:
    return zip_of({"content.xml": "<office:document-content/>"}, mimetype="application/vnd.oasis.opendocument.text")


def tiny_ods() -> bytes:
    return zip_of({"content.xml": "<office:document-content/>"},
                  mimetype="application/vnd.oasis.opendocument.spreadsheet")


PDF = tiny_pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
TEXT = "Ordre du jour : rapport moral, élection du comité.\r\n\tقائمة المشاركين\n".encode()
TEXT_CP1252 = "Procès-verbal de l'assemblée générale\r\n".encode("cp1252")
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100 + b"This program cannot be run"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 60


@pytest.mark.parametrize(("data", "kind"), [
    (PDF, "pdf"),
    (tiny_docx(), "docx"),
    (tiny_xlsx(), "xlsx"),
    (tiny_odt(), "odt"),
    (tiny_ods(), "ods"),
    (PNG, "png"),
    (JPEG, "jpeg"),
    (TEXT, "txt"),
    (b"\xef\xbb\xbf" + TEXT, "txt"),
    (TEXT_CP1252, "txt"),
    (HTML, "html"),
    (b"  \n<html><p>bonjour</p></html>", "html"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "html"),
    (b"<?xml version='1.0'?><x/>", "html"),
    (b"<p>x</p><script>alert(1)</script>", "html"),
    (b"<Nom> et <Adresse> sont des champs\n", "txt"),  # angle brackets in prose are not markup
    (EXE, None),
    (ELF, None),
    (b"#!/bin/sh\nrm -rf /\n", None),
    (b"binary\x00\x01\x02 data", None),
    (b"", None),
    (b" %PDF-1.4 (not at the start)", "txt"),
    (b"PK\x03\x04 truncated zip", None),
    (zip_of({"word/document.xml": "<x/>"}), None),  # no [Content_Types].xml
    (zip_of({"[Content_Types].xml": "<x/>", "ppt/slide1.xml": "<x/>"}), None),  # a presentation
    (zip_of({"readme.txt": "hello"}), None),
])
def test_sniff(data: bytes, kind: str | None) -> None:
    assert uploads.sniff(data) == kind


EVERYTHING = tuple(uploads.KINDS)
PROPOSAL = ("pdf", "docx", "xlsx", "odt")


@pytest.mark.parametrize(("name", "data", "accepted", "expected"), [
    # The real kinds pass, under their name (the kind's extension added to a name without a known one).
    ("rapport.pdf", PDF, PROPOSAL, ("pdf", "application/pdf", "rapport.pdf")),
    ("lettre.docx", tiny_docx(), PROPOSAL, ("docx", uploads.KINDS["docx"].mime, "lettre.docx")),
    ("budget.xlsx", tiny_xlsx(), PROPOSAL, ("xlsx", uploads.KINDS["xlsx"].mime, "budget.xlsx")),
    ("statuts.odt", tiny_odt(), PROPOSAL, ("odt", uploads.KINDS["odt"].mime, "statuts.odt")),
    ("comptes.ods", tiny_ods(), EVERYTHING, ("ods", uploads.KINDS["ods"].mime, "comptes.ods")),
    ("scan.jpeg", JPEG, EVERYTHING, ("jpeg", "image/jpeg", "scan.jpeg")),
    ("scan.JPG", JPEG, EVERYTHING, ("jpeg", "image/jpeg", "scan.JPG")),
    ("reçu", PNG, EVERYTHING, ("png", "image/png", "reçu.png")),
    ("facture.scan", PDF, EVERYTHING, ("pdf", "application/pdf", "facture.scan.pdf")),
    ("ordre-du-jour.txt", TEXT, EVERYTHING, ("txt", "text/plain", "ordre-du-jour.txt")),
    # A PDF renamed .docx, an HTML page renamed .pdf, a program renamed .pdf: refused.
    ("lettre.docx", PDF, PROPOSAL, "The file's name ends in .docx but its content is a PDF document."),
    ("rapport.pdf", HTML, PROPOSAL, "The file's content is not a PDF, DOCX, XLSX or ODT document"),
    ("rapport.pdf", HTML, EVERYTHING, "is not a PDF, DOCX, XLSX, ODT, ODS, JPEG, PNG or TXT document"),
    ("programme.pdf", EXE, EVERYTHING, "The file's content is not a"),
    ("programme.pdf", ELF, PROPOSAL, "The file's content is not a"),
    ("notes.txt", HTML, EVERYTHING, "The file's content is not a"),
    ("facture.exe", PDF, EVERYTHING, "The file's name ends in .exe but its content is a PDF document."),
    ("page.html", PDF, EVERYTHING, "ends in .html but its content is a PDF document"),
    ("scan.png", PDF, EVERYTHING, "ends in .png but its content is a PDF document"),
    ("notes.txt", TEXT, PROPOSAL, "The file's content is not a PDF, DOCX, XLSX or ODT document"),
    ("comptes.ods", tiny_ods(), PROPOSAL, "The file's content is not a"),
    ("vide.pdf", b"", PROPOSAL, "The file is empty."),
    ("../../etc/passwd.pdf", PDF, PROPOSAL, "must not contain a path"),
    ("facture\u202efdp.pdf", PDF, PROPOSAL, "must not contain a path"),
])
def test_check(name: str, data: bytes, accepted: tuple[str, ...], expected: tuple[str, str, str] | str) -> None:
    if isinstance(expected, tuple):
        checked = uploads.check(name, data, accepted=accepted, max_bytes=10**6)
        assert (checked.kind, checked.mime, checked.filename) == expected
    else:
        with pytest.raises(DomainError) as caught:
            uploads.check(name, data, accepted=accepted, max_bytes=10**6)
        assert caught.value.field == "file"
        assert expected in str(caught.value.message)


@pytest.mark.parametrize(("limit", "ok"), [(len(PDF) + 1, True), (len(PDF), True), (len(PDF) - 1, False)])
def test_size_limit(ctx, limit: int, ok: bool) -> None:  # noqa: ANN001
    if ok:
        assert uploads.check("a.pdf", PDF, accepted=PROPOSAL, max_bytes=limit).kind == "pdf"
    else:
        with pytest.raises(DomainError) as caught:
            uploads.check("a.pdf", PDF, accepted=PROPOSAL, max_bytes=limit)
        assert caught.value.field == "file" and str(limit) in str(caught.value.message)  # "… limit of 430 bytes"


@pytest.mark.parametrize(("accepted", "text"), [
    (("pdf",), "PDF"), (("pdf", "png"), "PDF or PNG"), (PROPOSAL, "PDF, DOCX, XLSX or ODT")])
def test_kinds_text(accepted: tuple[str, ...], text: str) -> None:
    assert str(uploads.kinds_text(accepted)) == text


def test_a_zip_bomb_is_never_expanded() -> None:
    """Only the names and the tiny ``mimetype`` member are read: a huge member is not inflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (50 * 1024 * 1024))
        archive.writestr("mimetype", b"a" * 10_000)
    assert uploads.sniff(out.getvalue()) == "docx"
