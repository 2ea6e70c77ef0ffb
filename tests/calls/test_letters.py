"""Decision letters: one PDF per proposal in the lead's language, e-mailed with the PDF attached to the lead's
delegate and alternates; Arabic shaped and right to left (checked as the minutes PDF tests do)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.calls import explanation, letters
from app.core.models import AuditEntry, OutboxMessage
from app.extensions import db
from tests import factories
from tests.calls import decision_builders
from tests.pdf_text import assert_arabic_shaped, pdf_text


def _squash(text: str) -> str:
    return " ".join(text.split())


def _delegate(world: factories.World) -> User:
    found = db.session.scalar(select(User).where(User.email == world.emails["delegate"]))
    assert found is not None
    return found


def test_english_letter_has_the_outcome_sentence_scores_and_no_reviewer(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    item = explanation.decision_of(scene.proposal_ids[0])
    assert item is not None
    pdf = letters.letter_pdf(item, "en")
    assert pdf.startswith(b"%PDF")
    text, fonts = pdf_text(pdf)
    flat = _squash(text)
    assert "Decision letter" in flat
    assert "Your proposal scored 80.0/100 and ranks 1st of 3" in flat
    assert "Relevance" in flat and "Clear answer to the call's challenges, well argued." in flat
    assert "58,575 €" in flat
    for name in (scene.reviewer_names + scene.reviewer_member_names + scene.reviewer_emails
                 + [scene.conflicted_name, scene.conflicted_member_name, scene.conflicted_email]):
        assert name not in flat, name
    assert any("DejaVu" in f for f in fonts), fonts


def test_arabic_letter_is_right_to_left_and_shaped(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    item = explanation.decision_of(scene.proposal_ids[0])
    assert item is not None
    html = letters.letter_html(item, "ar")
    assert '<html lang="ar" dir="rtl">' in html
    assert "الملاءمة" in html
    assert_arabic_shaped(letters.letter_pdf(item, "ar"), ("الملاءمة", "الأثر", *decision_builders.TEXTS[2].split()))


def test_send_letters_queues_one_pdf_per_representative_in_the_leads_language(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision = decision_builders.record(scene.call_id)
    delegate = _delegate(session)
    delegate.locale = "ar"
    before = db.session.scalar(select(db.func.count(OutboxMessage.id)))
    sent = letters.send_letters(decision, actor=None)
    assert sent == 3  # the fourth lead has nobody to write to: audited, not sent
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.letter_unsent",
                                                      AuditEntry.object_id == str(scene.proposal_ids[3]))) is not None
    messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))[before:]
    own = [m for m in messages if m.recipient in (session.emails["delegate"], session.emails["alternate"])]
    assert sorted(m.recipient for m in own) == sorted([session.emails["delegate"], session.emails["alternate"]])
    for message in messages:
        assert message.attachment_type == "application/pdf"
        assert message.attachment_data.startswith(b"%PDF")
        assert message.attachment_name.startswith("decision-C")
        assert "/proposals/" in message.body and "/outcome" in message.body
    text, _fonts = pdf_text(own[0].attachment_data)
    assert "الملاءمة" in text  # the lead's delegate reads Arabic: the letter is in Arabic
    others = [m for m in messages if m not in own]
    other_text, _ = pdf_text(others[0].attachment_data)
    assert "Pertinence" in other_text  # no locale: French
    assert [i.letter_sent_at is not None for i in decision.items if i.proposal_id != scene.proposal_ids[3]] == [True] * 3
    assert letters.send_letters(decision, actor=None) == 0  # never twice


def test_the_lead_language_defaults_to_french(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    item = explanation.decision_of(scene.proposal_ids[0])
    assert item is not None
    assert letters.letter_locale(item.proposal) == "fr"
    _delegate(session).locale = "en"
    assert letters.letter_locale(item.proposal) == "en"


def test_publishing_the_decision_sends_the_letters(session: factories.World) -> None:
    """Owner B's ``publish_decision`` calls ``send_letters``: the letters go out with the publication."""
    from app.calls import selection

    scene = decision_builders.scene(session)
    decision = decision_builders.record(scene.call_id, published=False)
    secretariat = db.session.scalar(select(User).where(User.email == session.emails["secretariat"]))
    assert selection.publish_decision(decision.call, actor=secretariat) == 3
    assert decision.published_at is not None
    recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.attachment_type == "application/pdf")))
    assert {session.emails["delegate"], session.emails["alternate"], "lead-littoral@example.org",
            "lead-sousse@example.org"} <= recipients


def test_the_selection_report_in_arabic_is_right_to_left(session: factories.World) -> None:
    from flask_babel import force_locale

    from app.calls import selection_report

    scene = decision_builders.scene(session)
    decision = decision_builders.record(scene.call_id)
    with force_locale("ar"):
        report = selection_report.gather(decision)
        html = selection_report.render_html(report)
        assert '<html lang="ar" dir="rtl">' in html
        text = assert_arabic_shaped(selection_report.render_pdf(decision), ())
    for organisation in scene.reviewer_member_names:
        assert organisation in " ".join(text.split())
