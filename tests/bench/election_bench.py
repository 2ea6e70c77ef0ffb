"""Election benchmark (issue 4): count 5,000 approval ballots over 40 candidates with three
constraints, and recount the election from its exported board. Target: each under 1 s.

Run: ``.venv/bin/python tests/bench/election_bench.py`` (``--database URL``, repeatable, for
PostgreSQL -- a database of its own: its tables are dropped; by default a temporary SQLite file). Figures go to stdout and ``tests/bench/election_results.md``;
nothing here is a timed assertion, but the script exits 1 if a recount does not pass.

The election: 12 seats; 40 candidates in four colleges (cs-fr, cs-tn, auth-fr, auth-tn), two
countries (FR, TN), genders mixed; constraints: at most 4 seats for college cs-fr, at least 6
for country TN, parity |women - men| <= 2. Voters approve 0 to 12 candidates each, drawn by
popularity (French and male candidates more popular, so all three constraints bind; three
candidates get no approval, so the draw has a tie group to order). Fixed random seed.

Parts, each repeated ``--repeat`` times (median and worst reported):

1. Pure count (no database): ``rules.count_approvals`` on the parsed ballots (parsing the
   ballot strings included, as ``services.count_election`` does) and ``rules.allocate``.
2. Recount of the board built in memory the way ``board_routes.export_board`` builds it
   (same keys, ballots sealed with ``board.seal``), serialised as the route does
   (``json.dumps(..., indent=1)``): ``recount.parse`` (JSON + shape) and ``recount.recount``.
3. The application path on a database: members, electors, participations, ballots and 40
   validated candidacies inserted with Core; then ``voting.close_vote`` (lock out casts,
   rewrite in tracker order, seal, the election count, mandates, audit) and the commit;
   ``export_board`` + ``json.dumps`` (what ``/votes/<id>/board.json`` serves); and the recount
   of that file in-process and with ``flask votes recount FILE`` (a new interpreter, timed
   against the same interpreter running ``flask votes --help``: the start-up).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.assembly import board as board_rules  # noqa: E402
from app.assembly import recount as recounting  # noqa: E402
from app.elections import hooks, rules  # noqa: E402
from app.elections.recount import APPROVAL  # noqa: E402
from tests.bench.common import fmt, log, machine, worst  # noqa: E402
from tests.bench.common import timed as timed_cpu  # noqa: E402

hooks.register()  # the recount reads election boards without an app (create_app would do this)

BALLOTS = 5_000
CANDIDATES = 40
SEATS = 12
TARGET_S = 1.0
#: (college, country, how many candidates, popularity weight)
GROUPS = (("cs-fr", "FR", 14, 3.0), ("cs-tn", "TN", 12, 1.0), ("auth-fr", "FR", 6, 2.0), ("auth-tn", "TN", 8, 1.0))
CONSTRAINTS = {"college": {"cs-fr": [0, 4]}, "country": {"TN": [6, None]}, "parity_tolerance": 2}
#: Candidates nobody approves (a tie group for the draw).
UNPOPULAR = 3
#: Report rows timing a new process: start-up, not the count (no target).
STARTUP_ROWS = ("`flask --app wsgi", "Start-up alone:")
WORK = Path(tempfile.mkdtemp(prefix="pcpa-election-bench-"))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    """Run ``fn`` ``repeat`` times; (last value, every duration in seconds)."""
    value, times, _ = timed_cpu(fn, repeat)
    return value, times


# The election's data ---------------------------------------------------------------------------

def make_candidates(ids: list[int], rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Candidate entries as in the board (``id`` = candidacy id) and each one's popularity."""
    entries: list[dict[str, Any]] = []
    weight: dict[str, float] = {}
    slots = [(college, country, w) for college, country, n, w in GROUPS for _ in range(n)]
    assert len(slots) == CANDIDATES == len(ids)
    for n, (cid, (college, country, w)) in enumerate(zip(ids, slots, strict=True)):
        gender = "male" if n % 5 in (0, 2, 4) else "female" if n % 5 == 1 else rng.choice(("female", "undisclosed"))
        key = str(cid)
        entries.append({"id": key, "member": f"Bench member {n:02d}", "college": college, "country": country,
                        "gender": gender, "representative": f"Bench representative {n:02d}"})
        weight[key] = 0.0 if n >= CANDIDATES - UNPOPULAR else w * (1.5 if gender == "male" else 1.0) * rng.uniform(
            0.5, 1.5)
    return entries, weight


