"""Cast benchmark (issue 3): the real cast endpoint under load, against the floor, plus seal and recount.

One command (``make bench``) on PostgreSQL at 127.0.0.1 with trust auth, in this order:

1. ``pcpa_bench_long``: fresh database with enough delegates for every steady run
   (450 per second of load), one open vote. Then, in turns, the app's cast
   endpoint and the floor (``/work/shared/bench/bare_cast.py`` against
   ``limitbench``, its own ``cast.lua``), both with the floor's wrk settings
   (``-t2 -c32 -d15s``) and the same gunicorn settings, ``--rounds`` times (3):
   the other sessions' tests share this machine, so single runs are noisy. No
   delegate casts twice. CPU time is counted per process group during every run.
2. ``pcpa_bench``: fresh database, 2,000 active members with a delegate each, the
   charter signed, a convened assembly, two votes opened with ``voting.open_vote``.
   On the smoke vote 3 delegates cast through gunicorn with ``urllib`` (200 with the receipt,
   the ballot written); then wrk sends 2,000 casts at 32 connections on the other
   vote, each delegate exactly once, and stops. Afterwards: exactly 2,000 ballots
   and 2,000 participations, every answer a 200 with the receipt.
3. ``pcpa_bench_seal``: 100,000 ballots (with their participations and electors)
   for one vote; time ``voting.close_vote`` (seal and count), the board export
   and the recount of the exported file.

Sessions are not made through the sign-in form (Argon2 would be the benchmark):
each delegate gets the cookie the app itself would issue after ``login_user``,
signed with the app's session serializer: ``_user_id`` ("id:session version"), ``_fresh``, ``_id``
(Flask-Login's "strong" session identifier for the load generator's address and
User-Agent), ``_permanent`` (the 30-minute idle timeout) and Flask-WTF's raw
``csrf_token``; the form carries the signed token ``generate_csrf()`` returns.
Cookies expire 30 minutes after they are made, so they are made just before each run.

Figures go to stdout and ``tests/bench/results.md``; nothing here is a timed assertion.
Options: ``--workers N`` (gunicorn sync workers, default 5 = 2 x cores + 1), ``--rounds``,
``--duration``, ``--sweep 3,4,5`` (app and floor at several worker counts first),
``--members``, ``--long-members``, ``--seal-ballots``, ``--skip-seal``, ``--head`` (benchmark a
snapshot of the last commit, not the working tree others may be editing). See ``README.md`` here.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
#: Where the app's code is taken from: the working tree, or a snapshot of HEAD (``--head``).
SOURCE = ROOT
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
FLOOR_DIR = Path(os.environ.get("BENCH_FLOOR_DIR", "/work/shared/bench"))
SECRET_KEY = "pcpa-bench-fixed-secret-key-not-for-production"
USER_AGENT = "pcpa-bench"
REMOTE_ADDR = "127.0.0.1"
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "5081"))
FLOOR_PORT = int(os.environ.get("BENCH_FLOOR_PORT", "5077"))
VENV_BIN = Path(sys.executable).parent
LUA = HERE / "cast_each.lua"
WORK = Path(tempfile.mkdtemp(prefix="pcpa-bench-"))


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# Databases ---------------------------------------------------------------------------------

def db_url(name: str) -> str:
    return f"{PG_SERVER}/{name}"


def recreate_database(name: str) -> None:
    """DROP (forcing other sessions out) and CREATE: every run starts from nothing."""
    import psycopg

    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def make_app(name: str):  # noqa: ANN201 - Flask app
    """The app exactly as gunicorn builds it (``wsgi.py``: environment, instance config)."""
    os.environ["DATABASE_URL"] = db_url(name)
    os.environ["APP_SECRET_KEY"] = SECRET_KEY
    from app import create_app

    return create_app()


# Data --------------------------------------------------------------------------------------

@dataclass
class Electorate:
    """What a load run needs: the votes and, per delegate, (user id, member id)."""

    db_name: str
    smoke_vote_id: int | None
    vote_id: int
    delegates: list[tuple[int, int]]
    timings: dict[str, float] = field(default_factory=dict)


def populate(app: Any, db_name: str, members: int, *, smoke: bool = True) -> Electorate:
    """Bulk-insert the programme and open the vote (and a smoke-test vote) with ``voting.open_vote``."""
    from sqlalchemy import insert

    from app.assembly import voting
    from app.assembly.models import AgendaItem, Assembly, AssemblyStatus, Resolution, Vote
    from app.auth.models import Gender, User, UserKind
    from app.auth.passwords import hash_password
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.members.models import Charter, CharterSignature, College, Member, MemberStatus
    from app.members.rules import name_key

    timings: dict[str, float] = {}
    with app.app_context():
        started = time.perf_counter()
        db.create_all()
        password = hash_password("bench-password-never-used")  # hashed once: Argon2 is slow on purpose
        college = College(code="bench", name_fr="Collège du banc d'essai", name_en="Bench college",
                          name_ar="Bench college")
        charter = Charter(version=1, title_fr="Charte", title_en="Charter", title_ar="الميثاق",
                          text_fr="Texte", text_en="Text", text_ar="نص")
        secretariat = User(email="secretariat@bench.example.org", full_name="Secretariat",
                           kind=UserKind.secretariat, password_hash=password, gender=Gender.undisclosed)
        db.session.add_all([college, charter, secretariat])
        db.session.flush()
        now = utcnow()
        member_rows = []
        for i in range(members):
            name = f"Bench member {i:06d}"
            member_rows.append({"name": name, "name_key": name_key(name), "acronym": f"BM{i}", "kind": "association",
                                "country": "TN" if i % 2 else "FR", "college_id": college.id,
                                "territory": "Tunis" if i % 2 else "Paris", "status": MemberStatus.active,
                                "status_since": now.date(), "admission_date": now.date(),
                                "created_at": now, "updated_at": now})
        member_ids = list(db.session.scalars(insert(Member).returning(Member.id, sort_by_parameter_order=True),
                                             member_rows))
        user_rows = [{"email": f"delegate-{i:06d}@bench.example.org", "full_name": f"Delegate {i}",
                      "kind": UserKind.representative, "gender": Gender.undisclosed, "organisation_label": "",
                      "member_id": member_id, "is_delegate": True, "password_hash": password, "active": True,
                      "created_at": now}
                     for i, member_id in enumerate(member_ids)]
        user_ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True),
                                           user_rows))
        db.session.execute(insert(CharterSignature), [
            {"member_id": m, "charter_id": charter.id, "signed_by_id": u, "signed_at": now}
            for m, u in zip(member_ids, user_ids, strict=True)])
        assembly = Assembly(title="Assemblée plénière (banc d'essai)", starts_at=now + timedelta(days=30),
                            status=AssemblyStatus.convened, convened_at=now)
        db.session.add(assembly)
        db.session.add(AgendaItem(assembly=assembly, position=1, title="Résolutions"))
        db.session.flush()
        votes = []
        titles = ["Vote d'essai (contrôle)"] if smoke else []
        for title in [*titles, "Approbation du rapport moral"]:
            vote = Vote(assembly_id=assembly.id, kind="resolution", secret=True, per_college=False)
            db.session.add(Resolution(agenda_item=assembly.agenda[0], vote=vote, title_fr=title, title_en=title,
                                      title_ar=title))
            db.session.flush()
            votes.append(vote)
        db.session.commit()
        timings["insert"] = time.perf_counter() - started
        started = time.perf_counter()
        with app.test_request_context("/"):
            for vote in votes:
                voting.open_vote(vote, actor=secretariat, closes_at=utcnow() + timedelta(hours=2))
        db.session.commit()
        timings["open_votes"] = time.perf_counter() - started
        result = Electorate(db_name, votes[0].id if smoke else None, votes[-1].id,
                            list(zip(user_ids, member_ids, strict=True)), timings)
        db.session.remove()
        db.engine.dispose()
    log(f"{db_name}: {members} members inserted in {timings['insert']:.1f} s, {len(votes)} vote(s) opened "
        f"(electorate frozen, one e-mail per delegate rendered and queued) in {timings['open_votes']:.1f} s")
    return result


# Sessions ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Signed:
    member_id: int
    cookie: str  # "session=<value>"
    csrf: str    # the signed token the form carries


def signed_sessions(app: Any, delegates: list[tuple[int, int]]) -> list[Signed]:
    """The session cookie the app issues after sign-in, for each delegate, without the sign-in form."""
    from flask import session
    from flask_login.utils import _create_identifier
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    out = []
    environ = {"REMOTE_ADDR": REMOTE_ADDR}
    for user_id, member_id in delegates:
        # A fresh app context each time: generate_csrf() caches its token in ``g``.
        with app.app_context(), app.test_request_context("/", environ_base=environ,
                                                         headers={"User-Agent": USER_AGENT}):
            # What auth.routes._start_session + flask_login.login_user leave in the session.
            session.permanent = True
            session["_user_id"] = f"{user_id}:1"  # User.get_id(): the id and the session version (new users: 1)
            session["_fresh"] = True
            session["_id"] = _create_identifier()
            form_token = generate_csrf()  # stores the raw token in session["csrf_token"]
            out.append(Signed(member_id, f"{cookie_name}={serializer.dumps(dict(session))}", form_token))
    return out


def cast_body(signed: Signed, vote_id: int, choice: str = "for") -> str:
    """The confirmation page's cast form: the choice, and the tracker drawn there with its MAC."""
    from app.assembly import secrecy

    tracker = secrecy.new_tracker()
    mac = secrecy.tracker_mac(secrecy.tracker_key(SECRET_KEY), vote_id, signed.member_id, tracker)
    return urllib.parse.urlencode({"csrf_token": signed.csrf, "member_id": signed.member_id, "choice": choice,
                                   "tracker": tracker, "mac": mac})


