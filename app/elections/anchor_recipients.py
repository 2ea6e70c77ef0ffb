"""Who keeps the audit log's anchor: the ex-officio members and the guarantor (``app.core.anchor``).

Core sends the signed head but cannot know the committee; elections, which
holds the seats, registers this source from ``init_app``. The recipients are
accounts: every active ex-officio account, and the active representatives of
the guarantor — the member flagged as guarantor and whichever member holds a
current guarantor's seat.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.auth.models import User, UserKind
from app.core.anchor import Recipient, register_recipients
from app.core.timeutil import utcnow
from app.elections.models import Mandate, MandateKind
from app.extensions import db
from app.members.models import Member


def guarantor_member_ids() -> list[int]:
    """The member flagged as guarantor and the members holding a current guarantor's seat."""
    today = utcnow().date()
    seat_holders = select(Mandate.member_id).where(
        Mandate.kind == MandateKind.guarantor, Mandate.member_id.is_not(None), Mandate.starts_on <= today,
        Mandate.ends_on > today, or_(Mandate.ended_on.is_(None), Mandate.ended_on > today))
    flagged = select(Member.id).where(Member.is_guarantor.is_(True))
    return sorted(set(db.session.scalars(seat_holders)) | set(db.session.scalars(flagged)))


def anchor_recipients() -> list[Recipient]:
    """Active ex-officio accounts and the guarantor's active representatives (two queries)."""
    out = [Recipient(u.email, u.full_name, _l("ex-officio member (%(org)s)", org=u.organisation_label or "—"),
                     u.locale)
           for u in db.session.scalars(select(User).where(User.kind == UserKind.ex_officio, User.active.is_(True))
                                       .order_by(User.id))]
    guarantors = guarantor_member_ids()
    if guarantors:
        rows = db.session.execute(select(User, Member.name).join(Member, Member.id == User.member_id)
                                  .where(User.member_id.in_(guarantors), User.active.is_(True)).order_by(User.id))
        out += [Recipient(u.email, u.full_name, _l("representative of the guarantor (%(member)s)", member=name),
                          u.locale) for u, name in rows]
    return out


def register() -> None:
    register_recipients("elections.committee", anchor_recipients)
