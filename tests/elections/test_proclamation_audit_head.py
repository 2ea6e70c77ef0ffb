"""An election's results page and its proclamation print the audit head recorded when voting closed."""
from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from app.core import audit
from app.core.models import AuditEntry
from app.elections.models import Election
from app.extensions import db
from tests import factories
from tests.conftest import login
from tests.elections.test_election_routes import BALLOTS, MAX_TWO_FRENCH, _race


def test_results_and_proclamation_print_the_head_at_the_close(app: Flask, client: FlaskClient,
                                                              world: factories.World, runner) -> None:  # noqa: ANN001
    race = _race(app, ballots=BALLOTS, constraints=MAX_TWO_FRENCH)
    with app.app_context():
        head = db.session.get(Election, race.election_id).vote.audit_head
        closing = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "vote.closed",
                                                              AuditEntry.object_id == str(race.vote_id))).one()
        position = db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.id <= closing.id))
    assert head == f"{position}:{closing.hash}"
    assert audit.parse_head(head)
    login(client, world.emails["alternate"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/elections/{race.election_id}/results").get_data(as_text=True)
    assert "Audit log head at the close of this vote:" in html and f"flask audit verify --expect {head}" in html
    pdf = client.get(f"/elections/{race.election_id}/proclamation.pdf")
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.data)).pages)
    squashed = "".join(text.split())
    assert head in squashed and "flaskauditverify--expect" + head in squashed
    assert runner.invoke(args=["audit", "verify", "--expect", head]).exit_code == 0
