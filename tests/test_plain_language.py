"""Plain English, by three measures, over everything a person reads.

- Every sentence scores at most grade 8 on Flesch-Kincaid (GOV.UK aims at a reading age of 9).
- Each group of text (the checklist questions, the approach intros, the case studies, ...) scores at
  most 7.0 on Dale-Chall measured over the whole group: grade 7-8, the stricter measure, which
  counts words outside a list of about 3,000 words most children know.
- At most one word in ten in each group is outside that list (textstat's Dale-Chall easy words),
  as Dale and Chall counted: regular endings of a listed word (-s, -ed, -ing, -er, -ly, 's) and
  numbers count as common.

Names of people, places and organisations (Kirklees, Healthwatch Kirklees, The Branch, ...) are left
out of the group measures: a reader meets them as names, and there is no plainer word for them.
textstat 0.7.8 is pinned because later versions download a dictionary at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
import textstat

from bot.channels import messages as channel_messages
from bot.cli import messages as cli_messages
from bot.telegram import messages as telegram_messages
from bot.web import page_messages
from dialogs import messages
from dialogs.content import Content, load_default_content

MAX_GRADE = 8.0
MAX_DALE_CHALL = 7.0
MAX_UNCOMMON = 0.10
SHORTEST = 4  # a reading grade means nothing for one to three words ("Communicating" scores grade 43)

# Names a person reads as names: left out of the group measures, never rewritten.
NAMES = (
    "Information Commissioner's Office (ICO)",  # the privacy notice and accessibility statement
    "Information Commissioner's Office",  # must name who to complain to and the standard met
    "Web Content Accessibility Guidelines (WCAG) 2.2 at level AA",
    "Equality Advisory and Support Service (EASS)",
    "Telegram",
    "Healthwatch Kirklees",
    "Kirklees Council",
    "Kirklees Inclusive Communities Framework",
    "Communities Partnership Board",
    "Restorative Approach Checklist",
    "West Yorkshire Police",
    "Make Space for Us",
    "Community Champions",
    "Iroko Project",
    "Black African and Caribbean",
    "Holroyd Park",
    "Ravensthorpe",
    "Healthwatch",
    "The Branch",
    "Ashbrow",
    "Kirklees",
    "Covid",
    "ICF",
)
ENDINGS = (
    ("ies", "y"),
    ("ied", "y"),
    ("ier", "y"),
    ("iest", "y"),
    ("ily", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
    ("er", ""),
    ("er", "e"),
    ("r", ""),
    ("est", ""),
    ("st", ""),
    ("ly", ""),
    ("n", ""),
)


def _stems(word: str) -> Iterator[str]:
    word = re.sub(r"['’]s$", "", word.lower()).strip("'’")
    yield word
    for ending, instead in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            stem = word[: -len(ending)] + instead
            yield stem
            if len(stem) > 2 and stem[-1] == stem[-2]:  # planned -> plann -> plan
                yield stem[:-1]


# Everyday words of phones and computers, newer than Dale and Chall's list (1948, revised 1995):
# every reader of a web chat meets them. Only these; any other word off the list still counts.
EVERYDAY_SCREEN_WORDS = frozenset(
    "app browser chat code computer data delete device email keyboard link online phone qr reload "
    "scan tab text type uk website zoom".split()
)


def is_common(word: str) -> bool:
    """On the easy-word list, or a regular form of a word on it, or a number."""
    parts = [p for p in word.split("-") if p]
    return all(
        p.isdigit()
        or any(textstat.is_easy_word(stem, 0) or stem in EVERYDAY_SCREEN_WORDS for stem in _stems(p))
        for p in parts
    )


def without_names(text: str) -> str:
    """Placeholders read as a short word, as they do once filled in; names are left out."""
    text = re.sub(r"\{[a-z_]+\}", "it", text)
    for name in NAMES:
        text = text.replace(name, " ")
    return text


def as_sentences(texts: list[str]) -> str:
    """A group as one text, each string a sentence of its own (a label ends where it ends)."""
    ended = [t.strip() if t.strip()[-1:] in ".?!:" else t.strip() + "." for t in texts if t.strip()]
    return " ".join(without_names(t) for t in ended)


def uncommon_words(text: str) -> list[str]:
    """Words outside the easy-word list (as Dale-Chall counts them), less the regular endings."""
    listed = textstat.difficult_words_list(text, syllable_threshold=0, unique=False)
    return [w for w in listed if not is_common(w)]


def message_strings(module: ModuleType) -> list[str]:
    """A message module's English as people read it: each message (the plural form for plurals),
    not the lists of words they may type (WORDS_...)."""
    found: list[str] = []
    for name, value in vars(module).items():
        if not name.isupper() or name.startswith("WORDS_"):
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, tuple):
            found.append(value[-1])
        elif isinstance(value, dict):
            found += [v for v in value.values() if isinstance(v, str)]
    return found


def _options(content: Content) -> list[str]:
    labels = [a.label for a in content.checklist_answers] + [s.label for s in content.scale]
    labels += [s.meaning for s in content.scale]
    labels += [o.label for o in (*content.confidence, *content.support, *content.evidence, *content.due)]
    return labels


CONTENT = load_default_content()
GROUPS: dict[str, Callable[[], list[str]]] = {
    "checklist questions": lambda: [q.plain for a in CONTENT.approaches for q in a.questions],
    "restorative checklist": lambda: [
        s for h in CONTENT.restorative for s in (h.plain, *(p.plain for p in h.prompts))
    ],
    "approach intros": lambda: [a.intro for a in CONTENT.approaches],
    "first steps": lambda: [
        s
        for a in CONTENT.approaches
        for s in (*(f.text for f in a.first_steps), *(q.first_step for q in a.questions if q.first_step))
    ],
    "case studies": lambda: [c.summary for a in CONTENT.approaches for c in a.case_studies],
    "practice bases": lambda: [p.summary for p in CONTENT.practice_bases.values()],
    "answers and labels": lambda: _options(CONTENT),
    "the chat's messages": lambda: [
        s
        for module in (messages, telegram_messages, cli_messages, channel_messages)
        for s in message_strings(module)
    ],
    "the web page's words": lambda: message_strings(page_messages),
}


def everything_people_read() -> list[str]:
    grouped = {s for strings in GROUPS.values() for s in strings()}
    return sorted(grouped | set(CONTENT.strings()) | set(message_strings(page_messages)))


def test_the_groups_cover_every_string_people_read() -> None:
    grouped = {s for strings in GROUPS.values() for s in strings()}
    names = {a.name for a in CONTENT.approaches}  # single words, named in the intros' prompts
    assert set(CONTENT.strings()) - names <= grouped
    assert set(message_strings(messages)) <= grouped


def test_every_sentence_is_grade_8_or_below() -> None:
    too_hard = {
        text: round(grade, 1)
        for text in everything_people_read()
        if len(without_names(text).split()) >= SHORTEST
        and (grade := textstat.flesch_kincaid_grade(without_names(text))) > MAX_GRADE
    }
    assert too_hard == {}


@pytest.mark.parametrize("group", list(GROUPS))
def test_each_group_reads_at_dale_chall_7_with_few_uncommon_words(group: str) -> None:
    text = as_sentences(GROUPS[group]())
    score = textstat.dale_chall_readability_score(text)
    uncommon = uncommon_words(text)
    share = len(uncommon) / textstat.lexicon_count(text)
    report = f"{group}: Dale-Chall {score:.2f}, {share:.1%} uncommon words: {sorted(set(uncommon))}"
    assert score <= MAX_DALE_CHALL, report
    assert share <= MAX_UNCOMMON, report


def test_the_measures_catch_hard_words() -> None:
    """The checks above can fail: framework wording fails them where plain wording passes."""
    original = as_sentences([q.original for a in CONTENT.approaches for q in a.questions])
    assert textstat.dale_chall_readability_score(original) > MAX_DALE_CHALL
    assert len(uncommon_words(original)) / textstat.lexicon_count(original) > MAX_UNCOMMON
    assert is_common("planned") and is_common("people's") and is_common("12")
    assert not is_common("co-production") and not is_common("inequalities")
