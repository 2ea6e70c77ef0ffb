"""What the in-process benchmarks (``calls_bench.py``, ``election_bench.py``, ``selection_bench.py``) share:
timing a function or a page, and the figures' formatting and context (machine, commit) for their reports.

The scripts put the repository root on ``sys.path`` before importing this module.
"""
from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, list[float], list[float]]:
    """Run ``fn`` ``repeat`` times: (last value, every wall duration, every CPU duration, in seconds)."""
    times: list[float] = []
    cpu: list[float] = []
    value = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        value = fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return value, times, cpu


def page_timings(client: Any, engine: Any, path: str, repeat: int) -> dict[str, list[Any]]:
    """GET ``path`` ``repeat`` times with the Flask test client (after one warm-up request, which loads
    templates and caches): every wall and CPU duration, SQL statement count, status and body size."""
    from sqlalchemy import event

    statements: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(statement)

    client.get(path)  # warm-up
    out: dict[str, list[Any]] = {"times": [], "cpu": [], "queries": [], "statuses": [], "sizes": []}
    for _ in range(repeat):
        statements.clear()
        event.listen(engine, "before_cursor_execute", on_execute)
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        out["times"].append(time.perf_counter() - started)
        out["cpu"].append(time.process_time() - started_cpu)
        event.remove(engine, "before_cursor_execute", on_execute)
        out["queries"].append(len(statements))
        out["statuses"].append(response.status_code)
        out["sizes"].append(len(response.data))
    return out


def fmt(times: list[float]) -> str:
    """The median, in milliseconds."""
    return f"{statistics.median(times) * 1000:.1f} ms"


def worst(times: list[float]) -> str:
    return f"{max(times) * 1000:.1f} ms"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"`nproc` = {os.cpu_count()}, {cpu}; load average at the start {load}"


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "?"


def bench_app(database: str | None, prefix: str) -> tuple[Any, str]:
    """The app on ``database`` (a PostgreSQL URL: its tables will be dropped) or on a temporary SQLite file;
    and the database's kind (``sqlite``, ``postgresql``) for the report."""
    from app import create_app
    from app.config import normalise_db_url
    from tests.conftest import test_settings

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    url = normalise_db_url(database) if database else f"sqlite:///{tmp / 'bench.sqlite'}"
    app = create_app(test_settings(tmp, SQLALCHEMY_DATABASE_URI=url))
    return app, url.split(":", 1)[0].split("+", 1)[0]


def close_app(app: Any, database: str | None) -> None:
    """Release ``bench_app``'s connections; a PostgreSQL database given by URL is left without tables."""
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        if database:
            db.drop_all()
        db.engine.dispose()
