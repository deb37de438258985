"""Plain English: every sentence a person reads scores at most grade 8 on Flesch-Kincaid."""

from __future__ import annotations

import re

import textstat

from bot.channels import messages as channel_messages
from bot.cli import messages as cli_messages
from bot.telegram import messages as telegram_messages
from bot.web.page_messages import PAGE_WORDS
from dialogs import messages

MAX_GRADE = 8.0


def sentences_people_read() -> dict[str, str]:
    found = {
        name: value for name, value in vars(messages).items() if name.isupper() and isinstance(value, str)
    }
    for prefix, module in (
        ("cli", cli_messages),
        ("telegram", telegram_messages),
        ("channels", channel_messages),
    ):
        found |= {f"{prefix}.{n}": v for n, v in vars(module).items() if n.isupper() and isinstance(v, str)}
    found |= {f"page.{n}": v for n, v in PAGE_WORDS.items()}
    return found


def readable(text: str) -> str:
    """Placeholders read as a short word, as they do once filled in."""
    return re.sub(r"\{[a-z_]+\}", "it", text)


def test_every_prompt_is_grade_8_or_below() -> None:
    too_hard = {
        name: round(textstat.flesch_kincaid_grade(readable(text)), 1)
        for name, text in sentences_people_read().items()
        if len(text.split()) >= 4 and textstat.flesch_kincaid_grade(readable(text)) > MAX_GRADE
    }
    assert too_hard == {}
