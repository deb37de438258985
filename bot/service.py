"""One conversation turn, end to end: load, apply the engine, store, commit, then reply.

Every channel (web, terminal, Telegram) goes through here, so a conversation can move between
them and any process can serve any turn. Nothing is kept in memory between turns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.ids import new_evaluation_id, new_token, normalise_code
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
    Outcome,
    Status,
    Step,
    Submit,
    build_plan,
    render_plan_html,
)
from storage import TranscriptEntry, create_sessionmaker, hash_secret, secrets_match, transaction, utcnow
from storage import conversations as store
from storage import evaluations as repo
from storage import organisations as organisation_list
from storage.conversations import Conversation, ConversationChanged
from storage.links import linked_evaluation, set_link, swap_keyboard
from storage.queue import Destination, enqueue

__all__ = [
    "ChatService",
    "ConversationNotFound",
    "PlanNotReady",
    "ResumeCodeInvalid",
    "TurnResult",
    "TurnBusy",
]

ATTEMPTS = 3
ORGANISATIONS_OFFERED = 2000  # the board's list, for the chat to offer and search
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


class ResumeCodeInvalid(LookupError):
    """The code is wrong, used already or expired."""


class PlanNotReady(LookupError):
    """The plan exists only once every part has been answered and reviewed."""


class StaleChoice(LookupError):
    """A button from an earlier question was pressed: it changes nothing."""


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
        self.db = db  # turns: plain SQL on a connection (storage.conversations)
        self.sessions = create_sessionmaker(db)  # the ORM, for reading transcripts and for the board
        self.catalogs = catalogs
        self.settings = settings
        self.clock = clock
        self._directions: dict[str, str] = {}  # babel's locale lookup costs more than a reply: kept

    # -- public API -----------------------------------------------------------------------------

    async def start(self, channel: str, language: str | None = None, link: str | None = None) -> TurnResult:
        """A new evaluation; ``link`` ties a chat on ``channel`` (a Telegram chat id) to it."""
        chosen = self.catalogs.best_match(language)
        outcome = self.engine.start(self._context(chosen), chosen)
        token = new_token()
        async with transaction(self.db) as connection:
            now = self.clock()
            conversation = Conversation(
                id=new_evaluation_id(),
                channel=channel,
                access_token_hash=self._hash(token),
                created_at=now,
                updated_at=now,
                language=outcome.state.language,
                content_version=outcome.state.content_version,
                status=outcome.state.status,
                step=outcome.state.position.step,
                state={},
                answers={},
            )
            replies = await self._apply(connection, conversation, None, outcome, channel, None, new=True)
            if link is not None:
                await set_link(connection, channel, link, conversation.id, now)
        return self._result(conversation, replies, token=token)

    async def send(
        self, evaluation_id: str, token: str, event: Event, channel: str, client_message_id: str | None = None
    ) -> TurnResult:
        """One turn for whoever holds the conversation's token (the web)."""

        async def find(connection: AsyncConnection) -> Conversation:
            return await self._authorised(connection, evaluation_id, token, for_update=True)

        result = await self._retrying(find, event, channel, client_message_id, None)
        assert result is not None  # noqa: S101 - only a linked channel's repeat returns None
        return result

    async def send_linked(
        self, channel: str, link: str, event: Event, *, dedupe_key: str, expected_version: int | None = None
    ) -> TurnResult | None:
        """One turn for a chat on a channel that vouches for its users (Telegram).

        Returns None when ``dedupe_key`` was applied already: the channel delivered it again.
        Raises StaleChoice when a button from an earlier question (``expected_version``) is pressed.
        """

        async def find(connection: AsyncConnection) -> Conversation:
            evaluation_id = await linked_evaluation(connection, channel, link)
            conversation = await store.load(connection, evaluation_id or "", for_update=True)
            if conversation is None:
                raise ConversationNotFound(link)
            return conversation

        return await self._retrying(find, event, channel, dedupe_key, expected_version, repeat_as_none=True)

    async def linked(self, channel: str, link: str) -> TurnResult | None:
        """Where a linked chat's conversation stands, without changing it."""
        async with self.db.connect() as connection:
            evaluation_id = await linked_evaluation(connection, channel, link)
            conversation = await store.load(connection, evaluation_id or "")
        return self._result(conversation, []) if conversation is not None else None

    async def resume(
        self, code: str, channel: str, link: str | None = None, request_id: str | None = None
    ) -> TurnResult:
        """Carry on with a resume code, perhaps on another device: the code is used up.

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
            if link is not None:
                await set_link(connection, channel, link, conversation.id, now)
            state = _state_of(conversation)
            outcome = self.engine.handle(state, Event.resume(), self._context(state.language))
            replies = await self._apply(connection, conversation, Event.resume(), outcome, channel, None)
        return self._result(conversation, replies, token=token)

    async def handoff(self, evaluation_id: str, token: str) -> str:
        """A resume code to carry on another device, without pausing here."""
        code = self.engine.ids.resume_code()
        async with transaction(self.db) as connection:
            conversation = await self._authorised(connection, evaluation_id, token, for_update=True)
            if conversation.status == Status.DELETED:
                raise ConversationNotFound(evaluation_id)
            conversation.resume_code_hash = self._hash(normalise_code(code))
            conversation.resume_expires_at = self.clock() + timedelta(days=self.settings.resume_days)
            await store.save(connection, conversation)
        return code

    async def swap_keyboard(self, channel: str, link: str, message_id: int | None) -> int | None:
        """For chats whose old buttons must go: the message with live buttons now, and the one before."""
        async with transaction(self.db) as connection:
            return await swap_keyboard(connection, channel, link, message_id)

    async def plan_html_for(self, evaluation_id: str) -> str:
        """The plan of an evaluation the caller has already authorised (a linked chat)."""
        async with self.db.connect() as connection:
            conversation = await store.load(connection, evaluation_id)
        if conversation is None:
            raise ConversationNotFound(evaluation_id)
        return self._plan(conversation)

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

    def _plan(self, conversation: Conversation) -> str:
        if conversation.status not in {Status.COMPLETED, Status.SUBMITTED}:
            raise PlanNotReady(conversation.id)
        language = conversation.language
        made_on = conversation.completed_at.date() if conversation.completed_at else None
        plan = build_plan(_state_of(conversation), self.engine.content, made_on)
        translator = self.catalogs.translator(language)
        return render_plan_html(plan, translator, language, self._direction(language), made_on)

    # -- one turn -------------------------------------------------------------------------------

    async def _retrying(
        self,
        find: Callable[[AsyncConnection], Awaitable[Conversation]],
        event: Event,
        channel: str,
        client_message_id: str | None,
        expected_version: int | None,
        *,
        repeat_as_none: bool = False,
    ) -> TurnResult | None:
        for attempt in range(ATTEMPTS):
            # A message sent again breaks the transcript's unique (conversation, client message id), so the
            # web looks for an earlier copy only after that: one query less on every other turn. A button
            # (expected_version) is checked first, so its repeat is not mistaken for a stale press.
            look_first = attempt > 0 or expected_version is not None
            try:
                async with transaction(self.db) as connection:
                    conversation = await find(connection)
                    return await self._turn(
                        connection,
                        conversation,
                        event,
                        channel,
                        client_message_id,
                        expected_version,
                        repeat_as_none,
                        look_first=look_first,
                    )
            except (ConversationChanged, OperationalError, IntegrityError):
                if attempt == ATTEMPTS - 1:
                    raise TurnBusy(channel) from None
        raise AssertionError("unreachable")

    async def _turn(
        self,
        connection: AsyncConnection,
        conversation: Conversation,
        event: Event,
        channel: str,
        client_message_id: str | None,
        expected_version: int | None,
        repeat_as_none: bool,
        *,
        look_first: bool = True,
    ) -> TurnResult | None:
        if client_message_id and look_first:
            earlier = await store.replies_to(connection, conversation.id, client_message_id)
            if earlier is not None:
                return None if repeat_as_none else self._result(conversation, earlier, repeated=True)
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
        context = self._context(state.language, tuple(organisations))
        label = (
            self.engine.choice_label(state, event.value, context) if event.kind is EventKind.CHOICE else None
        )
        outcome = self.engine.handle(state, event, context)
        replies = await self._apply(
            connection, conversation, event, outcome, channel, client_message_id, label
        )
        return self._result(conversation, replies, resume_code=_resume_code(outcome))

    async def _authorised(
        self, connection: AsyncConnection, evaluation_id: str, token: str, *, for_update: bool = False
    ) -> Conversation:
        conversation = await store.load(connection, evaluation_id, for_update=for_update)
        if conversation is None or not secrets_match(
            conversation.access_token_hash, token, self.settings.secret_key
        ):
            raise ConversationNotFound(evaluation_id)
        return conversation

    async def _apply(
        self,
        connection: AsyncConnection,
        conversation: Conversation,
        event: Event | None,
        outcome: Outcome,
        channel: str,
        client_message_id: str | None,
        label: str | None = None,
        *,
        new: bool = False,
    ) -> list[dict[str, Any]]:
        """Store the outcome (a ``new`` conversation is added, any other saved) and its transcript lines."""
        now = self.clock()
        translator = self.catalogs.translator(outcome.state.language)
        rtl = self._direction(outcome.state.language) == "rtl"
        replies = [render_reply(reply, translator, rtl) for reply in outcome.replies]
        if conversation.status == Status.DELETED:
            return replies  # a deleted conversation keeps nothing, not even what is sent to it later
        keep = outcome.state.status != Status.DELETED
        lines: list[dict[str, Any]] = []  # the transcript lines, written in one statement
        if keep and event is not None:
            lines.append(self._input_line(conversation, event, channel, now, client_message_id, label))
        await self._store_state(connection, conversation, outcome.state)
        await self._carry_out(connection, conversation, outcome, now)
        lines += [
            store.transcript_row(
                conversation, direction="out", channel=channel, at=now, text=reply["text"], payload=reply
            )
            for reply in (replies if keep else [])
        ]
        conversation.updated_at = now
        await (store.add if new else store.save)(connection, conversation)
        await store.add_transcripts(connection, lines)
        return replies

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
        self, connection: AsyncConnection, conversation: Conversation, outcome: Outcome, now: datetime
    ) -> None:
        for effect in outcome.effects:
            if isinstance(effect, IssueResumeCode):
                conversation.resume_code_hash = self._hash(normalise_code(effect.code))
                conversation.resume_expires_at = now + timedelta(days=self.settings.resume_days)
            elif isinstance(effect, Complete):
                conversation.completed_at = now
            elif isinstance(effect, Submit):
                destination = Destination(effect.destination)  # as the person chose at the consent step
                if await enqueue(connection, conversation.id, effect.reference, now, destination):
                    conversation.submitted_at = now
            elif isinstance(effect, Erase):
                await store.erase(connection, conversation)

    # -- helpers --------------------------------------------------------------------------------

    def _context(self, language: str, organisations: tuple[str, ...] = ()) -> Context:
        return Context(
            translator=self.catalogs.translator(language),
            languages=self.catalogs.languages,
            organisations=organisations,
            resume_days=self.settings.resume_days,
            language_names=self.catalogs.names,
            today=self.clock().date(),
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


def _resume_code(outcome: Outcome) -> str | None:
    return next((e.code for e in outcome.effects if isinstance(e, IssueResumeCode)), None)
