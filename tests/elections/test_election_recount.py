"""Exporting an election's board and ``flask votes recount`` on it: an untouched board reproduces
the published elected list, substitutes and draw; a tampered one fails; no database is needed.

The election: 3 seats, at most 2 for college cs-fr, parity within 1. Seven members stand (four
cs-fr, three cs-tn) and vote; the third cs-fr candidate is skipped by the college maximum and the
third seat goes by lot between two cs-tn candidates tied at 2 approvals.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.assembly import voting
from app.assembly.board import GENESIS, chain_hash
from app.assembly.recount import BoardFormatError, check_format, recount
from app.auth.models import User, UserKind
from app.core.timeutil import utcnow
from app.elections import rules, services
from app.elections.models import Candidacy, CandidacyStatus
from app.extensions import db
from tests import factories
from tests.assembly import forge
from tests.assembly.board_schema import validated
from tests.conftest import counting
from tests.conftest import test_settings as settings_for

SEATS = 3
CONSTRAINTS = {"college": {"cs-fr": [0, 2]}, "parity_tolerance": 1}
LABELS = ("fr0", "fr1", "fr2", "fr3", "tn0", "tn1", "tn2")
#: Voter index -> labels of the candidates it approves. Approvals: fr0 5, fr1 4, fr2 3, tn0 2, tn1 2, others 0.
BALLOTS = {0: ("fr0", "fr1", "fr2"), 1: ("fr0", "fr1", "fr2"), 2: ("fr0", "fr1", "fr2"), 3: ("fr0", "fr1", "tn0"),
           4: ("fr0", "tn0", "tn1"), 5: ("tn1",), 6: ()}
TITLE = "Élection du comité de pilotage 2027"


@dataclass
class BuiltElection:
    vote_id: int
    election_id: int
    ids: dict[str, str]  # label -> candidacy id
    members: dict[str, str]  # label -> member name


def _delegate(member_id: int) -> User:
    return db.session.scalar(select(User).where(User.member_id == member_id, User.is_delegate.is_(True)))


def build_election(app: Flask, *, close: bool = True) -> BuiltElection:
    """Every member stands (genders alternate, male first), all are validated, ``BALLOTS`` are cast."""
    with app.test_request_context():
        charter = factories.charter()
        members = (factories.voters(4, charter_=charter, college_code="cs-fr")
                   + factories.voters(3, charter_=charter, college_code="cs-tn", country="TN"))
        secretariat = factories.user("sec-recount@example.org", kind=UserKind.secretariat)
        now = utcnow()
        election = services.create_election(actor=secretariat, data={
            "title": TITLE, "seats": SEATS, "term_starts_on": date(2027, 1, 1), "term_years": 2,
            "candidacy_opens_at": now - timedelta(days=1), "candidacy_closes_at": now + timedelta(days=1),
            "constraints": CONSTRAINTS})
        candidacies = [services.declare_candidacy(election, actor=_delegate(m.id),
                                                  representative_name=f"Représentant·e {m.name}",
                                                  gender="female" if i % 2 else "male",
                                                  statements={"fr": "Nous voulons servir.", "en": "", "ar": ""})
                       for i, m in enumerate(members)]
        for c in candidacies:
            services.decide_candidacy(c, actor=secretariat, validate=True)
        election.candidacy_closes_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        services.open_voting(election, actor=secretariat, closes_at=utcnow() + timedelta(hours=1))
        db.session.commit()
        ids = {label: str(c.id) for label, c in zip(LABELS, candidacies, strict=True)}
        for voter, approved in BALLOTS.items():
            member = members[voter]
            voting.cast(election.vote_id, member.id, ",".join(ids[label] for label in approved),
                        actor=_delegate(member.id))
            db.session.commit()
        if close:
            voting.close_vote(election.vote, actor=secretariat)
            db.session.commit()
        return BuiltElection(election.vote_id, election.id, ids,
                             {label: m.name for label, m in zip(LABELS, members, strict=True)})


def export(app: Flask, vote_id: int) -> dict[str, Any]:
    response = app.test_client().get(f"/votes/{vote_id}/board.json")
    assert response.status_code == 200
    return validated(json.loads(response.get_data()))


def run(app: Flask, board: dict[str, Any] | str, tmp_path: Path) -> tuple[int, dict[str, Any] | None, str]:
    """Write the board to a file and run ``flask votes recount`` on it: (exit code, JSON printed, stderr)."""
    path = tmp_path / "election-board.json"
    path.write_text(board if isinstance(board, str) else json.dumps(board, ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["votes", "recount", str(path)])
    printed = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, printed, result.stderr


@pytest.fixture
def built(app: Flask) -> BuiltElection:
    return build_election(app)


@pytest.fixture
def exported(app: Flask, built: BuiltElection) -> dict[str, Any]:
    return export(app, built.vote_id)


# The untouched board ------------------------------------------------------------------------------

def test_export_has_the_election_section(exported: dict[str, Any], built: BuiltElection) -> None:
    ids, members = built.ids, built.members
    assert exported["format"] == "pcpa-board/2"
    assert list(exported) == ["format", "vote", "rules", "election", "electorate", "participants", "header_hash",
                              "ballots", "final_hash", "result"]
    assert list(exported["election"]) == ["id", "seats", "constraints", "candidates", "infeasible_fallback",
                                          "seed", "allocation"]
    assert exported["election"]["infeasible_fallback"] == "relax"
    assert exported["vote"]["title"] == TITLE and exported["vote"]["secret"] is True
    assert exported["rules"] == {"method": "approval"}
    section = exported["election"]
    assert section["id"] == built.election_id and section["seats"] == SEATS
    assert section["constraints"] == rules.Constraints.from_dict(CONSTRAINTS).to_dict()
    assert section["seed"] == exported["final_hash"] == exported["result"]["seed"] != GENESIS
    assert [c["id"] for c in section["candidates"]] == sorted(ids.values(), key=int)
    first = section["candidates"][0]
    assert first == {"id": ids["fr0"], "member": members["fr0"], "college": "cs-fr", "country": "FR",
                     "gender": "male", "representative": f"Représentant·e {members['fr0']}"}
    assert {c["gender"] for c in section["candidates"]} == {"female", "male"}
    assert exported["result"]["kind"] == "election"
    assert exported["result"]["elected"] == section["allocation"]["elected"]
    # Secret: members who took part are listed without their choice; ballots are approval lists.
    assert all(set(p) == {"member", "college"} for p in exported["participants"])
    assert len(exported["ballots"]) == len(exported["participants"]) == len(BALLOTS)
    assert sorted(b["choice"] for b in exported["ballots"]).count("") == 1
    assert all("college" not in b for b in exported["ballots"])


def test_the_export_is_the_same_bytes_every_time(app: Flask, built: BuiltElection) -> None:
    client = app.test_client()
    first = client.get(f"/votes/{built.vote_id}/board.json")
    second = client.get(f"/votes/{built.vote_id}/board.json", headers={"Accept-Language": "ar"})
    assert first.get_data() == second.get_data()
    assert f'filename="vote-{built.vote_id}-board.json"' in first.headers["Content-Disposition"]


def test_untouched_board_reproduces_the_elected_list_substitutes_and_draw(app: Flask, exported: dict[str, Any],
                                                                         built: BuiltElection,
                                                                         tmp_path: Path) -> None:
    ids = built.ids
    code, printed, stderr = run(app, exported, tmp_path)
    assert code == 0, (printed, stderr)
    assert printed["ok"] is True and printed["problems"] == []
    assert printed["result"] == exported["result"]
    published = exported["election"]["allocation"]
    assert printed["allocation"] == published
    # The count the fixture was built for: a skip by the college maximum and a seat decided by lot.
    assert printed["result"]["approvals"] == {ids["fr0"]: 5, ids["fr1"]: 4, ids["fr2"]: 3, ids["tn0"]: 2,
                                              ids["tn1"]: 2, ids["fr3"]: 0, ids["tn2"]: 0}
    assert printed["allocation"]["skipped"] == [{"id": ids["fr2"], "rank": 3, "reason": ["max", "college", "cs-fr"]}]
    tie = next(group for group in printed["allocation"]["draw"] if group["approvals"] == 2)
    assert sorted(tie["order"]) == sorted([ids["tn0"], ids["tn1"]])
    assert tie["keys"] == [rules.draw_key(exported["final_hash"], cid) for cid in tie["order"]]
    winner, loser = tie["order"]
    assert printed["result"]["elected"] == [ids["fr0"], ids["fr1"], winner]
    assert printed["result"]["substitutes"] == [ids["fr2"], loser, *next(
        g["order"] for g in printed["allocation"]["draw"] if g["approvals"] == 0)]
    assert printed["result"]["vacant"] == 0


def test_recount_is_a_pure_function(exported: dict[str, Any]) -> None:
    report = recount(exported)
    assert report["ok"], report["problems"]
    assert report["result"] == exported["result"]
    assert report["allocation"] == exported["election"]["allocation"]


def test_a_candidacy_withdrawn_after_the_close_is_still_exported(app: Flask, built: BuiltElection,
                                                                 tmp_path: Path) -> None:
    """The candidates exported are those the count ranked, whatever their status now."""
    with app.app_context():
        db.session.get(Candidacy, int(built.ids["tn2"])).status = CandidacyStatus.withdrawn
        db.session.commit()
    board = export(app, built.vote_id)
    assert built.ids["tn2"] in [c["id"] for c in board["election"]["candidates"]]
    code, printed, _ = run(app, board, tmp_path)
    assert code == 0, printed


def test_export_waits_for_the_close(app: Flask) -> None:
    open_election = build_election(app, close=False)
    assert app.test_client().get(f"/votes/{open_election.vote_id}/board.json").status_code == 409


# Tampered boards ------------------------------------------------------------------------------------

def rechain(board: dict[str, Any], *, republish: bool = False) -> None:
    """Recompute every hash in the current order from the header hash (a careful forger);
    ``republish``: the final hash too."""
    previous = forge.rechain(board)
    if republish:
        board["final_hash"] = board["election"]["seed"] = previous


def _ids(board: dict[str, Any]) -> list[str]:
    return [c["id"] for c in board["election"]["candidates"]]


def _full_ballot(board: dict[str, Any]) -> int:
    return next(i for i, b in enumerate(board["ballots"]) if b["choice"].count(",") == SEATS - 1)


def _other_approvals(board: dict[str, Any]) -> None:
    """One full ballot approves the candidates nobody approved instead of its first one."""
    i = _full_ballot(board)
    approved = board["ballots"][i]["choice"].split(",")
    unapproved = [cid for cid in _ids(board) if board["result"]["approvals"][cid] == 0]
    board["ballots"][i]["choice"] = ",".join(sorted([*approved[1:], unapproved[0]], key=int))


def approvals_changed_hash_kept(board: dict[str, Any]) -> None:
    _other_approvals(board)


def approvals_changed_and_rechained(board: dict[str, Any]) -> None:
    _other_approvals(board)
    rechain(board)


def approvals_changed_rechained_and_republished(board: dict[str, Any]) -> None:
    """The forger also republishes the final hash, the seed and the approvals: the draw gives it away."""
    _other_approvals(board)
    rechain(board, republish=True)
    report = recount(board)
    board["result"]["approvals"] = report["result"]["approvals"]


def ballot_removed(board: dict[str, Any]) -> None:
    del board["ballots"][_full_ballot(board)]


def ballot_removed_and_rechained(board: dict[str, Any]) -> None:
    ballot_removed(board)
    rechain(board, republish=True)


def ballot_added(board: dict[str, Any]) -> None:
    choice = ",".join(board["result"]["elected"][-1:])
    tracker = "f" * 32
    board["ballots"].append({"tracker": tracker, "choice": choice,
                             "hash": chain_hash(board["ballots"][-1]["hash"], tracker, choice)})


def ballot_and_participant_added(board: dict[str, Any]) -> None:
    ballot_added(board)
    board["final_hash"] = board["election"]["seed"] = board["ballots"][-1]["hash"]
    board["participants"].append({"member": "Zz stuffed member", "college": "cs-tn"})


def too_many_approvals(board: dict[str, Any]) -> None:
    board["ballots"][_full_ballot(board)]["choice"] = ",".join(_ids(board)[:SEATS + 1])
    rechain(board)


def unknown_candidate(board: dict[str, Any]) -> None:
    board["ballots"][_full_ballot(board)]["choice"] = "999999"
    rechain(board)


def approvals_out_of_order(board: dict[str, Any]) -> None:
    i = _full_ballot(board)
    board["ballots"][i]["choice"] = ",".join(reversed(board["ballots"][i]["choice"].split(",")))
    rechain(board)


def candidate_college_changed(board: dict[str, Any]) -> None:
    """The candidate skipped by the cs-fr maximum moved to cs-tn: it would have been elected."""
    skipped = board["election"]["allocation"]["skipped"][0]["id"]
    next(c for c in board["election"]["candidates"] if c["id"] == skipped)["college"] = "cs-tn"


def candidate_removed(board: dict[str, Any]) -> None:
    elected = board["result"]["elected"][0]
    board["election"]["candidates"] = [c for c in board["election"]["candidates"] if c["id"] != elected]


def candidate_listed_twice(board: dict[str, Any]) -> None:
    board["election"]["candidates"].append(dict(board["election"]["candidates"][0]))


def seed_changed(board: dict[str, Any]) -> None:
    board["election"]["seed"] = "b" * 64


def seed_and_final_hash_changed(board: dict[str, Any]) -> None:
    board["election"]["seed"] = board["final_hash"] = board["result"]["seed"] = "b" * 64


def published_elected_reordered(board: dict[str, Any]) -> None:
    board["result"]["elected"].reverse()


def published_substitutes_changed(board: dict[str, Any]) -> None:
    substitutes = board["result"]["substitutes"]
    substitutes[0], substitutes[1] = substitutes[1], substitutes[0]


def published_draw_changed(board: dict[str, Any]) -> None:
    board["election"]["allocation"]["draw"][0]["order"].reverse()


def published_approvals_changed(board: dict[str, Any]) -> None:
    board["result"]["approvals"][board["result"]["elected"][-1]] += 1


def constraints_changed(board: dict[str, Any]) -> None:
    board["election"]["constraints"]["college"]["cs-fr"] = [0, 3]


def seats_changed(board: dict[str, Any]) -> None:
    board["election"]["seats"] = SEATS + 1


def participant_removed(board: dict[str, Any]) -> None:
    board["participants"].pop()


TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], None], tuple[str, ...]]] = {
    "approvals changed, hash kept": (approvals_changed_hash_kept, ("hash does not match", "result.approvals.")),
    "approvals changed, chain recomputed": (approvals_changed_and_rechained,
                                            ("final hash:", "result.approvals.", "result.final_hash")),
    "approvals changed, chain, seed and approvals republished": (approvals_changed_rechained_and_republished,
                                                                 ("result.seed", "election.allocation.draw")),
    "ballot removed": (ballot_removed, ("count: 6 ballots but 7 members took part", "chain:")),
    "ballot removed, chain recomputed": (ballot_removed_and_rechained,
                                         ("count: 6 ballots but 7 members took part", "result.ballots")),
    "ballot added": (ballot_added, ("count: 8 ballots but 7 members took part", "final hash:",
                                    "result.approvals.")),
    "ballot and participant added": (ballot_and_participant_added, ("result.participation", "result.approvals.",
                                                                    "result.seed")),
    "too many approvals": (too_many_approvals, ("too many choices",)),
    "unknown candidate": (unknown_candidate, ("unknown candidate in '999999'",)),
    "approvals out of order": (approvals_out_of_order, ("candidates not in increasing order",)),
    "candidate's college changed": (candidate_college_changed, ("result.elected", "election.allocation.skipped")),
    "candidate removed": (candidate_removed, ("unknown candidate", "result.elected")),
    "candidate listed twice": (candidate_listed_twice, ("is listed more than once",)),
    "seed changed": (seed_changed, ("seed: the election's seed bbbb",)),
    # The count is seeded by the chain's own final hash: the published draw still holds, the seed does not.
    "seed and final hash changed": (seed_and_final_hash_changed, ("final hash:",
                                                                  "result.seed: published 'bbbb")),
    "published elected list reordered": (published_elected_reordered, ("result.elected: published",)),
    "published substitutes changed": (published_substitutes_changed, ("result.substitutes: published",)),
    "published draw changed": (published_draw_changed, ("election.allocation.draw: published",)),
    "published approvals changed": (published_approvals_changed, ("result.approvals.",)),
    "constraints changed": (constraints_changed, ("result.elected", "election.allocation.skipped")),
    "seats changed": (seats_changed, ("result.seats", "result.elected")),
    "participant removed": (participant_removed, ("count: 7 ballots but 6 members took part",
                                                  "result.participation")),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampered_board_fails(app: Flask, exported: dict[str, Any], tmp_path: Path, name: str) -> None:
    tamper, expected = TAMPERING[name]
    board = copy.deepcopy(exported)
    tamper(board)
    code, printed, stderr = run(app, board, tmp_path)
    assert code == 1, printed
    assert printed["ok"] is False
    for fragment in expected:
        assert any(fragment in problem for problem in printed["problems"]), (fragment, printed["problems"])
    assert "Recount FAILED" in stderr


def test_a_tampered_college_changes_the_elected_list(exported: dict[str, Any], built: BuiltElection) -> None:
    board = copy.deepcopy(exported)
    candidate_college_changed(board)
    report = recount(board)
    assert report["result"]["elected"] == [built.ids["fr0"], built.ids["fr1"], built.ids["fr2"]]
    assert report["allocation"]["skipped"] == []


# Unreadable or malformed election boards ----------------------------------------------------------

@pytest.mark.parametrize(("path", "value"), [
    (("rules", "method"), "stv"),
    (("rules",), {"majority": None}),
    (("election", "seats"), 0),
    (("election", "seats"), "3"),
    (("election", "constraints", "college", "cs-fr"), [0]),
    (("election", "constraints", "college", "cs-fr"), ["0", 2]),
    (("election", "constraints", "parity_tolerance"), "1"),
    (("election", "candidates", 0, "gender"), "unknown"),
    (("election", "candidates", 0, "id"), "12a"),
    (("election", "candidates", 0, "college"), None),
    (("election", "candidates", 0), "fr0"),
    (("election", "seed"), None),
    (("election", "allocation"), None),
    (("election",), []),
])
def test_malformed_election_board_is_a_format_error(exported: dict[str, Any], path: tuple[Any, ...],
                                                     value: Any) -> None:
    board = copy.deepcopy(exported)
    target = board
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(BoardFormatError):
        check_format(board)


def test_an_election_result_without_its_section_is_refused(app: Flask, exported: dict[str, Any],
                                                           tmp_path: Path) -> None:
    board = copy.deepcopy(exported)
    del board["election"]
    code, printed, stderr = run(app, board, tmp_path)
    assert code == 2 and printed["result"] is None
    assert "missing 'election'" in stderr


# No database ------------------------------------------------------------------------------------------

def test_recount_sends_no_sql(app: Flask, exported: dict[str, Any], tmp_path: Path) -> None:
    with counting(app) as statements:
        code, _, _ = run(app, exported, tmp_path)
    assert code == 0 and statements == []


def test_recount_runs_without_a_reachable_database(exported: dict[str, Any], tmp_path: Path) -> None:
    offline = create_app(settings_for(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:9/none"))
    code, printed, _ = run(offline, exported, tmp_path)
    assert code == 0 and printed["ok"]
    assert printed["result"] == exported["result"]
