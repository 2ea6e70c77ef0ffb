"""One wording for the calls package: amounts, references, percentages, refusals of a typed amount, and the
same sentences for the same rule on the rule-set page, the call page, a proposal's check page and the
secretariat's instruction page."""
from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from markupsafe import escape

from app.calls import content as rule_content
from app.calls import money, rules, wording
from app.calls.models import Proposal
from app.extensions import db
from app.members.models import Member
from tests import factories
from tests.calls import builders
from tests.conftest import login

NNBSP = "\u202f"


@pytest.mark.parametrize(("value", "en", "fr"), [
    (D("66333"), "66,333 €", f"66{NNBSP}333 €"),
    (D("66333.00"), "66,333 €", f"66{NNBSP}333 €"),
    (D("66332.50"), "66,332.50 €", f"66{NNBSP}332,50 €"),
    (D("150000.5"), "150,000.50 €", f"150{NNBSP}000,50 €"),
    (D("58574.4965"), "58,574.4965 €", f"58{NNBSP}574,4965 €"),  # an exact share of a budget
    ("1000000000", "1,000,000,000 €", f"1{NNBSP}000{NNBSP}000{NNBSP}000 €"),
    (0, "0 €", "0 €"),
    (None, "—", "—"),
    ("", "—", "—"),
])
def test_euros(app: Flask, value: Any, en: str, fr: str) -> None:
    with app.test_request_context():
        with force_locale("en"):
            assert money.euros(value) == en
        with force_locale("fr"):
            assert money.euros(value) == fr


@pytest.mark.parametrize(("rate", "share", "en", "fr"), [
    (D("0.65"), "65", "65", "65"),
    (D("1"), "100", "100", "100"),
    (D("0.2"), "20", "20", "20"),  # never 2E+1
    (D("0.3"), "30.0", "30", "30"),
    (D("0.325"), "32.5", "32.5", "32,5"),
])
def test_percentages(app: Flask, rate: D, share: str, en: str, fr: str) -> None:
    """A rate of the budget (0.65) and a share already in percent ("65") read the same."""
    with app.test_request_context():
        for lang, expected in (("en", en), ("fr", fr)):
            with force_locale(lang):
                assert wording.percent_text(rate) == wording.share_text(share) == expected


@pytest.mark.parametrize(("call_id", "proposal_id", "expected"), [
    (3, 42, "C3-P0042"), (1, 1, "C1-P0001"), (12, 12345, "C12-P12345")])
def test_reference(call_id: int, proposal_id: int, expected: str) -> None:
    assert wording.reference(Proposal(id=proposal_id, call_id=call_id)) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("150,000", "Write the thousands without a comma"),
    ("1.000", "Write the thousands without a comma"),
    ("2 000 000 000", "Enter an amount of at most one billion euros."),
    ("douze", "Enter an amount like 12 500."),
    ("0,005", "Enter an amount like 12 500."),
])
def test_amount_refusal(app: Flask, typed: str, message: str) -> None:
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(ValueError) as refused:
            money.parse_amount(typed)
        assert message in str(wording.amount_refusal(refusal=refused.value, otherwise="Enter an amount like 12 500."))


@pytest.mark.parametrize(("funding", "expected"), [
    ({"rate": "0.65", "ceiling": "66440", "floor": "0"},
     ["The grant is at most 65 % of the proposal's total budget, rounded to the euro (half up), and never more "
      "than the amount requested (rounded down to the euro).", "Ceiling: 66,440 € per proposal."]),
    ({"rate": "1", "ceiling": "", "floor": "5000"},
     ["The grant is at most 100 % of the proposal's total budget, rounded to the euro (half up), and never more "
      "than the amount requested (rounded down to the euro).", "No ceiling per proposal.",
      "Floor: a proposal whose maximum grant is below 5,000 € is not eligible."]),
])
def test_funding_sentences(app: Flask, funding: dict[str, str], expected: list[str]) -> None:
    with app.test_request_context(), force_locale("en"):
        assert wording.funding_sentences(funding) == expected


def test_criteria_in_words(app: Flask) -> None:
    content = builders.content()
    content["criteria"]["impact"] = {"name": {"fr": "Impact", "en": "", "ar": ""}, "description": {},
                                     "weight": "2", "scale_max": 20, "na_allowed": True, "position": 0}
    with app.test_request_context():
        words = wording.rules_in_words(content, "en")
    assert [(c.code, c.name, c.weight, c.share) for c in words.criteria] == [
        ("impact", "Impact", 2, "40 %"), ("relevance", "Relevance", 3, "60 %")]  # English missing: French
    assert words.total_weight == 5
    assert [kind for kind, _sentence in words.rules] == [k for k in rules.REGISTRY if k in content["eligibility"]]


