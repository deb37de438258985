"""A small fake of Meta's Graph API (the WhatsApp Cloud API) on 127.0.0.1 that records every call the
channel makes, answers as the real one does, and fails when a test asks it to; and builders for
real-shaped inbound webhook payloads, signed as Meta signs them.

The channel talks to it over real HTTP: ``POST /{version}/{phone number id}/messages`` (JSON) and
``POST /{version}/{phone number id}/media`` (multipart). Each call is recorded under its method:

- ``"text"``, ``"interactive"``, ``"document"``, ``"template"``: a message sent (the ``type`` field);
- ``"read"``: a message marked as read (``"status": "read"``);
- ``"media"``: a file uploaded.

Failures, per method (``fail("interactive", "500")``), for one recipient if asked:

- ``"500"``: Graph's "Something went wrong" (code 131000); nothing done;
- ``"429"``: "Rate limit hit" (code 130429) with a ``Retry-After`` of ``seconds``; nothing done;
- ``"timeout"``: no answer until the caller gives up; nothing done (the request was lost);
- ``"slow"``: the answer comes after ``seconds``, and the call is done;
- ``"window"``: 400 with code 131047, the 24-hour window closed: refused for good.

A call that ``hold`` keeps waiting (per recipient, after ``let_through`` calls) is dropped, not
done, if the caller goes away (a killed process), as a request that never reached Meta would be.

As the real API does, it refuses a call without the right bearer token (401, code 190) and a
message body longer than its limits (400, code 131009), so a channel that ignores them is caught.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import socket
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

VERSION = "v21.0"
PHONE_NUMBER_ID = "109876543210987"
DISPLAY_NUMBER = "15550101234"
BUSINESS_ACCOUNT_ID = "102290129340398"
TOKEN = "EAAG-test-access-token-for-the-fake-graph-api"  # noqa: S105 - a test value
APP_SECRET = "fake-app-secret-0123456789abcdef"  # noqa: S105 - a test value
VERIFY_TOKEN = "verify-token-0123456789"  # noqa: S105 - a test value
WA_ID = "447700900123"  # a UK number from Ofcom's range for drama: never a real person's
FAILURES = ("500", "429", "timeout", "slow", "window")
METHODS = ("text", "interactive", "document", "template", "read", "media")
BODY_LIMIT = 1024  # an interactive message's body
TEXT_LIMIT = 4096
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72

_wamids = itertools.count(1)


def wamid() -> str:
    """A message id shaped like WhatsApp's (base64 of the number and a random part)."""
    return f"wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUM0VCMD{next(_wamids):014d}AA=="


@dataclass
class Call:
    method: str  # "interactive", or "interactive#500" for a call that failed (nothing was done)
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    id: str | None = None  # the wamid or media id the fake answered with

    @property
    def to(self) -> str:
        return str(self.params.get("to") or "")


@dataclass(frozen=True)
class Failure:
    kind: str
    seconds: float = 1.0  # "slow": the delay; "429": the Retry-After
    to: str | None = None  # only calls to this number fail