def make_choices(weight: dict[str, float], rng: random.Random) -> list[str]:
    """``BALLOTS`` canonical approval ballots (sorted ids, comma-separated; some blank)."""
    popular = [cid for cid, w in weight.items() if w > 0]
    choices = []
    for _ in range(BALLOTS):
        k = rng.randint(0, SEATS)
        # Weighted sampling without replacement (Efraimidis-Spirakis keys).
        picked = sorted(popular, key=lambda cid: rng.random() ** (1 / weight[cid]), reverse=True)[:k]
        choices.append(",".join(sorted(picked, key=int)))
    return choices


def count(choices: list[str], candidates: list[dict[str, Any]], seed: str) -> tuple[dict[str, int], rules.Allocation]:
    """What ``services.count_election`` does once the data is loaded."""
    ids = [c["id"] for c in candidates]
    approvals = rules.count_approvals(([p for p in (x.strip() for x in b.split(",")) if p] for b in choices), ids,
                                      SEATS)
    allocation = rules.allocate([rules.Candidate(c["id"], c["college"], c["country"], c["gender"], approvals[c["id"]])
                                 for c in candidates], rules.Constraints.from_dict(CONSTRAINTS), SEATS, seed)
    return approvals, allocation


def board_in_memory(candidates: list[dict[str, Any]], choices: list[str], rng: random.Random) -> dict[str, Any]:
    """The board as ``export_board`` writes it for an election (format 2), built without a database:
    the header, its hash starting the chain, then the count seeded by the final hash."""
    colleges = sorted({c for c, _country, _n, _w in GROUPS})
    participants = sorted(({"member": f"Voter {i:05d}", "college": rng.choice(colleges)} for i in range(BALLOTS)),
                          key=lambda p: (p["member"], p["college"]))
    members = {c: sorted(p["member"] for p in participants if p["college"] == c) for c in colleges}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = {
        "format": recounting.FORMAT,
        "vote": {"id": 1, "title": "Bench election", "assembly": None, "secret": True, "opened_at": now,
                 "closed_at": now},
        "rules": {"method": APPROVAL},
        "election": {"id": 1, "seats": SEATS, "constraints": rules.Constraints.from_dict(CONSTRAINTS).to_dict(),
                     "candidates": sorted(candidates, key=lambda c: int(c["id"])), "infeasible_fallback": "relax"},
        "electorate": {"size": BALLOTS, "by_college": {c: len(names) for c, names in members.items()},
                       "members": members},
        "participants": participants,
    }
    start = board_rules.header_hash(header)
    entries = board_rules.seal(((secrets.token_hex(16), choice, "") for choice in choices), previous=start)
    final = board_rules.final_hash(entries, start)
    approvals, allocation = count(choices, candidates, final)
    allocated = allocation.to_dict()
    return board_rules.with_outputs(
        header, header_hash=start, ballots=[{"tracker": e.tracker, "choice": e.choice, "hash": e.hash} for e in entries],
        final_hash=final, section_outputs={"election": {"seed": final, "allocation": allocated}},
        result={"kind": "election", "electorate": BALLOTS, "participation": BALLOTS, "ballots": BALLOTS,
                "seats": SEATS, "approvals": approvals, "elected": allocated["elected"],
                "substitutes": allocated["substitutes"], "vacant": allocated["vacant"], "seed": final,
                "final_hash": final})


