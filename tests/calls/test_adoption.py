"""Adoption: a frozen version is adopted only by the counted, adopted resolution it was put to.

The votes are real: the vote is opened (electorate frozen), members cast with
``voting.cast``, the secretariat closes with ``voting.close_vote``, which
sends ``resolution_decided``; ``adoption.on_resolution_decided`` does the rest.
"""
from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.assembly import voting
from app.assembly.models import Vote
from app.calls import adoption, rulesets
from app.calls.models import AmendmentStatus, RuleSetVersion, VersionStatus
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Charter, Member
from tests import factories
from tests.calls.ruleset_helpers import (
    EMAILS,
    People,
    build_people,
    cast_all,
    changed,
    make_rule_set,
    put_to_vote,
    sample_content,
)

APP = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture
def people(app: Flask, ctx: None) -> People:
    """Three voting members (the world's two and a third), two of them on the committee."""
    built = build_people()
    charter = db.session.scalar(select(Charter))
    for member in db.session.scalars(select(Member)):
        delegate = next(u for u in member.representatives if u.is_delegate)
        factories.sign(member, charter, delegate)
    db.session.commit()
    return built


def _close(people: People, vote_id: int) -> dict:
    result = voting.close_vote(db.session.get(Vote, vote_id), actor=people.user("secretariat"))
    db.session.commit()
    return result


#: choices of the three voting members -> the count's outcome -> the version's status
OUTCOMES = [
    ({"committee": "for", "committee2": "for", "delegate": "against"}, "adopted", VersionStatus.adopted),
    ({"committee": "for", "committee2": "against", "delegate": "against"}, "rejected", VersionStatus.rejected),
    ({"committee": "abstain", "committee2": "abstain", "delegate": "for"}, "adopted", VersionStatus.adopted),
    ({"committee": "abstain", "committee2": "abstain", "delegate": "abstain"}, "rejected", VersionStatus.rejected),
    ({"committee": "for"}, "no_quorum", VersionStatus.rejected),  # 1 of 3 take part; the quorum is 1/2
]


@pytest.mark.parametrize(("choices", "outcome", "status"), OUTCOMES)
def test_the_counted_result_decides_the_version(people: People, choices: dict, outcome: str,
                                                status: VersionStatus) -> None:
    rule_set = make_rule_set(people)
    db.session.commit()
    resolution = put_to_vote(people, rule_set)
    cast_all(resolution, choices)
    assert rulesets.head(rule_set).status == VersionStatus.frozen  # casting is not deciding
    result = _close(people, resolution.vote_id)
    assert result["outcome"] == outcome
    version = rulesets.head(rule_set)
    assert version.status == status and version.decided_at is not None
    assert version.decision == {"outcome": outcome, "counts": result["counts"], "electorate": 3,
                                "participation": len(choices), "final_hash": result["final_hash"],
                                "vote_id": resolution.vote_id, "resolution_id": resolution.id}
    action = "ruleset.adopted" if status == VersionStatus.adopted else "ruleset.not_adopted"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)) == 1
    assert (rulesets.adopted_versions() == [version]) is (status == VersionStatus.adopted)


@pytest.mark.parametrize("choices", [OUTCOMES[1][0], OUTCOMES[4][0]], ids=["rejected", "no_quorum"])
def test_a_version_not_adopted_is_amendable_again(people: People, choices: dict) -> None:
    rule_set = make_rule_set(people)
    db.session.commit()
    resolution = put_to_vote(people, rule_set)
    cast_all(resolution, choices)
    _close(people, resolution.vote_id)
    amendment = rulesets.propose_amendment(rule_set, actor=people.user("committee"), title="Plafond plus bas",
                                           rationale="Pour convaincre l'assemblée.",
                                           new_content=changed(sample_content(), funding__ceiling="60000"))
    second = rulesets.decide_amendment(amendment, actor=people.user("secretariat"), accept=True, reason="Oui")
    db.session.commit()
    assert [(v.number, v.status) for v in rule_set.versions] == [(1, "rejected"), (2, "draft")]
    assert second.content["funding"]["ceiling"] == "60000"
    # The new draft goes to another assembly and is adopted there.
    again = put_to_vote(people, rule_set)
    assert rulesets.head(rule_set).number == 2
    cast_all(again, OUTCOMES[0][0])
    _close(people, again.vote_id)
    assert rulesets.head(rule_set).status == VersionStatus.adopted
    assert rulesets.version(rule_set, 1).status == VersionStatus.rejected


