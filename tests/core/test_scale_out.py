"""Two app nodes on one database behave as one.

Two real gunicorn servers of ``wsgi:app`` (as in production, configured by environment variables only) share
the test's database (PostgreSQL with ``TEST_DATABASE_URL``, else one SQLite file), Redis as the limiter's
storage, ``SHARED_DIR`` as the shared mount, and ``APP_SECRET_KEY``. A delegate signs in on one node and
keeps going on the other; a ballot confirmed on one is cast on the other and its turnout is seen on both; wrong
passwords typed on either node count against one limit; a document uploaded through one is downloaded
from the other. The servers start once for the module.
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import redis

from app import create_app
from app.extensions import db
from tests import factories
from tests.assembly.test_board_routes import build_vote
from tests.conftest import test_settings as settings_for
from tests.pg_scratch import scratch_postgres

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"
FAILURE_LIMIT = 4


class _Inputs(HTMLParser):
    """Every ``<input name=... value=...>`` of a page (the last one of a name wins)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") and found.get("type") != "radio":
            self.values[found["name"]] = found.get("value") or ""


def inputs(page: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(page)
    return parser.values


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


@dataclass
class Browser:
    """One person's browser: one cookie jar for every node (cookies ignore the port, as behind one proxy)."""

    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, url: str, data: dict[str, str] | None = None, *, files: dict[str, tuple[str, bytes]] | None = None
                ) -> tuple[int, bytes]:
        body, headers = None, {}
        if files is not None:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in (data or {}).items()]
            for name, (filename, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
                             f'\r\nContent-Type: application/octet-stream\r\n\r\n'.encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def get(self, url: str) -> tuple[int, str]:
        status, body = self.request(url)
        return status, body.decode("utf-8", "replace")

    def post_form(self, page_url: str, url: str, data: dict[str, str], **kwargs: object) -> tuple[int, bytes]:
        """Post ``data`` with the CSRF token of the form at ``page_url``."""
        status, page = self.get(page_url)
        assert status == 200, (page_url, status)
        return self.request(url, {"csrf_token": inputs(page)["csrf_token"], **data}, **kwargs)  # type: ignore[arg-type]

    def sign_in(self, node: str, email: str, password: str = factories.PASSWORD) -> int:
        return self.post_form(f"{node}/login", f"{node}/login", {"email": email, "password": password})[0]


@dataclass
class Cluster:
    nodes: list[str]
    vote_id: int
    assembly_id: int
    voters: list[str]
    secretariat: str
    key_prefix: str
    shared: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"the server did not answer at {url}: {log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("TEST_DATABASE_URL"):
        with scratch_postgres("scale") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('scale') / 'shared.sqlite'}"


