"""The date of a sitting: a future one is convened; a past one only recorded afterwards, on purpose.

A programme sometimes holds a sitting on paper and enters it later from its
minutes. The statutory notice period is about a convocation sent *before* the
sitting: it cannot apply to a sitting that already took place, so such a
sitting is never convened (no convocation is sent) and the audit entry says why.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class DateCheck(StrEnum):
    """What the date of a sitting allows."""

    #: In the future: convened with the usual notice (the convene step warns when the notice is short).
    future = "future"
    #: In the past and the secretariat confirmed that it records a sitting already held.
    recorded_afterwards = "recorded_afterwards"
    #: In the past without that confirmation: refused, with how to proceed.
    past_unconfirmed = "past_unconfirmed"
    #: Confirmed as recorded afterwards but dated in the future: a contradiction, refused.
    future_but_recorded = "future_but_recorded"
    #: A date already saved and not changed: kept as it is (editing other fields of a past sitting).
    unchanged = "unchanged"


def check_sitting_date(starts_at: datetime, *, now: datetime, previous: datetime | None = None,
                       recorded_afterwards: bool = False) -> DateCheck:
    """Classify a sitting's date. ``now`` itself counts as past: a sitting starting now cannot be convened."""
    if previous is not None and starts_at == previous.replace(second=0, microsecond=0) and not recorded_afterwards:
        return DateCheck.unchanged
    if starts_at <= now:
        return DateCheck.recorded_afterwards if recorded_afterwards else DateCheck.past_unconfirmed
    return DateCheck.future_but_recorded if recorded_afterwards else DateCheck.future


def refusal_message(check: DateCheck) -> str | None:
    """The message shown at the date field, or None when the date is accepted."""
    if check == DateCheck.past_unconfirmed:
        return str(_l("The date is in the past. If this sitting has already taken place, tick “This sitting has "
                      "already taken place: I am recording it afterwards” and save again."))
    if check == DateCheck.future_but_recorded:
        return str(_l("A sitting recorded afterwards has already taken place: enter its past date, or untick "
                      "“recorded afterwards” to convene a future sitting."))
    return None


def notice_applies(starts_at: datetime, *, now: datetime) -> bool:
    """The statutory notice counts days between convocation and sitting: only a future sitting has any."""
    return starts_at > now

