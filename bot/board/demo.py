"""``icf demo seed``: two years of made-up but realistic evaluations, so the board area can be tried.

Last year is every organisation's baseline; one organisation sent last year only. Stories and
needs are drawn from what the framework's case studies describe. Nothing here names a person.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.ids import new_evaluation_id, new_token
from bot.settings import Settings
from dialogs import Content, Status, load_default_content
from dialogs.state import Answers, ApproachAnswers, ConversationState, Position
from storage import (
    Evaluation,
    Organisation,
    Submission,
    create_engine,
    create_sessionmaker,
    hash_secret,
    upgrade_engine,
)
from storage.access import Destination
from storage.models import ListedOrganisation

__all__ = ["seed"]

# (organisation, typical score, teams or activities, still sends this year)
ORGANISATIONS = [
    ("Kirklees Council", 3.2, ["Adult Social Care", "Parks and Greenspaces", "Libraries", "Housing"], True),
    ("Locala", 3.6, ["Community nursing", "Health visitors"], True),
    ("Healthwatch Kirklees", 4.2, ["Engagement team"], True),
    ("The Branch", 4.4, ["Community hub"], True),
    ("Third Sector Leaders Kirklees", 3.9, ["Members' network"], True),
    ("Yorkshire Sport Foundation", 3.0, ["Holroyd Park sessions"], True),
    ("Ravensthorpe Friends", 2.6, ["Saturday club"], True),
    ("Ashbrow Youth Network", 3.3, ["Youth panel"], False),
]
STORIES = [
    "We held a welcome café with the library and twenty new families came.",
    "Young people chose the new benches for the park and opened the summer day.",
    "Carers told us what they needed, and we changed our visiting times.",
    "We paid our community panel for their time and they led the recruitment.",
    "We went back to the group to show what changed because of what they told us.",
    "Volunteers planned the Eid and Diwali celebration with us this year.",
    "We shared our room and budget with two small groups so they could keep going.",
]
ACTIONS = [
    "Invite two new community groups to plan with us.",
    "Pay people for their time when they join a panel.",
    "Report back to every group within a month.",
    "Hold a thank-you event for volunteers.",
    "Train the whole team on listening well.",
]
NEEDS = ["training", "connect", "time", "funding", "leaders", "data"]
NEED_WEIGHTS = [5, 4, 3, 3, 2, 2]


def _answers(content: Content, rnd: random.Random, organisation: str, unit: str, level: float) -> Answers:
    annual = rnd.random() < 0.7
    approaches = (
        [a.id for a in content.approaches] if annual else rnd.sample([a.id for a in content.approaches], 2)
    )
    by_approach = {}
    for approach_id in approaches:
        score = max(1, min(5, round(rnd.gauss(level, 0.8))))
        checklist = {}
        if annual:
            answer = {5: "yes", 4: "yes", 3: "partly", 2: "partly", 1: "not_yet"}[score]
            checklist = {q.id: answer for q in content.approach(approach_id).questions}
        by_approach[approach_id] = ApproachAnswers(
            checklist=checklist,
            score=score,
            confidence=rnd.choice(["low", "some", "some", "high"]) if annual else None,
            story=rnd.choice(STORIES) if rnd.random() < 0.6 else None,
            support=sorted(set(rnd.choices(NEEDS, NEED_WEIGHTS, k=rnd.randint(0, 2)))),
            action=rnd.choice(ACTIONS) if annual else None,
        )
    return Answers(
        scope="annual" if annual else "activity",
        level="team" if annual else None,
        organisation=organisation,
        unit=unit if annual else None,
        activity=None if annual else unit,
        approaches=approaches,
        by_approach=by_approach,
    )


def _evaluation(
    content: Content, answers: Answers, organisation_id: int, when: datetime, key: bytes
) -> Evaluation:
    reference = f"ICF-{when.year}-D{new_evaluation_id()[:7].upper()}"
    answers.reference = reference
    state = ConversationState(
        Position("finished"), status=Status.SUBMITTED, content_version=content.version, answers=answers
    )
    data = state.to_json()
    return Evaluation(
        id=new_evaluation_id(),
        organisation_id=organisation_id,
        scope=answers.scope,
        language="en",
        content_version=content.version,
        status=Status.SUBMITTED,
        step="finished",
        state={k: v for k, v in data.items() if k != "answers"},
        answers=data["answers"],
        channel="demo",
        access_token_hash=hash_secret(new_token(), key),
        created_at=when - timedelta(minutes=25),
        updated_at=when,
        completed_at=when,
        submitted_at=when,
    )


async def seed(settings: Settings, year: int | None = None) -> str:
    content = load_default_content()
    rnd = random.Random(2026)  # noqa: S311 - made-up demo data, the same every time
    this_year = year or datetime.now(UTC).year
    db = create_engine(settings.database_url)
    made = 0
    try:
        await upgrade_engine(db)
        async with create_sessionmaker(db).begin() as session:
            if await session.scalar(select(Evaluation.id).where(Evaluation.channel == "demo").limit(1)):
                return "the demo data is there already"
            for name, level, units, still in ORGANISATIONS:
                organisation = await session.scalar(select(Organisation).where(Organisation.name == name))
                if organisation is None:
                    organisation = Organisation(
                        name=name, created_at=datetime(this_year - 1, 1, 5, tzinfo=UTC)
                    )
                    session.add(organisation)
                    await session.flush()
                    session.add(
                        ListedOrganisation(
                            organisation_id=organisation.id,
                            listed_at=organisation.created_at,
                            listed_by="demo",
                        )
                    )
                for offset, progress in ((1, 0.0), (0, 0.4)):
                    if offset == 0 and not still:
                        continue
                    for unit in units:
                        when = datetime(
                            this_year - offset, rnd.randint(2, 10), rnd.randint(1, 28), 10, tzinfo=UTC
                        )
                        answers = _answers(content, rnd, name, unit, level + progress)
                        evaluation = _evaluation(content, answers, organisation.id, when, settings.secret_key)
                        session.add(evaluation)
                        await session.flush()
                        pulled = when + timedelta(days=7) if offset else None
                        session.add(
                            Submission(
                                evaluation_id=evaluation.id,
                                reference=answers.reference or "",
                                destination=Destination.BOARD,
                                year=when.year,
                                queued_at=when,
                                pulled_at=pulled,
                                pulled_by="board@kirklees.example" if pulled else None,
                            )
                        )
                        made += 1
    finally:
        await db.dispose()
    years = f"{this_year - 1} and {this_year}"
    return f"added {made} demo evaluations from {len(ORGANISATIONS)} organisations for {years}"
