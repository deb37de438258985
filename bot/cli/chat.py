"""``icf chat``: the same conversation in a terminal, choices shown as numbers.

Lines are read with the standard library's ``readline`` when it is there, so arrow keys, Delete and
Up (this session's earlier lines) work as in any terminal program. No history file is written: the
lines are people's answers. Ctrl-D or Ctrl-C pauses the conversation and prints its resume code.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from babel.lists import format_list

from bot.channels.seam import Abilities, InAnswer, Origin
from bot.cli import messages as cm
from bot.ids import RandomIds
from bot.service import ChatService, ResumeCodeInvalid, ReturnCodeInvalid, TurnResult
from bot.settings import Settings
from bot.translations import Catalogs
from dialogs import Engine, Event, Step, Text, load_default_content, render
from dialogs.commands import word_to_type
from storage import create_engine, upgrade_engine

__all__ = ["TerminalChat", "run_chat"]

# The terminal through the channel seam: choices as numbers, the replies printed as they come back.
TERMINAL = Origin(InAnswer("cli", Abilities(buttons=False, answers_in_request=True)))
ENDED = {Step.FINISHED, Step.DELETED, Step.PAUSED}


class TerminalChat:
    """Reads lines, sends them through the service, prints the replies; keeps no answers itself."""

    def __init__(self, service: ChatService, read: Callable[[], str], out: TextIO, plans_dir: Path) -> None:
        self.service = service
        self.read = read
        self.out = out
        self.plans_dir = plans_dir
        self._choices: list[dict[str, Any]] = []

    def _say(self, msgid: str, language: str, **params: str) -> None:
        translator = self.service.catalogs.translator(language)
        print(
            render(Text(msgid, {k: Text(v, verbatim=True) for k, v in params.items()}), translator),
            file=self.out,
        )

    async def run(
        self, resume_code: str | None = None, language: str | None = None, return_code: str | None = None
    ) -> TurnResult | None:
        """The conversation until it ends: carried on with a resume code, started from last year's
        with a return code, or new."""
        try:
            if resume_code:
                result = await self.service.resume(resume_code, TERMINAL)
            else:
                result = await self.service.start(TERMINAL, language, return_code=return_code)
        except (ResumeCodeInvalid, ReturnCodeInvalid):
            self._say(cm.BAD_CODE, self.service.catalogs.best_match(language))
            return None
        token = result.token or ""
        while True:
            await self._show(result, token)
            if result.step in ENDED:
                return result
            try:
                # Read on this thread, the only one: Ctrl-C then interrupts the read itself (a read on
                # another thread would leave it waiting), and this process serves nobody else meanwhile.
                line = self.read()
            except (EOFError, KeyboardInterrupt):
                print(file=self.out)  # the prompt's line was left open
                return await self._pause(result, token)
            result = await self.service.send(result.evaluation_id, token, self._event(line), TERMINAL)

    async def _pause(self, result: TurnResult, token: str) -> TurnResult:
        """Leaving mid-way (Ctrl-D, Ctrl-C): pause, so the code to carry on is on the screen."""
        paused = await self.service.send(result.evaluation_id, token, Event.text("/pause"), TERMINAL)
        await self._show(paused, token)
        self._say(cm.GOODBYE, paused.language)
        return paused

    def _event(self, line: str) -> Event:
        typed = line.strip()
        answers = [c for c in self._choices if c["kind"] == "answer"]
        if typed.isdigit() and 1 <= int(typed) <= len(answers):
            return Event.choice(answers[int(typed) - 1]["id"])
        return Event.text(line)

    async def _show(self, result: TurnResult, token: str) -> None:
        for reply in result.replies:
            if reply["progress"]:
                print(f"[{reply['progress']}]", file=self.out)
            print(reply["text"], file=self.out)
            if reply["document"] and reply["document"]["kind"] == "plan":
                await self._save_plan(result, token)
            self._choices = reply["choices"]
        answers = [c for c in self._choices if c["kind"] == "answer"]
        for number, choice in enumerate(answers, start=1):
            mark = {True: "[x] ", False: "[ ] "}.get(choice["selected"], "")
            print(f"  {number}. {mark}{choice['label']}", file=self.out)
        translator = self.service.catalogs.translator(result.language)
        nav = [word_to_type(c["id"], translator) for c in self._choices if c["kind"] == "nav"]
        if nav and result.step not in ENDED:
            self._say(
                cm.NAV_WORDS, result.language, words=format_list(nav, style="or", locale=result.language)
            )
        print(file=self.out)

    async def _save_plan(self, result: TurnResult, token: str) -> None:
        html = await self.service.plan_html(result.evaluation_id, token)
        self.plans_dir.mkdir(parents=True, exist_ok=True)
        path = self.plans_dir / f"plan-{result.evaluation_id}.html"
        path.write_text(html, encoding="utf-8")
        self._say(cm.PLAN_SAVED, result.language, path=str(path))


def _read_line() -> str:
    return input("> ")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_chat(
    settings: Settings,
    resume_code: str | None,
    language: str | None,
    out: TextIO,
    return_code: str | None = None,
) -> None:
    """The terminal chat until it ends or the person leaves.

    asyncio.run would take Ctrl-C for itself (cancelling the task at its next await, which a read in
    progress never reaches); with a handler of our own, Ctrl-C raises in the read, and is a pause.
    """
    with contextlib.suppress(ImportError):  # not on every platform; the chat works without it
        import readline  # noqa: F401 - importing it gives input() line editing and history
    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        asyncio.run(_chat(settings, resume_code, language, out, return_code))
    except KeyboardInterrupt:  # pressed while a turn was being stored: that turn is safe either way
        print(file=out)
    finally:
        signal.signal(signal.SIGINT, previous)


async def _chat(
    settings: Settings, resume_code: str | None, language: str | None, out: TextIO, return_code: str | None
) -> None:
    db = create_engine(settings.database_url)
    try:
        await upgrade_engine(db)
        catalogs = Catalogs()
        engine = Engine(load_default_content(), RandomIds(), max_text=settings.max_text)
        service = ChatService(engine, db, catalogs, settings)
        chat = TerminalChat(service, _read_line, out, Path("data") / "plans")
        print(render(Text(cm.PROMPT_HINT), catalogs.translator(catalogs.best_match(language))), file=out)
        await chat.run(resume_code, language, return_code)
    finally:
        await db.dispose()
