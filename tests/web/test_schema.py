"""The OpenAPI schema tells the whole contract: who may call, what values come back, every error."""

from __future__ import annotations

from typing import Any

import httpx

from dialogs import Status, Step

CONVERSATION_ERRORS = {"401", "404", "410", "413", "422", "429"}


async def schema_of(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


async def test_every_conversation_route_declares_the_bearer_token_and_its_errors(
    client: httpx.AsyncClient,
) -> None:
    schema = await schema_of(client)
    assert schema["components"]["securitySchemes"]["conversationToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The token from starting (POST /api/conversations) or resuming (POST /api/resume).",
    }
    routes = [
        (method, path, operation)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/conversations/{conversation_id}")
        for method, operation in operations.items()
    ]
    assert len(routes) == 7
    for method, path, operation in routes:
        assert operation["security"] == [{"conversationToken": []}], (method, path)
        assert CONVERSATION_ERRORS <= set(operation["responses"]), (method, path)
        refs = {
            status: answer["content"]["application/json"]["schema"]["$ref"]
            for status, answer in operation["responses"].items()
            if status.startswith("4")
        }
        assert refs.pop("422") == "#/components/schemas/ValidationErrorOut", (method, path)
        assert set(refs.values()) == {"#/components/schemas/ErrorOut"}, (method, path)
    send = schema["paths"]["/api/conversations/{conversation_id}/messages"]["post"]["responses"]
    assert {"400", "409"} <= set(send) and "Retry-After" in send["409"]["headers"]
    for path in ["/api/conversations", "/api/resume"]:
        assert "security" not in schema["paths"][path]["post"]  # starting and resuming need no token
        assert {"400", "404", "413", "422", "429"} <= set(schema["paths"][path]["post"]["responses"])
    assert "HTTPValidationError" not in schema["components"]["schemas"], "no 422 body we never send"


async def test_steps_statuses_kinds_and_error_codes_are_listed(client: httpx.AsyncClient) -> None:
    schemas = (await schema_of(client))["components"]["schemas"]
    steps = [step.value for step in Step]
    assert schemas["ConversationOut"]["properties"]["step"]["enum"] == steps
    assert schemas["ReplyOut"]["properties"]["step"]["enum"] == [*steps, "summary", "plan"]
    assert schemas["ExportedEntry"]["properties"]["step"]["enum"] == steps
    assert schemas["Status"]["enum"] == [status.value for status in Status]
    assert schemas["ChoiceOut"]["properties"]["kind"]["enum"] == ["answer", "nav"]
    codes = schemas["ErrorOut"]["properties"]["error"]["enum"]
    assert {"gone", "client_message_id_reused", "invalid_body", "unauthorized", "too_large"} <= set(codes)
    fields = schemas["ReplyOut"]["properties"]
    for name in ["position", "suggested_score", "resume_code", "reference", "return_code", "plan_url"]:
        assert name in fields, name
    assert fields["skipped_parts"]["type"] == "array"


async def test_errors_are_json_the_schema_describes_and_405_says_what_is_allowed(
    client: httpx.AsyncClient,
) -> None:
    started = (await client.post("/api/conversations", json={})).json()
    url = f"/api/conversations/{started['conversation_id']}/messages"
    token = {"Authorization": f"Bearer {started['token']}"}
    wrong_method = await client.delete(url, headers=token)
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET, HEAD, POST"
    no_token = await client.get(url)
    assert no_token.status_code == 401 and no_token.headers["www-authenticate"] == "Bearer"
    assert no_token.json()["error"] == "unauthorized"
    basic = await client.get(url, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    bad_utf8 = await client.post(
        url, content=b'{"text": "\xff\xfe"}', headers={**token, "content-type": "application/json"}
    )
    assert bad_utf8.status_code == 400 and bad_utf8.json()["error"] == "invalid_body"
    nested = await client.post(
        url,
        content=b'{"text":' + b"[" * 5000 + b"]" * 5000 + b"}",
        headers={**token, "content-type": "application/json"},
    )
    assert nested.status_code == 400 and nested.json()["error"] == "invalid_body"
    invalid = await client.post(url, json={"text": "a", "choice": "b"}, headers=token)
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["error"] == "invalid_request" and set(body) == {"error", "message", "detail"}
    assert all(set(item) == {"loc", "msg"} for item in body["detail"])
