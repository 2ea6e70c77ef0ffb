"""Attendance at the door: the check-in page, its one-tap and bulk actions, counts and quorum, bad input.

Rules first (table-driven, no database): what a request asks, how many more
members quorum needs. Then the page as the secretariat uses it at the door.
"""
from __future__ import annotations

from fractions import Fraction

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly.checkin import CheckInAction, missing_for_quorum, parse_action
from app.assembly.models import AssemblyStatus, Presence, PresenceStatus, Proxy
from app.assembly.rules import QuorumRule
from app.core.models import AuditEntry
from app.extensions import db
from tests import factories
from tests.conftest import counting, login

P, A, R = PresenceStatus.present, PresenceStatus.absent, PresenceStatus.represented


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


# Rules ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("one", "bulk", "selected", "expected"), [
    ("7:present", None, [], CheckInAction(P, (7,), bulk=False)),
    ("7:absent", None, ["1", "2"], CheckInAction(A, (7,), bulk=False)),      # a row's button ignores the ticks
    ("12:represented", None, [], CheckInAction(R, (12,), bulk=False)),
    (None, "present", ["3", "1", "3"], CheckInAction(P, (3, 1), bulk=True)),  # duplicates once, order kept
    (None, "absent", ["2"], CheckInAction(A, (2,), bulk=True)),
    (None, "present", [], CheckInAction(P, (), bulk=True)),                   # nothing ticked: the page asks
    (None, "present", [" 4 "], CheckInAction(P, (4,), bulk=True)),
])
def test_parse_action(one: str | None, bulk: str | None, selected: list[str], expected: CheckInAction) -> None:
    assert parse_action(one, bulk, selected) == expected


@pytest.mark.parametrize(("one", "bulk", "selected"), [
    (None, None, []), ("", "", ["1"]), ("7", None, []), ("7:late", None, []), ("x:present", None, []),
    ("0:present", None, []), ("-1:present", None, []), (f"{2**31}:present", None, []),
    (None, "represented", ["1"]),      # being represented needs each member's proxy: never in bulk
    (None, "maybe", ["1"]), (None, "present", ["1", "two"]), (None, "present", ["0"]),
    (None, "present", [str(2**63)]),
])
def test_parse_action_refuses_what_no_page_sends(one: str | None, bulk: str | None, selected: list[str]) -> None:
    with pytest.raises(ValueError):
        parse_action(one, bulk, selected)


HALF = QuorumRule(Fraction(1, 2))


@pytest.mark.parametrize(("count", "members", "rule", "expected"), [
    (0, 70, HALF, 35), (34, 70, HALF, 1), (35, 70, HALF, 0), (70, 70, HALF, 0),
    (0, 71, HALF, 36), (35, 71, HALF, 1), (36, 71, HALF, 0),
    (0, 9, QuorumRule(Fraction(2, 3)), 6), (5, 9, QuorumRule(Fraction(2, 3)), 1),
    (0, 0, HALF, None),                                          # no active member: quorum cannot be reached
    (0, 10, QuorumRule(Fraction(1, 2), second_convocation=True), 0),
])
def test_missing_for_quorum(count: int, members: int, rule: QuorumRule, expected: int | None) -> None:
    assert missing_for_quorum(count, members, rule) == expected


# The page -------------------------------------------------------------------------------------------

def _assembly(app: Flask, **kwargs: object) -> int:
    with app.app_context():
        assembly = factories.assembly(**kwargs)
        db.session.commit()
        return assembly.id


def _statuses(app: Flask, assembly_id: int) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(Presence.member_id, Presence.status)
                                       .where(Presence.assembly_id == assembly_id)).all())


