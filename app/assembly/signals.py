"""Signals the assembly sends so that higher packages react without being imported here.

``resolution_decided`` is sent by ``voting.close_vote`` once a resolution's vote
is counted, in the same transaction (receivers flush, never commit), with
``vote`` and ``resolution`` and ``result`` (the published result dict, whose
``outcome`` is ``adopted``, ``rejected`` or ``no_quorum``). The calls package
listens to it to adopt the rule-set version put to that resolution.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

resolution_decided = _signals.signal("resolution-decided")
