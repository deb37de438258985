"""examples/client.py, a partner's client, completes an activity check against the real app, and
reads no words of any reply: scrambled words in any language change nothing it does."""

from __future__ import annotations

import ast
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from fastapi import FastAPI

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "client.py"
WORDS = {"text", "progress", "label", "title"}  # everything in a reply that is for people to read


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("icf_example_client", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scrambled(value: Any) -> Any:
    """The same JSON with every word meant for people replaced, so a client that read them would fail."""
    if isinstance(value, dict):
        return {k: "▒▒ ▒▒▒" if k in WORDS and isinstance(v, str) else scrambled(v) for k, v in value.items()}
    return [scrambled(item) for item in value] if isinstance(value, list) else value


@dataclass
class Scrambling(httpx.AsyncBaseTransport):
    """The app, with the words of each chat API answer scrambled on the way back."""

    inner: httpx.AsyncBaseTransport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()  # decoded: the new answer carries it plain
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in {"content-length", "content-encoding"}
        }
        if request.url.path.startswith("/api/") and "json" in response.headers.get("content-type", ""):
            body = json.dumps(scrambled(json.loads(body))).encode()
        return httpx.Response(response.status_code, headers=headers, content=body)


async def test_the_example_client_completes_an_activity_check(app: FastAPI) -> None:
    client = load_example()
    found = await client.complete_activity_check("http://testserver", transport=httpx.ASGITransport(app=app))
    assert found["status"] == "completed" and found["plan_status"] == 200
    assert found["return_code"] == "RTRN-CODE-NX001" and found["plan_url"].startswith(
        "http://testserver/plan/"
    )
    assert found["skipped_parts"] == [] and found["reference"] is None  # kept, not sent
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        next_year = await client.call(
            http, "POST", "/api/conversations", json={"return_code": found["return_code"]}
        )
    assert next_year["step"] == "choose_language"  # the code it was given works


async def test_the_example_client_reads_no_words_in_any_language(app: FastAPI) -> None:
    client = load_example()
    plain = await client.complete_activity_check("http://testserver", transport=httpx.ASGITransport(app=app))
    for language in ["en", "ur", "pl"]:
        transport = Scrambling(httpx.ASGITransport(app=app))
        found = await client.complete_activity_check("http://testserver", language, transport=transport)
        assert found["status"] == "completed" and found["plan_status"] == 200, language
        assert found["turns"] == plain["turns"] and found["skipped_parts"] == [], language


def test_the_example_client_never_reads_a_reply_word() -> None:
    tree = ast.parse(EXAMPLE.read_text(encoding="utf-8"))
    read = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and node.slice.value in WORDS
        or isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in WORDS
    ]
    assert read == [], [ast.unparse(node) for node in read]
    assert len(EXAMPLE.read_text(encoding="utf-8").splitlines()) <= 130, "about a hundred lines"
