"""Assembly documents are checked from their bytes, not their extension (issue 10, §7): a PDF renamed
.docx, an HTML page renamed .pdf and a program renamed .pdf are refused at the field, nothing stored;
every accepted kind passes."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly.models import AssemblyDocument
from app.extensions import db
from tests import factories
from tests.conftest import login
from tests.core.test_uploads import EXE, HTML, JPEG, PDF, PNG, TEXT, tiny_docx, tiny_ods, tiny_odt, tiny_xlsx


@pytest.fixture
def assembly_id(app: Flask, world: factories.World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setitem(app.config, "ASSEMBLY_DOCUMENTS_DIR", str(tmp_path / "documents"))
    with app.app_context():
        assembly = factories.assembly()
        db.session.commit()
        return assembly.id


def _upload(client: FlaskClient, assembly_id: int, name: str, data: bytes):  # noqa: ANN202
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "secretariat@example.org")
    return client.post(f"/assemblies/{assembly_id}/documents/new", content_type="multipart/form-data",
                       data={"title": "Pièce", "file": (BytesIO(data), name)})


def _stored(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return list(db.session.execute(select(AssemblyDocument.filename, AssemblyDocument.stored_name)))


@pytest.mark.parametrize(("name", "data", "message"), [
    ("convocation.docx", PDF, "The file's name ends in .docx but its content is a PDF document."),
    ("rapport.pdf", HTML, "The file's content is not a PDF, DOCX, XLSX, ODT, ODS, JPEG, PNG or TXT document"),
    ("rapport.pdf", EXE, "The file's content is not a"),
    ("notes.txt", HTML, "The file's content is not a"),
    ("tableau.xlsx", tiny_docx(), "ends in .xlsx but its content is a Word (DOCX) document"),
    ("photo.png", JPEG, "ends in .png but its content is a JPEG document"),
])
def test_a_document_whose_bytes_are_not_its_name_is_refused(app: Flask, client: FlaskClient, assembly_id: int,
                                                             name: str, data: bytes, message: str) -> None:
    response = _upload(client, assembly_id, name, data)
    assert response.status_code == 200
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert 'id="file-error"' in page and message in page
    assert _stored(app) == []
    documents = Path(app.config["ASSEMBLY_DOCUMENTS_DIR"])
    assert not documents.exists() or list(documents.iterdir()) == []


@pytest.mark.parametrize(("name", "data", "extension"), [
    ("rapport.pdf", PDF, "pdf"), ("lettre.docx", tiny_docx(), "docx"), ("budget.xlsx", tiny_xlsx(), "xlsx"),
    ("statuts.odt", tiny_odt(), "odt"), ("comptes.ods", tiny_ods(), "ods"), ("ordre.txt", TEXT, "txt"),
    ("plan.png", PNG, "png"), ("photo.jpg", JPEG, "jpg"),
])
def test_every_accepted_kind_passes(app: Flask, client: FlaskClient, assembly_id: int, name: str, data: bytes,
                                    extension: str) -> None:
    response = _upload(client, assembly_id, name, data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    [(filename, stored)] = _stored(app)
    assert filename == name and stored.endswith(f".{extension}")
    assert (Path(app.config["ASSEMBLY_DOCUMENTS_DIR"]) / stored).read_bytes() == data
    with app.app_context():
        assert db.session.scalar(select(func.count(AssemblyDocument.id))) == 1
