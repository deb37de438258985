"""The collation's figures for a year, from what ``storage.collation`` says counts for the viewer.

Approaches, the scale and the strength threshold come from the content (``dialogs.stored.Shape``
and ``dialogs.plan.STRENGTH_FROM``), never from literals here: an approach added to the content shows
up in every figure. Each evaluation counts once (a roll-up for its members) and only in its year.

Means are rounded half up to two places, as a spreadsheet does (3.625 shows 3.63), and the change
since the baseline year is the difference of the rounded means, so the report's figures add up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import TypeAdapter

from dialogs.plan import STRENGTH_FROM
from dialogs.stored import OTHER, Shape, read_answers
from storage.collation import Sums, YearSums

__all__ = [
    "FOCUS_WITHIN",
    "STORIES_LISTED",
    "KINDS",
    "OTHER_NEEDS_SHOWN",
    "ApproachStats",
    "CelebrationStory",
    "Collation",
    "Completeness",
    "OrganisationStats",
    "TypedNeed",
    "as_json",
    "figures",
    "kind_of",
    "round_half_up",
    "strength_scores",
]

FOCUS_WITHIN = 0.1  # approaches this close to the lowest mean are all named as a focus
OTHER_NEEDS_SHOWN = 20  # the typed needs shown on a page, most common first; the export has them all
STORIES_LISTED = 50  # the stories to celebrate the collation lists (a page shows 20); the export has all
ANNUAL, ACTIVITY = "annual", "activity"
KINDS = (ANNUAL, ACTIVITY)  # annual first: a roll-up is an organisation's annual evaluation


def kind_of(scope: str) -> str:
    return ACTIVITY if scope == ACTIVITY else ANNUAL


def round_half_up(value: Decimal | float, places: int = 2) -> float:
    return float(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class ApproachStats:
    approach_id: str
    count: int  # scored answers
    distribution: dict[int, int]  # every score on the scale -> how many
    mean: float | None  # rounded half up to 2 places
    median: float | None


@dataclass(frozen=True, slots=True)
class OrganisationStats:
    organisation: str
    organisation_id: int | None
    listed: bool
    evaluations: int
    approaches: dict[str, ApproachStats]
    baseline_year: int | None  # the first year this organisation counted anything
    baseline: dict[str, float | None]  # the baseline year's means (empty in the baseline year itself)
    change: dict[str, float | None]  # this year's mean minus the baseline's


@dataclass(frozen=True, slots=True)
class CelebrationStory:
    reference: str
    organisation: str
    approach_id: str
    score: int
    story: str
    submitted_at: datetime
    scope: str
    who: str


@dataclass(frozen=True, slots=True)
class TypedNeed:
    text: str  # as first written
    count: int  # how many wrote it (ignoring case and spaces)


@dataclass(frozen=True, slots=True)
class Collation:
    year: int
    evaluations: int
    organisations: list[str]
    partnership: dict[str, ApproachStats]  # every approach in the content's order
    by_kind: dict[str, dict[str, ApproachStats]]  # annual, then activity checks, apart
    kind_counts: dict[str, int]
    by_organisation: list[OrganisationStats]
    support_needs: list[tuple[str, int]]  # option id -> count, most common first (ties by id)
    support_by_approach: dict[str, list[tuple[str, int]]]  # the workshop themes, per approach
    other_needs: list[TypedNeed]  # every typed need, grouped, most common first
    missing: list[str]  # counted last year, not this year
    celebrate: list[CelebrationStory]  # the first STORIES_LISTED stories with a strength score, best first
    focus: list[str]  # approaches within FOCUS_WITHIN of the lowest partnership mean
    by_scope: dict[str, int] = field(default_factory=dict)
    unnamed: int = 0
    completeness: dict[str, Completeness] = field(default_factory=dict)  # per approach: asked, answered
    stories: int = 0  # how many stories to celebrate there are; ``celebrate`` has the first of them


_JSON = TypeAdapter(dict[str, Any])


def as_json(collation: Collation) -> bytes:
    """The collation as the API sends it. Tens of milliseconds of Python for a large year (the
    dataclasses taken apart, then written), so the board's worker does it, not the server's loop."""
    return _JSON.dump_json(asdict(collation))


@dataclass(frozen=True, slots=True)
class Completeness:
    """How many evaluations asked about an approach, and how many answered anything in it: the
    figures count only the answered ones."""

    asked: int
    answered: int

    @property
    def skipped(self) -> int:
        return self.asked - self.answered


class _Tally:
    """Score counts per approach, added up from the database's sums (plain lists: a large year adds
    up some 80,000 groups, and a ``Counter`` per approach per organisation cost most of the time)."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.counts: dict[str, list[int]] = {a: [0] * len(shape.scores) for a in shape.approach_ids}
        self.asked: dict[str, int] = dict.fromkeys(shape.approach_ids, 0)
        self.answered: dict[str, int] = dict.fromkeys(shape.approach_ids, 0)

    def add(self, sums: Sums) -> None:
        counts = self.counts[sums.approach_id]
        for i, count in enumerate(sums.counts):
            counts[i] += count
        self.asked[sums.approach_id] += sums.asked
        self.answered[sums.approach_id] += sums.answered

    def stats(self) -> dict[str, ApproachStats]:
        scores = self.shape.scores
        return {a: _stats(a, dict(zip(scores, self.counts[a], strict=True)), scores) for a in self.counts}

    def completeness(self) -> dict[str, Completeness]:
        return {a: Completeness(self.asked[a], self.answered[a]) for a in self.shape.approach_ids}


