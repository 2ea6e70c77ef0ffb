"""Read helpers of the election pages: what a page shows, gathered in a fixed number of queries,
and the count's machine-readable reasons turned into sentences for members.

The count (``app.elections.rules``) publishes keys and parameters only; the words are here, once,
for the results page and the proclamation alike.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.assembly import voting
from app.assembly.models import Assembly, AssemblyStatus, Vote
from app.auth.models import Gender
from app.elections import rules
from app.elections.models import Candidacy, CandidacyStatus, Election
from app.extensions import db
from app.members.models import College, Country, Member

#: Countries that may carry a seat constraint (the programme's two).
COUNTRIES: tuple[str, ...] = tuple(c.value for c in Country)


# Loading -----------------------------------------------------------------------------------------

def election_page(election_id: int) -> Election | None:
    """The election with its vote and assembly (one query)."""
    return db.session.scalar(select(Election).where(Election.id == election_id)
                             .options(joinedload(Election.vote), joinedload(Election.assembly)))


def election_of_vote(vote_id: int) -> Election | None:
    """The election a vote belongs to (one query), for the ballot pages."""
    return db.session.scalar(select(Election).where(Election.vote_id == vote_id))


def elections_query() -> Any:
    """Every election, newest first, with its vote (for the list page)."""
    return select(Election).options(joinedload(Election.vote)).order_by(Election.created_at.desc(),
                                                                        Election.id.desc())


def candidacies_of(election_id: int, *, validated_only: bool) -> list[Candidacy]:
    """Candidacies with their member and college (one query), in the order they were declared."""
    query = (select(Candidacy).where(Candidacy.election_id == election_id)
             .options(joinedload(Candidacy.member).joinedload(Member.college)).order_by(Candidacy.id))
    if validated_only:
        query = query.where(Candidacy.status == CandidacyStatus.validated)
    return list(db.session.scalars(query))


def own_candidacy(election_id: int, member_id: int | None) -> Candidacy | None:
    if member_id is None:
        return None
    return db.session.scalar(select(Candidacy).where(Candidacy.election_id == election_id,
                                                     Candidacy.member_id == member_id))


def colleges() -> list[College]:
    """Every college, by code (the rows of the constraints)."""
    return list(db.session.scalars(select(College).order_by(College.code)))


def college_names() -> dict[str, str]:
    return {c.code: c.name for c in colleges()}


def live_assemblies(keep_id: int | None = None) -> list[tuple[int, str]]:
    """Assemblies whose proxies may apply: convened or in session (and the one already chosen)."""
    condition = Assembly.status.in_((AssemblyStatus.convened, AssemblyStatus.in_session))
    if keep_id is not None:
        condition = condition | (Assembly.id == keep_id)
    return [(a.id, a.title) for a in db.session.scalars(select(Assembly).where(condition)
                                                        .order_by(Assembly.starts_at.desc()))]


# Words ---------------------------------------------------------------------------------------------

def country_name(code: str) -> str:
    try:
        return Country(code).label
    except ValueError:
        return code


def group_name(scope: str | None, group: str | None, names: Mapping[str, str]) -> str:
    """A constrained group in a sentence: "the college X" or "members from Tunisia"."""
    if scope == rules.COLLEGE:
        return _("the college %(name)s", name=names.get(group or "", group or ""))
    return _("members from %(country)s", country=country_name(group or ""))


def gender_label(value: str) -> str:
    try:
        return Gender(value).label
    except ValueError:
        return value


@dataclass(frozen=True)
class ConstraintLine:
    group: str
    text: str


@dataclass(frozen=True)
class ConstraintsInWords:
    colleges: list[ConstraintLine]
    countries: list[ConstraintLine]
    parity: str | None

    @property
    def empty(self) -> bool:
        return not self.colleges and not self.countries and self.parity is None


def bounds_text(lo: int, hi: int | None) -> str:
    if hi is not None and lo > 0:
        if lo == hi:
            return ngettext("exactly %(num)d seat", "exactly %(num)d seats", lo)
        return _("between %(min)d and %(max)d seats", min=lo, max=hi)
    if lo > 0:
        return ngettext("at least %(num)d seat", "at least %(num)d seats", lo)
    if hi is not None:
        return ngettext("at most %(num)d seat", "at most %(num)d seats", hi)
    return _("no limit")


def parity_text(tolerance: int) -> str:
    return ngettext("the numbers of women and men among the representatives differ by at most %(num)d",
                    "the numbers of women and men among the representatives differ by at most %(num)d", tolerance)


def constraints_in_words(constraints: Mapping[str, Any] | None, names: Mapping[str, str]) -> ConstraintsInWords:
    parsed = rules.Constraints.from_dict(constraints)
    college_lines = [ConstraintLine(names.get(code, code), bounds_text(lo, hi))
                     for code, (lo, hi) in sorted(parsed.college.items()) if lo > 0 or hi is not None]
    country_lines = [ConstraintLine(country_name(code), bounds_text(lo, hi))
                     for code, (lo, hi) in sorted(parsed.country.items()) if lo > 0 or hi is not None]
    tol = parsed.parity_tolerance
    return ConstraintsInWords(college_lines, country_lines, None if tol is None else parity_text(tol))


# Why no committee can meet the constraints ------------------------------------------------------------

def problem_words(key: str, params: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One reason of ``rules.feasibility`` as a phrase, for "no committee can meet: …"."""
    where = group_name(params.get("scope"), params.get("group"), names)
    if key == "no_candidates":
        return _("no candidacy has been validated")
    if key == "min_above_candidates":
        return ngettext("at least %(num)d seat for %(group)s, but only %(candidates)d validated candidates there",
                        "at least %(num)d seats for %(group)s, but only %(candidates)d validated candidates there",
                        int(params.get("min", 0)), group=where, candidates=int(params.get("candidates", 0)))
    if key == "min_conflict":
        return ngettext("at least %(num)d seat for %(group)s, together with the other constraints",
                        "at least %(num)d seats for %(group)s, together with the other constraints",
                        int(params.get("min", 0)), group=where)
    if key == "max_conflict":
        return ngettext("at most %(num)d seat for %(group)s, together with the other constraints",
                        "at most %(num)d seats for %(group)s, together with the other constraints",
                        int(params.get("max", 0)), group=where)
    if key == "parity_conflict":
        return _("gender parity within %(tolerance)d (women and men differ by at most %(tolerance)d), with "
                 "%(female)d women, %(male)d men and %(other)d others or undisclosed among the validated "
                 "candidates", tolerance=int(params.get("tolerance") or 0), female=int(params.get("female", 0)),
                 male=int(params.get("male", 0)), other=int(params.get("other", 0)))
    return key


