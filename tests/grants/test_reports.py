"""Reports (app/grants/reports.py): the schedule, drafts written by the grantee's representatives, submission,
return with comments per section and a new version, approval that freezes the report, writes its expenditure
to the ledger and makes the instalment waiting on it due; attachments checked from their content."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.audit import AuditEntry
from app.core.errors import DomainError
from app.core.mail import OutboxMessage
from app.extensions import db
from app.grants import instalments, reports
from app.grants.models import (
    GrantStatus,
    LedgerEntry,
    ReportAttachment,
    ReportKind,
    ReportNature,
    ReportVersionStatus,
    TransactionType,
)
from tests.grants import builders
from tests.grants.report_helpers import (
    PDF,
    PNG,
    alternate,
    complete_draft,
    content,
    delegate,
    files,  # noqa: F401  (fixture)
    first_report,
    own_grant,
    secretariat,
)

pytestmark = pytest.mark.usefixtures("files")

ENTRY = reports.ScheduleEntry(ReportKind.interim, ReportNature.combined, date(2027, 7, 1), date(2027, 12, 31),
                              date(2028, 1, 31))


def _entry(**changes: object) -> reports.ScheduleEntry:
    return reports.ScheduleEntry(**{**ENTRY.__dict__, **changes})


# Schedule ------------------------------------------------------------------------------------------------

def test_the_secretariat_adds_reports_numbered_after_the_last(session) -> None:
    grant = own_grant(session, reports=())
    first = reports.add_report(grant, ENTRY, actor=secretariat())
    second = reports.add_report(grant, _entry(kind=ReportKind.final, period_starts_on=date(2028, 1, 1),
                                              period_ends_on=date(2028, 12, 31), due_on=date(2029, 2, 28)),
                                actor=secretariat())
    assert (first.number, second.number) == (1, 2)
    assert first.status == "" and first.versions == []
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.report_scheduled")) is not None


@pytest.mark.parametrize(("changes", "field"), [
    ({"period_ends_on": date(2027, 6, 30)}, "period_ends_on"),  # ends before it starts
    ({"period_starts_on": date(2026, 12, 31)}, "period_starts_on"),  # before the grant
    ({"due_on": date(2027, 12, 30)}, "due_on"),  # due before the period ends
    ({"kind": "yearly"}, "kind"),
    ({"nature": "poem"}, "nature"),
])
def test_a_wrong_schedule_entry_is_refused_at_its_field(session, changes, field) -> None:
    grant = own_grant(session, reports=())
    with pytest.raises(DomainError) as refused:
        reports.add_report(grant, _entry(**changes), actor=secretariat())
    assert refused.value.field == field


def test_a_report_due_on_the_last_day_of_its_period_is_fine(session) -> None:
    grant = own_grant(session, reports=())
    assert reports.add_report(grant, _entry(due_on=date(2027, 12, 31)), actor=secretariat()).number == 1


def test_a_grant_has_one_final_report(session) -> None:
    grant = own_grant(session)  # the builders' schedule has a final report already
    with pytest.raises(DomainError) as refused:
        reports.add_report(grant, _entry(kind=ReportKind.final), actor=secretariat())
    assert refused.value.field == "kind"


def test_once_submitted_only_the_due_date_changes(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    builders.version(report, status=ReportVersionStatus.submitted)
    later = reports.ScheduleEntry(report.kind, report.nature, report.period_starts_on, report.period_ends_on,
                                  date(2027, 9, 30))
    assert reports.update_report(report, later, actor=secretariat()).due_on == date(2027, 9, 30)
    with pytest.raises(DomainError):
        reports.update_report(report, reports.ScheduleEntry(report.kind, report.nature, report.period_starts_on,
                                                            date(2027, 5, 31), date(2027, 9, 30)),
                              actor=secretariat())


def test_a_report_leaves_the_schedule_only_untouched_and_unawaited(session) -> None:
    grant = own_grant(session)
    waited_on = first_report(grant)  # instalment 2 waits on its approval
    with pytest.raises(DomainError):
        reports.remove_report(waited_on, actor=secretariat())
    free = reports.add_report(grant, ENTRY, actor=secretariat())
    reports.remove_report(free, actor=secretariat())
    assert [r.number for r in grant.reports] == [1, 2]
    started = reports.add_report(grant, ENTRY, actor=secretariat())
    reports.draft_of(started, actor=alternate())
    with pytest.raises(DomainError):
        reports.remove_report(started, actor=secretariat())


def test_the_schedule_of_a_closed_grant_does_not_change(session) -> None:
    grant = own_grant(session, status=GrantStatus.closed)
    with pytest.raises(DomainError):
        reports.add_report(grant, ENTRY, actor=secretariat())


# Drafts --------------------------------------------------------------------------------------------------

def test_the_alternate_prepares_a_draft(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    version = reports.save_draft(report, content(grant), actor=alternate())
    assert (version.number, version.status, report.status) == (1, ReportVersionStatus.draft, ReportVersionStatus.draft)
    assert version.expenditure == {"L1": 10_000_00, "L2": 12_000_00}
    assert set(version.narrative) == set(reports.SECTIONS)
    again = reports.save_draft(report, content(grant, lines={"L1": 5_00}), actor=delegate())
    assert again.id == version.id and again.expenditure == {"L1": 5_00}


@pytest.mark.parametrize("lines", [{"L9": 100}, {"L1": -1}, {"L1": 1.5}])
def test_unknown_lines_and_negative_or_float_amounts_are_refused(session, lines) -> None:
    grant = own_grant(session)
    with pytest.raises(DomainError):
        reports.save_draft(first_report(grant), content(grant, lines=lines), actor=alternate())


def test_a_narrative_report_has_no_expenditure(session) -> None:
    grant = own_grant(session, reports=((ReportKind.interim, ReportNature.narrative, date(2027, 1, 1),
                                         date(2027, 6, 30), date(2027, 7, 31)),), instalments=None)
    report = first_report(grant)
    with pytest.raises(DomainError):
        reports.save_draft(report, content(grant), actor=alternate())
    reports.save_draft(report, reports.DraftContent({"activities": "x"}, {}, {}), actor=alternate())
    assert not reports.asks_expenditure(report) and reports.asks_indicators(report)


def test_no_report_is_written_on_a_draft_agreement(session) -> None:
    grant = own_grant(session, status=GrantStatus.draft)
    with pytest.raises(DomainError):
        reports.save_draft(first_report(grant), content(grant), actor=alternate())


# Attachments ---------------------------------------------------------------------------------------------

def test_an_invoice_is_checked_from_its_content(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    pdf = reports.add_attachment(report, actor=alternate(), filename="facture", data=PDF)
    assert pdf.filename == "facture.pdf" and pdf.content_type == "application/pdf"
    assert (reports.storage_dir() / pdf.stored_name).read_bytes() == PDF
    scan = reports.add_attachment(report, actor=alternate(), filename="reçu.png", data=PNG)
    assert scan.content_type == "image/png"
    with pytest.raises(DomainError):
        reports.add_attachment(report, actor=alternate(), filename="facture.pdf", data=b"plain text")
    with pytest.raises(DomainError):
        reports.add_attachment(report, actor=alternate(), filename="scan.png", data=PDF)  # a PDF named .png
    with pytest.raises(DomainError):
        reports.add_attachment(report, actor=alternate(), filename="../etc/passwd", data=PDF)
    with pytest.raises(DomainError):
        reports.add_attachment(report, actor=alternate(), filename="vide.pdf", data=b"")


def test_a_file_is_removed_from_the_draft_only(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    complete_draft(report)
    item = reports.attachments_of(reports.latest(report))[0]
    reports.submit(report, actor=delegate())
    with pytest.raises(DomainError):
        reports.remove_attachment(report, item, actor=alternate())


# Submission ----------------------------------------------------------------------------------------------

def test_an_incomplete_draft_is_not_submitted(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    reports.save_draft(report, reports.DraftContent({"activities": "Ateliers"}, {"L1": 100_00}, {}),
                       actor=alternate())
    lacks = dict(reports.missing(report, reports.latest(report)))
    assert {"section_results", "line_L2", "file"} <= set(lacks)
    assert {f"indicator_{i.id}" for i in grant.indicators} <= set(lacks)
    with pytest.raises(DomainError):
        reports.submit(report, actor=delegate())
    assert report.status == ReportVersionStatus.draft


def test_with_no_expenditure_no_invoice_is_needed(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    reports.save_draft(report, content(grant, lines={"L1": 0, "L2": 0}), actor=alternate())
    assert reports.submit(report, actor=delegate()).status == ReportVersionStatus.submitted


def test_the_delegate_submits_and_the_secretariat_hears_of_it(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    complete_draft(report)
    version = reports.submit(report, actor=delegate())
    assert version.status == report.status == ReportVersionStatus.submitted
    assert version.submitted_by_id == delegate().id and version.submitted_at is not None
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in mails] == ["secretariat@example.org"]
    assert grant.number in mails[0].subject
    with pytest.raises(DomainError):  # frozen once submitted
        reports.save_draft(report, content(grant), actor=alternate())
    with pytest.raises(DomainError):
        reports.submit(report, actor=delegate())


# Return and new version ----------------------------------------------------------------------------------

def test_a_return_needs_a_comment(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    complete_draft(report)
    reports.submit(report, actor=delegate())
    with pytest.raises(DomainError) as refused:
        reports.return_report(report, {"activities": "  ", "general": ""}, actor=secretariat())
    assert refused.value.field == "comment_general"
    with pytest.raises(DomainError):
        reports.return_report(report, {"nonsense": "x"}, actor=secretariat())


def test_a_returned_report_is_revised_as_a_new_version(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    complete_draft(report)
    reports.submit(report, actor=delegate())
    first = reports.return_report(report, {"results": "Chiffrez les résultats.", "expenditure": ""},
                                  actor=secretariat())
    assert first.status == report.status == ReportVersionStatus.returned
    assert first.comments == {"results": "Chiffrez les résultats."}
    mails = {m.recipient for m in db.session.scalars(select(OutboxMessage)) if "returned" in m.subject
             or "renvoy" in m.subject.lower() or grant.number in m.subject}
    assert {"delegate@example.org", "alternate@example.org"} <= mails
    second = reports.save_draft(report, content(grant, lines={"L1": 9_000_00, "L2": 12_000_00}), actor=alternate())
    assert second.number == 2 and second.id != first.id and report.status == ReportVersionStatus.draft
    assert first.expenditure == {"L1": 10_000_00, "L2": 12_000_00}  # the returned version stays as it was
    copied = reports.attachments_of(second)
    assert [a.filename for a in copied] == ["factures.pdf"]
    assert copied[0].stored_name != reports.attachments_of(first)[0].stored_name
    assert (reports.storage_dir() / copied[0].stored_name).read_bytes() == PDF
    reports.submit(report, actor=delegate())
    assert [v.status for v in report.versions] == [ReportVersionStatus.returned, ReportVersionStatus.submitted]


def test_the_next_draft_starts_from_the_returned_version(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    complete_draft(report)
    reports.submit(report, actor=delegate())
    reports.return_report(report, {"general": "Précisez."}, actor=secretariat())
    draft = reports.draft_of(report, actor=alternate())
    assert draft.number == 2 and draft.narrative == report.versions[0].narrative and draft.comments == {}


# Approval ------------------------------------------------------------------------------------------------

def test_approval_freezes_writes_the_expenditure_and_makes_the_instalment_due(session) -> None:
    grant = own_grant(session)
    builders.paid(grant, "20000")
    report = first_report(grant)
    second = next(i for i in grant.instalments if i.number == 2)
    assert second.id not in reports.due_instalments(grant)
    complete_draft(report, lines={"L1": 10_000_00, "L2": 0})
    reports.submit(report, actor=delegate())
    approval = reports.approve(report, actor=secretariat())
    assert approval.version.status == report.status == ReportVersionStatus.approved
    assert report.approved_at is not None
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.type == TransactionType.expenditure.value)).all()
    assert [(e.budget_line_code, e.amount_cents, e.value_date, e.report_version_id) for e in entries] == [
        ("L1", 10_000_00, report.period_ends_on, approval.version.id)]  # the zero line writes nothing
    assert [i.number for i in approval.now_due] == [2]
    state = next(s for s in instalments.states(grant) if s.instalment.number == 2)
    assert state.due.due
    with pytest.raises(DomainError):
        reports.approve(report, actor=secretariat())
    with pytest.raises(DomainError):
        reports.save_draft(report, content(grant), actor=alternate())
    with pytest.raises(DomainError):
        reports.update_report(report, reports.ScheduleEntry(report.kind, report.nature, report.period_starts_on,
                                                            report.period_ends_on, date(2027, 9, 30)),
                              actor=secretariat())
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "grant.report_approved")).after[
        "instalments_due"] == [2]


def test_approval_can_make_a_share_of_expenditure_due(session) -> None:
    """Instalment 3 asks for 70 % of what was paid justified: 14,000 € of 20,000 €, exactly the share."""
    grant = own_grant(session)
    builders.paid(grant, "20000")
    report = first_report(grant)
    complete_draft(report, lines={"L1": 14_000_00, "L2": 0})
    reports.submit(report, actor=delegate())
    assert sorted(i.number for i in reports.approve(report, actor=secretariat()).now_due) == [2, 3]


def test_an_approval_below_the_share_leaves_it_missing(session) -> None:
    grant = own_grant(session)
    builders.paid(grant, "20000")
    report = first_report(grant)
    complete_draft(report, lines={"L1": 13_999_99, "L2": 0})
    reports.submit(report, actor=delegate())
    assert [i.number for i in reports.approve(report, actor=secretariat()).now_due] == [2]


def test_only_a_submitted_report_is_reviewed(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    with pytest.raises(DomainError):
        reports.approve(report, actor=secretariat())
    reports.draft_of(report, actor=alternate())
    with pytest.raises(DomainError):
        reports.return_report(report, {"general": "x"}, actor=secretariat())


def test_attachments_belong_to_their_version(session) -> None:
    grant = own_grant(session)
    report = first_report(grant)
    complete_draft(report)
    assert db.session.scalar(select(ReportAttachment.version_id)) == reports.latest(report).id
