"""Replies rendered for a person: translated text plus choices, as JSON-ready dicts.

Every channel shows these; the transcript stores them exactly as they were shown. Beside the words,
each carries the engine's facts as they are (``dialogs.Reply``): where it is, the suggested score,
the codes and the reference, the parts left unanswered. A program reads those, never the text.
"""

from __future__ import annotations

from typing import Any

from dialogs import Reply, Translator, render

__all__ = ["render_reply"]


def render_reply(reply: Reply, translator: Translator, rtl: bool = False) -> dict[str, Any]:
    return {
        "text": "\n\n".join(render(line, translator, isolate=rtl) for line in reply.lines),
        "step": reply.step,
        "choices": [
            {
                "id": choice.id,
                "label": render(choice.label, translator),
                "kind": choice.kind.value,
                "selected": choice.selected,
                "suggested": choice.suggested,
                "secondary": choice.secondary,
            }
            for choice in reply.choices
        ],
        "multiple": reply.multiple,
        "free_text": reply.free_text,
        "progress": render(reply.progress, translator) if reply.progress else None,
        "document": (
            {"kind": reply.document.kind, "title": render(reply.document.title, translator)}
            if reply.document
            else None
        ),
        "position": reply.place.to_json() if reply.place else None,
        "suggested_score": reply.suggested_score,
        "resume_code": reply.resume_code,
        "reference": reply.reference,
        "return_code": reply.return_code,
        "skipped_parts": list(reply.skipped_parts),
    }
