"""The printable plan as the web serves it: the plan itself (built in dialogs/) inside the site's
own header and footer: who runs the service, Print and Save buttons, the way back, the notices.

``dialogs/templates/plan.html`` marks where a channel may put its header and footer
(``<!--icf:header-->``, ``<!--icf:footer-->``): the conversation's package knows nothing of this site,
and a plan saved by the terminal chat keeps no links to a server it never saw.
"""

from __future__ import annotations

import re

from fastapi import Request

from bot.web.page_messages import PLAN_PAGE_WORDS
from bot.web.site import site_for, translated

__all__ = ["FOOTER_SLOT", "HEADER_SLOT", "dress_plan"]

HEADER_SLOT = "<!--icf:header-->"
FOOTER_SLOT = "<!--icf:footer-->"
_LANGUAGE = re.compile(r'<html lang="([A-Za-z-]{2,12})"')


def _put(html: str, slot: str, fallback: str, part: str, after: bool) -> str:
    if slot in html:
        return html.replace(slot, part, 1)
    tag = re.search(fallback, html)  # a template without the slot still gets its header and footer
    if tag is None:
        return html
    at = tag.end() if after else tag.start()
    return html[:at] + part + html[at:]


def dress_plan(request: Request, html: str, *, origin: str, saving: bool, back_to_chat: bool) -> str:
    """``saving``: the copy a person keeps, whose links must work from their own computer."""
    found = _LANGUAGE.search(html)
    catalogs = request.app.state.catalogs
    language = found.group(1) if found and found.group(1) in catalogs.languages else "en"
    context = {
        "site": site_for(request, language),
        "page": translated(catalogs, language, PLAN_PAGE_WORDS),
        "base": origin if saving else "",
        "saving": saving,
        "back_to_chat": back_to_chat,
        "download_url": str(request.url.include_query_params(download="1")),
        "script": request.app.state.templates.globals["static"]("plan.js"),
    }
    templates = request.app.state.templates
    header = templates.get_template("plan_header.html").render(context)
    footer = templates.get_template("plan_footer.html").render(context)
    html = _put(html, HEADER_SLOT, r"<body[^>]*>", header, after=True)
    return _put(html, FOOTER_SLOT, r"</body>", footer, after=False)
