"""The terminal chat: the same conversation, choices as numbers, the same database."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI

from bot.cli.chat import TerminalChat
from tests.commands import icf
from tests.i18n.test_read_back import english_in, english_sources

ROOT = Path(__file__).resolve().parents[2]


def scripted(lines: list[str]) -> Iterator[str]:
    yield from lines
    raise EOFError


async def test_an_activity_check_in_the_terminal(app: FastAPI, tmp_path: Path) -> None:
    typed = scripted(
        ["1", "2", "Ravensthorpe Friends", "Park sessions", "5", "6", "4", "/skip", "8", "/skip", "1", "2"]
    )
    out = io.StringIO()
    chat = TerminalChat(app.state.service, lambda: next(typed), out, tmp_path / "plans")
    result = await chat.run()
    shown = out.getvalue()
    assert "  1. A yearly check for our group or team" in shown
    assert "  2. Quick check of one activity" in shown
    assert "  5. [ ] Celebrating" in shown and "  5. [x] Celebrating" in shown
    assert "Here is your support plan." in shown
    assert "Your reference is ICF-2026-00000001." in shown
    assert result is not None and result.status == "submitted" and result.step == "finished"
    plan_files = list((tmp_path / "plans").glob("plan-*.html"))
    assert len(plan_files) == 1 and "Ravensthorpe Friends / Park sessions" in plan_files[0].read_text()


async def test_ctrl_d_keeps_the_answers_and_pause_gives_a_code(app: FastAPI, tmp_path: Path) -> None:
    out = io.StringIO()
    typed = scripted(["1", "1", "3", "Locala", "pause", "1"])  # "pause" where a name is wanted: asked
    result = await TerminalChat(app.state.service, lambda: next(typed), out, tmp_path).run()
    assert result is not None and result.step == "paused"
    assert "Your code is ABCD-EFGH-JK001." in out.getvalue()

    later = io.StringIO()
    typed = scripted(["1"])  # answers the first question, then Ctrl-D: paused again, with a new code
    resumed = await TerminalChat(app.state.service, lambda: next(typed), later, tmp_path).run("abcdefghjk001")
    shown = later.getvalue()
    assert "Welcome back!" in shown and "Question 1 of 4" in shown
    assert "Your code is ABCD-EFGH-JK002." in shown and shown.endswith("Goodbye. Your answers are saved.\n")
    assert resumed is not None and resumed.evaluation_id == result.evaluation_id and resumed.step == "paused"

    wrong = io.StringIO()
    assert await TerminalChat(app.state.service, lambda: "", wrong, tmp_path).run("NOPE-NOPE") is None
    assert "That code did not work." in wrong.getvalue()


def test_icf_db_upgrade_and_a_refused_secret(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'icf.db'}", "ICF_DATA_DIR": str(tmp_path)}
    done = icf("db", "upgrade", env=env)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout and (tmp_path / "icf.db").exists()
    refused = icf("db", "upgrade", env={**env, "ICF_SECRET_KEY": "changeme"})
    assert refused.returncode == 2 and "ICF_SECRET_KEY" in refused.stderr


def test_icf_chat_runs_in_a_terminal(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'icf.db'}", "ICF_DATA_DIR": str(tmp_path)}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot.cli.main", "chat"],
        cwd=ROOT,
        env={**os.environ, **env},
        input="1\n1\n1\nKirklees Council\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Question 1 of 4" in done.stdout and "Goodbye. Your answers are saved." in done.stdout


def test_icf_qr_writes_a_poster_code(tmp_path: Path) -> None:
    env = {"ICF_DATA_DIR": str(tmp_path), "ICF_PUBLIC_URL": "https://icf.example.org"}
    done = icf("qr", "-o", str(tmp_path / "poster"), env=env)
    assert done.returncode == 0, done.stderr
    png, svg = (tmp_path / "poster.png").read_bytes(), (tmp_path / "poster.svg").read_text()
    assert png.startswith(b"\x89PNG") and svg.startswith("<?xml") and "https://icf.example.org/" in svg


async def test_a_quick_check_in_urdu_reads_in_urdu(app: FastAPI, tmp_path: Path) -> None:
    """Typed as an Urdu speaker types: Urdu digits, Urdu words, their word for "skip"."""
    words = ["راوینزتھورپ دوست", "پارک کی سیر", "ہال بک کریں", "ہماری چیئر"]
    typed = scripted(
        ["۷", "۲", words[0], words[1], "۵", "۶", "۴", "چھوڑیں", "۱", "۳", "۸", words[2], "چھوڑیں", words[3]]
        + ["۱", "۱", "۲"]
    )
    out = io.StringIO()
    chat = TerminalChat(app.state.service, lambda: next(typed), out, tmp_path / "plans")
    result = await chat.run()
    assert result is not None and result.status == "submitted", out.getvalue()[-600:]
    shown = re.split(r"You can also type: .*\n", out.getvalue(), maxsplit=1)[1]  # after choosing Urdu
    shown = shown.replace(str(tmp_path), " ")
    shown = re.sub(r"plans/plan-[0-9a-f]+\.html", " ", shown)
    english = english_in(shown, set(words), "ur", english_sources())
    assert english == [], f"English in the Urdu terminal chat: {english}"
