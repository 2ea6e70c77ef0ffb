"""Selection benchmark (issue 8): 500 proposals × 12 reviewers × 8 criteria -- aggregation, calibration and the
trial allocation in-process (target: under 300 ms), and the ranking and trial allocation pages' server time
and query count.

Run: ``.venv/bin/python tests/bench/selection_bench.py`` (``--database URL``, repeatable, for PostgreSQL -- a
database of its own: its tables are dropped; by default a temporary SQLite file). Figures go to stdout and
``tests/bench/selection_results.md``; nothing here is a timed assertion.

1. **In-process** (no database, as ``app.calls.selection.board`` does once the rows are loaded): every one of
   the 12 reviewers scores every one of the 500 proposals (6,000 reviews, 48,000 marks) on 8 criteria (weights
   1 to 3, scales 5 and 10, two criteria allowing "not applicable", about 1 mark in 10 n/a there), drawn with a
   fixed seed and a per-reviewer bias, so calibration has work to do. Timed: ``scoring.aggregate`` of the 500
   proposals (weighted scores, mean, median, extremes, standard deviation, per criterion mean and spread, the
   flags); ``scoring.calibrate`` of the 6,000 reviews; ``allocation.allocate`` of the 500 candidates (the
   seed's hash, the ranking with its draw, the line, the reserve) on the calibrated means; and all three plus
   both ranks together (what the ranking page computes).
2. **The pages** (``GET /calls/<id>/ranking`` and ``GET /calls/<id>/allocation``, the secretariat): the same
   scores bulk-inserted (``tests/calls/builders.many_proposals``, ``tests/calls/review_builders.many_reviews``),
   server time through the Flask test client (no network) and the SQL statements sent.
"""
from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.calls import allocation, scoring  # noqa: E402
from tests.bench.common import bench_app, close_app, commit, fmt, log, machine, page_timings, timed, worst  # noqa: E402

PROPOSALS = 500
REVIEWERS = 12
CRITERIA = 8
TARGET_MS = 300
SEED = 8


def criteria_content() -> dict[str, dict[str, Any]]:
    from tests.calls.review_builders import many_criteria

    return many_criteria(CRITERIA)


def draw_scores(rng: random.Random, criteria: list[scoring.Criterion]) -> dict[tuple[int, int], dict[str, int | None]]:
    """(proposal index, reviewer index) → {code: score or None}: a proposal's quality plus a reviewer's bias."""
    quality = [rng.random() for _ in range(PROPOSALS)]
    bias = [rng.uniform(-0.2, 0.2) for _ in range(REVIEWERS)]
    out = {}
    for p in range(PROPOSALS):
        for r in range(REVIEWERS):
            marks: dict[str, int | None] = {}
            for c in criteria:
                if c.na_allowed and rng.random() < 0.1:
                    marks[c.code] = None
                    continue
                level = min(1.0, max(0.0, quality[p] + bias[r] + rng.gauss(0, 0.12)))
                marks[c.code] = round(level * c.scale_max)
            out[(p, r)] = marks
    return out


