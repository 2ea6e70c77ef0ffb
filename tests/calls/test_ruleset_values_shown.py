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
    ({"eligibility__min_partners": {"n": 2}}, "Eligibility · A minimum number of partners"),  # added: one row
    ({"eligibility__duration_range": None}, "Eligibility · A duration range"),  # removed: one row
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


def test_criteria_and_whole_rules_read_as_the_editor_and_the_rule_set_page_say_them(
        app: Flask, client: FlaskClient) -> None:
    """The amendment, decision and history pages label a criterion's change with its name in the reader's
    language and the field's label ("Criterion · Relevance · Weight", never "· relevance · weight" or
    "· name · fr"), and show a rule added or removed as its sentence (never "k: 1")."""
    with app.test_request_context():
        people = build_people()
        content = sample_content()
        rule_set = make_rule_set(people, content)
        new = changed(content, eligibility__max_open_per_lead={"k": 1}, eligibility__duration_range=None,
                      criteria__pertinence__weight=4, criteria__pertinence__name__fr="Pertinence du projet",
                      criteria__partenariat__na_allowed=False)
        new["criteria"]["innovation"] = {"name": {"fr": "Innovation", "en": "Innovation", "ar": ""},
                                         "description": {"fr": "", "en": "", "ar": ""}, "weight": 1, "scale_max": 5,
                                         "na_allowed": False, "min_justification": 0, "position": 3}
        amendment = rulesets.propose_amendment(rule_set, actor=people.user("committee"), title="Criteria",
                                               rationale="Clearer.", new_content=new)
        db.session.commit()
        base, amendment_url = f"/rulesets/{rule_set.id}", f"/rulesets/{rule_set.id}/amendments/{amendment.id}"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, EMAILS["secretariat"])
    pages = {"amendment": client.get(amendment_url).get_data(as_text=True),
             "decide": client.get(f"{amendment_url}/decide").get_data(as_text=True)}
    accepted = client.post(f"{amendment_url}/decide",
                           data={"decision": "accept", "reason": "Agreed."})
    assert accepted.status_code == 302
    pages["history"] = client.get(f"{base}/history").get_data(as_text=True)
    expected = [
        ("Criterion · Relevance · Weight", "3", "4"),
        ("Criterion · Relevance · Name in French", "Pertinence", "Pertinence du projet"),
        ("Criterion · Partnership · Not applicable allowed", "Yes", "No"),
        ("Criterion · Innovation · Scale", "—", "5"),
        ("Eligibility · A duration range", "A duration between 12 and 36 months.", "—"),
        ("Eligibility · At most K open grants or proposals per lead in this call", "—",
         "The lead holds at most 1 open grant or proposal in this call."),
    ]
    for name, html in pages.items():
        rows = _rows(html)
        for row in expected:
            assert row in rows, (name, row, rows)
        assert not any(label.startswith("Criterion · Innovation · Name in Arabic") for label, *_ in rows), name
        for key in ("k: 1", "· weight", "· name ·", "· fr", "(Relevance)", "pertinence ·", "max_open"):
            assert key not in html, (name, key)


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(label, before, after) of each row of the differences' table."""
    cell = r"<td[^>]*>\s*(?:<del>|<ins>|<span[^>]*>)?([^<]*)"
    found = re.findall(r'<th scope="row">([^<]*)</th>\s*' + cell + r".*?</td>\s*" + cell, html, re.S)
    return [tuple(part.strip() for part in row) for row in found]
