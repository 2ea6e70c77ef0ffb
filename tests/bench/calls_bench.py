"""Calls benchmark (issue 7): eligibility and maximum grant of 5,000 proposals of 30 budget lines each under a
rule set of 10 rules, in-process (target: under 1 s); and the secretariat's proposal list at 1,000 proposals
(server time and query count).

Run: ``.venv/bin/python tests/bench/calls_bench.py`` (``--database URL``, repeatable, for PostgreSQL -- a
database of its own: its tables are dropped; by default a temporary SQLite file). Figures go to stdout and
``tests/bench/calls_results.md``; nothing here is a timed assertion, but the script exits 1 if the list does
not answer 200 or its query count grows with the number of proposals.

1. **Eligibility and maximum grant** (no database, as ``eligibility.facts_of`` + ``eligibility.check`` do once
   the rows are loaded). 5,000 proposals drawn with a fixed seed, each with 30 budget lines (total and
   requested, ``Decimal`` euros to the cent), 0 to 3 co-financing lines, 0 to 4 partners, a duration, a
   number of challenges, the lead's status, charter and other open proposals. Timed, per proposal: the
   three sums of the lines, ``rules.max_grant`` (rate 65 %, ceiling 66,440 €, floor 5,000 €, half-up
   rounding), ``rules.ProposalFacts``, ``rules.evaluate`` of the rule set's nine eligibility kinds (one of
   each kind in the registry) and of a tenth rule, and ``rules.eligible``. A rule set's content holds one
   parameterisation per kind, so the tenth rule -- a second ``partner_other_country``, with a list of
   countries -- is evaluated as a rule set of its own. Every outcome carries its sentence and its reason in
   the language of the context (French by default: amounts formatted by Babel), so the reasons' wording is
   timed too. Also reported: the sums + grant alone, and the evaluation alone; English as well as French.
2. **The proposal list** (``GET /calls/<id>/proposals``, the secretariat's instruction list): a call with
   1,000 submitted proposals (``tests/calls/builders.many_proposals``: bulk inserts, each with two budget
   lines, a challenge and its snapshot; leads spread over 20 members) and a second call with 10; the
   secretariat signed in through the test client; server time of the GET (the Flask test client, no network)
   and the SQL statements it sends, for the first page, a search and a page further on.
"""
from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.calls import content as rule_content  # noqa: E402
from app.calls import rules  # noqa: E402
from tests.bench.common import bench_app, close_app, commit, fmt, log, machine, page_timings, worst  # noqa: E402
from tests.bench.common import timed as timed_cpu  # noqa: E402

PROPOSALS = 5_000
LINES = 30
LIST_PROPOSALS = 1_000
SMALL_LIST = 10
TARGET_S = 1.0
SEED = 7
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

#: The rule set: every eligibility kind of the registry, once, and the funding rules.
ELIGIBILITY: dict[str, dict[str, Any]] = {
    "lead_active_member": {},
    "min_partners": {"n": 2},
    "partner_other_country": {"countries": ""},
    "duration_range": {"min_months": 12, "max_months": 36},
    "budget_range": {"min": "20000", "max": "400000"},
    "cofinancing_share": {"min_percent": "30"},
    "requested_within_max": {},
    "challenge_addressed": {"n": 1},
    "max_open_per_lead": {"k": 2},
}
#: The tenth rule: a second parameterisation of a kind (at least one partner from one of these countries).
TENTH: dict[str, dict[str, Any]] = {"partner_other_country": {"countries": "DZ,MA,ML,SN,TN"}}
FUNDING = rules.Funding(rate=Decimal("0.65"), ceiling=Decimal("66440"), floor=Decimal("5000"))
COUNTRIES = ("FR", "FR", "TN", "TN", "TN", "ML", "MA", "SN", "DZ")