def write_wrk_data(path: Path, vote_id: int, sessions: list[Signed]) -> Path:
    if not sessions:
        raise SystemExit("no delegates left for this run: give more --long-members")
    with path.open("w") as out:
        out.write(f"/votes/{vote_id}/cast\n")
        for s in sessions:
            out.write(f"{s.cookie}\t{cast_body(s, vote_id)}\n")
    return path


# Servers -----------------------------------------------------------------------------------

GUNICORN_CONF = """\
# Written by tests/bench/run.py: the settings shared by the app and the floor.
import os
preload_app = True
worker_class = "sync"
workers = int(os.environ["BENCH_WORKERS"])
accesslog = None
loglevel = os.environ.get("BENCH_GUNICORN_LOGLEVEL", "warning")
timeout = 60

def when_ready(server):
    # Configure the ORM mappers once in the preloaded master, not on each worker's first request.
    from sqlalchemy.orm import configure_mappers
    configure_mappers()

def post_fork(server, worker):
    # Preloaded apps fork with the parent's pooled connections: drop them (SQLAlchemy's recipe).
    import sys
    for name in ("app.extensions", "bare_cast"):
        db = getattr(sys.modules.get(name), "db", None)
        for engines in getattr(db, "_app_engines", {}).values():  # Flask-SQLAlchemy 3: app -> {bind: engine}
            for engine in engines.values():
                engine.dispose(close=False)
"""


@contextmanager
def gunicorn(target: str, *, chdir: Path, port: int, workers: int, env: dict[str, str]) -> Iterator[int]:
    """Run gunicorn in the background until the block ends (yields the master's pid); its log goes to WORK."""
    try:
        with socket.create_connection((HOST, port), timeout=1):
            raise SystemExit(f"port {port} is already in use: stop what listens there first")
    except OSError:
        pass
    conf = WORK / "gunicorn_conf.py"
    conf.write_text(GUNICORN_CONF)
    logfile = (WORK / f"gunicorn-{port}.log").open("a")
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(conf), "-b", f"{HOST}:{port}", "--chdir", str(chdir), target],
        env={**os.environ, **env, "BENCH_WORKERS": str(workers)}, stdout=logfile, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}); see {logfile.name}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        time.sleep(1.0 + 0.2 * workers)  # let every worker boot
        yield process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        logfile.close()


def app_server(db_name: str, workers: int):  # noqa: ANN201 - context manager
    return gunicorn("wsgi:app", chdir=SOURCE, port=PORT, workers=workers,
                    env={"DATABASE_URL": db_url(db_name), "APP_SECRET_KEY": SECRET_KEY})


# Load --------------------------------------------------------------------------------------

