"""Every answer the API gives, checked against its own OpenAPI schema: a full annual evaluation, an
activity check, a pause and resume, a delete and every error path. No status the route does not
document, no media type it does not name, no body the schema does not describe, no key it does not list.

Every request goes through the real ASGI app; a transport around it records each answer, and each is
validated by Schemathesis against a copy of ``/openapi.json`` in which objects allow no unlisted keys.
"""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI

from bot.settings import Settings
from bot.web import create_app
from dialogs import Content
from tests.conftest import Clock, FixedIds

from .chat_client import ApiChat, complete_activity_check


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """The app's own transport, keeping every answer (read in full) with the request it answers."""

    inner: httpx.AsyncBaseTransport
    seen: list[httpx.Response] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        response.request = request
        response.elapsed = timedelta(0)  # the client sets it on closing the stream, read here already
        self.seen.append(response)
        return response


def closed(schema: Any) -> Any:
    """The schema with ``additionalProperties: false`` on every object that lists its properties."""
    if isinstance(schema, dict):
        out = {key: closed(value) for key, value in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    return [closed(item) for item in schema] if isinstance(schema, list) else schema


@dataclass
class Contract:
    document: dict[str, Any]
    schema: Any
    paths: list[tuple[re.Pattern[str], str]]

    @classmethod
    def of(cls, document: dict[str, Any]) -> Contract:
        strict = closed(copy.deepcopy(document))
        templates = sorted(document["paths"], key=lambda p: p.count("{"))  # /plan-link before /{id}
        paths = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in templates]
        return cls(document, schemathesis.openapi.from_dict(strict), paths)

    def check(self, response: httpx.Response) -> tuple[str, str, int]:
        method, url = response.request.method, response.request.url.path
        path = next((p for pattern, p in self.paths if pattern.match(url)), None)
        assert path is not None, f"{method} {url}: not in the schema"
        operation = self.document["paths"][path].get(method.lower())
        assert operation is not None, f"{method} {path}: not in the schema"
        status = str(response.status_code)
        assert status in operation["responses"], f"{method} {path} answered {status}, undocumented"
        documented = operation["responses"][status].get("content", {})
        media = response.headers.get("content-type", "").split(";")[0]
        assert not documented or media in documented, f"{method} {path} {status}: {media} not {documented}"
        for name, header in operation["responses"][status].get("headers", {}).items():
            if header.get("required"):
                assert name.lower() in response.headers, f"{method} {path} {status}: no {name}"
        self.schema[path][method].validate_response(response)  # raises, saying where, if not
        return method, path, response.status_code


@pytest.fixture
async def recorded(app: FastAPI) -> AsyncIterator[tuple[httpx.AsyncClient, Recorder]]:
    recorder = Recorder(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=recorder, base_url="http://testserver") as http:
        yield http, recorder


async def annual_evaluation(chat: ApiChat, content: Content) -> None:
    await chat.start()
    for said in ["@annual", "@team", "Kirklees Youth Trust", "Blue Team", "/summary", "/help"]:
        await chat.say(said)
    for approach in content.approaches:
        for _ in approach.questions:
            await chat.say("@yes")
        for said in ["@4", "@high", "We did well.", "/skip", "@done", "A story.", "@done", "An action."]:
            await chat.say(said)
        await chat.say("/skip")
        await chat.say("/skip")
    for said in ["@no", "@ok", "@board", "/summary", "/language", "@en"]:
        await chat.say(said)


async def every_error(http: httpx.AsyncClient, chat: ApiChat) -> None:
    """Each error each kind of route can give, for a conversation that is alive."""
    url = f"/api/conversations/{chat.id}"
    json_type = {"content-type": "application/json"}
    stranger = {"Authorization": "Bearer not-this-conversations-token"}
    for method, tail in [
        ("POST", "/messages"),
        ("GET", "/messages"),
        ("GET", "/export"),
        ("GET", "/review"),
        ("GET", "/plan"),
        ("POST", "/plan-link"),
        ("POST", "/handoff"),
    ]:
        await http.request(method, url + tail, json={"text": "hi"} if method == "POST" else None)  # 401
        await http.request(method, url + tail, headers=stranger, json={"text": "hi"})  # 404
        await http.request(method, url + tail, headers=chat.headers, content=b"x" * 70_000)  # 413
    await http.get(f"{url}/plan?download=maybe", headers=chat.headers)  # 422
    await http.get(f"{url}/plan", headers=chat.headers)  # 409: not ready yet
    await http.post(f"{url}/plan-link", headers=chat.headers)  # 409
    await http.post(f"{url}/messages", content=b'{"text": "\xff"}', headers={**chat.headers, **json_type})
    await http.post(f"{url}/messages", content=b"{nope", headers={**chat.headers, **json_type})  # 422
    for body in [{}, {"text": "a", "choice": "b"}, {"text": "x" * 4001}, ["a"]]:
        await chat.post(body)  # 422
    lone = b'{"text": "\\ud800"}'  # a lone surrogate: JSON allows it, nothing can store it
    await http.post(f"{url}/messages", content=lone, headers={**chat.headers, **json_type})  # 422
    await chat.post({"choice": "team", "client_message_id": "c-1"})
    await chat.post({"choice": "organisation", "client_message_id": "c-1"})  # 409: reused
    await chat.post({"choice": "team", "client_message_id": "c-1"})  # the stored result
    for path, body in [
        ("/api/conversations", {"return_code": "NOPE-NOPE"}),
        ("/api/resume", {"code": "ZZZZ"}),
    ]:
        await http.post(path, json=body)  # 404
        await http.post(path, json={"surprise": 1})  # 422
        await http.post(path, content=b"\xff\xfe", headers=json_type)  # 400
        await http.post(path, content=b"x" * 70_000, headers=json_type)  # 413
    await http.get("/api/words/xx")  # 404
    await http.get("/plan/0123?expires=1&sig=bad")  # 404 page
    await http.get("/plan/0123?expires=soon&sig=bad")  # 422
    await http.get("/plan/0123/calendar.ics?expires=1&sig=bad")  # 404 page


