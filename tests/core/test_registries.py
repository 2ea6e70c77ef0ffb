"""The registries lower packages own are filled by ``create_app``, not by import order.

``app.core`` and ``app.assembly`` never import the packages above them; those
plug in from their ``init_app``: home panels, role providers, vote-kind hooks.
The first test runs in a fresh interpreter, so nothing another test imported
can fill a registry by chance. The others check the role-provider contract
of ``app.core.permissions`` on a fake provider (no database).
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from app.core import permissions
from app.core.permissions import Role

ROOT = Path(__file__).resolve().parents[2]

SNAPSHOT = """
import json
from app.assembly import kinds, recount, voting
from app.core import home, permissions

def snapshot():
    return {
        "choice": sorted(voting.CHOICE_RULES), "count": sorted(voting.COUNT_RULES),
        "titles": sorted(voting.VOTE_TITLES), "ballots": sorted(kinds.APPROVAL_BALLOTS),
        "pages": sorted(kinds.VOTE_PAGES), "exports": sorted(kinds.BOARD_EXPORTS),
        "recounts": sorted(recount.BOARD_KINDS),
        "roles": sorted((p.name, sorted(p.grants)) for p in permissions.role_providers()),
        "panels": [p.name for p in home.home_panels()],
    }

before = snapshot()
from app import create_app
config = {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
create_app(config)
once = snapshot()
create_app(config)
print(json.dumps({"before": before, "once": once, "twice": snapshot()}))
"""


def test_create_app_fills_the_registries_and_importing_alone_does_not() -> None:
    done = subprocess.run([sys.executable, "-c", SNAPSHOT], cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    states = json.loads(done.stdout.strip().splitlines()[-1])
    before, once = states["before"], states["once"]
    assert before == {"choice": ["resolution"], "count": ["resolution"], "titles": [], "ballots": [], "pages": [],
                      "exports": [], "recounts": [], "roles": [], "panels": []}
    election = ["election"]
    assert once["choice"] == once["count"] == ["election", "resolution"]
    assert once["titles"] == once["ballots"] == once["pages"] == once["exports"] == once["recounts"] == election
    assert ["elections.committee", ["committee"]] in once["roles"]
    assert [p for p in once["panels"] if p.split(".")[0] in ("members", "assembly")] == [
        "members.organisation", "assembly.upcoming", "members.register"]  # ballots: lines of the desk
    assert states["twice"] == once  # registering again replaces, never duplicates


# Role providers ----------------------------------------------------------------------------------------

@dataclass
class Account:
    id: int
    kind: str = "representative"
    member_id: int | None = 7
    is_delegate: bool = True
    is_authenticated: bool = True


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A fake committee provider (alone in the registry) that records whom it was asked about."""
    calls: list[int] = []
    monkeypatch.setattr(permissions, "_ROLE_PROVIDERS", {})

    def committee(user: Account) -> set[Role]:
        calls.append(user.id)
        return {Role.committee, Role.secretariat}  # only what it declared is kept

    permissions.register_role_provider(committee, grants={Role.committee}, name="test.committee")
    return calls


@pytest.mark.parametrize(("action", "user", "allowed", "asks"), [
    ("vote.cast", Account(1), True, 0),  # the account's own role decides: no provider asked
    ("amendment.propose", Account(1), True, 1),  # committee only: asked
    ("call.manage", Account(1), False, 0),  # no provider can grant the secretariat role
    ("amendment.propose", Account(1, is_authenticated=False), False, 0),  # anonymous: never asked
    ("no.such.action", Account(1), False, 0),
], ids=["own-role", "provided-role", "not-providable", "anonymous", "unknown-action"])
def test_providers_are_asked_only_when_the_account_does_not_decide(asked: list[int], action: str, user: Account,
                                                                   allowed: bool, asks: int) -> None:
    with Flask(__name__).test_request_context():
        assert permissions.can(user, action) is allowed
    assert len(asked) == asks


def test_a_provider_is_asked_once_per_request_and_user_and_grants_only_what_it_declared(asked: list[int]) -> None:
    first, second = Account(1), Account(2)
    with Flask(__name__).test_request_context():
        for _ in range(3):
            assert permissions.roles_of(first) == {Role.delegate, Role.committee}
            assert permissions.can(first, "amendment.propose")
        permissions.roles_of(second)
    assert asked == [1, 2]
    with Flask(__name__).test_request_context():
        permissions.roles_of(first)
    assert asked == [1, 2, 1]  # a new request asks again
    permissions.roles_of(first)
    permissions.roles_of(first)
    assert asked == [1, 2, 1, 1, 1]  # outside a request (CLI, tests): nothing is kept
