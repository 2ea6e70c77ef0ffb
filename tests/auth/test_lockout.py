"""Sign-in that cannot be turned against its users (issue 10, section 4).

* Wrong passwords for someone's e-mail, from many addresses, never make the right password refused: the
  account's failures only add a delay (a pure rule, tested as a table), reset by a success.
* Per client address only refused sign-ins count, with room for a venue where 70 delegates share one
  address; a brute force from one address is still stopped.
* Behind a reverse proxy the client's address comes from X-Forwarded-For only when the hops are trusted.
* An unknown e-mail costs the same single Argon2 verification as a known one.
* Redis unreachable: the limits go on in memory, with a logged warning, not a 500.

The delay waits through ``throttle.sleep``; the tests replace it with a recorder (no test sleeps for real
except ``test_the_delay_really_waits``, a tenth of a second).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from limits import parse_many
from sqlalchemy import select

from app.auth import passwords, services, throttle
from app.auth.models import User, UserKind
from app.extensions import db, limiter
from tests import factories
from tests.auth.helpers import extra_app, free_port, user_by_email

TARGET = "target@example.org"
#: Argon2 with the cheapest parameters: the tests sending hundreds of sign-ins stay fast.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every delay the sign-in would have waited, instead of waiting it."""
    recorded: list[float] = []
    monkeypatch.setattr(throttle, "sleep", recorded.append)
    return recorded


