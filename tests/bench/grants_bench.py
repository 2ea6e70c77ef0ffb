"""Grants benchmark (issue 9): 2,000 grants × 10 instalments × 8 reports × 20 budget lines -- the secretariat
dashboard's server time and query count (and the portfolio's), and the time of the full 360Giving and IATI
exports.

Run: ``.venv/bin/python tests/bench/grants_bench.py`` (``--database URL``, repeatable, for PostgreSQL -- a
database of its own: its tables are dropped; by default a temporary SQLite file). Figures go to stdout and
``tests/bench/grants_results.md``; nothing here is a timed assertion.

The portfolio, bulk-inserted: 2,000 active grants over 4 calls and 40 lead members, each with 20 budget lines
(version 1), 4 indicators (2 per side), 10 instalments (the first on signature, then after each report
approved), 8 reports (the first 4 approved, each with one approved version carrying its indicator values,
the 5th submitted, the 6th overdue for one grant in 5, the rest ahead), and a ledger of 1 commitment,
5 disbursements and 4 × 20 expenditure entries (one per line and approved report): 86 entries a grant,
172,000 in all. Timed: ``GET /grants/dashboard`` and ``GET /grants/portfolio`` through the Flask test client
(statements counted), ``exports.giving_json()`` (every grant) and ``exports.iati_xml()`` (every grant and
every ledger entry as a transaction), each median of ``--repeat`` runs.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.common import bench_app, close_app, commit, fmt, log, machine, page_timings, timed, worst  # noqa: E402

GRANTS = 2000
INSTALMENTS = 10
REPORTS = 8
LINES = 20
INDICATORS = 4
APPROVED = 4
PAID = 5
CALLS = 4
LEADS = 40


def _chunks(rows: list[dict[str, Any]], size: int = 5000):  # noqa: ANN202
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def populate() -> dict[str, Any]:
    """The portfolio described above, bulk-inserted; returns counts."""
    from sqlalchemy import insert, select

    from app.calls.models import Proposal
    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.grants.models import (
        BudgetVersion,
        Grant,
        GrantBudgetLine,
        GrantIndicator,
        GrantPartner,
        Instalment,
        LedgerEntry,
        Report,
        ReportVersion,
    )
    from tests import factories
    from tests.grants import builders

    today = date.today()
    start = today - timedelta(days=400)
    end = start + timedelta(days=1095)
    leads = factories.voters(LEADS, prefix="Grantee", country="TN", college_code="cs-tn")
    templates = [builders.grant(leads[0], title=f"Modèle {c}") for c in range(CALLS)]
    db.session.flush()
    now = utcnow()
    source = templates[0].proposal
    columns = ("summary", "territories", "beneficiaries_direct", "beneficiaries_indirect", "women_percent",
               "youth_percent", "starts_on", "duration_months", "expected_results", "main_activities",
               "total_budget_cents", "requested_cents", "cofinancing_cents", "max_grant_cents", "eligible",
               "submitted_number", "status")
    base = {c: getattr(source, c) for c in columns}
    n = GRANTS - CALLS
    proposal_ids = list(db.session.scalars(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), [
        {**base, "call_id": templates[i % CALLS].call_id, "lead_member_id": leads[i % LEADS].id,
         "title": f"Projet {i}", "created_at": now, "updated_at": now, "sections_done": []} for i in range(n)]))
    grant_ids = list(db.session.scalars(insert(Grant).returning(Grant.id, sort_by_parameter_order=True), [
        {"number": f"B-{i:05d}", "call_id": templates[i % CALLS].call_id, "proposal_id": proposal_ids[i],
         "lead_member_id": leads[i % LEADS].id, "title": f"Projet {i}", "summary": "Résumé", "starts_on": start,
         "ends_on": end, "awarded_cents": 6_000_000, "currency": "EUR", "local_currency": "TND", "language": "fr",
         "status": "active", "status_reason": "", "signed_by_grantee_on": start, "signed_by_programme_on": start,
         "tolerance_percent": 10, "created_at": now} for i in range(n)]))
    # the templates are replaced by grants shaped like the others (their own children are left as built)
    versions = list(db.session.scalars(insert(BudgetVersion).returning(BudgetVersion.id, sort_by_parameter_order=True),
                                       [{"grant_id": g, "number": 1, "ends_on": end, "created_at": now}
                                        for g in grant_ids]))
    for chunk in _chunks([{"version_id": v, "code": f"L{k}", "position": k, "category": "activities",
                           "description": f"Ligne {k}", "planned_cents": 300_000, "grant_cents": 300_000}
                          for v in versions for k in range(1, LINES + 1)]):
        db.session.execute(insert(GrantBudgetLine), chunk)
    partners = list(db.session.scalars(insert(GrantPartner).returning(GrantPartner.id, sort_by_parameter_order=True),
                                       [{"grant_id": g, "name": f"Partenaire {g}", "country": "FR",
                                         "kind": "association", "role": ""} for g in grant_ids]))
    indicator_ids = list(db.session.scalars(
        insert(GrantIndicator).returning(GrantIndicator.id, sort_by_parameter_order=True),
        [{"grant_id": g, "partner_id": partners[i] if k % 2 else None, "name": f"Indicateur {k}", "unit": "p",
          "baseline": "0", "target": "100"} for i, g in enumerate(grant_ids) for k in range(INDICATORS)]))
    report_rows = []
    for i, g in enumerate(grant_ids):
        for k in range(1, REPORTS + 1):
            due = start + timedelta(days=k * 120)
            status = "approved" if k <= APPROVED else ("submitted" if k == APPROVED + 1 else "")
            if k == APPROVED + 2 and i % 5 == 0:
                due = today - timedelta(days=3)
            report_rows.append({"grant_id": g, "number": k, "kind": "final" if k == REPORTS else "interim",
                                "nature": "combined", "period_starts_on": start + timedelta(days=(k - 1) * 120),
                                "period_ends_on": start + timedelta(days=k * 120 - 1), "due_on": due,
                                "status": status, "reminded": {}})
    report_ids = []
    for chunk in _chunks(report_rows):
        report_ids += list(db.session.scalars(insert(Report).returning(Report.id, sort_by_parameter_order=True),
                                              chunk))
    version_rows = []
    for i, _g in enumerate(grant_ids):
        for k in range(1, APPROVED + 2):
            values = {str(indicator_ids[i * INDICATORS + j]): str(10 * k + j) for j in range(INDICATORS)}
            version_rows.append({"report_id": report_ids[i * REPORTS + k - 1], "number": 1,
                                 "status": "approved" if k <= APPROVED else "submitted", "narrative": {"a": "b"},
                                 "expenditure": {f"L{x}": 30_000 for x in range(1, LINES + 1)},
                                 "indicators": values, "comments": {}, "created_at": now})
    version_ids = []
    for chunk in _chunks(version_rows):
        version_ids += list(db.session.scalars(
            insert(ReportVersion).returning(ReportVersion.id, sort_by_parameter_order=True), chunk))
    instalment_rows = [{"grant_id": g, "number": k, "amount_cents": 600_000,
                        "condition": "on_signature" if k == 1 else "report_approved",
                        "condition_report_id": None if k == 1 else report_ids[i * REPORTS + min(k - 1, REPORTS) - 1],
                        "released_early_reason": ""}
                       for i, g in enumerate(grant_ids) for k in range(1, INSTALMENTS + 1)]
    instalment_ids = []
    for chunk in _chunks(instalment_rows):
        instalment_ids += list(db.session.scalars(
            insert(Instalment).returning(Instalment.id, sort_by_parameter_order=True), chunk))
    entries = []
    for i, g in enumerate(grant_ids):
        entries.append({"grant_id": g, "type": "2", "amount_cents": 6_000_000, "value_date": start,
                        "budget_line_code": "", "reference": f"C-{g}", "created_at": now})
        for k in range(PAID):
            entries.append({"grant_id": g, "type": "3", "amount_cents": 600_000,
                            "value_date": start + timedelta(days=k * 120 + 5),
                            "instalment_id": instalment_ids[i * INSTALMENTS + k], "budget_line_code": "",
                            "reference": f"P-{g}-{k}", "created_at": now})
        for k in range(APPROVED):
            for x in range(1, LINES + 1):
                entries.append({"grant_id": g, "type": "4", "amount_cents": 30_000,
                                "value_date": start + timedelta(days=(k + 1) * 120),
                                "report_version_id": version_ids[i * (APPROVED + 1) + k],
                                "budget_line_code": f"L{x}", "reference": f"E-{g}-{k}-{x}", "created_at": now})
    for chunk in _chunks(entries):
        db.session.execute(insert(LedgerEntry), chunk)
    db.session.commit()
    grants = db.session.scalar(select(db.func.count()).select_from(Grant))
    ledger = db.session.scalar(select(db.func.count()).select_from(LedgerEntry))
    return {"grants": grants, "ledger": ledger, "reports": len(report_rows), "instalments": len(instalment_rows),
            "lines": len(versions) * LINES}


def run(database: str | None, repeat: int, page_repeat: int) -> dict[str, Any]:
    from app.extensions import db
    from app.grants import exports
    from tests import factories

    app, kind = bench_app(database, "pcpa-grants-bench-")
    out: dict[str, Any] = {"database": kind}
    with app.test_request_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        world = factories.build_world()
        db.session.commit()
        out.update(populate())
        out["insert_s"] = time.perf_counter() - started
        engine = db.engine
        db.session.remove()
    log(f"{kind}: {out['grants']} grants, {out['ledger']} ledger entries in {out['insert_s']:.1f} s")
    client = app.test_client()
    response = client.post("/login", data={"email": world.emails["secretariat"], "password": factories.PASSWORD})
    assert response.status_code == 302
    out["pages"] = {}
    for label, path in (("secretariat dashboard", "/grants/dashboard"), ("portfolio", "/grants/portfolio")):
        page = page_timings(client, engine, path, page_repeat)
        assert set(page["statuses"]) == {200}, path
        out["pages"][label] = {"times": page["times"], "cpu": page["cpu"], "queries": sorted(set(page["queries"])),
                               "bytes": statistics.median(page["sizes"])}
        log(f"{label}: {fmt(page['times'])}, {page['queries'][0]} queries")
    out["exports"] = {}
    with app.test_request_context():
        for label, fn in (("360Giving JSON (every grant)", exports.giving_json),
                          ("360Giving CSV (every grant)", exports.giving_csv),
                          ("IATI 2.03 XML (every grant and ledger entry)", exports.iati_xml)):
            body, times, cpu = timed(lambda fn=fn: (db.session.remove(), fn())[1], repeat)
            out["exports"][label] = {"times": times, "cpu": cpu, "bytes": len(body)}
            log(f"{label}: {fmt(times)}, {len(body) / 1e6:.1f} MB")
        db.session.remove()
    close_app(app, database)
    return out


def report(results: list[dict[str, Any]], repeat: int, page_repeat: int, started_at: str, load: str) -> str:
    lines = [
        "# Grants benchmark results",
        "",
        f"Run {started_at} at commit `{commit()}` by `.venv/bin/python tests/bench/grants_bench.py`. "
        f"Machine: {load}. Python {platform.python_version()}.",
        "",
        f"{GRANTS:,} active grants × {INSTALMENTS} instalments × {REPORTS} reports × {LINES} budget lines "
        f"({INDICATORS} indicators each, {APPROVED} reports approved with their values, one submitted, one grant "
        f"in five with an overdue report); a ledger of 1 commitment, {PAID} disbursements and "
        f"{APPROVED} × {LINES} expenditure entries per grant. Every figure is summed from the ledger at each request.",
    ]
    for data in results:
        lines += [
            "",
            f"## {data['database']}",
            "",
            f"{data['grants']:,} grants, {data['ledger']:,} ledger entries, {data['reports']:,} reports, "
            f"{data['instalments']:,} instalments, {data['lines']:,} budget lines, bulk-inserted in "
            f"{data['insert_s']:.1f} s (not timed).",
            "",
            f"Pages (the secretariat), server time through the Flask test client (session, permission, queries, "
            f"rules, charts, template; no network), median of {page_repeat} requests after a warm-up:",
            "",
            "| page | median | worst | CPU (median) | SQL statements | HTML |",
            "|---|---|---|---|---|---|",
        ]
        for label, page in data["pages"].items():
            lines.append(f"| {label} | {fmt(page['times'])} | {worst(page['times'])} | {fmt(page['cpu'])} | "
                         f"{'/'.join(str(q) for q in page['queries'])} | {page['bytes'] / 1024:.0f} kB |")
        lines += ["", f"Full exports (in-process, what the download and the command compute), median of {repeat}:",
                  "", "| export | median | worst | CPU (median) | size |", "|---|---|---|---|---|"]
        for label, item in data["exports"].items():
            lines.append(f"| {label} | {fmt(item['times'])} | {worst(item['times'])} | {fmt(item['cpu'])} | "
                         f"{item['bytes'] / 1e6:.1f} MB |")
    lines += ["", "The dashboards' statement counts are the same at 10 grants "
              "(`tests/grants/test_dashboard.py::test_same_number_of_queries_with_10_and_2000_grants`).", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", default=[], help="PostgreSQL URL (tables dropped)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-repeat", type=int, default=5)
    parser.add_argument("--output", default=str(HERE / "grants_results.md"))
    args = parser.parse_args()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = machine()
    results = [run(None, args.repeat, args.page_repeat)] + [run(url, args.repeat, args.page_repeat)
                                                            for url in args.database]
    text = report(results, args.repeat, args.page_repeat, started_at, load)
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
