"""The reviewers' suggestion: at least R reviewers per proposal, load balanced, free of conflicts (pure).

No database, no Flask: ``suggest`` takes plain facts (reviewers with their member organisation, the
assignments already made, each proposal's conflicted members) and returns what to add and what is
still missing, so the table tests need nothing else (tests/calls/test_assignment.py).

Rules, in order:

* a reviewer whose member organisation is conflicted with the proposal is never proposed;
* one reviewer per member organisation per proposal (two representatives of one organisation
  would give it two voices), counting the reviewers already assigned;
* among the others, the least loaded first (assignments already made in the call plus those
  proposed so far), then the order given (the delegate of an organisation before its alternates);
* proposals with the fewest possible reviewers are served first, so a scarce reviewer goes where
  they are needed; a proposal that still lacks reviewers is reported as a shortfall.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reviewer:
    id: int
    member_id: int | None


@dataclass(frozen=True)
class Suggestion:
    #: (proposal id, reviewer id) to add, in the order chosen.
    additions: tuple[tuple[int, int], ...]
    #: proposal id → reviewers still missing after the additions (only proposals that lack some).
    shortfalls: Mapping[int, int]
    #: reviewer id → load (assignments in the call) once the additions are made.
    loads: Mapping[int, int] = field(default_factory=dict)

    def added_to(self, proposal_id: int) -> list[int]:
        return [r for p, r in self.additions if p == proposal_id]


def suggest(proposal_ids: Sequence[int], reviewers: Sequence[Reviewer], *, per_proposal: int,
            existing: Mapping[int, Iterable[int]], conflicts: Mapping[int, Iterable[int]]) -> Suggestion:
    """Reviewers to add so that each proposal has ``per_proposal`` of them (see the module docstring).

    ``existing``: proposal id → reviewer ids already assigned (in this call; they count in the loads).
    ``conflicts``: proposal id → member ids conflicted with it.
    """
    by_id = {r.id: r for r in reviewers}
    order = {r.id: i for i, r in enumerate(reviewers)}
    assigned: dict[int, set[int]] = {pid: set(existing.get(pid, ())) for pid in proposal_ids}
    loads: dict[int, int] = {r.id: 0 for r in reviewers}
    for rids in existing.values():
        for rid in rids:
            loads[rid] = loads.get(rid, 0) + 1
    blocked = {pid: set(conflicts.get(pid, ())) for pid in proposal_ids}

    def possible(pid: int) -> list[Reviewer]:
        taken_members = {by_id[rid].member_id for rid in assigned[pid] if rid in by_id}
        return [r for r in reviewers
                if r.id not in assigned[pid] and r.member_id not in blocked[pid]
                and (r.member_id is None or r.member_id not in taken_members)]

    need = {pid: max(0, per_proposal - len(assigned[pid])) for pid in proposal_ids}
    queue = sorted((pid for pid in proposal_ids if need[pid] > 0),
                   key=lambda pid: (len({r.member_id for r in possible(pid)}), pid))
    additions: list[tuple[int, int]] = []
    shortfalls: dict[int, int] = {}
    for pid in queue:
        for _ in range(need[pid]):
            candidates = possible(pid)
            if not candidates:
                break
            chosen = min(candidates, key=lambda r: (loads[r.id], order[r.id]))
            assigned[pid].add(chosen.id)
            loads[chosen.id] += 1
            additions.append((pid, chosen.id))
        missing = per_proposal - len(assigned[pid])
        if missing > 0:
            shortfalls[pid] = missing
    return Suggestion(additions=tuple(additions), shortfalls=shortfalls, loads=loads)
