"""The workshop planner: the workshops the board could commission, from what partners asked for.

The framework's board commissions "workshops on common themes identified by partners" and, in the
first year of delivery, on the foundational approaches (seed 000). So for a year: one proposal per
approach and support need that partners asked for there (which organisations, how many evaluations),
most asked first; and in the partnership's first year, one on each approach's foundations before
them. The approaches and needs come from the content, like every other figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dialogs.stored import Shape, read_answers
from storage.collation import SentRow

__all__ = ["FOUNDATIONS", "Proposal", "propose"]

FOUNDATIONS = "foundations"  # the theme of a first-year workshop on an approach itself


@dataclass(frozen=True, slots=True)
class Proposal:
    approach_id: str
    theme: str  # a support option id, or FOUNDATIONS
    organisations: tuple[str, ...]  # who asked, by name, sorted
    evaluations: int  # how many evaluations asked for it
    commissioned_on: date | None = None


def propose(
    rows: Sequence[SentRow],
    shape: Shape,
    first_year: bool,
    commissioned: Mapping[tuple[str, str], date] | None = None,
) -> list[Proposal]:
    """The year's proposals from its counted rows (the collation's), most asked first."""
    asked: dict[tuple[str, str], tuple[set[str], int]] = {}
    answered: dict[str, tuple[set[str], int]] = {}
    for row in rows:
        stored = read_answers(row.answers, shape)
        who = row.organisation or stored.organisation
        for approach in stored.approaches:
            names, count = answered.get(approach.approach_id, (set(), 0))
            answered[approach.approach_id] = (names | ({who} if who else set()), count + 1)
            for need in approach.support:
                names, count = asked.get((approach.approach_id, need), (set(), 0))
                asked[(approach.approach_id, need)] = (names | ({who} if who else set()), count + 1)
    done = commissioned or {}
    order = {a: i for i, a in enumerate(shape.approach_ids)}
    proposals = [
        Proposal(a, theme, tuple(sorted(names, key=str.casefold)), count, done.get((a, theme)))
        for (a, theme), (names, count) in asked.items()
    ]
    proposals.sort(key=lambda p: (-p.evaluations, order[p.approach_id], p.theme))
    if first_year:
        foundations = [
            Proposal(
                a, FOUNDATIONS, tuple(sorted(names, key=str.casefold)), count, done.get((a, FOUNDATIONS))
            )
            for a, (names, count) in sorted(answered.items(), key=lambda item: order[item[0]])
        ]
        proposals = foundations + proposals
    return proposals
