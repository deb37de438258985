"""A small fake Telegram Bot API server on 127.0.0.1 that records every call the bot makes.

python-telegram-bot talks to it over real HTTP, exactly as it would to Telegram: form-encoded
bodies (nested fields as JSON strings) and multipart for documents.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "ICF", "username": "icf_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # served by getUpdates
    fail_next: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # method -> 429s to give
    keyboards: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (message id, markup)
    hold: dict[int, asyncio.Event] = field(default_factory=dict)  # chat id -> calls wait until it is set
    _message_ids: int = 1000
    url: str = ""

    # -- what tests read ------------------------------------------------------------------------

    def called(self, method: str) -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [
            p["text"] for p in self.called("sendMessage") if chat_id is None or int(p["chat_id"]) == chat_id
        ]

    def calls_to_users(self) -> list[Call]:
        """Calls that would reach a person (everything but the bot's own set-up)."""
        return [
            c for c in self.calls if c.method not in {"getMe", "setMyCommands", "setWebhook", "deleteWebhook"}
        ]

    def last_keyboard(self) -> list[list[dict[str, Any]]]:
        """The newest keyboard on screen, after any edits made to it in place."""
        return list(self.keyboards[-1][1]["inline_keyboard"]) if self.keyboards else []

    def button(self, label_part: str) -> tuple[int, dict[str, Any]]:
        """The message holding the newest keyboard, and its button whose label contains ``label_part``."""
        message_id = self.keyboards[-1][0]
        for row in self.last_keyboard():
            for button in row:
                if label_part in button["text"]:
                    return message_id, button
        raise AssertionError(f"no button with {label_part!r} in {self.last_keyboard()}")

    # -- the server -----------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
            return dict(json.loads(body)) if body else {}
        params: dict[str, Any] = {}
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    params[key] = {"filename": value.filename, "content": await value.read()}
                elif key in {"reply_markup", "commands", "allowed_updates"}:
                    params[key] = json.loads(value)
                else:
                    params[key] = value
        return params

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self._message_ids += 1
        chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "Sam"}
        return {
            "message_id": self._message_ids,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            **extra,
        }

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await self._params(request)
        held = self.hold.get(int(params.get("chat_id") or 0))
        if held is not None:
            await held.wait()  # Telegram being slow for this chat
        if self.fail_next[method] > 0:
            self.fail_next[method] -= 1
            self.calls.append(Call(f"{method}#429", params))
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status_code=429,
            )
        self.calls.append(Call(method, params))
        result = self._result(method, params)
        if method == "getUpdates" and not result:
            await asyncio.sleep(0.05)  # a short long-poll, so a polling bot does not spin
        return JSONResponse({"ok": True, "result": result})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            sent = self._message(params, text=params.get("text", ""))
            if params.get("reply_markup"):
                self.keyboards.append((sent["message_id"], params["reply_markup"]))
            return sent
        if method == "sendDocument":
            document = {"file_id": "doc-1", "file_unique_id": "u-doc-1", "file_name": "support-plan.html"}
            return self._message(params, document=document)
        if method == "editMessageReplyMarkup":
            message_id = int(params["message_id"])
            self.keyboards = [(m, k) for m, k in self.keyboards if m != message_id]
            if params.get("reply_markup"):
                self.keyboards.append((message_id, params["reply_markup"]))
            chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "Sam"}
            return {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": "…"}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            waiting = [u for u in self.updates if u["update_id"] >= offset]
            return waiting
        return True  # answerCallbackQuery, setMyCommands, setWebhook, deleteWebhook, ...

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningFake:
    """Serves a FakeBotApi with uvicorn inside the test's own event loop."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        port = free_port()
        fake.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FakeBotApi:
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(500):  # uvicorn offers no event to wait on; five seconds at most
            if self.server.started:
                return self.fake
            await asyncio.sleep(0.01)
        raise RuntimeError("the fake Bot API server did not start")

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task
