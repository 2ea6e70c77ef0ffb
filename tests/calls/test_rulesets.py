"""Rule-set services on a real database: creation, amendments (conflicts, rebase, decline), support, freeze.

The amendment flow of issue 7: two committee members propose conflicting
amendments on the same version; one is accepted (version 2), the other's
accept is refused with the conflict until it is rebased (version 3) or
declined. Races (two accepts, two supports) run in threads with their own
sessions, on SQLite and on PostgreSQL (``TEST_DATABASE_URL``).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.assembly.models import AssemblyStatus, Resolution
from app.calls import content as rule_content
from app.calls import rules, rulesets, wording
from app.calls.models import (
    Amendment,
    AmendmentComment,
    AmendmentStatus,
    AmendmentSupport,
    RuleSet,
    RuleSetVersion,
    VersionStatus,
)
from app.core.errors import DomainError
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories
from tests.calls.ruleset_helpers import People, build_people, changed, make_rule_set, sample_content

JOIN_TIMEOUT = 90


@pytest.fixture
def people(app: Flask, ctx: None) -> People:
    built = build_people()
    db.session.commit()
    return built


def _propose(people: People, rule_set: RuleSet, role: str, content: dict[str, Any], title: str = "Amendement",
             base: RuleSetVersion | None = None) -> Amendment:
    return rulesets.propose_amendment(rule_set, actor=people.user(role), title=title,
                                      rationale="Parce que c'est mieux.", new_content=content, base=base)


def _versions(rule_set: RuleSet) -> list[tuple[int, str]]:
    return [(v.number, v.status) for v in db.session.scalars(
        select(RuleSetVersion).where(RuleSetVersion.rule_set_id == rule_set.id).order_by(RuleSetVersion.number))]


# Creating a rule set ------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "allowed"), [
    ("committee", True), ("committee2", True), ("committee_alternate", True), ("secretariat", True),
    ("delegate", False), ("alternate", False), ("ex_officio", False),
])
def test_who_creates_a_rule_set(people: People, role: str, allowed: bool) -> None:
    call = lambda: rulesets.create_rule_set(actor=people.user(role), titles={"fr": "Règlement"},  # noqa: E731
                                            content=sample_content())
    if not allowed:
        with pytest.raises(DomainError):
            call()
        assert db.session.scalar(select(func.count()).select_from(RuleSet)) == 0
        return
    rule_set = call()
    first = rulesets.head(rule_set)
    assert (first.number, first.status, rule_set.head_number) == (1, VersionStatus.draft, 1)
    assert first.content == sample_content()
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "rule_set")) \
        == "ruleset.created"


@pytest.mark.parametrize(("path", "value", "problem_at"), [
    ("funding__rate", "abc", "funding.rate"),
    ("funding__rate", "0", "funding.rate"),
    ("funding__rate", "1.01", "funding.rate"),
    ("funding__floor", "70000", "funding.floor"),
    ("funding__ceiling", "-1", "funding.ceiling"),
    ("eligibility__duration_range__min_months", 48, "eligibility.duration_range.max_months"),
    ("eligibility__min_partners", {"n": "deux"}, "eligibility.min_partners.n"),
    ("eligibility__partner_other_country", {"countries": ["TUN"]}, "eligibility.partner_other_country.countries"),
    ("criteria__pertinence__weight", 0, "criteria.pertinence.weight"),
    ("criteria__pertinence__scale_max", "cinq", "criteria.pertinence.scale_max"),
    ("criteria__pertinence__name__fr", "", "criteria.pertinence.name.fr"),
])
def test_invalid_content_is_refused_with_its_paths(people: People, path: str, value: Any, problem_at: str) -> None:
    with pytest.raises(rulesets.ContentInvalid) as refused:
        make_rule_set(people, changed(sample_content(), **{path: value}))
    assert problem_at in [p for p, _ in refused.value.problems]


def test_a_rule_set_needs_a_french_title(people: People) -> None:
    with pytest.raises(DomainError) as refused:
        rulesets.create_rule_set(actor=people.user("secretariat"), titles={"fr": " ", "en": "Rules"},
                                 content=sample_content())
    assert refused.value.field == "title_fr"


# Proposing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "allowed"), [
    ("committee", True), ("committee_alternate", True), ("committee2", True),
    ("delegate", False), ("alternate", False), ("ex_officio", False), ("secretariat", False),
])
def test_only_committee_members_propose(people: People, role: str, allowed: bool) -> None:
    rule_set = make_rule_set(people)
    content = changed(sample_content(), funding__rate="0.7")
    if not allowed:
        with pytest.raises(DomainError):
            _propose(people, rule_set, role, content)
        assert db.session.scalar(select(func.count()).select_from(Amendment)) == 0
        return
    amendment = _propose(people, rule_set, role, content)
    assert amendment.changes == [{"path": "funding.rate", "old": "0.65", "new": "0.7"}]
    assert amendment.base_version.number == 1
    assert amendment.proposer_member_id == people.user(role).member_id


def test_an_amendment_that_changes_nothing_is_refused(people: People) -> None:
    rule_set = make_rule_set(people)
    with pytest.raises(DomainError):
        _propose(people, rule_set, "committee", sample_content())


@pytest.mark.parametrize(("title", "rationale", "field"), [("", "Pourquoi", "title"), ("Titre", "  ", "rationale")])
def test_title_and_rationale_are_required(people: People, title: str, rationale: str, field: str) -> None:
    rule_set = make_rule_set(people)
    with pytest.raises(DomainError) as refused:
        rulesets.propose_amendment(rule_set, actor=people.user("committee"), title=title, rationale=rationale,
                                   new_content=changed(sample_content(), funding__rate="0.7"))
    assert refused.value.field == field


@pytest.mark.parametrize(("edit", "paths"), [
    ({"funding__rate": "0.7"}, ["funding.rate"]),
    ({"criteria__pertinence": None}, ["criteria.pertinence.description.ar", "criteria.pertinence.description.en",
                                      "criteria.pertinence.description.fr", "criteria.pertinence.min_justification",
                                      "criteria.pertinence.na_allowed", "criteria.pertinence.name.ar",
                                      "criteria.pertinence.name.en", "criteria.pertinence.name.fr",
                                      "criteria.pertinence.position", "criteria.pertinence.scale_max",
                                      "criteria.pertinence.weight"]),
    ({"criteria__partenariat__name__ar": "الشراكات"}, ["criteria.partenariat.name.ar"]),
    ({"eligibility__min_partners": {"n": 2}}, ["eligibility.min_partners.n"]),
    ({"eligibility__lead_active_member": None}, ["eligibility.lead_active_member"]),
])
def test_an_amendment_keeps_leaf_changes_against_its_base(people: People, edit: dict, paths: list[str]) -> None:
    rule_set = make_rule_set(people)
    amendment = _propose(people, rule_set, "committee", changed(sample_content(), **edit))
    assert [c["path"] for c in amendment.changes] == paths


# The amendment flow ----------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["rebase", "decline"])
def test_conflicting_amendments_one_accepted_the_other_rebased_or_declined(people: People, ending: str) -> None:
    rule_set = make_rule_set(people)
    secretariat = people.user("secretariat")
    raise_rate = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"),
                          title="Taux à 70 %")
    lower_rate = _propose(people, rule_set, "committee2",
                          changed(sample_content(), funding__rate="0.6", funding__ceiling="60000"),
                          title="Taux à 60 % et plafond à 60 000 €")
    db.session.commit()

    second = rulesets.decide_amendment(raise_rate, actor=secretariat, accept=True, reason="Consensus du comité")
    db.session.commit()
    assert second is not None and second.number == 2 and second.amendment_id == raise_rate.id
    assert second.content["funding"] == {"rate": "0.7", "ceiling": "66440", "floor": "0"}
    assert _versions(rule_set) == [(1, "superseded"), (2, "draft")]
    assert rule_content.diff(rulesets.version(rule_set, 1).content, second.content) == [
        rule_content.Change("funding.rate", "0.65", "0.7")]
    assert (raise_rate.status, raise_rate.result_version_id, raise_rate.decided_by_id) == (
        AmendmentStatus.accepted, second.id, secretariat.id)
    assert raise_rate.proposer_member_id == people.committee_member_id

    with pytest.raises(DomainError) as refused:
        rulesets.decide_amendment(lower_rate, actor=secretariat, accept=True, reason="Pourquoi pas")
    db.session.rollback()
    assert wording.path_label("funding.rate") in str(refused.value.message)
    assert wording.path_label("funding.ceiling") not in str(refused.value.message)
    assert db.session.get(Amendment, lower_rate.id).status == AmendmentStatus.proposed
    assert rule_set.head_number == 2 and _versions(rule_set) == [(1, "superseded"), (2, "draft")]
    assert [c.path for c in rulesets.conflicts_of(lower_rate, second.content)] == ["funding.rate"]

    if ending == "decline":
        assert rulesets.decide_amendment(lower_rate, actor=secretariat, accept=False,
                                         reason="Le comité a choisi 70 %.") is None
        db.session.commit()
        assert (lower_rate.status, lower_rate.decision_reason) == (AmendmentStatus.declined, "Le comité a choisi 70 %.")
        assert _versions(rule_set) == [(1, "superseded"), (2, "draft")]
        return

    view = rulesets.rebase_view(lower_rate)
    assert view.head.number == 2
    assert [c.path for c in view.conflicts] == ["funding.rate"]
    assert view.content["funding"] == {"rate": "0.6", "ceiling": "60000", "floor": "0"}  # the proposer's values
    rulesets.rebase(lower_rate, actor=people.user("committee2"), new_content=changed(view.content, funding__rate="0.65"))
    db.session.commit()
    assert lower_rate.base_version.number == 2 and lower_rate.rebased_at is not None
    assert lower_rate.changes == [{"path": "funding.ceiling", "old": "66440", "new": "60000"},
                                  {"path": "funding.rate", "old": "0.7", "new": "0.65"}]
    third = rulesets.decide_amendment(lower_rate, actor=secretariat, accept=True, reason="Après rebase")
    db.session.commit()
    assert third is not None and third.number == 3
    assert third.content["funding"] == {"rate": "0.65", "ceiling": "60000", "floor": "0"}
    assert _versions(rule_set) == [(1, "superseded"), (2, "superseded"), (3, "draft")]
    # Nothing accepted was edited in place.
    assert rulesets.version(rule_set, 1).content == sample_content()
    assert rulesets.version(rule_set, 2).content["funding"]["rate"] == "0.7"


def test_a_non_conflicting_amendment_on_the_old_base_merges_cleanly(people: People) -> None:
    rule_set = make_rule_set(people)
    secretariat = people.user("secretariat")
    rate = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"))
    new_criterion = {"name": {"fr": "Innovation", "en": "Innovation", "ar": "الابتكار"},
                     "description": {"fr": "", "en": "", "ar": ""}, "weight": 1, "scale_max": 5,
                     "na_allowed": True, "min_justification": 0, "position": 3}
    criteria = _propose(people, rule_set, "committee2", changed(sample_content(), criteria__pertinence__weight=4,
                                                                criteria__innovation=new_criterion))
    rulesets.decide_amendment(rate, actor=secretariat, accept=True, reason="Oui")
    third = rulesets.decide_amendment(criteria, actor=secretariat, accept=True, reason="Oui aussi")
    db.session.commit()
    assert third is not None and third.number == 3
    assert third.content["funding"]["rate"] == "0.7"
    assert third.content["criteria"]["pertinence"]["weight"] == 4
    assert third.content["criteria"]["innovation"] == new_criterion


def test_removing_a_criterion_then_changing_it_conflicts_and_the_rebase_drops_it(people: People) -> None:
    rule_set = make_rule_set(people)
    secretariat = people.user("secretariat")
    remove = _propose(people, rule_set, "committee", changed(sample_content(), criteria__partenariat=None))
    reweigh = _propose(people, rule_set, "committee2", changed(sample_content(), criteria__partenariat__weight=5,
                                                               funding__floor="1000"))
    rulesets.decide_amendment(remove, actor=secretariat, accept=True, reason="Oui")
    db.session.commit()
    with pytest.raises(DomainError):
        rulesets.decide_amendment(reweigh, actor=secretariat, accept=True, reason="Oui")
    db.session.rollback()
    view = rulesets.rebase_view(db.session.get(Amendment, reweigh.id))
    assert [c.path for c in view.dropped] == ["criteria.partenariat.weight"]
    assert "partenariat" not in view.content["criteria"]
    assert view.content["funding"]["floor"] == "1000"


def test_an_amendment_written_on_an_older_version_keeps_its_base(people: People) -> None:
    """A member typing while another amendment is accepted: their changes are taken against what they saw."""
    rule_set = make_rule_set(people)
    first = rulesets.head(rule_set)
    rulesets.decide_amendment(_propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7")),
                              actor=people.user("secretariat"), accept=True, reason="Oui")
    late = _propose(people, rule_set, "committee2", changed(sample_content(), funding__floor="500"), base=first)
    assert late.base_version_id == first.id
    assert late.changes == [{"path": "funding.floor", "old": "0", "new": "500"}]  # the rate is not undone
    third = rulesets.decide_amendment(late, actor=people.user("secretariat"), accept=True, reason="Oui")
    assert third.content["funding"] == {"rate": "0.7", "ceiling": "66440", "floor": "500"}


def test_a_merge_that_gives_invalid_rules_is_refused(people: People) -> None:
    rule_set = make_rule_set(people)
    ceiling = _propose(people, rule_set, "committee", changed(sample_content(), funding__ceiling="1000"))
    floor = _propose(people, rule_set, "committee2", changed(sample_content(), funding__floor="5000"))
    rulesets.decide_amendment(ceiling, actor=people.user("secretariat"), accept=True, reason="Oui")
    with pytest.raises(DomainError) as refused:
        rulesets.decide_amendment(floor, actor=people.user("secretariat"), accept=True, reason="Oui")
    assert wording.path_label("funding.floor") in str(refused.value.message)


@pytest.mark.parametrize("accept", [True, False])
def test_a_decision_needs_a_reason_and_the_secretariat(people: People, accept: bool) -> None:
    rule_set = make_rule_set(people)
    amendment = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"))
    with pytest.raises(DomainError) as refused:
        rulesets.decide_amendment(amendment, actor=people.user("secretariat"), accept=accept, reason=" ")
    assert refused.value.field == "reason"
    for role in ("committee", "committee2", "delegate", "ex_officio"):
        with pytest.raises(DomainError):
            rulesets.decide_amendment(amendment, actor=people.user(role), accept=accept, reason="Moi")
    assert amendment.status == AmendmentStatus.proposed and rule_set.head_number == 1


def test_a_decided_amendment_is_not_decided_again(people: People) -> None:
    rule_set = make_rule_set(people)
    amendment = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"))
    rulesets.decide_amendment(amendment, actor=people.user("secretariat"), accept=True, reason="Oui")
    for accept in (True, False):
        with pytest.raises(DomainError):
            rulesets.decide_amendment(amendment, actor=people.user("secretariat"), accept=accept, reason="Encore")
    assert rule_set.head_number == 2


@pytest.mark.parametrize(("role", "allowed"), [("committee", True), ("committee2", False),
                                               ("committee_alternate", False), ("secretariat", False)])
def test_only_the_proposer_withdraws_or_rebases(people: People, role: str, allowed: bool) -> None:
    rule_set = make_rule_set(people)
    amendment = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"))
    if not allowed:
        with pytest.raises(DomainError):
            rulesets.rebase(amendment, actor=people.user(role), new_content=changed(sample_content(),
                                                                                    funding__rate="0.8"))
        with pytest.raises(DomainError):
            rulesets.withdraw(amendment, actor=people.user(role))
        assert amendment.status == AmendmentStatus.proposed
        return
    rulesets.withdraw(amendment, actor=people.user(role))
    assert amendment.status == AmendmentStatus.withdrawn
    with pytest.raises(DomainError):
        rulesets.decide_amendment(amendment, actor=people.user("secretariat"), accept=True, reason="Oui")


# Comments and support ----------------------------------------------------------------------

@pytest.mark.parametrize(("role", "allowed"), [("committee", True), ("committee2", True), ("secretariat", True),
                                               ("delegate", False), ("alternate", False), ("ex_officio", False)])
def test_who_comments(people: People, role: str, allowed: bool) -> None:
    rule_set = make_rule_set(people)
    amendment = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"))
    if allowed:
        rulesets.comment(amendment, actor=people.user(role), body="D'accord.")
        assert [c.body for c in amendment.comments] == ["D'accord."]
    else:
        with pytest.raises(DomainError):
            rulesets.comment(amendment, actor=people.user(role), body="D'accord.")
        assert db.session.scalar(select(func.count()).select_from(AmendmentComment)) == 0
    with pytest.raises(DomainError) as empty:
        rulesets.comment(amendment, actor=people.user("secretariat"), body="  ")
    assert empty.value.field == "body"


def test_support_is_once_per_member_and_never_by_the_proposers_member(people: People) -> None:
    rule_set = make_rule_set(people)
    amendment = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"))
    db.session.commit()
    for role in ("committee", "committee_alternate"):  # the proposer's own member
        with pytest.raises(DomainError):
            rulesets.support(amendment, actor=people.user(role))
        db.session.rollback()
    for role in ("delegate", "alternate", "ex_officio", "secretariat"):
        with pytest.raises(DomainError):
            rulesets.support(amendment, actor=people.user(role))
        db.session.rollback()
    rulesets.support(amendment, actor=people.user("committee2"))
    db.session.commit()
    with pytest.raises(DomainError):
        rulesets.support(amendment, actor=people.user("committee2"))
    db.session.rollback()
    assert rulesets.support_counts([amendment.id]) == {amendment.id: 1}
    rulesets.withdraw(amendment, actor=people.user("committee"))
    db.session.commit()


# Races -----------------------------------------------------------------------------------

def _race(app: Flask, jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[DomainError], list[BaseException]]:
    """Run the jobs in threads, each in its own app context (its own session); commit or roll back."""
    done, refused, errors = [], [], []
    lock = threading.Lock()

    def run(job: Callable[[], Any]) -> None:
        with app.test_request_context():
            try:
                result = job()
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                with lock:
                    refused.append(exc)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                with lock:
                    errors.append(exc)
            else:
                with lock:
                    done.append(result)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread is still running (deadlock?)"
    return done, refused, errors


def test_two_concurrent_accepts_one_wins(app: Flask, wide_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both accepts read head 1 and merge cleanly before either writes: the conditional UPDATE lets one through."""
    with app.app_context():
        people = build_people()
        rule_set = make_rule_set(people)
        ids = [_propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7")).id,
               _propose(people, rule_set, "committee2", changed(sample_content(), funding__floor="100")).id]
        secretariat_id, rule_set_id = people.user("secretariat").id, rule_set.id
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(2, timeout=30)
    apply = rule_content.apply_changes

    def merged_then_wait(head: Any, changes: Any) -> rule_content.Merge:
        result = apply(head, changes)
        barrier.wait()
        return result

    monkeypatch.setattr(rule_content, "apply_changes", merged_then_wait)

    def accept(amendment_id: int) -> Callable[[], int]:
        def job() -> int:
            from app.auth.models import User

            version = rulesets.decide_amendment(db.session.get(Amendment, amendment_id),
                                                actor=db.session.get(User, secretariat_id), accept=True, reason="Oui")
            return version.number
        return job

    done, refused, errors = _race(wide_app, [accept(i) for i in ids])
    assert not errors, errors
    assert done == [2] and len(refused) == 1
    monkeypatch.setattr(rule_content, "apply_changes", apply)
    with app.app_context():
        rule_set = db.session.get(RuleSet, rule_set_id)
        assert rule_set.head_number == 2
        assert _versions(rule_set) == [(1, "superseded"), (2, "draft")]
        statuses = sorted(db.session.scalars(select(Amendment.status).where(Amendment.id.in_(ids))))
        assert statuses == ["accepted", "proposed"]
        db.session.remove()


