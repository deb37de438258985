"""Telegram as a messenger of the channel seam: updates read into inbound messages, outbox messages
shown with inline keyboards.

Holds no conversation state: the chat id finds the evaluation in the database on every update, so
any process can serve any update, by webhook or by polling. Every Bot API call is one step of an
outbox message; its errors are sorted into "try again" (5xx, timeouts, 429 with its retry_after)
and "never" (the person blocked the bot), and the harmless ones (a keyboard already gone) count as
done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import (
    Bot,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.channels import messages as words
from bot.channels.seam import Abilities, DeliveryFailed, Inbound, Intent, Outgoing, Sent, Step
from bot.plan_links import PlanLinks
from bot.service import ChatService
from bot.telegram import messages as tm
from bot.telegram.keyboards import keyboard, parse_callback
from bot.telegram.text import split_message
from dialogs import Event, Text, render
from storage import utcnow
from storage.inbox import Arrived
from storage.outbox import Kind

__all__ = ["CHANNEL", "TelegramChannel", "arrived"]

CHANNEL = "telegram"
RECEIPT_TIMEOUT = 3.0  # seconds: an answer to a button press is worth little later, and holds nothing
# What Telegram says when a message already looks as asked, or is gone: nothing left to do.
_DONE_ALREADY = ("message is not modified", "message to edit not found", "message can't be edited")


def _chat_id(update: Mapping[str, Any]) -> int | None:
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        chat = (update.get(key) or {}).get("chat") or {}
        if isinstance(chat.get("id"), int):
            return int(chat["id"])
    query = update.get("callback_query") or {}
    chat = ((query.get("message") or {}).get("chat")) or query.get("from") or {}
    return int(chat["id"]) if isinstance(chat.get("id"), int) else None


def arrived(update: Mapping[str, Any]) -> Arrived | None:
    """An update as the inbox keeps it: by its update_id, in its chat; None if we act on nothing in it."""
    update_id = update.get("update_id")
    chat_id = _chat_id(update)
    if not isinstance(update_id, int) or chat_id is None:
        return None
    return Arrived(CHANNEL, str(update_id), str(chat_id), dict(update), sequence=update_id)


class TelegramChannel:
    name = CHANNEL
    abilities = Abilities(buttons=True, reminders=True)

    def __init__(
        self,
        bot: Bot,
        service: ChatService,
        plan_links: PlanLinks,
        clock: Callable[[], datetime] = utcnow,
        *,
        timeout: float = 15.0,
    ) -> None:
        self.bot = bot
        self.service = service
        self.plan_links = plan_links
        self.clock = clock
        self.timeout = timeout

    @property
    def username(self) -> str:
        """The bot's own @name (known once the bot is initialised: getMe)."""
        return self.bot.username or ""

    # -- what arrived ---------------------------------------------------------------------------

    def read(self, payload: Mapping[str, Any]) -> Inbound:
        update = Update.de_json(dict(payload), self.bot)
        chat = update.effective_chat
        hint = update.effective_user.language_code if update.effective_user else None
        if chat is None:
            return Inbound(Intent.IGNORE)
        if update.callback_query is not None:
            return self._pressed(update, chat, hint)
        if update.edited_message is not None:
            private = chat.type == Chat.PRIVATE
            return Inbound(Intent.SAY, value=words.EDITED, hint=hint) if private else Inbound(Intent.IGNORE)
        message = update.message
        if message is None:
            return Inbound(Intent.IGNORE)  # a channel post, a service message
        if chat.type != Chat.PRIVATE:
            return self._in_a_group(message, hint)
        text = message.text if message.text is not None else message.caption  # a photo's caption counts
        if text is None:
            return Inbound(Intent.SAY, value=words.ONLY_TEXT, hint=hint)
        return self._typed(text, hint)

    def _typed(self, text: str, hint: str | None) -> Inbound:
        first, _, rest = text.strip().partition(" ")
        if not first.startswith("/"):
            return Inbound(Intent.TURN, Event.text(text), hint=hint)
        command, _, addressee = first[1:].partition("@")
        if addressee and addressee.lower() != self.username.lower():
            return Inbound(Intent.IGNORE)  # /start@other_bot: for another bot in the chat
        command = command.lower()
        if command == "start":  # "/start CODE" starts from last year's answers (a return code)
            return Inbound(Intent.START, value=rest.strip(), hint=hint)
        if command == "resume":
            return Inbound(Intent.RESUME, value=rest.strip(), hint=hint)
        if command == "privacy":
            return Inbound(Intent.PRIVACY, hint=hint)
        said = f"/{command} {rest}".strip()  # without the @bot, which the conversation does not know
        return Inbound(Intent.TURN, Event.text(said), hint=hint)

    def _pressed(self, update: Update, chat: Chat, hint: str | None) -> Inbound:
        query = update.callback_query
        assert query is not None  # noqa: S101 - checked by the caller
        receipt = {"callback_query_id": query.id}
        if chat.type != Chat.PRIVATE:
            return Inbound(Intent.IGNORE, receipt=receipt)
        parsed = parse_callback(query.data)
        if parsed is None or query.message is None:
            # A button we cannot read is from no keyboard of this conversation: stale whatever happens.
            return Inbound(Intent.TURN, Event.choice("?"), expected_version=-1, hint=hint, receipt=receipt)
        version, choice = parsed
        context = {"message_id": query.message.message_id, "choice": choice}
        return Inbound(
            Intent.TURN,
            Event.choice(choice),
            expected_version=version,
            hint=hint,
            receipt=receipt,
            context=context,
        )

    def _in_a_group(self, message: Message, hint: str | None) -> Inbound:
        """A group starts nothing: a command or a mention for us gets a button to a private chat."""
        if not self._addressed(message):
            return Inbound(Intent.IGNORE)
        url = f"https://t.me/{self.username}?start=from-a-group"
        return Inbound(Intent.SAY, value=tm.GROUP_PRIVATE, hint=hint, link=(tm.OPEN_PRIVATE, url))

    def _addressed(self, message: Message) -> bool:
        me = self.username.lower()
        text = message.text or message.caption or ""
        first = text.strip().split(maxsplit=1)[0] if text.strip() else ""
        if first.startswith("/"):
            _, _, addressee = first.partition("@")
            return not addressee or addressee.lower() == me
        for entity, value in {**message.parse_entities(), **message.parse_caption_entities()}.items():
            if entity.type == MessageEntity.MENTION and value.lstrip("@").lower() == me:
                return True
            if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == self.bot.id:
                return True
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == self.bot.id)

    # -- what leaves ----------------------------------------------------------------------------

    def steps(self, outgoing: Outgoing) -> Sequence[Step]:
        chat_id = int(outgoing.address)
        payload = outgoing.payload
        if outgoing.kind == Kind.RECEIPT:
            return [self._receipt(payload)]
        if outgoing.kind == Kind.CLEAR:
            return [self._clear(chat_id, int(payload["message_id"]))]
        if outgoing.kind == Kind.NOTICE:
            link = payload.get("link")
            markup = (
                InlineKeyboardMarkup([[InlineKeyboardButton(link["label"], url=link["url"])]])
                if link
                else None
            )
            return self._texts(chat_id, payload["text"], markup)
        return self._reply(chat_id, outgoing)

    def _reply(self, chat_id: int, outgoing: Outgoing) -> list[Step]:
        payload = outgoing.payload
        reply: dict[str, Any] = payload["reply"]
        markup = keyboard(reply, int(payload["version"]))
        context = payload.get("context") or {}
        if _toggled(payload, context) and markup is not None:
            return [self._edit_in_place(chat_id, int(context["message_id"]), markup, reply["text"])]
        text = f"{reply['progress']}\n\n{reply['text']}" if reply.get("progress") else reply["text"]
        steps = self._texts(chat_id, text, markup)
        document = reply.get("document")
        if document and document["kind"] == "plan" and outgoing.evaluation_id:
            steps += self._plan(chat_id, outgoing.evaluation_id, outgoing.language, document["title"])
        return steps

    def _texts(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> list[Step]:
        """Long text in pieces, the buttons under the last."""
        pieces = split_message(text)
        steps = [self._send(chat_id, piece) for piece in pieces[:-1]]
        return [*steps, self._send(chat_id, pieces[-1], markup)]

    def _plan(self, chat_id: int, evaluation_id: str, language: str, title: str) -> list[Step]:
        """The plan: a link to its printable page, then the page itself as a file."""
        wait = self.timeout

        async def link() -> Sent:
            url = self.plan_links.url(evaluation_id, self.clock())
            translator = self.service.catalogs.translator(language)
            text = render(Text(words.PLAN_LINK, {"url": Text(url, verbatim=True)}), translator)
            return await self._call(
                lambda: self.bot.send_message(chat_id, text, read_timeout=wait, write_timeout=wait)
            )

        async def document() -> Sent:
            html = await self.service.plan_html_for(evaluation_id)
            plan = InputFile(html.encode("utf-8"), filename="support-plan.html")
            return await self._call(
                lambda: self.bot.send_document(
                    chat_id, plan, caption=title, read_timeout=wait, write_timeout=wait
                )
            )

        return [link, document]

    def _send(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> Step:
        wait = self.timeout

        async def send() -> Sent:
            sent = await self._call(
                lambda: self.bot.send_message(
                    chat_id, text, reply_markup=markup, read_timeout=wait, write_timeout=wait
                )
            )
            return Sent(sent.message_id, buttons=markup is not None)

        return send

    def _edit_in_place(self, chat_id: int, message_id: int, markup: InlineKeyboardMarkup, text: str) -> Step:
        """A toggle on a several-answer question: the same keyboard, its ticks changed."""

        async def edit() -> Sent:
            try:
                await self._edit_markup(chat_id, message_id, markup, gone_is_done=False)
            except _Gone:  # the person deleted it: show the question again instead
                return await self._send(chat_id, text, markup)()
            return Sent(str(message_id), buttons=True)

        return edit

    def _clear(self, chat_id: int, message_id: int) -> Step:
        async def clear() -> Sent:
            await self._edit_markup(chat_id, message_id, None)
            return Sent()

        return clear

    def _receipt(self, payload: Mapping[str, Any]) -> Step:
        async def answer() -> Sent:
            query, text = str(payload["callback_query_id"]), payload.get("text")
            wait = RECEIPT_TIMEOUT
            return await self._call(
                lambda: self.bot.answer_callback_query(
                    query, text=text, read_timeout=wait, write_timeout=wait
                )
            )

        return answer

    async def _edit_markup(
        self, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None, *, gone_is_done: bool = True
    ) -> Sent:
        wait = self.timeout
        return await self._call(
            lambda: self.bot.edit_message_reply_markup(
                chat_id, message_id, reply_markup=markup, read_timeout=wait, write_timeout=wait
            ),
            gone_is_done=gone_is_done,
        )

    async def _call(self, call: Callable[[], Awaitable[object]], *, gone_is_done: bool = True) -> Sent:
        """One Bot API call, its failure sorted for the outbox."""
        try:
            result = await call()
        except RetryAfter as error:
            raise DeliveryFailed("429 Too Many Requests", retry_after=_seconds(error.retry_after)) from error
        except BadRequest as error:
            said = error.message.lower()
            if any(text in said for text in _DONE_ALREADY):
                if not gone_is_done and "not modified" not in said:
                    raise _Gone from error
                return Sent()
            raise DeliveryFailed(f"refused: {error.message}", permanent=True) from error
        except (Forbidden, ChatMigrated) as error:
            raise DeliveryFailed(f"refused: {error.message}", permanent=True) from error
        except TelegramError as error:  # 5xx, timeouts, the network: try again
            raise DeliveryFailed(f"{type(error).__name__}: {error.message}") from error
        return Sent(str(result.message_id)) if isinstance(result, Message) else Sent()


class _Gone(Exception):
    """The message to edit is not there any more."""


def _seconds(value: timedelta | float | int) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _toggled(payload: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """A toggle on a several-answer question: update that keyboard in place, send nothing new."""
    reply = payload["reply"]
    choice = str(context.get("choice") or "")
    pressed = context.get("message_id") is not None
    return bool(
        payload.get("alone")
        and reply.get("multiple")
        and pressed
        and choice not in {"", "done"}
        and not choice.startswith("/")
    )
