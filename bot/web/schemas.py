"""The chat API's request and response bodies (they make the OpenAPI schema).

A partner writes a client from ``/openapi.json`` alone, so every value a program may branch on is
listed there: the steps, the statuses, the kinds of choice and the error codes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.resumes import REQUEST_ID_PATTERN
from dialogs import MAX_TEXT, Status, Step
from storage import TranscriptEntry

__all__ = [
    "ChoiceOut",
    "ConversationOut",
    "DocumentOut",
    "ErrorCode",
    "ErrorOut",
    "ExportedEntry",
    "FieldErrorOut",
    "HandoffOut",
    "MessageIn",
    "PositionOut",
    "ReplyOut",
    "ResumeIn",
    "StartIn",
    "TranscriptEntryOut",
    "ValidationErrorOut",
    "reply_json",
]

STEPS = [step.value for step in Step]
# Replies shown beside a step rather than asking one: the summary (/summary) and the plan (engine.py).
REPLY_STEPS = [*STEPS, "summary", "plan"]


def _step(description: str, names: list[str] = STEPS) -> Any:
    """A step name. Listed in the schema, not checked on the way out: a transcript line stored before a
    step was renamed must still be readable."""
    return Field(description=description, json_schema_extra={"enum": list(names)})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartIn(_Strict):
    language: str | None = Field(
        default=None, max_length=35, description="A language hint such as 'ur' or 'pl-PL'."
    )
    return_code: str | None = Field(
        default=None,
        min_length=4,
        max_length=64,
        description="The return code a finished evaluation gave: start from its answers (last year's).",
    )


class MessageIn(_Strict):
    """Exactly one of ``text`` (typed) or ``choice`` (a choice id from the last reply)."""

    # Up to ICF_MAX_TEXT characters (default MAX_TEXT): the route checks it and the app puts the number
    # in the OpenAPI schema (bot/web/limits.py), so the limit is set without a code change.
    text: str | None = Field(default=None, description=f"What was typed: {MAX_TEXT} characters at most.")
    choice: str | None = Field(default=None, min_length=1, max_length=64)
    client_message_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Sent again with a retried message, so it is applied once.",
    )

    @model_validator(mode="after")
    def _one_of(self) -> MessageIn:
        if (self.text is None) == (self.choice is None):
            raise ValueError("send exactly one of 'text' or 'choice'")
        return self


class ResumeIn(_Strict):
    code: str = Field(min_length=4, max_length=64)
    request_id: str | None = Field(
        default=None,
        pattern=REQUEST_ID_PATTERN,
        description=(
            "A random id (16-64 letters, digits, _ or -) the client keeps until it has an answer: "
            "the same code and id sent again after a lost answer get the conversation again."
        ),
    )


class ChoiceOut(BaseModel):
    id: str
    label: str
    kind: Literal["answer", "nav"]
    selected: bool | None
    suggested: bool = Field(
        description="The answer the assistant suggests, such as the score from the answers."
    )
    secondary: bool = Field(
        description="A command offered on every reply (pause, summary, language, delete): for a menu."
    )


class DocumentOut(BaseModel):
    kind: str
    title: str


class PositionOut(BaseModel):
    """Where a question about one approach is: part 3 of 5, question 2 of 4."""

    approach: str = Field(description="The approach's id, such as 'equalising' (its name is translated).")
    part: int = Field(ge=1, description="Which of the approaches asked about, counting from 1.")
    parts: int = Field(ge=1)
    question: int | None = Field(
        default=None, ge=1, description="On a checklist question: which, counting from 1; else null."
    )
    questions: int | None = Field(default=None, ge=1)


class ReplyOut(BaseModel):
    """One reply: the words for a person, and beside them, as fields, everything a program needs."""

    text: str = Field(description="For a person to read, in the conversation's language: never parse it.")
    step: str = _step(
        "The step this reply asks; 'summary' and 'plan' for those shown on their way to it.", REPLY_STEPS
    )
    choices: list[ChoiceOut]
    multiple: bool
    free_text: bool
    progress: str | None
    document: DocumentOut | None
    position: PositionOut | None = Field(
        default=None, description="On a question about one approach: which part and question it is."
    )
    suggested_score: int | None = Field(
        default=None, ge=1, le=5, description="On the score question: the score the answers suggest."
    )
    resume_code: str | None = Field(
        default=None,
        description="When the conversation is paused: the code to carry on with (POST /api/resume).",
    )
    reference: str | None = Field(default=None, description="Once sent: the submission's reference.")
    return_code: str | None = Field(
        default=None,
        description="With the plan: the code that starts next year's evaluation from this one's answers.",
    )
    skipped_parts: list[str] = Field(
        default=[],  # pydantic copies it for each model; the shared defaults below are only read
        description="At the review and before sending: the approaches (ids) with no answer at all, which "
        "the board will see as not answered.",
    )
    plan_url: str | None = Field(
        default=None,
        description="With the plan (document.kind 'plan'): its printable page, a signed address that works "
        "without the token for a number of days (ICF_RESUME_DAYS).",
    )


_REPLY_DEFAULTS = {
    name: field.default for name, field in ReplyOut.model_fields.items() if not field.is_required()
}


def reply_json(reply: dict[str, Any], plan_url: str | None) -> dict[str, Any]:
    """A rendered reply (bot/render.py) as ReplyOut's JSON: a stored one from before a field was added
    gets its default, and the plan's reply its address."""
    document = reply.get("document")
    plan = plan_url if document and document.get("kind") == "plan" else None
    return {**_REPLY_DEFAULTS, **reply, "plan_url": plan}


