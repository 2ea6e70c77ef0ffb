"""The exact completion search behind the election count (see ``rules.py`` for the method).

Can a partial committee still be completed to a given size from the candidates
left, within every minimum, maximum and the parity tolerance? The search runs
over counts per (college, country, gender side), not over candidates, with
memoisation and pruning. Pure: no database, no Flask.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.elections.count_types import (
    COLLEGE,
    COMBINED,
    COUNTRY,
    FEMALE,
    FILL_BLOCKED,
    GENDER,
    MALE,
    MAX,
    MIN_UNREACHABLE,
    PARITY,
    SCOPES,
    Candidate,
    Constraints,
    Notice,
    Reason,
)


def gender_side(c: Candidate) -> int:
    """+1 female, -1 male, 0 other/undisclosed (counts for neither side of parity)."""
    return 1 if c.gender == FEMALE else -1 if c.gender == MALE else 0


@dataclass(frozen=True)
class Tally:
    """Counts of a (partial) committee."""

    n: int = 0
    diff: int = 0  # #female - #male
    college: Mapping[str, int] = field(default_factory=dict)
    country: Mapping[str, int] = field(default_factory=dict)

    def plus(self, c: Candidate) -> Tally:
        return Tally(self.n + 1, self.diff + gender_side(c), {**self.college, c.college: self.college.get(c.college, 0) + 1},
                      {**self.country, c.country: self.country.get(c.country, 0) + 1})

    def count(self, scope: str, group: str) -> int:
        return (self.college if scope == COLLEGE else self.country).get(group, 0)


@dataclass(frozen=True)
class Spec:
    """Constraints in the form the search uses: only the bounds that constrain anything."""

    lo: Mapping[tuple[str, str], int]  # (scope, group) -> minimum > 0
    hi: Mapping[tuple[str, str], int]  # (scope, group) -> maximum
    tol: int | None

    @classmethod
    def of(cls, constraints: Constraints) -> Spec:
        lo: dict[tuple[str, str], int] = {}
        hi: dict[tuple[str, str], int] = {}
        for scope in SCOPES:
            for group, (mn, mx) in constraints.bounds(scope).items():
                if mn > 0:
                    lo[(scope, group)] = mn
                if mx is not None:
                    hi[(scope, group)] = mx
        return cls(lo, hi, constraints.parity_tolerance)

    def clamped(self, available: Iterable[Candidate]) -> tuple[Spec, list[Notice]]:
        """Minimums lowered to the candidates there are (see module doc), with a notice each."""
        cands = list(available)
        present = {scope: Counter(c.group(scope) for c in cands) for scope in SCOPES}
        lo: dict[tuple[str, str], int] = {}
        notices = []
        for (scope, group), mn in sorted(self.lo.items()):
            have = present[scope][group]
            if have < mn:
                notices.append(Notice("min_lowered", {"scope": scope, "group": group, "min": mn, "candidates": have}))
            if min(mn, have) > 0:
                lo[(scope, group)] = min(mn, have)
        return replace(self, lo=lo), notices

    def without_minimums(self) -> Spec:
        return replace(self, lo={})

    def without_parity(self) -> Spec:
        return replace(self, tol=None)

    def relaxations(self) -> list[tuple[Reason, Spec]]:
        """Each constraint dropped alone, in the order a skip is explained by."""
        out = []
        for scope in SCOPES:
            for key in sorted(k for k in self.lo if k[0] == scope):
                out.append((Reason(MIN_UNREACHABLE, *key), replace(self, lo={k: v for k, v in self.lo.items()
                                                                              if k != key})))
        if self.tol is not None:
            out.append((Reason(PARITY, GENDER), self.without_parity()))
        for scope in SCOPES:
            for key in sorted(k for k in self.hi if k[0] == scope):
                out.append((Reason(FILL_BLOCKED, *key), replace(self, hi={k: v for k, v in self.hi.items()
                                                                           if k != key})))
        return out


def largest_size(spec: Spec, start: Tally, pool: Sequence[Candidate], low: int, high: int) -> int | None:
    """The largest committee size in [low, high] that the constraints allow, or None."""
    for size in range(high, low - 1, -1):
        if completable(spec, start, pool, size):
            return size
    return None


def walk(spec: Spec, start: Tally, pool: Sequence[Candidate], size: int, stop_after_first: bool = False
          ) -> tuple[list[int], list[tuple[int, Reason]]]:
    """Down the ranking: take whoever keeps the committee completable to ``size``.

    Invariant: before each candidate, the tally can be completed from the rest of the pool
    (true at the start by the choice of size; kept because a skip means a completion without them
    exists). Returns the indexes taken and the indexes skipped with their reason.
    """
    tally = start
    taken: list[int] = []
    skipped: list[tuple[int, Reason]] = []
    for i, c in enumerate(pool):
        if tally.n >= size:
            break
        reason = over_max(spec, tally, c)
        if reason is None:
            after = tally.plus(c)
            rest = pool[i + 1:]
            if completable(spec, after, rest, size):
                tally = after
                taken.append(i)
                if stop_after_first:
                    break
                continue
            reason = next((r for r, relaxed in spec.relaxations() if completable(relaxed, after, rest, size)),
                          Reason(COMBINED))
        skipped.append((i, reason))
    return taken, skipped


def over_max(spec: Spec, tally: Tally, c: Candidate) -> Reason | None:
    for scope in SCOPES:
        key = (scope, c.group(scope))
        if key in spec.hi and tally.count(*key) + 1 > spec.hi[key]:
            return Reason(MAX, *key)
    return None


def completable(spec: Spec, tally: Tally, pool: Sequence[Candidate], size: int) -> bool:
    """Can ``tally`` grow to exactly ``size`` members, taken from ``pool`` (any subset), with every
    minimum met, no maximum exceeded and parity within tolerance? Exact (see module doc)."""
    need = size - tally.n
    if need < 0 or need > len(pool):
        return False
    if any(tally.count(*key) > mx for key, mx in spec.hi.items()):
        return False
    parity = spec.tol is not None
    tol = spec.tol or 0
    tracked_colleges = {g for s, g in (*spec.lo, *spec.hi) if s == COLLEGE}
    countries = sorted({g for s, g in (*spec.lo, *spec.hi) if s == COUNTRY})
    country_index = {g: j for j, g in enumerate(countries)}
    country_lo = [spec.lo.get((COUNTRY, g), 0) for g in countries]
    country_hi = [spec.hi.get((COUNTRY, g)) for g in countries]

    classes: Counter[tuple[str, int, int]] = Counter()
    for c in pool:
        college = c.college if c.college in tracked_colleges else ""  # "": untracked, one block
        classes[(college, country_index.get(c.country, -1), gender_side(c) if parity else 0)] += 1
    in_pool = {k[0] for k in classes}
    for g in tracked_colleges - in_pool:  # nobody left to add: the count is final now
        if tally.college.get(g, 0) < spec.lo.get((COLLEGE, g), 0):
            return False
    items = sorted(classes.items())  # "" sorts first; blocks of one college are contiguous
    n = len(items)
    college = [k[0] for k, _ in items]
    cidx = [k[1] for k, _ in items]
    side = [k[2] for k, _ in items]
    avail = [a for _, a in items]
    c_lo = [spec.lo.get((COLLEGE, g), 0) if g else 0 for g in college]
    c_hi = [spec.hi.get((COLLEGE, g)) if g else None for g in college]
    start = [tally.college.get(g, 0) if g else 0 for g in college]
    block_end = [i == n - 1 or college[i + 1] != college[i] for i in range(n)]

    # Suffix sums for pruning, from class i on: candidates left, per side, per country (and in no
    # constrained country), in the current block; over the blocks after the block of i: their
    # unmet college minimums and how many they can still take (capacity).
    suf = [0] * (n + 1)
    suf_side = {s: [0] * (n + 1) for s in (-1, 0, 1)}
    suf_country = [[0] * len(countries) for _ in range(n + 1)]
    suf_free_country = [0] * (n + 1)
    suf_block = [0] * (n + 1)
    later_need = [0] * (n + 1)
    later_cap = [0] * (n + 1)
    need_acc = cap_acc = 0
    for i in range(n - 1, -1, -1):
        suf[i] = suf[i + 1] + avail[i]
        for s in (-1, 0, 1):
            suf_side[s][i] = suf_side[s][i + 1] + (avail[i] if side[i] == s else 0)
        suf_country[i] = list(suf_country[i + 1])
        suf_free_country[i] = suf_free_country[i + 1]
        if cidx[i] >= 0:
            suf_country[i][cidx[i]] += avail[i]
        else:
            suf_free_country[i] += avail[i]
        suf_block[i] = avail[i] + (0 if block_end[i] else suf_block[i + 1])
        later_need[i], later_cap[i] = need_acc, cap_acc
        if i == 0 or block_end[i - 1]:  # first class of its block
            need_acc += max(0, c_lo[i] - start[i])
            room = c_hi[i]
            cap_acc += suf_block[i] if room is None else min(suf_block[i], room - start[i])
    f_left, m_left, o_left = suf_side[1], suf_side[-1], suf_side[0]

    def hopeful(i: int, left: int, cc: int, nc: tuple[int, ...], d: int) -> bool:
        """Necessary conditions (enough candidates and room for what is still needed); cheap, and
        they cut the dead branches, above all when no committee of the size exists at all."""
        if left > suf[i]:
            return False
        college_need = max(0, c_lo[i] - cc)
        if college_need > suf_block[i] or college_need + later_need[i] > left:
            return False
        room = c_hi[i]
        if left > (suf_block[i] if room is None else min(suf_block[i], room - cc)) + later_cap[i]:
            return False
        country_need = 0
        country_cap = suf_free_country[i]
        for j in range(len(countries)):
            short = max(0, country_lo[j] - nc[j])
            if short > suf_country[i][j]:
                return False
            country_need += short
            top = country_hi[j]
            country_cap += suf_country[i][j] if top is None else min(suf_country[i][j], top - nc[j])
        if country_need > left or left > country_cap:
            return False
        if parity:
            # most females + males that can still be added with |diff| ending within tolerance
            excess = abs(d + f_left[i] - m_left[i]) - tol
            if excess > 0 and excess > (f_left[i] if d + f_left[i] - m_left[i] > 0 else m_left[i]):
                return False
            if left > o_left[i] + f_left[i] + m_left[i] - max(0, excess):
                return False
        return True

    memo: dict[tuple[int, int, int, tuple[int, ...], int], bool] = {}

    def go(i: int, left: int, cc: int, nc: tuple[int, ...], d: int) -> bool:
        if i == n:
            return (left == 0 and all(nc[j] >= country_lo[j] for j in range(len(countries)))
                    and (not parity or abs(d) <= tol))
        key = (i, left, cc, nc, d)
        found = memo.get(key)
        if found is not None:
            return found
        found = False
        if hopeful(i, left, cc, nc, d):
            cap = min(avail[i], left)
            room = c_hi[i]
            if room is not None:
                cap = min(cap, room - cc)
            j = cidx[i]
            top = country_hi[j] if j >= 0 else None
            if top is not None:
                cap = min(cap, top - nc[j])
            for x in range(cap, -1, -1):
                now = cc + x
                if block_end[i]:
                    if now < c_lo[i]:
                        break  # fewer only makes it worse
                    nxt = start[i + 1] if i + 1 < n else 0
                else:
                    nxt = now
                counts = nc if j < 0 or x == 0 else nc[:j] + (nc[j] + x,) + nc[j + 1:]
                if go(i + 1, left - x, nxt, counts, d + side[i] * x):
                    found = True
                    break
        memo[key] = found
        return found

    nc0 = tuple(tally.country.get(g, 0) for g in countries)
    return go(0, need, start[0] if n else 0, nc0, tally.diff)
