"""Bounded queries: a page issues the same number of SQL statements whatever the
size of what it lists (no N+1). Statements are counted on ``db.engine`` with a
``before_cursor_execute`` listener during one request.

- the directory with 10 and with 1,000 members (each with a delegate, half of
  them with the current charter signed), as the secretariat and as a delegate,
  with filters and sorts;
- a member page with 1 and with 20 representatives, status changes and
  signatures (each by a different person);
- the audit log with 10 and with 500 entries.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from app.auth.models import User, UserKind
from app.core import audit
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Charter, CharterSignature, College, Member, MemberStatusChange
from tests import factories
from tests.conftest import counting, login


def count_get(app: Flask, client: FlaskClient, url: str) -> tuple[int, str]:
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), response.get_data(as_text=True)


# The directory ------------------------------------------------------------------------

STATUSES = ("active", "applicant", "suspended", "active")
KINDS = ("association", "network", "cooperative")


def add_members(app: Flask, start: int, count: int) -> None:
    """``count`` members numbered from ``start``, each with a delegate; even ones signed the charter."""
    with app.app_context():
        colleges = {c.code: c.id for c in db.session.scalars(select(College))}
        charter_id = db.session.scalar(select(Charter.id).order_by(Charter.version.desc()))
        now = utcnow()
        rows = []
        for i in range(start, start + count):
            tn = i % 2 == 0
            name = f"Bulk Member {i:05d}"
            rows.append({"name": name, "name_key": f"bulk member {i:05d}", "acronym": f"BM{i}",
                         "kind": KINDS[i % 3], "country": "TN" if tn else "FR",
                         "college_id": colleges["cs-tn" if tn else "cs-fr"], "territory": "Sfax" if tn else "Lyon",
                         "status": STATUSES[i % 4], "status_since": date(2026, 1, 1),
                         "admission_date": date(2025, 1, 1) + timedelta(days=i % 300),
                         "email": f"contact{i}@bulk.example", "created_at": now, "updated_at": now})
        db.session.execute(insert(Member), rows)
        ids = dict(db.session.execute(select(Member.name_key, Member.id)
                                       .where(Member.name_key.like("bulk member %"))).all())
        users = [{"email": f"delegate{i}@bulk.example", "full_name": f"Delegate {i:05d}", "kind": "representative",
                  "member_id": ids[f"bulk member {i:05d}"], "is_delegate": True, "created_at": now}
                 for i in range(start, start + count)]
        db.session.execute(insert(User), users)
        delegates = dict(db.session.execute(select(User.member_id, User.id)
                                             .where(User.email.like("%@bulk.example"))).all())
        signatures = [{"member_id": ids[f"bulk member {i:05d}"], "charter_id": charter_id,
                       "signed_by_id": delegates[ids[f"bulk member {i:05d}"]], "signed_at": now}
                      for i in range(start, start + count) if i % 2 == 0]
        if signatures:
            db.session.execute(insert(CharterSignature), signatures)
        db.session.commit()
        total = db.session.scalar(select(db.func.count(Member.id)))
        db.session.remove()
    assert total == start + count - 1 + 2  # the world's two members come first


DIRECTORY_URLS = [
    "/members",
    "/members?q=bulk",
    "/members?country=TN",
    "/members?college=cs-fr",
    "/members?kind=network",
    "/members?status=active",
    "/members?charter=signed",
    "/members?charter=unsigned",
    "/members?sort=college&dir=desc",
    "/members?sort=admission",
    "/members?sort=status&country=FR&charter=unsigned",
    "/members?q=member&kind=association&sort=acronym&dir=desc",
]


@pytest.mark.parametrize("role", ["secretariat", "delegate"])
def test_directory_queries_do_not_grow_with_members(app: Flask, client: FlaskClient, world: factories.World,
                                                    role: str) -> None:
    add_members(app, 1, 8)  # 10 members with the world's two
    login(client, world.emails[role])
    small = {url: count_get(app, client, url)[0] for url in DIRECTORY_URLS}
    small_first_page = small["/members"]
    add_members(app, 9, 990)  # 1,000 members
    large = {}
    for url in DIRECTORY_URLS:
        large[url], html = count_get(app, client, url)
        assert "Bulk Member" in html, url  # a full page is listed, not an empty one
    assert large == small
    # A later page of the big directory costs the same as the only page of the small one.
    assert count_get(app, client, "/members?page=7")[0] == small_first_page
    # The delegates' names come with the page (one query for all of them).
    assert "Delegate 0" in count_get(app, client, "/members")[1]


# A member page ------------------------------------------------------------------------


def _crowded_member(app: Flask, name: str, size: int, *, signatures: bool) -> int:
    """A member with ``size`` representatives and status changes, each by a different person;
    with ``signatures``, also ``size`` signed charter versions, each signed by a former delegate."""
    with app.app_context():
        member = factories.member(name, country="TN", college_code="cs-tn")
        secretaries = [factories.user(f"sec{i}-{member.id}@example.org", kind=UserKind.secretariat)
                       for i in range(size)]
        for i in range(size):
            factories.user(f"rep{i}-{member.id}@example.org", member=member, delegate=(i == 0),
                           name=f"Representative {i:02d}")
            db.session.add(MemberStatusChange(member=member, from_status="applicant", to_status="active",
                                              reason=f"step {i}", effective_date=date(2026, 1, 1) + timedelta(days=i),
                                              changed_by_id=secretaries[i].id))
        if signatures:
            base = db.session.scalar(select(db.func.max(Charter.version))) or 0
            for i in range(size):
                former = factories.user(f"former{i}-{member.id}@example.org", name=f"Former delegate {i:02d}")
                factories.sign(member, factories.charter(base + i + 1), former)
        db.session.commit()
        return member.id


@pytest.mark.parametrize("role", ["secretariat", "delegate"])
def test_member_page_queries_do_not_grow_with_representatives_and_history(
        app: Flask, client: FlaskClient, world: factories.World, role: str) -> None:
    small = _crowded_member(app, "Petite Association", 1, signatures=False)
    large = _crowded_member(app, "Grande Fédération", 20, signatures=False)
    login(client, world.emails[role])
    small_count, _ = count_get(app, client, f"/members/{small}")
    large_count, html = count_get(app, client, f"/members/{large}")
    assert "step 19" in html and "Representative 19" in html
    assert large_count == small_count


@pytest.mark.parametrize("role", ["secretariat", "delegate"])
def test_member_page_queries_do_not_grow_with_signed_versions(
        app: Flask, client: FlaskClient, world: factories.World, role: str) -> None:
    small = _crowded_member(app, "Petite Association", 1, signatures=True)
    large = _crowded_member(app, "Grande Fédération", 20, signatures=True)
    login(client, world.emails[role])
    small_count, _ = count_get(app, client, f"/members/{small}")
    large_count, html = count_get(app, client, f"/members/{large}")
    assert "Former delegate 19" in html
    assert large_count == small_count


# The audit log ------------------------------------------------------------------------


def _audit(app: Flask, start: int, count: int) -> None:
    with app.app_context():
        actors = list(db.session.scalars(select(User).order_by(User.id)))
        for i in range(start, start + count):
            audit.record("member.updated" if i % 2 else "test.bulk", "member" if i % 3 else "college", i,
                         actor=actors[i % len(actors)], before={"i": i - 1}, after={"i": i})
        db.session.commit()


AUDIT_URLS = [
    "/audit",
    "/audit?action=member.",
    "/audit?object_type=member",
    "/audit?actor=example.org",
    "/audit?from=2000-01-01&to=2999-12-31",
    "/audit?action=test&object_type=college&actor=example",
]


def test_audit_log_queries_do_not_grow_with_entries(app: Flask, client: FlaskClient,
                                                    world: factories.World) -> None:
    _audit(app, 0, 10)
    login(client, world.emails["secretariat"])
    small = {url: count_get(app, client, url)[0] for url in AUDIT_URLS}
    _audit(app, 10, 490)
    large = {url: count_get(app, client, url)[0] for url in AUDIT_URLS}
    assert large == small
    assert count_get(app, client, "/audit?page=5")[0] == small["/audit"]