@pytest.fixture(scope="module")
def cluster(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    tmp = tmp_path_factory.mktemp("nodes")
    seeder = create_app(settings_for(tmp, SQLALCHEMY_DATABASE_URI=database))
    with seeder.app_context():
        db.create_all()
    built = build_vote(seeder, prefix="Scale", abstainers=3, close=False)
    with seeder.app_context():
        db.session.remove()
        db.engine.dispose()
    prefix = f"scale-out-{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("APP_") and k not in {"DATABASE_URL",
                                                                                          "TEST_DATABASE_URL"}}
    env.update(DATABASE_URL=database, APP_SECRET_KEY=json.dumps(uuid.uuid4().hex), APP_SHARED_DIR=json.dumps(str(tmp / "shared")),
               APP_RATELIMIT_STORAGE_URI=json.dumps(REDIS_URL), APP_RATELIMIT_KEY_PREFIX=json.dumps(prefix),
               APP_LOGIN_FAILURE_LIMIT=json.dumps(f"{FAILURE_LIMIT} per hour"), APP_LOGIN_DELAY_STEP="0",
               APP_LOGIN_RATE_LIMIT=json.dumps("1000 per minute"))
    processes, nodes = [], []
    try:
        for i in range(2):
            port = _free_port()
            log = tmp / f"node{i}.log"
            process = subprocess.Popen(
                [str(ROOT / ".venv/bin/gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
            processes.append(process)
            nodes.append(f"http://127.0.0.1:{port}")
            _wait_until_up(nodes[-1], process, log)
        yield Cluster(nodes, built.vote_id, built.assembly_id, voters=list(built.emails.values()),
                      secretariat="sec-scale@example.org", key_prefix=prefix,
                      shared=tmp / "shared")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


def _turnout(browser: Browser, node: str, vote_id: int) -> int:
    status, body = browser.get(f"{node}/votes/{vote_id}/turnout.json")
    assert status == 200, body
    return json.loads(body)["turnout"]


def test_a_ballot_confirmed_on_one_node_is_cast_on_the_other_and_counted_on_both(cluster: Cluster) -> None:
    a, b = cluster.nodes
    observer = Browser()
    assert observer.sign_in(a, cluster.secretariat) == 302
    before = _turnout(observer, a, cluster.vote_id)
    assert _turnout(observer, b, cluster.vote_id) == before

    delegate = Browser()
    email = cluster.voters[-1]  # one of the members that had not voted
    assert delegate.sign_in(a, email) == 302
    status, page = delegate.get(f"{b}/votes/{cluster.vote_id}")  # signed in on A, known on B
    assert status == 200
    member_id = inputs(page)["member_id"]
    status, confirm = delegate.post_form(f"{b}/votes/{cluster.vote_id}", f"{b}/votes/{cluster.vote_id}/confirm",
                                         {"member_id": member_id, "choice": "for"})
    assert status == 200, confirm[:2000]
    fields = inputs(confirm.decode())
    assert fields["tracker"] and fields["mac"]
    status, cast = delegate.request(f"{a}/votes/{cluster.vote_id}/cast", {
        key: fields[key] for key in ("csrf_token", "member_id", "choice", "tracker", "mac")})
    assert status == 200 and fields["tracker"].encode() in cast, cast[:2000]

    assert _turnout(observer, b, cluster.vote_id) == before + 1
    assert _turnout(observer, a, cluster.vote_id) == before + 1
    # A second cast for the same member, through the other node, is refused.
    status, again = delegate.request(f"{b}/votes/{cluster.vote_id}/cast", {
        key: fields[key] for key in ("csrf_token", "member_id", "choice", "tracker", "mac")})
    assert status == 302
    assert _turnout(observer, a, cluster.vote_id) == before + 1


def test_wrong_passwords_on_either_node_count_against_one_limit(cluster: Cluster) -> None:
    a, b = cluster.nodes
    guesser = Browser()
    store = redis.Redis.from_url(REDIS_URL)
    try:
        for i in range(FAILURE_LIMIT):
            status = guesser.sign_in((a, b)[i % 2], "nobody@example.org", "wrong password 1")
            assert status == 200, i  # the form again, with its message
        assert guesser.sign_in(a, "nobody@example.org", "wrong password 2") == 429
        assert guesser.sign_in(b, "nobody@example.org", "wrong password 3") == 429
        assert any(store.scan_iter(f"*{cluster.key_prefix}*"))  # counted in Redis, not in a node's memory
    finally:  # the other tests sign in from the same address
        for key in store.scan_iter(f"*{cluster.key_prefix}*"):
            store.delete(key)


def test_a_document_uploaded_through_one_node_downloads_from_the_other(cluster: Cluster) -> None:
    a, b = cluster.nodes
    secretariat = Browser()
    assert secretariat.sign_in(b, cluster.secretariat) == 302
    content = b"%PDF-1.4\n% ordre du jour\n" + uuid.uuid4().hex.encode() + b"\n%%EOF\n"
    page = f"{a}/assemblies/{cluster.assembly_id}/documents/new"
    status, body = secretariat.post_form(page, page, {"title": "Ordre du jour", "source_locale": "fr"},
                                         files={"file": ("ordre-du-jour.pdf", content)})
    assert status == 302, body[:3000]
    status, detail = secretariat.get(f"{b}/assemblies/{cluster.assembly_id}")
    assert status == 200
    link = next(part.split('"')[0] for part in detail.split(f'href="/assemblies/{cluster.assembly_id}/documents/')[1:]
                if part.split('"')[0].isdigit())
    status, downloaded = secretariat.request(f"{b}/assemblies/{cluster.assembly_id}/documents/{link}")
    assert status == 200 and downloaded == content
    # Kept under SHARED_DIR (the mount every node has), not on the disk of the node that took it.
    assert [f.read_bytes() for f in (cluster.shared / "documents").iterdir()] == [content]
