"""Demo assemblies: last June's ordinary assembly (closed, with results and boards)
and an extraordinary assembly in session today (whatever day the demo is loaded): convened three weeks
ago, attendance recorded and its quorum reached, a proxy, and a vote open since this morning that part
of those present have already cast.

The agenda follows the seed: the seven shared challenges adopted by the
assembly of members, and the statutes' bodies (seed 003).
"""
from __future__ import annotations

import math
import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, select

from app.assembly import services, voting
from app.assembly.models import AgendaItem, Assembly, AssemblyKind, AssemblyStatus, PresenceStatus, Vote, VoteElector
from app.auth.models import User
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db
from app.members.models import Member, MemberStatus

#: When the sitting in session opens, in UTC (morning in Tunis and Paris), and its vote's length.
SESSION_OPENS = time(8, 0)
VOTE_HOURS = 10
#: Share of the active members present at the sitting in session (the quorum is half of them).
PRESENT_SHARE = 0.72
#: Share of those present (proxies held included) whose ballots are already in when the demo opens.
ALREADY_CAST = 0.5
#: The attendance and early ballots draw from their own generator, so the rest of the demo draws the same
#: numbers as before (its calls, election and grants do not move when the sitting changes).
SITTING_SEED = 20261201

CHALLENGES_TEXT = (
    "L'Assemblée des membres adopte les sept défis communs du programme pour les dix ans à venir :\n"
    "1. Faire évoluer le modèle d'éducation pour y intégrer davantage la citoyenneté, la lutte contre les "
    "discriminations, les droits humains, l'écologie et le genre.\n"
    "2. Favoriser le lien entre l'éducation formelle, informelle et non-formelle à travers le renforcement des "
    "associations d'éducation populaire.\n"
    "3. Renforcer l'égalité des droits pour permettre un meilleur accès pour tous à l'éducation.\n"
    "4. Contribuer à l'élaboration et l'application d'une loi sur l'économie sociale et solidaire.\n"
    "5. Contribuer à promouvoir l'emploi décent et durable en adéquation avec les enjeux territoriaux.\n"
    "6. Contribuer à améliorer l'employabilité des demandeurs d'emploi pour faciliter le lien entre l'offre "
    "et la demande.\n"
    "7. Diffuser et inspirer une méthode de travail PCPA à l'échelle nationale."
)


def _resolution(item: AgendaItem, actor: User, *, title_fr: str, title_en: str, title_ar: str, text_fr: str,
                preset: tuple[str, str], double: bool = False, secret: bool = True, text_en: str = "",
                text_ar: str = ""):  # noqa: ANN202
    return services.save_resolution(item, None, actor=actor, data={
        "title_fr": title_fr, "title_en": title_en, "title_ar": title_ar, "text_fr": text_fr, "text_en": text_en,
        "text_ar": text_ar,
        "majority_base": preset[0], "threshold": preset[1], "double_majority": double, "secret": secret})


#: A text as (French original, English, Arabic): the demo reads in each of the three languages.
Texts = tuple[str, str, str]


def _translations(english: str, arabic: str) -> dict[str, str]:
    return {"en": english, "ar": arabic}


def _assembly(actor: User, *, title: Texts, kind: AssemblyKind, starts_at: datetime, place: str,
              items: list[Texts]) -> Assembly:
    assembly = services.create_assembly(actor=actor, data={
        "title": title[0], "kind": kind, "starts_at": starts_at, "place": place, "online": True,
        "source_locale": "fr", "translations": {"title": _translations(*title[1:])}})
    for item_title in items:
        services.add_agenda_item(assembly, actor=actor, title=item_title[0], source_locale="fr",
                                 translations={"title": _translations(*item_title[1:])})
    db.session.flush()
    db.session.refresh(assembly)
    return assembly


