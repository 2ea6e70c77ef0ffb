"""Look-alike member names get the same key, so they cannot register a second member (issue 10, §7): zero-width
characters, a right-to-left override, Cyrillic or Greek letters that look Latin; distinct French and Arabic
names stay distinct."""
from __future__ import annotations

import pytest

from app.core.errors import DomainError
from app.extensions import db
from app.members import services, transfer
from app.members.models import College
from app.members.names import CONFUSABLES, name_key, undo_overrides
from tests import factories

SAME = [
    # The three attacks of the finding.
    ("Association des Jeunes de Gafsa", "Association des Je\u200bunes de Gafsa"),       # zero-width space
    ("Association des Jeunes de Gafsa", "Asso\u200dciation des\u2060 Jeunes de Gafsa"),  # joiner, word joiner
    ("Association des Jeunes de Gafsa", "\ufeffAssociation des Jeunes\u00ad de Gafsa"),  # BOM, soft hyphen
    ("Association des Jeunes de Gafsa", "\u202easfaG ed senueJ sed noitaicossA"),       # right-to-left override
    ("Association des Jeunes de Gafsa", "Association des \u202esenueJ\u202c de Gafsa"),  # one word overridden
    ("Association des Jeunes de Gafsa", "Аssociаtion des Jeunes de Gаfsа"),             # Cyrillic а
    ("Association des Jeunes de Gafsa", "ASSOCIATION DES JEUNES DE GAFSA".replace("A", "А").replace("O", "О")),
    ("COOP Sfax", "СООР Sfax"),                                                          # Cyrillic С О Р
    ("Kayak Club", "Καyακ Club"),                                                        # Greek Κ α κ
    ("Epicerie sociale", "Εpicerie ѕociale"),                                            # Greek Ε, Cyrillic ѕ
    # Compatibility forms, invisible selectors, case, accents, spacing (as before).
    ("ABC Sfax", "ＡＢＣ Ｓｆａｘ"),
    ("finance solidaire", "ﬁnance solidaire"),
    ("Solidarité Laïque", "SOLIDARITE\ufe0f LAIQUE"),
    ("Solidarité Laïque", "Solidarite\u0301  laïque "),
    ("L'Association", "L Association"),
    # Arabic: vowel marks, the tatweel, an override, invisible joiners do not make a new name.
    ("جمعية تونس", "جمعية  تونس"),
    ("منظمة الأمل", "مُنَظَّمَة الأمل"),
    ("جمعية تونس", "جمعـــية تونس"),
    ("جمعية تونس", "\u202eجمعية تونس"),
    ("جمعية تونس", "جمعية\u200c تونس"),
]
DIFFERENT = [
    ("Gret", "Geres"),
    ("Association des Jeunes de Gafsa", "Association des Jeunes de Gabès"),
    ("Collectif Solidaire de Nantes", "Collectif Solidaire de Nancy"),
    ("Réseau Euromed France", "Réseau Euromed Tunisie"),
    ("CGT", "CFDT"),
    ("Association A", "Association B"),
    ("جمعية تونس", "جمعية صفاقس"),
    ("جمعية النور", "جمعية النور للتنمية"),
    ("جمعية الهدى", "جمعية الهدي"),      # alef maksura and yeh stay different letters
    ("مدرسة", "مدرسه"),                  # teh marbuta and heh too
    ("اتحاد الشغل", "إتحاد العمل"),
    ("Coopérative 13", "Coopérative 31"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_look_alikes_share_a_key(a: str, b: str) -> None:
    assert a != b and name_key(a) == name_key(b) != ""


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_distinct_names_keep_distinct_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(("name", "key"), [
    ("Solidarité Laïque", "solidarite laique"),
    ("Coopération Atlantique – Guinée 44", "cooperation atlantique guinee 44"),
    ("جمعية تونس", "جمعية تونس"),
    ("\u200b\u202e\u2066", ""),
    ("", ""),
])
def test_keys(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(("text", "shown"), [
    ("abc", "abc"),
    ("\u202ecba", "\u202eabc"),
    ("x\u202ecba\u202cy", "x\u202eabc\u202cy"),
    ("\u202eجمعية", "\u202eجمعية"),                 # already shown right to left: unchanged
    ("\u202eجمعية تونس", "\u202eجمعية تونس"),      # the space between two Arabic words too
    ("\u202eAB جمعية", "\u202eجمعية BA"),          # the pieces swap, the Latin one is reversed
])
def test_undo_overrides(text: str, shown: str) -> None:
    assert undo_overrides(text) == shown


def test_the_table_maps_only_cyrillic_and_greek_letters_to_latin_ones() -> None:
    import unicodedata

    for source, target in CONFUSABLES.items():
        assert unicodedata.name(source).split()[0] in ("CYRILLIC", "GREEK"), source
        assert target.isascii() and target.isalpha() and len(target) == 1, source


# Registering and importing --------------------------------------------------------------------------------

@pytest.mark.parametrize("look_alike", [
    "Association des Je\u200bunes de Gafsa", "\u202easfaG ed senueJ sed noitaicossA", "Аssociаtion des Jeunes de Gаfsа"])
def test_a_look_alike_is_refused_at_registration(app, world, look_alike: str) -> None:  # noqa: ANN001
    with app.test_request_context():
        college = db.session.scalar(db.select(College).where(College.code == "cs-fr"))
        with pytest.raises(DomainError) as caught:
            services.create_member(actor=None, data={"name": look_alike, "kind": "association", "country": "TN",
                                                     "college_id": college.id})
        assert caught.value.field == "name"


def test_a_look_alike_is_refused_by_the_import(app, world) -> None:  # noqa: ANN001
    with app.test_request_context():
        table = transfer.RawTable(columns=["name", "kind", "country", "college"], ignored=[], rows=[
            (2, {"name": "Collectif Sоlidaire de Nantes", "kind": "association", "country": "FR",
                 "college": "cs-fr"}),
            (3, {"name": "Collectif\u200b Solidaire de Nantes 2", "kind": "association", "country": "FR",
                 "college": "cs-fr"}),
            (4, {"name": "Collectif Solidaire de Nantes\u200b 2", "kind": "association", "country": "FR",
                 "college": "cs-fr"})])
        preview = transfer.check(table)
        assert [p.code for p in preview.rows[0].errors] == ["exists"]
        assert preview.rows[1].ok and [p.code for p in preview.rows[2].errors] == ["duplicate"]


def test_factories_and_services_agree(app) -> None:  # noqa: ANN001
    with app.app_context():
        made = factories.member("Аssociation Cyrillique")
        assert made.name_key == "association cyrillique"
        db.session.rollback()
