"""Slowing down password guessing without letting anyone lock a person out.

Two brakes, neither of which ever refuses the right password for an account:

* per account, a **delay** before the password is checked, growing with the wrong passwords typed since the
  last success (``failure_delay``): the right password still signs in, only later;
* per client address, a **limit on failed sign-ins** only (Flask-Limiter with ``deduct_when``): successful
  sign-ins cost nothing, so 70 delegates behind one venue address are not refused for each other's typos.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from flask import Response, current_app
from sqlalchemy import update

from app.auth.models import User
from app.core.timeutil import utcnow
from app.extensions import db, limiter

log = logging.getLogger(__name__)
#: How long wrong passwords for an address without an account are remembered (seconds).
UNKNOWN_MEMORY = 24 * 3600

#: What waits; tests replace it (``monkeypatch.setattr(throttle, "sleep", ...)``) to record instead of wait.
sleep: Callable[[float], None] = time.sleep


def failure_delay(failures: int, *, free: int, step: float, cap: float) -> float:
    """Seconds to wait before checking a password, given the wrong passwords since the last success.

    The first ``free`` failures cost nothing (typos); each one after doubles the wait, starting at
    ``step``, never above ``cap``. Zero ``step`` or ``cap`` turns the delay off.
    """
    beyond = failures - free
    if beyond <= 0 or step <= 0 or cap <= 0:
        return 0.0
    return min(step * 2 ** min(beyond - 1, 32), cap)


def delay_for(failures: int) -> float:
    """``failure_delay`` with the application's settings."""
    config = current_app.config
    return failure_delay(failures, free=int(config["LOGIN_FREE_FAILURES"]),
                         step=float(config["LOGIN_DELAY_STEP"]), cap=float(config["LOGIN_DELAY_MAX"]))


def wait_before_checking(failures: int) -> float:
    """Wait the account's delay (before the check, whatever its outcome, so timing tells nothing)."""
    seconds = delay_for(failures)
    if seconds > 0:
        sleep(seconds)
    return seconds


def record_failure(user: User) -> None:
    """One more wrong password for this account (incremented in SQL: parallel guesses all count)."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_logins=User.failed_logins + 1, last_failed_login_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.expire(user, ["failed_logins", "last_failed_login_at"])


def record_success(user: User) -> None:
    if user.failed_logins or user.last_failed_login_at is not None:
        user.failed_logins = 0
        user.last_failed_login_at = None


def _unknown_key(email: str) -> str:
    return "login-unknown:" + hashlib.sha256(email.encode()).hexdigest()


def unknown_failures(email: str) -> int:
    """Wrong sign-ins for an address that has no account, kept in the limiter's storage (Redis or memory).

    They get the same delay as an account's, so how long a refusal takes does not tell whether the address
    has an account. Nothing is stored in the database for addresses without an account.
    """
    try:
        return int(limiter.storage.get(_unknown_key(email)) or 0)
    except Exception:  # the storage is down: no delay rather than a 500  # noqa: BLE001
        log.warning("sign-in: the limiter storage cannot be read; no delay for an unknown address")
        return 0


def record_unknown_failure(email: str) -> None:
    try:
        limiter.storage.incr(_unknown_key(email), UNKNOWN_MEMORY)
    except Exception:  # noqa: BLE001
        log.warning("sign-in: the limiter storage cannot be written")


def failed_sign_in(response: Response) -> bool:
    """Flask-Limiter ``deduct_when``: only a refused sign-in counts against the address.

    A success redirects (302); a refusal shows the form again (200). A 429 is never counted.
    """
    return response.status_code == 200


def failure_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]
