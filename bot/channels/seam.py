"""The channel seam: what every channel gives the turn service, and what a messenger adds.

Every channel (the web, the terminal, Telegram, WhatsApp) turns what arrived into an engine event
with an idempotency key, and shows replies with what it can do. The turn service sees only this:
a ``Channel``'s name and ``Abilities``, and an ``Origin`` (where a turn came from, where its replies
go). It knows no channel by name.

Two ways replies leave:

- **in the answer** (the web, the terminal): the person is waiting on the request, so the replies
  go back in its answer; the transcript keeps them, and a repeated request gets them again.
- **through the outbox** (Telegram, WhatsApp): the replies are written in the turn's own
  transaction and delivered after it commits, by whoever holds the chat's lane
  (``bot/channels/lanes.py``). Such a channel is a ``Messenger``: it ``read``s what its server sent
  into an ``Inbound``, and breaks each outbox message into the ``steps`` (API calls) that show it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from dialogs import Event

__all__ = [
    "LONGEST_MESSAGE",
    "Abilities",
    "Channel",
    "DeliveryFailed",
    "InAnswer",
    "Inbound",
    "Intent",
    "Messenger",
    "Origin",
    "Outgoing",
    "Sent",
    "Step",
    "text_limit",
]

# The longest text a person can send in one Telegram or WhatsApp message.
LONGEST_MESSAGE = 4096


def text_limit(max_text: int) -> int:
    """The engine's limit on what it is given: what a messenger can send in one message, or
    ICF_MAX_TEXT if that is more. The web and the terminal refuse more than ICF_MAX_TEXT themselves,
    so no message a person could send on a messenger is ever refused as too long."""
    return max(max_text, LONGEST_MESSAGE)


@dataclass(frozen=True, slots=True)
class Abilities:
    """What a channel can show and how its replies leave."""

    buttons: bool = True  # choices are tapped; False: shown as numbers to type (the terminal)
    answers_in_request: bool = False  # replies go back in the request's answer, not through the outbox
    reminders: bool = False  # can write to the person later, unasked (a reminder on a chosen day)


class Channel(Protocol):
    """Every channel: its name (stored with each transcript line) and what it can do."""

    @property
    def name(self) -> str: ...

    @property
    def abilities(self) -> Abilities: ...


@dataclass(frozen=True, slots=True)
class InAnswer:
    """A channel whose replies go back in the answer to the request that caused them."""

    name: str
    abilities: Abilities = Abilities(answers_in_request=True)


class Intent(StrEnum):
    """What an inbound message asks for."""

    TURN = "turn"  # an answer or a command for the conversation: the engine's event
    START = "start"  # start, or carry on with the chat's conversation if it has one going
    RESUME = "resume"  # carry on with a resume code (``value``)
    PRIVACY = "privacy"  # where to read how the data is used
    SAY = "say"  # only words back, no turn (``value``: the message id); a sticker, an edited message
    IGNORE = "ignore"  # nothing to do: a group's chatter, a command for another bot


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a chat, as its channel read it."""

    intent: Intent
    event: Event | None = None  # TURN
    value: str = ""  # RESUME: the code; SAY: the message id
    expected_version: int | None = None  # a button carries the version it was shown with
    hint: str | None = None  # the person's language, as their device says
    receipt: dict[str, Any] | None = None  # to acknowledge (answer a button press), best effort
    context: dict[str, Any] | None = None  # handed back with each reply (the message a button was on)
    link: tuple[str, str] | None = None  # SAY: a button (message id of its label, url) to go elsewhere


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a turn came from, and where its replies go."""

    channel: Channel
    address: str | None = None  # the chat, on a channel that vouches for its people (a messenger)
    key: str | None = None  # the idempotency key of what arrived (the channel's own message id)
    arrival: int | None = None  # the inbox row it came from: marked done in the turn's transaction
    receipt: dict[str, Any] | None = None
    context: dict[str, Any] | None = None

    @property
    def through_outbox(self) -> bool:
        return self.address is not None and not self.channel.abilities.answers_in_request


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One outbox message, as a messenger is asked to show it."""

    id: int
    address: str
    kind: str  # storage.outbox.Kind
    payload: dict[str, Any]
    language: str
    evaluation_id: str | None = None
    live_message_id: str | None = None  # the chat's message whose buttons can still be pressed
    reach: str | None = None  # how to reach the chat, if its address is only a hash (storage.inbox.Arrived)


@dataclass(frozen=True, slots=True)
class Sent:
    """What one call made: the channel's id for the message, and whether it holds the live buttons
    now (the chat's older buttons are then taken away)."""

    message_id: str | None = None
    buttons: bool = False


Step = Callable[[], Awaitable[Sent]]


class DeliveryFailed(Exception):
    """A call did not go through. Tried again later unless ``permanent``; ``retry_after`` is the
    channel's own word on when (a 429's retry_after)."""

    def __init__(self, reason: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


class Messenger(Channel, Protocol):
    """A channel that delivers through the outbox."""

    def read(self, payload: Mapping[str, Any]) -> Inbound:
        """What one stored inbox message asks for. Pure: no I/O, the same every time."""
        ...

    def steps(self, outgoing: Outgoing) -> Sequence[Step]:
        """The calls that show one outbox message, in order. The same payload gives the same
        steps, so a retry goes on from the first call not yet confirmed."""
        ...
