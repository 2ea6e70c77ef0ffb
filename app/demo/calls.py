"""Demo calls for projects: the programme's seven challenges, then its two calls, each in its own module:

- ``app/demo/seed_call.py``: the seed's call "Coopérer autrement en acteurs de changement" (seed 002) with
  its nine funded projects under the "Règlement 2014", now decided through the selection services;
- ``app/demo/pcpa_call.py``: the current PCPA call, open, under a rule set the steering committee amended
  and the assembly adopted by a counted vote.

Their shared steps (opening a call, filling proposals as the delegates would, adopting a rule set by an
assembly's counted vote, dating) are in ``app/demo/call_helpers.py``, which the demo selection uses too.

Everything goes through the services the pages use (rule sets, amendments, freeze, the assembly's votes
and their adoption hook, calls, proposals, submission, instruction), then the dates are set to when it
happened. ``load_calls`` creates the challenges, then the seed's call, then the PCPA call: both calls draw
from the one ``rng`` in that order, so the demo stays deterministic. It then removes the e-mails queued.
"""
from __future__ import annotations

import random

from sqlalchemy import delete, select

from app.auth.models import User
from app.calls import services
from app.calls.models import Call, Challenge
from app.core.models import OutboxMessage
from app.demo.calls_data import CHALLENGES, THEMES
from app.demo.pcpa_call import load_pcpa_call
from app.demo.seed_call import load_seed_call
from app.extensions import db


def load_challenges(actor: User) -> dict[str, Challenge]:
    """The seven challenges, through the secretariat's service (codes EDU-1 … CON-1)."""
    found: dict[str, Challenge] = {}
    for position, (code, theme, fr, en, ar) in enumerate(CHALLENGES, start=1):
        theme_fr, theme_en, theme_ar = THEMES[theme]
        found[code] = services.create_challenge(actor=actor, data={
            "code": code, "position": position, "theme_fr": theme_fr, "theme_en": theme_en, "theme_ar": theme_ar,
            "title_fr": fr, "title_en": en, "title_ar": ar, "active": True})
    return found


def load_calls(*, secretariat: User, rng: random.Random) -> tuple[Call, Call]:
    """The challenges, the seed's call and the PCPA call (after the committee and the assemblies exist)."""
    outbox_before = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    challenges = load_challenges(secretariat)
    seed_call = load_seed_call(secretariat=secretariat, challenges=challenges, rng=rng)
    pcpa_call = load_pcpa_call(secretariat=secretariat, challenges=challenges, rng=rng)
    # The demo's mail history stays short (as for the assemblies).
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.flush()
    return seed_call, pcpa_call
