"""The review of a conversation as a summary list, for the web chat to show beside its sentences."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.web.deps import ConversationToken, Service
from bot.web.errors import CONVERSATION, responses
from bot.web.review import review_summary
from dialogs import ConversationState

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["chat"])


class SummaryRowOut(BaseModel):
    key: str
    value: str = Field(
        description="In the conversation's language; a name or text the person typed as typed."
    )
    own_words: bool = Field(description="The value is the person's own words.")
    change: list[str] = Field(description="Choices to send in turn, from the review, to change this answer.")


class SummaryCardOut(BaseModel):
    title: str
    rows: list[SummaryRowOut]


class ReviewOut(BaseModel):
    language: str
    replaces: list[str] = Field(description="The review message's paragraphs that these cards stand for.")
    cards: list[SummaryCardOut]


@router.get(
    "/conversations/{conversation_id}/review",
    responses=responses(*CONVERSATION),
)
async def review(
    conversation_id: str, service: Service, token: ConversationToken, request: Request
) -> ReviewOut:
    """Every answer so far, approach by approach, each with the way to change it."""
    conversation, _ = await service.everything(conversation_id, token)
    state = ConversationState.from_json({**conversation.state, "answers": conversation.answers})
    catalogs = request.app.state.catalogs
    translator = catalogs.translator(state.language)
    replaces, cards = review_summary(
        state, service.engine.content, translator, catalogs.direction(state.language) == "rtl"
    )
    return ReviewOut(
        language=state.language,
        replaces=list(replaces),
        cards=[
            SummaryCardOut(
                title=card.title,
                rows=[
                    SummaryRowOut(key=r.key, value=r.value, own_words=r.own_words, change=list(r.change))
                    for r in card.rows
                ],
            )
            for card in cards
        ],
    )
