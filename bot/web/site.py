"""What every page shows around its content: the service, who runs it, its links, its colours.

The chat page, the widget's frame, the privacy notice, the accessibility statement and the plan
page all take their header and footer from one :class:`Site`, built per request in the page's
language, so the operator's name, the demo banner and the links cannot differ between them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.settings import Settings
from bot.translations import Catalogs
from bot.web.page_messages import CHROME_WORDS
from dialogs import Text, render
from dialogs.i18n import Plural, counted

__all__ = ["LanguageLink", "Site", "brand_css", "contact_href", "render_page", "site_for", "translated"]

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,}[0-9]")


def translated(
    catalogs: Catalogs, language: str, table: Mapping[str, str | Plural], **counts: int
) -> dict[str, str]:
    """A table of words in one language; a plural message takes its number from ``counts[key]``."""
    translator = catalogs.translator(language)
    words: dict[str, str] = {}
    for key, message in table.items():
        if isinstance(message, tuple):
            if key in counts:
                words[key] = render(counted(message, counts[key]), translator)
        else:
            words[key] = render(Text(message), translator)
    return words


def contact_href(contact: str) -> str | None:
    """A link for the operator's contact when it is an email address, a web address or a phone number."""
    if contact.startswith(("https://", "http://")):
        return contact
    if EMAIL.fullmatch(contact):
        return f"mailto:{contact}"
    if PHONE.fullmatch(contact):
        return "tel:" + re.sub(r"[^0-9+]", "", contact)
    return None


@dataclass(frozen=True, slots=True)
class LanguageLink:
    code: str
    name: str  # in its own language and script
    direction: str


@cache
def _language_name(code: str) -> str:
    return Locale.parse(code).get_display_name() or code


def brand_css(accent: str) -> str:
    """The partner's accent colour as CSS variables, with a darker shade for hover and pressed."""
    red, green, blue = (int(accent[i : i + 2], 16) for i in (1, 3, 5))
    dark = "#{:02x}{:02x}{:02x}".format(*(round(c * 0.75) for c in (red, green, blue)))
    tint = "#{:02x}{:02x}{:02x}".format(*(round(c + (255 - c) * 0.88) for c in (red, green, blue)))
    return f":root {{ --accent: {accent}; --accent-dark: {dark}; --accent-tint: {tint}; }}\n"


@dataclass(frozen=True, slots=True)
class Site:
    language: str
    direction: str
    words: Mapping[str, str]
    operator_name: str
    operator_contact: str
    contact_link: str | None
    logo_url: str
    demo: bool
    brand_css_url: str
    languages: tuple[LanguageLink, ...]

    @classmethod
    def build(cls, settings: Settings, catalogs: Catalogs, language: str) -> Site:
        version = hashlib.sha256(settings.accent_colour.encode()).hexdigest()[:8]
        return cls(
            language=language,
            direction=catalogs.direction(language),
            words=translated(catalogs, language, CHROME_WORDS),
            operator_name=settings.operator_name,
            operator_contact=settings.operator_contact,
            contact_link=contact_href(settings.operator_contact),
            logo_url=settings.logo_url,
            demo=not settings.operator_set,
            brand_css_url=f"/brand.css?v={version}",
            languages=tuple(
                LanguageLink(code, _language_name(code), catalogs.direction(code))
                for code in catalogs.languages
            ),
        )

    def link(self, path: str, language: str | None = None) -> str:
        """A page of this site in a language (this page's, unless told)."""
        return f"{path}?{urlencode({'lang': language or self.language})}"


def site_for(request: Request, language: str) -> Site:
    settings: Settings = request.app.state.settings
    return Site.build(settings, request.app.state.catalogs, language)


def render_page(
    request: Request, template: str, language: str, *, embedded: bool = False, **context: object
) -> HTMLResponse:
    """A page in the layout of every other, in ``language``; the template escapes all it is given.

    ``embedded``: inside the widget's frame on a partner's page (no banner or footer landmarks)."""
    html = request.app.state.templates.get_template(template).render(
        site=site_for(request, language), embedded=embedded, path=request.url.path, **context
    )
    return HTMLResponse(html, headers={"Content-Language": language, "Vary": "Accept-Language"})
