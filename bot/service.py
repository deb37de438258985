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
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

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
from storage import Evaluation, TranscriptEntry, hash_secret, secrets_match, utcnow
from storage import evaluations as repo
from storage.links import linked_evaluation, set_link, swap_keyboard
from storage.queue import enqueue

__all__ = [
    "ChatService",
    "ConversationNotFound",
    "PlanNotReady",
    "ResumeCodeInvalid",
    "TurnResult",
    "TurnBusy",
]

ATTEMPTS = 3
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


def _state_of(evaluation: Evaluation) -> ConversationState:
    return ConversationState.from_json({**evaluation.state, "answers": evaluation.answers})


class ChatService:
    def __init__(
        self,
        engine: Engine,
        sessions: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
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
        async with self.sessions.begin() as session:
            now = self.clock()
            evaluation = Evaluation(
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
            session.add(evaluation)
            if link is not None:
                await session.flush()
                await set_link(session, channel, link, evaluation.id, now)
            replies = await self._apply(session, evaluation, None, outcome, channel, None)
        return self._result(evaluation, replies, token=token)

    async def send(
        self, evaluation_id: str, token: str, event: Event, channel: str, client_message_id: str | None = None
    ) -> TurnResult:
        """One turn for whoever holds the conversation's token (the web)."""

        async def find(session: AsyncSession) -> Evaluation:
            return await self._authorised(session, evaluation_id, token, for_update=True)

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

        async def find(session: AsyncSession) -> Evaluation:
            evaluation_id = await linked_evaluation(session, channel, link)
            evaluation = await repo.get_evaluation(session, evaluation_id or "", for_update=True)
            if evaluation is None:
                raise ConversationNotFound(link)
            return evaluation

        return await self._retrying(find, event, channel, dedupe_key, expected_version, repeat_as_none=True)

    async def linked(self, channel: str, link: str) -> TurnResult | None:
        """Where a linked chat's conversation stands, without changing it."""
        async with self.sessions() as session:
            evaluation_id = await linked_evaluation(session, channel, link)
            evaluation = await repo.get_evaluation(session, evaluation_id or "")
        return self._result(evaluation, []) if evaluation is not None else None

    async def resume(
        self, code: str, channel: str, link: str | None = None, request_id: str | None = None
    ) -> TurnResult:
        """Carry on with a resume code, perhaps on another device: the code is used up.

        With a ``request_id``, the same code and id sent again after a lost answer get the same
        conversation and token again (bot/resumes.py).
        """
        secret = self.settings.secret_key
        token = new_token() if request_id is None else resume_token(secret, code, request_id)
        async with self.sessions.begin() as session:
            now = self.clock()
            evaluation = await repo.find_by_resume_code(session, self._hash(normalise_code(code)), now)
            if evaluation is None and request_id is not None:
                again = await already_resumed(session, self._hash(token))
                if again is not None:
                    return self._result(again[0], again[1], token=token, repeated=True)
            if evaluation is None or evaluation.status == Status.DELETED:
                raise ResumeCodeInvalid
            evaluation.access_token_hash = self._hash(token)
            evaluation.resume_code_hash = None
            evaluation.resume_expires_at = None
            if link is not None:
                await set_link(session, channel, link, evaluation.id, now)
            state = _state_of(evaluation)
            outcome = self.engine.handle(state, Event.resume(), self._context(state.language))
            replies = await self._apply(session, evaluation, Event.resume(), outcome, channel, None)
        return self._result(evaluation, replies, token=token)

    async def handoff(self, evaluation_id: str, token: str) -> str:
        """A resume code to carry on another device, without pausing here."""
        code = self.engine.ids.resume_code()
        async with self.sessions.begin() as session:
            evaluation = await self._authorised(session, evaluation_id, token, for_update=True)
            if evaluation.status == Status.DELETED:
                raise ConversationNotFound(evaluation_id)
            evaluation.resume_code_hash = self._hash(normalise_code(code))
            evaluation.resume_expires_at = self.clock() + timedelta(days=self.settings.resume_days)
        return code

    async def swap_keyboard(self, channel: str, link: str, message_id: int | None) -> int | None:
        """For chats whose old buttons must go: the message with live buttons now, and the one before."""
        async with self.sessions.begin() as session:
            return await swap_keyboard(session, channel, link, message_id)

    async def plan_html_for(self, evaluation_id: str) -> str:
        """The plan of an evaluation the caller has already authorised (a linked chat)."""
        async with self.sessions() as session:
            evaluation = await repo.get_evaluation(session, evaluation_id)
        if evaluation is None:
            raise ConversationNotFound(evaluation_id)
        return self._plan(evaluation)

    async def transcript(self, evaluation_id: str, token: str) -> Sequence[TranscriptEntry]:
        async with self.sessions() as session:
            await self._authorised(session, evaluation_id, token)
            return await repo.transcript(session, evaluation_id)

    async def plan_html(self, evaluation_id: str, token: str) -> str:
        async with self.sessions() as session:
            evaluation = await self._authorised(session, evaluation_id, token)
        return self._plan(evaluation)

    def _plan(self, evaluation: Evaluation) -> str:
        if evaluation.status not in {Status.COMPLETED, Status.SUBMITTED}:
            raise PlanNotReady(evaluation.id)
        language = evaluation.language
        plan = build_plan(_state_of(evaluation), self.engine.content)
        made_on = evaluation.completed_at.date() if evaluation.completed_at else None
        translator = self.catalogs.translator(language)
        return render_plan_html(plan, translator, language, self._direction(language), made_on)

    # -- one turn -------------------------------------------------------------------------------

    async def _retrying(
        self,
        find: Callable[[AsyncSession], Awaitable[Evaluation]],
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
                async with self.sessions.begin() as session:
                    evaluation = await find(session)
                    return await self._turn(
                        session,
                        evaluation,
                        event,
                        channel,
                        client_message_id,
                        expected_version,
                        repeat_as_none,
                        look_first=look_first,
                    )
            except (StaleDataError, OperationalError, IntegrityError):
                if attempt == ATTEMPTS - 1:
                    raise TurnBusy(channel) from None
        raise AssertionError("unreachable")

    async def _turn(
        self,
        session: AsyncSession,
        evaluation: Evaluation,
        event: Event,
        channel: str,
        client_message_id: str | None,
        expected_version: int | None,
        repeat_as_none: bool,
        *,
        look_first: bool = True,
    ) -> TurnResult | None:
        if client_message_id and look_first:
            earlier = await repo.find_replies_to(session, evaluation.id, client_message_id)
            if earlier is not None:
                return (
                    None
                    if repeat_as_none
                    else self._result(evaluation, [e.payload or {} for e in earlier], repeated=True)
                )
        if expected_version is not None and expected_version != evaluation.version:
            raise StaleChoice(evaluation.id)
        state = _state_of(evaluation)
        near = state.position.step in _NEAR_ORGANISATION
        organisations = await repo.known_organisations(session) if near else []
        context = self._context(state.language, tuple(organisations))
        label = (
            self.engine.choice_label(state, event.value, context) if event.kind is EventKind.CHOICE else None
        )
        outcome = self.engine.handle(state, event, context)
        replies = await self._apply(session, evaluation, event, outcome, channel, client_message_id, label)
        await session.flush()  # the new version number is known from here on
        return self._result(evaluation, replies, resume_code=_resume_code(outcome))

    async def _authorised(
        self, session: AsyncSession, evaluation_id: str, token: str, *, for_update: bool = False
    ) -> Evaluation:
        evaluation = await repo.get_evaluation(session, evaluation_id, for_update=for_update)
        if evaluation is None or not secrets_match(
            evaluation.access_token_hash, token, self.settings.secret_key
        ):
            raise ConversationNotFound(evaluation_id)
        return evaluation

    async def _apply(
        self,
        session: AsyncSession,
        evaluation: Evaluation,
        event: Event | None,
        outcome: Outcome,
        channel: str,
        client_message_id: str | None,
        label: str | None = None,
    ) -> list[dict[str, Any]]:
        now = self.clock()
        translator = self.catalogs.translator(outcome.state.language)
        rtl = self._direction(outcome.state.language) == "rtl"
        replies = [render_reply(reply, translator, rtl) for reply in outcome.replies]
        if evaluation.status == Status.DELETED:
            return replies  # a deleted conversation keeps nothing, not even what is sent to it later
        keep = outcome.state.status != Status.DELETED
        lines: list[dict[str, Any]] = []  # the transcript lines, written in one statement
        if keep and event is not None:
            lines.append(self._input_line(evaluation, event, channel, now, client_message_id, label))
        await self._store_state(session, evaluation, outcome.state)
        await self._carry_out(session, evaluation, outcome, now)
        lines += [
            repo.transcript_row(
                evaluation, direction="out", channel=channel, at=now, text=reply["text"], payload=reply
            )
            for reply in (replies if keep else [])
        ]
        evaluation.updated_at = now
        await repo.add_transcripts(session, lines)
        return replies

    def _input_line(
        self,
        evaluation: Evaluation,
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
        return repo.transcript_row(
            evaluation,
            direction="in",
            channel=channel,
            at=now,
            text=text,
            payload=payload,
            client_message_id=client_message_id,
        )

    async def _store_state(
        self, session: AsyncSession, evaluation: Evaluation, state: ConversationState
    ) -> None:
        data = state.to_json()
        answers = data.pop("answers")
        if answers.get("organisation") != (evaluation.answers or {}).get("organisation"):
            await repo.link_organisation(session, evaluation, answers.get("organisation"))
        evaluation.state = data
        evaluation.answers = answers
        evaluation.step = state.position.step
        evaluation.status = state.status
        evaluation.language = state.language
        evaluation.scope = answers.get("scope")

    async def _carry_out(
        self, session: AsyncSession, evaluation: Evaluation, outcome: Outcome, now: datetime
    ) -> None:
        for effect in outcome.effects:
            if isinstance(effect, IssueResumeCode):
                evaluation.resume_code_hash = self._hash(normalise_code(effect.code))
                evaluation.resume_expires_at = now + timedelta(days=self.settings.resume_days)
            elif isinstance(effect, Complete):
                evaluation.completed_at = now
            elif isinstance(effect, Submit):
                await enqueue(session, evaluation, effect.reference, now)
            elif isinstance(effect, Erase):
                await repo.erase(session, evaluation)

    # -- helpers --------------------------------------------------------------------------------

    def _context(self, language: str, organisations: tuple[str, ...] = ()) -> Context:
        return Context(
            translator=self.catalogs.translator(language),
            languages=self.catalogs.languages,
            organisations=organisations,
            resume_days=self.settings.resume_days,
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
        evaluation: Evaluation,
        replies: list[dict[str, Any]],
        *,
        token: str | None = None,
        repeated: bool = False,
        resume_code: str | None = None,
    ) -> TurnResult:
        return TurnResult(
            evaluation_id=evaluation.id,
            replies=replies,
            version=evaluation.version or 0,
            step=evaluation.step,
            status=evaluation.status,
            language=evaluation.language,
            direction=self._direction(evaluation.language),
            token=token,
            repeated=repeated,
            resume_code=resume_code,
        )


def _resume_code(outcome: Outcome) -> str | None:
    return next((e.code for e in outcome.effects if isinstance(e, IssueResumeCode)), None)