def _entries(app: Flask, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_check_in_page_shows_stacked_rows_counts_and_quorum(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])
    html = client.get(f"/assemblies/{assembly_id}/presence").get_data(as_text=True)
    assert '<ul class="checkin-list">' in html and "<table" not in html
    assert f'id="m-{world.member_id}"' in html and f'value="{world.member_id}:present"' in html
    assert 'name="bulk" value="present"' in html and 'type="checkbox" name="selected"' in html
    assert "Quorum not reached: 0 of 2 members present or represented." in html
    assert "1 more member needed for quorum." in html
    assert 'src="/static/checkin.js"' in html and "data-checkin-filter" in html
    # One tap: present, back to the same row, counts and quorum updated.
    response = client.post(f"/assemblies/{assembly_id}/presence", data={"one": f"{world.member_id}:present"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#m-{world.member_id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 member marked present." in html
    assert "Quorum reached: 1 of 2 members present or represented." in html
    assert f'value="{world.member_id}:present"' not in html and f'value="{world.member_id}:absent"' in html
    assert _statuses(app, assembly_id) == {world.member_id: P}
    assert _entries(app, "assembly.presence_set") == 1
    # The same tap again changes nothing and logs nothing.
    client.post(f"/assemblies/{assembly_id}/presence", data={"one": f"{world.member_id}:present"})
    assert _entries(app, "assembly.presence_set") == 1


def test_search_works_without_javascript_and_keeps_the_search(app: Flask, client: FlaskClient,
                                                              world: factories.World) -> None:
    assembly_id = _assembly(app)
    with app.app_context():
        factories.member("Réseau Tunisien de l'Eau", country="TN", college_code="cs-tn").acronym = "RTE"
        db.session.commit()
    login(client, world.emails["secretariat"])
    html = client.get(f"/assemblies/{assembly_id}/presence?q=nantes").get_data(as_text=True)
    assert "Collectif Solidaire de Nantes" in html and "Association des Jeunes de Gafsa" not in html
    html = client.get(f"/assemblies/{assembly_id}/presence?q=rte").get_data(as_text=True)
    assert "Réseau Tunisien de l&#39;Eau" in html and "Collectif Solidaire" not in html
    html = client.get(f"/assemblies/{assembly_id}/presence?q=reseau").get_data(as_text=True)  # accents folded
    assert "Réseau Tunisien" in html
    assert "No member found." in client.get(f"/assemblies/{assembly_id}/presence?q=zzz").get_data(as_text=True)
    # A tap from a search comes back to the same search.
    response = client.post(f"/assemblies/{assembly_id}/presence",
                           data={"one": f"{world.other_member_id}:present", "q": "nantes"})
    assert response.headers["Location"].endswith(f"/assemblies/{assembly_id}/presence?q=nantes#m-{world.other_member_id}")


def test_bulk_marks_every_ticked_member_present_in_one_request(app: Flask, client: FlaskClient,
                                                               world: factories.World) -> None:
    assembly_id = _assembly(app)
    with app.app_context():
        extra = [m.id for m in factories.voters(3, prefix="Door")]
        db.session.commit()
    login(client, world.emails["secretariat"])
    ticked = [world.member_id, *extra[:2]]
    with counting(app) as statements:
        response = client.post(f"/assemblies/{assembly_id}/presence",
                               data={"bulk": "present", "selected": [str(i) for i in ticked]})
    assert response.status_code == 302
    assert sum(1 for s in statements if s.strip().upper().startswith("COMMIT")) <= 1
    assert _statuses(app, assembly_id) == dict.fromkeys(ticked, P)
    assert _entries(app, "assembly.presence_set") == 3  # one audit entry per member, as before
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 members marked present." in html and "Quorum reached: 3 of 5" in html
    # Bulk absent undoes a mistake.
    client.post(f"/assemblies/{assembly_id}/presence", data={"bulk": "absent", "selected": [str(extra[1])]})
    assert _statuses(app, assembly_id)[extra[1]] == A


def test_bulk_with_nothing_ticked_says_so_and_saves_nothing(app: Flask, client: FlaskClient,
                                                            world: factories.World) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])
    response = client.post(f"/assemblies/{assembly_id}/presence", data={"bulk": "present", "q": "gafsa"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="selected-error"' in html and "Tick at least one member" in html
    assert 'value="gafsa"' in html  # the search is kept
    assert _statuses(app, assembly_id) == {} and _entries(app, "assembly.presence_set") == 0


def test_represented_needs_a_proxy_and_the_error_is_at_the_row(app: Flask, client: FlaskClient,
                                                               world: factories.World) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])
    html = client.get(f"/assemblies/{assembly_id}/presence").get_data(as_text=True)
    assert f'value="{world.other_member_id}:represented"' not in html  # offered only with a proxy
    response = client.post(f"/assemblies/{assembly_id}/presence", data={"one": f"{world.other_member_id}:represented"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="m-{world.other_member_id}-error"' in html
    assert _statuses(app, assembly_id) == {}
    with app.app_context():
        db.session.add(Proxy(assembly_id=assembly_id, giver_id=world.other_member_id, holder_id=world.member_id))
        db.session.commit()
    html = client.get(f"/assemblies/{assembly_id}/presence").get_data(as_text=True)
    assert f'value="{world.other_member_id}:represented"' in html and "Held by Association des Jeunes" in html
    assert client.post(f"/assemblies/{assembly_id}/presence",
                       data={"one": f"{world.other_member_id}:represented"}).status_code == 302
    assert _statuses(app, assembly_id) == {world.other_member_id: R}


@pytest.mark.parametrize("data", [
    {}, {"one": "abc"}, {"one": f"{2**31}:present"}, {"bulk": "represented", "selected": "1"},
    {"bulk": "present", "selected": "\x00"},
])
def test_forged_requests_are_refused_and_log_nothing(app: Flask, client: FlaskClient, world: factories.World,
                                                     data: dict[str, str]) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])
    assert client.post(f"/assemblies/{assembly_id}/presence", data=data).status_code == 400
    assert _statuses(app, assembly_id) == {}


