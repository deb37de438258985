"""What one message from a messenger chat does, whatever the messenger.

The channel has read it into an ``Inbound``; this applies it through the turn service, in one
transaction with the inbox message marked done: start or carry on, resume with a code, a turn of
the conversation, or only a few words back. Shared by Telegram and WhatsApp, so both start,
resume, refuse a stale button and treat a chat whose conversation went elsewhere alike.
"""

from __future__ import annotations

import hashlib

from bot.channels import messages as words
from bot.channels.seam import Inbound, Intent, Messenger, Origin
from bot.ids import CODE_LENGTH, normalise_code
from bot.service import (
    ChatDetached,
    ChatService,
    ConversationNotFound,
    ResumeCodeInvalid,
    ReturnCodeInvalid,
    StaleChoice,
)
from bot.throttle import RateLimited, ResumeGuard, TokenBuckets
from dialogs import Event, Status, Step, Text, render
from storage.inbox import Pending

__all__ = ["ENDED", "ChatTurns", "message_key"]

ENDED = {Step.FINISHED, Step.DELETED}
FINISHED = {Status.COMPLETED, Status.SUBMITTED}


def looks_like_code(value: str | None) -> bool:
    """A code typed after /start (a deep link's payload is also there, such as "from-a-group")."""
    return bool(value) and len(normalise_code(value or "")) == CODE_LENGTH


KEY_LENGTH = 64  # the transcript's client_message_id


def message_key(channel: str, key: str) -> str:
    """The idempotency key of a channel's message, short enough for the transcript."""
    whole = f"{channel}:{key}"
    if len(whole) <= KEY_LENGTH:
        return whole
    return f"{channel}:{hashlib.sha256(key.encode()).hexdigest()[: KEY_LENGTH - len(channel) - 1]}"


class ChatTurns:
    def __init__(self, service: ChatService, public_url: str) -> None:
        self.service = service
        self.public_url = public_url.rstrip("/")
        # The web's limits on resume codes: wrong guesses per chat, and tries of one code from anywhere.
        settings = service.settings
        self.resume_guard = ResumeGuard(
            TokenBuckets(settings.resume_fails_per_client), TokenBuckets(settings.resume_tries_per_code)
        )

    async def apply(self, channel: Messenger, address: str, message: Pending) -> None:
        """Apply one stored message. Raises on failure (a database error), so the lane tries again."""
        inbound = channel.read(message.payload)
        origin = Origin(
            channel,
            address,
            key=message_key(channel.name, message.message_key),
            arrival=message.id,
            receipt=inbound.receipt,
            context=inbound.context,
        )
        if inbound.intent is Intent.TURN and inbound.event is not None:
            await self._turn(origin, inbound.event, inbound)
        elif inbound.intent is Intent.START:
            await self._start(origin, inbound)
        elif inbound.intent is Intent.RESUME:
            await self._resume(origin, inbound)
        elif inbound.intent is Intent.PRIVACY:
            language = await self.service.chat_language(origin, inbound.hint)
            url = f"{self.public_url}/privacy?lang={language}"
            await self._say(origin, words.PRIVACY, language, url=url)
        elif inbound.intent is Intent.SAY:
            language = await self.service.chat_language(origin, inbound.hint)
            await self._say(origin, inbound.value, language, link=inbound.link)
        else:
            await self.service.say(origin, [])  # nothing to answer: only marked done (and acknowledged)

    async def _turn(self, origin: Origin, event: Event, inbound: Inbound) -> None:
        try:
            await self.service.send_linked(origin, event, expected_version=inbound.expected_version)
        except ConversationNotFound:
            await self.service.start(origin, inbound.hint)  # first contact without /start
        except ChatDetached:
            await self._say(origin, words.DETACHED, await self.service.chat_language(origin, inbound.hint))
        except StaleChoice:
            language = await self.service.chat_language(origin, inbound.hint)
            await self.service.say(origin, [], receipt_text=self._words(words.STALE_BUTTON, language))

    async def _start(self, origin: Origin, inbound: Inbound) -> None:
        current = await self.service.linked(origin.channel.name, origin.address or "")
        code = inbound.value if looks_like_code(inbound.value) else None
        if code is not None:
            await self._start_from_code(origin, inbound, code)
        elif current is None or current.step in ENDED:
            # The same chat finished one before: the new one starts from its answers (next year's
            # evaluation from this year's), as a return code would. Also a chat whose conversation
            # went elsewhere starts anew.
            finished = current is not None and current.status in FINISHED
            follows = current.evaluation_id if current is not None and finished else None
            await self.service.start(origin, inbound.hint, follows=follows)
        else:
            await self._turn(origin, Event.resume(), inbound)

    async def _start_from_code(self, origin: Origin, inbound: Inbound, code: str) -> None:
        language = await self.service.chat_language(origin, inbound.hint)
        guessing = f"{origin.channel.name}:{origin.address}"
        try:
            self.resume_guard.before(guessing, code)
        except RateLimited:
            await self._say(origin, words.SLOW_DOWN, language)
            return
        try:
            await self.service.start(origin, inbound.hint, return_code=code)
        except ReturnCodeInvalid:
            self.resume_guard.failed(guessing)
            await self._say(origin, words.BAD_CODE, language)

    async def _resume(self, origin: Origin, inbound: Inbound) -> None:
        language = await self.service.chat_language(origin, inbound.hint)
        code = inbound.value
        if not code:
            await self._say(origin, words.RESUME_USAGE, language)
            return
        guessing = f"{origin.channel.name}:{origin.address}"
        try:
            self.resume_guard.before(guessing, code)
        except RateLimited:
            await self._say(origin, words.SLOW_DOWN, language)
            return
        try:
            await self.service.resume(code, origin)
        except ResumeCodeInvalid:
            self.resume_guard.failed(guessing)
            await self._say(origin, words.BAD_CODE, language)

    async def _say(
        self, origin: Origin, msgid: str, language: str, link: tuple[str, str] | None = None, **params: str
    ) -> None:
        button = (self._words(link[0], language), link[1]) if link is not None else None
        text = self._words(msgid, language, **params)
        await self.service.say(origin, [text], link=button, language=language)

    def _words(self, msgid: str, language: str, **params: str) -> str:
        values = {key: Text(value, verbatim=True) for key, value in params.items()}
        return render(Text(msgid, values), self.service.catalogs.translator(language))