#: CPU seconds of every timed run, by the id of its list of wall times (other sessions share the machine:
#: the CPU time this process used moves much less than the wall time).
CPU: dict[int, list[float]] = {}


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    """Run ``fn`` ``repeat`` times; (last value, every wall duration in seconds); CPU times in ``CPU``."""
    value, times, cpu = timed_cpu(fn, repeat)
    CPU[id(times)] = cpu
    return value, times


# 1. Eligibility and maximum grant ---------------------------------------------------------------

@dataclass(frozen=True)
class Draft:
    """A proposal's data as the services read it from its rows: lines, partners and the lead's state."""

    lines: tuple[tuple[Decimal, Decimal], ...]  # (total, requested)
    cofinancing: tuple[Decimal, ...]
    partners: tuple[rules.Partner, ...]
    lead_country: str
    lead_active: bool
    lead_signed: bool
    duration: int | None
    challenges: int
    open_elsewhere: int


def make_drafts(rng: random.Random, n: int = PROPOSALS) -> list[Draft]:
    """``n`` proposals, about half of them eligible, the others failing one rule or more (every kind fails some)."""
    drafts = []
    for _ in range(n):
        draw = rng.random()  # a few tiny budgets: under the budget range, some under the grant's floor
        scale = 0.05 if draw < 0.01 else 0.15 if draw < 0.04 else rng.choice((0.3, 0.6, 1, 1, 1, 1.5, 3))
        totals = [int(rng.randint(1_000_00, 6_000_00) * scale) for _ in range(LINES)]  # cents
        budget = sum(totals)
        # what the applicant asks: usually at or under the maximum, sometimes a little over it
        share = min(Decimal("0.65"), Decimal(6_644_000) / budget) * Decimal(rng.choice(
            ("0.85", "0.95", "1", "1", "1", "1", "1", "1", "1", "1.02")))
        lines = tuple((Decimal(t) * CENT, Decimal(int(t * share)) * CENT) for t in totals)
        cofin_share = Decimal(rng.choice(("0.25", "0.3", "0.3", "0.35", "0.35", "0.4", "0.45", "0.5", "0.5", "0.6")))
        pieces = rng.choice((1, 2, 3))
        cofinancing = tuple((Decimal(budget) * CENT * cofin_share / pieces).quantize(CENT) for _ in range(pieces))
        lead_country = rng.choice(("FR", "TN"))
        other = "TN" if lead_country == "FR" else "FR"
        partners = [rules.Partner(other if rng.random() < 0.93 else rng.choice(COUNTRIES), rng.random() < 0.5)]
        partners += [rules.Partner(rng.choice(COUNTRIES), rng.random() < 0.5) for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3, 3)))]
        drafts.append(Draft(
            lines=lines, cofinancing=cofinancing, partners=tuple(partners), lead_country=lead_country,
            lead_active=rng.random() < 0.98, lead_signed=rng.random() < 0.97,
            duration=rng.choice((None, 6, 12, 18, 24, 24, 24, 30, 36, 36, 36, 48)) if rng.random() < 0.3 else 24,
            challenges=rng.choice((0, 1, 1, 1, 2, 2, 3)) if rng.random() < 0.3 else 1,
            open_elsewhere=rng.choice((0, 0, 0, 0, 0, 0, 0, 1, 1, 2))))
    return drafts


def facts_of(draft: Draft) -> rules.ProposalFacts:
    """What ``eligibility.facts_of`` computes: totals from the lines, never stored ones, and the grant."""
    budget = sum((t for t, _ in draft.lines), ZERO)
    requested = sum((r for _, r in draft.lines), ZERO)
    cofinancing = sum(draft.cofinancing, ZERO)
    return rules.ProposalFacts(
        lead_active=draft.lead_active, lead_signed_current_charter=draft.lead_signed, lead_country=draft.lead_country,
        partners=draft.partners, duration_months=draft.duration, total_budget=budget, requested=requested,
        cofinancing=cofinancing, challenges=draft.challenges, lead_open_elsewhere=draft.open_elsewhere,
        grant=rules.max_grant(requested, budget, FUNDING))


