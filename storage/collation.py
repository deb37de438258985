"""Collation for the board: the year's submitted evaluations, summed up per approach and organisation.

Which evaluations count: those sent to the board (a row in ``submissions`` and status "submitted"),
by the UTC year of ``submissions.queued_at``. Every scope counts (annual, activity checks, roll-ups);
an activity check scores only the approaches it picked, so each approach has its own count. Only the
approaches an evaluation lists in ``answers["approaches"]`` are read: ``by_approach`` can keep answers
for an approach that was later unpicked, and the plan leaves those out too. A roll-up that names the
evaluations it combines (``answers["rollup_ids"]``) stands for them: those are not counted again in
the same year.

The work is four small queries that select only the columns needed, then plain Python. On SQLite
the database itself picks the few fields used out of each evaluation's answers (one ``json_extract``
with many paths parses the JSON once); on PostgreSQL, whose ``json`` column would be parsed again for
every path, the answers come whole and Python reads them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, and_, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from storage.models import Evaluation, Organisation, Submission

__all__ = [
    "APPROACH_IDS",
    "ApproachStats",
    "CelebrationStory",
    "Collation",
    "OrganisationStats",
    "collate",
    "submitted_years",
]

# The framework's approaches, in its order (dialogs/data/framework.toml; storage may not import dialogs).
APPROACH_IDS = ("connecting", "communicating", "equalising", "trusting", "celebrating")
SCORES = (1, 2, 3, 4, 5)
CELEBRATE_FROM = 4  # a score of 4 or 5 is a strength: the plan suggests sharing its story as good news
SUBMITTED = "submitted"


@dataclass(frozen=True, slots=True)
class ApproachStats:
    approach_id: str
    count: int  # scored answers
    distribution: dict[int, int]  # score 1..5 -> how many (all five keys present)
    mean: float | None  # rounded to 2 places
    median: float | None


@dataclass(frozen=True, slots=True)
class OrganisationStats:
    organisation: str
    evaluations: int
    approaches: dict[str, ApproachStats]  # every approach id, in framework order
    baseline_year: int | None  # the first year this organisation submitted anything
    change: dict[str, float | None]  # approach -> this year's mean minus the baseline year's mean
    baseline: dict[str, float | None] = field(default_factory=dict)  # the baseline year's means
    organisation_id: int | None = None


@dataclass(frozen=True, slots=True)
class CelebrationStory:
    reference: str
    organisation: str
    approach_id: str
    score: int
    story: str
    submitted_at: datetime | None = None
    scope: str = ""
    unit: str = ""  # the team or directorate (annual evaluations)
    activity: str = ""  # the activity checked (activity checks)


@dataclass(frozen=True, slots=True)
class Collation:
    year: int
    evaluations: int
    organisations: list[str]  # organisations that submitted this year, sorted
    partnership: dict[str, ApproachStats]  # every approach id, in framework order
    by_organisation: list[OrganisationStats]  # sorted by organisation name
    support_needs: list[tuple[str, int]]  # support option id -> count, most common first (ties by id)
    other_needs: list[str]  # the typed "something else" needs, in the order they were sent
    missing: list[str]  # organisations that submitted last year but not this year
    celebrate: list[CelebrationStory]  # stories given with a score of 4 or 5, best first
    # per approach: support option id -> count, as support_needs (workshop themes by approach)
    support_by_approach: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    by_scope: dict[str, int] = field(default_factory=dict)  # annual / activity / rollup -> evaluations
    unnamed: int = 0  # evaluations with no organisation: in the partnership figures only


# -- reading one evaluation's answers ----------------------------------------------------------------

FIELDS = ("score", "support", "support_other", "story")  # what collation reads of each approach
TOP = ("approaches", "rollup_ids", "unit", "activity")
PATHS = (*(f"$.{key}" for key in TOP), *(f"$.by_approach.{a}.{f}" for a in APPROACH_IDS for f in FIELDS))
_OFFSET = {approach_id: len(TOP) + len(FIELDS) * i for i, approach_id in enumerate(APPROACH_IDS)}
_NOTHING = [None] * len(PATHS)


def _answers_column(session: AsyncSession) -> ColumnElement[Any] | QueryableAttribute[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return func.json_extract(Evaluation.answers, *PATHS, type_=JSON)
    return Evaluation.answers


def _flat(raw: Any) -> list[Any]:
    """The values at PATHS, as stored and unchecked: SQLite's array as it is, or read from the answers."""
    if type(raw) is list and len(raw) == len(PATHS):
        return raw
    if type(raw) is not dict:
        return _NOTHING
    flat = [raw.get(key) for key in TOP]
    by_approach = raw.get("by_approach")
    if type(by_approach) is not dict:
        return flat + _NOTHING[len(TOP) :]
    for approach_id in APPROACH_IDS:
        given = by_approach.get(approach_id)
        if type(given) is dict:
            flat += [given.get("score"), given.get("support"), given.get("support_other"), given.get("story")]
        else:
            flat += _NOTHING[: len(FIELDS)]
    return flat