@dataclass
class FakeGraphApi:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    slowed: list[Call] = field(default_factory=list)  # answered late ("slow"), done all the same
    media: dict[str, bytes] = field(default_factory=dict)  # media id -> the uploaded file
    hold: dict[str, asyncio.Event] = field(default_factory=dict)  # number -> its calls wait until it is set
    let_through: dict[str, int] = field(default_factory=dict)  # number -> calls answered before holding
    held: list[Call] = field(default_factory=list)  # calls waiting on a hold now
    url: str = ""  # the API's root, with its version: what WHATSAPP_API_URL is set to
    _media_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9_100_000))

    # -- what tests set -------------------------------------------------------------------------

    def fail(
        self, method: str, kind: str, times: int = 1, seconds: float = 1.0, to: str | None = None
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``to``, if given) fail as ``kind``."""
        assert kind in FAILURES, kind
        assert method in METHODS, method
        self.failures[method].extend(Failure(kind, seconds, to) for _ in range(times))

    # -- what tests read ------------------------------------------------------------------------

    def called(self, method: str, to: str | None = None) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method and (to is None or c.to == to)]

    def failed_calls(self) -> list[Call]:
        return [call for call in self.calls if "#" in call.method]

    def shown(self, to: str | None = None) -> list[dict[str, Any]]:
        """Every message that reached a person, in order (texts, interactive, documents, templates)."""
        kinds = {"text", "interactive", "document", "template"}
        return [c.params for c in self.calls if c.method in kinds and (to is None or c.to == to)]

    def texts(self, to: str | None = None) -> list[str]:
        """The words of every message a person got: a text's body, an interactive message's body."""
        return [said for params in self.shown(to) if (said := body_of(params))]

    def last_interactive(self, to: str | None = None) -> dict[str, Any]:
        sent = self.called("interactive", to)
        assert sent, f"no buttons or list sent to {to}"
        return dict(sent[-1]["interactive"])

    def option(self, label_part: str, to: str | None = None) -> tuple[str, str, str]:
        """The newest buttons or list (to ``to``): (its kind, the id, the title) of the option whose
        title or description contains ``label_part``."""
        interactive = self.last_interactive(to)
        if interactive["type"] == "button":
            for button in interactive["action"]["buttons"]:
                if label_part in button["reply"]["title"]:
                    return "button_reply", button["reply"]["id"], button["reply"]["title"]
        else:
            for section in interactive["action"]["sections"]:
                for row in section["rows"]:
                    if label_part in row["title"] or label_part in row.get("description", ""):
                        return "list_reply", row["id"], row["title"]
        raise AssertionError(f"no option with {label_part!r} in {interactive}")

    # -- the server -----------------------------------------------------------------------------

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.body()
            return dict(json.loads(body)) if body else {}
        params: dict[str, Any] = {}
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    content = await value.read()
                    params[key] = {"filename": value.filename, "type": value.content_type, "content": content}
                else:
                    params[key] = value
        return params

    def _method(self, endpoint: str, params: dict[str, Any]) -> str:
        if endpoint == "media":
            return "media"
        if params.get("status") == "read":
            return "read"
        return str(params.get("type") or "text")

    async def _endpoint(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _error(401, "Error validating access token", code=190, kind="OAuthException")
        if request.path_params["phone"] != PHONE_NUMBER_ID:
            return _error(400, "Unsupported post request", code=100, kind="GraphMethodException")
        params = await self._params(request)
        method = self._method(request.path_params["endpoint"], params)
        if not await self._held(method, params, request):
            self.calls.append(Call(f"{method}#abandoned", params))  # the caller went away: not done
            return Response(status_code=499)
        failure = self._failure(method, params)
        if failure is not None and failure.kind != "slow":
            return await self._fail(method, params, failure, request)
        if failure is not None:
            self.slowed.append(Call(method, params))
            await asyncio.sleep(failure.seconds)
        refused = _refusal(method, params)
        if refused is not None:
            self.calls.append(Call(f"{method}#refused", params))
            return _error(400, refused, code=131009)
        return self._answer(method, params)

    async def _held(self, method: str, params: dict[str, Any], request: Request) -> bool:
        """Wait while the recipient's calls are held; False if the caller went away meanwhile."""
        to = str(params.get("to") or "")
        event = self.hold.get(to)
        if event is not None and self.let_through.get(to, 0) > 0:
            self.let_through[to] -= 1
            return True
        if event is None:
            return True
        waiting = Call(method, params)
        self.held.append(waiting)
        try:
            while not event.is_set():
                if await request.is_disconnected():
                    return False
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.05):
                        await event.wait()
            return True
        finally:
            self.held.remove(waiting)

    def _failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        queued = self.failures.get(method)
        if queued and queued[0].to in {None, str(params.get("to") or "")}:
            return queued.popleft()
        return None

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
            headers = {"Retry-After": f"{failure.seconds:g}"}
            return _error(429, "(#130429) Rate limit hit", code=130429, headers=headers)
        if failure.kind == "window":
            message = "(#131047) Re-engagement message"
            details = "More than 24 hours have passed since the customer last replied."
            return _error(400, message, code=131047, details=details)
        return _error(500, "(#131000) Something went wrong", code=131000)

    def _answer(self, method: str, params: dict[str, Any]) -> Response:
        if method == "media":
            media_id = str(next(self._media_ids))
            self.media[media_id] = params["file"]["content"]
            self.calls.append(Call(method, params, id=media_id))
            return JSONResponse({"id": media_id})
        if method == "read":
            self.calls.append(Call(method, params))
            return JSONResponse({"success": True})
        sent = wamid()
        self.calls.append(Call(method, params, id=sent))
        to = str(params.get("to"))
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [
                    {"id": sent, **({"message_status": "accepted"} if method == "template" else {})}
                ],
            }
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route(f"/{VERSION}/{{phone}}/{{endpoint}}", self._endpoint, methods=["POST"])]
        )


