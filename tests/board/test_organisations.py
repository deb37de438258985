"""Organisations as a list the board keeps: the chat offers only those names; a typed one stays private
to its evaluation until board staff accept it or merge it into one on the list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from fastapi import FastAPI

from tests.commands import icf
from tests.web.chat_client import ApiChat

from .helpers import add_user, annual_to_lead, csrf_of, list_organisations, send_activity_check, signed_in

PRIVATE = "Call Jane Smith on 07700 900123 about her son"


async def _at_organisation_question(client: httpx.AsyncClient) -> tuple[ApiChat, list[str]]:
    chat = ApiChat(client)
    await chat.start()
    await chat.say("@activity")
    offered = [c["label"] for r in chat.last["replies"] for c in r.get("choices") or []]
    return chat, offered


async def test_the_chat_offers_only_the_boards_list(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, "Locala", "The Branch")
    for _ in range(3):  # planted drafts: typed names, never sent
        chat, _ = await _at_organisation_question(client)
        await chat.say(PRIVATE)
    await send_activity_check(client, "Batley Food Bank", "Sent, but not on the list yet.")
    _, offered = await _at_organisation_question(client)
    assert "Locala" in offered and "The Branch" in offered
    assert not [o for o in offered if "Jane" in o or "Batley" in o]


async def test_a_name_typed_in_one_conversation_never_appears_in_another(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await list_organisations(app, "Locala")
    secret = "Ravensknowle Secret Circle"
    await send_activity_check(client, secret, "A story.")
    draft, _ = await _at_organisation_question(client)
    await draft.say(secret + " drafts")
    seen: list[str] = []
    other = ApiChat(client)
    seen.append(json.dumps(await other.start()))
    for said in ["@activity", "Locala", "Park sessions", "@celebrating", "@done", "@4", "Story.", "@time"]:
        await other.say(said)
        seen.append(json.dumps(other.last))
    for said in ["@done", "/skip", "@ok", "summary", "@board"]:
        await other.say(said)
        seen.append(json.dumps(other.last))
    seen.append(json.dumps(await other.history()))
    seen.append((await client.get(f"/api/conversations/{other.id}/export", headers=other.headers)).text)
    assert other.last["status"] == "submitted"
    assert not [s for s in seen if "Ravensknowle" in s]


async def test_board_staff_accept_or_merge_a_new_name(client: httpx.AsyncClient, app: FastAPI) -> None:
    await list_organisations(app, "Locala")
    typo = await send_activity_check(client, "Locala Trust", "Typed a little differently.")
    new = await send_activity_check(client, "Batley Food Bank", "A new partner.")
    await add_user(app, "board@kirklees.example")
    board = await signed_in(app, "board@kirklees.example")
    queue = await board.get("/board?status=all")
    assert queue.text.count("new organisation: check") == 2
    only = await board.get("/board?status=all&check=true")
    assert only.text.count("/board/evaluations/") == 2
    page = await board.get("/board/organisations")
    assert "Locala Trust" in page.text and "Batley Food Bank" in page.text
    ids = {name: i for i, name in _check_rows(page.text)}
    listed = {name: i for i, name in _listed_rows(page.text)}
    merged = await board.post(
        "/board/organisations",
        data={
            "csrf": csrf_of(page.text),
            "action": "merge",
            "organisation": ids["Locala Trust"],
            "into": listed["Locala"],
        },
    )
    assert merged.headers["location"] == "/board/organisations?done=merge"
    accepted = await board.post(
        "/board/organisations",
        data={
            "csrf": csrf_of(page.text),
            "action": "accept",
            "organisation": ids["Batley Food Bank"],
            "name": "",
        },
    )
    assert accepted.headers["location"] == "/board/organisations?done=accept"
    assert "new organisation: check" not in (await board.get("/board?status=all")).text
    export = {
        r["evaluation_id"]: r["organisation"] for r in (await board.get("/board/export?format=json")).json()
    }
    assert export == {typo: "Locala", new: "Batley Food Bank"}
    _, offered = await _at_organisation_question(client)
    assert "Batley Food Bank" in offered and "Locala Trust" not in offered
    taken = await board.post(
        "/board/organisations", data={"csrf": csrf_of(page.text), "action": "add", "name": "locala"}
    )
    assert "error=" in taken.headers["location"]
    assert "name taken" in (await board.get(taken.headers["location"])).text
    await board.aclose()


def _check_rows(page: str) -> list[tuple[str, str]]:
    return [
        (i, n) for i, n in re.findall(r'name="organisation" value="(\d+)">\s*<p><bdi>([^<]+)</bdi>', page)
    ]


def _listed_rows(page: str) -> list[tuple[str, str]]:
    return [(i, n) for i, n in re.findall(r'<option value="(\d+)"><bdi>([^<]+)</bdi></option>', page)]


async def test_a_lead_gets_what_was_sent_under_a_typo_once_it_is_merged(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await list_organisations(app, "Locala")
    await add_user(app, "lead@locala.example", "org-lead", "Locala")
    await add_user(app, "board@kirklees.example")
    sent = await annual_to_lead(app, client, "Locala Trst", "Nursing", 3)
    lead = await signed_in(app, "lead@locala.example")
    assert "Nursing" not in (await lead.get("/board?status=all")).text  # not theirs until staff say so
    board = await signed_in(app, "board@kirklees.example")
    page = await board.get("/board/organisations")
    assert "Locala Trst" in page.text and "Nursing" not in page.text  # the name to route, never the answers
    assert (await board.get(f"/board/evaluations/{sent}")).status_code == 404
    ids = dict((n, i) for i, n in _check_rows(page.text))
    into = dict((n, i) for i, n in _listed_rows(page.text))
    data = {
        "csrf": csrf_of(page.text),
        "action": "merge",
        "organisation": ids["Locala Trst"],
        "into": into["Locala"],
    }
    await board.post("/board/organisations", data=data)
    assert "Nursing" in (await lead.get("/board?status=all")).text
    assert (await board.get(f"/board/evaluations/{sent}")).status_code == 404  # still the lead's only
    await lead.aclose()
    await board.aclose()


def test_the_command_line_keeps_the_list(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'icf.db'}", "ICF_DATA_DIR": str(tmp_path)}
    assert icf("board", "organisation", "add", "Locala", env=env).returncode == 0
    assert icf("board", "organisation", "add", "The Brnach", env=env).returncode == 0
    renamed = icf("board", "organisation", "rename", "The Brnach", "The Branch", env=env)
    assert renamed.returncode == 0, renamed.stderr
    twice = icf("board", "organisation", "add", "LOCALA", env=env)
    assert twice.returncode == 2 and "name taken" in twice.stderr
    assert icf("board", "organisation", "add", "Locala Community Trust", env=env).returncode == 0
    merged = icf("board", "organisation", "merge", "Locala Community Trust", "Locala", env=env)
    assert merged.returncode == 0 and "0 evaluations moved" in merged.stdout
    listed = icf("board", "organisation", "list", env=env)
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["Locala", "The Branch"]
    missing = icf("board", "organisation", "merge", "Nobody", "Locala", env=env)
    assert missing.returncode == 2 and "no organisation called" in missing.stderr