def pure_part(repeat: int) -> dict[str, Any]:
    criteria = scoring.criteria_of({"criteria": criteria_content()})
    scores = draw_scores(random.Random(SEED), criteria)
    facts: dict[int, list[scoring.ReviewFacts]] = {}
    review_id = 0
    for (p, r), marks in scores.items():
        review_id += 1
        facts.setdefault(p + 1, []).append(scoring.ReviewFacts(
            review_id, 1000 + r, p + 1, {k: scoring.Mark(v, "j") for k, v in marks.items()},
            eligible=None if (p + r) % 37 else (p % 2 == 0)))
    every = [f for rows in facts.values() for f in rows]
    rng = random.Random(SEED + 1)
    grants = {pid: rng.randrange(20_000_00, 66_440_00) for pid in facts}

    def aggregate() -> dict[int, scoring.Aggregate]:
        return {pid: scoring.aggregate(criteria, rows, threshold=25) for pid, rows in facts.items()}

    def calibrate() -> scoring.Calibration:
        return scoring.calibrate(criteria, every)

    cal = calibrate()

    def allocate() -> allocation.Allocation:
        candidates = [allocation.Candidate(pid, cal.proposal_means.get(pid), pid % 20 != 0, grants[pid], grants[pid])
                      for pid in facts]
        return allocation.allocate(candidates, 6_000_000_00, mode="skip", reserve_size=5)

    def whole() -> allocation.Allocation:
        aggs = aggregate()
        calibration = calibrate()
        for scores_ in ({pid: a.mean for pid, a in aggs.items()}, calibration.proposal_means):
            allocation.ranking([allocation.Candidate(pid, s, True, 0) for pid, s in scores_.items()],
                               allocation.seed_of(scores_))
        candidates = [allocation.Candidate(pid, calibration.proposal_means.get(pid), pid % 20 != 0, grants[pid],
                                           grants[pid]) for pid in facts]
        return allocation.allocate(candidates, 6_000_000_00, mode="skip", reserve_size=5)

    out: dict[str, Any] = {}
    aggs, out["aggregate"], out["aggregate_cpu"] = timed(aggregate, repeat)
    _, out["calibrate"], out["calibrate_cpu"] = timed(calibrate, repeat)
    line, out["allocate"], out["allocate_cpu"] = timed(allocate, repeat)
    _, out["whole"], out["whole_cpu"] = timed(whole, repeat)
    out["flagged"] = sum(1 for a in aggs.values() if a.flagged)
    out["funded"] = sum(1 for p in line.placements if p.outcome == allocation.FUNDED)
    out["line_rank"] = line.line.rank if line.line else None
    out["reviews"] = len(every)
    out["moved"] = 0
    raw_scores = {pid: a.mean for pid, a in aggs.items()}
    raw_order, _ = allocation.ranking([allocation.Candidate(pid, s, True, 0) for pid, s in raw_scores.items()],
                                      allocation.seed_of(raw_scores))
    cal_order, _ = allocation.ranking([allocation.Candidate(pid, s, True, 0) for pid, s in cal.proposal_means.items()],
                                      allocation.seed_of(cal.proposal_means))
    raw_rank = {c.proposal_id: i for i, c in enumerate(raw_order)}
    out["moved"] = sum(1 for i, c in enumerate(cal_order) if abs(raw_rank[c.proposal_id] - i) >= 3)
    return out


def page_part(database: str | None, repeat: int) -> dict[str, Any]:
    from app.calls.models import CallStatus
    from app.extensions import db
    from app.members.models import Member
    from tests import factories
    from tests.calls import builders, review_builders

    app, kind = bench_app(database, "pcpa-selection-bench-")
    out: dict[str, Any] = {"database": kind}
    criteria = scoring.criteria_of({"criteria": criteria_content()})
    scores = draw_scores(random.Random(SEED), criteria)
    with app.test_request_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        world = factories.build_world()
        leads = [db.session.get(Member, world.member_id), *factories.voters(19, prefix="Lead")]
        version = builders.version(review_builders.criteria_content(criteria=criteria_content()))
        call = builders.call(version, status=CallStatus.in_review, envelope="6000000")
        builders.many_proposals(call, leads, PROPOSALS)
        people = review_builders.committee(REVIEWERS)
        out["reviews"] = review_builders.many_reviews(call, people, lambda p, r: scores[(p, r)],
                                                      per_proposal=REVIEWERS)
        db.session.commit()
        out["insert_s"] = time.perf_counter() - started
        call_id = call.id
        engine = db.engine
        db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"email": world.emails["secretariat"], "password": factories.PASSWORD})
    assert response.status_code == 302
    out["pages"] = {}
    for label, path in (("ranking", f"/calls/{call_id}/ranking"), ("trial allocation", f"/calls/{call_id}/allocation"),
                        ("trial, envelope changed", f"/calls/{call_id}/allocation?envelope=3000000&mode=stop")):
        page = page_timings(client, engine, path, repeat)
        assert set(page["statuses"]) == {200}, path
        out["pages"][label] = {"times": page["times"], "cpu": page["cpu"], "queries": sorted(set(page["queries"])),
                               "bytes": statistics.median(page["sizes"])}
        log(f"{label}: {fmt(page['times'])}, {page['queries'][0]} queries")
    close_app(app, database)
    return out


