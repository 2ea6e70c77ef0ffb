"""Build the demo programme: colleges, members, representatives, charter, logins.

Everything goes through the caller's transaction (flush, never commit) and
leaves audit entries, so ``flask audit verify`` holds after a load. The data is
drawn from ``random.Random(SEED)``: every load produces the same programme.
Real organisations (from the seeds) are all active and all signed the charter;
suspensions, pending applications and missing signatures are given to
fictitious organisations only.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from app.auth.models import Gender, User, UserKind
from app.auth.passwords import hash_password
from app.core import audit
from app.demo import charter_text
from app.demo.assemblies import load_assemblies
from app.demo.calls import load_calls
from app.demo.committee import load_committee
from app.demo.grants import load_grants
from app.demo.organisations import COLLEGES, EX_OFFICIO, ORGANISATIONS
from app.demo.selection import load_selection
from app.extensions import db
from app.members.models import CharterSignature, College, Member, MemberStatus, MemberStatusChange
from app.members.services import create_member, publish_charter, save_college

SEED = 2016
DEMO_PASSWORD = "demo-password-2026"

#: The real Tunisian member whose delegate and alternate are demo logins (it signed the charter).
SIGNED_LOGIN_ACRONYM = "UTSS"
#: The fictitious member whose delegate can try signing the charter.
UNSIGNED_LOGIN_ACRONYM = "AJCK"
APPLICANT_COUNT = 4
UNSIGNED_SHARE = 0.15

COLLEGE_DESCRIPTIONS = {
    "cs-tn": "Associations, syndicats, coopératives et réseaux tunisiens.",
    "cs-fr": "Associations, syndicats, coopératives et réseaux français.",
    "auth": "Régions, départements, gouvernorats et municipalités des deux pays.",
}

#: Plenary assemblies at which members were admitted (the programme's 2016–2019 phase).
ADMISSION_ASSEMBLIES = [date(2016, 1, 30), date(2016, 6, 18), date(2016, 11, 26), date(2017, 5, 20),
                        date(2017, 12, 9), date(2018, 6, 16), date(2018, 12, 1), date(2019, 6, 22),
                        date(2019, 11, 30)]
CHARTER_PUBLISHED = datetime(2025, 3, 15, 10, 0, tzinfo=UTC)
SUSPENSIONS = [
    (date(2025, 6, 14), "Suspension votée par l'Assemblée plénière du 14 juin 2025 : cotisations 2023 et 2024 "
                        "non réglées malgré trois relances du secrétariat."),
    (date(2025, 11, 29), "Suspension votée par l'Assemblée plénière du 29 novembre 2025 : aucun rapport financier "
                         "remis pour le projet soutenu en 2023, après mise en demeure du comité de pilotage."),
]
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")

# Fictitious people. Surnames of well-known public figures are left out on purpose.
FIRST_NAMES = {
    "FR": {
        Gender.female: ["Camille", "Claire", "Sophie", "Julie", "Élodie", "Nathalie", "Isabelle", "Marion", "Léa",
                        "Anne", "Hélène", "Céline", "Aurélie", "Sandrine", "Émilie", "Pauline", "Agnès", "Laure"],
        Gender.male: ["Julien", "Nicolas", "Thomas", "Pierre", "François", "Laurent", "Mathieu", "Olivier",
                      "Sébastien", "Antoine", "Vincent", "Guillaume", "Benoît", "Romain", "Damien", "Yannick"],
    },
    "TN": {
        Gender.female: ["Amira", "Leïla", "Sana", "Rim", "Ines", "Mariem", "Nour", "Asma", "Salma", "Olfa", "Wafa",
                        "Emna", "Sonia", "Khadija", "Yosra", "Fatma", "Houda", "Samia"],
        Gender.male: ["Mohamed", "Ahmed", "Youssef", "Karim", "Sami", "Walid", "Hichem", "Anis", "Bilel", "Nizar",
                      "Mehdi", "Slim", "Aymen", "Skander", "Hamza", "Tarek", "Fares", "Mourad"],
    },
}
LAST_NAMES = {
    "FR": ["Martin", "Dubois", "Moreau", "Lefèvre", "Girard", "Bonnet", "Mercier", "Fontaine", "Chevalier",
           "Rousseau", "Blanc", "Guérin", "Perrin", "Morel", "Garnier", "Faure", "Roux", "Lemoine", "Caron",
           "Renaud", "Barbier", "Arnaud", "Brun", "Meunier", "Colin", "Vidal", "Leclerc", "Picard", "Aubert",
           "Marchand"],
    "TN": ["Ben Salem", "Gharbi", "Hammami", "Mejri", "Ayari", "Dridi", "Sassi", "Chaabane", "Ben Ammar", "Khelifi",
           "Mansouri", "Jaziri", "Zouari", "Ben Romdhane", "Hamdi", "Slimani", "Rezgui", "Ferchichi", "Kammoun",
           "Ghanmi", "Baccouche", "Ouertani", "Bouzid", "Ben Hassine", "Maaloul", "Nasri", "Tlili", "Haddad",
           "Amri", "Chérif"],
}


@dataclass(frozen=True)
class DemoLogin:
    """One account a visitor can try, with what it shows."""

    role: str
    email: str
    full_name: str
    organisation: str


@dataclass
class DemoSummary:
    """What the load created, for the command's report."""

    colleges: int = 0
    real_members: int = 0
    fictitious_members: int = 0
    representatives: int = 0
    signatures: int = 0
    active_members: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    passwords_enabled: bool = False


