"""French and Arabic wording: plural forms by count, titles by the person's gender, status labels agreeing
with their noun, French typography (narrow no-break space before : ; ! ?).

Why: pages said "1 membres", "Délégué" for a woman, "Clôturé" for an assembly (feminine in French), and the
French catalog mixed ordinary and no-break spaces before colons.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext

from app.assembly.models import AssemblyStatus, VoteStatus
from app.auth.models import Gender, representative_title
from app.calls.models import CallStatus, ProposalStatus
from app.core.catalogs import NNBSP, fix_typography, load, typography_problems
from app.elections.models import CandidacyStatus
from app.grants.models import GrantStatus, ReportVersionStatus

ROOT = Path(__file__).resolve().parents[2]
FR_CATALOG = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


# Titles by gender -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "is_delegate", "gender", "expected"), [
    ("fr", True, Gender.female.value, "Déléguée"),
    ("fr", True, Gender.male.value, "Délégué"),
    ("fr", True, Gender.other.value, "Délégué·e"),
    ("fr", True, Gender.undisclosed.value, "Délégué·e"),
    ("fr", False, Gender.female.value, "Suppléante"),
    ("fr", False, Gender.male.value, "Suppléant"),
    ("fr", False, Gender.undisclosed.value, "Suppléant·e"),
    ("fr", False, "", "Suppléant·e"),
    ("ar", True, Gender.female.value, "مندوبة"),
    ("ar", True, Gender.male.value, "مندوب"),
    ("en", True, Gender.female.value, "Delegate"),
    ("en", False, Gender.male.value, "Alternate"),
])
def test_representative_title_follows_the_recorded_gender(app: Flask, locale: str, is_delegate: bool, gender: str,
                                                          expected: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert representative_title(is_delegate, gender) == expected


def test_member_page_shows_each_representative_with_their_title(app: Flask, client, world) -> None:
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db
    from tests.conftest import login

    with app.app_context():
        delegate = db.session.scalars(select(User).where(User.email == world.emails["delegate"])).one()
        delegate.gender = Gender.female.value
        alternate = db.session.scalars(select(User).where(User.email == world.emails["alternate"])).one()
        alternate.gender = Gender.undisclosed.value
        db.session.commit()
    login(client, world.emails["secretariat"])
    client.post("/language", data={"locale": "fr", "next": "/"})
    html = client.get(f"/members/{world.member_id}").get_data(as_text=True)
    assert "<td>Déléguée</td>" in html and "<td>Suppléant·e</td>" in html


# Status labels by noun --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "fr", "ar"), [
    (AssemblyStatus.closed, "Clôturée", "مُختتَمة"),  # une assemblée
    (VoteStatus.closed, "Clôturé", "مُغلَق"),  # un vote
    (VoteStatus.open, "Ouvert", "مفتوح"),
    (CallStatus.open, "Ouvert", "مفتوحة"),  # un appel; الدعوة is feminine
    (CallStatus.closed, "Clôturé", "مُغلَقة"),
    (GrantStatus.closed, "Clôturée", "مُقفَلة"),  # une subvention
    (GrantStatus.suspended, "Suspendue", "مُعلَّقة"),
    (GrantStatus.active, "Active", "نشِطة"),
    (ReportVersionStatus.submitted, "Soumis", "مُقدَّم"),  # un rapport
    (ReportVersionStatus.returned, "Renvoyé", "مُعاد"),
    (CandidacyStatus.withdrawn, "Retirée", "مسحوب"),  # une candidature
    (ProposalStatus.withdrawn, "Retirée", "مسحوب"),  # une proposition
])
def test_status_label_agrees_with_its_noun(app: Flask, label, fr: str, ar: str) -> None:
    with app.test_request_context("/"):
        for locale, expected in (("fr", fr), ("ar", ar)):
            with force_locale(locale):
                assert str(label.label) == expected


# Plural forms -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "count", "expected"), [
    ("fr", 0, "0 membre"),
    ("fr", 1, "1 membre"),
    ("fr", 2, "2 membres"),
    ("en", 1, "1 member"),
    ("en", 2, "2 members"),
    ("ar", 1, "1 عضو"),
    ("ar", 2, "2 عضوان"),
    ("ar", 5, "5 أعضاء"),
    ("ar", 11, "11 عضوًا"),
    ("ar", 100, "100 عضو"),
])
def test_member_count_takes_the_plural_form_of_its_language(app: Flask, locale: str, count: int,
                                                            expected: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert ngettext("%(num)d member", "%(num)d members", count) == expected


@pytest.mark.parametrize(("msgids", "count", "fr"), [
    (("%(num)d of %(size)d members has voted.", "%(num)d of %(size)d members have voted."), 1,
     "1 membre sur 3 a voté."),
    (("%(num)d of %(size)d members has voted.", "%(num)d of %(size)d members have voted."), 2,
     "2 membres sur 3 ont voté."),
    (("Reminder sent to %(num)d representative.", "Reminder sent to %(num)d representatives."), 1,
     "Rappel envoyé à 1 représentant."),
    (("And %(num)d more.", "And %(num)d more."), 1, "Et 1 autre."),
    (("And %(num)d more.", "And %(num)d more."), 4, "Et 4 autres."),
    (("Report %(number)s is %(num)d day late (due %(due)s).", "Report %(number)s is %(num)d days late (due %(due)s)."),
     1, "Le rapport 2 a 1 jour de retard (attendu le x)."),
    (("Approve at most %(num)d candidate.", "Approve at most %(num)d candidates."), 1,
     "Approuvez au plus 1 candidature."),
    (("At least %(num)d character.", "At least %(num)d characters."), 1, "Au moins 1 caractère."),
    (("%(num)d woman", "%(num)d women"), 1, "1 femme"),
    (("%(num)d other or undisclosed", "%(num)d others or undisclosed"), 2, "2 autres ou non précisés"),
    (("Choose your password with this link (valid %(num)d day, usable once):",
      "Choose your password with this link (valid %(num)d days, usable once):"), 1,
     "Choisissez votre mot de passe avec ce lien (valable 1 jour, utilisable une seule fois)\u202f:"),
])
def test_counted_sentences_agree_in_french(app: Flask, msgids: tuple[str, str], count: int, fr: str) -> None:
    with app.test_request_context("/"), force_locale("fr"):
        assert ngettext(*msgids, count, size=3, number=2, due="x") == fr


def test_secretariat_digest_subject_counts_each_thing(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("fr"):
        reports = ngettext("%(num)d report to review", "%(num)d reports to review", 1)
        instalments = ngettext("%(num)d instalment due", "%(num)d instalments due", 2)
    assert (reports, instalments) == ("1 rapport à examiner", "2 versements dus")


# French typography ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Statut : actif", f"Statut{NNBSP}: actif"),
    ("Statut: actif", f"Statut{NNBSP}: actif"),
    ("Statut\u00a0: actif", f"Statut{NNBSP}: actif"),
    ("Vraiment ?", f"Vraiment{NNBSP}?"),
    ("Oui !", f"Oui{NNBSP}!"),
    ("un ; deux", f"un{NNBSP}; deux"),
    ("Rendez-vous à 10:30.", "Rendez-vous à 10:30."),  # a time
    ("Voir https://example.org/a?b=1!", "Voir https://example.org/a?b=1!"),  # an address
    ("Voir mailto:x@example.org", "Voir mailto:x@example.org"),
    ("%(count)s : %(name)s", f"%(count)s{NNBSP}: %(name)s"),
    ("a::b", "a::b"),  # not punctuation of a sentence
    ("Début : %(time)s (UTC)", f"Début{NNBSP}: %(time)s (UTC)"),
    (": en tête", ": en tête"),  # nothing before it
    ("« %(title)s » ?", f"« %(title)s »{NNBSP}?"),
    ("Déjà fait", "Déjà fait"),
    ("Note :\n suite", f"Note{NNBSP}:\n suite"),
])
def test_fix_typography(text: str, expected: str) -> None:
    assert fix_typography(text) == expected
    assert fix_typography(expected) == expected  # running it again changes nothing


def test_french_catalog_has_a_narrow_no_break_space_before_colon_semicolon_and_marks() -> None:
    """Fails when a translation is written "Statut : actif" or "Statut: actif": run `flask translate typography`."""
    assert typography_problems(load(FR_CATALOG, "fr")) == []


# No new "1 membres" ---------------------------------------------------------------------------------------------

COUNTED_NOUN = re.compile(r"%\((\w+)\)d (?:[a-z-]+ )?([a-z-]+s)\b")
#: Plain msgids that print a number before a plural noun on purpose, each for a reason: a fixed limit of the
#: platform (10 characters, 200 rows), a range ("%(min)d to %(max)d"), an ordinal ("Instalment %(n)d"), a
#: quorum out of all members, or several counts in one sentence. A new one uses ngettext instead.
COUNTED_ON_PURPOSE = (
    "Quorum reached: %(n)d of %(total)d", "Quorum not reached: %(n)d of %(total)d", "Use at least %(n)d characters",
    "Explain the override in %(min)d to", "Write %(min)d to %(max)d", "Write at most %(max)d characters",
    "Write at least %(min)d characters (you wrote", "Write a comment of %(min)d to", "The reserve list holds 0 to",
    "Give the reason in at least %(min)d", "Each proposal gets at least %(n)d reviewers",
"(scores apart by more than %(n)d points", "(rank changes by %(n)d places",
    "(moved by %(n)d places", "Field must be between %(min)d and %(max)d", "The audit log records every change",
    "between %(min)d and %(max)d seats", "gender parity within %(tolerance)d", "Explain why in at least %(n)d",
    "After report %(n)d is approved", "Instalment %(n)d was paid", "Say why in at least %(n)d",
    "Instalment %(n)d is released early", "This value is longer than %(max)d", "%(size)d bytes",
    "A cell holds more than %(max)d", "The file has more than %(count)d lines", "The cell in column %(column)s holds",
    "The file has more than %(max)d member rows", "Version %(v)d is not signed yet", "At most %(max)d characters",
)


def test_counts_of_things_use_plural_forms(tmp_path: Path) -> None:
    """A plain msgid such as "%(n)d members" reads "1 membres" in French: write it with ngettext."""
    from babel.messages.pofile import read_po

    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "translations" / "babel.cfg"), "-k", "_l", "-k", "lazy_ngettext:1,2",
                    "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(pot), "app"],
                   check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as handle:
        plain = [m.id for m in read_po(handle) if isinstance(m.id, str) and m.id]
    counted = [text for text in plain if COUNTED_NOUN.search(text) and not text.startswith(COUNTED_ON_PURPOSE)]
    assert counted == []


def test_directory_column_of_delegates_is_inclusive_in_french(app: Flask, client, world) -> None:
    from tests.conftest import login

    login(client, world.emails["secretariat"])
    client.post("/language", data={"locale": "fr", "next": "/"})
    assert '<th scope="col">Délégué·e</th>' in client.get("/members").get_data(as_text=True)
