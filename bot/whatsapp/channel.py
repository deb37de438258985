"""WhatsApp as a messenger of the channel seam: webhook messages read into inbound messages, outbox
messages shown as text, reply buttons, lists or numbered text, and the plan as a document.

Holds no conversation state. A chat's address is a keyed hash of the person's number
(``storage.hash_secret``): the number itself is kept only on the chat's lane (``reach``), to answer
it, and never in what is stored of their messages. The person's language is only ever the one
they chose in the chat: never guessed from the number's country.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update

from bot.channels import messages as words
from bot.channels.seam import Abilities, DeliveryFailed, Inbound, Intent, Outgoing, Sent, Step
from bot.plan_links import PlanLinks
from bot.service import ChatService
from bot.whatsapp import messages as wm
from bot.whatsapp import options
from bot.whatsapp.api import GraphApi
from bot.whatsapp.text import BODY_LIMIT, pieces
from dialogs import Event, Text, render
from dialogs import Step as Asked
from storage import ChannelLink, Lane, hash_secret, transaction, utcnow
from storage.inbox import Arrived
from storage.outbox import Kind

__all__ = ["CHANNEL", "WhatsAppChannel", "arrivals"]

CHANNEL = "whatsapp"
PLAN_FILE = "support-plan.html"
# WhatsApp takes documents only as text, PDF or office files: the printable page goes as text,
# named .html so the phone opens it in its browser.
PLAN_TYPE = "text/plain"
# Kinds of message that are a person's own words, typed or under a photo or file.
_CAPTIONED = ("image", "video", "document")
# Kinds that need no answer: WhatsApp's own notices (a number changed), a chat opened.
_NOTHING_TO_ANSWER = {"system", "request_welcome", "ephemeral"}
_DIRECTION_MARKS = "\u200e\u200f\u2066\u2067\u2068\u2069\u202a\u202b\u202c"


def arrivals(
    body: Mapping[str, Any], phone_number_id: str, key: bytes
) -> tuple[list[Arrived], list[dict[str, Any]]]:
    """A webhook's messages as the inbox keeps them (by wamid, in the chat of the number's keyed
    hash, the number only as ``reach``), and its status updates; what is for another number is left."""
    messages: list[Arrived] = []
    statuses: list[dict[str, Any]] = []
    for entry in _list(body.get("entry")):
        for change in _list(entry.get("changes")):
            value = _dict(change.get("value"))
            metadata = _dict(value.get("metadata"))
            if change.get("field") != "messages" or str(metadata.get("phone_number_id")) != phone_number_id:
                continue
            statuses += [s for s in _list(value.get("statuses")) if isinstance(s.get("id"), str)]
            for message in _list(value.get("messages")):
                arrived = _arrived(message, key)
                if arrived is not None:
                    messages.append(arrived)
    return messages, statuses


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _arrived(message: Mapping[str, Any], key: bytes) -> Arrived | None:
    wamid, number = message.get("id"), message.get("from")
    if not isinstance(wamid, str) or not isinstance(number, str) or not number.isdigit():
        return None
    kept = {name: value for name, value in message.items() if name != "from"}  # no number in the inbox
    timestamp = str(message.get("timestamp") or "")
    sequence = int(timestamp) if timestamp.isdigit() else None
    return Arrived(CHANNEL, wamid, hash_secret(number, key), kept, sequence=sequence, reach=number)


class WhatsAppChannel:
    name = CHANNEL

    def __init__(
        self,
        api: GraphApi,
        service: ChatService,
        plan_links: PlanLinks,
        clock: Callable[[], datetime] = utcnow,
        *,
        reminder_template: str = "",
    ) -> None:
        self.api = api
        self.service = service
        self.plan_links = plan_links
        self.clock = clock
        self.reminder_template = reminder_template
        # Outside the 24-hour window WhatsApp takes only pre-approved templates: reminders only with one.
        self.abilities = Abilities(buttons=True, reminders=bool(reminder_template))

    # -- what arrived ---------------------------------------------------------------------------

    def read(self, payload: Mapping[str, Any]) -> Inbound:
        kind = str(payload.get("type") or "")
        wamid = payload.get("id")
        receipt = {"wamid": wamid} if isinstance(wamid, str) else None
        if kind in _NOTHING_TO_ANSWER:
            return Inbound(Intent.IGNORE)
        if kind == "text":
            return self._typed(str((payload.get("text") or {}).get("body") or ""), receipt)
        if kind == "interactive":
            return self._picked(payload.get("interactive") or {}, receipt)
        if kind == "button":  # a quick reply under a template (the reminder): its words, as typed
            return self._typed(str((payload.get("button") or {}).get("text") or ""), receipt)
        if kind in _CAPTIONED:
            caption = (payload.get(kind) or {}).get("caption")
            if isinstance(caption, str) and caption.strip():
                return self._typed(caption, receipt)  # the words under a photo count, as on Telegram
        return Inbound(Intent.SAY, value=words.ONLY_TEXT, receipt=receipt)  # audio, a sticker, a reaction

    def _typed(self, text: str, receipt: dict[str, Any] | None) -> Inbound:
        if not text.strip():
            return Inbound(Intent.SAY, value=words.ONLY_TEXT, receipt=receipt)
        # A command copied from a right-to-left message may carry the marks that held it left to right.
        first, _, rest = text.strip().strip(_DIRECTION_MARKS).partition(" ")
        command = first.strip(_DIRECTION_MARKS)[1:].lower() if first.startswith("/") else ""
        if command == "start":  # "/start CODE" starts from last year's answers (a return code)
            return Inbound(Intent.START, value=rest.strip(), receipt=receipt)
        if command == "resume":
            return Inbound(Intent.RESUME, value=rest.strip(), receipt=receipt)
        if command == "privacy":
            return Inbound(Intent.PRIVACY, receipt=receipt)
        return Inbound(Intent.TURN, Event.text(text), receipt=receipt)

    def _picked(self, interactive: Mapping[str, Any], receipt: dict[str, Any] | None) -> Inbound:
        picked = interactive.get(str(interactive.get("type") or "")) or {}
        parsed = options.parse_option(picked.get("id") if isinstance(picked, dict) else None)
        if parsed is None:  # from no message of this conversation: stale whatever happens
            return Inbound(Intent.TURN, Event.choice("?"), expected_version=-1, receipt=receipt)
        version, choice = parsed
        return Inbound(Intent.TURN, Event.choice(choice), expected_version=version, receipt=receipt)

    # -- what leaves ----------------------------------------------------------------------------

    def steps(self, outgoing: Outgoing) -> Sequence[Step]:
        to = outgoing.reach
        if to is None:
            return [_unreachable]
        payload = outgoing.payload
        if outgoing.kind == Kind.RECEIPT:
            return self._receipt(to, payload)
        if outgoing.kind == Kind.CLEAR:
            return []  # WhatsApp cannot take buttons away; an old one's press is refused as stale
        if outgoing.kind == Kind.NOTICE:
            if payload.get("reminder"):
                return [self._template(to, outgoing.language)] if self.reminder_template else []
            link = payload.get("link")
            text = f"{payload['text']}\n\n{link['label']}: {link['url']}" if link else payload["text"]
            return self._texts(to, text)
        return self._reply(to, outgoing)

    def _reply(self, to: str, outgoing: Outgoing) -> list[Step]:
        reply: dict[str, Any] = outgoing.payload["reply"]
        version = int(outgoing.payload["version"])
        text = f"{reply['progress']}\n\n{reply['text']}" if reply.get("progress") else reply["text"]
        how, choices = options.shown_as(reply)
        if how == "numbers":
            steps = self._texts(to, f"{text}\n\n{options.numbered(choices)}")
        elif how in {"buttons", "list"}:
            body = pieces(text, BODY_LIMIT)
            if how == "buttons":
                action = options.buttons(choices, version)
            else:
                translator = self.service.catalogs.translator(outgoing.language)
                action = options.rows(choices, version, render(Text(wm.CHOOSE), translator))
            steps = [
                *(self._text(to, piece) for piece in body[:-1]),
                self._interactive(to, body[-1], how, action),
            ]
        else:
            steps = self._texts(to, text)
        document = reply.get("document")
        if document and document["kind"] == "plan" and outgoing.evaluation_id:
            steps += self._plan(to, outgoing.evaluation_id, outgoing.language, document["title"])
        if reply.get("step") == Asked.DELETED and outgoing.evaluation_id:
            steps.append(self._forget(outgoing.address, outgoing.evaluation_id))
        return steps

    def _texts(self, to: str, text: str) -> list[Step]:
        return [self._text(to, piece) for piece in pieces(text)]

    def _text(self, to: str, text: str) -> Step:
        return self._send(to, {"type": "text", "text": {"body": text, "preview_url": False}})

    def _interactive(self, to: str, body: str, how: str, action: dict[str, Any]) -> Step:
        interactive = {"type": "button" if how == "buttons" else "list", "body": {"text": body or "…"}}
        return self._send(to, {"type": "interactive", "interactive": {**interactive, "action": action}})

    def _send(self, to: str, message: dict[str, Any]) -> Step:
        async def send() -> Sent:
            return Sent(await self.api.send(to, message))

        return send

    def _plan(self, to: str, evaluation_id: str, language: str, title: str) -> list[Step]:
        """The plan: a link to its printable page, then the page itself as a document. Uploading and
        sending are one step: a file uploaded twice is harmless, a document sent twice is not."""

        async def link() -> Sent:
            url = self.plan_links.url(evaluation_id, self.clock())
            translator = self.service.catalogs.translator(language)
            text = render(Text(words.PLAN_LINK, {"url": Text(url, verbatim=True)}), translator)
            return await self._text(to, text)()

        async def document() -> Sent:
            html = await self.service.plan_html_for(evaluation_id)
            media = await self.api.upload(html.encode("utf-8"), PLAN_FILE, PLAN_TYPE)
            sent = {"type": "document", "document": {"id": media, "filename": PLAN_FILE, "caption": title}}
            return Sent(await self.api.send(to, sent))

        return [link, document]

    def _receipt(self, to: str, payload: Mapping[str, Any]) -> list[Step]:
        """The person's message marked read; a press on an old button is told why nothing changed."""
        wamid = str(payload.get("wamid") or "")

        async def read() -> Sent:
            if wamid:
                await self.api.mark_read(wamid)
            return Sent()

        said = payload.get("text")
        return [read, self._text(to, str(said))] if said else [read]

    def _template(self, to: str, language: str) -> Step:
        """A reminder: outside the 24-hour window only a template Meta approved may be sent."""
        template = {"name": self.reminder_template, "language": {"code": language}}
        return self._send(to, {"type": "template", "template": template})

    def _forget(self, address: str, evaluation_id: str) -> Step:
        """After the last reply to a deleted evaluation: the chat's link to it (the number's hash) and
        the number itself go. A new message from the number starts afresh, as after any ending."""

        async def forget() -> Sent:
            async with transaction(self.service.db) as connection:
                await connection.execute(
                    delete(ChannelLink).where(
                        ChannelLink.channel == CHANNEL,
                        ChannelLink.external_id == address,
                        ChannelLink.evaluation_id == evaluation_id,
                    )
                )
                await connection.execute(
                    update(Lane).where(Lane.channel == CHANNEL, Lane.address == address).values(reach=None)
                )
            return Sent()

        return forget


async def _unreachable() -> Sent:
    raise DeliveryFailed("no number to reach this chat", permanent=True)