def database_is_empty() -> bool:
    """True when there is neither a member nor a user: only then is demo data added."""
    has_member = db.session.scalar(select(func.count(Member.id))) or 0
    has_user = db.session.scalar(select(func.count(User.id))) or 0
    return not has_member and not has_user


def slug(text: str) -> str:
    """ASCII, lower-case, dash-separated: for e-mail domains and local parts."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _long_date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS_FR[day.month - 1]} {day.year}"


class _People:
    """Draws distinct fictitious people, mostly from the member's country."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_names: set[str] = set()
        self.used_emails: set[str] = set()

    def person(self, country: str) -> tuple[str, Gender]:
        rng = self.rng
        origin = country if rng.random() < 0.8 else ("TN" if country == "FR" else "FR")
        while True:
            gender = rng.choice((Gender.female, Gender.male))
            first = rng.choice(FIRST_NAMES[origin][gender])
            last = rng.choice(LAST_NAMES[rng.choice((origin, origin, country))])
            name = f"{first} {last}"
            if name not in self.used_names:
                self.used_names.add(name)
                shown = Gender.undisclosed if rng.random() < 0.05 else gender
                return name, shown

    def email(self, full_name: str, domain: str) -> str:
        first, _, last = full_name.partition(" ")
        address = f"{slug(first)}.{slug(last)}@{domain}"
        if address in self.used_emails:
            address = f"{slug(first)}.{slug(last)}{len(self.used_emails)}@{domain}"
        self.used_emails.add(address)
        return address


def _phone(country: str, index: int) -> str:
    """Numbers that reach nobody: ARCEP's fiction range in France, a 0 prefix (never used) in Tunisia."""
    if country == "FR":
        return f"+33 1 99 00 {index // 100:02d} {index % 100:02d}"
    return f"+216 00 {index:03d} {100 + index:03d}"


def _transition(member: Member, target: MemberStatus, reason: str, effective: date) -> None:
    """A dated status change in the past, recorded like ``change_status`` but without an acting user."""
    previous = member.status
    member.status = target
    member.status_reason = reason
    member.status_since = effective
    if target == MemberStatus.active and member.admission_date is None:
        member.admission_date = effective
    db.session.add(MemberStatusChange(member=member, from_status=previous, to_status=target, reason=reason,
                                      effective_date=effective))
    db.session.flush()
    audit.record("member.status_changed", "member", member.id, actor=None, before={"status": previous},
                 after={"status": str(target), "reason": reason, "effective_date": effective})


def _colleges() -> dict[str, College]:
    """The seed's colleges, reusing any that already exist with the same code."""
    found: dict[str, College] = {}
    for code, name_fr, name_en, name_ar in COLLEGES:
        college = db.session.scalar(select(College).where(College.code == code))
        if college is None:
            college = save_college(None, actor=None, data={  # type: ignore[arg-type]
                "code": code, "name_fr": name_fr, "name_en": name_en, "name_ar": name_ar,
                "description": COLLEGE_DESCRIPTIONS.get(code, "")})
        found[code] = college
    return found


def _plan_statuses(rng: random.Random) -> tuple[set[str], set[str]]:
    """Acronyms of the applicants and of the suspended members (fictitious ones only)."""
    candidates = [o["acronym"] for o in ORGANISATIONS
                  if o["fictitious"] and o["acronym"] != UNSIGNED_LOGIN_ACRONYM]
    chosen = rng.sample(candidates, APPLICANT_COUNT + len(SUSPENSIONS))
    return set(chosen[:APPLICANT_COUNT]), set(chosen[APPLICANT_COUNT:])