def test_an_unknown_or_withdrawn_member_is_refused_whole(app: Flask, client: FlaskClient,
                                                         world: factories.World) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])
    response = client.post(f"/assemblies/{assembly_id}/presence",
                           data={"bulk": "present", "selected": [str(world.member_id), "999999"]})
    assert response.status_code == 422 and "not convened to this assembly" in response.get_data(as_text=True)
    assert _statuses(app, assembly_id) == {}  # all or nothing


@pytest.mark.parametrize("status", [AssemblyStatus.draft, AssemblyStatus.closed])
def test_attendance_only_while_the_assembly_is_live(app: Flask, client: FlaskClient, world: factories.World,
                                                    status: AssemblyStatus) -> None:
    with app.app_context():
        assembly = factories.assembly()
        assembly.status = status
        db.session.commit()
        assembly_id = assembly.id
    login(client, world.emails["secretariat"])
    html = client.get(f"/assemblies/{assembly_id}/presence").get_data(as_text=True)
    assert "Attendance is recorded once the assembly is convened and until it closes." in html
    assert 'name="bulk"' not in html and 'name="one"' not in html
    response = client.post(f"/assemblies/{assembly_id}/presence", data={"one": f"{world.member_id}:present"})
    assert response.status_code == 422 and _statuses(app, assembly_id) == {}


def test_members_and_delegates_cannot_check_in(app: Flask, client: FlaskClient, world: factories.World) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["delegate"])
    assert client.get(f"/assemblies/{assembly_id}/presence").status_code == 403
    assert client.post(f"/assemblies/{assembly_id}/presence",
                       data={"one": f"{world.member_id}:present"}).status_code == 403
    assert _statuses(app, assembly_id) == {}


def test_check_in_page_issues_a_fixed_number_of_queries(app: Flask, client: FlaskClient,
                                                        world: factories.World) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])

    def statements(url: str) -> int:
        with counting(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    with app.app_context():
        for member in factories.voters(10, prefix="Small"):
            db.session.add(Presence(assembly_id=assembly_id, member_id=member.id, status=P))
        db.session.commit()
    small = statements(f"/assemblies/{assembly_id}/presence")
    with app.app_context():
        for member in factories.voters(60, prefix="Large"):
            db.session.add(Presence(assembly_id=assembly_id, member_id=member.id, status=P))
        db.session.commit()
    assert statements(f"/assemblies/{assembly_id}/presence") == small
    assert statements(f"/assemblies/{assembly_id}/presence?q=large") == small


@pytest.mark.parametrize("query", ["page=0", "page=-3", f"page={2**63}", "page=abc", "q=" + "x" * 500])
def test_odd_page_numbers_and_long_searches_still_answer(app: Flask, client: FlaskClient, world: factories.World,
                                                         query: str) -> None:
    assembly_id = _assembly(app)
    login(client, world.emails["secretariat"])
    assert client.get(f"/assemblies/{assembly_id}/presence?{query}").status_code == 200