@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Cheap Argon2 for every check (the dummy hash included); yields the hash of factories.PASSWORD."""
    monkeypatch.setattr(passwords, "_hasher", CHEAP)
    monkeypatch.setattr(services, "needs_rehash", lambda stored: False)
    passwords._dummy.cache_clear()
    yield CHEAP.hash(factories.PASSWORD)
    passwords._dummy.cache_clear()


def _limited(tmp_path: Path, **overrides: object):  # noqa: ANN202 - a context manager
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", **overrides}
    return extra_app(tmp_path, **settings)


@pytest.fixture
def limited_app(tmp_path: Path) -> Iterator[Flask]:
    """The shipped limits and delays, the limiter on."""
    with _limited(tmp_path) as application:
        limiter.reset()
        with application.app_context():
            factories.user(TARGET, kind=UserKind.ex_officio)
            db.session.commit()
        yield application


def _sign_in(app: Flask, email: str, password: str, address: str = "192.0.2.1", **headers: str) -> int:
    response = app.test_client().post("/login", data={"email": email, "password": password},
                                      environ_base={"REMOTE_ADDR": address}, headers=headers)
    return response.status_code


# The delay rule ---------------------------------------------------------------------------------------

# (failures since the last success, free failures, first step, cap, seconds to wait)
DELAYS = [
    (0, 3, 0.5, 4.0, 0.0),
    (2, 3, 0.5, 4.0, 0.0),
    (3, 3, 0.5, 4.0, 0.0),  # the last free one
    (4, 3, 0.5, 4.0, 0.5),  # the first one that costs
    (5, 3, 0.5, 4.0, 1.0),
    (6, 3, 0.5, 4.0, 2.0),
    (7, 3, 0.5, 4.0, 4.0),  # reaches the cap
    (8, 3, 0.5, 4.0, 4.0),  # and stays there
    (10_000_000, 3, 0.5, 4.0, 4.0),  # no overflow
    (1, 0, 0.5, 4.0, 0.5),  # no free failures
    (6, 3, 0.5, 1.5, 1.5),  # a cap between two steps
    (9, 3, 0.0, 4.0, 0.0),  # step 0: off
    (9, 3, 0.5, 0.0, 0.0),  # cap 0: off
    (-1, 3, 0.5, 4.0, 0.0),
]


@pytest.mark.parametrize(("failures", "free", "step", "cap", "expected"), DELAYS)
def test_failure_delay(failures: int, free: int, step: float, cap: float, expected: float) -> None:
    assert throttle.failure_delay(failures, free=free, step=step, cap=cap) == expected


def test_shipped_delay_settings(app: Flask) -> None:
    config = app.config
    assert (config["LOGIN_FREE_FAILURES"], config["LOGIN_DELAY_STEP"], config["LOGIN_DELAY_MAX"]) == (3, 0.5, 4.0)


# Nobody can lock a person out ----------------------------------------------------------------------------


def test_wrong_passwords_from_many_addresses_do_not_lock_the_person_out(limited_app: Flask,
                                                                       waits: list[float]) -> None:
    """10 wrong passwords for an e-mail from 10 addresses, then the right one from a fresh address: signed in
    (the old per-account limit answered 429 here). Each failure beyond the third made the next check wait
    longer, up to the cap; the right password waited too (the wait comes before the check), then cleared
    the count."""
    for attempt in range(10):
        assert _sign_in(limited_app, TARGET, "a guess", f"198.51.100.{attempt + 1}") == 200
    assert user_by_email(limited_app, TARGET).failed_logins == 10
    assert _sign_in(limited_app, TARGET, factories.PASSWORD, "203.0.113.50") == 302
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]  # before attempts 5..10 and the right one
    user = user_by_email(limited_app, TARGET)
    assert user.failed_logins == 0 and user.last_failed_login_at is None
    waits.clear()
    assert _sign_in(limited_app, TARGET, "one typo") == 200
    assert waits == []  # counted afresh after a success


def test_failures_are_counted_on_the_account(limited_app: Flask, waits: list[float]) -> None:
    before = user_by_email(limited_app, TARGET)
    assert before.failed_logins == 0 and before.last_failed_login_at is None
    assert _sign_in(limited_app, TARGET.upper(), "a guess") == 200
    after = user_by_email(limited_app, TARGET)
    assert after.failed_logins == 1 and after.last_failed_login_at is not None


def test_the_delay_really_waits(tmp_path: Path) -> None:
    """The one test that waits for real: a tenth of a second, after the free failures."""
    with _limited(tmp_path, LOGIN_FREE_FAILURES=1, LOGIN_DELAY_STEP=0.1, LOGIN_DELAY_MAX=0.1) as application:
        with application.app_context():
            factories.user(TARGET, kind=UserKind.ex_officio)
            db.session.commit()
        assert _sign_in(application, TARGET, "a guess") == 200  # free
        started = time.monotonic()
        assert _sign_in(application, TARGET, "a guess") == 200  # one failure: free, no wait
        assert _sign_in(application, TARGET, factories.PASSWORD) == 302  # two failures: waits 0.1 s
        assert time.monotonic() - started >= 0.1


# Per address: refusals only, room for a venue ------------------------------------------------------------


def test_seventy_delegates_behind_one_address_each_mistyping_twice_all_sign_in(
        limited_app: Flask, cheap_hashes: str, waits: list[float]) -> None:
    venue = "203.0.113.7"
    emails = [f"delegate{n}@example.org" for n in range(70)]
    with limited_app.app_context():
        for email in emails:
            factories.user(email, kind=UserKind.ex_officio).password_hash = cheap_hashes
        db.session.commit()
    for email in emails:
        assert _sign_in(limited_app, email, "first typo", venue) == 200
        assert _sign_in(limited_app, email, "second typo", venue) == 200
        assert _sign_in(limited_app, email, factories.PASSWORD, venue) == 302, email
    assert waits == []


def test_a_brute_force_from_one_address_is_stopped(limited_app: Flask, cheap_hashes: str,
                                                    waits: list[float]) -> None:
    allowed = min(item.amount for item in parse_many(limited_app.config["LOGIN_FAILURE_LIMIT"]))
    assert allowed >= 140  # the venue above
    for guess in range(allowed):
        assert _sign_in(limited_app, f"guess{guess}@example.org", "a guess", "192.0.2.66") == 200
    assert _sign_in(limited_app, f"guess{allowed}@example.org", "a guess", "192.0.2.66") == 429
    assert _sign_in(limited_app, TARGET, factories.PASSWORD, "192.0.2.66") == 429
    assert _sign_in(limited_app, TARGET, factories.PASSWORD, "192.0.2.67") == 302


# Behind a reverse proxy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("hops", "separately"), [(1, True), (0, False)], ids=["one trusted proxy", "no proxy"])
def test_clients_behind_the_proxy_are_limited_separately_only_when_the_hop_is_trusted(
        tmp_path: Path, waits: list[float], hops: int, separately: bool) -> None:
    """Every request arrives from the proxy's address (127.0.0.1 here). With PROXY_FIX_X_FOR=1 the client's
    address is read from X-Forwarded-For; with 0 (the default) that header, which anyone can send, is
    ignored: forging it does not escape the limit."""
    with _limited(tmp_path, LOGIN_FAILURE_LIMIT="3 per minute", PROXY_FIX_X_FOR=hops) as application:
        limiter.reset()
        proxy = "127.0.0.1"
        for _ in range(3):
            assert _sign_in(application, TARGET, "a guess", proxy, **{"X-Forwarded-For": "198.51.100.1"}) == 200
        assert _sign_in(application, TARGET, "a guess", proxy, **{"X-Forwarded-For": "198.51.100.1"}) == 429
        other = _sign_in(application, TARGET, "a guess", proxy, **{"X-Forwarded-For": "198.51.100.2"})
        assert other == (200 if separately else 429)


def test_the_client_address_behind_a_trusted_proxy(tmp_path: Path) -> None:
    with extra_app(tmp_path, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1) as application:
        seen: dict[str, object] = {}

        @application.route("/_test/client")
        def client_address() -> str:
            from flask import request

            seen.update(address=request.remote_addr, scheme=request.scheme)
            return "ok"

        application.test_client().get("/_test/client", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                      headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.3",
                                               "X-Forwarded-Proto": "https"})
    # One trusted hop: the last address the proxy appended, not what the client wrote before it.
    assert seen == {"address": "198.51.100.3", "scheme": "https"}


# Unknown e-mails cost the same check --------------------------------------------------------------------


class CountingHasher(PasswordHasher):
    calls = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002 - argon2's name
        type(self).calls += 1
        return super().verify(hash, password)


# (case, e-mail typed, password typed, how the account is set up)
CHECKS = [
    ("right password", "delegate@example.org", factories.PASSWORD, {}),
    ("wrong password", "delegate@example.org", "a guess", {}),
    ("unknown e-mail", "nobody@example.org", "a guess", {}),
    ("closed account", "delegate@example.org", factories.PASSWORD, {"active": False}),
    ("invited, no password yet", "delegate@example.org", "a guess", {"password_hash": None}),
]


@pytest.mark.parametrize(("case", "email", "password", "account"), CHECKS, ids=[c[0] for c in CHECKS])
def test_every_sign_in_runs_exactly_one_password_check(app: Flask, world, monkeypatch: pytest.MonkeyPatch,
                                                       case: str, email: str, password: str,
                                                       account: dict) -> None:
    """Counted, not timed: one Argon2 verification whether or not the e-mail has an account (~105 ms
    against ~9 ms before, which told which addresses exist)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "delegate@example.org"))
        for name, value in account.items():
            setattr(user, name, value)
        db.session.commit()
    counting = CountingHasher()
    CountingHasher.calls = 0
    monkeypatch.setattr(passwords, "_hasher", counting)
    passwords._dummy.cache_clear()
    try:
        passwords._dummy()  # made once, outside the count
        app.test_client().post("/login", data={"email": email, "password": password})
    finally:
        passwords._dummy.cache_clear()
    assert CountingHasher.calls == 1, case


