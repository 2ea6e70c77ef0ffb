"""Values in the rule-set differences as people read them: a percentage of co-financing is "30 %", never the
exponent form that ``Decimal.normalize`` gives round numbers ("3E+1 %")."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.calls import rulesets
from app.extensions import db
from tests.calls.ruleset_helpers import EMAILS, build_people, changed, make_rule_set, sample_content
from tests.conftest import login


@pytest.mark.parametrize(("before", "after", "shown_before", "shown_after"), [
    ("30", "25", "30 %", "25 %"),
    ("20", "100", "20 %", "100 %"),
    ("35", "32.5", "35 %", "32.5 %"),
])
def test_co_financing_share_reads_as_a_percentage_in_the_amendment_and_the_history(
        app: Flask, client: FlaskClient, before: str, after: str, shown_before: str, shown_after: str) -> None:
    with app.test_request_context():
        people = build_people()
        content = changed(sample_content(), eligibility__cofinancing_share={"min_percent": before})
        rule_set = make_rule_set(people, content)
        amendment = rulesets.propose_amendment(
            rule_set, actor=people.user("committee"), title="Co-financing", rationale="Small associations.",
            new_content=changed(content, eligibility__cofinancing_share={"min_percent": after}))
        rulesets.decide_amendment(amendment, actor=people.user("secretariat"), accept=True, reason="Agreed.")
        db.session.commit()
        urls = (f"/rulesets/{rule_set.id}/amendments/{amendment.id}", f"/rulesets/{rule_set.id}/history")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, EMAILS["secretariat"])
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        assert f"<del>{shown_before}</del>" in html, url
        assert f"<ins>{shown_after}</ins>" in html, url
        assert "E+" not in html, url


@pytest.mark.parametrize(("change", "label"), [
    ({"eligibility__cofinancing_share": {"min_percent": "25"}},
     "Eligibility · Minimum co-financing (percentage of the total budget)"),
    ({"eligibility__duration_range__max_months": 24}, "Eligibility · Longest duration (months)"),
    ({"eligibility__min_partners": {"n": 2}}, "Eligibility · Minimum number of partners"),
    ({"eligibility__duration_range": None}, "Eligibility · Shortest duration (months)"),
    ({"eligibility__lead_active_member": None},
     "Eligibility · The lead applicant is an active member that signed the current charter"),
])
def test_eligibility_changes_are_named_with_the_editor_words_not_the_content_keys(
        app: Flask, client: FlaskClient, change: dict, label: str) -> None:
    with app.test_request_context():
        people = build_people()
        content = changed(sample_content(), eligibility__cofinancing_share={"min_percent": "30"})
        rule_set = make_rule_set(people, content)
        amendment = rulesets.propose_amendment(rule_set, actor=people.user("committee"), title="Change",
                                               rationale="Because.", new_content=changed(content, **change))
        db.session.commit()
        url = f"/rulesets/{rule_set.id}/amendments/{amendment.id}"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, EMAILS["secretariat"])
    html = client.get(url).get_data(as_text=True)
    rows = re.findall(r"<th scope=\"row\">([^<]*)</th>", html)
    assert label in rows, rows
    for key in ("min_percent", "max_months", "min_partners", "duration_range", "cofinancing share", "lead active",
                "· n<"):
        assert key not in html
