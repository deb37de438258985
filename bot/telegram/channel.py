"""Telegram updates in, engine turns through the service, messages with inline keyboards out.

Holds no conversation state: the chat id finds the evaluation in the database on every update,
so any process can serve any update, by webhook or by polling.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Bot, CallbackQuery, InputFile, Message, Update
from telegram.error import BadRequest

from bot.plan_links import PlanLinks
from bot.service import ChatService, ConversationNotFound, ResumeCodeInvalid, StaleChoice, TurnResult
from bot.telegram import messages as tm
from bot.telegram.keyboards import keyboard, parse_callback
from bot.telegram.text import split_message
from bot.throttle import RateLimited, ResumeGuard, TokenBuckets
from dialogs import Event, Step, Text, render
from storage import utcnow

__all__ = ["CHANNEL", "TelegramChannel"]

CHANNEL = "telegram"
ENDED = {Step.FINISHED, Step.DELETED}


class TelegramChannel:
    def __init__(
        self, service: ChatService, plan_links: PlanLinks, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.service = service
        self.plan_links = plan_links
        self.clock = clock
        # The web's limits on resume codes: wrong guesses per chat, and tries of one code from anywhere.
        settings = service.settings
        self.resume_guard = ResumeGuard(
            TokenBuckets(settings.resume_fails_per_client), TokenBuckets(settings.resume_tries_per_code)
        )

    # -- entry point ----------------------------------------------------------------------------

    async def handle(self, update: Update, bot: Bot) -> None:
        """Apply one update. Raises on failure, so the inbox can try it again."""
        chat = update.effective_chat
        if chat is None:
            return
        link = str(chat.id)
        hint = update.effective_user.language_code if update.effective_user else None
        if update.callback_query is not None:
            await self._pressed(update.callback_query, link, hint, update.update_id, bot)
        elif update.edited_message is not None:
            await self._say(bot, chat.id, tm.EDITED, await self._language(link, hint))
        elif update.message is not None and update.message.text is not None:
            await self._typed(update.message, link, hint, update.update_id, bot)
        elif update.message is not None:
            await self._say(bot, chat.id, tm.ONLY_TEXT, await self._language(link, hint))

    # -- what people send -----------------------------------------------------------------------

    async def _typed(self, message: Message, link: str, hint: str | None, update_id: int, bot: Bot) -> None:
        text = message.text or ""
        command, _, argument = text.partition(" ")
        command = command.split("@", 1)[0].lower()
        if command == "/start":
            await self._start(message.chat_id, link, hint, update_id, bot)
        elif command == "/resume":
            await self._resume(message.chat_id, link, hint, argument.strip(), bot)
        else:
            await self._turn(bot, message.chat_id, link, hint, Event.text(text), update_id)

    async def _pressed(
        self, query: CallbackQuery, link: str, hint: str | None, update_id: int, bot: Bot
    ) -> None:
        parsed = parse_callback(query.data)
        if parsed is None or query.message is None:
            await query.answer(self._words(tm.STALE_BUTTON, await self._language(link, hint)))
            return
        version, choice = parsed
        chat_id = query.message.chat.id
        try:
            result = await self.service.send_linked(
                CHANNEL, link, Event.choice(choice), dedupe_key=f"tg:{update_id}", expected_version=version
            )
        except (StaleChoice, ConversationNotFound):
            await query.answer(self._words(tm.STALE_BUTTON, await self._language(link, hint)))
            return
        await query.answer()
        if result is None:
            return  # delivered again by Telegram: already applied and answered
        if _toggled(result, choice):
            markup = keyboard(result.replies[0], result.version)
            await bot.edit_message_reply_markup(chat_id, query.message.message_id, reply_markup=markup)
            return
        await self._deliver(bot, chat_id, result)

    async def _start(self, chat_id: int, link: str, hint: str | None, update_id: int, bot: Bot) -> None:
        current = await self.service.linked(CHANNEL, link)
        if current is None or current.step in ENDED:
            result = await self.service.start(CHANNEL, hint, link=link)
            await self._deliver(bot, chat_id, result)
        else:
            await self._turn(bot, chat_id, link, hint, Event.resume(), update_id)

    async def _resume(self, chat_id: int, link: str, hint: str | None, code: str, bot: Bot) -> None:
        language = await self._language(link, hint)
        if not code:
            await self._say(bot, chat_id, tm.RESUME_USAGE, language)
            return
        guessing = f"{CHANNEL}:{chat_id}"
        try:
            self.resume_guard.before(guessing, code)
        except RateLimited:
            await self._say(bot, chat_id, tm.SLOW_DOWN, language)
            return
        try:
            result = await self.service.resume(code, CHANNEL, link=link)
        except ResumeCodeInvalid:
            self.resume_guard.failed(guessing)
            await self._say(bot, chat_id, tm.BAD_CODE, language)
            return
        await self._deliver(bot, chat_id, result)

    async def _turn(
        self, bot: Bot, chat_id: int, link: str, hint: str | None, event: Event, update_id: int
    ) -> None:
        try:
            result = await self.service.send_linked(CHANNEL, link, event, dedupe_key=f"tg:{update_id}")
        except ConversationNotFound:
            result = await self.service.start(CHANNEL, hint, link=link)  # first contact without /start
        if result is not None:
            await self._deliver(bot, chat_id, result)

    # -- what the assistant sends ---------------------------------------------------------------

    async def _deliver(self, bot: Bot, chat_id: int, result: TurnResult) -> None:
        newest: int | None = None
        for reply in result.replies:
            pieces = split_message(reply["text"])
            for piece in pieces[:-1]:
                await bot.send_message(chat_id, piece)
            markup = keyboard(reply, result.version)
            sent = await bot.send_message(chat_id, pieces[-1], reply_markup=markup)
            newest = sent.message_id if markup is not None else newest
            if reply.get("document") and reply["document"]["kind"] == "plan":
                await self._send_plan(bot, chat_id, result, reply["document"])
        await self._retire_keyboard(bot, chat_id, newest)

    async def _retire_keyboard(self, bot: Bot, chat_id: int, newest: int | None) -> None:
        """Take the buttons off the question before, so only the newest question can be answered."""
        previous = await self.service.swap_keyboard(CHANNEL, str(chat_id), newest)
        if previous is not None and previous != newest:
            with contextlib.suppress(BadRequest):  # already gone, or the person deleted it
                await bot.edit_message_reply_markup(chat_id, previous, reply_markup=None)

    async def _send_plan(self, bot: Bot, chat_id: int, result: TurnResult, document: dict[str, Any]) -> None:
        url = self.plan_links.url(result.evaluation_id, self.clock())
        await self._say(bot, chat_id, tm.PLAN_LINK, result.language, url=url)
        html = await self.service.plan_html_for(result.evaluation_id)
        plan_file = InputFile(html.encode("utf-8"), filename="support-plan.html")
        await bot.send_document(chat_id, plan_file, caption=document["title"])

    async def _say(self, bot: Bot, chat_id: int, msgid: str, language: str, **params: str) -> None:
        await bot.send_message(chat_id, self._words(msgid, language, **params))

    def _words(self, msgid: str, language: str, **params: str) -> str:
        values = {key: Text(value, verbatim=True) for key, value in params.items()}
        return render(Text(msgid, values), self.service.catalogs.translator(language))

    async def _language(self, link: str, hint: str | None) -> str:
        current = await self.service.linked(CHANNEL, link)
        return current.language if current is not None else self.service.catalogs.best_match(hint)


def _toggled(result: TurnResult, choice: str) -> bool:
    """A toggle on a several-answer question: update that keyboard in place, send nothing new."""
    only = result.replies[0] if len(result.replies) == 1 else None
    return bool(only and only["multiple"] and choice != "done" and not choice.startswith("/"))
