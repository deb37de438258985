"""The chat API through the real ASGI app and a real database."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from dialogs import load_default_content
from storage import Evaluation, Submission, TranscriptEntry
from tests.conftest import Clock

from .chat_client import ApiChat, complete_activity_check


async def count(app: FastAPI, model: type, **where: object) -> int:
    sessions = app.state.service.sessions
    async with sessions() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(await session.scalar(query) or 0)


async def test_full_annual_evaluation_ends_with_the_plan_and_a_queued_submission(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    chat = ApiChat(client)
    first = await chat.start()
    assert "Which language would you like to use?" in first["replies"][0]["text"]
    assert [c["label"] for c in first["replies"][0]["choices"][:7]] == [
        "English",
        "العربية",
        "ગુજરાતી",
        "ਪੰਜਾਬੀ (ਗੁਰਮੁਖੀ)",  # which script, for Punjabi readers of either
        "polski",
        "română",
        "اردو (شاہ مکھی پڑھنے والے پنجابی بھی)",  # and Punjabi speakers who read Urdu script
    ]  # each language in its own name and script
    assert "What would you like to do?" in chat.last["replies"][0]["text"]
    for said in ["@annual", "@team", "Kirklees Youth Trust", "Blue Team"]:
        await chat.say(said)
    content = load_default_content()
    for approach, questions in [(a.id, len(a.questions)) for a in content.approaches[:4]]:
        for _ in range(questions):
            await chat.say("@yes")
        for said in ["@5", "@high", "/skip", "@done", f"Our {approach} story.", "@done", f"Keep {approach}."]:
            await chat.say(said)
        for said in ["/skip", "/skip"]:  # no owner, no date
            await chat.say(said)
    for _ in content.approach("celebrating").questions:
        await chat.say("@not_yet")
    for said in ["@1", "@low", "/skip", "@done", "/skip", "@training", "@funding", "@done"]:
        await chat.say(said)
    for said in ["Start a volunteer thank-you.", "/skip", "/skip", "@no"]:
        shown = await chat.say(said)
    assert "Here is what you told me." in shown
    shown = await chat.say("@ok")
    assert "Here is your support plan." in shown
    assert chat.last["replies"][0]["document"] == {"kind": "plan", "title": "Your support plan"}
    assert chat.last["status"] == "completed"

    shown = await chat.say("@board")
    assert "Your reference is ICF-2026-00000001." in shown
    assert chat.last["status"] == "submitted"

    plan = await client.get(f"/api/conversations/{chat.id}/plan", headers=chat.headers)
    assert plan.status_code == 200 and plan.headers["content-type"].startswith("text/html")
    assert "Kirklees Youth Trust / Blue Team" in plan.text
    assert "Overall score: 4.2 out of 5." in plan.text
    assert "Made on 23 November 2026" in plan.text
    assert "Celebrating: Training or a workshop and Money or resources" in plan.text  # the help asked for
    assert "Do you have a volunteer/ recognition scheme?" in plan.text  # the framework's own wording
    download = await client.get(f"/api/conversations/{chat.id}/plan?download=true", headers=chat.headers)
    assert "attachment" in download.headers["content-disposition"]

    assert (
        await count(app, Submission, evaluation_id=chat.id, reference="ICF-2026-00000001", pulled_at=None)
        == 1
    )
    assert await count(app, Evaluation, id=chat.id, status="submitted") == 1
    history = await chat.history()
    assert {entry["channel"] for entry in history} == {"web"}
    ins = [(e["text"], e["choice"]) for e in history if e["direction"] == "in"][:4]
    assert ins == [
        ("English", "en"),
        ("A yearly check for our group or team", "annual"),
        ("A team", "team"),
        ("Kirklees Youth Trust", None),
    ]
    assert history[-1]["reply"]["step"] == "finished"  # replies come back with their choices


async def test_a_wrong_or_missing_token_reaches_nothing(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    other = ApiChat(client)
    await other.start()
    url = f"/api/conversations/{chat.id}/messages"
    wrong = await client.post(url, json={"choice": "annual"}, headers=other.headers)
    assert wrong.status_code == 404 and wrong.json()["error"] == "not_found"
    assert (await client.get(url, headers=other.headers)).status_code == 404
    assert (await client.get(url)).status_code == 401
    unknown = await client.get("/api/conversations/0123456789abcdef/messages", headers=chat.headers)
    assert unknown.status_code == 404
    assert [e["direction"] for e in await chat.history()] == ["out", "in", "out"]  # nothing more was applied


async def test_bad_bodies_get_a_json_4xx_and_change_nothing(client: httpx.AsyncClient, app: FastAPI) -> None:
    chat = ApiChat(client)
    await chat.start()
    await chat.say("@activity")
    before = await chat.history()
    url = f"/api/conversations/{chat.id}/messages"
    bad = [
        await client.post(
            url, content=b"{not json", headers={**chat.headers, "content-type": "application/json"}
        ),
        await chat.post({"text": "x" * 4001}),
        await chat.post({"text": "a", "choice": "b"}),
        await chat.post({}),
        await chat.post({"text": "a", "surprise": True}),
        await chat.post({"choice": "x" * 65}),
        await chat.post(["a list"]),
        await client.post(url, content=b"x" * 70_000, headers=chat.headers),
    ]
    for response in bad:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json()["error"] in {"invalid_request", "too_large"}
    assert bad[-1].status_code == 413
    assert await chat.history() == before
    assert await count(app, Evaluation, id=chat.id, step="organisation") == 1


async def test_a_repeated_client_message_id_is_applied_once(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    first = await chat.say("@annual", client_message_id="m-1")
    again = await chat.say("@annual", client_message_id="m-1")
    assert again == first and chat.last["repeated"] is True
    assert [e["choice"] for e in await chat.history() if e["direction"] == "in"] == ["en", "annual"]


async def test_pause_and_resume_on_another_device(client: httpx.AsyncClient, clock: Clock) -> None:
    phone = ApiChat(client)
    await phone.start()
    for said in ["@annual", "@organisation", "Healthwatch Kirklees", "@yes"]:
        await phone.say(said)
    shown = await phone.say("/pause")
    assert "Your code is ABCD-EFGH-JK001." in shown

    laptop = await client.post("/api/resume", json={"code": "abcd efgh jk001"})  # typed loosely
    assert laptop.status_code == 200
    body = laptop.json()
    assert body["conversation_id"] == phone.id and body["token"] != phone.token
    assert "Question 2 of 4" in body["replies"][0]["text"]
    assert (await client.post("/api/resume", json={"code": "ABCD-EFGH-JK001"})).status_code == 404  # used up
    assert (await phone.post({"choice": "yes"})).status_code == 404  # the old device is signed out

    continued = ApiChat(client)
    continued.id, continued.token = body["conversation_id"], body["token"]
    assert "Question 3 of 4" in await continued.say("@partly")
    await continued.say("/pause")
    clock.advance(days=31)
    expired = await client.post("/api/resume", json={"code": "ABCD-EFGH-JK002"})
    assert expired.status_code == 404 and expired.json()["error"] == "resume_code_invalid"
    assert (await client.post("/api/resume", json={"code": "ZZZZ-ZZZZ-ZZZZZ"})).status_code == 404


async def test_the_plan_waits_for_the_review_and_escapes_stories(client: httpx.AsyncClient) -> None:
    chat = ApiChat(client)
    await chat.start()
    early = await client.get(f"/api/conversations/{chat.id}/plan", headers=chat.headers)
    assert early.status_code == 409 and early.json()["error"] == "plan_not_ready"
    chat2 = ApiChat(client)
    await complete_activity_check(chat2, story="<script>alert('x')</script> & friends")
    plan = await client.get(f"/api/conversations/{chat2.id}/plan", headers=chat2.headers)
    assert "<script>alert" not in plan.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends" in plan.text


async def test_delete_erases_the_transcript_and_the_queue_entry(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    chat = ApiChat(client)
    await complete_activity_check(chat)
    await chat.say("@board")
    assert await count(app, Submission, evaluation_id=chat.id) == 1
    assert "has been deleted" in await chat.say("/delete") + await chat.say("@yes")
    later = await chat.post({"text": "hello again, my name is Sam"})
    assert later.status_code == 410 and later.json()["error"] == "gone"  # nothing sent after it is kept
    assert await count(app, Submission, evaluation_id=chat.id) == 0
    assert await count(app, TranscriptEntry, evaluation_id=chat.id) == 0
    async with app.state.service.sessions() as session:
        stored = await session.get(Evaluation, chat.id)
        assert stored is not None and stored.answers == {} and stored.status == "deleted"


async def test_schema_health_and_chat_page(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert {"/api/conversations", "/api/conversations/{conversation_id}/messages", "/api/resume"} <= set(
        schema["paths"]
    )
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    # no /docs page whose CDN scripts the Content-Security-Policy would block: nothing half-broken
    assert (await client.get("/docs")).status_code == 404
    page = await client.get("/")
    assert page.status_code == 200 and "Inclusive Communities self-check" in page.text
