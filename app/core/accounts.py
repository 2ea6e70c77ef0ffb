"""What packages below ``app.auth`` may rely on of an account, without importing ``app.auth``.

A user belongs to a member, so the member register sits below accounts and
never imports ``app.auth.models.User``; it types the people it deals with
(actors, signers, representatives) with this protocol, which ``User`` meets.
"""
from __future__ import annotations

from typing import Protocol


class Account(Protocol):
    """A signed-in person as the lower packages see it (read-only)."""

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def full_name(self) -> str: ...

    @property
    def member_id(self) -> int | None: ...

    @property
    def is_delegate(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...
