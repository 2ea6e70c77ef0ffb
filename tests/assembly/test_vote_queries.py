"""Bounded queries on the vote pages: the ballot page (as a delegate holding a proxy), the
results, the bulletin board (with a tracker lookup) and its export issue the same number of
SQL statements with 5 and with 60 voters (no N+1). Counted as in
tests/members/test_directory_queries.py.
"""
from __future__ import annotations

import pytest
from flask import Flask

from tests.assembly.test_board_routes import Built, build_vote, close
from tests.conftest import login
from tests.members.test_directory_queries import counting


def _count(app: Flask, client, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:  # noqa: ANN001
    """Statements of a GET of ``url`` (a POST of ``data`` when given)."""
    with counting(app) as statements:
        response = client.post(url, data=data) if data is not None else client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), response.get_data(as_text=True)


def _electorate(app: Flask, size: int, *, secret: bool) -> Built:
    """``size`` new voters (the first gives its proxy to the second, and has not voted yet)."""
    tn = size // 3
    return build_vote(app, fr=size - tn, tn=tn, prefix=f"Size{size}", proxies=1, skip=(0,), close=False,
                      secret=secret, double=not secret)


def _counts(app: Flask, built: Built) -> dict[str, int]:
    holder = built.names[1]
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, built.emails[holder])
    counts: dict[str, int] = {}
    counts["ballot"], html = _count(app, client, f"/votes/{built.vote_id}")
    assert f"By proxy for {built.names[0]}" in html and f"For your organisation, {holder}" in html
    counts["results (open)"], html = _count(app, client, f"/votes/{built.vote_id}/results")
    assert "Results are hidden until the vote closes" in html
    close(app, built.vote_id)
    counts["ballot (closed)"], _ = _count(app, client, f"/votes/{built.vote_id}")
    counts["results"], html = _count(app, client, f"/votes/{built.vote_id}/results")
    assert all(name in html for name in built.choices)
    counts["board"], html = _count(app, client, f"/votes/{built.vote_id}/board")
    assert all(tracker in html for tracker in built.trackers.values())
    tracker = built.trackers[holder]
    counts["board lookup"], html = _count(app, client, f"/votes/{built.vote_id}/board", {"tracker": tracker})
    assert f"<mark>{tracker}</mark>" in html
    client.post("/logout")
    counts["board (anonymous)"], _ = _count(app, client, f"/votes/{built.vote_id}/board")
    counts["board.json"], body = _count(app, client, f"/votes/{built.vote_id}/board.json")
    assert all(tracker in body for tracker in built.trackers.values())
    return counts


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "open-double-majority"])
def test_vote_pages_issue_as_many_queries_for_5_as_for_60_voters(app: Flask, secret: bool) -> None:
    small = _counts(app, _electorate(app, 5, secret=secret))
    large = _counts(app, _electorate(app, 60, secret=secret))
    assert large == small