def describe(allocation: rules.Allocation) -> str:
    reasons = Counter(" ".join(str(p) for p in s.reason if p) for s in allocation.skipped)
    skipped = ", ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items()))
    draws = "; ".join(f"{len(t.order)} tied at {t.approvals}" for t in allocation.draw)
    return (f"{len(allocation.elected)} elected, {allocation.vacant} vacant, {len(allocation.skipped)} skipped while "
            f"seats were left ({skipped}), {len(allocation.out_of_order)} elected out of rank order, "
            f"draw: {draws or 'no tie'}")


# Parts 1 and 2: no database --------------------------------------------------------------------

def pure_parts(repeat: int) -> dict[str, Any]:
    rng = random.Random(2027)
    candidates, weight = make_candidates(list(range(101, 101 + CANDIDATES)), rng)
    choices = make_choices(weight, rng)
    seed = board_rules.final_hash(board_rules.seal((secrets.token_hex(16), c) for c in choices))
    out: dict[str, Any] = {"approvals_per_ballot": sum(len(c.split(",")) for c in choices if c) / BALLOTS,
                           "blank": sum(1 for c in choices if not c)}
    ids = [c["id"] for c in candidates]
    parsed = [[p for p in (x.strip() for x in b.split(",")) if p] for b in choices]
    _, out["count_approvals"] = timed(lambda: rules.count_approvals(
        ([p for p in (x.strip() for x in b.split(",")) if p] for b in choices), ids, SEATS), repeat)
    approvals = rules.count_approvals(parsed, ids, SEATS)
    pool = [rules.Candidate(c["id"], c["college"], c["country"], c["gender"], approvals[c["id"]]) for c in candidates]
    constraints = rules.Constraints.from_dict(CONSTRAINTS)
    allocation, out["allocate"] = timed(lambda: rules.allocate(pool, constraints, SEATS, seed), repeat)
    _, out["count"] = timed(lambda: count(choices, candidates, seed), repeat)
    out["allocation"] = describe(allocation)

    board = board_in_memory(candidates, choices, rng)
    body = json.dumps(board, ensure_ascii=False, indent=1) + "\n"
    out["board_bytes"] = len(body.encode())
    parsed_board, out["parse"] = timed(lambda: recounting.parse(body), repeat)
    report, out["recount"] = timed(lambda: recounting.recount(parsed_board), repeat)
    _, out["parse_and_recount"] = timed(lambda: recounting.recount(recounting.parse(body)), repeat)
    out["recount_ok"] = report["ok"] and report["result"] == board["result"]
    if not out["recount_ok"]:
        log(f"in-memory recount problems: {report['problems'][:5]}")
    out["board"] = board
    return out


# Part 3: the application on a database ---------------------------------------------------------