def reasons_words(problems: Iterable[Sequence[Any]], names: Mapping[str, str]) -> str:
    """Every reason (``[key, params]`` pairs), joined."""
    return "; ".join(problem_words(str(p[0]), p[1] if len(p) > 1 and isinstance(p[1], Mapping) else {}, names)
                     for p in problems)


def no_committee_text(problems: Iterable[Sequence[Any]], names: Mapping[str, str]) -> str:
    """Why opening is refused: "No committee can meet the constraints with the validated candidates: …"."""
    return _("No committee can meet the constraints with the validated candidates: %(reasons)s. Adjust the "
             "candidacies or the constraints before opening the vote.", reasons=reasons_words(problems, names))


def fallback_label(value: str | None) -> str:
    """The statutes' fallback in words (set-up form, election page)."""
    if value == rules.VOID:
        return _("Declare the election void")
    return _("Relax the minimums, then parity, one seat at a time")


# The results -------------------------------------------------------------------------------------

@dataclass
class CandidateLine:
    """One candidate of the count, in rank order."""

    id: str
    rank: int
    name: str
    college: str
    country: str
    representative: str
    gender: str
    approvals: int
    elected: bool = False
    substitute_rank: int | None = None


@dataclass
class DrawRow:
    line: CandidateLine
    key: str


@dataclass
class DrawGroup:
    approvals: int
    rows: list[DrawRow]


@dataclass
class Explained:
    """One sentence about a candidate (or about the whole count when ``candidate`` is None)."""

    candidate: CandidateLine | None
    text: str


