"""The audit head recorded at each close and printed where the database administrator cannot rewrite it.

A vote records the head right after its ``vote.closed`` entry, an assembly
right after ``assembly.closed``; the minutes (HTML and PDF) and the results
page print them with how to check them, and ``flask audit verify --expect``
accepts them until the log is rewritten.
"""
from __future__ import annotations

import io
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select, text

from app.assembly import services, voting
from app.assembly.models import Assembly, Vote
from app.auth.models import User
from app.core import audit
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db
from tests import factories
from tests.assembly.test_minutes import sitting
from tests.conftest import login


def _position_and_hash(entry_id: int) -> str:
    """The head that ends at this entry: its position in id order, colon, its hash."""
    position = db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.id <= entry_id))
    return f"{position}:{db.session.get(AuditEntry, entry_id).hash}"


def test_close_vote_records_the_head_of_its_closing_entry(app: Flask, world: factories.World) -> None:
    with app.test_request_context():
        secretariat = db.session.scalar(select(User).where(User.kind == "secretariat"))
        voters = factories.voters(3)
        assembly = factories.assembly()
        vote = factories.resolution(assembly).vote
        db.session.commit()
        voting.open_vote(vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=1))
        for member in voters:
            voting.cast(vote.id, member.id, "for", actor=member.representatives[0])
        db.session.commit()
        assert vote.audit_head is None
        voting.close_vote(vote, actor=secretariat)
        closing = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "vote.closed",
                                                              AuditEntry.object_id == str(vote.id))).one()
        assert vote.audit_head == _position_and_hash(closing.id) == audit.head().text
        db.session.commit()
        recorded = vote.audit_head
        services.close_assembly(assembly, actor=secretariat)
        assert assembly.audit_head == audit.head().text
        assert assembly.audit_head.split(":")[0] == str(int(recorded.split(":")[0]) + 1)
        db.session.commit()
        ids = (vote.id, assembly.id)
    with app.app_context():
        assert db.session.get(Vote, ids[0]).audit_head == recorded
        assert audit.parse_head(db.session.get(Assembly, ids[1]).audit_head)


def test_minutes_and_results_print_the_heads(app: Flask, client: FlaskClient, world: factories.World,
                                              runner) -> None:  # noqa: ANN001
    data = sitting(app, 6)
    with app.test_request_context():
        assembly = db.session.get(Assembly, data["assembly_id"])
        secretariat = db.session.scalar(select(User).where(User.kind == "secretariat"))
        services.close_assembly(assembly, actor=secretariat)
        db.session.commit()
        assembly_head = assembly.audit_head
        votes = db.session.scalars(select(Vote).where(Vote.assembly_id == assembly.id, Vote.audit_head.is_not(None))
                                   .order_by(Vote.id)).all()
        vote_heads = [(v.id, v.audit_head) for v in votes]
    assert len(vote_heads) == 2 and assembly_head
    login(client, world.emails["delegate"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/assemblies/{data['assembly_id']}/minutes").get_data(as_text=True)
    for head in [h for _, h in vote_heads] + [assembly_head]:
        assert head in html and f"flask audit verify --expect {head}" in html
    assert "Audit log head at the close of this assembly:" in html
    assert html.count("Audit log head at the close of this vote:") == 2
    pdf = client.get(f"/assemblies/{data['assembly_id']}/minutes.pdf")
    squashed = "".join("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf.data)).pages).split())
    for head in [h for _, h in vote_heads] + [assembly_head]:
        assert head in squashed
    assert "flaskauditverify--expect" in squashed
    for vote_id, head in vote_heads:
        page = client.get(f"/votes/{vote_id}/results").get_data(as_text=True)
        assert head in page and f"flask audit verify --expect {head}" in page
    # Every printed head is still a prefix of the log; a log cut short no longer holds them.
    args = ["audit", "verify"] + [a for _, h in vote_heads for a in ("--expect", h)] + ["--expect", assembly_head]
    assert runner.invoke(args=args).exit_code == 0
    with app.app_context():
        with db.engine.begin() as conn:
            # The assembly's closing entry and everything after it.
            closing = conn.execute(text("SELECT id FROM audit_entries ORDER BY id LIMIT 1 OFFSET :n"),
                                   {"n": int(assembly_head.split(":")[0]) - 1}).scalar()
            conn.execute(text("DELETE FROM audit_entries WHERE id >= :id"), {"id": closing})
        db.session.remove()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0, "cut short, the chain alone looks intact"
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "truncated" in result.output


def test_a_vote_closed_before_heads_were_recorded_prints_none(app: Flask, client: FlaskClient,
                                                             world: factories.World) -> None:
    data = sitting(app, 4)
    with app.app_context():
        db.session.execute(text("UPDATE votes SET audit_head = NULL"))
        db.session.commit()
    login(client, world.emails["delegate"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/assemblies/{data['assembly_id']}/minutes").get_data(as_text=True)
    assert "Audit log head" not in html and "flask audit verify" not in html
