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
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from dialogs.plan import STRENGTH_FROM
from dialogs.stored import OTHER, Shape, StoredEvaluation, read_answers
from storage.collation import SentRow

__all__ = [
    "FOCUS_WITHIN",
    "KINDS",
    "OTHER_NEEDS_SHOWN",
    "ApproachStats",
    "CelebrationStory",
    "Collation",
    "OrganisationStats",
    "TypedNeed",
    "figures",
    "kind_of",
    "round_half_up",
]

FOCUS_WITHIN = 0.1  # approaches this close to the lowest mean are all named as a focus
OTHER_NEEDS_SHOWN = 20  # the typed needs shown on a page, most common first; the export has them all
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
    celebrate: list[CelebrationStory]  # stories given with a strength score, best first
    focus: list[str]  # approaches within FOCUS_WITHIN of the lowest partnership mean
    by_scope: dict[str, int] = field(default_factory=dict)
    unnamed: int = 0


class _Tally:
    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.counts: dict[str, Counter[int]] = {a: Counter() for a in shape.approach_ids}

    def add(self, stored: StoredEvaluation) -> None:
        for approach in stored.approaches:
            if approach.score is not None:
                self.counts[approach.approach_id][approach.score] += 1

    def stats(self) -> dict[str, ApproachStats]:
        return {a: _stats(a, self.counts[a], self.shape.scores) for a in self.shape.approach_ids}


def _stats(approach_id: str, counts: Counter[int], scores: Sequence[int]) -> ApproachStats:
    total = sum(counts.values())
    ordered = [s for s in scores for _ in range(counts[s])]
    mean = median = None
    if total:
        mean = round_half_up(Decimal(sum(ordered)) / Decimal(total))
        median = (ordered[(total - 1) // 2] + ordered[total // 2]) / 2
    return ApproachStats(approach_id, total, {s: counts[s] for s in scores}, mean, median)


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


def figures(
    year: int,
    rows: Sequence[SentRow],
    baseline_rows: Sequence[SentRow],
    first_years: Mapping[int, int],
    last_year: Sequence[SentRow],
    shape: Shape,
) -> Collation:
    """The figures for ``year`` from its counted rows (oldest first), each organisation's baseline-year
    rows, the baseline years, and last year's rows (for who has not sent this year)."""
    partnership = _Tally(shape)
    kinds = {kind: _Tally(shape) for kind in KINDS}
    by_org: dict[int, _Tally] = {}
    evaluations: Counter[int] = Counter()
    names: dict[int, tuple[str, bool]] = {}
    support: dict[str, Counter[str]] = {a: Counter() for a in shape.approach_ids}
    typed: list[str] = []
    stories: list[CelebrationStory] = []
    scopes: Counter[str] = Counter()
    kind_counts: Counter[str] = Counter({kind: 0 for kind in KINDS})
    unnamed = 0
    for row in rows:
        stored = read_answers(row.answers, shape)
        scopes[row.scope] += 1
        kind_counts[kind_of(row.scope)] += 1
        partnership.add(stored)
        kinds[kind_of(row.scope)].add(stored)
        if row.organisation_id is None:
            unnamed += 1
        else:
            names[row.organisation_id] = (row.organisation, row.listed)
            evaluations[row.organisation_id] += 1
            by_org.setdefault(row.organisation_id, _Tally(shape)).add(stored)
        for approach in stored.approaches:
            support[approach.approach_id].update(approach.support)
            if approach.support_other:
                typed.append(approach.support_other)
            if approach.score is not None and approach.score >= STRENGTH_FROM and approach.story:
                stories.append(
                    CelebrationStory(
                        row.reference,
                        row.organisation,
                        approach.approach_id,
                        approach.score,
                        approach.story,
                        row.queued_at,
                        row.scope,
                        stored.unit or stored.activity,
                    )
                )
    baselines: dict[int, _Tally] = {}
    for row in baseline_rows:
        if row.organisation_id is not None and first_years.get(row.organisation_id) == row.year < year:
            baselines.setdefault(row.organisation_id, _Tally(shape)).add(read_answers(row.answers, shape))
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
                baseline_year=first_years.get(org),
                baseline=baseline,
                change={a: _change(now[a].mean, baseline.get(a)) for a in shape.approach_ids},
            )
        )
    organisations.sort(key=lambda o: (o.organisation.casefold(), o.organisation))
    before = {r.organisation_id: r.organisation for r in last_year if r.organisation_id is not None}
    total_support: Counter[str] = Counter()
    for counted in support.values():
        total_support.update(counted)
    stories.sort(key=lambda story: -story.score)  # stable: the oldest first within a score
    stats = partnership.stats()
    return Collation(
        year=year,
        evaluations=len(rows),
        organisations=[o.organisation for o in organisations],
        partnership=stats,
        by_kind={kind: tally.stats() for kind, tally in kinds.items()},
        kind_counts=dict(kind_counts),
        by_organisation=organisations,
        support_needs=_ranked(total_support),
        support_by_approach={a: _ranked(support[a]) for a in shape.approach_ids},
        other_needs=_typed(typed),
        missing=sorted((n for o, n in before.items() if o not in by_org), key=lambda n: (n.casefold(), n)),
        celebrate=stories,
        focus=_focus(stats),
        by_scope=dict(sorted(scopes.items())),
        unnamed=unnamed,
    )


__all__ += ["OTHER"]
