"""A resume whose answer was lost can be sent again.

A resume code works once: the first call uses it up and issues a new token. If that answer never
reaches the client (the connection dropped, the server died after committing), sending the code again
would only get "used already", and the conversation would be out of reach on both devices.

So a client may send a ``request_id`` with the code: a random string it makes and keeps until it has an
answer. The new token is then derived from the code and that id with the server's key, and the same
code with the same id, sent again, finds the conversation by that token and gets it again. Someone who
saw the code but not the id gets nothing; without a ``request_id`` nothing changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.ids import normalise_code
from storage import conversations
from storage.conversations import Conversation

__all__ = ["REQUEST_ID_PATTERN", "already_resumed", "resume_token"]

REQUEST_ID_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
DELETED = "deleted"


def resume_token(secret_key: bytes, code: str, request_id: str) -> str:
    """The token a resume with this code and request id issues: 256 bits, like ``new_token``."""
    message = b"resume-token\0" + normalise_code(code).encode() + b"\0" + request_id.encode()
    digest = hmac.new(hashlib.sha256(b"resume:" + secret_key).digest(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def already_resumed(
    connection: AsyncConnection, token_hash: str
) -> tuple[Conversation, list[dict[str, Any]]] | None:
    """The conversation that resume gave this token to, with its latest replies; None if there is none."""
    conversation = await conversations.by_token(connection, token_hash)
    if conversation is None or conversation.status == DELETED:
        return None
    return conversation, await conversations.last_replies(connection, conversation.id)