class ConversationOut(BaseModel):
    conversation_id: str
    token: str | None = Field(
        default=None, description="Only when a conversation starts or resumes: keep it secret."
    )
    step: str = _step("Where the conversation now waits.")
    status: Status = Field(
        description="draft while answering; completed once the plan is made; submitted once sent; "
        "deleted after the person deleted it (every later call is then 410)."
    )
    language: str
    direction: Literal["ltr", "rtl"]
    repeated: bool = False
    replies: list[ReplyOut]


class ExportedEntry(BaseModel):
    """One line of the transcript, as the person's own copy (the export) holds it."""

    at: datetime
    direction: Literal["in", "out"]
    channel: str
    language: str
    step: str = _step("The conversation's step when the message came or went.")
    text: str
    choice: str | None = Field(
        default=None, description="For a tapped choice: its id (the text is its label)."
    )

    @classmethod
    def fields_of(cls, entry: TranscriptEntry) -> dict[str, Any]:
        return {
            "at": entry.at,
            "direction": "in" if entry.direction == "in" else "out",
            "channel": entry.channel,
            "language": entry.language,
            "step": entry.step,
            "text": entry.text,
            "choice": (entry.payload or {}).get("choice") if entry.direction == "in" else None,
        }

    @classmethod
    def of(cls, entry: TranscriptEntry) -> ExportedEntry:
        return cls(**cls.fields_of(entry))


class TranscriptEntryOut(ExportedEntry):
    """One line of the history, with each reply as it was shown (its choices, its progress)."""

    reply: ReplyOut | None = Field(default=None, description="For a message out: the reply as it was shown.")

    @classmethod
    def of(cls, entry: TranscriptEntry, plan_url: str | None = None) -> TranscriptEntryOut:
        shown = (
            ReplyOut.model_validate(reply_json(entry.payload, plan_url))
            if entry.direction == "out" and entry.payload
            else None
        )
        return cls(**cls.fields_of(entry), reply=shown)


class HandoffOut(BaseModel):
    code: str = Field(description="A resume code; it works once.")
    link: str = Field(description="The chat's address with the code, to open on the other device.")
    qr_svg: str = Field(description="The link as a QR code, an SVG document.")
    days: int = Field(description="How long the code works.")


ErrorCode = Literal[
    "invalid_body",  # 400: not JSON text in UTF-8, or nested too deeply to read
    "unauthorized",  # 401: no bearer token
    "not_found",  # 404: no conversation with that id and token
    "resume_code_invalid",  # 404
    "return_code_invalid",  # 404
    "http_error",  # 404 for an address that is not there, 405 for a method (with Allow)
    "busy",  # 409: send the same again (Retry-After)
    "client_message_id_reused",  # 409: that id came with another message; nothing applied
    "plan_not_ready",  # 409
    "gone",  # 410: the conversation was deleted
    "too_large",  # 413
    "invalid_request",  # 422
    "rate_limited",  # 429 (Retry-After)
]


class ErrorOut(BaseModel):
    """Every error: a code for programs, a sentence for the developer (in English, not for people)."""

    error: ErrorCode
    message: str


class FieldErrorOut(BaseModel):
    loc: list[str | int] = Field(description="Where: such as ['body', 'text'].")
    msg: str


class ValidationErrorOut(ErrorOut):
    """A body or a parameter that is not valid: ``detail`` says which and why."""

    error: Literal["invalid_request"]
    detail: list[FieldErrorOut]