def test_two_representatives_of_a_member_support_at_once_one_row(app: Flask, wide_app: Flask,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        people = build_people()
        rule_set = make_rule_set(people)
        amendment_id = _propose(people, rule_set, "committee2", changed(sample_content(), funding__rate="0.7")).id
        supporters = [people.user("committee").id, people.user("committee_alternate").id]  # the same member
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(2, timeout=30)
    insert = rulesets._insert_support

    def checked_then_wait(dialect: str) -> Any:
        barrier.wait()
        return insert(dialect)

    monkeypatch.setattr(rulesets, "_insert_support", checked_then_wait)

    def job_for(user_id: int) -> Callable[[], int]:
        def job() -> int:
            from app.auth.models import User

            return rulesets.support(db.session.get(Amendment, amendment_id), actor=db.session.get(User, user_id)).id
        return job

    done, refused, errors = _race(wide_app, [job_for(u) for u in supporters])
    assert not errors, errors
    assert len(done) == 1 and len(refused) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AmendmentSupport)) == 1
        db.session.remove()


# Freezing for the assembly ------------------------------------------------------------------

def test_freeze_puts_the_head_to_the_assembly_through_the_assembly_service(people: People) -> None:
    rule_set = make_rule_set(people)
    open_amendment = _propose(people, rule_set, "committee", changed(sample_content(), funding__rate="0.7"))
    assembly = factories.assembly()
    resolution = rulesets.freeze(rule_set, actor=people.user("secretariat"), agenda_item=assembly.agenda[0])
    db.session.commit()
    frozen = rulesets.head(rule_set)
    assert (frozen.number, frozen.status, frozen.resolution_id) == (1, VersionStatus.frozen, resolution.id)
    assert frozen.frozen_at is not None
    assert resolution.agenda_item_id == assembly.agenda[0].id and resolution.vote.status == "pending"
    assert (resolution.majority_base, resolution.threshold, resolution.double_majority) == ("expressed", "half", False)
    assert "Règlement de l'appel 2027" in resolution.title_fr and "Call rules 2027" in resolution.title_en
    assert "نظام الدعوة 2027" in resolution.title_ar
    assert "Pertinence" in resolution.text_fr and "Relevance" in resolution.text_en and "الملاءمة" in resolution.text_ar
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"resolution.saved", "ruleset.frozen"} <= actions
    # While frozen: nothing is proposed, rebased, accepted or frozen again.
    with pytest.raises(DomainError):
        _propose(people, rule_set, "committee2", changed(sample_content(), funding__floor="10"))
    with pytest.raises(DomainError):
        rulesets.decide_amendment(open_amendment, actor=people.user("secretariat"), accept=True, reason="Oui")
    with pytest.raises(DomainError):
        rulesets.freeze(rule_set, actor=people.user("secretariat"), agenda_item=assembly.agenda[0])
    db.session.rollback()
    assert db.session.get(Amendment, open_amendment.id).status == AmendmentStatus.proposed
    # Declining stays possible.
    rulesets.decide_amendment(db.session.get(Amendment, open_amendment.id), actor=people.user("secretariat"),
                              accept=False, reason="Le texte est devant l'assemblée.")


