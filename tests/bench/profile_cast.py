"""Where a cast spends its CPU: the real endpoint in-process (no gunicorn, no network).

    .venv/bin/python tests/bench/profile_cast.py            # SQL of one cast + CPU profile
    .venv/bin/python tests/bench/profile_cast.py --ab       # CPU per cast, the app and the floor, in turns

Builds ``pcpa_bench_profile`` like ``run.py`` does and casts once per delegate
through ``app.test_client()`` with the same crafted sessions. The profile uses
``cProfile`` with a CPU clock (``time.process_time``), so waiting for PostgreSQL
is not counted; its overhead inflates every figure about 4 times, the shares hold.
``--ab`` measures CPU per cast without a profiler, for the app and for the floor
(``bare_cast.py``, same process), in batches taken in turns: the minimum over
batches is the figure least disturbed by the other processes on the machine.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (tests/bench/run.py)

#: Inclusive CPU shares printed by the profile (function names as cProfile reports them).
WATCHED = ("wsgi_app", "wrapped", "can", "roles_of", "committee_roles", "full_dispatch_request", "preprocess_request", "process_response", "dispatch_request",
           "protect", "_check_request_limit", "open_session", "save_session", "_load_user", "do_ping",
           "__call__", "_get_translations", "validate_on_submit", "cast", "_insert_participation",
           "orm_execute_statement", "commit", "flash", "url_for", "gettext")


def build(members: int) -> tuple[Any, list[run.Signed], str]:
    name = "pcpa_bench_profile"
    run.recreate_database(name)
    app = run.make_app(name)
    electorate = run.populate(app, name, members, smoke=False)
    return app, run.signed_sessions(app, electorate.delegates), f"/votes/{electorate.vote_id}/cast"


def caster(app: Any, path: str):  # noqa: ANN201 - callable
    client = app.test_client(use_cookies=False)  # keep our Cookie header as it is
    vote_id = int(path.split("/")[2])  # /votes/<id>/cast

    def cast(signed: run.Signed) -> int:
        return client.post(path, data=run.cast_body(signed, vote_id), environ_base={"REMOTE_ADDR": run.REMOTE_ADDR},
                           headers={"Cookie": signed.cookie, "User-Agent": run.USER_AGENT,
                                    "Content-Type": "application/x-www-form-urlencoded"}).status_code

    return cast


def show_statements(app: Any, cast: Any, signed: run.Signed) -> None:
    from sqlalchemy import event

    from app.extensions import db

    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    status = cast(signed)
    event.remove(engine, "before_cursor_execute", record)
    print(f"--- one cast ({status}): {len(statements)} SQL statements, plus the pool's pre-ping, BEGIN and COMMIT")
    for statement in statements:
        print("   ", statement[:150])


def profile(cast: Any, sessions: list[run.Signed]) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for signed in sessions:
        cast(signed)
    profiler.disable()
    rows = [(ct, nc, f.split("site-packages/")[-1].replace(str(run.ROOT) + "/", ""), line, fn)
            for (f, line, fn), (_, nc, _, ct, _) in pstats.Stats(profiler).stats.items()]  # type: ignore[attr-defined]
    total = max(r[0] for r in rows)
    print(f"--- CPU profile of {len(sessions)} casts (inclusive share of the CPU of a cast)")
    for ct, nc, path, line, fn in sorted(rows, reverse=True):
        if fn in WATCHED and ct / total >= 0.01:
            print(f"  {100 * ct / total:5.1f}%  {nc:6d} calls  {path}:{line}({fn})")


def ab(cast: Any, sessions: list[run.Signed], batches: int, size: int) -> None:
    os.environ.setdefault("BARE_DB", "postgresql+psycopg://" + run.PG_SERVER.split("://", 1)[1] + "/limitbench")
    sys.path.insert(0, str(run.FLOOR_DIR))
    import bare_cast  # noqa: PLC0415 - drops and creates its tables on import

    floor = bare_cast.app.test_client()
    for k in range(50):
        floor.post(f"/cast/{k}")
    results: dict[str, list[float]] = {"app: POST /votes/<id>/cast": [], "floor: bare_cast.py": []}
    remaining = iter(sessions)
    for b in range(batches):
        batch = [next(remaining) for _ in range(size)]
        started = time.process_time()
        for signed in batch:
            assert cast(signed) == 200
        results["app: POST /votes/<id>/cast"].append(1000 * (time.process_time() - started) / size)
        started = time.process_time()
        for k in range(size):
            assert floor.post(f"/cast/{1000 + b * size + k}").status_code == 201
        results["floor: bare_cast.py"].append(1000 * (time.process_time() - started) / size)
    print(f"--- CPU per cast in-process (Python side only), {batches} batches of {size} in turns: min / median")
    for name, values in results.items():
        values.sort()
        print(f"  {name:28s} {values[0]:5.2f} / {values[len(values) // 2]:5.2f} ms")
    app_min, floor_min = (min(v) for v in results.values())
    print(f"  ratio floor/app (min): {floor_min / app_min:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ab", action="store_true")
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=150)
    parser.add_argument("--casts", type=int, default=600, help="casts profiled")
    args = parser.parse_args()
    needed = 100 + (args.batches * args.batch_size if args.ab else args.casts)
    app, sessions, path = build(needed)
    cast = caster(app, path)
    show_statements(app, cast, sessions[0])
    for signed in sessions[1:100]:  # warm up: caches, prepared statements
        cast(signed)
    if args.ab:
        ab(cast, sessions[100:], args.batches, args.batch_size)
    else:
        profile(cast, sessions[100:])


if __name__ == "__main__":
    main()