def _cast_all(vote_id: int, rng: random.Random, weights: tuple[int, int, int], share: float,
              only: set[int] | None = None) -> None:
    """Cast for a share of the frozen electorate (of ``only`` those members when given), as each member's
    delegate (or proxy holder's)."""
    rows = db.session.execute(select(VoteElector.member_id, VoteElector.proxy_holder_id)
                              .where(VoteElector.vote_id == vote_id).order_by(VoteElector.member_id)).all()
    delegates = {u.member_id: u for u in db.session.scalars(select(User).where(User.is_delegate.is_(True)))}
    for member_id, holder in rows:
        if only is not None and member_id not in only:
            continue
        if rng.random() > share:
            continue
        actor = delegates.get(holder or member_id)
        if actor is None:
            continue
        choice = rng.choices(("for", "against", "abstain"), weights=weights)[0]
        voting.cast(vote_id, member_id, choice, actor=actor)


def demo_now() -> datetime:
    """The demo's "now": the sitting in session is dated from it (tests freeze it)."""
    return utcnow()


def session_start(now: datetime) -> datetime:
    """The sitting's opening: today at ``SESSION_OPENS`` (UTC), or earlier today when the demo is loaded
    before that hour; never before midnight, never after ``now``."""
    midnight = datetime.combine(now.date(), time(0, 0), tzinfo=UTC)
    opens = datetime.combine(now.date(), SESSION_OPENS, tzinfo=UTC)
    return max(midnight, min(opens, now - timedelta(minutes=30)))


def _sitting_today(assembly: Assembly, vote: Vote, *, secretariat: User, holder: Member, giver: Member,
                   active: list[Member], now: datetime) -> None:
    """Attendance recorded as at the door (the giver represented, ``PRESENT_SHARE`` present, the demo
    delegate's organisation among them), part of the room has voted, and the dates say "today"."""
    local = random.Random(SITTING_SEED)
    others = [m for m in active if m.id not in (holder.id, giver.id)]
    local.shuffle(others)
    present = [holder, *others[:max(0, math.ceil(PRESENT_SHARE * len(active)) - 1)]]
    for member in sorted(present, key=lambda m: m.id):
        services.set_presence(assembly, member, actor=secretariat, status=PresenceStatus.present)
    services.set_presence(assembly, giver, actor=secretariat, status=PresenceStatus.represented)
    # Early ballots from the room, not from the demo delegate (its two ballots are left for the demo).
    voters = {m.id for m in present[1:] if local.random() < ALREADY_CAST}
    _cast_all(vote.id, local, (12, 3, 2), share=1.0, only=voters)
    opened = session_start(now)
    assembly.starts_at, assembly.convened_at = opened, opened - timedelta(days=21)
    assembly.created_at = opened - timedelta(days=30)
    vote.opened_at = min(opened + timedelta(minutes=30), now)
    vote.closes_at = max(opened + timedelta(hours=VOTE_HOURS), now + timedelta(hours=4))