def body_of(params: dict[str, Any]) -> str:
    """The words a message shows: a text's body, an interactive message's body, a document's caption."""
    kind = params.get("type")
    if kind == "text":
        return str(params["text"]["body"])
    if kind == "interactive":
        return str(params["interactive"]["body"]["text"])
    if kind == "document":
        return str(params["document"].get("caption") or "")
    return ""


def _refusal(method: str, params: dict[str, Any]) -> str | None:
    """What the real API refuses: text or titles over their limits, too many buttons or rows."""
    if method == "text" and len(params["text"]["body"]) > TEXT_LIMIT:
        return "(#131009) Parameter value is not valid: text body too long"
    if method != "interactive":
        return None
    interactive = params["interactive"]
    if len(interactive["body"]["text"]) > BODY_LIMIT:
        return "(#131009) Parameter value is not valid: body too long"
    action = interactive["action"]
    if interactive["type"] == "button":
        buttons = action["buttons"]
        if not 1 <= len(buttons) <= 3 or any(len(b["reply"]["title"]) > BUTTON_TITLE for b in buttons):
            return "(#131009) Parameter value is not valid: buttons"
        return None
    rows = [row for section in action["sections"] for row in section["rows"]]
    too_long = any(
        len(r["title"]) > ROW_TITLE or len(r.get("description", "")) > ROW_DESCRIPTION for r in rows
    )
    if not 1 <= len(rows) <= 10 or too_long or len(action["button"]) > BUTTON_TITLE:
        return "(#131009) Parameter value is not valid: list rows"
    return None


