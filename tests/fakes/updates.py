"""Builders for real-shaped Telegram Update JSON: ``message("/start", language="ur")``."""

from __future__ import annotations

import itertools
import time
from typing import Any

_ids = itertools.count(500_000)
CHAT_ID = 777_001
GROUP_ID = -100_555_001


def next_id() -> int:
    return next(_ids)


def _user(user_id: int, language: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Sam"}
    if language:
        user["language_code"] = language
    return user


def _chat(chat_id: int, kind: str = "private") -> dict[str, Any]:
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": "Sam"}
    return {"id": chat_id, "type": kind, "title": "Ravensthorpe volunteers"}


def message(
    text: str,
    *,
    chat_id: int = CHAT_ID,
    language: str | None = "en",
    update_id: int | None = None,
    chat_type: str = "private",
    user_id: int | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": _chat(chat_id, chat_type),
        "from": _user(user_id or abs(chat_id), language),
        "text": text,
    }
    entities = []
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities.append({"type": "bot_command", "offset": 0, "length": len(command)})
    for word in text.split():
        if word.startswith("@"):
            entities.append({"type": "mention", "offset": text.index(word), "length": len(word)})
    if entities:
        body["entities"] = entities
    return {"update_id": update_id if update_id is not None else next(_ids), "message": body}


def in_group(
    text: str, *, chat_id: int = GROUP_ID, user_id: int = 880_001, language: str = "en"
) -> dict[str, Any]:
    return message(text, chat_id=chat_id, chat_type="supergroup", user_id=user_id, language=language)


def callback(
    data: str, *, message_id: int, chat_id: int = CHAT_ID, language: str | None = "en"
) -> dict[str, Any]:
    bot_message = {"message_id": message_id, "date": int(time.time()), "chat": _chat(chat_id), "text": "…"}
    query = {
        "id": str(next(_ids)),
        "from": _user(chat_id, language),
        "chat_instance": "ci-1",
        "data": data,
        "message": bot_message,
    }
    return {"update_id": next(_ids), "callback_query": query}


def sticker(*, chat_id: int = CHAT_ID) -> dict[str, Any]:
    body = message("x", chat_id=chat_id)
    del body["message"]["text"]
    body["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "us1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return body


def photo(*, chat_id: int = CHAT_ID, caption: str | None = None) -> dict[str, Any]:
    body = message("x", chat_id=chat_id)
    del body["message"]["text"]
    body["message"]["photo"] = [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]
    if caption is not None:
        body["message"]["caption"] = caption
    return body


def edited(text: str, *, chat_id: int = CHAT_ID) -> dict[str, Any]:
    body = message(text, chat_id=chat_id)
    body["message"]["edit_date"] = int(time.time())
    return {"update_id": body["update_id"], "edited_message": body["message"]}
