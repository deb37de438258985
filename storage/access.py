"""Who may see which evaluation: the one rule every board and organisation-lead query goes through.

The model (SECURITY.md, "Who sees what"):

- board staff see what was sent to the board (``Submission.destination == "board"``), and, inside a
  roll-up sent to the board, each team's contribution (its answers, not its transcript);
- an organisation lead sees what was sent to them (their organisation, destination "lead") and the
  roll-ups made for their organisation;
- a translator sees no evaluation at all, only the words to translate (``translatable``): those of
  the evaluations sent straight to the board in the translator's languages;
- nobody sees a draft, an evaluation kept to its author, a deleted one, or a roll-up that a later
  roll-up replaced, by any route or id.

``Access.FULL`` is everything (answers, plan, transcript); ``Access.CONTRIBUTION`` is the answers
as a part of a roll-up. Queries take the SQL expressions from here and add their own filters; none
decides on its own who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, exists, false, literal, or_, select
from sqlalchemy.orm import aliased

from storage.models import Evaluation, Rollup, RollupMember, Submission

__all__ = [
    "Access",
    "Destination",
    "Role",
    "Viewer",
    "access_column",
    "counted",
    "translatable",
    "full_access",
    "live_rollup_member",
    "visible",
]

SENT = "submitted"
ROLLUP = "rollup"


class Destination(StrEnum):
    LEAD = "lead"  # the organisation's ICF lead
    BOARD = "board"


class Role(StrEnum):
    BOARD = "board"
    ORG_LEAD = "org-lead"
    TRANSLATOR = "translator"


class Access(StrEnum):
    NONE = "none"
    CONTRIBUTION = "contribution"  # the answers, as part of a roll-up; never the transcript
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Viewer:
    """Someone signed in to the board area: a role; for an organisation lead, the organisation; for a
    translator, the languages they read."""

    role: str
    organisation_id: int | None = None
    languages: tuple[str, ...] = ()

    @property
    def is_board(self) -> bool:
        return self.role == Role.BOARD

    @property
    def is_lead(self) -> bool:
        return self.role == Role.ORG_LEAD and self.organisation_id is not None

    @property
    def is_translator(self) -> bool:
        return self.role == Role.TRANSLATOR and bool(self.languages)


# The tables inside the rule's subqueries are aliases of their own, so that they never correlate
# with the same tables that a query using the rule joins outside.
_Replacing = aliased(Rollup)
_Sent = aliased(Submission)
_RollupSent = aliased(Submission)
_Member = aliased(RollupMember)
_Live = aliased(Rollup)
_SeenMember = aliased(RollupMember)
_SeenRollup = aliased(Rollup)
_Whole = aliased(Evaluation)


def _not_replaced() -> ColumnElement[bool]:
    """Not a roll-up that a later one replaced (every other evaluation passes)."""
    replaced = exists().where(_Replacing.evaluation_id == Evaluation.id, _Replacing.replaced_by.is_not(None))
    return ~replaced


def _sent(destination: Destination) -> ColumnElement[bool]:
    return and_(
        Evaluation.status == SENT,
        exists().where(_Sent.evaluation_id == Evaluation.id, _Sent.destination == destination),
    )


def full_access(viewer: Viewer) -> ColumnElement[bool]:
    """Where the viewer may see an evaluation whole: answers, plan and transcript."""
    if viewer.is_board:
        return and_(_sent(Destination.BOARD), _not_replaced())
    if viewer.is_lead:
        return and_(
            Evaluation.organisation_id == viewer.organisation_id,
            or_(_sent(Destination.LEAD), and_(Evaluation.scope == ROLLUP, Evaluation.status == SENT)),
            _not_replaced(),
        )
    return false()


def _rollup_seen_by(viewer: Viewer) -> ColumnElement[bool]:
    """The live roll-up ``_SeenRollup`` is one whose evaluation the viewer sees whole."""
    seen = select(_Whole.id).where(_Whole.id == _SeenRollup.evaluation_id, _Whole.status == SENT)
    if viewer.is_board:
        seen = seen.where(
            exists().where(
                _RollupSent.evaluation_id == _Whole.id, _RollupSent.destination == Destination.BOARD
            )
        )
    else:
        seen = seen.where(_Whole.organisation_id == viewer.organisation_id)
    return and_(_SeenRollup.replaced_by.is_(None), seen.exists())


def live_rollup_member() -> ColumnElement[bool]:
    """The evaluation is combined into a roll-up that has not been replaced."""
    return exists().where(
        _Member.evaluation_id == Evaluation.id, _Member.rollup_id == _Live.id, _Live.replaced_by.is_(None)
    )


def _contribution(viewer: Viewer) -> ColumnElement[bool]:
    if not (viewer.is_board or viewer.is_lead):
        return false()
    return and_(
        Evaluation.status == SENT,
        exists().where(
            _SeenMember.evaluation_id == Evaluation.id,
            _SeenMember.rollup_id == _SeenRollup.id,
            _rollup_seen_by(viewer),
        ),
    )


def visible(viewer: Viewer) -> ColumnElement[bool]:
    """Where the viewer may see anything of an evaluation (whole, or as a roll-up's part)."""
    return or_(full_access(viewer), _contribution(viewer))


def counted(viewer: Viewer) -> ColumnElement[bool]:
    """What the viewer's collation and export count: each evaluation once, a roll-up for its members."""
    return and_(full_access(viewer), ~live_rollup_member())


def access_column(viewer: Viewer) -> ColumnElement[str]:
    """The level of access as a column, for a query that reads one evaluation."""
    return case(
        (full_access(viewer), literal(Access.FULL.value)),
        (_contribution(viewer), literal(Access.CONTRIBUTION.value)),
        else_=literal(Access.NONE.value),
    )


def translatable(viewer: Viewer) -> ColumnElement[bool]:
    """Where an evaluation's typed words wait for (or have) a translator's English version.

    Only what its author sent straight to the board (consent: nothing kept, nothing sent only to a
    lead, no roll-up, which carries the words of teams that chose their lead): for a translator in
    their languages, for board staff in any (they see all of it whole anyway).
    """
    sent = and_(_sent(Destination.BOARD), _not_replaced(), Evaluation.scope != ROLLUP)
    if viewer.is_translator:
        return and_(sent, Evaluation.language.in_(viewer.languages))
    if viewer.is_board:
        return sent
    return false()
