"""The reply that asks a step's question, built from its declaration; and the review's lines.

Every reply offers the commands that apply (dialogs/commands.py) as ``nav`` choices with stable
ids, marks the suggested answer, and carries what a program needs as fields beside the text: the
part and question it is at, the suggested score.
"""

from __future__ import annotations

from dialogs import messages as m
from dialogs.commands import COMMAND_TABLE
from dialogs.content import Content
from dialogs.events import Command, Context
from dialogs.i18n import Listed, Text
from dialogs.kinds import SAME_ID, Asking, answer
from dialogs.replies import Choice, ChoiceKind, Place, Reply
from dialogs.state import ApproachAnswers, ConversationState, Scope
from dialogs.steps import STEPS, Declared, Step

__all__ = ["Prompter", "nav_choices", "review_lines", "skipped_parts"]

NO_COMMANDS = frozenset({Step.PAUSED, Step.DELETED, Step.CONFIRM_DELETE, Step.CHECK_TYPED})
# Before sending, the parts with no answer at all are named (the board counts only answered parts).
SAYS_SKIPPED = frozenset({Step.REVIEW, Step.CONSENT})


def nav_choices(state: ConversationState, declared: Declared) -> tuple[Choice, ...]:
    """The commands that make sense here; back, skip and help first, the rest marked secondary."""
    step = declared.step
    if step in NO_COMMANDS or declared.kind is None:
        return ()
    found: list[Choice] = []
    for spec in COMMAND_TABLE:
        if spec.command is Command.BACK and not state.history:
            continue
        if spec.command is Command.SKIP and not declared.skippable:
            continue
        if (
            step == Step.FINISHED
            and not spec.always
            or spec.command is Command.PAUSE
            and step == Step.FINISHED
        ):
            continue  # nothing left to answer: only the summary, the language and deleting
        found.append(Choice(spec.choice_id, Text(spec.label), ChoiceKind.NAV, secondary=spec.always))
    return tuple(found)


def _score_text(value: int | None, content: Content) -> Text:
    if value is None:
        return Text(m.NO_SCORE)
    return Text(m.SCORE_CHOICE, {"value": value, "label": Text(content.scale_level(value).label)})


def _labels(ids: list[str], other: str | None, content: Content) -> Listed:
    labels = content.labels()
    items = [Text(labels[i]) for i in ids if i != "other" and i in labels]
    if other and "other" in ids:
        items.append(Text(other, verbatim=True))
    return Listed(tuple(items))


def review_lines(state: ConversationState, content: Content) -> list[Text]:
    """One line per approach answered so far: the summary and the review share it."""
    lines: list[Text] = []
    who = state.answers.who()
    if who:
        lines.append(Text(m.REVIEW_FOR, {"who": Text(who, verbatim=True)}))
    labels = content.labels()
    for approach_id in state.answers.approaches:
        given = state.answers.by_approach.get(approach_id)
        if given is None or not given.answered():
            continue
        name = Text(content.approach(approach_id).name)
        story = Text(m.GIVEN if given.story else m.NOT_GIVEN)
        score = _score_text(given.score, content)
        if state.answers.scope == Scope.ACTIVITY:
            lines.append(Text(m.REVIEW_LINE_ACTIVITY, {"name": name, "score": score, "story": story}))
        else:
            confidence = Text(labels[given.confidence]) if given.confidence else Text(m.NOT_GIVEN)
            action = Text(m.GIVEN if given.action else m.NOT_GIVEN)
            params = {
                "name": name,
                "score": score,
                "confidence": confidence,
                "story": story,
                "action": action,
            }
            lines.append(Text(m.REVIEW_LINE, params))
        if given.support:
            support = _labels(given.support, given.support_other, content)
            lines.append(Text(m.REVIEW_SUPPORT, {"name": name, "support": support}))
    return lines


def skipped_parts(state: ConversationState, content: Content) -> list[str]:
    """The approaches asked about that have no answer at all."""
    return [
        approach_id
        for approach_id in state.answers.approaches
        if not state.answers.by_approach.get(approach_id, ApproachAnswers()).answered()
    ]