def report(pure: dict[str, Any], pages: list[dict[str, Any]], repeat: int, page_repeat: int, started_at: str,
           load: str) -> str:
    lines = [
        "# Selection benchmark results",
        "",
        f"Run {started_at} at commit `{commit()}` by `.venv/bin/python tests/bench/selection_bench.py`. "
        f"Machine: {load}. Python {platform.python_version()}.",
        "",
        "## Aggregation, calibration and trial allocation, in-process",
        "",
        f"{PROPOSALS} proposals, each scored by all {REVIEWERS} reviewers ({pure['reviews']:,} reviews) on "
        f"{CRITERIA} criteria ({pure['reviews'] * CRITERIA:,} marks, n/a allowed on two). Exact arithmetic "
        f"(`Fraction`; square roots in `Decimal`). Median of {repeat} runs. Target: under {TARGET_MS} ms.",
        "",
        "| step | median | worst | CPU (median) | under 300 ms |",
        "|---|---|---|---|---|",
    ]
    for key, name in (("aggregate", "`scoring.aggregate` of the 500 proposals"),
                      ("calibrate", "`scoring.calibrate` of the 6,000 reviews"),
                      ("allocate", "`allocation.allocate` of the 500 candidates (seed, draw, line, reserve)"),
                      ("whole", "all three + raw and calibrated ranks (what the ranking page computes)")):
        times, cpu = pure[key], pure[f"{key}_cpu"]
        ok = "yes" if statistics.median(times) * 1000 < TARGET_MS else "**no**"
        lines.append(f"| {name} | {fmt(times)} | {worst(times)} | {fmt(cpu)} | {ok} |")
    lines += ["", f"Outcome: {pure['flagged']} proposals flagged for discussion; {pure['moved']} move by 3 places "
              f"or more with calibration; {pure['funded']} funded by an envelope of 6,000,000 € (line at rank "
              f"{pure['line_rank']})."]
    for data in pages:
        lines += [
            "",
            f"## The pages (secretariat), {data['database']}",
            "",
            f"The same {data['reviews']:,} reviews bulk-inserted ({data['insert_s']:.1f} s, not timed). Server time "
            f"through the Flask test client (session, permission, queries, computation, template; no network), "
            f"median of {page_repeat} requests after a warm-up.",
            "",
            "| page | median | worst | CPU (median) | SQL statements | HTML |",
            "|---|---|---|---|---|---|",
        ]
        for label, page in data["pages"].items():
            lines.append(f"| {label} | {fmt(page['times'])} | {worst(page['times'])} | {fmt(page['cpu'])} | "
                         f"{'/'.join(str(q) for q in page['queries'])} | {page['bytes'] / 1024:.0f} kB |")
    lines += ["", "The query counts are the same at 10 proposals (`tests/calls/test_selection_bounded_queries.py`).",
              ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", default=[], help="PostgreSQL URL (tables dropped)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--page-repeat", type=int, default=5)
    parser.add_argument("--output", default=str(HERE / "selection_results.md"))
    args = parser.parse_args()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = machine()
    pure = pure_part(args.repeat)
    log(f"in-process: aggregate {fmt(pure['aggregate'])}, calibrate {fmt(pure['calibrate'])}, "
        f"allocate {fmt(pure['allocate'])}, whole {fmt(pure['whole'])}")
    pages = [page_part(None, args.page_repeat)] + [page_part(url, args.page_repeat) for url in args.database]
    text = report(pure, pages, args.repeat, args.page_repeat, started_at, load)
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
