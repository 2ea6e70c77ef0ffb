"""Report attachments are checked from their bytes by the same rule as every upload (``app.core.uploads``):
a PDF renamed .docx, an HTML page renamed .pdf, a program renamed .pdf are refused at the field; the
real kinds pass (issue 10, §7)."""
from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.extensions import db
from app.grants import reports
from app.grants.models import ReportAttachment
from tests.conftest import login
from tests.core.test_uploads import EXE, HTML, JPEG, PDF, PNG, tiny_docx, tiny_odt, tiny_xlsx
from tests.grants.report_helpers import alternate, files, first_report, own_grant  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("files")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("facture.docx", PDF, "The file's name ends in .docx but its content is a PDF document."),
    ("facture.pdf", HTML, "The file's content is not a PDF, DOCX, XLSX, ODT, JPEG or PNG document"),
    ("facture.pdf", EXE, "The file's content is not a"),
])
def test_a_file_whose_bytes_are_not_its_name_is_refused(session, name: str, data: bytes,  # noqa: ANN001
                                                        message: str) -> None:
    report = first_report(own_grant(session))
    with pytest.raises(DomainError) as caught:
        reports.add_attachment(report, actor=alternate(), filename=name, data=data)
    assert caught.value.field == "file" and message in str(caught.value.message)
    assert db.session.scalar(select(func.count(ReportAttachment.id))) == 0


@pytest.mark.parametrize(("name", "data", "mime"), [
    ("facture.pdf", PDF, "application/pdf"), ("note.docx", tiny_docx(), reports.uploads.KINDS["docx"].mime),
    ("budget.xlsx", tiny_xlsx(), reports.uploads.KINDS["xlsx"].mime),
    ("bilan.odt", tiny_odt(), reports.uploads.KINDS["odt"].mime), ("reçu.png", PNG, "image/png"),
    ("reçu.jpeg", JPEG, "image/jpeg"),
])
def test_the_real_kinds_pass(session, name: str, data: bytes, mime: str) -> None:  # noqa: ANN001
    report = first_report(own_grant(session))
    item = reports.add_attachment(report, actor=alternate(), filename=name, data=data)
    assert (item.filename, item.content_type) == (name, mime)


def test_the_route_shows_the_refusal_at_the_field(app, client: FlaskClient, session) -> None:  # noqa: ANN001
    with app.app_context():
        report = first_report(own_grant(session))
        db.session.commit()
        grant_id, report_id = report.grant_id, report.id
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "alternate@example.org")
    response = client.post(f"/grants/{grant_id}/reports/{report_id}/attachments",
                           data={"file": (io.BytesIO(HTML), "facture.pdf")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 422 and 'id="file-error"' in page
    assert "The file's content is not a PDF, DOCX, XLSX, ODT, JPEG or PNG document" in page
