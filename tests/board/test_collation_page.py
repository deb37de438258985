"""The collation and the report as a board officer reads them to write the year's report.

Every evaluation here is a conversation through the chat API, as a person sends it; every check reads
the page the officer opens (/board/collation, /board/report) or the file they download.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import httpx
from fastapi import FastAPI

from bot.board.collation import OTHER_NEEDS_SHOWN
from tests.conftest import Clock
from tests.web.chat_client import ApiChat

from .helpers import add_user, list_organisations, name_organisation, send_annual, signed_in

HUB, BANK = "Ashbrow Youth Hub", "Batley Food Bank"
APPROACHES = ("Connecting", "Communicating", "Equalising", "Trusting", "Celebrating")


async def quick_check(
    client: httpx.AsyncClient,
    organisation: str,
    scores: dict[str, int],
    needs: dict[str, list[str]] | None = None,
    typed: dict[str, str] | None = None,
) -> str:
    """An activity check of the approaches in ``scores`` (ids, in the content's order), each with its
    score, the support ``needs`` chosen and a need typed under "something else"; sent to the board."""
    needs, typed = needs or {}, typed or {}
    chat = ApiChat(client)
    await chat.start()
    await chat.say("@activity")
    await name_organisation(chat, organisation)
    await chat.say("Community day")
    for approach in scores:
        await chat.say(f"@{approach}")
    await chat.say("@done")
    picked = iter(scores)
    approach = ""
    for _ in range(10 * len(scores)):  # a few turns an approach; a question asked again never hangs
        if (step := chat.last["step"]) == "review":
            break
        if step == "score":
            approach = next(picked)
            await chat.say(f"@{scores[approach]}")
        elif step == "story":
            await chat.say("/skip")
        elif step == "support":
            chosen = [*needs.get(approach, []), *(["other"] if approach in typed else [])]
            for need in chosen:
                await chat.say(f"@{need}")
            await chat.say("@done" if chosen else "/skip")
        elif step == "support_other":
            await chat.say(typed[approach])
        else:
            assert step == "action", step
            await chat.say("/skip")
    assert chat.last["step"] == "review", chat.last["step"]
    await chat.say("@ok")
    await chat.say("@board")
    assert chat.last["status"] == "submitted"
    return chat.id


class _Sections(HTMLParser):
    """The page's text by heading: under each h2 or h3, one list of cell texts per table row, and one
    entry for each other line (a figure's caption, a list item, a paragraph)."""

    LINES = ("figcaption", "li", "p")

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self.order: list[str] = []
        self._heading: str | None = None
        self._current = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._line: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h2", "h3"):
            self._heading = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in self.LINES and self._row is None:
            self._line = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "h3") and self._heading is not None:
            self._current = self._heading.strip()
            self.order.append(self._current)
            self.sections.setdefault(self._current, [])
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.sections.setdefault(self._current, []).append(self._row)
            self._row = None
        elif tag in self.LINES and self._line is not None:
            self.sections.setdefault(self._current, []).append([" ".join("".join(self._line).split())])
            self._line = None

    def handle_data(self, data: str) -> None:
        for part in (self._heading, self._cell, self._line):
            if isinstance(part, list):
                part.append(data)
        if self._heading is not None:
            self._heading += data


def sections(page: str) -> _Sections:
    parser = _Sections()
    parser.feed(page)
    return parser


def table(page: _Sections, heading: str) -> dict[str, list[str]]:
    """A section's table rows by their first cell (the header row under its first column's name)."""
    return {row[0]: row[1:] for row in page.sections[heading] if len(row) > 1}


def lines(page: _Sections, heading: str) -> list[str]:
    return [row[0] for row in page.sections[heading] if len(row) == 1]


async def officer(app: FastAPI) -> httpx.AsyncClient:
    await add_user(app, "officer@kirklees.example")
    return await signed_in(app, "officer@kirklees.example")


async def three_sent(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Two yearly evaluations (every approach 2 at the hub, 4 at the food bank, each asking for
    training) and the hub's activity check (connecting 5, asking for time; celebrating 5, for money)."""
    await list_organisations(app, HUB, BANK)
    await send_annual(client, HUB, "Youth team", 2)
    await send_annual(client, BANK, "Warehouse", 4)
    await quick_check(
        client, HUB, {"connecting": 5, "celebrating": 5}, {"connecting": ["time"], "celebrating": ["funding"]}
    )


YEARLY = "Yearly evaluations: scores across the partnership"
ACTIVITY = "Activity checks: scores across the partnership"


async def test_annual_and_activity_evaluations_are_shown_apart_annual_first(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """An officer reports the yearly evaluations and the quick activity checks separately: a check
    is one event, not an organisation's year, so mixing them would move the yearly means."""
    await three_sent(app, client)
    board = await officer(app)
    html = (await board.get("/board/collation?year=2026")).text
    page = sections(html)
    assert page.order.index(YEARLY) < page.order.index(ACTIVITY)
    assert html.index(YEARLY) < html.index(ACTIVITY)
    assert lines(page, "")[-4:] == [  # numbers after labels: no "1 activity checks", in any language
        "Evaluations counted: 3",
        "Organisations: 2",
        "Yearly evaluations: 2 (a roll-up counts as one, for the teams it combines)",
        "Activity checks: 1",
    ]
    assert lines(page, YEARLY) == [f"{a}: mean 3.00, median 3.0, 2 scores" for a in APPROACHES]
    assert lines(page, ACTIVITY) == [
        "Connecting: mean 5.00, median 5.0, 1 score",
        "Communicating: mean –, median –, 0 scores",
        "Equalising: mean –, median –, 0 scores",
        "Trusting: mean –, median –, 0 scores",
        "Celebrating: mean 5.00, median 5.0, 1 score",
    ]
    await board.aclose()


MEAN = re.compile(r"\d\.\d\d")


async def test_every_mean_has_its_count_beside_it(app: FastAPI, client: httpx.AsyncClient) -> None:
    """A mean from one score and a mean from fifty read alike; the officer needs the count beside
    each to say how much a figure can carry, on the collation and in the report."""
    await three_sent(app, client)
    board = await officer(app)
    page = sections((await board.get("/board/collation?year=2026")).text)
    rows = table(page, "By organisation")
    assert rows[HUB] == [
        "2",
        "3.50 (2 scores)",  # 2 in the yearly evaluation, 5 in the activity check
        *["2.00 (1 score)"] * 3,
        "3.50 (2 scores)",
        "2026",
    ]
    assert rows[BANK] == ["1", *["4.00 (1 score)"] * 5, "2026"]
    for cells in [*rows.values(), *(c[1:] for c in page.sections[YEARLY] + page.sections[ACTIVITY])]:
        for cell in cells:
            for mean in MEAN.finditer(cell):
                assert re.match(r" \(\d+ scores?\)|, median [\d.]+, \d+ scores?", cell[mean.end() :]), cell
    report = sections((await board.get("/board/report?year=2026")).text)
    middle = [f"{a}: average 3.00 from 2 scores" for a in APPROACHES[1:4]]  # 2 and 4
    assert lines(report, "How we are doing") == [
        "Connecting: average 3.67 from 3 scores",  # 2, 4 and 5
        *middle,
        "Celebrating: average 3.67 from 3 scores",
    ]
    assert lines(report, "Who took part") == [
        "Self-evaluations: 3",
        "Organisations taking part: 2",
        "Yearly evaluations: 2",
        "Activity checks: 1",
    ]
    await board.aclose()


async def test_workshop_themes_by_approach_show_the_needs_people_chose(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The board plans its workshops per approach from what partners asked for there: each
    approach's row lists the needs chosen in it, with how many chose each, most asked first."""
    await three_sent(app, client)
    board = await officer(app)
    page = sections((await board.get("/board/collation?year=2026")).text)
    assert table(page, "Workshop themes by approach") == {
        "Approach": ["Needs asked for (how many)"],
        "Connecting": ["Training or a workshop (2), Time (1)"],
        "Communicating": ["Training or a workshop (2)"],
        "Equalising": ["Training or a workshop (2)"],
        "Trusting": ["Training or a workshop (2)"],
        "Celebrating": ["Training or a workshop (2), Money or resources (1)"],
    }
    await board.aclose()


# Needs typed under "something else", five to a check (one per approach): the same minibus three
# ways, room hire twice, and 21 needs typed once each.
TYPED = [
    "A minibus",
    "a  MINIBUS",
    "A Minibus",
    "Room hire",
    "room hire",
    *(f"Need {n:02d}" for n in range(1, 22)),
]
APPROACH_IDS = ("connecting", "communicating", "equalising", "trusting", "celebrating")


async def test_typed_needs_are_grouped_capped_on_the_page_and_all_in_the_export(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The same need typed in other case or spacing is one need with its count; the page shows the
    most common OTHER_NEEDS_SHOWN, saying so, and the export the officer downloads has every one."""
    await list_organisations(app, HUB)
    for start in range(0, len(TYPED), len(APPROACH_IDS)):
        batch = dict(zip(APPROACH_IDS, TYPED[start : start + len(APPROACH_IDS)], strict=False))
        await quick_check(client, HUB, dict.fromkeys(batch, 3), typed=batch)
    board = await officer(app)
    page = sections((await board.get("/board/collation?year=2026")).text)
    shown = lines(page, "Other needs people wrote")
    groups = 1 + 1 + 21
    assert OTHER_NEEDS_SHOWN < groups
    assert shown[0] == f"The {OTHER_NEEDS_SHOWN} most common of {groups}; the export has them all."
    assert shown[1:] == [
        "A minibus (3)",
        "Room hire (2)",
        *(f"Need {n:02d}" for n in range(1, OTHER_NEEDS_SHOWN - 1)),
    ]
    exported = (await board.get("/board/export?year=2026&format=csv")).content.decode("utf-8-sig")
    support = [row["Support needed"] for row in csv.DictReader(io.StringIO(exported))]
    assert sorted(s.removeprefix("Something else: ") for s in support) == sorted(TYPED)
    await board.aclose()


async def test_the_report_shows_change_since_the_baseline_year(
    app: FastAPI, client: httpx.AsyncClient, clock: Clock
) -> None:
    """The board reports progress against each organisation's first year: the hub sent in 2025 and
    2026, so it has a change; the food bank's first year is 2026, so it has none yet."""
    await list_organisations(app, HUB, BANK)
    clock.now = datetime(2025, 6, 2, 10, tzinfo=UTC)
    await send_annual(client, HUB, "Youth team", 2)
    clock.now = datetime(2026, 6, 1, 10, tzinfo=UTC)
    await send_annual(client, HUB, "Youth team", 4)
    await send_annual(client, BANK, "Warehouse", 3)
    board = await officer(app)
    report = sections((await board.get("/board/report?year=2026")).text)
    assert table(report, "Change since each organisation's first year") == {
        "Organisation": ["Baseline year", *APPROACHES],
        HUB: ["2025", *["+2.00"] * 5],
    }
    collation = table(sections((await board.get("/board/collation?year=2026")).text), "By organisation")
    assert collation[HUB] == ["1", *["4.00 (1 score) (+2.00)"] * 5, "2025"]
    first = sections((await board.get("/board/report?year=2025")).text)
    assert lines(first, "Change since each organisation's first year") == [
        "No organisation has an earlier year to compare with yet."
    ]
    await board.aclose()


async def test_the_report_names_every_approach_within_a_tenth_of_the_lowest_as_a_focus(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The recommendation names all the approaches about as weak as the weakest, not just one:
    Communicating's 2.60 is exactly 0.1 above the lowest (2.50) and is named; Equalising's 2.67 is not."""
    await list_organisations(app, HUB)
    await send_annual(client, HUB, "Youth team", 3)
    await quick_check(client, HUB, {"connecting": 2, "communicating": 2, "equalising": 2, "trusting": 2})
    await quick_check(client, HUB, {"communicating": 2, "equalising": 3})
    await quick_check(client, HUB, {"communicating": 3})
    await quick_check(client, HUB, {"communicating": 3})
    board = await officer(app)
    report = sections((await board.get("/board/report?year=2026")).text)
    assert lines(report, "How we are doing") == [
        "Connecting: average 2.50 from 2 scores",
        "Communicating: average 2.60 from 5 scores",
        "Equalising: average 2.67 from 3 scores",
        "Trusting: average 2.50 from 2 scores",
        "Celebrating: average 3.00 from 1 score",
    ]
    assert (
        "Focus support on the approaches with the lowest average scores (within 0.1 of the lowest):"
        " Connecting, Communicating, Trusting."
    ) in lines(report, "Summary recommendations")
    await board.aclose()
