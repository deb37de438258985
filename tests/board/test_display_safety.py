"""Names and stories with bidirectional controls show as what they are, on every board surface."""

from __future__ import annotations

import csv
import io

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook

from bot.board.text import isolated, plain
from storage.organisations import BIDI_CONTROLS, clean_name

from .helpers import add_user, list_organisations, send_activity_check, signed_in

DISGUISED_NAME = "Org \u202egnp.exe"  # shows as "Org exe.png"
DISGUISED_STORY = "We met at the \u2067library\u2069 and \u202dsaid\u202c \u202eolleh\u202c to everyone."


def test_names_lose_every_direction_control_and_text_is_isolated() -> None:
    assert clean_name(DISGUISED_NAME) == "Org gnp.exe"
    assert clean_name("\u202aLeft\u202b \u2066to\u2068 right\u200f") == "Left to right"
    assert not set(plain(DISGUISED_STORY)) & BIDI_CONTROLS
    assert plain(DISGUISED_STORY) == "We met at the library and said olleh to everyone."
    assert str(isolated("<b>" + DISGUISED_NAME)) == "<bdi>&lt;b&gt;Org gnp.exe</bdi>"
    assert str(isolated("اردو")) == "<bdi>اردو</bdi>"  # right-to-left text is kept, just isolated


async def test_every_board_surface_shows_the_text_without_its_disguise(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await list_organisations(app, "Locala")
    typed = await send_activity_check(client, DISGUISED_NAME, DISGUISED_STORY, score=5)
    await add_user(app, "board@kirklees.example")
    board = await signed_in(app, "board@kirklees.example")
    pages = {
        "queue": await board.get("/board?status=all"),
        "evaluation": await board.get(f"/board/evaluations/{typed}"),
        "collation": await board.get("/board/collation"),
        "report": await board.get("/board/report"),
        "organisations": await board.get("/board/organisations"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert not set(page.text) & BIDI_CONTROLS, name
    assert "<bdi>Org gnp.exe</bdi>" in pages["queue"].text
    assert "<bdi>We met at the library and said olleh to everyone.</bdi>" in pages["evaluation"].text
    assert "<bdi>We met at the library and said olleh to everyone.</bdi>" in pages["report"].text
    exported = (await board.get("/board/export?format=csv")).content.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["Organisation"], row["Story"]) == ("Org gnp.exe", plain(DISGUISED_STORY))
    transcript = (await board.get(f"/board/evaluations/{typed}/transcript.csv")).content.decode("utf-8-sig")
    assert "olleh" in transcript and not set(transcript) & BIDI_CONTROLS
    book = load_workbook(io.BytesIO((await board.get("/board/export?format=xlsx")).content), read_only=True)
    cells = [str(c) for line in book.active.iter_rows(values_only=True) for c in line if c]  # type: ignore[union-attr]
    book.close()
    assert plain(DISGUISED_STORY) in cells and not set("".join(cells)) & BIDI_CONTROLS
    await board.aclose()
