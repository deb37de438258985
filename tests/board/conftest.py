"""The board's tests send many whole evaluations from one test client: no per-address chat limit."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.conftest import SECRET


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=SECRET, rate_per_client=0, rate_per_conversation=0)