def test_a_rejected_version_can_be_put_again_unchanged_as_a_new_version(people: People) -> None:
    rule_set = make_rule_set(people)
    db.session.commit()
    first = put_to_vote(people, rule_set)
    cast_all(first, OUTCOMES[4][0])
    _close(people, first.vote_id)
    second = put_to_vote(people, rule_set)
    versions = [(v.number, v.status, v.resolution_id) for v in rule_set.versions]
    assert versions == [(1, "rejected", first.id), (2, "frozen", second.id)]
    assert rulesets.version(rule_set, 2).content == rulesets.version(rule_set, 1).content


def test_after_adoption_an_accepted_amendment_starts_a_new_draft_and_calls_keep_the_adopted_one(
        people: People) -> None:
    rule_set = make_rule_set(people)
    db.session.commit()
    resolution = put_to_vote(people, rule_set)
    cast_all(resolution, OUTCOMES[0][0])
    _close(people, resolution.vote_id)
    adopted = rulesets.head(rule_set)
    amendment = rulesets.propose_amendment(rule_set, actor=people.user("committee2"), title="Taux à 70 %",
                                           rationale="Pour l'appel suivant.",
                                           new_content=changed(sample_content(), funding__rate="0.7"))
    draft = rulesets.decide_amendment(amendment, actor=people.user("secretariat"), accept=True, reason="Oui")
    db.session.commit()
    assert amendment.status == AmendmentStatus.accepted
    assert [(v.number, v.status) for v in rule_set.versions] == [(1, "adopted"), (2, "draft")]
    assert draft.content["funding"]["rate"] == "0.7"
    assert rulesets.adopted_versions() == [adopted]


def test_adopted_versions_newest_decision_first(people: People) -> None:
    older, newer = make_rule_set(people), make_rule_set(people)
    db.session.commit()
    for rule_set in (older, newer):
        resolution = put_to_vote(people, rule_set)
        cast_all(resolution, OUTCOMES[0][0])
        _close(people, resolution.vote_id)
    assert [v.rule_set_id for v in rulesets.adopted_versions()] == [newer.id, older.id]


def test_the_hook_is_idempotent(people: People) -> None:
    rule_set = make_rule_set(people)
    db.session.commit()
    resolution = put_to_vote(people, rule_set)
    cast_all(resolution, OUTCOMES[0][0])
    result = _close(people, resolution.vote_id)
    decided = rulesets.head(rule_set)
    before = (decided.status, dict(decided.decision), decided.decided_at)
    vote = db.session.get(Vote, resolution.vote_id)
    for replay in (result, {**result, "outcome": "rejected"}):
        assert adoption.on_resolution_decided(vote, resolution=resolution, result=replay, actor=None) is None
        db.session.commit()
    again = rulesets.head(rule_set)
    assert (again.status, again.decision, again.decided_at) == before
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.like("ruleset.%adopted"))) == 1
    adoption.connect()
    adoption.connect()  # connecting twice does not adopt twice either
    from app.assembly.signals import resolution_decided

    assert sum(1 for r in resolution_decided.receivers_for(vote)
               if getattr(r, "__name__", "") == "on_resolution_decided") == 1