def _create_member(org: dict, index: int, college: College, rng: random.Random, *, applicant: bool) -> Member:
    """Create one member with a plausible, dated history (application, then admission)."""
    domain = f"{slug(org['acronym'])}.example.org"
    data = {"name": org["name"], "acronym": org["acronym"], "kind": org["kind"], "country": org["country"],
            "college_id": college.id, "territory": org["territory"], "email": f"contact@{domain}",
            "phone": _phone(org["country"], index), "website": f"https://{domain}",
            "is_guarantor": org["guarantor"], "is_fictitious": org["fictitious"]}
    founder = org["guarantor"] or (not org["fictitious"] and org["source"] == "003" and rng.random() < 0.5)
    if applicant:
        applied = date(2025, 9, 1) + timedelta(days=rng.randint(0, 85))
        reason = (f"Demande d'adhésion reçue le {_long_date(applied)} ; examen prévu à la prochaine "
                  "Assemblée plénière.")
        member = create_member(actor=None, data=data, status=MemberStatus.applicant, reason=reason)
        _backdate_creation(member, applied)
        return member
    if founder:
        admitted = ADMISSION_ASSEMBLIES[0]
        reason = f"Membre fondateur : Assemblée plénière constitutive du {_long_date(admitted)}."
        member = create_member(actor=None, data=data | {"admission_date": admitted}, status=MemberStatus.active,
                               reason=reason)
        _backdate_creation(member, admitted)
        return member
    admitted = rng.choice(ADMISSION_ASSEMBLIES[1:])
    applied = admitted - timedelta(days=rng.randint(30, 120))
    member = create_member(actor=None, data=data, status=MemberStatus.applicant,
                           reason=f"Demande d'adhésion reçue le {_long_date(applied)}.")
    _backdate_creation(member, applied)
    _transition(member, MemberStatus.active, f"Admission votée par l'Assemblée plénière du {_long_date(admitted)}.",
                admitted)
    return member


def _backdate_creation(member: Member, effective: date) -> None:
    """``create_member`` dates the first history line today; the demo history starts in the past."""
    change = db.session.scalar(select(MemberStatusChange).where(MemberStatusChange.member_id == member.id))
    if change is not None:
        change.effective_date = effective
    member.status_since = effective


def _representatives(member: Member, people: _People, rng: random.Random, *,
                     min_alternates: int = 0) -> list[User]:
    """One delegate and 0–2 alternates, each with an account without password."""
    domain = f"{slug(member.acronym)}.example.org"
    alternates = max(min_alternates, rng.choices((0, 1, 2), weights=(3, 5, 2))[0])
    users: list[User] = []
    for position in range(1 + alternates):
        full_name, gender = people.person(member.country)
        locale = rng.choice(("ar", "fr", "fr")) if member.country == "TN" else "fr"
        users.append(User(email=people.email(full_name, domain), full_name=full_name, gender=gender,
                          kind=UserKind.representative, member=member, is_delegate=position == 0, locale=locale))
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        audit.record("representative.added", "member", member.id, actor=None,
                     after={"user_id": user.id, "email": user.email})
    audit.record("member.delegate_changed", "member", member.id, actor=None,
                 before={"delegate": None}, after={"delegate": users[0].email})
    return users


def _rename(user: User, email: str) -> None:
    """Give a demo login its memorable address (before anything else refers to the old one)."""
    before = user.email
    user.email = email
    user.locale = None  # the visitor sees the default language and can switch
    db.session.flush()
    audit.record("user.updated", "user", user.id, actor=None, before={"email": before}, after={"email": email})


def _staff(full_name: str, email: str, kind: UserKind, gender: Gender, label: str) -> User:
    user = User(email=email, full_name=full_name, kind=kind, gender=gender, organisation_label=label)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", "user", user.id, actor=None,
                 after={"email": email, "full_name": full_name, "kind": str(kind)})
    return user


