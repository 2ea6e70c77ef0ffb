"""Rule-set pages as people use them: every route as each of the six roles, the editor without JavaScript
(the form sent back as the page filled it), bad input kept at its field, the amendment flow and adoption shown."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.assembly import voting
from app.assembly.models import AgendaItem, Resolution, Vote
from app.auth.models import User
from app.calls import rulesets
from app.calls.models import Amendment, AmendmentComment, AmendmentStatus, AmendmentSupport, RuleSet, VersionStatus
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Charter, Member
from tests import factories
from tests.calls.ruleset_helpers import EMAILS, build_people, cast_all, changed, make_rule_set, sample_content
from tests.conftest import counting, login

ROLES = ("anonymous", "delegate", "alternate", "committee", "ex_officio", "secretariat")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
SECRETARIAT = frozenset({"secretariat"})
COMMITTEE = frozenset({"committee"})
CREATORS = frozenset({"committee", "secretariat"})


@pytest.fixture(autouse=True)
def _english(client: FlaskClient) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@dataclass(frozen=True)
class Ids:
    rule_set: int
    amendment: int
    assembly: int
    item: int


@pytest.fixture
def ids(app: Flask) -> Ids:
    """A draft rule set with an amendment by the committee member (the world's other delegate); a convened assembly."""
    with app.test_request_context():
        people = build_people()
        rule_set = make_rule_set(people)
        amendment = rulesets.propose_amendment(rule_set, actor=people.user("committee"), title="Taux à 70 %",
                                               rationale="Les petites structures manquent de fonds propres.",
                                               new_content=changed(sample_content(), funding__rate="0.7"))
        assembly = factories.assembly()
        db.session.commit()
        return Ids(rule_set=rule_set.id, amendment=amendment.id, assembly=assembly.id, item=assembly.agenda[0].id)


def sign_in(client: FlaskClient, role: str) -> None:
    if role != "anonymous":
        login(client, EMAILS[role])


def _user(role: str) -> User:
    return db.session.scalar(select(User).where(User.email == EMAILS[role]))


def _html(response: Any) -> str:
    return response.get_data(as_text=True)


# Who may do what -------------------------------------------------------------------------------

A = "/rulesets/{rule_set}/amendments/{amendment}"
#: (method, URL template, roles allowed). The committee member is the amendment's proposer.
MATRIX = [
    ("GET", "/rulesets", SIGNED_IN),
    ("GET", "/rulesets/new", CREATORS),
    ("POST", "/rulesets/new", CREATORS),
    ("GET", "/rulesets/{rule_set}", SIGNED_IN),
    ("GET", "/rulesets/{rule_set}/versions/1", SIGNED_IN),
    ("GET", "/rulesets/{rule_set}/history", SIGNED_IN),
    ("GET", "/rulesets/{rule_set}/history?from=1&to=1", SIGNED_IN),
    ("GET", "/rulesets/{rule_set}/amendments/new", COMMITTEE),
    ("POST", "/rulesets/{rule_set}/amendments/new", COMMITTEE),
    ("GET", A, SIGNED_IN),
    ("POST", A + "/comment", CREATORS),
    ("POST", A + "/support", COMMITTEE),
    ("GET", A + "/rebase", COMMITTEE),
    ("POST", A + "/rebase", COMMITTEE),
    ("POST", A + "/withdraw", COMMITTEE),
    ("GET", A + "/decide", SECRETARIAT),
    ("POST", A + "/decide", SECRETARIAT),
    ("GET", "/rulesets/{rule_set}/freeze", SECRETARIAT),
    ("POST", "/rulesets/{rule_set}/freeze", SECRETARIAT),
]
CASES = [(method, url, allowed, role) for method, url, allowed in MATRIX for role in ROLES]


@pytest.mark.parametrize(("method", "template", "allowed", "role"), CASES,
                         ids=[f"{role}:{method}:{url}" for method, url, _, role in CASES])
def test_every_route_as_every_role(client: FlaskClient, ids: Ids, method: str, template: str,
                                   allowed: frozenset[str], role: str) -> None:
    url = template.format(rule_set=ids.rule_set, amendment=ids.amendment)
    sign_in(client, role)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    where = f"{method} {url} as {role}: {response.status_code} {response.headers.get('Location', '')}"
    if role in allowed:
        assert response.status_code in (200, 302, 422), where
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path != "/login", where
    elif role == "anonymous":
        location = urlsplit(response.headers.get("Location", ""))
        assert response.status_code == 302 and location.path == "/login", where
        assert parse_qs(location.query).get("next") == [url], where
    else:
        assert response.status_code == 403, where


@pytest.mark.parametrize(("method", "suffix"), [("GET", "/rebase"), ("POST", "/rebase"), ("POST", "/withdraw")])
def test_another_committee_member_cannot_rebase_or_withdraw(app: Flask, client: FlaskClient, ids: Ids, method: str,
                                                            suffix: str) -> None:
    sign_in(client, "committee2")
    url = A.format(rule_set=ids.rule_set, amendment=ids.amendment) + suffix
    response = client.get(url) if method == "GET" else client.post(url)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Amendment, ids.amendment).status == AmendmentStatus.proposed


