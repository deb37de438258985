"""Which language a page opens in: the one asked for in ``?lang=``, else the browser's best match.

Every page a person opens (the chat, the widget script, the privacy notice, the accessibility
statement) chooses its language here, so a link such as ``/privacy?lang=ur`` from the Urdu chat opens
in Urdu and a first visit follows the browser's preferences, in their order of preference.
"""

from __future__ import annotations

from fastapi import Request

from bot.translations import SOURCE_LANGUAGE, Catalogs

__all__ = ["browser_languages", "page_language"]


def browser_languages(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (``q=0`` means "not this")."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and tag.strip() != "*" and quality > 0:
            ranked.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def page_language(request: Request, catalogs: Catalogs) -> str:
    asked = request.query_params.get("lang", "").strip()
    if asked in catalogs.languages:
        return asked
    for tag in browser_languages(request.headers.get("accept-language", "")):
        base = tag.replace("_", "-").split("-", 1)[0].lower()
        if base in catalogs.languages:
            return base
    return SOURCE_LANGUAGE