def load_demo(*, demo_mode: bool, seed: int = SEED) -> DemoSummary:
    """Create the whole demo programme in the current transaction (the caller commits)."""
    rng = random.Random(seed)
    people = _People(rng)
    people.used_names.update({"Amira Jaziri", "Julien Mercier"})
    summary = DemoSummary(passwords_enabled=demo_mode)
    colleges = _colleges()
    summary.colleges = len(colleges)

    secretariat = _staff("Amira Jaziri", "secretariat@demo.example.org", UserKind.secretariat, Gender.female,
                         "Secrétariat du programme (Tunis)")
    _staff("Julien Mercier", "julien.mercier@demo.example.org", UserKind.secretariat, Gender.male,
           "Secrétariat du programme (Paris)")
    ex_officio: list[User] = []
    for position, entry in enumerate(EX_OFFICIO):
        full_name, gender = people.person("FR" if position < 2 else "TN")
        email = "exofficio@demo.example.org" if position == 0 else people.email(full_name, "exofficio.example.org")
        ex_officio.append(_staff(full_name, email, UserKind.ex_officio, gender, entry["name"]))

    applicants, suspended = _plan_statuses(rng)
    members: list[Member] = []
    delegates: dict[int, User] = {}
    login_users: dict[str, tuple[User, Member]] = {}
    for index, org in enumerate(ORGANISATIONS, start=1):
        member = _create_member(org, index, colleges[org["college"]], rng, applicant=org["acronym"] in applicants)
        members.append(member)
        reps = _representatives(member, people, rng,
                                min_alternates=1 if org["acronym"] == SIGNED_LOGIN_ACRONYM else 0)
        delegates[member.id] = reps[0]
        summary.representatives += len(reps)
        if org["acronym"] == SIGNED_LOGIN_ACRONYM:
            login_users["delegate"] = (reps[0], member)
            login_users["alternate"] = (reps[1], member)
        elif org["acronym"] == UNSIGNED_LOGIN_ACRONYM:
            login_users["unsigned"] = (reps[0], member)
    for label, address in (("delegate", "delegate@demo.example.org"), ("alternate", "alternate@demo.example.org"),
                           ("unsigned", "unsigned@demo.example.org")):
        _rename(login_users[label][0], address)

    charter = publish_charter(actor=None, titles=charter_text.TITLES, texts=charter_text.TEXTS)
    charter.published_at = CHARTER_PUBLISHED

    # Who signed: every real active member, and all but ~15% of the active members overall.
    active = [m for m in members if m.acronym not in applicants]
    fictitious_active = [m for m in active if m.is_fictitious and m.acronym not in suspended
                         and m.acronym != UNSIGNED_LOGIN_ACRONYM]
    unsigned_count = max(1, round(UNSIGNED_SHARE * len(active)))
    unsigned = {UNSIGNED_LOGIN_ACRONYM} | {m.acronym for m in rng.sample(fictitious_active, unsigned_count - 1)}
    suspension_plan = dict(zip(sorted(suspended), SUSPENSIONS, strict=True))
    for member in active:
        sign_window = 60 if member.acronym in suspension_plan else 200
        signs = member.acronym not in unsigned and (
            member.acronym not in suspension_plan or member.acronym == min(suspension_plan))
        if signs:
            signed_at = CHARTER_PUBLISHED + timedelta(days=rng.randint(1, sign_window), hours=rng.randint(0, 8),
                                                      minutes=rng.randint(0, 59))
            delegate = delegates[member.id]
            db.session.add(CharterSignature(member=member, charter=charter, signed_by=delegate, signed_at=signed_at))
            db.session.flush()
            audit.record("charter.signed", "member", member.id, actor=delegate,
                         after={"charter_version": charter.version, "signed_by": delegate.email})
            summary.signatures += 1
    for acronym, (effective, reason) in suspension_plan.items():
        member = next(m for m in members if m.acronym == acronym)
        _transition(member, MemberStatus.suspended, reason, effective)

    summary.active_members = sum(1 for m in members if m.status == MemberStatus.active)
    summary.real_members = sum(1 for m in members if not m.is_fictitious)
    summary.fictitious_members = sum(1 for m in members if m.is_fictitious)

    password_hash = hash_password(DEMO_PASSWORD) if demo_mode else None
    logins = [("secretariat", secretariat, "Secrétariat du programme"),
              ("ex-officio", ex_officio[0], ex_officio[0].organisation_label)]
    logins += [(role, user, member.name) for role, (user, member) in
               (("delegate", login_users["delegate"]), ("alternate", login_users["alternate"]),
                ("delegate, charter not signed", login_users["unsigned"]))]
    for role, user, organisation in logins:
        user.password_hash = password_hash
        summary.logins.append(DemoLogin(role=role, email=user.email, full_name=user.full_name,
                                        organisation=organisation))
    db.session.flush()
    load_assemblies(secretariat=secretariat, delegate_member=login_users["delegate"][1], rng=rng)
    load_committee(secretariat=secretariat, rng=rng)
    seed_call, pcpa_call = load_calls(secretariat=secretariat, rng=rng)
    decided_call, _in_review = load_selection(secretariat=secretariat, rules_2014=seed_call.rule_set_version,
                                              rules_2026=pcpa_call.rule_set_version, rng=rng)
    load_grants(secretariat=secretariat, seed_call=seed_call, decided_call=decided_call, rng=rng)
    audit.record("demo.loaded", "programme", None, actor=None, after={
        "colleges": summary.colleges, "members": len(members), "representatives": summary.representatives,
        "signatures": summary.signatures, "demo_passwords": demo_mode})
    return summary
