"""The benchmark commands run, end to end, for a second or two with tiny numbers.

No timings are checked here: this only keeps the commands in the README working.
"""

from __future__ import annotations

import pytest

from benchmarks import interference, memory, telegram, turn_cost, turns
from tests.conftest import PG_URL

DATABASES = ["sqlite", *([pytest.param("postgres", marks=pytest.mark.postgres)] if PG_URL else [])]


@pytest.mark.parametrize("database", DATABASES)
def test_turns_command(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--database", database, "--postgres-url", PG_URL or "unused", "--respondents", "3"]
    assert turns.main([*argv, "--seconds", "1", "--warmup", "0.5", "--paced", "0.5", "--think", "0.2"]) == 0
    shown = capsys.readouterr().out
    assert "ceiling, one INSERT + COMMIT" in shown
    assert "chat turns / ceiling:" in shown
    assert "chat, paced at 50% of ceiling: offered" in shown
    assert "chat, people's pace (0.2 s): pausing 0.2 s on average" in shown


@pytest.mark.parametrize("database", DATABASES)
def test_memory_command(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--database", database, "--postgres-url", PG_URL or "unused", "--respondents", "2"]
    assert memory.main([*argv, "--conversations", "300", "--seconds", "1", "--resumed", "2"]) == 0
    shown = capsys.readouterr().out
    assert "300 paused conversations added" in shown
    assert "restarted on the full database" in shown


@pytest.mark.parametrize("database", DATABASES)
def test_telegram_command(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--database", database, "--postgres-url", PG_URL or "unused", "--chats", "3"]
    assert telegram.main([*argv, "--seconds", "1.5", "--warmup", "0.5", "--api-latency", "0.01"]) == 0
    shown = capsys.readouterr().out
    assert "ceiling, one INSERT + COMMIT" in shown
    assert "telegram updates answered / ceiling:" in shown
    answered = next(
        line for line in shown.splitlines() if line.startswith("telegram, update to bot's answer")
    )
    assert int(answered.split()[-4]) > 0  # updates the bot answered in the measured window


def test_turn_cost_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert turn_cost.main(["--evaluations", "1", "--profile", "3"]) == 0
    shown = capsys.readouterr().out
    assert "the turn service alone" in shown
    assert "the whole ASGI app, no HTTP server" in shown
    assert "ms CPU a turn" in shown and "Ordered by: internal time" in shown


@pytest.mark.slow
@pytest.mark.parametrize("database", DATABASES)
def test_interference_command(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--database", database, "--postgres-url", PG_URL or "unused", "--respondents", "3"]
    argv += ["--seconds", "1", "--warmup", "0.5", "--think", "0.2", "--evaluations", "40"]
    assert interference.main([*argv, "--flood", "300", "--flood-rate", "300"]) == 0
    shown = capsys.readouterr().out
    cases = ["quiet", "(b) board collates", "(c) 10 wrong sign-ins", "(d) distinct addresses"]
    if database == "sqlite":
        cases.append("(a) another process holds the write lock")
    else:
        assert "(a)" not in shown  # SQLite's file lock only
    for case in cases:
        assert any(line.startswith(case) for line in shown.splitlines()), case
    assert "collation: " in shown and "CSV export: " in shown and "XLSX export: " in shown
    assert "wrong sign-ins: " in shown and " × 401" in shown  # refused, as a wrong password should be
    assert "one request from each address: 300 × 200" in shown  # every address answered
    assert "/healthz p99" in shown and "chat p95" in shown
