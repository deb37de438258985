"""The implementation and support plan: first steps from the person's own answers, actions with who
and when, re-checks for low scores, the change since last year, and what happens next."""

from __future__ import annotations

import gettext
from datetime import date

from markupsafe import escape

from dialogs import Content, Engine, build_plan, render_plan_html
from dialogs.state import Answers, ApproachAnswers, ConversationState, Position, Previous, Status

NULL = gettext.NullTranslations()


def annual(
    checklists: dict[str, dict[str, str]], scores: dict[str, int], **state: object
) -> ConversationState:
    answers = Answers(scope="annual", level="team", organisation="Locala", unit="Blue Team")
    answers.approaches = ["connecting", "communicating", "equalising", "trusting", "celebrating"]
    for approach, score in scores.items():
        answers.by_approach[approach] = ApproachAnswers(checklist=checklists.get(approach, {}), score=score)
    return ConversationState(Position("finished"), answers=answers, status=Status.COMPLETED, **state)  # type: ignore[arg-type]


SCORES = {"connecting": 2, "communicating": 4, "equalising": 3, "trusting": 5, "celebrating": 4}


def test_first_steps_come_from_the_not_yet_and_partly_answers(content: Content) -> None:
    connecting = content.approach("connecting").questions
    one = build_plan(
        annual({"connecting": {"connecting.1": "not_yet", "connecting.2": "yes"}}, SCORES), content
    )
    other = build_plan(
        annual(
            {"connecting": {"connecting.2": "partly", "connecting.4": "not_yet", "connecting.1": "yes"}},
            SCORES,
        ),
        content,
    )
    first = {p.approach.id: p.first_steps for p in one.priorities}
    second = {p.approach.id: p.first_steps for p in other.priorities}
    assert first["connecting"] == (connecting[0].first_step,)
    assert second["connecting"] == (connecting[1].first_step, connecting[3].first_step)
    assert first["connecting"] != second["connecting"]
    assert one.first_things[0] == connecting[0].first_step  # the lowest score's step comes first
    # no checklist answers at all (a quick check): the approach's own first steps
    assert first["equalising"] == tuple(s.text for s in content.approach("equalising").first_steps)


def test_actions_carry_who_and_when_and_low_scores_get_a_re_check(content: Content) -> None:
    state = annual({}, SCORES)
    given = state.answers.by_approach["connecting"]
    given.action, given.action_owner, given.action_due = (
        "Plan a lunch with the library.",
        "Sam, team lead",
        "6m",
    )
    trusting = state.answers.by_approach["trusting"]
    trusting.action, trusting.action_due = "Say what we cannot do.", "End of March"
    plan = build_plan(state, content, made_on=date(2026, 8, 31))
    html = render_plan_html(plan, NULL, "en", made_on=date(2026, 8, 31))
    assert "Connecting: Plan a lunch with the library." in html
    assert (
        "Who: Sam, team lead" in html and "By when: In 6 months" in html and "By when: End of March" in html
    )
    assert [(r.approach, r.on) for r in plan.rechecks] == [("connecting", date(2027, 2, 28))]
    assert "Connecting: do a quick check of this part again on 28 February 2027" in html


def test_what_happens_next_says_who_has_it_now(engine: Engine, content: Content) -> None:
    def next_step(**answers: object) -> str:
        state = annual({}, SCORES)
        for name, value in answers.items():
            setattr(state.answers, name, value)
        return render_plan_html(build_plan(state, content), NULL, "en")

    assert "ICF lead has it now." in next_step(sent_to="lead")
    assert "The Communities Partnership Board has it now." in next_step(sent_to="board")
    assert "You kept this plan to yourself" in next_step()
    at_consent = annual({}, SCORES)
    at_consent.position = Position("consent")
    assert "You choose next who gets this plan." in render_plan_html(
        build_plan(at_consent, content), NULL, "en"
    )


def test_the_printed_plan_opens_with_a_summary_and_keeps_the_originals_for_the_appendix(
    content: Content,
) -> None:
    state = annual({"connecting": {"connecting.1": "not_yet"}}, SCORES)
    state.answers.by_approach["celebrating"].support = ["training", "other"]
    state.answers.by_approach["celebrating"].support_other = "A hall on Saturdays"
    html = render_plan_html(build_plan(state, content), NULL, "en")
    summary, detail = html.split('<section class="summary"', 1)[1].split("</section>", 1)
    assert "Three things to do first" in summary and "The help you asked for" in summary
    assert "Three things to do first" not in detail and "Your strengths" in detail
    assert "Celebrating: Training or a workshop and A hall on Saturdays" in summary
    assert "What examples do you have of where you have worked in partnership" not in summary
    appendix = html.split('<section class="appendix">', 1)[1]
    assert "What examples do you have of where you have worked in partnership" in appendix


def test_the_change_since_last_year_and_the_first_year(content: Content) -> None:
    last = Answers(
        scope="annual", approaches=["connecting"], by_approach={"connecting": ApproachAnswers(score=1)}
    )
    previous = Previous(year=2025, answers=last, baseline_year=2024, baseline_scores={"connecting": 1})
    plan = build_plan(annual({}, SCORES, previous=previous), content)
    html = render_plan_html(plan, NULL, "en")
    assert "Last year (2025): 1" in html and "First year (2024): 1" in html


def test_a_question_asked_in_two_parts_shows_its_original_once_with_both_answers(content: Content) -> None:
    equalising = content.approach("equalising")
    first, second = equalising.originals()[0].parts
    state = annual({"equalising": {first.id: "yes", second.id: "not_yet"}}, SCORES)
    state.answers.restorative = {"with.5": "yes", "with.5b": "partly"}
    plan = build_plan(state, content)
    steps = {p.approach.id: p.first_steps for p in plan.priorities}
    assert steps["equalising"] == (second.first_step,)  # only the part answered "Not yet"
    appendix = render_plan_html(plan, NULL, "en").split('<section class="appendix">', 1)[1]
    assert appendix.count(str(escape(first.original))) == 1
    item = appendix.split(str(escape(first.original)), 1)[1].split('<li class="item">', 1)[0]
    assert f"{first.plain} <strong>Yes</strong>" in item
    assert f"{second.plain} <strong>Not yet</strong>" in item
    restorative = appendix.split("The Restorative Approach Checklist", 1)[1]
    expected = str(escape(content.restorative[1].originals()[4].original))
    assert restorative.count(expected) == 1 and "<strong>Partly</strong>" in restorative