async def test_every_answer_of_every_flow_is_what_the_schema_says(
    recorded: tuple[httpx.AsyncClient, Recorder], content: Content, app: FastAPI, clock: Clock
) -> None:
    http, recorder = recorded
    annual = ApiChat(http)
    await annual_evaluation(annual, content)
    await http.get(f"/api/conversations/{annual.id}/messages", headers=annual.headers)
    await http.get(f"/api/conversations/{annual.id}/export", headers=annual.headers)
    await http.get(f"/api/conversations/{annual.id}/review", headers=annual.headers)
    await http.get(f"/api/conversations/{annual.id}/plan?download=true", headers=annual.headers)
    link = (await http.post(f"/api/conversations/{annual.id}/plan-link", headers=annual.headers)).json()
    await http.get(link["url"])
    await http.get(link["url"].replace(f"/plan/{annual.id}?", f"/plan/{annual.id}/calendar.ics?"))
    await http.get("/api/words/ur")

    activity = ApiChat(http)
    await complete_activity_check(activity)
    return_code = next(r["return_code"] for r in activity.last["replies"] if r["return_code"])
    await activity.say("@keep")
    again = await http.post("/api/conversations", json={"return_code": return_code})
    assert again.status_code == 201  # next year, from the activity check's answers

    paused = ApiChat(http)
    await paused.start()
    await paused.say("@activity")
    await paused.say("/pause")
    code = paused.last["replies"][-1]["resume_code"]
    resumed = await http.post("/api/resume", json={"code": code, "request_id": "r" * 16})
    await http.post("/api/resume", json={"code": code, "request_id": "r" * 16})  # its answer lost: again
    await http.post("/api/resume", json={"code": code})  # used up: 404
    paused.token = resumed.json()["token"]
    await http.post(f"/api/conversations/{paused.id}/handoff", headers=paused.headers)

    erring = ApiChat(http)
    await erring.start()
    await erring.say("@annual")
    await every_error(http, erring)

    deleted = ApiChat(http)
    await complete_activity_check(deleted)
    await deleted.say("/delete")
    await deleted.say("@yes")
    for method, tail in [("POST", "/messages"), ("GET", "/messages"), ("GET", "/export"), ("GET", "/review")]:
        await http.request(
            method, f"/api/conversations/{deleted.id}{tail}", headers=deleted.headers, json=None
        )
    for method, tail in [("GET", "/plan"), ("POST", "/plan-link"), ("POST", "/handoff")]:
        await http.request(method, f"/api/conversations/{deleted.id}{tail}", headers=deleted.headers)
    await http.post(f"/api/conversations/{deleted.id}/messages", headers=deleted.headers, json={"text": "hi"})

    contract = Contract.of((await http.get("/openapi.json")).json())
    checked = [
        contract.check(response) for response in recorder.seen if response.request.url.path != "/openapi.json"
    ]
    statuses = {status for _, _, status in checked}
    assert statuses == {200, 201, 400, 401, 404, 409, 410, 413, 422}, statuses
    assert len(checked) > 150, len(checked)
    assert not [c for c in checked if c[2] >= 500]


async def test_too_many_calls_is_documented_too(settings: Settings, clock: Clock) -> None:
    app = create_app(replace(settings, rate_per_client=3), clock=clock, ids=FixedIds())
    async with app.router.lifespan_context(app):
        recorder = Recorder(httpx.ASGITransport(app=app))
        async with httpx.AsyncClient(transport=recorder, base_url="http://testserver") as http:
            chat = ApiChat(http)
            started = await http.post("/api/conversations", json={})
            chat.id, chat.token = started.json()["conversation_id"], started.json()["token"]
            for _ in range(4):
                await chat.post({"choice": "en"})
            await http.post("/api/resume", json={"code": "ABCD-EFGH-JK001"})
            await http.get(f"/api/conversations/{chat.id}/export", headers=chat.headers)
            contract = Contract.of(app.openapi())
            checked = [contract.check(response) for response in recorder.seen]
    assert [status for _, _, status in checked].count(429) >= 3, checked


async def test_the_check_itself_refuses_what_the_schema_does_not_say(client: httpx.AsyncClient) -> None:
    contract = Contract.of((await client.get("/openapi.json")).json())
    started = await client.post("/api/conversations", json={})
    answer = started.json()
    request = httpx.Request("POST", "http://testserver/api/conversations")

    def made(status: int, body: dict[str, Any]) -> httpx.Response:
        response = httpx.Response(status, json=body, request=request)
        response.elapsed = timedelta(0)
        return response

    contract.check(made(201, answer))
    for status, body in [
        (201, {**answer, "surprise": 1}),
        (201, {**answer, "status": "lost"}),
        (500, answer),
    ]:
        with pytest.raises(Exception, match="surprise|lost|undocumented"):
            contract.check(made(status, body))