def app_part(database: str | None, repeat: int) -> dict[str, Any]:
    from sqlalchemy import insert

    from app import create_app
    from app.assembly import voting
    from app.assembly.board_export import export_board
    from app.assembly.models import Ballot, Participation, Vote, VoteElector, VoteStatus
    from app.core.timeutil import utcnow
    from app.elections.models import Candidacy, CandidacyStatus, Election
    from app.extensions import db
    from app.members.models import College, Member, MemberStatus

    url = database or f"sqlite:///{WORK / 'bench.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "election-bench", "SQLALCHEMY_DATABASE_URI": url,
                      "SERVER_NAME": "localhost", "MAIL_SERVER": None, "RATELIMIT_ENABLED": False})
    out: dict[str, Any] = {"database": app.config["SQLALCHEMY_DATABASE_URI"].split("://")[0].split("+")[0]}
    rng = random.Random(2028)
    close_times: list[float] = []
    commit_times: list[float] = []
    export_times: list[float] = []
    recount_times: list[float] = []
    ok = True
    body = ""
    for round_ in range(repeat):
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            now = utcnow()
            colleges = {code: College(code=code, name_fr=code, name_en=code, name_ar=code)
                        for code, _country, _n, _w in GROUPS}
            db.session.add_all(colleges.values())
            db.session.flush()
            homes = [(code, country) for code, country, n, _w in GROUPS for _ in range(BALLOTS // len(GROUPS))]
            member_ids = list(db.session.scalars(
                insert(Member).returning(Member.id, sort_by_parameter_order=True),
                [{"name": f"Bench member {i:05d}", "name_key": f"bench member {i:05d}", "acronym": "",
                  "kind": "association", "country": country, "college_id": colleges[code].id, "territory": "",
                  "status": MemberStatus.active, "created_at": now, "updated_at": now}
                 for i, (code, country) in enumerate(homes)]))
            vote = Vote(kind="election", secret=True, per_college=False, status=VoteStatus.open, opened_at=now,
                        closes_at=now + timedelta(hours=1), electorate_size=len(member_ids))
            election = Election(title="Bench election", seats=SEATS, term_starts_on=now.date(), term_years=2,
                                candidacy_opens_at=now - timedelta(days=10),
                                candidacy_closes_at=now - timedelta(days=1), constraints=CONSTRAINTS, vote=vote)
            db.session.add(election)
            db.session.flush()
            # One candidate per slot of GROUPS, each from a member of its college.
            by_college: dict[str, list[int]] = {}
            for mid, (code, _country) in zip(member_ids, homes, strict=True):
                by_college.setdefault(code, []).append(mid)
            standing = [by_college[code][k] for code, _country, n, _w in GROUPS for k in range(n)]
            # The same candidates (colleges, genders, popularity) as the pure parts, under their candidacy ids.
            entries, popularity = make_candidates(list(range(1, CANDIDATES + 1)), random.Random(2027))
            candidacy_ids = list(db.session.scalars(
                insert(Candidacy).returning(Candidacy.id, sort_by_parameter_order=True),
                [{"election_id": election.id, "member_id": mid, "representative_name": entry["representative"],
                  "gender": entry["gender"], "status": CandidacyStatus.validated, "submitted_at": now,
                  "statement_fr": "", "statement_en": "", "statement_ar": "", "decision_reason": ""}
                 for entry, mid in zip(entries, standing, strict=True)]))
            weight = {str(cid): popularity[entry["id"]] for cid, entry in zip(candidacy_ids, entries, strict=True)}
            choices = make_choices(weight, rng)
            db.session.execute(insert(VoteElector), [
                {"vote_id": vote.id, "member_id": mid, "college_code": code, "country": country}
                for mid, (code, country) in zip(member_ids, homes, strict=True)])
            db.session.execute(insert(Participation), [{"vote_id": vote.id, "member_id": mid, "cast_at": now}
                                                       for mid in member_ids])
            db.session.execute(insert(Ballot), [{"vote_id": vote.id, "tracker": secrets.token_hex(16), "college": "",
                                                 "choice": choice} for choice in choices])
            db.session.commit()
            vote_id = vote.id
            out["insert_s"] = time.perf_counter() - started
            db.session.remove()

            with app.test_request_context("/"):
                vote = db.session.get(Vote, vote_id)
                started = time.perf_counter()
                result = voting.close_vote(vote, actor=None)
                close_times.append(time.perf_counter() - started)
                db.session.commit()
                commit_times.append(time.perf_counter() - started)
            out["result"] = {k: result[k] for k in ("participation", "ballots", "vacant")}
            out["elected"] = len(result["elected"])
            db.session.remove()

            with app.test_request_context("/"):
                vote = db.session.get(Vote, vote_id)
                started = time.perf_counter()
                body = json.dumps(export_board(vote), ensure_ascii=False, indent=1) + "\n"
                export_times.append(time.perf_counter() - started)
            db.session.remove()

        started = time.perf_counter()
        report = recounting.recount(recounting.parse(body))
        recount_times.append(time.perf_counter() - started)
        ok = ok and report["ok"] and report["result"] == json.loads(body)["result"]
        if not report["ok"]:
            log(f"app recount problems: {report['problems'][:5]}")
        log(f"app round {round_ + 1}/{repeat}: close {close_times[-1]:.3f} s, export {export_times[-1]:.3f} s, "
            f"recount {recount_times[-1]:.3f} s")
    board_file = WORK / f"election-board-{out['database']}.json"
    board_file.write_text(body, encoding="utf-8")
    out["board"] = json.loads(body)
    out["board_file"] = board_file
    out["board_bytes"] = board_file.stat().st_size
    out.update(close=close_times, close_commit=commit_times, export=export_times, recount=recount_times,
               recount_ok=ok)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return out


def cli_part(board_file: Path, repeat: int) -> dict[str, Any]:
    """``flask votes recount FILE`` in a new interpreter (database unreachable), against the same
    interpreter start-up running ``flask votes --help``: the difference is the recount itself."""
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    flask = str(Path(sys.executable).parent / "flask")
    out: dict[str, Any] = {"recount": [], "startup": [], "rc": []}
    for _ in range(repeat):
        for key, args in (("startup", ["votes", "--help"]), ("recount", ["votes", "recount", str(board_file)])):
            started = time.perf_counter()
            done = subprocess.run([flask, "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                                  text=True, check=False)
            out[key].append(time.perf_counter() - started)
            if key == "recount":
                out["rc"].append(done.returncode)
    return out


# Report ---------------------------------------------------------------------------------------

def met(times: list[float]) -> str:
    return "yes" if max(times) < TARGET_S else "**no**"


def same_shape(a: Any, b: Any, path: str = "board") -> list[str]:
    """Keys present in one board and not the other (the in-memory board must match the export)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = [f"{path}.{k}" for k in sorted(set(a) ^ set(b))]
        for key in sorted(set(a) & set(b)):
            if key not in ("approvals", "by_college", "constraints"):
                found += same_shape(a[key], b[key], f"{path}.{key}")
        return found
    if isinstance(a, list) and isinstance(b, list) and a and b:
        return same_shape(a[0], b[0], f"{path}[0]")
    return []


def versions() -> str:
    from importlib.metadata import version

    return f"python {platform.python_version()}, flask {version('flask')}, sqlalchemy {version('sqlalchemy')}"


def report(pure: dict[str, Any], apps: list[dict[str, Any]], cli: dict[str, Any] | None, repeat: int,
           app_repeat: int, started_at: str, load: str) -> str:
    rows = [
        ("Parse the 5,000 ballot strings + `rules.count_approvals`", pure["count_approvals"]),
        ("`rules.allocate` (rank, draw, constrained walk with the exact completion check)", pure["allocate"]),
        ("Whole pure count (parse + approvals + allocate, as `services.count_election`)", pure["count"]),
        (f"Recount, board built in memory ({pure['board_bytes'] / 1e6:.2f} MB): `recount.parse` (JSON + shape)",
         pure["parse"]),
        ("Recount: `recount.recount` (chain, ballots, approvals, allocation, comparison)", pure["recount"]),
        ("Recount: parse + recount", pure["parse_and_recount"]),
    ]
    for app in apps:
        name = app["database"]
        rows += [
            (f"App ({name}): `voting.close_vote` (lock out casts, rewrite in tracker order, seal, election count, "
             "mandates, audit)", app["close"]),
            (f"App ({name}): the same with the commit", app["close_commit"]),
            (f"App ({name}): `export_board` + `json.dumps` (what board.json serves, "
             f"{app['board_bytes'] / 1e6:.2f} MB)", app["export"]),
            (f"App ({name}): recount of that export (`recount.parse` + `recount.recount`)", app["recount"]),
        ]
    if cli is not None:
        rows += [(f"{STARTUP_ROWS[0]} votes recount FILE`, new interpreter, wall (start-up included)", cli["recount"]),
                 (f"{STARTUP_ROWS[1]} `flask --app wsgi votes --help`, wall", cli["startup"])]
    lines = [
        "# Election benchmark results",
        "",
        f"Run {started_at} by `.venv/bin/python tests/bench/election_bench.py` "
        f"(`tests/bench/election_bench.py`). Machine: {load}. Versions: {versions()}.",
        "",
        f"The election: {BALLOTS:,} ballots, {CANDIDATES} candidates in {len(GROUPS)} colleges and 2 countries, "
        f"{SEATS} seats, three constraints: college cs-fr at most 4 seats, country TN at least 6, parity "
        f"|women - men| <= 2. {pure['approvals_per_ballot']:.1f} approvals per ballot on average, "
        f"{pure['blank']} blank ballots. Pure count: {pure['allocation']}.",
        "",
        f"Each figure is the median of {repeat} runs ({app_repeat} for the application and the command; worst in "
        f"the next column). Target: each under {TARGET_S:.0f} s.",
        "",
        "| step | median | worst | under 1 s |",
        "|---|---|---|---|",
    ]
    lines += [f"| {name} | {fmt(t)} | {worst(t)} | {met(t) if not name.startswith(STARTUP_ROWS) else 'n/a'} |"
              for name, t in rows]
    lines += ["", f"In-memory board recount: ok = {pure['recount_ok']}."]
    for app in apps:
        lines += [
            "",
            f"Application path on {app['database']}: {app['result']['ballots']:,} ballots, {app['elected']} elected, "
            f"{app['result']['vacant']} vacant; inserting the data took {app['insert_s']:.1f} s (not timed). "
            f"Recounts of the export ok = {app['recount_ok']}; the in-memory board has the same keys as the "
            f"export: {'yes' if not app['shape'] else 'no (' + ', '.join(app['shape']) + ')'}.",
        ]
    if cli is not None:
        lines += ["", f"Command exit statuses: {sorted(set(cli['rc']))} (database unreachable: it reads the file "
                      "only). The command's wall time is the interpreter and application start-up (importing "
                      "the app and `create_app`, the same with `--help`), outside the count and recount that the "
                      "target is about; the recount itself is the in-process figure above."]
    lines += ["", "## How it is measured", "", "See the docstring of `tests/bench/election_bench.py`.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each pure step (default 5)")
    parser.add_argument("--app-repeat", type=int, default=3, help="rounds of the application path (default 3)")
    parser.add_argument("--database", action="append",
                        help="SQLAlchemy URL for the application path, repeatable (default: a temporary SQLite "
                             "file); its tables are dropped and created, so give it a database of its own")
    parser.add_argument("--skip-app", action="store_true", help="only the pure count and the in-memory recount")
    parser.add_argument("--output", type=Path, default=HERE / "election_results.md")
    args = parser.parse_args()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = machine()
    log(f"election bench: {BALLOTS} ballots, {CANDIDATES} candidates, {SEATS} seats; {load}")
    pure = pure_parts(args.repeat)
    log(f"pure: count {fmt(pure['count'])}, allocate {fmt(pure['allocate'])}, parse {fmt(pure['parse'])}, "
        f"recount {fmt(pure['recount'])} -> ok={pure['recount_ok']}; {pure['allocation']}")
    apps: list[dict[str, Any]] = []
    cli = None
    if not args.skip_app:
        for database in args.database or [None]:
            app = app_part(database, args.app_repeat)
            app["shape"] = same_shape(pure["board"], app["board"])
            apps.append(app)
        cli = cli_part(apps[-1]["board_file"], args.app_repeat)
        log(f"cli: recount {fmt(cli['recount'])}, start-up {fmt(cli['startup'])}, exit {cli['rc']}")
    text = report(pure, apps, cli, args.repeat, args.app_repeat, started_at, load)
    print(text)
    args.output.write_text(text, encoding="utf-8")
    log(f"written to {args.output}")
    ok = pure["recount_ok"] and all(a["recount_ok"] and not a["shape"] for a in apps)
    ok = ok and (cli is None or set(cli["rc"]) == {0})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