@pytest.mark.parametrize("role", ["committee", "delegate", "ex_officio"])
def test_only_the_secretariat_freezes(people: People, role: str) -> None:
    rule_set = make_rule_set(people)
    assembly = factories.assembly()
    with pytest.raises(DomainError):
        rulesets.freeze(rule_set, actor=people.user(role), agenda_item=assembly.agenda[0])
    assert rulesets.head(rule_set).status == VersionStatus.draft
    assert db.session.scalar(select(func.count()).select_from(Resolution)) == 0


@pytest.mark.parametrize(("status", "allowed"), [(AssemblyStatus.draft, True), (AssemblyStatus.convened, True),
                                                 (AssemblyStatus.in_session, False), (AssemblyStatus.closed, False)])
def test_freeze_goes_to_an_assembly_in_preparation_or_convened(people: People, status: str, allowed: bool) -> None:
    rule_set = make_rule_set(people)
    assembly = factories.assembly()
    assembly.status = status
    db.session.flush()
    if allowed:
        rulesets.freeze(rule_set, actor=people.user("secretariat"), agenda_item=assembly.agenda[0])
        assert rulesets.head(rule_set).status == VersionStatus.frozen
    else:
        with pytest.raises(DomainError) as refused:
            rulesets.freeze(rule_set, actor=people.user("secretariat"), agenda_item=assembly.agenda[0])
        assert refused.value.field == "target"


def test_content_text_lists_the_rules_in_each_language(people: People) -> None:
    content = sample_content()
    texts = {lang: rulesets.content_text("Titre", content, lang) for lang in rules.LANGS}
    assert "Relevance" in texts["en"] and "Pertinence" in texts["fr"] and "الملاءمة" in texts["ar"]
    assert "Meets the challenges" in texts["en"] and "Répond aux défis" in texts["fr"]
    assert all(t.count("\n- ") >= 5 for t in texts.values())  # 3 rules, funding, 2 criteria


@pytest.mark.parametrize(("name", "taken", "code"), [
    ("Innovation sociale", set(), "innovation-sociale"),
    ("Égalité femmes-hommes", set(), "egalite-femmes-hommes"),
    ("Pertinence", {"pertinence"}, "pertinence-2"),
    ("Pertinence", {"pertinence", "pertinence-2"}, "pertinence-3"),
    ("الملاءمة", set(), "criterion"),
    ("", {"criterion"}, "criterion-2"),
])
def test_criterion_codes_are_readable_and_unique(name: str, taken: set[str], code: str) -> None:
    assert rulesets.criterion_code(name, taken) == code