def test_an_amendment_is_found_under_its_own_rule_set_only(app: Flask, client: FlaskClient, ids: Ids) -> None:
    with app.test_request_context():
        other = rulesets.create_rule_set(actor=_user("secretariat"), titles={"fr": "Autre"}, content=sample_content())
        db.session.commit()
        other_id = other.id
    sign_in(client, "secretariat")
    assert client.get(f"/rulesets/{other_id}/amendments/{ids.amendment}").status_code == 404
    assert client.get(f"/rulesets/{ids.rule_set}/versions/9").status_code == 404
    assert client.get("/rulesets/999999").status_code == 404


@pytest.mark.parametrize("role", ["delegate", "alternate", "ex_officio", "secretariat"])
def test_who_is_not_on_the_committee_cannot_propose(app: Flask, client: FlaskClient, ids: Ids, role: str) -> None:
    sign_in(client, role)
    response = client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                           data={"title": "Taux", "rationale": "Raison", "rate": "80"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Amendment)) == 1


# The editor, as a browser without JavaScript sends it back ------------------------------------------

class _FormReader(HTMLParser):
    """The fields of the page's first POST form with a given submit name, as the browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post" and not a.get("action"):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[a["name"]] = a.get("value") or "y"
            else:
                self.data[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            if self._textarea:
                self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_of(html: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return reader.data


def _new_rule_set_data(**overrides: str) -> dict[str, str]:
    data = {"title_fr": "Règlement 2027", "title_en": "Rules 2027", "title_ar": "نظام 2027",
            "elig_lead_active_member": "y", "elig_duration_range": "y",
            "elig_duration_range__min_months": "12", "elig_duration_range__max_months": "36",
            "elig_partner_other_country": "y", "elig_partner_other_country__countries": "tn",
            "elig_budget_range": "y", "elig_budget_range__min": "10 000", "elig_budget_range__max": "150 000,50",
            "rate": "65", "ceiling": "66 440", "floor": "",
            "criteria-0-code": "", "criteria-0-name_fr": "Pertinence", "criteria-0-name_en": "Relevance",
            "criteria-0-name_ar": "الملاءمة", "criteria-0-description_fr": "Répond aux défis",
            "criteria-0-weight": "3", "criteria-0-scale_max": "5", "criteria-0-min_justification": "50",
            "criteria-1-code": "", "criteria-1-name_fr": "", "criteria-1-weight": "1", "criteria-1-scale_max": "5",
            "criteria-1-min_justification": "0"}
    data.update(overrides)
    return data


def test_a_committee_member_creates_a_rule_set_with_the_form(app: Flask, client: FlaskClient, ids: Ids) -> None:
    sign_in(client, "committee")
    page = client.get("/rulesets/new")
    assert page.status_code == 200 and 'name="criteria-2-name_fr"' in _html(page)  # blank rows to add criteria
    response = client.post("/rulesets/new", data=_new_rule_set_data())
    assert response.status_code == 302, _html(response)
    with app.app_context():
        rule_set = db.session.scalar(select(RuleSet).where(RuleSet.title_fr == "Règlement 2027"))
        content = rulesets.head(rule_set).content
        assert content["funding"] == {"rate": "0.65", "ceiling": "66440", "floor": "0"}
        assert content["eligibility"] == {
            "lead_active_member": {}, "duration_range": {"min_months": 12, "max_months": 36},
            "partner_other_country": {"countries": ["TN"]},
            "budget_range": {"min": "10000", "max": "150000.5"}}
        assert content["criteria"] == {"pertinence": {
            "name": {"fr": "Pertinence", "en": "Relevance", "ar": "الملاءمة"},
            "description": {"fr": "Répond aux défis", "en": "", "ar": ""},
            "weight": 3, "scale_max": 5, "na_allowed": False, "min_justification": 50, "position": 1}}
        assert rule_set.created_by_id is not None


@pytest.mark.parametrize(("overrides", "errors", "kept"), [
    ({"rate": "soixante"}, ["rate"], ["soixante"]),
    ({"rate": "120"}, ["rate"], ["120"]),
    ({"ceiling": "beaucoup"}, ["ceiling"], ["beaucoup"]),
    ({"elig_duration_range__min_months": "40"}, ["elig_duration_range__max_months"], ["40"]),
    ({"elig_duration_range__min_months": "douze"}, ["elig_duration_range__min_months"], ["douze"]),
    ({"elig_partner_other_country__countries": "Tunisie"}, ["elig_partner_other_country__countries"], ["Tunisie"]),
    ({"criteria-0-weight": "trois", "criteria-0-scale_max": "0"}, ["criteria-0-weight", "criteria-0-scale_max"],
     ["trois"]),
    ({"criteria-1-name_en": "Innovation", "criteria-1-weight": "2"}, ["criteria-1-name_fr"], ["Innovation"]),
    ({"title_fr": ""}, ["title_fr"], ["Rules 2027"]),
])
def test_bad_input_is_shown_at_its_field_and_kept(app: Flask, client: FlaskClient, ids: Ids, overrides: dict,
                                                  errors: list[str], kept: list[str]) -> None:
    sign_in(client, "secretariat")
    response = client.post("/rulesets/new", data=_new_rule_set_data(**overrides))
    html = _html(response)
    assert response.status_code == 422
    for name in errors:
        assert f'id="{name}-error"' in html, name
        assert f'href="#{name}"' in html  # the error summary links to the field
    for value in kept:
        assert value in html
    assert "Pertinence" in html and "الملاءمة" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RuleSet)) == 1  # only the fixture's


def test_more_blank_criteria_without_javascript(client: FlaskClient, ids: Ids) -> None:
    sign_in(client, "secretariat")
    response = client.post("/rulesets/new", data=_new_rule_set_data(add_rows="Add"))
    html = _html(response)
    assert response.status_code == 200
    assert 'name="criteria-4-name_fr"' in html and 'value="Pertinence"' in html


def test_propose_an_amendment_from_the_prefilled_form(app: Flask, client: FlaskClient, ids: Ids) -> None:
    sign_in(client, "committee2")
    page = client.get(f"/rulesets/{ids.rule_set}/amendments/new")
    data = form_of(_html(page))
    assert data["rate"] == "65" and data["ceiling"] == "66440" and data["criteria-0-name_ar"] == "الملاءمة"
    assert data["elig_duration_range"] == "y" and "elig_min_partners" not in data
    data.update({"title": "Plus de partenaires, critère reformulé", "rationale": "La coopération est le cœur.",
                 "elig_min_partners": "y", "elig_min_partners__n": "2",
                 "criteria-1-name_ar": "الشراكات", "criteria-0-weight": "4",
                 "criteria-2-name_fr": "Innovation", "criteria-2-name_en": "Innovation", "criteria-2-weight": "1"})
    response = client.post(f"/rulesets/{ids.rule_set}/amendments/new", data=data)
    assert response.status_code == 302, _html(response)
    with app.app_context():
        amendment = db.session.scalar(select(Amendment).order_by(Amendment.id.desc()))
        paths = [c["path"] for c in amendment.changes]
        assert "eligibility.min_partners.n" in paths and "criteria.partenariat.name.ar" in paths
        assert "criteria.pertinence.weight" in paths and "criteria.innovation.name.fr" in paths
        assert not any(p.startswith("funding") for p in paths)  # untouched fields change nothing
        assert amendment.base_version.number == 1
    html = _html(client.get(response.headers["Location"]))
    assert "الشراكات" in html and 'lang="ar"' in html and "La coopération est le cœur." in html


def test_an_unchanged_or_unexplained_amendment_is_refused_and_kept(app: Flask, client: FlaskClient,
                                                                   ids: Ids) -> None:
    sign_in(client, "committee2")
    data = form_of(_html(client.get(f"/rulesets/{ids.rule_set}/amendments/new")))
    unchanged = client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                            data={**data, "title": "Rien", "rationale": "Rien"})
    assert unchanged.status_code == 422 and "changes nothing" in _html(unchanged)
    unexplained = client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                              data={**data, "title": "Plafond", "rationale": "", "ceiling": "70000"})
    html = _html(unexplained)
    assert unexplained.status_code == 422 and 'id="rationale-error"' in html and 'value="70000"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Amendment)) == 1


def test_the_amendment_flow_through_the_pages(app: Flask, client: FlaskClient, ids: Ids) -> None:
    """A conflicting amendment is refused at accept (422, the paths named), rebased, then accepted."""
    sign_in(client, "committee2")
    data = form_of(_html(client.get(f"/rulesets/{ids.rule_set}/amendments/new")))
    client.post(f"/rulesets/{ids.rule_set}/amendments/new",
                data={**data, "title": "Taux à 60 %", "rationale": "Plus de projets financés.", "rate": "60"})
    with app.app_context():
        rival = db.session.scalar(select(Amendment.id).order_by(Amendment.id.desc()))
    assert client.post(A.format(rule_set=ids.rule_set, amendment=ids.amendment) + "/support").status_code == 302
    client.post("/logout")

    sign_in(client, "secretariat")
    first = A.format(rule_set=ids.rule_set, amendment=ids.amendment)
    second = A.format(rule_set=ids.rule_set, amendment=rival)
    assert "Supports" in _html(client.get(f"/rulesets/{ids.rule_set}"))
    refused_reason = client.post(first + "/decide", data={"decision": "accept", "reason": ""})
    assert refused_reason.status_code == 422 and 'id="reason-error"' in _html(refused_reason)
    assert client.post(first + "/decide", data={"decision": "accept", "reason": "Consensus."}).status_code == 302
    conflict = client.post(second + "/decide", data={"decision": "accept", "reason": "Aussi."})
    assert conflict.status_code == 422 and "Maximum rate of the budget" in _html(conflict)
    assert "Aussi." in _html(conflict)  # the reason typed is kept
    history = _html(client.get(f"/rulesets/{ids.rule_set}/history"))
    assert "Taux à 70 %" in history and "Les petites structures manquent de fonds propres." in history
    assert "Consensus." in history and "Other" in history  # proposer's name
    diff = _html(client.get(f"/rulesets/{ids.rule_set}/history?from=1&to=2"))
    assert "Maximum rate of the budget" in diff and "65 %" in diff and "70 %" in diff
    client.post("/logout")

    sign_in(client, "committee2")
    page = _html(client.get(second + "/rebase"))
    assert "Changed since you wrote the amendment" in page
    data = form_of(page)
    assert data["rate"] == "60" and data["base_number"] == "2"
    assert client.post(second + "/rebase", data={**data, "rate": "62,5"}).status_code == 302
    client.post("/logout")

    sign_in(client, "secretariat")
    assert client.post(second + "/decide", data={"decision": "accept", "reason": "Compromis."}).status_code == 302
    with app.app_context():
        rule_set = db.session.get(RuleSet, ids.rule_set)
        assert [(v.number, v.status) for v in rule_set.versions] == [(1, "superseded"), (2, "superseded"),
                                                                     (3, "draft")]
        assert rulesets.head(rule_set).content["funding"]["rate"] == "0.625"
    detail = _html(client.get(f"/rulesets/{ids.rule_set}"))
    assert "62.5" in detail and "Version 3" in detail


def test_comment_and_support_pages(app: Flask, client: FlaskClient, ids: Ids) -> None:
    url = A.format(rule_set=ids.rule_set, amendment=ids.amendment)
    sign_in(client, "committee2")
    empty = client.post(url + "/comment", data={"body": "  "})
    assert empty.status_code == 422 and 'id="body-error"' in _html(empty)
    assert client.post(url + "/comment", data={"body": "Nous soutenons."}).status_code == 302
    assert client.post(url + "/support").status_code == 302
    again = client.post(url + "/support", follow_redirects=True)
    assert "already supports" in _html(again)
    html = _html(client.get(url))
    assert "Nous soutenons." in html and "Réseau Euro-Méditerranéen" in html
    client.post("/logout")
    sign_in(client, "committee_alternate")  # the proposer's own member
    refused = client.post(url + "/support", follow_redirects=True)
    assert "cannot support" in _html(refused)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AmendmentSupport)) == 1
        assert db.session.scalar(select(func.count()).select_from(AmendmentComment)) == 1


def test_withdraw_then_nothing_more(app: Flask, client: FlaskClient, ids: Ids) -> None:
    url = A.format(rule_set=ids.rule_set, amendment=ids.amendment)
    sign_in(client, "committee")
    assert client.post(url + "/withdraw").status_code == 302
    assert client.get(url + "/rebase").status_code == 302
    with app.app_context():
        assert db.session.get(Amendment, ids.amendment).status == AmendmentStatus.withdrawn


# Freeze, vote, adoption shown -----------------------------------------------------------------------

def test_freeze_on_an_existing_or_a_new_agenda_item(app: Flask, client: FlaskClient, ids: Ids) -> None:
    sign_in(client, "secretariat")
    page = client.get(f"/rulesets/{ids.rule_set}/freeze")
    assert page.status_code == 200 and f'value="item:{ids.item}"' in _html(page)
    missing = client.post(f"/rulesets/{ids.rule_set}/freeze", data={"target": f"new:{ids.assembly}",
                                                                     "item_title": ""})
    assert missing.status_code == 422 and 'id="item_title-error"' in _html(missing)
    response = client.post(f"/rulesets/{ids.rule_set}/freeze",
                           data={"target": f"new:{ids.assembly}", "item_title": "Règlement des appels"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Règlement des appels"))
        resolution = db.session.scalar(select(Resolution).where(Resolution.agenda_item_id == item.id))
        head = rulesets.head(db.session.get(RuleSet, ids.rule_set))
        assert head.status == VersionStatus.frozen and head.resolution_id == resolution.id
    html = _html(client.get(f"/rulesets/{ids.rule_set}"))
    assert "is put to the assembly" in html and resolution.title_en in html
    assert "Propose an amendment" not in html
    assert client.get(f"/rulesets/{ids.rule_set}/freeze").status_code == 302  # frozen: nothing to freeze


def test_while_frozen_the_rule_set_page_links_to_the_vote_and_the_secretariat_to_open_or_close_it(
        app: Flask, client: FlaskClient, ids: Ids) -> None:
    with app.test_request_context():
        secretariat = _user("secretariat")
        resolution = rulesets.freeze(db.session.get(RuleSet, ids.rule_set), actor=secretariat,
                                     agenda_item=db.session.get(AgendaItem, ids.item))
        db.session.commit()
        vote_id = resolution.vote_id
    ballot, open_, close = (f'href="/votes/{vote_id}"', f'href="/votes/{vote_id}/open"',
                            f'href="/votes/{vote_id}/close"')
    pages = (f"/rulesets/{ids.rule_set}", f"/rulesets/{ids.rule_set}/versions/1")

    def links(role: str) -> list[tuple[bool, bool, bool]]:
        client.post("/logout")
        sign_in(client, role)
        return [(ballot in html, open_ in html, close in html) for html in (_html(client.get(url)) for url in pages)]

    assert links("secretariat") == [(True, True, False)] * 2   # pending, in a convened assembly
    assert links("delegate") == [(True, False, False)] * 2
    with app.test_request_context():
        voting.open_vote(db.session.get(Vote, vote_id), actor=_user("secretariat"),
                         closes_at=utcnow() + timedelta(hours=1))
        db.session.commit()
    assert links("secretariat") == [(True, False, True)] * 2  # open: only closing is left
    assert links("ex_officio") == [(True, False, False)] * 2
    assert client.get(f"/votes/{vote_id}").status_code == 200  # every signed-in role reads the vote page


def test_the_rule_set_page_shows_the_adopting_resolution_with_counts_and_hash(app: Flask, client: FlaskClient,
                                                                             ids: Ids) -> None:
    with app.test_request_context():
        charter = db.session.scalar(select(Charter))
        for member in db.session.scalars(select(Member)):
            factories.sign(member, charter, next(u for u in member.representatives if u.is_delegate))
        rule_set = db.session.get(RuleSet, ids.rule_set)
        secretariat = _user("secretariat")
        resolution = rulesets.freeze(rule_set, actor=secretariat, agenda_item=db.session.get(AgendaItem, ids.item))
        db.session.commit()
        voting.open_vote(resolution.vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=1))
        db.session.commit()
        cast_all(resolution, {"committee": "for", "committee2": "for", "delegate": "against"})
        result = voting.close_vote(db.session.get(Vote, resolution.vote_id), actor=secretariat)
        db.session.commit()
        vote_id, final_hash = resolution.vote_id, result["final_hash"]
    sign_in(client, "delegate")
    html = _html(client.get(f"/rulesets/{ids.rule_set}"))
    assert "Adopted by the assembly" in html and final_hash in html
    assert f"/votes/{vote_id}/results" in html
    assert "2 of 3 members" not in html and "3 of 3 members" in html
    version = _html(client.get(f"/rulesets/{ids.rule_set}/versions/1"))
    assert final_hash in version


def test_the_rule_set_page_reads_the_rules_in_sentences(client: FlaskClient, ids: Ids) -> None:
    sign_in(client, "delegate")
    html = _html(client.get(f"/rulesets/{ids.rule_set}"))
    assert "A duration between 12 and 36 months." in html
    assert "The grant is at most 65 % of the proposal" in html
    assert "Ceiling: 66,440 € per proposal." in html
    assert "Relevance" in html and "Meets the challenges" in html and "60 %" in html  # weight share 3/5
    assert "Taux à 70 %" in html  # the open amendment
    assert "Propose an amendment" not in html and "Put to the assembly" not in html


# Bounded queries -------------------------------------------------------------------------------------

def _statements(app: Flask, client: FlaskClient, url: str) -> int:
    with counting(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_list_and_rule_set_page_issue_a_bounded_number_of_queries(app: Flask, client: FlaskClient,
                                                                  ids: Ids) -> None:
    sign_in(client, "committee")
    few_list = _statements(app, client, "/rulesets")
    few_page = _statements(app, client, f"/rulesets/{ids.rule_set}")
    with app.test_request_context():
        secretariat = _user("secretariat")
        for i in range(12):
            rulesets.create_rule_set(actor=secretariat, titles={"fr": f"Règlement {i}"}, content=sample_content())
        rule_set = db.session.get(RuleSet, ids.rule_set)
        for i in range(8):
            rulesets.propose_amendment(rule_set, actor=_user("committee2"), title=f"Amendement {i}",
                rationale="R", new_content=changed(sample_content(), funding__floor=str(i + 1)))
        db.session.commit()
    assert _statements(app, client, "/rulesets") == few_list
    assert _statements(app, client, f"/rulesets/{ids.rule_set}") == few_page


@pytest.mark.parametrize("role", ["secretariat", "committee"])
def test_no_page_adopts_a_frozen_version(app: Flask, client: FlaskClient, ids: Ids, role: str) -> None:
    """Every POST of the rule-set pages, with fields asking for adoption: the version stays frozen."""
    with app.test_request_context():
        resolution = rulesets.freeze(db.session.get(RuleSet, ids.rule_set), actor=_user("secretariat"),
                                     agenda_item=db.session.get(AgendaItem, ids.item))
        db.session.commit()
        resolution_id = resolution.id
    sign_in(client, role)
    pushy = {"status": "adopted", "decision": "accept", "reason": "Adopté", "outcome": "adopted",
             "target": f"item:{ids.item}", "body": "Adoptons", "title": "Adopter", "rationale": "Adopter",
             "resolution_id": str(resolution_id)}
    posts = [rule.rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("rulesets.") and "POST" in (rule.methods or set())]
    assert len(posts) == 8
    for rule in posts:
        url = rule.replace("<int:rule_set_id>", str(ids.rule_set)).replace("<int:amendment_id>", str(ids.amendment))
        assert client.post(url, data=pushy).status_code in (200, 302, 403, 422), url
    with app.app_context():
        assert rulesets.head(db.session.get(RuleSet, ids.rule_set)).status == VersionStatus.frozen