def _error(
    status: int,
    message: str,
    *,
    code: int,
    kind: str = "OAuthException",
    details: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGh123"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningGraph:
    """Serves a FakeGraphApi with uvicorn inside the test's own event loop."""

    def __init__(self, fake: FakeGraphApi, port: int | None = None) -> None:
        self.fake = fake
        port = port or free_port()
        fake.url = f"http://127.0.0.1:{port}/{VERSION}"
        config = uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FakeGraphApi:
        self.task = asyncio.create_task(self.server.serve())
        for _ in range(500):  # uvicorn offers no event to wait on; five seconds at most
            if self.server.started:
                return self.fake
            await asyncio.sleep(0.01)
        raise RuntimeError("the fake Graph API server did not start")

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        for event in self.fake.hold.values():
            event.set()
        if self.task is not None:
            await self.task


# -- inbound webhook payloads, as Meta posts them -------------------------------------------------


def _envelope(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": BUSINESS_ACCOUNT_ID,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": DISPLAY_NUMBER,
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def _message(
    kind: str, body: dict[str, Any], wa_id: str, message_id: str | None, **extra: Any
) -> dict[str, Any]:
    message = {"from": wa_id, "id": message_id or wamid(), "timestamp": str(int(time.time())), "type": kind}
    return _envelope(
        {
            "contacts": [{"profile": {"name": "Sam"}, "wa_id": wa_id}],
            "messages": [{**message, kind: body, **extra}],
        }
    )


def text(body: str, *, wa_id: str = WA_ID, message_id: str | None = None) -> dict[str, Any]:
    return _message("text", {"body": body}, wa_id, message_id)


def _replied(on: str | None) -> dict[str, Any]:
    return {"context": {"from": DISPLAY_NUMBER, "id": on or wamid()}}


def button_reply(
    option_id: str, title: str, *, wa_id: str = WA_ID, message_id: str | None = None, on: str | None = None
) -> dict[str, Any]:
    """A tap on a reply button (``on``: the message the buttons were on)."""
    body = {"type": "button_reply", "button_reply": {"id": option_id, "title": title}}
    return _message("interactive", body, wa_id, message_id, **_replied(on))


def list_reply(
    option_id: str,
    title: str,
    description: str | None = None,
    *,
    wa_id: str = WA_ID,
    message_id: str | None = None,
    on: str | None = None,
) -> dict[str, Any]:
    """A row picked from a list message."""
    row = {"id": option_id, "title": title, **({"description": description} if description else {})}
    return _message(
        "interactive", {"type": "list_reply", "list_reply": row}, wa_id, message_id, **_replied(on)
    )


def tapped(kind: str, option_id: str, title: str, *, wa_id: str = WA_ID) -> dict[str, Any]:
    """What comes back for an option of ``FakeGraphApi.option``: a button tap or a list pick."""
    if kind == "button_reply":
        return button_reply(option_id, title, wa_id=wa_id)
    return list_reply(option_id, title, wa_id=wa_id)


def image(caption: str | None = None, *, wa_id: str = WA_ID, message_id: str | None = None) -> dict[str, Any]:
    body = {
        "mime_type": "image/jpeg",
        "sha256": "aGVsbG8gd29ybGQgaW1hZ2UgaGFzaA==",
        "id": "1466372460801880",
        **({"caption": caption} if caption is not None else {}),
    }
    return _message("image", body, wa_id, message_id)


def audio(*, wa_id: str = WA_ID, message_id: str | None = None) -> dict[str, Any]:
    body = {
        "mime_type": "audio/ogg; codecs=opus",
        "sha256": "dm9pY2Ugbm90ZSBoYXNo",
        "id": "928304822391",
        "voice": True,
    }
    return _message("audio", body, wa_id, message_id)


def reaction(emoji: str = "\U0001f44d", *, on: str | None = None, wa_id: str = WA_ID) -> dict[str, Any]:
    return _message("reaction", {"message_id": on or wamid(), "emoji": emoji}, wa_id, None)


def status(
    message_id: str, state: str, *, wa_id: str = WA_ID, code: int | None = None, title: str = ""
) -> dict[str, Any]:
    """A status update on a message the business sent: sent, delivered, read or failed (with ``code``)."""
    update: dict[str, Any] = {
        "id": message_id,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id,
    }
    if state in {"sent", "delivered", "read"}:
        update["conversation"] = {"id": "c0ffee0123456789", "origin": {"type": "service"}}
        update["pricing"] = {"billable": False, "pricing_model": "PMP", "category": "service"}
    if state == "failed":
        update["errors"] = [
            {
                "code": code or 131000,
                "title": title or "Something went wrong",
                "message": title or "Something went wrong",
                "error_data": {"details": title or "Something went wrong"},
            }
        ]
    return _envelope({"statuses": [update]})


def raw(payload: dict[str, Any]) -> bytes:
    """The body as Meta sends it: compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(body: bytes, secret: str = APP_SECRET) -> str:
    """The X-Hub-Signature-256 header: HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