@dataclass
class ResultsView:
    """Everything the results page and the proclamation show once the vote is closed."""

    election: Election
    vote: Vote
    result: dict[str, Any]
    ranking: list[CandidateLine]
    elected: list[CandidateLine]
    substitutes: list[CandidateLine]
    draw: list[DrawGroup]
    vacant: int
    seed: str
    final_hash: str
    explanations: list[Explained]
    notices: list[str]
    constraints: ConstraintsInWords
    feasible: bool = True
    names: dict[str, str] = field(default_factory=dict)
    #: The election is void (the "void" fallback): nobody elected, said in words on the page.
    void: bool = False
    #: Why it is void (or why the constraints were relaxed), in words; "" otherwise.
    fallback_reasons: str = ""


def published(election: Election) -> bool:
    """The results exist once the vote is closed and counted."""
    return election.vote is not None and election.vote.is_closed and election.count is not None


def results_view(election: Election) -> ResultsView:
    """The published count in words (two queries: candidacies, colleges)."""
    count = election.count or {}
    allocation = count.get("allocation", {})
    approvals: dict[str, int] = count.get("approvals", {})
    names = college_names()
    by_id = {str(c.id): c for c in candidacies_of(election.id, validated_only=False)}
    #: College and country as counted (a member may change college after the count).
    counted = {str(c["id"]): c for c in count.get("candidates", [])}
    elected = set(allocation.get("elected", []))
    substitutes = list(allocation.get("substitutes", []))
    ranking: list[CandidateLine] = []
    for rank, item in enumerate(allocation.get("ranking", []), 1):
        c = by_id.get(item["id"])
        college = counted.get(item["id"], {}).get("college") or (c.member.college.code if c else "")
        country = counted.get(item["id"], {}).get("country") or (c.member.country if c else "")
        ranking.append(CandidateLine(
            id=item["id"], rank=rank, name=c.member.name if c else item["id"], college=names.get(college, college),
            country=country_name(country), representative=c.representative_name if c else "",
            gender=gender_label(c.gender) if c else "", approvals=int(item.get("approvals", approvals.get(item["id"], 0))),
            elected=item["id"] in elected,
            substitute_rank=substitutes.index(item["id"]) + 1 if item["id"] in substitutes else None))
    lines = {line.id: line for line in ranking}
    draw = [DrawGroup(group["approvals"], [DrawRow(lines[i], key) for i, key in zip(group["order"], group["keys"],
                                                                                       strict=True) if i in lines])
            for group in allocation.get("draw", [])]
    constraints = election.constraints or {}
    words = Sentences(constraints, names, lines, allocation.get("notices", []))
    explanations: list[Explained] = []
    notices: list[str] = []
    for candidate_id, key, params in count.get("explanations", []):
        if key == "draw.tie":
            continue  # shown as the draw table
        text = words.sentence(key, explanation_params(candidate_id, params or {}))
        if candidate_id is None:
            notices.append(text)
        else:
            explanations.append(Explained(lines.get(str(candidate_id)), text))
    fallback = next((n for n in allocation.get("notices", []) if n.get("key") in (rules.VOID, "no_committee")), None)
    result = dict(election.vote.result or {})
    final = election.vote.final_hash or result.get("final_hash", "")
    return ResultsView(
        election=election, vote=election.vote, result=result, ranking=ranking,
        elected=[lines[i] for i in allocation.get("elected", []) if i in lines],
        substitutes=[lines[i] for i in substitutes if i in lines], draw=draw,
        vacant=int(allocation.get("vacant", 0)), seed=result.get("seed", final), final_hash=final,
        explanations=explanations, notices=notices, constraints=constraints_in_words(constraints, names),
        feasible=bool(allocation.get("feasible", True)), names=names, void=fallback is not None and
        fallback.get("key") == rules.VOID, fallback_reasons=reasons_words(
            (fallback or {}).get("params", {}).get("problems", ()), names))


