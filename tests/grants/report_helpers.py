"""Helpers of the reports, budget and indicators tests (owner G-B): the world's users, a grant of the world's
own member, a complete draft, and the attachments kept in a temporary folder."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.grants import reports
from app.grants.models import Grant, Report
from app.members.models import Member
from tests.grants import builders

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Report attachments written under a temporary folder."""
    folder = tmp_path / "grant-files"
    before = app.config.get("GRANTS_ATTACHMENTS_DIR")
    app.config["GRANTS_ATTACHMENTS_DIR"] = str(folder)
    yield folder
    app.config["GRANTS_ATTACHMENTS_DIR"] = before


def user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None, email
    return found


def secretariat() -> User:
    return user("secretariat@example.org")


def delegate() -> User:
    return user("delegate@example.org")


def alternate() -> User:
    return user("alternate@example.org")


def own_grant(world: Any, **options: Any) -> Grant:
    """A grant of the world's own member (its delegate and alternate are the grantee's representatives)."""
    own = db.session.get(Member, world.member_id)
    return builders.grant(own, **options)


def first_report(grant: Grant) -> Report:
    return next(r for r in grant.reports if r.number == 1)


def content(grant: Grant, *, lines: dict[str, int] | None = None, actual: str = "40") -> reports.DraftContent:
    """Every section written, an amount on each line, a value for each indicator."""
    return reports.DraftContent(
        narrative={key: f"Texte de la section {key}" for key in reports.SECTIONS},
        expenditure=lines if lines is not None else {"L1": 10_000_00, "L2": 12_000_00},
        indicators={str(i.id): actual for i in grant.indicators})


def complete_draft(report: Report, *, by: User | None = None, lines: dict[str, int] | None = None,
                   actual: str = "40") -> None:
    """A draft ready to submit: every field, and one invoice attached."""
    by = by or alternate()
    reports.save_draft(report, content(report.grant, lines=lines, actual=actual), actor=by)
    reports.add_attachment(report, actor=by, filename="factures.pdf", data=PDF)