def test_other_resolutions_change_no_version(people: People) -> None:
    rule_set = make_rule_set(people)
    db.session.commit()
    put_to_vote(people, rule_set)
    other_assembly = factories.assembly(title="Assemblée extraordinaire")
    other = factories.resolution(other_assembly, title="Rapport financier")
    db.session.commit()
    voting.open_vote(other.vote, actor=people.user("secretariat"), closes_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    cast_all(other, OUTCOMES[0][0])
    _close(people, other.vote_id)
    assert rulesets.head(rule_set).status == VersionStatus.frozen


def test_no_service_marks_a_version_adopted(people: People) -> None:
    """Every rule-set service tried on a frozen version as the secretariat: none adopts it."""
    rule_set = make_rule_set(people)
    amendment = rulesets.propose_amendment(rule_set, actor=people.user("committee"), title="Taux",
                                           rationale="Raison", new_content=changed(sample_content(), funding__rate="0.7"))
    db.session.commit()
    put_to_vote(people, rule_set)
    secretariat = people.user("secretariat")
    attempts = [
        lambda: rulesets.freeze(rule_set, actor=secretariat, agenda_item=factories.assembly().agenda[0]),
        lambda: rulesets.decide_amendment(amendment, actor=secretariat, accept=True, reason="Adopter"),
        lambda: rulesets.propose_amendment(rule_set, actor=people.user("committee2"), title="T", rationale="R",
                                           new_content=changed(sample_content(), funding__floor="1")),
        lambda: rulesets.rebase(amendment, actor=people.user("committee"),
                                new_content=changed(sample_content(), funding__rate="0.8")),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError):
            attempt()
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(RuleSetVersion)
                             .where(RuleSetVersion.status == VersionStatus.adopted)) == 0


def _sets_adopted(node: ast.AST) -> bool:
    """``x.status = VersionStatus.adopted`` / ``= "adopted"``, or ``status=…adopted`` as a keyword."""
    def is_adopted(value: ast.AST | None) -> bool:
        return (isinstance(value, ast.Attribute) and value.attr == "adopted"
                and isinstance(value.value, ast.Name) and value.value.id == "VersionStatus") or \
            (isinstance(value, ast.Constant) and value.value == "adopted")

    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Attribute) and t.attr == "status" for t in node.targets) and is_adopted(node.value)
    if isinstance(node, ast.keyword):
        return node.arg == "status" and is_adopted(node.value)
    return False


def test_only_the_adoption_hook_sets_a_version_adopted_in_the_code() -> None:
    """No route, no service, no command writes ``adopted`` into a version: only ``adoption.py`` may."""
    offenders = []
    for path in APP.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path == APP / "calls" / "adoption.py" or not ("RuleSetVersion" in source or "VersionStatus" in source):
            continue
        tree = ast.parse(source)
        offenders += [f"{path.relative_to(APP)}:{n.lineno}" for n in ast.walk(tree)
                      if _sets_adopted(n) and hasattr(n, "lineno")]
    assert not offenders, f"only app/calls/adoption.py adopts a version: {offenders}"


def test_the_receiver_is_connected_by_the_app(app: Flask) -> None:
    from app.assembly.signals import resolution_decided

    assert any(getattr(r, "__name__", "") == "on_resolution_decided" for r in resolution_decided.receivers.values())
    assert EMAILS["committee"] == "other@example.org"  # the committee member of the central role matrix


def test_a_version_put_to_a_draft_assembly_names_it_only_to_the_secretariat(app: Flask, people: People) -> None:
    """The draft assembly is hidden (its pages and votes answer 404): the rule set's page does not name it."""
    from flask import g

    from tests.conftest import login

    rule_set = make_rule_set(people)
    draft = factories.assembly(title="Assemblée encore en brouillon", convened=False)
    rulesets.freeze(rule_set, actor=people.user("secretariat"), agenda_item=draft.agenda[0])
    db.session.commit()
    rule_set_id = rule_set.id
    for role, named in (("delegate", False), ("committee", False), ("secretariat", True)):
        g.pop("_login_user", None)  # the test's app context is shared by the requests: forget the last user
        client = app.test_client()
        login(client, EMAILS[role])
        page = client.get(f"/rulesets/{rule_set_id}")
        assert page.status_code == 200, role
        assert ("Assemblée encore en brouillon" in page.get_data(as_text=True)) is named, role