def smoke_test(app: Any, electorate: Electorate, sessions: list[Signed]) -> None:
    """Three real casts through gunicorn: 200 with the receipt and the ballot in the database."""
    from sqlalchemy import func, select

    from app.assembly.models import Ballot, Participation
    from app.extensions import db

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    vote_id = electorate.smoke_vote_id
    for s in sessions:
        req = urllib.request.Request(f"http://{HOST}:{PORT}/votes/{vote_id}/cast", data=cast_body(s, vote_id).encode(),
                                     headers={"Cookie": s.cookie, "User-Agent": USER_AGENT,
                                              "Content-Type": "application/x-www-form-urlencoded"})
        try:
            response = opener.open(req, timeout=10)
            status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, ""
        if status != 200 or 'class="receipts"' not in body:
            raise SystemExit(f"smoke test: member {s.member_id} got {status}, no receipt; the sessions are wrong")
    with app.app_context():
        members = [s.member_id for s in sessions]
        participations = db.session.scalar(select(func.count()).select_from(Participation).where(
            Participation.vote_id == vote_id, Participation.member_id.in_(members)))
        ballots = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id))
        db.session.remove()
    if participations != len(sessions) or ballots != len(sessions):
        raise SystemExit(f"smoke test: {participations} participations, {ballots} ballots for {len(sessions)} casts")
    log(f"smoke test: {len(sessions)} casts through gunicorn -> 200 with the receipt, "
        f"{participations} participations and {ballots} ballots written")