def _listed(flat: list[Any]) -> list[tuple[str, int]]:
    """The approaches the evaluation lists (known ones, once each) and where their values start.

    ``by_approach`` can keep the answers for an approach unpicked later: they do not count.
    """
    listed = flat[0]
    if not isinstance(listed, list):  # not written by the engine: every approach with an answer
        return [(a, o) for a, o in _OFFSET.items() if any(v is not None for v in flat[o : o + len(FIELDS)])]
    found: list[tuple[str, int]] = []
    for approach_id in listed:
        if type(approach_id) is str:
            offset = _OFFSET.get(approach_id)
            if offset is not None and (approach_id, offset) not in found:
                found.append((approach_id, offset))
    return found


def _score(value: Any) -> int | None:
    return value if type(value) is int and 1 <= value <= 5 else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# -- figures -------------------------------------------------------------------------------------------


def _counts() -> dict[str, list[int]]:
    return {a: [0, 0, 0, 0, 0] for a in APPROACH_IDS}


def _nth(counts: list[int], index: int) -> int:
    """The score at ``index`` (from 0) in the sorted list of scores the counts describe."""
    seen = 0
    for score, count in zip(SCORES, counts, strict=True):
        seen += count
        if index < seen:
            return score
    raise IndexError(index)


def _stats(approach_id: str, counts: list[int]) -> ApproachStats:
    total = sum(counts)
    if total == 0:
        mean = median = None
    else:
        mean = round(sum(s * c for s, c in zip(SCORES, counts, strict=True)) / total, 2)
        median = (_nth(counts, (total - 1) // 2) + _nth(counts, total // 2)) / 2
    return ApproachStats(
        approach_id=approach_id,
        count=total,
        distribution=dict(zip(SCORES, counts, strict=True)),
        mean=mean,
        median=median,
    )


def _all_stats(counts: dict[str, list[int]]) -> dict[str, ApproachStats]:
    return {a: _stats(a, counts[a]) for a in APPROACH_IDS}


def _ranked(counter: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _change(now: float | None, then: float | None) -> float | None:
    # From the rounded means the report shows, so its figures add up.
    return None if now is None or then is None else round(now - then, 2)


# -- queries ---------------------------------------------------------------------------------------------


def _year_window(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _in_year(year: int) -> ColumnElement[bool]:
    start, end = _year_window(year)
    return and_(Submission.queued_at >= start, Submission.queued_at < end)


def _submitted(query: Any, organisation_id: int | None) -> Any:
    query = (
        query.select_from(Submission)
        .join(Evaluation, Evaluation.id == Submission.evaluation_id)
        .where(Evaluation.status == SUBMITTED)
    )
    if organisation_id is not None:
        query = query.where(Evaluation.organisation_id == organisation_id)
    return query


async def _rows(session: AsyncSession, query: Any) -> Sequence[Any]:
    """Plain rows, through the connection: the ORM adds nothing here but time."""
    connection = await session.connection()
    return (await connection.execute(query)).all()


async def _baseline_years(session: AsyncSession, organisation_id: int | None) -> dict[int, int]:
    """Organisation id -> the UTC year of its first submission."""
    query = _submitted(
        select(Evaluation.organisation_id, func.min(Submission.queued_at)), organisation_id
    ).where(Evaluation.organisation_id.is_not(None))
    rows = await _rows(session, query.group_by(Evaluation.organisation_id))
    return {org: first.astimezone(UTC).year for org, first in rows if first is not None}


def _covered_by_year(rows: Iterable[tuple[datetime, list[Any]]]) -> dict[int, set[str]]:
    """Per year, the evaluations a roll-up sent that year stands for (``answers["rollup_ids"]``)."""
    covered: dict[int, set[str]] = {}
    for queued_at, flat in rows:
        ids = flat[1]
        if ids and isinstance(ids, list):
            year = queued_at.astimezone(UTC).year
            covered.setdefault(year, set()).update(i for i in ids if type(i) is str)
    return covered


async def _baseline_means(
    session: AsyncSession, wanted: dict[int, int]
) -> dict[int, dict[str, ApproachStats]]:
    """Each organisation's figures in its baseline year (organisation id -> that year)."""
    if not wanted:
        return {}
    by_year: dict[int, list[int]] = {}
    for org, year in wanted.items():
        by_year.setdefault(year, []).append(org)
    windows = [and_(_in_year(y), Evaluation.organisation_id.in_(orgs)) for y, orgs in sorted(by_year.items())]
    columns = (Evaluation.id, Evaluation.organisation_id, Submission.queued_at, _answers_column(session))
    rows = [
        (evaluation_id, org, queued_at, _flat(raw))
        for evaluation_id, org, queued_at, raw in await _rows(
            session, _submitted(select(*columns), None).where(or_(*windows))
        )
    ]
    covered = _covered_by_year((queued_at, flat) for _, _, queued_at, flat in rows)
    counts: dict[int, dict[str, list[int]]] = {}
    for evaluation_id, org, queued_at, flat in rows:
        if org is None or evaluation_id in covered.get(queued_at.astimezone(UTC).year, ()):
            continue
        tally = counts.get(org)
        if tally is None:
            tally = counts[org] = _counts()
        for approach_id, offset in _listed(flat):
            score = _score(flat[offset])
            if score is not None:
                tally[approach_id][score - 1] += 1
    return {org: _all_stats(tally) for org, tally in counts.items()}


async def _organisations_in(session: AsyncSession, year: int, organisation_id: int | None) -> dict[int, str]:
    query = _submitted(select(Organisation.id, Organisation.name).distinct(), organisation_id)
    query = query.join(Organisation, Organisation.id == Evaluation.organisation_id).where(_in_year(year))
    return {org: name for org, name in await _rows(session, query)}


# -- the collation -----------------------------------------------------------------------------------------


async def collate(session: AsyncSession, year: int, organisation_id: int | None = None) -> Collation:
    """The board's figures for one calendar year (UTC); ``organisation_id`` keeps to one organisation."""
    columns = (
        Evaluation.id,
        Submission.reference,
        Submission.queued_at,
        Evaluation.organisation_id,
        Organisation.name,
        Evaluation.scope,
        _answers_column(session),
    )
    query = _submitted(select(*columns), organisation_id)
    query = query.outerjoin(Organisation, Organisation.id == Evaluation.organisation_id).where(_in_year(year))
    query = query.order_by(Submission.queued_at, Submission.reference)  # oldest first: needs, stories
    rows = [(*row[:6], _flat(row[6])) for row in await _rows(session, query)]
    covered = _covered_by_year((row[2], row[6]) for row in rows).get(year, set())

    partnership = _counts()
    by_org: dict[int, dict[str, list[int]]] = {}
    evaluations: Counter[int] = Counter()
    names: dict[int, str] = {}
    support: dict[str, dict[str, int]] = {a: {} for a in APPROACH_IDS}
    other_needs: list[str] = []
    stories: list[CelebrationStory] = []
    scopes: Counter[str] = Counter()
    unnamed = 0

    for evaluation_id, reference, queued_at, org, name, scope, flat in rows:
        if evaluation_id in covered:
            continue  # counted once, through the roll-up that combines it
        scopes[scope or ""] += 1
        tally: dict[str, list[int]] | None = None
        if org is not None:
            names[org] = name or ""
            evaluations[org] += 1
            tally = by_org.get(org)
            if tally is None:
                tally = by_org[org] = _counts()
        else:
            unnamed += 1
        for approach_id, offset in _listed(flat):
            score = _score(flat[offset])
            if score is not None:
                partnership[approach_id][score - 1] += 1
                if tally is not None:
                    tally[approach_id][score - 1] += 1
            needs = flat[offset + 1]
            if needs and type(needs) is list:
                counted = support[approach_id]
                for need in needs:
                    if type(need) is str:
                        counted[need] = counted.get(need, 0) + 1
                # the typed need counts only while "something else" is ticked, as in the plan
                other = flat[offset + 2]
                if "other" in needs and isinstance(other, str) and other.strip():
                    other_needs.append(other.strip())
            story = flat[offset + 3]
            if score is not None and score >= CELEBRATE_FROM and isinstance(story, str) and story.strip():
                stories.append(
                    CelebrationStory(
                        reference=reference,
                        organisation=name or "",
                        approach_id=approach_id,
                        score=score,
                        story=story.strip(),
                        submitted_at=queued_at,
                        scope=scope or "",
                        unit=_text(flat[2]),
                        activity=_text(flat[3]),
                    )
                )

    first_years = await _baseline_years(session, organisation_id) if by_org else {}
    wanted = {org: first_years[org] for org in by_org if first_years.get(org, year) < year}
    baselines = await _baseline_means(session, wanted)
    last_year = await _organisations_in(session, year - 1, organisation_id)

    by_organisation: list[OrganisationStats] = []
    for org, tally in by_org.items():
        now = _all_stats(tally)
        then = baselines.get(org)
        baseline = {a: then[a].mean for a in APPROACH_IDS} if then is not None else {}
        by_organisation.append(
            OrganisationStats(
                organisation=names[org],
                evaluations=evaluations[org],
                approaches=now,
                baseline_year=first_years.get(org),
                change={a: _change(now[a].mean, baseline.get(a)) for a in APPROACH_IDS},
                baseline=baseline,
                organisation_id=org,
            )
        )
    by_organisation.sort(key=lambda o: (o.organisation.casefold(), o.organisation))

    total_support: Counter[str] = Counter()
    for counted in support.values():
        total_support.update(counted)
    stories.sort(key=lambda story: -story.score)  # stable: the oldest first within a score
    return Collation(
        year=year,
        evaluations=sum(scopes.values()),
        organisations=[o.organisation for o in by_organisation],
        partnership=_all_stats(partnership),
        by_organisation=by_organisation,
        support_needs=_ranked(total_support),
        other_needs=other_needs,
        missing=sorted((n for o, n in last_year.items() if o not in by_org), key=lambda n: (n.casefold(), n)),
        celebrate=stories,
        support_by_approach={a: _ranked(support[a]) for a in APPROACH_IDS},
        by_scope=dict(sorted(scopes.items())),
        unnamed=unnamed,
    )


async def submitted_years(session: AsyncSession, organisation_id: int | None = None) -> list[int]:
    """The UTC years in which anything was sent to the board, oldest first."""
    column: Any = Submission.queued_at
    if session.get_bind().dialect.name == "postgresql":
        column = func.timezone("UTC", Submission.queued_at)  # not the session's time zone
    query = _submitted(select(extract("year", column)).distinct(), organisation_id)
    return sorted(int(year) for (year,) in await _rows(session, query) if year is not None)
