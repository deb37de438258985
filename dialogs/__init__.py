"""The conversation itself: framework content, the state machine, the engine and the support plan.

Pure by design: nothing here imports a channel or the database, or does I/O while handling a turn.
"""

from dialogs.content import Content, load_default_content
from dialogs.engine import MAX_TEXT, Engine
from dialogs.events import (
    Command,
    Complete,
    Context,
    Effect,
    Erase,
    Event,
    EventKind,
    Ids,
    IssueResumeCode,
    IssueReturnCode,
    Outcome,
    Remind,
    Submit,
)
from dialogs.i18n import Listed, Text, Translator, render
from dialogs.plan import Plan, build_plan, render_plan_html
from dialogs.replies import Choice, ChoiceKind, Document, Place, Reply
from dialogs.state import ConversationState, Previous, Scope, SentTo, Status
from dialogs.steps import Step

__all__ = [
    "MAX_TEXT",
    "Choice",
    "ChoiceKind",
    "Command",
    "Complete",
    "Content",
    "Context",
    "ConversationState",
    "Document",
    "Effect",
    "Engine",
    "Erase",
    "Event",
    "EventKind",
    "Ids",
    "IssueResumeCode",
    "IssueReturnCode",
    "Listed",
    "Outcome",
    "Place",
    "Plan",
    "Previous",
    "Remind",
    "Reply",
    "Scope",
    "SentTo",
    "Status",
    "Step",
    "Submit",
    "Text",
    "Translator",
    "build_plan",
    "load_default_content",
    "render",
    "render_plan_html",
]
