"""Schemathesis against the app's own OpenAPI schema, in-process through ASGI: no 5xx, whatever comes.

Every operation gets generated requests, valid and invalid. Half of them carry a real conversation's
id and token, so they get past the token check and into the turn itself.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from bot.settings import Settings
from bot.web import create_app
from tests.conftest import SECRET

DATA = Path(tempfile.mkdtemp(prefix="icf-fuzz-"))
atexit.register(shutil.rmtree, DATA, ignore_errors=True)
APP = create_app(
    Settings(
        database_url=f"sqlite+aiosqlite:///{DATA / 'icf.db'}",
        secret_key=SECRET,
        rate_per_client=0,
        rate_per_conversation=0,
        resume_fails_per_client=0,
        resume_tries_per_code=0,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
REAL: dict[str, str] = {}


def real_conversation() -> dict[str, str]:
    """One conversation started through the same app, its id and token reused by half the cases."""
    if not REAL:
        started = schema["/api/conversations"]["POST"].Case(body={}).call()
        assert started.status_code == 201, started.text
        REAL.update(started.json())
        REAL["auth"] = f"Bearer {REAL['token']}"
    return REAL


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case: Any) -> None:
    if (
        case.path_parameters
        and "conversation_id" in case.path_parameters
        and zlib.crc32(repr(case.body).encode()) % 2
    ):
        conversation = real_conversation()
        case.path_parameters = {**case.path_parameters, "conversation_id": conversation["conversation_id"]}
        case.headers = {**(case.headers or {}), "Authorization": conversation["auth"]}
    case.call_and_validate(checks=[not_a_server_error])
