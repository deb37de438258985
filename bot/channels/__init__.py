"""The channel seam and what every messenger shares: reading what arrived into a turn, the lanes that
apply each chat's inbox in order and deliver its outbox.

``bot.channels.seam`` is the protocol; ``chats`` what a message from a chat does; ``lanes`` and
``delivery`` serve the chats. A new channel is one package under ``bot/`` implementing the seam
(see CONTRIBUTING.md, "Adding a channel").
"""

from bot.channels.seam import (
    LONGEST_MESSAGE,
    Abilities,
    Channel,
    DeliveryFailed,
    InAnswer,
    Inbound,
    Intent,
    Messenger,
    Origin,
    Outgoing,
    Sent,
    Step,
    text_limit,
)

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