class Sentences:
    """The count's explanation keys (``rules.explain``) as one sentence each, in the reader's language."""

    def __init__(self, constraints: Mapping[str, Any], names: Mapping[str, str], lines: Mapping[str, CandidateLine],
                 notices: Iterable[Mapping[str, Any]] = ()) -> None:
        self.constraints = rules.Constraints.from_dict(constraints)
        self.names = names
        self.lines = lines
        #: Minimums lowered at the count to the candidates there were (see rules.allocate).
        self.lowered = {(n["params"]["scope"], n["params"]["group"]): n["params"]["candidates"]
                        for n in notices if n.get("key") == "min_lowered"}
        #: Constraints relaxed by the "relax" fallback: the last step of each is what the count used.
        for n in notices:
            p = n.get("params") or {}
            if n.get("key") == "relaxed" and p.get("constraint") == "min":
                self.lowered[(p.get("scope"), p.get("group"))] = int(p.get("to", 0))
            elif n.get("key") == "relaxed" and p.get("constraint") == "parity":
                self.constraints = rules.Constraints(self.constraints.college, self.constraints.country,
                                                     int(p.get("to", 0)))

    def name(self, candidate_id: str) -> str:
        line = self.lines.get(str(candidate_id))
        return line.name if line else str(candidate_id)

    def bounds(self, scope: str | None, group: str | None) -> tuple[int, int | None]:
        if scope not in rules.SCOPES or group is None:
            return 0, None
        lo, hi = self.constraints.bounds(scope).get(group, (0, None))
        return min(lo, self.lowered.get((scope, group), lo)), hi

    def group(self, scope: str | None, group: str | None) -> str:
        return group_name(scope, group, self.names)

    def sentence(self, key: str, params: Mapping[str, Any]) -> str:
        if key.startswith("skipped."):
            return self.skipped(key.split(".", 1)[1], params)
        if key == "elected.out_of_order":
            return self.out_of_order(params)
        if key == "notice.vacant":
            return self.vacant(params)
        if key == "notice.min_lowered":
            return _("The minimum for %(group)s (%(min)d) was lowered to %(candidates)d: there were no more "
                     "candidates in that group.", group=self.group(params.get("scope"), params.get("group")),
                     min=int(params.get("min", 0)), candidates=int(params.get("candidates", 0)))
        if key == "notice.infeasible":
            return _("No committee could respect the constraints with these candidates: nobody is elected.")
        if key == "notice.void":
            return _("The election is void: no committee could meet the constraints with the candidates (%(reasons)s). "
                     "As the election's set-up provides, nobody is elected and every seat stays vacant.",
                     reasons=reasons_words(params.get("problems", ()), self.names))
        if key == "notice.no_committee":
            return _("No committee could meet the constraints with the candidates (%(reasons)s). As the election's "
                     "set-up provides, the constraints were relaxed one seat at a time, in the order: country "
                     "minimums, college minimums, then gender parity, until a committee could be formed.",
                     reasons=reasons_words(params.get("problems", ()), self.names))
        if key == "notice.relaxed":
            return self.relaxed(params)
        return key

    def relaxed(self, params: Mapping[str, Any]) -> str:
        if params.get("constraint") == "parity":
            return _("Gender parity relaxed: women and men may differ by %(to)d instead of %(from)d.",
                     to=int(params.get("to", 0)), **{"from": int(params.get("from", 0))})
        return _("The minimum for %(group)s relaxed from %(from)d to %(to)d.",
                 group=self.group(params.get("scope"), params.get("group")), to=int(params.get("to", 0)),
                 **{"from": int(params.get("from", 0))})

    def skipped(self, kind: str, params: Mapping[str, Any]) -> str:
        name = self.name(params.get("candidate_id", ""))
        scope, group = params.get("scope"), params.get("group")
        lo, hi = self.bounds(scope, group)
        where = self.group(scope, group)
        if kind == rules.MAX:
            return ngettext("%(name)s was skipped: electing them would exceed the maximum of %(num)d seat for "
                            "%(group)s.",
                            "%(name)s was skipped: electing them would exceed the maximum of %(num)d seats for "
                            "%(group)s.", hi or 0, name=name, group=where)
        if kind == rules.MIN_UNREACHABLE:
            return ngettext("%(name)s was skipped: electing them would make the minimum of %(num)d seat for "
                            "%(group)s unreachable with the seats left.",
                            "%(name)s was skipped: electing them would make the minimum of %(num)d seats for "
                            "%(group)s unreachable with the seats left.", lo, name=name, group=where)
        if kind == rules.PARITY:
            tol = self.constraints.parity_tolerance or 0
            return ngettext("%(name)s was skipped: electing them would put gender parity (a difference of at most "
                            "%(num)d between women and men) out of reach with the seats left.",
                            "%(name)s was skipped: electing them would put gender parity (a difference of at most "
                            "%(num)d between women and men) out of reach with the seats left.", tol, name=name)
        if kind == rules.FILL_BLOCKED:
            return ngettext("%(name)s was skipped: electing them would leave seats that could only be filled beyond "
                            "the maximum of %(num)d seat for %(group)s.",
                            "%(name)s was skipped: electing them would leave seats that could only be filled beyond "
                            "the maximum of %(num)d seats for %(group)s.", hi or 0, name=name, group=where)
        return _("%(name)s was skipped: electing them would leave no way to respect all the constraints together "
                 "with the seats left.", name=name)

    def reason(self, reason: Sequence[Any]) -> str:
        kind, scope, group = (list(reason) + [None, None])[:3]
        if kind == rules.MAX:
            return _("the maximum for %(group)s", group=self.group(scope, group))
        if kind == rules.MIN_UNREACHABLE:
            return _("the minimum for %(group)s", group=self.group(scope, group))
        if kind == rules.PARITY:
            return _("gender parity")
        if kind == rules.FILL_BLOCKED:
            return _("the maximum for %(group)s, with the seats left", group=self.group(scope, group))
        return _("several constraints together")

    def out_of_order(self, params: Mapping[str, Any]) -> str:
        name = self.name(params.get("candidate_id", ""))
        passed = ", ".join(self.name(i) for i in params.get("passed_over", ()))
        reasons = "; ".join(dict.fromkeys(self.reason(r) for r in params.get("reasons", ())))
        return _("%(name)s was elected out of rank order (rank %(rank)d) because %(passed)s, ranked higher, could not "
                 "be elected: %(reasons)s.", name=name, rank=int(params.get("rank", 0)), passed=passed,
                 reasons=reasons)

    def vacant(self, params: Mapping[str, Any]) -> str:
        vacant = int(params.get("vacant", 0))
        if params.get("cause") == "fewer_candidates":
            return ngettext("%(num)d seat stays vacant: there were only %(candidates)d candidates.",
                            "%(num)d seats stay vacant: there were only %(candidates)d candidates.", vacant,
                            candidates=int(params.get("candidates", 0)))
        return ngettext("%(num)d seat stays vacant: no committee of more than %(fillable)d members could respect "
                        "the constraints.",
                        "%(num)d seats stay vacant: no committee of more than %(fillable)d members could respect "
                        "the constraints.", vacant, fillable=int(params.get("fillable", 0)))