class Prompter:
    """Builds the reply that asks the question of the step a conversation has arrived at."""

    def __init__(self, content: Content) -> None:
        self.content = content

    def asking(self, state: ConversationState, context: Context) -> Asking:
        return Asking(state, context, self.content)

    def prompt(self, state: ConversationState, context: Context) -> Reply:
        declared = STEPS[state.position.step]
        asking = self.asking(state, context)
        skipped = skipped_parts(state, self.content) if declared.step in SAYS_SKIPPED else []
        lines = declared.says(asking) + self._more_lines(declared, state, skipped)
        choices = declared.kind.choices(asking) if declared.kind else []
        same = self.still_the_same(declared, asking)
        if same is not None:
            choices = [same, *choices]
        return Reply(
            tuple(lines),
            (*choices, *nav_choices(state, declared)),
            multiple=bool(declared.kind and declared.kind.multiple),
            free_text=bool(declared.kind and declared.kind.free_text),
            progress=self._progress(declared, asking),
            step=state.position.step,
            place=self._place(declared, asking),
            suggested_score=state.answers.approach(asking.approach.id).suggested_score
            if declared.step == Step.SCORE
            else None,
            skipped_parts=tuple(skipped),
        )

    def still_the_same(self, declared: Declared, asking: Asking) -> Choice | None:
        """Last year's answer, one tap away, when a return code brought it."""
        if not declared.carries or declared.stores is None or asking.state.editing:
            return None
        before = declared.stores.last_year(asking)
        if before is None or before == "":
            return None
        offered = {c.id: c.label for c in declared.kind.choices(asking)} if declared.kind else {}
        label = offered.get(str(before), Text(str(before), verbatim=True))
        return answer(SAME_ID, Text(m.STILL_SAME, {"answer": label}))

    def _more_lines(self, declared: Declared, state: ConversationState, skipped: list[str]) -> list[Text]:
        names = self._names(skipped)
        if declared.step == Step.REVIEW:
            lines = review_lines(state, self.content)
            return lines + ([Text(m.REVIEW_SKIPPED, {"names": names})] if skipped else [])
        if declared.step == Step.CONSENT:
            return [Text(m.CONSENT_SKIPPED, {"names": names})] if skipped else []
        return []

    def _names(self, approach_ids: list[str]) -> Listed:
        return Listed(tuple(Text(self.content.approach(i).name) for i in approach_ids))

    def intro(self, state: ConversationState) -> list[Text]:
        """What an approach means, said once on arriving at its first question."""
        step, question = state.position.step, state.position.question
        first = (step == Step.CHECKLIST and question == 0) or (
            step == Step.SCORE and state.answers.scope == Scope.ACTIVITY
        )
        if state.editing or not first:
            return []
        approach = self.content.approach(state.answers.approaches[state.position.approach])
        return [Text(m.APPROACH_INTRO, {"name": Text(approach.name)}), Text(approach.intro)]

    def _progress(self, declared: Declared, asking: Asking) -> Text | None:
        state = asking.state
        if declared.step == Step.RESTORATIVE:
            total = len(self.content.restorative_prompts())
            return Text(m.PROGRESS_RESTORATIVE, {"number": state.position.question + 1, "total": total})
        if not declared.in_approach:
            return None
        part: dict[str, str | int | float | Text | Listed] = {
            "number": state.position.approach + 1,
            "total": len(state.answers.approaches),
            "name": Text(asking.approach.name),
        }
        if declared.step == Step.CHECKLIST:
            questions = len(asking.approach.questions)
            return Text(
                m.PROGRESS_QUESTION, {**part, "question": state.position.question + 1, "questions": questions}
            )
        return Text(m.PROGRESS, part)

    def _place(self, declared: Declared, asking: Asking) -> Place | None:
        if not declared.in_approach:
            return None
        state = asking.state
        checklist = declared.step == Step.CHECKLIST
        return Place(
            approach=asking.approach.id,
            part=state.position.approach + 1,
            parts=len(state.answers.approaches),
            question=state.position.question + 1 if checklist else None,
            questions=len(asking.approach.questions) if checklist else None,
        )
