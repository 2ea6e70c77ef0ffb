"""Pure member rules, table-driven (no database)."""
from __future__ import annotations

import pytest

from app.members.models import MemberStatus as S
from app.members.rules import can_transition, in_electorate, name_key

TRANSITION_TABLE = [
    (S.applicant, S.active, True),
    (S.applicant, S.withdrawn, True),
    (S.applicant, S.suspended, False),
    (S.applicant, S.applicant, False),
    (S.active, S.suspended, True),
    (S.active, S.withdrawn, True),
    (S.active, S.applicant, False),
    (S.active, S.active, False),
    (S.suspended, S.active, True),
    (S.suspended, S.withdrawn, True),
    (S.suspended, S.applicant, False),
    (S.withdrawn, S.active, False),
    (S.withdrawn, S.applicant, False),
    (S.withdrawn, S.suspended, False),
]


@pytest.mark.parametrize(("current", "target", "allowed"), TRANSITION_TABLE)
def test_status_transitions(current: S, target: S, allowed: bool) -> None:
    assert can_transition(current, target) is allowed


def test_transition_table_covers_every_pair() -> None:
    assert {(c, t) for c, t, _ in TRANSITION_TABLE} >= {(c, t) for c in S for t in S if c != t}


@pytest.mark.parametrize(("status", "signed", "votes"), [
    (S.active, True, True),
    (S.active, False, False),
    (S.applicant, True, False),
    (S.suspended, True, False),
    (S.withdrawn, True, False),
    ("active", True, True),
])
def test_electorate_needs_active_and_signed_current_charter(status, signed: bool, votes: bool) -> None:
    assert in_electorate(status, signed) is votes


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Solidarité Laïque", "SOLIDARITE LAIQUE", True),
    ("Solidarité  Laïque ", "solidarité laïque", True),
    ("Coopération Atlantique – Guinée 44", "cooperation atlantique guinee 44", True),
    ("L'Association", "L Association", True),
    ("Gret", "Geres", False),
    ("جمعية تونس", "جمعية  تونس", True),
    ("", "   ", True),
])
def test_name_key_ignores_case_accents_and_punctuation(a: str, b: str, same: bool) -> None:
    assert (name_key(a) == name_key(b)) is same