def assess(drafts: list[Draft]) -> list[tuple[bool, Decimal, list[rules.Outcome]]]:
    """Eligibility (10 rules) and maximum grant of every proposal."""
    results = []
    for draft in drafts:
        facts = facts_of(draft)
        outcomes = rules.evaluate(ELIGIBILITY, facts) + rules.evaluate(TENTH, facts)
        results.append((rules.eligible(outcomes), facts.grant.maximum, outcomes))
    return results


def pure_part(repeat: int) -> dict[str, Any]:
    from flask_babel import force_locale

    from app import create_app
    from tests.conftest import test_settings

    drafts = make_drafts(random.Random(SEED))
    assert len(rules.REGISTRY) == len(ELIGIBILITY) == 9
    problems = rule_content.validate({"eligibility": ELIGIBILITY, "funding": {"rate": "0.65", "ceiling": "66440",
                                                                        "floor": "5000"}, "criteria": {}})
    assert not problems, problems
    app = create_app(test_settings(Path(tempfile.mkdtemp(prefix="pcpa-calls-bench-"))))
    out: dict[str, Any] = {}
    with app.app_context():
        for lang in ("fr", "en"):
            with force_locale(lang):
                assess(drafts[:200])  # warm-up: catalogs and Babel's locale data loaded
                results, out[f"assess_{lang}"] = timed(lambda: assess(drafts), repeat)
        out["facts"] = timed(lambda: [facts_of(d) for d in drafts], repeat)[1]
        all_facts = [facts_of(d) for d in drafts]
        with force_locale("fr"):
            out["evaluate"] = timed(lambda: [rules.evaluate(ELIGIBILITY, f) + rules.evaluate(TENTH, f)
                                             for f in all_facts], repeat)[1]
            # what a page pays per outcome it shows: the sentence and the reason, worded on first read
            out["wording"] = timed(lambda: [(o.rule, o.reason) for f in all_facts
                                            for o in rules.evaluate(ELIGIBILITY, f) + rules.evaluate(TENTH, f)],
                                   max(1, repeat // 3))[1]
    out["eligible"] = sum(1 for ok, _, _ in results if ok)
    out["failures"] = {kind: sum(1 for _, _, outcomes in results for o in outcomes if o.kind == kind and not o.passed)
                       for kind in rules.REGISTRY}
    out["failures"]["partner_other_country (10th)"] = sum(1 for _, _, outcomes in results
                                                          if not outcomes[-1].passed)
    out["limited_by"] = {key: sum(1 for f in all_facts if f.grant.limited_by == key)
                         for key in ("requested", "rate", "ceiling")}
    out["below_floor"] = sum(1 for f in all_facts if f.grant.below_floor)
    out["mean_budget"] = sum(f.total_budget for f in all_facts) / len(all_facts)
    out["granted"] = sum(grant for ok, grant, _ in results if ok)
    out["outcomes"] = sum(len(o) for _, _, o in results)
    return out


# 2. The proposal list -----------------------------------------------------------------------------

def list_part(database: str | None, repeat: int) -> dict[str, Any]:
    """The secretariat's proposal list at 1,000 and at 10 proposals: server time and SQL statements."""
    from sqlalchemy import select

    from app.calls.models import Proposal
    from app.extensions import db
    from app.members.models import Member
    from tests import factories
    from tests.calls import builders

    app, kind = bench_app(database, "pcpa-calls-bench-")
    out: dict[str, Any] = {"database": kind}
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        world = factories.build_world()
        leads = [db.session.get(Member, world.member_id), *factories.voters(19, prefix="Lead")]
        challenges = [builders.challenge(f"D{i}") for i in range(1, 8)]
        big = builders.call(title="Appel à projets PCPA 2026", challenges=challenges)
        builders.many_proposals(big, leads, LIST_PROPOSALS - 1, template=builders.proposal(big, leads[0]))
        small = builders.call(builders.version(), title="Petit appel", challenges=challenges[:2])
        builders.many_proposals(small, leads, SMALL_LIST - 1, template=builders.proposal(small, leads[1]))
        db.session.commit()
        big_id, small_id = big.id, small.id
        sizes = [db.session.scalar(select(db.func.count(Proposal.id)).where(Proposal.call_id == cid))
                 for cid in (big_id, small_id)]
        out["insert_s"] = time.perf_counter() - started
        out["sizes"] = sizes
        secretariat = world.emails["secretariat"]
        engine = db.engine
        db.session.remove()

    client = app.test_client()
    response = client.post("/login", data={"email": secretariat, "password": factories.PASSWORD})
    assert response.status_code == 302, response.status_code

    pages = {
        "first page": "/calls/{id}/proposals",
        "search (q=projet)": "/calls/{id}/proposals?q=projet",
        "page 3": "/calls/{id}/proposals?page=3",
    }
    out["pages"] = {}
    for label, pattern in pages.items():
        for name, call_id in (("big", big_id), ("small", small_id)) if label != "page 3" else (("big", big_id),):
            url_ = pattern.format(id=call_id)
            page = page_timings(client, engine, url_, repeat)
            CPU[id(page["times"])] = page["cpu"]
            out["pages"][(label, name)] = {"times": page["times"], "queries": page["queries"],
                                          "statuses": page["statuses"], "bytes": statistics.median(page["sizes"])}
        small_queries = out["pages"].get((label, "small"), {"queries": ["-"]})["queries"][0]
        log(f"list {label}: {LIST_PROPOSALS} -> {fmt(out['pages'][(label, 'big')]['times'])}, "
            f"{out['pages'][(label, 'big')]['queries'][0]} queries; {SMALL_LIST} -> {small_queries} queries")
    close_app(app, database)
    return out


# Report -------------------------------------------------------------------------------------------

def versions() -> str:
    from importlib.metadata import version

    return f"python {platform.python_version()}, flask {version('flask')}, sqlalchemy {version('sqlalchemy')}, " \
           f"babel {version('babel')}"


def report(pure: dict[str, Any], lists: list[dict[str, Any]], repeat: int, list_repeat: int, started_at: str,
           load: str) -> str:
    per = PROPOSALS
    rows = [
        (f"Whole assessment, French (sums of {LINES} lines x 3, grant, facts, 10 rules, eligible)",
         pure["assess_fr"], True),
        ("Whole assessment, English", pure["assess_en"], True),
        ("Sums of the lines + `max_grant` + `ProposalFacts` only", pure["facts"], False),
        ("`evaluate` of the 10 rules only", pure["evaluate"], False),
        ("`evaluate` + reading every outcome's sentence and reason (100,000 French texts, none cached)",
         pure["wording"], False),
    ]
    lines = [
        "# Calls benchmark results",
        "",
        f"Run {started_at} at commit `{commit()}` by `.venv/bin/python tests/bench/calls_bench.py`. "
        f"Machine: {load}. Versions: {versions()}.",
        "",
        "## Eligibility and maximum grant, in-process",
        "",
        f"{PROPOSALS:,} proposals of {LINES} budget lines each ({PROPOSALS * LINES:,} lines; mean budget "
        f"{pure['mean_budget']:,.0f} €), rule set of 10 rules: the nine eligibility kinds of the registry and a "
        f"second `partner_other_country` with a list of countries; funding at 65 %, ceiling 66,440 €, floor "
        f"5,000 €. {pure['outcomes']:,} outcomes; each outcome's sentence and reason are worded when read (a page "
        f"shows one proposal's ten, or none for a list), so the last row prices wording all of them. Median of "
        f"{repeat} runs (worst in the next column; the last row {max(1, repeat // 3)}). Target: the whole "
        f"assessment under {TARGET_S:.0f} s.",
        "",
        "| step | median | worst | CPU (median) | per proposal | under 1 s |",
        "|---|---|---|---|---|---|",
    ]
    for name, times, target in rows:
        cpu = CPU.get(id(times), times)
        lines.append(f"| {name} | {fmt(times)} | {worst(times)} | {fmt(cpu)} | "
                     f"{statistics.median(times) / per * 1e6:.0f} µs | "
                     f"{('yes' if statistics.median(times) < TARGET_S else '**no**') if target else 'n/a'} |")
    failures = ", ".join(f"{k} {v:,}" for k, v in pure["failures"].items())
    limited = ", ".join(f"{k} {v:,}" for k, v in pure["limited_by"].items())
    lines += [
        "",
        f"Outcome: {pure['eligible']:,} eligible of {PROPOSALS:,}; failures per rule: {failures}. Maximum grant "
        f"limited by: {limited}; {pure['below_floor']:,} below the floor. Sum of the eligible proposals' "
        f"maxima: {pure['granted']:,} €.",
    ]
    for data in lists:
        big, small = data["sizes"]
        assert (big, small) == (LIST_PROPOSALS, SMALL_LIST), data["sizes"]
        lines += [
            "",
            f"## Proposal list (`GET /calls/<id>/proposals`, secretariat), {data['database']}",
            "",
            f"{LIST_PROPOSALS:,} submitted proposals in one call and {SMALL_LIST} in another (inserted in "
            f"{data['insert_s']:.1f} s, not timed); page size 25. Server time through the Flask test client "
            f"(session, permission, queries, template; no network), median of {list_repeat} requests after a "
            "warm-up.",
            "",
            f"| page | {LIST_PROPOSALS:,} proposals: median | worst | CPU (median) | SQL statements | "
            f"{SMALL_LIST} proposals: median | SQL statements | HTML |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for (label, name), page in data["pages"].items():
            if name != "big":
                continue
            other = data["pages"].get((label, "small"))
            small = (f"{fmt(other['times'])} | {'/'.join(str(q) for q in sorted(set(other['queries'])))}"
                     if other else "n/a (one page) | n/a")
            lines.append(f"| {label} | {fmt(page['times'])} | {worst(page['times'])} | "
                         f"{fmt(CPU[id(page['times'])])} | {'/'.join(str(q) for q in sorted(set(page['queries'])))} | {small} | "
                         f"{page['bytes'] / 1000:.0f} kB |")
    lines += ["", "## How it is measured", "", "See the docstring of `tests/bench/calls_bench.py`.", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of the in-process assessment (default 7)")
    parser.add_argument("--list-repeat", type=int, default=10, help="requests of each list page (default 10)")
    parser.add_argument("--database", action="append",
                        help="SQLAlchemy URL for the list, repeatable (default: a temporary SQLite file); its "
                             "tables are dropped and created, so give it a database of its own")
    parser.add_argument("--skip-list", action="store_true", help="only the in-process assessment")
    parser.add_argument("--output", type=Path, default=HERE / "calls_results.md")
    args = parser.parse_args()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = machine()
    log(f"calls bench: {PROPOSALS} proposals x {LINES} lines, 10 rules; {load}")
    pure = pure_part(args.repeat)
    log(f"assessment: fr {fmt(pure['assess_fr'])} (worst {worst(pure['assess_fr'])}, CPU "
        f"{fmt(CPU[id(pure['assess_fr'])])}), en {fmt(pure['assess_en'])}; "
        f"facts {fmt(pure['facts'])}, evaluate {fmt(pure['evaluate'])}; {pure['eligible']} eligible")
    lists: list[dict[str, Any]] = []
    if not args.skip_list:
        for database in args.database or [None]:
            lists.append(list_part(database, args.list_repeat))
    text = report(pure, lists, args.repeat, args.list_repeat, started_at, load)
    print(text)
    args.output.write_text(text, encoding="utf-8")
    log(f"written to {args.output}")
    ok = True
    for data in lists:
        for (label, name), page in data["pages"].items():
            ok = ok and set(page["statuses"]) == {200}
            other = data["pages"].get((label, "small"))
            if name == "big" and other is not None:
                ok = ok and set(page["queries"]) == set(other["queries"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