def test_the_dummy_hash_costs_what_a_real_one_does() -> None:
    dummy = passwords._dummy()
    real = passwords.hash_password("any password at all")
    assert dummy.startswith("$argon2id$") and not passwords.needs_rehash(dummy)
    assert dummy.split("$")[2:4] == real.split("$")[2:4]  # same version, memory, time and parallelism


# Redis down -----------------------------------------------------------------------------------------------


def test_sign_in_with_redis_down_falls_back_to_memory_limits(tmp_path: Path, waits: list[float],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """The storage URI points to a port nothing listens on: no 500, a warning in the log, and the limit
    still holds, counted in the worker's memory."""
    down = f"redis://127.0.0.1:{free_port()}"
    with _limited(tmp_path, RATELIMIT_STORAGE_URI=down, LOGIN_FAILURE_LIMIT="3 per minute") as application:
        with application.app_context():
            factories.user(TARGET, kind=UserKind.ex_officio)
            db.session.commit()
        with caplog.at_level(logging.WARNING, logger="flask-limiter"):
            assert _sign_in(application, TARGET, factories.PASSWORD) == 302
            statuses = [_sign_in(application, TARGET, "a guess") for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert any("falling back to in-memory storage" in r.getMessage() and r.levelno == logging.WARNING
                   for r in caplog.records)


def test_limits_are_kept_in_redis_when_it_answers(tmp_path: Path, waits: list[float]) -> None:
    """The recommended production storage: the failures of every worker counted in one place."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    with _limited(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                  LOGIN_FAILURE_LIMIT="2 per minute") as application:
        limiter.reset()
        address = f"192.0.2.{int(time.time()) % 200 + 20}"
        statuses = [_sign_in(application, "nobody@example.org", "a guess", address) for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert limiter._storage_dead is False
        limiter.reset()


def test_an_unknown_address_is_delayed_like_an_account_so_the_wait_tells_nothing(app, monkeypatch) -> None:
    """Wrong sign-ins for an address without an account count too: the fifth waits as an account's would."""
    from app.auth import services, throttle
    from app.extensions import limiter

    waits: list[float] = []
    monkeypatch.setattr(throttle, "sleep", waits.append)
    app.config.update(LOGIN_FREE_FAILURES=3, LOGIN_DELAY_STEP=0.5, LOGIN_DELAY_MAX=4)
    with app.test_request_context("/login", method="POST"):
        limiter.storage.reset()
        for _ in range(6):
            assert services.authenticate("nobody-here@example.org", "wrong password 123") is None
    assert waits == [0.5, 1.0]
