"""One conversation turn, end to end: load, apply the engine, store, commit, then reply.

Every channel goes through here, through the seam of ``bot/channels/seam.py``: an ``Origin`` says
where a turn came from and where its replies go. A channel that answers in the request (the web, the
terminal) gets the replies in the result; for a messenger (Telegram) they are written to the outbox
in the turn's own transaction, with the inbox message that caused them marked done, and delivered
after the commit. So a conversation can move between channels, any process can serve any turn, and
nothing is kept in memory between turns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.board.parts import parts_of
from bot.board.rollup import withdraw
from bot.channels import messages as words
from bot.channels.seam import Origin
from bot.ids import new_evaluation_id, new_token, normalise_code
from bot.rechecks import calendar_file
from bot.render import render_reply
from bot.resumes import already_resumed, resume_token
from bot.settings import Settings
from bot.translations import Catalogs
from dialogs import (
    Complete,
    Context,
    ConversationState,
    Engine,
    Erase,
    Event,
    EventKind,
    IssueResumeCode,
    IssueReturnCode,
    Listed,
    Outcome,
    Plan,
    Previous,
    Remind,
    Status,
    Step,
    Submit,
    Text,
    build_plan,
    render,
    render_plan_html,
)
from dialogs.state import Answers, ApproachAnswers
from dialogs.stored import shape_of
from storage import (
    TranscriptEntry,
    create_sessionmaker,
    hash_secret,
    inbox,
    outbox,
    reminders,
    secrets_match,
    transaction,
    utcnow,
)
from storage import conversations as store
from storage import evaluations as repo
from storage import organisations as organisation_list
from storage import parts as parts_store
from storage.conversations import Conversation, ConversationChanged
from storage.links import detach_others, link_of, set_link
from storage.outbox import Kind, Queued
from storage.queue import Destination, enqueue

__all__ = [
    "FINISHED",
    "ChatDetached",
    "ChatService",
    "ConversationGone",
    "ConversationNotFound",
    "MessageIdReused",
    "PlanNotReady",
    "ResumeCodeInvalid",
    "ReturnCodeInvalid",
    "StaleChoice",
    "TurnBusy",
    "TurnResult",
]

ATTEMPTS = 3
ORGANISATIONS_OFFERED = 2000  # the board's list, for the chat to offer and search
# Acknowledging a button press matters only while the person is looking at the spinning button.
RECEIPT_EXPIRES = timedelta(seconds=30)
# Steps from which the next question may be the organisation name (with known names to tap).
_NEAR_ORGANISATION = {
    Step.CHOOSE_SCOPE,
    Step.CHOOSE_LEVEL,
    Step.ORGANISATION,
    Step.UNIT_NAME,
    Step.ACTIVITY_NAME,
}


class ConversationNotFound(LookupError):
    """No conversation with that id and token; deliberately the same for both, so ids cannot be probed."""


class ConversationGone(LookupError):
    """The token's conversation was deleted: everything in it is erased, and nothing more is kept or made.

    Said only to whoever holds the right token, so it tells nobody else that the conversation existed.
    """


class ResumeCodeInvalid(LookupError):
    """The code is wrong, used already or expired."""


class ReturnCodeInvalid(LookupError):
    """No finished evaluation has that return code (or it was deleted)."""


class PlanNotReady(LookupError):
    """The plan exists only once every part has been answered and reviewed."""


class StaleChoice(LookupError):
    """A button from an earlier question was pressed: it changes nothing."""


class ChatDetached(LookupError):
    """The chat's conversation carried on elsewhere: the chat starts nothing until it starts anew."""


class MessageIdReused(ValueError):
    """A client message id sent again with a different message: applying either would hide a mistake."""


class TurnBusy(RuntimeError):
    """The same conversation kept changing under us: ask the client to send again."""


@dataclass(frozen=True, slots=True)
class TurnResult:
    evaluation_id: str
    replies: list[dict[str, Any]]
    step: str
    status: str
    language: str
    direction: str
    version: int = 0  # changes with every turn: a button carries it to spot stale presses
    token: str | None = None  # only when a new token was issued (start, resume)
    repeated: bool = False  # the same client message id again: the replies already given
    resume_code: str | None = field(default=None, repr=False)