# Four pages, one wording ----------------------------------------------------------------------------------


@pytest.fixture
def pages(app: Flask, client: FlaskClient, world: factories.World) -> dict[str, str]:
    """The rule-set page, the call page, the check page of a submitted proposal (its delegate) and its
    instruction page (the secretariat), in English."""
    with app.app_context():
        version = builders.version(builders.content(ceiling="60000"))
        call = builders.call(version)
        proposal = builders.proposal(call, db.session.get(Member, world.member_id))
        db.session.commit()
        urls = {"rule set": f"/rulesets/{version.rule_set_id}", "call": f"/calls/{call.id}",
                "check": f"/proposals/{proposal.id}/check", "instruction": f"/proposals/{proposal.id}/instruction"}
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    found = {}
    for name, url in urls.items():
        login(client, world.emails["secretariat" if name == "instruction" else "delegate"])
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        found[name] = response.get_data(as_text=True)
        client.post("/logout")
    return found


def test_the_four_pages_word_each_rule_the_same_way(app: Flask, pages: dict[str, str]) -> None:
    content = builders.content(ceiling="60000")
    with app.test_request_context(), force_locale("en"):
        sentences = [rules.describe(kind, params) for kind, params in content["eligibility"].items()]
        funding = wording.funding_sentences(content["funding"])
        grant = wording.explain_grant(rules.max_grant(D("58575"), D("90115"), rules.Funding.from_content(
            content["funding"])))
    assert grant[0] == "65 % of 90,115 € = 58,574.75 €, rounded to 58,575 €; under the 60,000 € ceiling."
    for name, html in pages.items():
        for sentence in sentences:
            assert str(escape(sentence)) in html, (name, sentence)
    for name in ("rule set", "call"):
        for sentence in funding:
            assert str(escape(sentence)) in pages[name], (name, sentence)
    for name in ("check", "instruction"):
        for sentence in grant:
            assert str(escape(sentence)) in pages[name], (name, sentence)


@pytest.mark.parametrize(("path", "label"), [
    ("funding.rate", "Funding · Maximum rate of the budget"),
    ("funding.ceiling", "Funding · Ceiling"),
    ("eligibility.duration_range", "Eligibility · A duration range"),
    ("eligibility.duration_range.max_months", "Eligibility · Longest duration (months)"),
    ("eligibility.max_open_per_lead.k", "Eligibility · Most open proposals or grants per lead (K)"),
    ("criteria.relevance", "Criterion · Relevance"),
    ("criteria.relevance.weight", "Criterion · Relevance · Weight"),
    ("criteria.relevance.scale_max", "Criterion · Relevance · Scale"),
    ("criteria.relevance.name.fr", "Criterion · Relevance · Name in French"),
    ("criteria.relevance.description.ar", "Criterion · Relevance · Description in Arabic"),
    ("criteria.relevance.na_allowed", "Criterion · Relevance · Not applicable allowed"),
    ("criteria.relevance.min_justification", "Criterion · Relevance · Justification (minimum characters)"),
    ("criteria.unnamed.weight", "Criterion · unnamed · Weight"),  # no name known: its code
    ("other.thing", "other.thing"),
])
def test_a_place_in_a_rule_set_reads_as_the_editor_labels_it(app: Flask, path: str, label: str) -> None:
    with app.test_request_context(), force_locale("en"):
        assert wording.path_label(path, {"relevance": "Relevance"}) == label


def test_criterion_names_in_the_reader_language_also_from_an_amendment_changes(app: Flask) -> None:
    content = {"criteria": {"pertinence": {"name": {"fr": "Pertinence", "en": "Relevance", "ar": ""}}}}
    added = [rule_content.Change("criteria.nouveau.name.fr", None, "Nouveau"),
             rule_content.Change("criteria.nouveau.name.en", None, ""), rule_content.Change("criteria.ancien.name.en", "Old", None)]
    with app.test_request_context():
        assert wording.criterion_names(content, changes=added, lang="en") == {
            "pertinence": "Relevance", "nouveau": "Nouveau", "ancien": "Old"}
        assert wording.criterion_names(content, changes=added, lang="ar")["pertinence"] == "Pertinence"
