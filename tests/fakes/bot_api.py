"""A small fake Telegram Bot API server on 127.0.0.1 that records every call the bot makes, and fails
the way the real one does when a test asks it to.

python-telegram-bot talks to it over real HTTP, exactly as it would to Telegram: form-encoded
bodies (nested fields as JSON strings) and multipart for documents. Failures, per method
(``fail("sendMessage", "500")``) or at random (``fail_at_random``):

- ``"500"``: Telegram's "Internal Server Error"; nothing done;
- ``"429"``: "Too Many Requests" with ``retry_after``; nothing done;
- ``"timeout"``: no answer at all until the caller gives up; nothing done (the request was lost);
- ``"slow"``: the answer comes after ``seconds``, and the call is done (as Telegram would, even for
  a caller that gave up meanwhile);
- ``"too_old"``: 400 "query is too old" (what Telegram says to a late answerCallbackQuery).

As Telegram does, it refuses a second answer to the same callback query, an edit of a message it
never sent, and an edit that changes nothing; and a call that ``hold`` keeps waiting is dropped,
not done, if the caller goes away (a killed process).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "ICF", "username": "icf_test_bot"}
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly"
    " the same as a current content and reply markup of the message"
)
FAILURES = ("500", "429", "timeout", "slow", "too_old")
USER_METHODS = ("sendMessage", "sendDocument", "editMessageReplyMarkup", "answerCallbackQuery")


@dataclass
class Call:
    method: str  # "sendMessage", or "sendMessage#500" for a call that failed (nothing was done)
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Failure:
    kind: str
    seconds: float = 1.0  # "slow": the delay; "429": the retry_after
    chat_id: int | None = None  # only calls concerning this chat fail


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # served by getUpdates
    keyboards: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (message id, markup) live
    hold: dict[int, asyncio.Event] = field(default_factory=dict)  # chat id -> calls wait until it is set
    let_through: dict[int, int] = field(default_factory=dict)  # chat id -> calls answered before holding
    held: list[Call] = field(default_factory=list)  # calls waiting on a hold now
    failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    random_failures: float = 0.0  # the share of calls to people's chats that fail (fail_at_random)
    random_kinds: tuple[str, ...] = ("500", "500", "500", "429", "timeout")
    rng: random.Random = field(default_factory=lambda: random.Random(1))
    confirmed: int = 0  # getUpdates: updates below this id were confirmed (offset) and are forgotten
    queries: dict[str, int] = field(default_factory=dict)  # callback query id -> its chat (set by tests)
    slowed: list[Call] = field(default_factory=list)  # calls answered late ("slow"), done all the same
    # Awaited on every getUpdates with its offset, before answering: a test checks what was confirmed.
    on_get_updates: Callable[[int], Awaitable[None]] | None = None
    _message_ids: int = 1000
    _sent: set[tuple[int, int]] = field(default_factory=set)  # (chat id, message id) the bot sent
    _markups: dict[tuple[int, int], Any] = field(default_factory=dict)
    _answered: set[str] = field(default_factory=set)  # callback query ids answered
    _chats: dict[int, int] = field(default_factory=dict)  # message id -> its chat
    url: str = ""

    # -- what tests set -------------------------------------------------------------------------

    def fail(
        self, method: str, kind: str, times: int = 1, seconds: float = 1.0, chat_id: int | None = None
    ) -> None:
        """The next ``times`` calls of ``method`` (about ``chat_id``, if given) fail as ``kind``."""
        assert kind in FAILURES, kind
        self.failures[method].extend(Failure(kind, seconds, chat_id) for _ in range(times))

    def chat_of(self, params: dict[str, Any]) -> int:
        if "chat_id" in params:
            return int(params["chat_id"])
        return self.queries.get(str(params.get("callback_query_id")), 0)

    def fail_at_random(self, share: float, seed: int = 1, kinds: tuple[str, ...] | None = None) -> None:
        """That share of the calls to people's chats fails: mostly 500s, some 429s and timeouts."""
        self.random_failures = share
        self.rng = random.Random(seed)
        self.random_kinds = kinds or self.random_kinds

    # -- what tests read ------------------------------------------------------------------------

    def called(self, method: str) -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]

    def failed_calls(self) -> list[Call]:
        return [call for call in self.calls if "#" in call.method]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [
            p["text"] for p in self.called("sendMessage") if chat_id is None or int(p["chat_id"]) == chat_id
        ]

    def calls_to_users(self) -> list[Call]:
        """Calls that would reach a person (everything but the bot's own set-up)."""
        return [
            c
            for c in self.calls
            if c.method not in {"getMe", "setMyCommands", "setWebhook", "deleteWebhook", "getUpdates"}
        ]

    def last_keyboard(self) -> list[list[dict[str, Any]]]:
        """The newest keyboard on screen, after any edits made to it in place."""
        return list(self.keyboards[-1][1]["inline_keyboard"]) if self.keyboards else []

    def button(self, label_part: str, chat_id: int | None = None) -> tuple[int, dict[str, Any]]:
        """The message holding the newest keyboard (in ``chat_id``, if given), and its button whose label
        contains ``label_part``."""
        live = [(m, k) for m, k in self.keyboards if chat_id is None or self._chats.get(m) == chat_id]
        assert live, f"no keyboard on screen in chat {chat_id}"
        message_id, markup = live[-1]
        for row in markup["inline_keyboard"]:
            for button in row:
                if label_part in button["text"]:
                    return message_id, button
        raise AssertionError(f"no button with {label_part!r} in {markup}")

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
        chat_id = int(params["chat_id"])
        self._sent.add((chat_id, self._message_ids))
        self._chats[self._message_ids] = chat_id
        chat = {"id": chat_id, "type": "private", "first_name": "Sam"}
        return {
            "message_id": self._message_ids,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            **extra,
        }

    def _failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        queued = self.failures.get(method)
        if queued and queued[0].chat_id in {None, self.chat_of(params)}:
            return queued.popleft()
        if self.random_failures and method in USER_METHODS and self.rng.random() < self.random_failures:
            return Failure(self.rng.choice(self.random_kinds), 1.0)
        return None

    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params.get("method", "getUpdates")
        params = await self._params(request)
        chat_id = int(params.get("chat_id") or 0)
        held = self.hold.get(chat_id)
        if held is not None and self.let_through.get(chat_id, 0) > 0:
            self.let_through[chat_id] -= 1
            held = None
        if held is not None:
            waiting = Call(method, params)
            self.held.append(waiting)
            try:
                if not await self._wait_or_gone(held, request):
                    self.calls.append(Call(f"{method}#abandoned", params))  # the caller went away: not done
                    return Response(status_code=499)
            finally:
                self.held.remove(waiting)
        failure = self._failure(method, params)
        if failure is not None and failure.kind != "slow":
            return await self._fail(method, params, failure, request)
        if failure is not None:
            self.slowed.append(Call(method, params))
            await asyncio.sleep(failure.seconds)
        return self._answer(method, params)

    async def _wait_or_gone(self, event: asyncio.Event, request: Request) -> bool:
        while not event.is_set():
            if await request.is_disconnected():
                return False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.05):
                    await event.wait()
        return True

    async def _fail(
        self, method: str, params: dict[str, Any], failure: Failure, request: Request
    ) -> Response:
        self.calls.append(Call(f"{method}#{failure.kind}", params))
        if failure.kind == "timeout":
            for _ in range(1200):  # a minute at most, so a test that forgot it still ends
                if await request.is_disconnected():
                    break
                await asyncio.sleep(0.05)
            return Response(status_code=499)
        if failure.kind == "429":
            description = f"Too Many Requests: retry after {failure.seconds:g}"
            return _error(429, description, {"retry_after": int(failure.seconds)})
        if failure.kind == "too_old":
            return _error(400, TOO_OLD)
        return _error(500, "Internal Server Error")

    def _answer(self, method: str, params: dict[str, Any]) -> Response:
        refused = self._refusal(method, params)
        if refused is not None:
            self.calls.append(Call(f"{method}#refused", params))
            return _error(400, refused)
        self.calls.append(Call(method, params))
        return JSONResponse({"ok": True, "result": self._result(method, params)})

    def _refusal(self, method: str, params: dict[str, Any]) -> str | None:
        """What Telegram itself refuses: a second answer to a button press, a pointless or lost edit."""
        if method == "answerCallbackQuery":
            query = str(params.get("callback_query_id"))
            if query in self._answered:
                return TOO_OLD
            self._answered.add(query)
        if method == "editMessageReplyMarkup":
            key = (int(params["chat_id"]), int(params["message_id"]))
            if key not in self._sent:
                return "Bad Request: message to edit not found"
            if self._markups.get(key) == params.get("reply_markup"):
                return NOT_MODIFIED
        return None

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            sent = self._message(params, text=params.get("text", ""))
            self._markups[(sent["chat"]["id"], sent["message_id"])] = params.get("reply_markup")
            if params.get("reply_markup") and "inline_keyboard" in params["reply_markup"]:
                if any(
                    "callback_data" in b for row in params["reply_markup"]["inline_keyboard"] for b in row
                ):
                    self.keyboards.append((sent["message_id"], params["reply_markup"]))
            return sent
        if method == "sendDocument":
            document = {"file_id": "doc-1", "file_unique_id": "u-doc-1", "file_name": "support-plan.html"}
            return self._message(params, document=document)
        if method == "editMessageReplyMarkup":
            chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
            self._markups[(chat_id, message_id)] = params.get("reply_markup")
            self.keyboards = [(m, k) for m, k in self.keyboards if m != message_id]
            if params.get("reply_markup"):
                self.keyboards.append((message_id, params["reply_markup"]))
            chat = {"id": chat_id, "type": "private", "first_name": "Sam"}
            return {"message_id": message_id, "date": int(time.time()), "chat": chat, "text": "…"}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            self.confirmed = max(self.confirmed, offset)
            return [u for u in self.updates if u["update_id"] >= self.confirmed]
        return True  # answerCallbackQuery, setMyCommands, setWebhook, deleteWebhook, ...

    async def _updates(self, request: Request) -> Response:
        hook = self.on_get_updates  # read once: a test may clear it while this call waits
        if hook is not None:
            offset = (await self._params(request)).get("offset")
            await hook(int(offset or 0))
        response = await self._endpoint(request)
        if isinstance(response, JSONResponse) and json.loads(bytes(response.body)).get("result") == []:
            await asyncio.sleep(0.05)  # a short long-poll, so a polling bot does not spin
        return response

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/getUpdates", self._updates, methods=["GET", "POST"]),
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            ]
        )


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningFake:
    """Serves a FakeBotApi with uvicorn inside the test's own event loop."""

    def __init__(self, fake: FakeBotApi, port: int | None = None) -> None:
        self.fake = fake
        port = port or free_port()
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
        for event in self.fake.hold.values():
            event.set()
        if self.task is not None:
            await self.task