def _state_of(conversation: Conversation) -> ConversationState:
    return ConversationState.from_json({**conversation.state, "answers": conversation.answers})


class ChatService:
    def __init__(
        self,
        engine: Engine,
        db: AsyncEngine,
        catalogs: Catalogs,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self._shape = shape_of(engine.content)  # what the board reads of sent answers
        self.db = db  # turns: plain SQL on a connection (storage.conversations)
        self.sessions = create_sessionmaker(db)  # the ORM, for reading transcripts and for the board
        self.catalogs = catalogs
        self.settings = settings
        self.clock = clock
        self._directions: dict[str, str] = {}  # babel's locale lookup costs more than a reply: kept
        self._outbox_listeners: list[Callable[[], None]] = []

    def on_outbox(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after a commit that queued messages (a deliverer wakes up for them)."""
        self._outbox_listeners.append(listener)

    # -- public API -----------------------------------------------------------------------------

    async def start(
        self,
        origin: Origin,
        language: str | None = None,
        *,
        return_code: str | None = None,
        follows: str | None = None,
    ) -> TurnResult:
        """A new evaluation; a chat on a messenger (``origin.address``) is linked to it.

        It starts from last year's answers when ``return_code`` is a finished evaluation's return
        code, or ``follows`` names one the caller has already vouched for (the same chat finished it).
        Raises ReturnCodeInvalid for a code that names none.
        """
        token = new_token()
        async with transaction(self.db) as connection:
            now = self.clock()
            before = await self._last_year(connection, return_code, follows)
            previous = _previous(before) if before is not None else None
            chosen = self.catalogs.best_match(language or (before.language if before else None))
            outcome = self.engine.start(self._context(chosen, origin=origin), chosen, previous)
            conversation = Conversation(
                id=new_evaluation_id(),
                channel=origin.channel.name,
                access_token_hash=self._hash(token),
                created_at=now,
                updated_at=now,
                language=outcome.state.language,
                content_version=outcome.state.content_version,
                status=outcome.state.status,
                step=outcome.state.position.step,
                state={},
                answers={},
                follows_id=before.id if before is not None else None,
            )
            replies = await self._apply(connection, conversation, None, outcome, origin, None, new=True)
            if origin.address is not None:
                await set_link(connection, origin.channel.name, origin.address, conversation.id, now)
        self._queued(origin)
        return self._result(conversation, replies, token=token)

    async def _last_year(
        self, connection: AsyncConnection, return_code: str | None, follows: str | None
    ) -> Conversation | None:
        if return_code is not None:
            found = await store.by_return_code(connection, self._hash(normalise_code(return_code)))
            if found is None or found.status not in FINISHED:
                raise ReturnCodeInvalid
            return found
        if follows is not None:
            found = await store.load(connection, follows)
            return found if found is not None and found.status in FINISHED else None
        return None

    async def send(
        self,
        evaluation_id: str,
        token: str,
        event: Event,
        origin: Origin,
        client_message_id: str | None = None,
    ) -> TurnResult:
        """One turn for whoever holds the conversation's token (the web, the terminal)."""

        async def find(connection: AsyncConnection) -> Conversation:
            return await self._authorised(connection, evaluation_id, token, for_update=True)

        return await self._retrying(find, event, origin, client_message_id, None)

    async def send_linked(
        self, origin: Origin, event: Event, *, expected_version: int | None = None
    ) -> TurnResult:
        """One turn for a chat on a channel that vouches for its people (a messenger).

        ``origin.key`` (the channel's message id) makes a message delivered again apply once; its
        result then says ``repeated`` and the stored replies are still delivered if they are unsent.
        Raises ConversationNotFound for a chat that never started, ChatDetached for one whose
        conversation went on elsewhere, StaleChoice for a button from an earlier question
        (``expected_version``).
        """
        channel, address = origin.channel.name, origin.address or ""

        async def find(connection: AsyncConnection) -> Conversation:
            link = await link_of(connection, channel, address)
            if link is not None and link.detached:
                raise ChatDetached(address)
            conversation = await store.load(connection, link.evaluation_id if link else "", for_update=True)
            if conversation is None:
                raise ConversationNotFound(address)
            return conversation

        result = await self._retrying(find, event, origin, origin.key, expected_version)
        self._queued(origin)
        return result

    async def linked(self, channel: str, address: str) -> TurnResult | None:
        """Where a chat's conversation stands, without changing it; None if it has none (or left)."""
        async with transaction(self.db) as connection:
            link = await link_of(connection, channel, address)
            live = link is not None and not link.detached
            conversation = await store.load(connection, link.evaluation_id) if link and live else None
        return self._result(conversation, []) if conversation is not None else None

    async def chat_language(self, origin: Origin, hint: str | None) -> str:
        """The language to speak to a chat in: its conversation's (even one that went elsewhere), or
        the language its device asks for."""
        async with transaction(self.db) as connection:
            link = await link_of(connection, origin.channel.name, origin.address or "")
            conversation = await store.load(connection, link.evaluation_id) if link else None
        return conversation.language if conversation is not None else self.catalogs.best_match(hint)

    async def resume(self, code: str, origin: Origin, request_id: str | None = None) -> TurnResult:
        """Carry on with a resume code, perhaps on another device: the code is used up.

        Every other place the conversation was answered from is let go: the old token no longer
        works, and every other chat linked to it is detached and told so, once, in its language.
        With a ``request_id``, the same code and id sent again after a lost answer get the same
        conversation and token again (bot/resumes.py).
        """
        secret = self.settings.secret_key
        token = new_token() if request_id is None else resume_token(secret, code, request_id)
        async with transaction(self.db) as connection:
            now = self.clock()
            conversation = await store.by_resume_code(connection, self._hash(normalise_code(code)), now)
            if conversation is None and request_id is not None:
                again = await already_resumed(connection, self._hash(token))
                if again is not None:
                    return self._result(again[0], again[1], token=token, repeated=True)
            if conversation is None or conversation.status == Status.DELETED:
                raise ResumeCodeInvalid
            conversation.access_token_hash = self._hash(token)
            conversation.resume_code_hash = None
            conversation.resume_expires_at = None
            here = (origin.channel.name, origin.address) if origin.address is not None else None
            left = await detach_others(connection, conversation.id, here, now)
            if here is not None:
                await set_link(connection, here[0], here[1], conversation.id, now)
            state = _state_of(conversation)
            outcome = self.engine.handle(state, Event.resume(), self._context(state.language, origin=origin))
            replies = await self._apply(connection, conversation, Event.resume(), outcome, origin, None)
            text = self._words(words.CARRIED_ON, conversation.language)
            await outbox.add(
                connection,
                [
                    Queued(
                        channel, address, Kind.NOTICE, {"text": text}, conversation.language, conversation.id
                    )
                    for channel, address in left
                ],
                utcnow(),
            )
        self._queued(None if left else origin)
        return self._result(conversation, replies, token=token)

    async def send_due_reminders(self) -> int:
        """Queue today's reminders in the outbox, each claimed in the same transaction: sent once,
        by whichever process gets there first, and delivered like any other message."""
        now = self.clock()
        async with transaction(self.db) as connection:
            due = await reminders.claim_due(connection, now.date(), now)
            items = [self._reminder(reminder) for reminder in due]
            await outbox.add(connection, items, utcnow())
        if items:
            self._queued(None)
        return len(items)

    def _reminder(self, due: reminders.Due) -> Queued:
        names = Listed(tuple(Text(self.engine.content.approach(a).name) for a in due.approaches))
        text = render(Text(words.REMINDER, {"names": names}), self.catalogs.translator(due.language))
        payload = {"text": text, "reminder": True}  # a channel may need a template for it (WhatsApp)
        return Queued(due.channel, due.address, Kind.NOTICE, payload, due.language, due.evaluation_id)

    async def say(
        self,
        origin: Origin,
        texts: Sequence[str],
        *,
        receipt_text: str | None = None,
        link: tuple[str, str] | None = None,
        language: str = "en",
    ) -> None:
        """Words to a chat outside any turn (a sticker was sent, a code was wrong), queued with the
        inbox message that caused them marked done, in one transaction. ``link``: a button (label,
        url) under the last of them."""
        async with transaction(self.db) as connection:
            now = utcnow()  # transport times are real time, whatever the conversation's clock
            items = self._receipt(origin, language, receipt_text)
            for number, text in enumerate(texts, start=1):
                payload: dict[str, Any] = {"text": text}
                if link is not None and number == len(texts):
                    payload["link"] = {"label": link[0], "url": link[1]}
                items.append(
                    Queued(origin.channel.name, origin.address or "", Kind.NOTICE, payload, language)
                )
            await outbox.add(connection, items, now)
            if origin.arrival is not None:
                await inbox.mark_processed(connection, origin.arrival, now)
        self._queued(origin)

    async def handoff(self, evaluation_id: str, token: str) -> str:
        """A resume code to carry on another device, without pausing here."""
        code = self.engine.ids.resume_code()
        try:
            async with transaction(self.db) as connection:
                conversation = await self._authorised(connection, evaluation_id, token, for_update=True)
                conversation.resume_code_hash = self._hash(normalise_code(code))
                conversation.resume_expires_at = self.clock() + timedelta(days=self.settings.resume_days)
                await store.save(connection, conversation)
        except (ConversationChanged, OperationalError):  # a turn saved it meanwhile: ask again
            raise TurnBusy("handoff") from None
        return code

    async def plan_html_for(self, evaluation_id: str, links: dict[str, str] | None = None) -> str:
        """The plan of an evaluation the caller has already authorised (a linked chat, a signed link);
        ``links``: the page's own addresses, such as its calendar file."""
        conversation = await self._finished(evaluation_id)
        return self._plan(conversation, links)

    async def calendar_for(self, evaluation_id: str) -> bytes:
        """The plan's re-check dates as a calendar file, for a caller that has authorised it."""
        conversation = await self._finished(evaluation_id)
        plan = self._built_plan(conversation)
        translator = self.catalogs.translator(conversation.language)
        return calendar_file(plan, conversation.id, translator, self.clock())

    async def _finished(self, evaluation_id: str) -> Conversation:
        async with self.db.connect() as connection:
            conversation = await store.load(connection, evaluation_id)
        if conversation is None:
            raise ConversationNotFound(evaluation_id)
        if conversation.status == Status.DELETED:
            raise ConversationGone(evaluation_id)
        return conversation

    async def everything(
        self, evaluation_id: str, token: str
    ) -> tuple[Conversation, Sequence[TranscriptEntry]]:
        """The conversation and its whole transcript, oldest first, for whoever holds its token."""
        async with self.sessions() as session:
            conversation = await self._authorised(await session.connection(), evaluation_id, token)
            return conversation, await repo.transcript(session, evaluation_id)

    async def plan_html(self, evaluation_id: str, token: str) -> str:
        async with self.db.connect() as connection:
            conversation = await self._authorised(connection, evaluation_id, token)
        return self._plan(conversation)

    def _built_plan(self, conversation: Conversation) -> Plan:
        if conversation.status not in FINISHED:
            raise PlanNotReady(conversation.id)
        made_on = conversation.completed_at.date() if conversation.completed_at else None
        return build_plan(_state_of(conversation), self.engine.content, made_on)

    def _plan(self, conversation: Conversation, links: dict[str, str] | None = None) -> str:
        plan = self._built_plan(conversation)
        language = conversation.language
        translator = self.catalogs.translator(language)
        return render_plan_html(plan, translator, language, self._direction(language), plan.made_on, links)

    # -- one turn -------------------------------------------------------------------------------

    async def _retrying(
        self,
        find: Callable[[AsyncConnection], Awaitable[Conversation]],
        event: Event,
        origin: Origin,
        client_message_id: str | None,
        expected_version: int | None,
    ) -> TurnResult:
        for attempt in range(ATTEMPTS):
            # A message sent again breaks the transcript's unique (conversation, client message id), so the
            # web looks for an earlier copy only after that: one query less on every other turn. A button
            # (expected_version) is checked first, so its repeat is not mistaken for a stale press; what
            # came through the inbox is applied once by it already.
            look_first = attempt > 0 or (expected_version is not None and origin.arrival is None)
            try:
                async with transaction(self.db) as connection:
                    conversation = await find(connection)
                    return await self._turn(
                        connection,
                        conversation,
                        event,
                        origin,
                        client_message_id,
                        expected_version,
                        look_first=look_first,
                    )
            except (ConversationChanged, OperationalError, IntegrityError):
                if attempt == ATTEMPTS - 1:
                    raise TurnBusy(origin.channel.name) from None
        raise AssertionError("unreachable")

    async def _turn(
        self,
        connection: AsyncConnection,
        conversation: Conversation,
        event: Event,
        origin: Origin,
        client_message_id: str | None,
        expected_version: int | None,
        *,
        look_first: bool = True,
    ) -> TurnResult:
        if client_message_id and look_first:
            earlier = await self._sent_before(connection, conversation, event, origin, client_message_id)
            if earlier is not None:
                return earlier
        if expected_version is not None and expected_version != conversation.version:
            raise StaleChoice(conversation.id)
        state = _state_of(conversation)
        near = state.position.step in _NEAR_ORGANISATION
        # The whole list: the engine offers a short one as buttons and searches a long one as people type.
        organisations = (
            await organisation_list.known_organisations(connection, limit=ORGANISATIONS_OFFERED)
            if near
            else []
        )
        context = self._context(state.language, tuple(organisations), origin=origin)
        label = (
            self.engine.choice_label(state, event.value, context) if event.kind is EventKind.CHOICE else None
        )
        outcome = self.engine.handle(state, event, context)
        if client_message_id and not look_first and any(isinstance(e, Erase) for e in outcome.effects):
            # Deleting keeps no transcript line, so the unique message id cannot stop a reused one here.
            earlier = await self._sent_before(connection, conversation, event, origin, client_message_id)
            if earlier is not None:
                return earlier
        replies = await self._apply(
            connection, conversation, event, outcome, origin, client_message_id, label
        )
        return self._result(conversation, replies, resume_code=_resume_code(outcome))

    async def _sent_before(
        self,
        connection: AsyncConnection,
        conversation: Conversation,
        event: Event,
        origin: Origin,
        client_message_id: str,
    ) -> TurnResult | None:
        """The stored result of a message sent again with its client message id; MessageIdReused if
        the id came with a different message (nothing is applied); None for a new id."""
        earlier = await store.replies_to(connection, conversation.id, client_message_id)
        if earlier is None:
            return None
        if origin.arrival is not None:  # its replies are in the outbox already, sent or not
            await inbox.mark_processed(connection, origin.arrival, utcnow())
        elif (earlier.kind, earlier.value) != (event.kind.value, event.value):
            raise MessageIdReused(client_message_id)
        return self._result(conversation, earlier.replies, repeated=True)

    async def _authorised(
        self, connection: AsyncConnection, evaluation_id: str, token: str, *, for_update: bool = False
    ) -> Conversation:
        """The token's conversation; ConversationGone once it was deleted, for every call alike."""
        conversation = await store.load(connection, evaluation_id, for_update=for_update)
        if conversation is None or not secrets_match(
            conversation.access_token_hash, token, self.settings.secret_key
        ):
            raise ConversationNotFound(evaluation_id)
        if conversation.status == Status.DELETED:
            raise ConversationGone(evaluation_id)
        return conversation

    async def _apply(
        self,
        connection: AsyncConnection,
        conversation: Conversation,
        event: Event | None,
        outcome: Outcome,
        origin: Origin,
        client_message_id: str | None,
        label: str | None = None,
        *,
        new: bool = False,
    ) -> list[dict[str, Any]]:
        """Store the outcome (a ``new`` conversation is added, any other saved) and its transcript lines;
        for a messenger, queue the replies and mark the inbox message done, in the same transaction."""
        now = self.clock()
        translator = self.catalogs.translator(outcome.state.language)
        rtl = self._direction(outcome.state.language) == "rtl"
        replies = [render_reply(reply, translator, rtl) for reply in outcome.replies]
        if conversation.status == Status.DELETED:  # it keeps nothing, not even what is sent to it later
            await self._deliver_later(connection, conversation, replies, origin)
            return replies
        keep = outcome.state.status != Status.DELETED
        channel = origin.channel.name
        lines: list[dict[str, Any]] = []  # the transcript lines, written in one statement
        if keep and event is not None:
            lines.append(self._input_line(conversation, event, channel, now, client_message_id, label))
        await self._store_state(connection, conversation, outcome.state)
        await self._carry_out(connection, conversation, outcome, now, origin)
        lines += [
            store.transcript_row(
                conversation, direction="out", channel=channel, at=now, text=reply["text"], payload=reply
            )
            for reply in (replies if keep else [])
        ]
        conversation.updated_at = now
        await (store.add if new else store.save)(connection, conversation)
        await store.add_transcripts(connection, lines)
        # Last: the buttons carry the version just saved, and deleting (above) empties the outbox first.
        await self._deliver_later(connection, conversation, replies, origin)
        return replies

    async def _deliver_later(
        self,
        connection: AsyncConnection,
        conversation: Conversation,
        replies: list[dict[str, Any]],
        origin: Origin,
    ) -> None:
        """A messenger's replies go to the outbox, after the receipt of what caused them; the inbox
        message is done. Nothing for a channel that answers in the request.

        The outbox and inbox keep real time (``utcnow``), not the conversation's clock: retries, leases
        and expiry measure what the network does.
        """
        if not origin.through_outbox:
            return
        now = utcnow()
        language = conversation.language
        items = self._receipt(origin, language)
        alone = len(replies) == 1
        for reply in replies:
            payload = {
                "reply": reply,
                "version": conversation.version,
                "context": origin.context,
                "alone": alone,
            }
            items.append(
                Queued(
                    origin.channel.name, origin.address or "", Kind.REPLY, payload, language, conversation.id
                )
            )
        await outbox.add(connection, items, now)
        if origin.arrival is not None:
            await inbox.mark_processed(connection, origin.arrival, now)

    def _receipt(self, origin: Origin, language: str, text: str | None = None) -> list[Queued]:
        """The channel's acknowledgement of what arrived (answering a button press): first, and never
        holding anything up; with ``text`` when it says something (a stale button)."""
        if origin.receipt is None:
            return []
        payload = {**origin.receipt, "text": text} if text else dict(origin.receipt)
        expires = utcnow() + RECEIPT_EXPIRES
        return [
            Queued(
                origin.channel.name,
                origin.address or "",
                Kind.RECEIPT,
                payload,
                language,
                None,
                False,
                expires,
            )
        ]

    def _queued(self, origin: Origin | None) -> None:
        """Something was committed to the outbox: wake whoever delivers it."""
        if origin is None or origin.through_outbox:
            for listener in self._outbox_listeners:
                listener()

    def _words(self, msgid: str, language: str) -> str:
        return render(Text(msgid), self.catalogs.translator(language))

    def _input_line(
        self,
        conversation: Conversation,
        event: Event,
        channel: str,
        now: datetime,
        client_message_id: str | None,
        label: str | None,
    ) -> dict[str, Any]:
        """What the person sent, as they saw it: the label of a tapped choice, the words typed."""
        payload: dict[str, Any] = {"kind": event.kind.value}
        if event.kind is EventKind.CHOICE:
            payload["choice"] = event.value
        text = "/resume" if event.kind is EventKind.RESUME else (label or event.value)
        return store.transcript_row(
            conversation,
            direction="in",
            channel=channel,
            at=now,
            text=text,
            payload=payload,
            client_message_id=client_message_id,
        )

    async def _store_state(
        self, connection: AsyncConnection, conversation: Conversation, state: ConversationState
    ) -> None:
        data = state.to_json()
        answers = data.pop("answers")
        organisation_changed = answers.get("organisation") != (conversation.answers or {}).get("organisation")
        conversation.state = data
        conversation.answers = answers
        conversation.step = state.position.step
        conversation.status = state.status
        conversation.language = state.language
        conversation.scope = answers.get("scope")
        if organisation_changed:
            await organisation_list.link_organisation(connection, conversation, answers.get("organisation"))

    async def _carry_out(
        self,
        connection: AsyncConnection,
        conversation: Conversation,
        outcome: Outcome,
        now: datetime,
        origin: Origin,
    ) -> None:
        for effect in outcome.effects:
            if isinstance(effect, IssueReturnCode):
                conversation.return_code_hash = self._hash(normalise_code(effect.code))
            elif isinstance(effect, Remind) and origin.address is not None:
                ids = effect.approaches
                await reminders.add(
                    connection,
                    conversation.id,
                    origin.channel.name,
                    origin.address,
                    effect.on,
                    ids,
                    conversation.language,
                    now,
                )
            elif isinstance(effect, IssueResumeCode):
                conversation.resume_code_hash = self._hash(normalise_code(effect.code))
                conversation.resume_expires_at = now + timedelta(days=self.settings.resume_days)
            elif isinstance(effect, Complete):
                conversation.completed_at = now
            elif isinstance(effect, Submit):
                destination = Destination(effect.destination)  # as the person chose at the consent step
                if await enqueue(connection, conversation.id, effect.reference, now, destination):
                    conversation.submitted_at = now
                    parts = {conversation.id: parts_of(conversation.answers, self._shape)}
                    await parts_store.write(connection, parts)  # what the board's collation sums
            elif isinstance(effect, Erase):
                await store.erase(connection, conversation)
                await withdraw(connection, conversation.id, self._shape)  # out of any roll-up

    # -- helpers --------------------------------------------------------------------------------

    def _context(self, language: str, organisations: tuple[str, ...] = (), *, origin: Origin) -> Context:
        return Context(
            translator=self.catalogs.translator(language),
            languages=self.catalogs.languages,
            organisations=organisations,
            resume_days=self.settings.resume_days,
            language_names=self.catalogs.names,
            today=self.clock().date(),
            tap_choices=origin.channel.abilities.buttons,
            reminders=origin.channel.abilities.reminders and origin.address is not None,
        )

    def _direction(self, language: str) -> str:
        found = self._directions.get(language)
        if found is None:
            found = self._directions[language] = self.catalogs.direction(language)
        return found

    def _hash(self, secret: str) -> str:
        return hash_secret(secret, self.settings.secret_key)

    def _result(
        self,
        conversation: Conversation,
        replies: list[dict[str, Any]],
        *,
        token: str | None = None,
        repeated: bool = False,
        resume_code: str | None = None,
    ) -> TurnResult:
        return TurnResult(
            evaluation_id=conversation.id,
            replies=replies,
            version=conversation.version,
            step=conversation.step,
            status=conversation.status,
            language=conversation.language,
            direction=self._direction(conversation.language),
            token=token,
            repeated=repeated,
            resume_code=resume_code,
        )


FINISHED = frozenset({Status.COMPLETED, Status.SUBMITTED})


def _previous(before: Conversation) -> Previous:
    """Last year's evaluation as the new one offers it back: who it was for and what was answered, with
    the first year's scores to measure from (carried forward from year to year)."""
    state = _state_of(before)
    answered = state.answers
    when = before.submitted_at or before.completed_at or before.created_at
    kept = Answers(
        scope=answered.scope,
        level=answered.level,
        organisation=answered.organisation,
        unit=answered.unit,
        activity=answered.activity,
        approaches=list(answered.approaches),
        by_approach={
            approach: ApproachAnswers(
                checklist=dict(given.checklist), score=given.score, confidence=given.confidence
            )
            for approach, given in answered.by_approach.items()
        },
        restorative=dict(answered.restorative),
    )
    scores = {a: g.score for a, g in answered.by_approach.items() if g.score is not None}
    first = state.previous
    return Previous(
        year=when.year,
        answers=kept,
        baseline_year=first.baseline_year if first else when.year,
        baseline_scores=dict(first.baseline_scores) if first else scores,
    )


def _resume_code(outcome: Outcome) -> str | None:
    return next((e.code for e in outcome.effects if isinstance(e, IssueResumeCode)), None)