def load_assemblies(*, secretariat: User, delegate_member: Member, rng: random.Random) -> None:
    """Both demo assemblies, through the same services the pages use."""
    now = utcnow()
    outbox_before = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    active = list(db.session.scalars(select(Member).where(Member.status == MemberStatus.active)
                                     .order_by(Member.id)))

    # 1. Last ordinary assembly: closed, two resolutions counted.
    past = _assembly(secretariat, title=("Assemblée plénière ordinaire 2026", "2026 ordinary plenary assembly",
                                         "الجمعية العامة العادية لسنة 2026"),
                     kind=AssemblyKind.ordinary, starts_at=now + timedelta(days=16),
                     place="Tunis, Maison des associations",
                     items=[("Rapport moral et financier 2025", "2025 activity and financial report",
                             "التقرير الأدبي والمالي لسنة 2025"),
                            ("Les sept défis communs du programme", "The programme's seven shared challenges",
                             "التحديات السبعة المشتركة للبرنامج")])
    services.convene(past, actor=secretariat)
    for member in active:
        status = PresenceStatus.present if rng.random() < 0.7 else PresenceStatus.absent
        if status == PresenceStatus.present:
            services.set_presence(past, member, actor=secretariat, status=status)
    report = _resolution(past.agenda[0], secretariat, title_fr="Approbation du rapport moral et financier 2025",
                         title_en="Approval of the 2025 activity and financial report",
                         title_ar="المصادقة على التقرير الأدبي والمالي لسنة 2025",
                         text_fr="L'Assemblée approuve le rapport moral et financier de l'exercice 2025.",
                         preset=("expressed", "half"), secret=False)
    challenges = _resolution(past.agenda[1], secretariat, title_fr="Adoption des sept défis communs",
                             title_en="Adoption of the seven shared challenges",
                             title_ar="اعتماد التحديات السبعة المشتركة", text_fr=CHALLENGES_TEXT,
                             preset=("expressed", "two_thirds"), double=True)
    for resolution, weights in ((report, (8, 1, 1)), (challenges, (14, 1, 2))):
        voting.open_vote(resolution.vote, actor=secretariat, closes_at=now + timedelta(hours=2))
        _cast_all(resolution.vote_id, rng, weights, share=0.8)
        voting.close_vote(resolution.vote, actor=secretariat)
    services.close_assembly(past, actor=secretariat)
    # Dated in the past, as it happened (the services stamp "now").
    held = datetime(2026, 6, 13, 9, 0, tzinfo=UTC)
    past.starts_at, past.convened_at = held, held - timedelta(days=21)
    for resolution in (report, challenges):
        resolution.vote.opened_at = held + timedelta(hours=2)
        resolution.vote.closes_at = resolution.vote.closed_at = held + timedelta(hours=3)

    # 2. Extraordinary assembly in session today: a proxy to the demo delegate's member, attendance, one vote
    # open. Made through the services (which want a future date), then dated today. (The rules of the calls
    # for projects are adopted by their own counted vote, ``app/demo/calls.py``.)
    coming = _assembly(secretariat, title=("Assemblée plénière extraordinaire — budget 2027 du programme",
                                           "Extraordinary plenary assembly — the programme's 2027 budget",
                                           "الجمعية العامة الاستثنائية — ميزانية البرنامج لسنة 2027"),
                       kind=AssemblyKind.extraordinary, starts_at=now + timedelta(days=20),
                       place="Paris, Maison des initiatives étudiantes",
                       items=[("Budget 2027 du programme", "The programme's 2027 budget",
                               "ميزانية البرنامج لسنة 2027"),
                              ("Calendrier des élections du comité", "Timetable of the committee elections",
                               "رزنامة انتخابات اللجنة")])
    services.convene(coming, actor=secretariat)
    giver = next(m for m in active if m.id != delegate_member.id and m.college_id == delegate_member.college_id)
    giver_delegate = db.session.scalar(select(User).where(User.member_id == giver.id, User.is_delegate.is_(True)))
    services.give_proxy(coming, actor=giver_delegate, giver=giver, holder=delegate_member)
    budget = _resolution(coming.agenda[0], secretariat, title_fr="Adoption du budget 2027 du programme",
                         title_en="Adoption of the programme's 2027 budget",
                         title_ar="اعتماد ميزانية البرنامج لسنة 2027",
                         text_fr="L'Assemblée adopte le budget 2027 du programme présenté par le comité de pilotage : "
                                 "fonctionnement du secrétariat, animation des instances et enveloppe des appels à "
                                 "projets.",
                         text_en="The Assembly adopts the programme's 2027 budget presented by the steering committee: "
                                 "running the secretariat, facilitating the governing bodies and the envelope of the "
                                 "calls for projects.",
                         text_ar="تعتمد الجمعية ميزانية البرنامج لسنة 2027 التي قدمتها لجنة القيادة: تسيير الكتابة "
                                 "القارة، وتنشيط الهيئات، والمبلغ المخصص لطلبات المشاريع.",
                         preset=("expressed", "two_thirds"))
    _resolution(coming.agenda[1], secretariat, title_fr="Calendrier des élections du comité de pilotage",
                title_en="Timetable of the steering-committee elections",
                title_ar="رزنامة انتخابات لجنة القيادة", text_fr="", preset=("expressed", "half"))
    voting.open_vote(budget.vote, actor=secretariat, closes_at=now + timedelta(days=20, hours=4))
    _sitting_today(coming, budget.vote, secretariat=secretariat, holder=delegate_member, giver=giver,
                   active=active, now=demo_now())
    # The demo's mail history stays short: only what a user would act on remains in the outbox.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    assert coming.status == AssemblyStatus.in_session
    assert services.presence_summary(coming).quorum_reached, "the demo sitting must reach its quorum"