def _stats(approach_id: str, counts: dict[int, int], scores: Sequence[int]) -> ApproachStats:
    total = sum(counts.values())
    mean = median = None
    if total:
        mean = round_half_up(Decimal(sum(s * counts[s] for s in scores)) / Decimal(total))
        median = (_nth(counts, scores, (total - 1) // 2) + _nth(counts, scores, total // 2)) / 2
    return ApproachStats(approach_id, total, counts, mean, median)


def _nth(counts: Mapping[int, int], scores: Sequence[int], index: int) -> int:
    """The score at ``index`` (from 0) of all the scores in order, without listing them."""
    seen = 0
    for score in scores:
        seen += counts[score]
        if index < seen:
            return score
    raise IndexError(index)


def _ranked(counter: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _change(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else round_half_up(Decimal(str(now)) - Decimal(str(then)))


def _typed(needs: Iterable[str]) -> list[TypedNeed]:
    first: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for need in needs:
        key = " ".join(need.casefold().split())
        first.setdefault(key, need)
        counts[key] += 1
    return [TypedNeed(first[k], c) for k, c in sorted(counts.items(), key=lambda kc: (-kc[1], kc[0]))]


def _focus(partnership: Mapping[str, ApproachStats]) -> list[str]:
    means = {a: s.mean for a, s in partnership.items() if s.mean is not None}
    if not means:
        return []
    lowest = Decimal(str(min(means.values())))
    return [a for a, m in means.items() if Decimal(str(m)) - lowest <= Decimal(str(FOCUS_WITHIN))]


def _stories(sums: YearSums, shape: Shape) -> list[CelebrationStory]:
    stories: list[CelebrationStory] = []
    for evaluation_id, approach_id in sums.first_stories:
        row = sums.story_rows[evaluation_id]
        stored = read_answers(row.answers, shape)
        for approach in stored.approaches:
            if approach.approach_id == approach_id and approach.score is not None:
                stories.append(
                    CelebrationStory(
                        row.reference,
                        row.organisation,
                        approach_id,
                        approach.score,
                        approach.story,
                        row.queued_at,
                        row.scope,
                        stored.unit or stored.activity,
                    )
                )
    return stories


def _tally(tallies: dict[int, _Tally], organisation_id: int, shape: Shape) -> _Tally:
    """The organisation's tally, made the first time only (``setdefault`` would make one per group)."""
    tally = tallies.get(organisation_id)
    if tally is None:
        tally = tallies[organisation_id] = _Tally(shape)
    return tally


def strength_scores(shape: Shape) -> list[int]:
    """The scores that mark a strength (a story with one is offered for celebration)."""
    return [s for s in shape.scores if s >= STRENGTH_FROM]


def figures(year: int, sums: YearSums, shape: Shape, options: Sequence[str]) -> Collation:
    """The figures for ``year`` from what the database summed (``storage.collation.year_sums``, with
    the support ``options`` in that order); approaches the content does not know are left out."""
    known = set(shape.approach_ids)
    partnership = _Tally(shape)
    kinds = {kind: _Tally(shape) for kind in KINDS}
    by_org: dict[int, _Tally] = {}
    baselines: dict[int, _Tally] = {}
    support: dict[str, Counter[str]] = {a: Counter() for a in shape.approach_ids}
    stories = 0
    for found in sums.sums:
        if found.approach_id not in known:
            continue
        if found.year != year:  # an organisation's first year, its baseline
            if found.organisation_id is not None:
                _tally(baselines, found.organisation_id, shape).add(found)
            continue
        partnership.add(found)
        kinds[kind_of(found.scope)].add(found)
        if found.organisation_id is not None:
            _tally(by_org, found.organisation_id, shape).add(found)
        stories += found.stories
        for option, count in zip(options, found.support, strict=True):
            support[found.approach_id][option] += count
    evaluations: Counter[int] = Counter()
    names: dict[int, tuple[str, bool]] = {}
    scopes: Counter[str] = Counter()
    kind_counts: Counter[str] = Counter({kind: 0 for kind in KINDS})
    unnamed = 0
    for counted in sums.counts:
        scopes[counted.scope] += counted.evaluations
        kind_counts[kind_of(counted.scope)] += counted.evaluations
        if counted.organisation_id is None:
            unnamed += counted.evaluations
        else:
            names[counted.organisation_id] = (counted.organisation, counted.listed)
            evaluations[counted.organisation_id] += counted.evaluations
            _tally(by_org, counted.organisation_id, shape)
    organisations = []
    for org, tally in by_org.items():
        now = tally.stats()
        then = baselines[org].stats() if org in baselines else None
        baseline = {a: then[a].mean for a in shape.approach_ids} if then else {}
        organisations.append(
            OrganisationStats(
                organisation=names[org][0],
                organisation_id=org,
                listed=names[org][1],
                evaluations=evaluations[org],
                approaches=now,
                baseline_year=sums.first_years.get(org),
                baseline=baseline,
                change={a: _change(now[a].mean, baseline.get(a)) for a in shape.approach_ids},
            )
        )
    organisations.sort(key=lambda o: (o.organisation.casefold(), o.organisation))
    total_support: Counter[str] = Counter()
    for options_chosen in support.values():
        total_support.update(options_chosen)
    stats = partnership.stats()
    missing = (n for o, n in sums.last_year.items() if o not in by_org)
    return Collation(
        year=year,
        evaluations=sum(scopes.values()),
        organisations=[o.organisation for o in organisations],
        partnership=stats,
        by_kind={kind: tally.stats() for kind, tally in kinds.items()},
        kind_counts=dict(kind_counts),
        by_organisation=organisations,
        support_needs=_ranked(+total_support),
        support_by_approach={a: _ranked(+support[a]) for a in shape.approach_ids},
        other_needs=_typed(t for t, a in sums.typed if a in known),
        missing=sorted(missing, key=lambda n: (n.casefold(), n)),
        celebrate=_stories(sums, shape),
        focus=_focus(stats),
        by_scope=dict(sorted(scopes.items())),
        unnamed=unnamed,
        completeness=partnership.completeness(),
        stories=stories,
    )


__all__ += ["OTHER"]