def explanation_params(candidate_id: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
    """The stored parameters with the candidate they are about (the sentence names them)."""
    return {**params, "candidate_id": candidate_id} if candidate_id is not None else dict(params)


def turnout(election: Election) -> int | None:
    return voting.turnout(election.vote) if election.vote is not None and election.vote.is_open else None


# The ballot ------------------------------------------------------------------------------------

def ballot_label(candidacy: Candidacy) -> str:
    """A candidate as the ballot names it: member, college, country, representative."""
    member = candidacy.member
    return _("%(member)s (%(college)s, %(country)s), represented by %(representative)s", member=member.name,
             college=member.college.name, country=country_name(member.country),
             representative=candidacy.representative_name)


@dataclass
class ElectionBallot:
    """What the vote page needs for an election: the election and its validated candidates.

    An ``app.assembly.kinds.ApprovalBallot``: the assembly's ballot pages show it
    without knowing elections (``election_ballot`` is registered for kind "election").
    """

    election: Election
    candidates: list[Candidacy]

    @property
    def title(self) -> str:
        return self.election.title

    @property
    def max_choices(self) -> int:
        return self.election.seats

    @property
    def parent_label(self) -> str:
        return _("Election")

    @property
    def parent_url(self) -> str:
        return url_for("elections.detail", election_id=self.election.id)

    @property
    def open_url(self) -> str:
        return url_for("elections.open_voting", election_id=self.election.id)

    @property
    def results_url(self) -> str:
        return url_for("elections.results", election_id=self.election.id)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(str(c.id), ballot_label(c)) for c in self.candidates]

    def approved(self, choice: str) -> list[str]:
        """Labels of the candidates a (canonical) choice approves, in ballot order."""
        ids = {part.strip() for part in choice.split(",") if part.strip()}
        return [label for value, label in self.choices if value in ids]


def election_ballot(vote: Vote) -> ElectionBallot | None:
    """The approval ballot of a vote of kind ``election`` (two queries), None for any other vote."""
    if vote.kind != "election":
        return None
    election = election_of_vote(vote.id)
    if election is None:
        return None
    return ElectionBallot(election, candidacies_of(election.id, validated_only=True))