class CpuMeter:
    """CPU seconds used during a load run, by who used them.

    ``server``: the gunicorn master and workers; ``postgres``: the backends connected to
    the benchmark's database; ``wrk``: the load generator; ``others``: everything else on
    the machine (other sessions' tests share these 2 cores: this says how much they took).
    """

    HZ = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int, db_name: str) -> None:
        self.server_pid, self.db_name = server_pid, db_name

    def _processes(self) -> dict[tuple[int, str], float]:
        out: dict[tuple[int, str], float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            seconds = (int(fields[11]) + int(fields[12])) / self.HZ
            pid, ppid = int(entry), int(fields[1])
            if pid == self.server_pid or ppid == self.server_pid:
                out[(pid, "server")] = seconds
            elif cmdline.startswith("postgres:") and f" {self.db_name} " in cmdline:
                out[(pid, "postgres")] = seconds
        return out

    def _machine(self) -> tuple[float, float]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return (sum(values) - idle) / self.HZ, sum(values) / self.HZ

    def _children(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        self.before, self.machine_before, self.children_before = self._processes(), self._machine(), self._children()
        self.started = time.monotonic()

    def stop(self) -> dict[str, float]:
        after, (busy, total), children = self._processes(), self._machine(), self._children()
        used = {"server": 0.0, "postgres": 0.0}
        for key, seconds in after.items():
            used[key[1]] += seconds - self.before.get(key, 0.0)
        used["wrk"] = children - self.children_before  # wrk is the only child reaped during the run
        used["busy"] = busy - self.machine_before[0]
        used["others"] = max(0.0, used["busy"] - used["server"] - used["postgres"] - used["wrk"])
        used["wall"] = time.monotonic() - self.started
        used["machine"] = total - self.machine_before[1]
        return used


def per_cast(cpu: dict[str, float], casts: int) -> dict[str, float]:
    """CPU milliseconds per answered cast, and the cores the rest of the machine took meanwhile."""
    casts = max(casts, 1)
    own = cpu["server"] + cpu["postgres"] + cpu["wrk"]
    return {"server_ms": 1000 * cpu["server"] / casts, "postgres_ms": 1000 * cpu["postgres"] / casts,
            "wrk_ms": 1000 * cpu["wrk"] / casts, "own_ms": 1000 * own / casts,
            "others_cores": cpu["others"] / cpu["wall"] if cpu["wall"] else 0.0}


def run_wrk(data: Path, *, mode: str, threads: int, connections: int, duration: str, expected: int = 0,
            port: int = PORT, meter: CpuMeter | None = None) -> dict[str, Any]:
    """Run wrk with cast_each.lua; in exact mode stop it as soon as every thread got its last response."""
    done = WORK / f"done-{time.monotonic_ns()}"
    env = {**os.environ, "BENCH_DATA": str(data), "BENCH_THREADS": str(threads), "BENCH_MODE": mode,
           "BENCH_DONE": str(done)}
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--timeout", "10s", "--latency",
               "-s", str(LUA), f"http://{HOST}:{port}"]
    if meter:
        meter.start()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if mode == "exact":
        while process.poll() is None:
            if all(Path(f"{done}.{t}").exists() for t in range(threads)):
                process.send_signal(signal.SIGINT)  # wrk prints its summary on SIGINT
                break
            time.sleep(0.05)
    output, _ = process.communicate(timeout=900)
    cpu = meter.stop() if meter else None
    match = re.search(r"^BENCH_JSON (.*)$", output, re.M)
    if match is None:
        raise SystemExit(f"wrk gave no result:\n{output}")
    result = json.loads(match.group(1))
    result["wrk_output"] = output
    received = sum(t["received"] for t in result["threads"])
    if mode == "exact":
        result["elapsed_s"] = (result["last_us"] - result["first_us"]) / 1e6
        result["throughput"] = received / result["elapsed_s"] if result["elapsed_s"] else 0.0
        if received != expected:
            log(f"WARNING: {received} responses for {expected} requests")
    else:
        result["elapsed_s"] = result["duration_us"] / 1e6
        result["throughput"] = result["requests"] / result["elapsed_s"]
        if any(t["sent"] >= t["share"] for t in result["threads"]):
            log("WARNING: the delegate pool ran out before the end of the run; give more --long-members")
    statuses: dict[str, int] = {}
    for t in result["threads"]:
        for status, count in t["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    result["statuses"] = statuses
    result["received"] = received
    result["bad"] = sum(t["bad_location"] for t in result["threads"])
    result["sent"] = sum(t["sent"] for t in result["threads"])
    result["unannounced"] = sum(t["unannounced"] for t in result["threads"])
    if cpu is not None:
        result["cpu"] = cpu
        result["per_cast"] = per_cast(cpu, received)
    return result


def count_cast(app: Any, vote_id: int) -> dict[str, int]:
    """Ballots, participations, distinct members and trackers for a vote: one statement, one snapshot."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        row = db.session.execute(text(
            "SELECT (SELECT count(*) FROM ballots WHERE vote_id = :v) AS ballots,"
            " (SELECT count(*) FROM participations WHERE vote_id = :v) AS participations,"
            " (SELECT count(DISTINCT member_id) FROM participations WHERE vote_id = :v) AS distinct_members,"
            " (SELECT count(DISTINCT tracker) FROM ballots WHERE vote_id = :v) AS distinct_trackers"),
            {"v": vote_id}).one()
        db.session.remove()
    return dict(row._mapping)


def describe(result: dict[str, Any]) -> str:
    p = result["latency_ms"]
    text = (f"{result['received']} answers in {result['elapsed_s']:.2f} s = {result['throughput']:.0f}/s; "
            f"latency p50 {p['50']:.1f} ms, " + (f"p95 {p['95']:.1f} ms" if "95" in p else f"p90 {p['90']:.1f} ms")
            + f", p99 {p['99']:.1f} ms")
    if "statuses" in result:
        text += f"; answers {result['statuses']}; wrk errors {result['errors']}"
    if "per_cast" in result:
        c = result["per_cast"]
        text += (f"; CPU per cast: server {c['server_ms']:.2f} ms, postgres {c['postgres_ms']:.2f} ms, "
                 f"wrk {c['wrk_ms']:.2f} ms; other processes took {c['others_cores']:.2f} cores")
    return text


def latency_ms(result: dict[str, Any]) -> dict[str, float]:
    return {k: v / 1000 for k, v in result["latency_us"]["p"].items()} | {"max": result["latency_us"]["max"] / 1000}


# The floor ---------------------------------------------------------------------------------

def run_floor(workers: int, duration: str) -> dict[str, Any]:
    """bare_cast.py under the same gunicorn settings, loaded exactly as its README says."""
    name = "limitbench"
    recreate_database(name)
    url = "postgresql+psycopg://" + PG_SERVER.split("://", 1)[1] + "/" + name
    with gunicorn("bare_cast:app", chdir=FLOOR_DIR, port=FLOOR_PORT, workers=workers, env={"BARE_DB": url}) as pid:
        warm = WORK / "floor_warmup.lua"  # member ids far from the ones cast.lua uses
        warm.write_text('local n = 0\nrequest = function()\n  n = n + 1\n'
                        '  return wrk.format("POST", "/cast/" .. (900000000 + n))\nend\n')
        subprocess.run(["wrk", "-t1", "-c32", f"-d{WARMUP_SECONDS}s", "-s", str(warm), f"http://{HOST}:{FLOOR_PORT}"],
                       capture_output=True, check=True)
        meter = CpuMeter(pid, name)
        meter.start()
        output = subprocess.run(["wrk", "-t2", "-c32", f"-d{duration}", "--latency", "-s",
                                 str(FLOOR_DIR / "cast.lua"), f"http://{HOST}:{FLOOR_PORT}"],
                                capture_output=True, text=True, check=True).stdout
        cpu = meter.stop()
        with urllib.request.urlopen(f"http://{HOST}:{FLOOR_PORT}/count", timeout=10) as response:
            ballots = int(response.read())
        ballots -= warmup_ballots(name)
    result: dict[str, Any] = {"wrk_output": output, "ballots": ballots, "workers": workers, "cpu": cpu}
    result["throughput"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    result["received"] = int(re.search(r"(\d+) requests in", output).group(1))
    result["elapsed_s"] = result["received"] / result["throughput"]
    units = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
    result["latency_ms"] = {}
    for pct in ("50", "75", "90", "99"):
        value, unit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        result["latency_ms"][pct] = float(value) * units[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    result["per_cast"] = per_cast(cpu, result["received"])
    log(f"floor (workers={workers}, -t2 -c32 -d{duration}): {describe(result)}; {ballots} ballots")
    return result


def warmup_ballots(db_name: str) -> int:
    """Ballots the floor's warm-up wrote (member ids from 900,000,000 up)."""
    import psycopg

    with psycopg.connect(db_url(db_name)) as conn:
        return conn.execute("SELECT count(*) FROM participation WHERE member_id >= 900000000").fetchone()[0]


# Seal and recount --------------------------------------------------------------------------

def seal_and_recount(ballots: int) -> dict[str, Any]:
    """100,000 ballots for one vote: time close_vote (seal + count) and the recount of its board."""
    from sqlalchemy import insert

    from app.assembly import board as board_rules
    from app.assembly import recount as recounting
    from app.assembly import voting
    from app.assembly.board_export import export_board
    from app.assembly.models import (
        AgendaItem,
        Assembly,
        AssemblyStatus,
        Ballot,
        Participation,
        Resolution,
        Vote,
        VoteElector,
        VoteStatus,
    )
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.members.models import College, Member, MemberStatus

    name = "pcpa_bench_seal"
    recreate_database(name)
    app = make_app(name)
    out: dict[str, Any] = {"ballots": ballots}
    rng = random.Random(2026)
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        now = utcnow()
        college = College(code="bench", name_fr="Bench", name_en="Bench", name_ar="Bench")
        assembly = Assembly(title="Bench", starts_at=now, status=AssemblyStatus.in_session, convened_at=now)
        db.session.add_all([college, assembly])
        db.session.add(AgendaItem(assembly=assembly, position=1, title="Résolutions"))
        db.session.flush()
        vote = Vote(assembly_id=assembly.id, kind="resolution", secret=True, per_college=False,
                    status=VoteStatus.open, opened_at=now, closes_at=now + timedelta(hours=1),
                    electorate_size=ballots)
        db.session.add(Resolution(agenda_item=assembly.agenda[0], vote=vote, title_fr="Seal", title_en="Seal",
                                  title_ar="Seal"))
        db.session.flush()
        member_ids = list(db.session.scalars(insert(Member).returning(Member.id, sort_by_parameter_order=True), [
            {"name": f"Seal member {i:06d}", "name_key": f"seal member {i:06d}", "acronym": "", "kind": "association",
             "country": "FR", "college_id": college.id, "territory": "", "status": MemberStatus.active,
             "created_at": now, "updated_at": now} for i in range(ballots)]))
        db.session.execute(insert(VoteElector), [
            {"vote_id": vote.id, "member_id": m, "college_code": "bench", "country": "FR"} for m in member_ids])
        db.session.execute(insert(Participation), [
            {"vote_id": vote.id, "member_id": m, "cast_at": now} for m in member_ids])
        choices = ("for", "for", "for", "against", "abstain")
        db.session.execute(insert(Ballot), [
            {"vote_id": vote.id, "tracker": secrets.token_hex(16), "college": "", "choice": rng.choice(choices)}
            for _ in member_ids])
        db.session.commit()
        vote_id = vote.id
        out["insert_s"] = time.perf_counter() - started
        log(f"seal: {ballots} ballots, participations and electors inserted in {out['insert_s']:.1f} s")
        db.session.remove()

        # close_vote as it is; if it fails (see voter_users_by_subquery), again with that one function replaced.
        parts: dict[str, float] = {}
        with app.test_request_context("/"), timed(voting, CLOSE_PARTS, parts), timed(board_rules, ("seal",), parts):
            vote = db.session.get(Vote, vote_id)
            started = time.perf_counter()
            try:
                result = voting.close_vote(vote, actor=None)
            except Exception as exc:  # noqa: BLE001 - reported, then measured with the fix
                out["close_error_after_s"] = time.perf_counter() - started
                out["close_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                db.session.rollback()
                log(f"seal: close_vote FAILED after {out['close_error_after_s']:.2f} s: {out['close_error']}")
                parts.clear()
                original, voting.voter_users = voting.voter_users, voter_users_by_subquery
                try:
                    vote = db.session.get(Vote, vote_id)
                    started = time.perf_counter()
                    result = voting.close_vote(vote, actor=None)
                finally:
                    voting.voter_users = original
                out["close_patched"] = True
            out["close_s"] = time.perf_counter() - started
            db.session.commit()
            out["close_commit_s"] = time.perf_counter() - started
        out["close_parts"] = parts  # seconds, of the successful close only (timed resets them on failure)
        out["result"] = {k: result[k] for k in ("electorate", "participation", "ballots", "counts", "outcome")}
        out["final_hash"] = result["final_hash"]
        log(f"seal: close_vote (lock, rewrite in tracker order, seal, count, audit) {out['close_s']:.2f} s, "
            f"with commit {out['close_commit_s']:.2f} s" + (" (voter_users replaced)" if out.get("close_patched") else ""))

        # The board export: the function the public board.json route serialises.
        with app.test_request_context("/"):
            vote = db.session.get(Vote, vote_id)
            started = time.perf_counter()
            document = export_board(vote)
            body = json.dumps(document, ensure_ascii=False, indent=1)  # as the route does
            out["export_s"] = time.perf_counter() - started
        board_file = WORK / "board.json"
        board_file.write_text(body + "\n")
        out["board_bytes"] = board_file.stat().st_size
        db.session.remove()

        # The recount from the file alone, in-process: what ``flask votes recount FILE`` runs.
        started = time.perf_counter()
        report = recounting.recount(recounting.load(board_file))
        out["recount_s"] = time.perf_counter() - started
        out["recount_ok"] = report["ok"] and report["result"]["final_hash"] == out["final_hash"]
        log(f"recount: export {out['export_s']:.2f} s ({out['board_bytes']:,} bytes), "
            f"recount.load + recount.recount {out['recount_s']:.2f} s -> ok={out['recount_ok']}")

        cli = cli_recount(board_file, name)
        out["cli_recount_s"], out["cli_recount_rc"] = cli
        log(f"recount CLI: flask votes recount FILE {cli[0]:.2f} s wall (with interpreter start), exit {cli[1]}")
        # Pure parts, for the breakdown.
        entries = [board_rules.BoardEntry(e["tracker"], e["choice"], e["hash"], e.get("college", ""))
                   for e in document["ballots"]]
        started = time.perf_counter()
        board_rules.seal((e.tracker, e.choice, e.college) for e in entries)
        out["pure_seal_s"] = time.perf_counter() - started
        started = time.perf_counter()
        ok, _ = board_rules.verify(entries)
        out["pure_verify_s"] = time.perf_counter() - started
        out["pure_verify_ok"] = ok
        db.engine.dispose()
    return out


#: Steps of ``voting.close_vote`` timed one by one (the rest is the UPDATE, the refresh and the flush).
CLOSE_PARTS = ("_lock_out_casts", "_rewrite_in_tracker_order", "build_board_header", "seal_board",
               "electorate_by_college", "count", "compute_result", "turnout", "notify_voters", "voter_users")


#: Timed steps that run inside other timed steps (not added twice).
NESTED_PARTS = ("seal", "voter_users")


@contextmanager
def timed(module: Any, names: tuple[str, ...], into: dict[str, float]) -> Iterator[None]:
    """Wrap the module's functions ``names`` so their wall time adds up in ``into`` (restored after)."""
    originals = {name: getattr(module, name) for name in names if callable(getattr(module, name, None))}

    def wrap(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into[name] = into.get(name, 0.0) + time.perf_counter() - started
        return wrapper

    for name, function in originals.items():
        setattr(module, name, wrap(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def voter_users_by_subquery(vote: Any, *, only_missing: bool = False) -> list[Any]:
    """``voting.voter_users`` with the electors as a subquery instead of Python sets of ids.

    The app's version binds one parameter per elector (``User.member_id.in_(own)``),
    which PostgreSQL refuses past 65,535 (``number of parameters must be between 0
    and 65535``): ``close_vote`` fails for such an electorate. This is the fix the
    benchmark report suggests, used here only to time the close of 100,000 ballots.
    """
    from sqlalchemy import and_, or_, select

    from app.assembly.models import Participation, VoteElector
    from app.auth.models import User
    from app.extensions import db

    electors = select(VoteElector.member_id, VoteElector.proxy_holder_id).where(VoteElector.vote_id == vote.id)
    if only_missing:
        electors = electors.where(VoteElector.member_id.not_in(
            select(Participation.member_id).where(Participation.vote_id == vote.id)))
    sub = electors.subquery()
    own = select(sub.c.member_id).where(sub.c.proxy_holder_id.is_(None))
    holders = select(sub.c.proxy_holder_id).where(sub.c.proxy_holder_id.is_not(None))
    return list(db.session.scalars(select(User).where(User.active.is_(True), or_(
        User.member_id.in_(own), and_(User.member_id.in_(holders), User.is_delegate.is_(True)))).order_by(User.id)))


def cli_recount(board_file: Path, db_name: str) -> tuple[float, int]:
    """``flask votes recount FILE`` wall time: interpreter and app start included."""
    env = {**os.environ, "DATABASE_URL": db_url(db_name), "APP_SECRET_KEY": SECRET_KEY}
    started = time.perf_counter()
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "votes", "recount", str(board_file)],
                          cwd=SOURCE, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode


# Orchestration -----------------------------------------------------------------------------

def exact_run(workers: int, members: int) -> dict[str, Any]:
    """2,000 delegates, each casting once, at 32 connections: the figures issue 3 asks for."""
    name = "pcpa_bench"
    recreate_database(name)
    app = make_app(name)
    electorate = populate(app, name, members)
    started = time.perf_counter()
    sessions = signed_sessions(app, electorate.delegates)
    log(f"{len(sessions)} signed-in sessions made in {time.perf_counter() - started:.1f} s")
    data = write_wrk_data(WORK / "exact.tsv", electorate.vote_id, sessions)
    warmup = write_wrk_data(WORK / "exact-warmup.tsv", electorate.smoke_vote_id or 0, sessions[3:3 + 50 * workers])
    with app_server(name, workers) as pid:
        smoke_test(app, electorate, sessions[:3])
        # Warm every worker up (caches, prepared statements) on the smoke vote; the measured vote is untouched.
        require_receipts(run_wrk(warmup, mode="exact", threads=1, connections=32, duration="600s",
                            expected=50 * workers), "warm-up")
        result = run_wrk(data, mode="exact", threads=1, connections=32, duration="600s", expected=len(sessions),
                         meter=CpuMeter(pid, name))
    result["latency_ms"] = latency_ms(result)
    result["db"] = count_cast(app, electorate.vote_id)
    result["expected"] = len(sessions)
    result["setup"] = electorate.timings
    result["workers"] = workers
    log(f"exact run (workers={workers}, wrk -t1 -c32): {describe(result)}")
    log(f"exact run: the database has {result['db']}")
    return result


class Pool:
    """Delegates of the long database not used yet: no delegate casts twice across runs."""

    def __init__(self, delegates: list[tuple[int, int]]) -> None:
        self.delegates, self.next = delegates, 0

    def take(self, n: int) -> list[tuple[int, int]]:
        taken = self.delegates[self.next:self.next + n]
        self.next += len(taken)
        return taken


def require_receipts(result: dict[str, Any], what: str) -> None:
    """Stop the benchmark when casts fail: figures of a broken endpoint mean nothing."""
    if set(result["statuses"]) - {"200"} or result["bad"]:
        log_file = WORK / f"gunicorn-{PORT}.log"
        errors = [line for line in log_file.read_text().splitlines() if "Error" in line or "error" in line]
        raise SystemExit(f"{what}: answers {result['statuses']}, {result['bad']} not a 200 with the receipt; "
                         f"last error in {log_file}: {errors[-1] if errors else '(none)'}")


def steady_run(app: Any, electorate: Electorate, pool: Pool, workers: int, duration: str) -> dict[str, Any]:
    """The floor's wrk settings (-t2 -c32 -dN) on the real endpoint, each delegate at most once."""
    seconds = int(re.sub(r"\D", "", duration) or 15)
    warmup = write_wrk_data(WORK / f"warmup-{time.monotonic_ns()}.tsv", electorate.vote_id,
                            signed_sessions(app, pool.take(STEADY_RATE_CAP * WARMUP_SECONDS)))
    sessions = signed_sessions(app, pool.take(STEADY_RATE_CAP * seconds))
    data = write_wrk_data(WORK / f"steady-{time.monotonic_ns()}.tsv", electorate.vote_id, sessions)
    with app_server(electorate.db_name, workers) as pid:
        require_receipts(run_wrk(warmup, mode="duration", threads=2, connections=32, duration=f"{WARMUP_SECONDS}s"),
                    "warm-up")
        time.sleep(1)  # casts in flight when the warm-up stopped
        before = count_cast(app, electorate.vote_id)
        result = run_wrk(data, mode="duration", threads=2, connections=32, duration=duration,
                         meter=CpuMeter(pid, electorate.db_name))
    after = count_cast(app, electorate.vote_id)
    result["latency_ms"] = latency_ms(result)
    result["db"] = {k: after[k] - before[k] for k in after}
    result["workers"] = workers
    log(f"app (workers={workers}, -t2 -c32 -d{duration}): {describe(result)}")
    log(f"app: this run added {result['db']} (wrk sent {result['sent']}, got {result['received']} answers)")
    return result


#: Delegates prepared per second of a steady run (more than the app can take on 2 cores).
STEADY_RATE_CAP = 450
#: Load sent to a freshly started server before measuring (ORM, caches, prepared statements).
WARMUP_SECONDS = 2


def versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {"Python": platform.python_version()}
    for package in ("flask", "sqlalchemy", "psycopg", "gunicorn", "flask-login", "flask-wtf"):
        out[package] = version(package)
    out["wrk"] = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split(" Copyright")[0]
    out["wrk"] = out["wrk"].replace("wrk ", "", 1).strip()
    import psycopg

    with psycopg.connect(db_url("postgres")) as conn:
        out["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
    return out


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


Pairs = list[tuple[dict[str, Any], dict[str, Any]]]


def pairs_table(pairs: Pairs, label: str) -> list[str]:
    """One row per app/floor pair, then the medians."""
    lines = [
        "| round | app | floor | ratio | app p50 / p95 / p99 | floor p50 / p99 | app CPU/cast | floor CPU/cast "
        "| CPU ratio | others (app / floor) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, (ours, floor) in enumerate(pairs, start=1):
        o, f = ours["latency_ms"], floor["latency_ms"]
        lines.append(
            f"| {i} | {ours['throughput']:.0f}/s | {floor['throughput']:.0f}/s | "
            f"{ours['throughput'] / floor['throughput']:.2f} | {o['50']:.0f} / {o['95']:.0f} / {o['99']:.0f} ms | "
            f"{f['50']:.0f} / {f['99']:.0f} ms | {ours['per_cast']['own_ms']:.2f} ms | "
            f"{floor['per_cast']['own_ms']:.2f} ms | {floor['per_cast']['own_ms'] / ours['per_cast']['own_ms']:.2f} | "
            f"{ours['per_cast']['others_cores']:.2f} / {floor['per_cast']['others_cores']:.2f} |")
    lines += [
        "",
        f"{label}: median throughput ratio app/floor **{median([o['throughput'] / f['throughput'] for o, f in pairs]):.2f}**"
        f"; median CPU ratio (floor CPU per cast / app CPU per cast: the throughput ratio on a machine left to "
        f"the benchmark) **{median([f['per_cast']['own_ms'] / o['per_cast']['own_ms'] for o, f in pairs]):.2f}**; "
        f"median p95 {median([o['latency_ms']['95'] for o, _ in pairs]):.0f} ms. "
        f"App CPU per cast (median): gunicorn {median([o['per_cast']['server_ms'] for o, _ in pairs]):.2f} ms, "
        f"PostgreSQL {median([o['per_cast']['postgres_ms'] for o, _ in pairs]):.2f} ms, wrk "
        f"{median([o['per_cast']['wrk_ms'] for o, _ in pairs]):.2f} ms; floor: gunicorn "
        f"{median([f['per_cast']['server_ms'] for _, f in pairs]):.2f} ms, PostgreSQL "
        f"{median([f['per_cast']['postgres_ms'] for _, f in pairs]):.2f} ms, wrk "
        f"{median([f['per_cast']['wrk_ms'] for _, f in pairs]):.2f} ms.",
        "Checks: " + "; ".join(
            f"{o['db']['ballots']:,} ballots = {o['db']['participations']:,} participations for {o['received']:,} "
            f"answers, {o['bad']} not a 200 with the receipt" for o, _ in pairs)
        + " (casts in flight when wrk stops are written but not counted by wrk).",
        "",
    ]
    return lines


def report(args: argparse.Namespace, exact: dict[str, Any], pairs: Pairs, sweep: Pairs,
           seal: dict[str, Any] | None) -> str:
    v = versions()
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                         capture_output=True, text=True).stdout.strip()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = [] if SOURCE != ROOT else subprocess.run(
        ["git", "status", "--short", "--untracked-files=no", "app"], cwd=ROOT, capture_output=True,
        text=True).stdout.split()[1::2]
    lines = [
        "# Cast benchmark: results",
        "",
        f"Written by `make bench` (`tests/bench/run.py`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        f"Machine: `nproc` = {nproc} ({cpu}), PostgreSQL, gunicorn and wrk on the same machine over loopback. "
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ". "
        f"gunicorn: {args.workers} sync workers (`preload_app`), the same settings for the app and the floor. "
        f"Load average when the run started: {args.load_before}. Options: `{' '.join(sys.argv[1:]) or '(defaults)'}`. "
        f"Code: commit {head.strip()}" + (" (a snapshot of HEAD, `--head`)" if SOURCE != ROOT else "")
        + (f", with uncommitted changes in {', '.join(dirty)}" if dirty else "") + ".",
        "",
        "How it is measured, and what the CPU columns mean: `tests/bench/README.md`.",
        "",
        "## 2,000 delegates, each casting once (issue 3)",
        "",
        "| | requests | throughput | p50 | p95 | p99 | max | answers | ballots | participations |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lat = exact["latency_ms"]
    db = exact["db"]
    lines.append(f"| wrk -t1 -c32, {exact['expected']:,} signed-in delegates | {exact['received']:,} | "
                 f"{exact['throughput']:.0f}/s | {lat['50']:.0f} ms | {lat['95']:.0f} ms | {lat['99']:.0f} ms | "
                 f"{lat['max']:.0f} ms | " + ", ".join(f"{k}: {n:,}" for k, n in sorted(exact["statuses"].items()))
                 + f" | {db['ballots']:,} | {db['participations']:,} |")
    intact = (db["ballots"] == db["participations"] == db["distinct_members"] == db["distinct_trackers"]
              == exact["expected"] and exact["statuses"] == {"200": exact["expected"]} and exact["bad"] == 0)
    c = exact["per_cast"]
    lines += [
        "",
        f"Check: {db['ballots']:,} ballots, {db['participations']:,} participations, {db['distinct_members']:,} "
        f"distinct members, {db['distinct_trackers']:,} distinct trackers for {exact['expected']:,} requests; every "
        f"answer a 200 with the receipt ({exact['bad']} otherwise); wrk errors {exact['errors']} -> "
        f"**{'nothing lost or duplicated' if intact else 'MISMATCH'}**. Before the load, 3 casts through gunicorn "
        "with urllib (another vote) answered 200 and wrote their ballot.",
        f"CPU per cast: gunicorn {c['server_ms']:.2f} ms, PostgreSQL {c['postgres_ms']:.2f} ms, wrk "
        f"{c['wrk_ms']:.2f} ms; meanwhile other processes took {c['others_cores']:.2f} of the {nproc} cores.",
        "",
    ]
    if pairs:
        lines += [
            f"## Against the floor, in turns (the floor's wrk settings: -t2 -c32 -d{args.duration})",
            "",
            f"The app's endpoint on `pcpa_bench_long` ({args.long_members:,} delegates, none casting twice), and the "
            f"floor, in turns, {WARMUP_SECONDS} s of warm-up load before each measure. 'CPU/cast' is gunicorn + "
            "PostgreSQL + wrk CPU time per answered request; 'others' is how many of the cores the rest of the "
            "machine (other sessions' tests) took meanwhile.",
            "",
            *pairs_table(pairs, "In short"),
        ]
    if sweep:
        lines += ["## Workers (app, then floor, -d" + args.sweep_duration + ")", "",
                  "| workers | app | app p95 | app CPU/cast | floor | floor p99 | ratio | others |",
                  "|---|---|---|---|---|---|---|---|"]
        for ours, floor in sweep:
            lines.append(f"| {ours['workers']} | {ours['throughput']:.0f}/s | {ours['latency_ms']['95']:.0f} ms | "
                         f"{ours['per_cast']['own_ms']:.2f} ms | {floor['throughput']:.0f}/s | "
                         f"{floor['latency_ms']['99']:.0f} ms | {ours['throughput'] / floor['throughput']:.2f} | "
                         f"{ours['per_cast']['others_cores']:.2f} / {floor['per_cast']['others_cores']:.2f} |")
        lines.append("")
    if seal:
        lines += [
            f"## Seal and recount, {seal['ballots']:,} ballots",
            "",
            f"One vote with {seal['ballots']:,} electors, participations and ballots (random trackers), inserted in "
            f"{seal['insert_s']:.0f} s.",
            "",
            "| step | time |",
            "|---|---|",
        ]
        if "close_error" in seal:
            lines.append(f"| `voting.close_vote` as it is | **fails** after {seal['close_error_after_s']:.2f} s: "
                         f"`{seal['close_error']}` (see `voter_users`, README) |")
        lines += [
            "| `voting.close_vote` (lock out casts, rewrite ballots in tracker order, seal, count, audit)"
            + (" with `voter_users` taking a subquery" if seal.get("close_patched") else "")
            + f" | {seal['close_s']:.2f} s ({seal['close_commit_s']:.2f} s with the commit) |",
            f"| `board_routes.export_board` + `json.dumps` (the board.json route), {seal['board_bytes'] / 1e6:.1f} MB "
            f"| {seal['export_s']:.2f} s |",
            f"| `recount.load` + `recount.recount` (what `flask votes recount FILE` runs) | {seal['recount_s']:.2f} s, "
            f"ok = {seal['recount_ok']} |",
            f"| `flask --app wsgi votes recount FILE`, wall clock with interpreter and app start | "
            f"{seal['cli_recount_s']:.2f} s, exit status {seal['cli_recount_rc']} |",
            f"| of which pure `board.seal` / `board.verify` | {seal['pure_seal_s']:.2f} s / "
            f"{seal['pure_verify_s']:.2f} s |",
            "",
            "Inside `close_vote` (wall time of each step; `seal_board` includes `board.seal`): "
            + ", ".join(f"`{k}` {v:.2f} s" for k, v in sorted(seal["close_parts"].items(), key=lambda kv: -kv[1]))
            + f"; the rest (UPDATE, refresh, flush of the result and checkpoints, audit) "
            f"{seal['close_s'] - sum(v for k, v in seal['close_parts'].items() if k not in NESTED_PARTS):.2f} s.",
            "",
            f"Result: {seal['result']}.",
            "",
        ]
    lines += ["## Against the targets", "", "| target | figure | met |", "|---|---|---|"]
    if pairs:
        r = median([p[0]["throughput"] / p[1]["throughput"] for p in pairs])
        rc = median([p[1]["per_cast"]["own_ms"] / p[0]["per_cast"]["own_ms"] for p in pairs])
        text = f"throughput ratio {r:.2f} (median of {len(pairs)} rounds in turns); CPU ratio {rc:.2f}"
        lines.append(f"| cast throughput >= 1/3 of the floor | {text} | {'yes' if r >= 1 / 3 else 'no'} |")
    p95s = [exact["latency_ms"]["95"]] + [p[0]["latency_ms"]["95"] for p in pairs]
    lines.append(f"| p95 < 150 ms at 32 connections | {exact['latency_ms']['95']:.0f} ms (2,000 run)"
                 + (f"; {', '.join(f'{p:.0f}' for p in p95s[1:])} ms (steady rounds)" if pairs else "")
                 + f" | {'yes' if max(p95s) < 150 else 'no'} |")
    lines.append(f"| nothing lost or duplicated | {db['ballots']:,} ballots = {db['participations']:,} participations "
                 f"= {exact['expected']:,} requests, all 200 | {'yes' if intact else 'no'} |")
    if seal:
        lines.append(f"| seal {seal['ballots']:,} ballots < 2 s | close_vote {seal['close_s']:.2f} s"
                     + (" once `voter_users` is fixed; fails as it is" if "close_error" in seal else "")
                     + f" | {'yes' if seal['close_s'] < 2 and 'close_error' not in seal else 'no'} |")
        lines.append(f"| recount {seal['ballots']:,} ballots < 2 s | {seal['recount_s']:.2f} s in-process, "
                     f"{seal['cli_recount_s']:.2f} s for the whole CLI | "
                     f"{'yes' if seal['recount_s'] < 2 and seal['recount_ok'] else 'no'} |")
    return "\n".join(lines) + "\n"


def use_snapshot_of_head() -> None:
    """Run the app from ``git archive HEAD``: others' edits in progress do not change it mid-run."""
    global SOURCE
    SOURCE = WORK / "source"
    SOURCE.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(SOURCE)], input=archive, check=True)
    sys.path.insert(0, str(SOURCE))
    log(f"app code: a snapshot of HEAD in {SOURCE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--long-members", type=int, default=0,
                        help="delegates in the long database (default: enough for every steady run)")
    parser.add_argument("--duration", default="15s")
    parser.add_argument("--rounds", type=int, default=3, help="app/floor pairs of steady runs")
    parser.add_argument("--sweep", default="", help="worker counts to try first, e.g. 3,4,5,8")
    parser.add_argument("--sweep-duration", default="10s")
    parser.add_argument("--seal-ballots", type=int, default=100_000)
    parser.add_argument("--skip-seal", action="store_true")
    parser.add_argument("--head", action="store_true",
                        help="benchmark a snapshot of the last commit (git archive HEAD), not the working tree")
    parser.add_argument("--output", default=str(HERE / "results.md"))
    args = parser.parse_args()
    # A TERM (or Ctrl-C) unwinds normally, so the servers started here are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.head:
        use_snapshot_of_head()
    args.load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    log(f"work files in {WORK}; load average {args.load_before}")

    sweep_workers = [int(w) for w in args.sweep.split(",") if w]
    seconds = {d: int(re.sub(r"\D", "", d) or 15) for d in (args.duration, args.sweep_duration)}
    needed = STEADY_RATE_CAP * (args.rounds * (seconds[args.duration] + WARMUP_SECONDS)
                                + len(sweep_workers) * (seconds[args.sweep_duration] + WARMUP_SECONDS))
    args.long_members = max(args.long_members, needed)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    sweep: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if args.rounds or sweep_workers:
        name = "pcpa_bench_long"
        recreate_database(name)
        app = make_app(name)
        electorate = populate(app, name, args.long_members, smoke=False)
        pool = Pool(electorate.delegates)
        for workers in sweep_workers:
            sweep.append((steady_run(app, electorate, pool, workers, args.sweep_duration),
                          run_floor(workers, args.sweep_duration)))
        for i in range(args.rounds):  # in turns: app first, then floor first, ...
            if i % 2 == 0:
                ours = steady_run(app, electorate, pool, args.workers, args.duration)
                floor = run_floor(args.workers, args.duration)
            else:
                floor = run_floor(args.workers, args.duration)
                ours = steady_run(app, electorate, pool, args.workers, args.duration)
            pairs.append((ours, floor))
    exact = exact_run(args.workers, args.members)
    seal = None if args.skip_seal else seal_and_recount(args.seal_ballots)
    text = report(args, exact, pairs, sweep, seal)
    Path(args.output).write_text(text)
    (WORK / "raw.json").write_text(json.dumps({"exact": exact, "pairs": pairs, "sweep": sweep, "seal": seal},
                                              default=str, indent=1))
    print()
    print(text)
    log(f"written to {args.output}; raw figures and wrk outputs in {WORK / 'raw.json'}")


if __name__ == "__main__":
    main()
