"""Optional values of a rule set: the disagreement threshold (selection) and the tolerance of budget variance (grants)."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.calls import content as rule_content
from app.calls import scoring, wording
from app.calls.models import Amendment
from app.extensions import db
from tests.calls.ruleset_helpers import sample_content
from tests.calls.test_ruleset_routes import Ids, _english, _html, form_of, ids, sign_in  # noqa: F401  (fixtures)


@pytest.mark.parametrize(("value", "valid"), [
    (0, True), (25, True), (100, True), ("40", True), (101, False), (-1, False), ("trente", False), (12.5, False),
])
def test_the_threshold_is_a_whole_number_of_points(value: object, valid: bool) -> None:
    problems = rule_content.validate({**sample_content(), "selection": {"disagreement_threshold": value}})
    assert (not any(path == "selection.disagreement_threshold" for path, _ in problems)) is valid


@pytest.mark.parametrize(("value", "valid"), [(0, True), (10, True), (100, True), (101, False), ("dix", False)])
def test_the_grants_tolerance_is_a_whole_percentage(value: object, valid: bool) -> None:
    problems = rule_content.validate({**sample_content(), "grants": {"tolerance_percent": value}})
    assert (not any(path == "grants.tolerance_percent" for path, _ in problems)) is valid


@pytest.mark.parametrize(("content", "expected"), [
    ({}, 25), ({"selection": {}}, 25), ({"selection": {"disagreement_threshold": 10}}, 10),
    ({"selection": {"disagreement_threshold": ""}}, 25),
])
def test_a_rule_set_without_a_threshold_uses_25_points(content: dict, expected: int) -> None:
    assert scoring.disagreement_threshold(content) == expected


def test_the_threshold_reads_in_words_and_has_a_label(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        words = wording.rules_in_words({**sample_content(), "selection": {"disagreement_threshold": 30}}, "en")
        assert words.selection == ["A proposal is flagged for discussion when the scores of its reviews differ by "
                                   "more than 30 points out of 100.",
                                   "During the grant, spending on a budget line more than 10 % away from its plan "
                                   "is flagged."]
        assert wording.path_label("selection.disagreement_threshold") == "Selection · Disagreement threshold"
        assert wording.path_label("grants.tolerance_percent") == "Grants · Tolerance of a budget line's variance"
        words = wording.rules_in_words({**sample_content(), "grants": {"tolerance_percent": 15}}, "en")
        assert "more than 15 % away" in words.selection[1]


def test_an_amendment_changes_the_threshold_and_a_bad_one_is_kept_at_its_field(
        app: Flask, client: FlaskClient, ids: Ids) -> None:  # noqa: F811
    sign_in(client, "committee2")
    data = form_of(_html(client.get(f"/rulesets/{ids.rule_set}/amendments/new")))
    assert data["disagreement"] == "25"
    bad = client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                      data={**data, "title": "Seuil", "rationale": "Discuter plus souvent.", "disagreement": "vingt"})
    assert bad.status_code == 422
    html = _html(bad)
    assert 'id="disagreement-error"' in html and 'value="vingt"' in html
    good = client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                       data={**data, "title": "Seuil", "rationale": "Discuter plus souvent.", "disagreement": "15"})
    assert good.status_code == 302, _html(good)
    with app.app_context():
        amendment = db.session.scalar(select(Amendment).order_by(Amendment.id.desc()))
        assert amendment.changes == [{"path": "selection.disagreement_threshold", "old": None, "new": 15}]


def test_an_amendment_changes_the_grants_tolerance(app: Flask, client: FlaskClient, ids: Ids) -> None:  # noqa: F811
    sign_in(client, "committee2")
    data = form_of(_html(client.get(f"/rulesets/{ids.rule_set}/amendments/new")))
    assert data["tolerance"] == "10"
    bad = client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                      data={**data, "title": "Tolérance", "rationale": "Plus de souplesse.", "tolerance": "150"})
    assert bad.status_code == 422 and 'id="tolerance-error"' in _html(bad)
    good = client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                       data={**data, "title": "Tolérance", "rationale": "Plus de souplesse.", "tolerance": "15"})
    assert good.status_code == 302, _html(good)
    with app.app_context():
        amendment = db.session.scalar(select(Amendment).order_by(Amendment.id.desc()))
        assert amendment.changes == [{"path": "grants.tolerance_percent", "old": None, "new": 15}]
