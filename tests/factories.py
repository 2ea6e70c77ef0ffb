"""Small builders for tests: colleges, members, users per role."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from app.auth.models import Gender, User, UserKind
from app.auth.passwords import hash_password
from app.extensions import db
from app.members.models import Charter, CharterSignature, College, Member, MemberStatus
from app.members.rules import name_key

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)  # hashed once: Argon2 is slow on purpose
_seq = count(1)


def college(code: str = "cs-fr", name: str = "Société civile française") -> College:
    item = db.session.query(College).filter_by(code=code).one_or_none()
    if item is None:
        item = College(code=code, name_fr=name, name_en=name, name_ar=name)
        db.session.add(item)
        db.session.flush()
    return item


def member(name: str | None = None, *, country: str = "FR", college_code: str = "cs-fr",
           status: MemberStatus = MemberStatus.active, kind: str = "association") -> Member:
    name = name or f"Association {next(_seq)}"
    item = Member(name=name, name_key=name_key(name), acronym=name[:6].upper(), kind=kind, country=country,
                  college=college(college_code), status=status, territory="Tunis" if country == "TN" else "Paris")
    db.session.add(item)
    db.session.flush()
    return item


def user(email: str, *, kind: UserKind = UserKind.representative, member: Member | None = None,
         delegate: bool = False, name: str | None = None) -> User:
    item = User(email=email, full_name=name or email.split("@")[0].title(), kind=kind, member=member,
                is_delegate=delegate, password_hash=_HASH, gender=Gender.undisclosed)
    db.session.add(item)
    db.session.flush()
    return item


def charter(version: int = 1) -> Charter:
    item = Charter(version=version, title_fr="Charte", title_en="Charter", title_ar="الميثاق",
                   text_fr="Texte de la charte", text_en="Charter text", text_ar="نص الميثاق")
    db.session.add(item)
    db.session.flush()
    return item


def sign(member_: Member, charter_: Charter, by: User) -> CharterSignature:
    item = CharterSignature(member=member_, charter=charter_, signed_by=by)
    db.session.add(item)
    db.session.flush()
    return item


@dataclass
class World:
    """Ids of the objects ``build_world`` made (safe to use outside the session)."""

    member_id: int
    other_member_id: int
    charter_id: int
    emails: dict[str, str]


ROLES = ("anonymous", "delegate", "alternate", "ex_officio", "secretariat")


def build_world() -> World:
    """A secretariat user, an ex-officio user, a member with a delegate and an alternate,
    a second member with its own delegate, and a published charter."""
    own = member("Association des Jeunes de Gafsa", country="TN", college_code="cs-tn")
    other = member("Collectif Solidaire de Nantes")
    text_charter = charter()
    emails = {
        "secretariat": "secretariat@example.org",
        "ex_officio": "funder@example.org",
        "delegate": "delegate@example.org",
        "alternate": "alternate@example.org",
        "other_delegate": "other@example.org",
    }
    user(emails["secretariat"], kind=UserKind.secretariat)
    user(emails["ex_officio"], kind=UserKind.ex_officio)
    user(emails["delegate"], member=own, delegate=True)
    user(emails["alternate"], member=own)
    user(emails["other_delegate"], member=other, delegate=True)
    return World(member_id=own.id, other_member_id=other.id, charter_id=text_charter.id, emails=emails)


# Plenary assembly ----------------------------------------------------------------

def voters(count_: int, *, charter_: Charter | None = None, college_code: str = "cs-fr", country: str = "FR",
           prefix: str = "Voter") -> list[Member]:
    """``count_`` active members, each with a delegate (``<prefix>-<i>@example.org``) that signed the charter."""
    charter_ = charter_ or db.session.query(Charter).order_by(Charter.version.desc()).first() or charter()
    made = []
    for i in range(count_):
        item = member(f"{prefix} {college_code} {i}", country=country, college_code=college_code)
        delegate = user(f"{prefix.lower()}-{college_code}-{i}@example.org", member=item, delegate=True)
        sign(item, charter_, delegate)
        made.append(item)
    return made


def assembly(*, title: str = "Assemblée plénière ordinaire", days_ahead: int = 30, convened: bool = True,
             max_proxies: int = 1, quorum: tuple[int, int] = (1, 2)):  # noqa: ANN201
    from datetime import timedelta

    from app.assembly.models import AgendaItem, Assembly, AssemblyStatus
    from app.core.timeutil import utcnow

    item = Assembly(title=title, starts_at=utcnow() + timedelta(days=days_ahead), max_proxies=max_proxies,
                    quorum_num=quorum[0], quorum_den=quorum[1],
                    status=AssemblyStatus.convened if convened else AssemblyStatus.draft)
    db.session.add(item)
    db.session.add(AgendaItem(assembly=item, position=1, title="Rapport moral"))
    db.session.flush()
    return item


def resolution(assembly_, *, title: str = "Approbation du rapport moral", base: str = "expressed",
               threshold: str = "half", double: bool = False, secret: bool = True):  # noqa: ANN201
    from app.assembly.models import Resolution, Vote

    vote = Vote(assembly_id=assembly_.id, kind="resolution", secret=secret, per_college=double)
    item = Resolution(agenda_item=assembly_.agenda[0], vote=vote, title_fr=title, title_en=title, title_ar=title,
                      majority_base=base, threshold=threshold, double_majority=double)
    db.session.add(item)
    db.session.flush()
    return item
