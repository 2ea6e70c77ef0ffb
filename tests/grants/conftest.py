"""Fixtures of the grants tests: the calls tests' ``session`` (a request context on top of the world, English
messages) and ``wide_app`` (a pool wide enough for the threads of a race)."""
from __future__ import annotations

from tests.calls.conftest import session, wide_app  # noqa: F401  (fixtures)
