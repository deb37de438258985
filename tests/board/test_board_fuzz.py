"""Schemathesis over the board's API with every check it has (``--checks all``), signed in with a real
token, in-process through ASGI: no 5xx, every status and body as the schema says, 405s with Allow,
bad data refused and good data accepted."""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from bot.board.auth import BoardAuth
from bot.settings import Settings
from bot.web import create_app
from storage import create_engine, create_sessionmaker, upgrade_engine, utcnow
from tests.conftest import SECRET

DATA = Path(tempfile.mkdtemp(prefix="icf-board-fuzz-"))
atexit.register(shutil.rmtree, DATA, ignore_errors=True)
URL = f"sqlite+aiosqlite:///{DATA / 'icf.db'}"
ALL_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.positive_data_acceptance,
    checks.missing_required_header,
    checks.unsupported_method,
    checks.allow_header_conformance,
    checks.ignored_auth,
    checks.use_after_free,
    checks.ensure_resource_availability,
]


async def _token() -> str:
    """A board account and its API token, in the database the app is about to open."""
    db = create_engine(URL)
    try:
        await upgrade_engine(db)
        auth = BoardAuth(create_sessionmaker(db), SECRET, utcnow)
        await auth.add_user("fuzz@kirklees.example", "a long enough password", "board", None)
        return await auth.new_api_token("fuzz@kirklees.example", "fuzz")
    finally:
        await db.dispose()


TOKEN = asyncio.run(_token())
APP = create_app(
    Settings(
        database_url=URL, secret_key=SECRET, rate_per_client=0, rate_per_conversation=0, migrate_on_start=True
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/api/board")


@schema.parametrize()
@settings(
    max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_the_board_api_holds_to_its_schema(case: Any) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    case.call_and_validate(checks=ALL_CHECKS)
