"""The words of the board's exports: column headers and the yes or no of a part answered.

Domain "board" (``locales/board.pot``), like the board's pages: the board area is English for now,
ready to translate. ``translator`` gives the gettext of a board language (English, the message ids
themselves, when no catalog is there).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache

from bot.translations import LOCALES_DIR
from dialogs.i18n import N_

__all__ = ["Message", "translator"]


class Message(str):
    """A message id kept in an export's cell: written in the export's language, not as it is."""

    __slots__ = ()


# TRANSLATORS: Column headers of the board's CSV and XLSX exports, one evaluation and approach a row.
EVALUATION_ID = N_("Evaluation id")
REFERENCE = N_("Reference")
YEAR = N_("Year")
# TRANSLATORS: A column header: when the evaluation was sent, in UTC.
SUBMITTED = N_("Submitted (UTC)")
# TRANSLATORS: A column header: annual, activity or roll-up.
KIND = N_("Kind")
# TRANSLATORS: A column header: the id of the roll-up this team's evaluation is a part of, if any.
PART_OF_ROLLUP = N_("Part of roll-up")
ORGANISATION = N_("Organisation")
# TRANSLATORS: A column header: organisation, directorate or team.
LEVEL = N_("Level")
TEAM = N_("Team or directorate")
ACTIVITY = N_("Activity")
LANGUAGE = N_("Language")
APPROACH_ID = N_("Approach id")
APPROACH = N_("Approach")
# TRANSLATORS: A column header: whether anything at all was answered in this part (yes or no).
ANSWERED = N_("Part answered")
SCORE = N_("Score")
SUGGESTED_SCORE = N_("Suggested score")
CONFIDENCE = N_("Confidence")
CHECKLIST = N_("Checklist")
STORY = N_("Story")
SUPPORT = N_("Support needed")
ACTION = N_("Action")
# TRANSLATORS: Column headers: an answer's English version, who wrote it, and when (UTC).
STORY_ENGLISH = N_("Story in English")
STORY_ENGLISH_BY = N_("Story: English by")
STORY_ENGLISH_AT = N_("Story: English on (UTC)")
SUPPORT_OTHER_ENGLISH = N_("Support needed (typed) in English")
SUPPORT_OTHER_ENGLISH_BY = N_("Support needed (typed): English by")
SUPPORT_OTHER_ENGLISH_AT = N_("Support needed (typed): English on (UTC)")
ACTION_ENGLISH = N_("Action in English")
ACTION_ENGLISH_BY = N_("Action: English by")
ACTION_ENGLISH_AT = N_("Action: English on (UTC)")
# TRANSLATORS: In an export's "English by" columns: the person who answered wrote the English too.
RESPONDENT = N_("the respondent")
# TRANSLATORS: The answers a translator can add an English version of, on the translations page.
REFLECTION_FIELD = N_("Reflection")
STORY_FIELD = N_("Story")
SUPPORT_OTHER_FIELD = N_("Support needed (typed)")
ACTION_FIELD = N_("Action")
# TRANSLATORS: In the "Part answered" column of an export.
YES = N_("yes")
# TRANSLATORS: In the "Part answered" column of an export.
NO = N_("no")


@cache
def translator(language: str = "en") -> Callable[[str], str]:
    """The board domain's gettext for ``language``."""
    return gettext.translation("board", LOCALES_DIR, [language], fallback=True).gettext
