"""A deleted conversation tells one story on every route: 410 Gone, the same JSON, nothing made again."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from storage import Evaluation, Submission, TranscriptEntry

from .chat_client import ApiChat, complete_activity_check

GONE = {
    "error": "gone",
    "message": "This conversation was deleted, with everything in it. Start a new one.",
}
# A body each route accepts, so only the deletion can be why it is refused.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/conversations/{conversation_id}/messages"): {"text": "hello again, my name is Sam"},
}


def conversation_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every documented method and path that names one conversation: a new route is checked too."""
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/conversations/{conversation_id}")
        for method in operations
    )


async def stored(app: FastAPI, chat_id: str) -> tuple[Any, ...]:
    async with app.state.service.sessions() as session:
        evaluation = await session.get(Evaluation, chat_id)
        assert evaluation is not None
        counts = [
            await session.scalar(select(func.count()).select_from(model).filter_by(evaluation_id=chat_id))
            for model in (TranscriptEntry, Submission)
        ]
        rows = await session.scalar(select(func.count()).select_from(Evaluation))
        return (evaluation.status, evaluation.answers, evaluation.version, evaluation.step, rows, *counts)


async def test_after_delete_every_conversation_route_answers_410_with_one_body(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    chat = ApiChat(client)
    await complete_activity_check(chat)
    await chat.say("@board")
    link = (await client.post(f"/api/conversations/{chat.id}/plan-link", headers=chat.headers)).json()
    await chat.say("/delete")
    await chat.say("@yes")
    assert chat.last["status"] == "deleted" and chat.last["step"] == "deleted"  # the delete itself: 200

    before = await stored(app, chat.id)
    assert before[:2] == ("deleted", {}) and before[-2:] == (0, 0)  # transcript and queue entry erased
    routes = conversation_routes(app)
    assert len(routes) >= 7, routes  # messages (in and out), export, plan, plan-link, hand-off, review
    for method, path in routes:
        url = path.replace("{conversation_id}", chat.id)
        body = BODIES.get((method, path))
        response = await client.request(method, url, headers=chat.headers, json=body)
        assert response.status_code == 410, (method, path, response.text)
        assert response.json() == GONE, (method, path)
        assert response.headers["content-type"] == "application/json"
    assert await stored(app, chat.id) == before, "nothing was stored, changed or made again"

    again = await client.post(f"/api/conversations/{chat.id}/messages", json={"choice": "/back"})
    assert again.status_code == 401  # no token: still told to sign in, not what happened to it
    stranger = await client.get(
        f"/api/conversations/{chat.id}/messages", headers={"Authorization": "Bearer not-the-token"}
    )
    assert stranger.status_code == 404, "a wrong token learns nothing, not even that it was deleted"
    page = await client.get(link["url"])
    assert page.status_code == 410 and "This link to a plan has ended" in page.text
