"""Real-browser fixtures: the app served on loopback, Debian's Chromium driven by Playwright.

Chromium comes from the system (apt's ``chromium``), never downloaded; axe-core comes inside the
``axe-playwright-python`` package.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.settings import Settings
from bot.web import create_app
from tests.conftest import Clock, FixedIds
from tests.fakes.bot_api import free_port

INSTALL_HINT = "apt-get install -y chromium (Debian's; no browser is ever downloaded)"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = resources.files("axe_playwright_python").joinpath("axe.min.js")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"


class Served:
    """An ASGI app served by uvicorn inside the test's event loop."""

    def __init__(self, app: Any, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)

    async def __aenter__(self) -> str:
        import asyncio

        self.task = asyncio.create_task(self.server.serve())
        for _ in range(500):
            if self.server.started:
                return self.url
            await asyncio.sleep(0.01)
        raise RuntimeError("the server did not start")

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def host_port() -> int:
    return free_port()


@pytest.fixture
async def live_url(settings: Settings, clock: Clock, host_port: int) -> AsyncIterator[str]:
    port = free_port()
    configured = replace(settings, embed_origins=(f"http://127.0.0.1:{host_port}",))
    async with Served(create_app(configured, clock=clock, ids=FixedIds()), port) as url:
        yield url


PARTNER_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="{viewport}"><title>Ravensthorpe Friends</title>{head}</head>
<body><header><nav aria-label="Site"><a href="/">Home</a> <a href="/about">About us</a></nav></header>
<main><h1>Ravensthorpe Friends</h1><p>Our group meets every Saturday in Holroyd Park.</p>{body}</main>
<footer><p>Ravensthorpe Friends, Holroyd Park, Dewsbury.</p></footer>
<script src="{live}/widget.js" defer></script></body></html>"""

WIDE_TABLE = """<table style="width:560px"><caption>Sessions</caption><tr><th scope="col">Day</th>
<th scope="col">Where</th><th scope="col">Who</th></tr><tr><td>Saturday</td><td>Holroyd Park</td>
<td>Everyone</td></tr></table>"""

# A partner whose styles fight everything: huge text, transforms, hidden frames and buttons, odd boxes.
HOSTILE_CSS = """
* { box-sizing: content-box !important; font-size: 40px !important; line-height: 3 !important;
    letter-spacing: 3px !important; font-family: serif !important; color: #333 !important; }
html, body { overflow-x: hidden; }
body { transform: translateZ(0); zoom: 1.2; margin: 40px; }
div, button, iframe, a, h2 { all: unset; position: static !important; transform: rotate(2deg) !important; }
button, iframe { width: 20px !important; height: 20px !important; visibility: hidden !important; }
[id^="icf"], body > div:last-of-type, html > div { display: none !important; }
button::after { content: " BUY NOW"; }
"""


def strict_policy(live: str, frames: bool) -> str:
    """A partner's strict Content-Security-Policy: no inline script or style; our frame only if listed."""
    frame = f"; frame-src {live}" if frames else ""
    return f"default-src 'self'; script-src 'self' {live}; style-src 'self'; img-src 'self'{frame}"


class Partner:
    """Partners' pages on another origin, each embedding the chat with the one script tag."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, name: str = "") -> str:
        return f"{self.url}/{name}"


@pytest.fixture
async def partner(live_url: str, host_port: int) -> AsyncIterator[Partner]:
    viewport = "width=device-width, initial-scale=1"
    links = "".join(f'<p style="text-align:end"><a href="/news/{i}">News item {i}</a></p>' for i in range(60))
    pages = {
        "": (viewport, "", ""),
        "wide": ("width=device-width", "", WIDE_TABLE + '<p style="font-size:40px">Big welcome text.</p>'),
        "hostile": (viewport, '<link rel="stylesheet" href="/hostile.css">', WIDE_TABLE),
        "strict": (viewport, "", "<p>Strict page.</p>"),
        "no-frames": (viewport, "", "<p>Strict page without frames.</p>"),
        "long": (viewport, "", links),
    }

    def route(name: str) -> Route:
        meta, head, body = pages[name]
        html = PARTNER_PAGE.format(viewport=meta, head=head, body=body, live=live_url)

        async def serve(request: Any) -> HTMLResponse:
            response = HTMLResponse(html)
            if name in {"strict", "no-frames", "hostile"}:
                response.headers["Content-Security-Policy"] = strict_policy(
                    live_url, frames=name != "no-frames"
                )
            return response

        return Route("/" + name, serve)

    async def css(request: Any) -> Response:
        return Response(HOSTILE_CSS, media_type="text/css")

    app = Starlette(routes=[*(route(name) for name in pages), Route("/hostile.css", css)])
    async with Served(app, host_port) as url:
        yield Partner(url)


@pytest.fixture
async def host_url(partner: Partner) -> str:
    """A partner's plain web page, on another origin, that embeds the chat with one script tag."""
    return partner()


def chromium_path() -> str:
    """The system's Chromium. Without one the browser tests are skipped, saying how to install it,
    except under CI (``CI`` set), where .ci/run installs it and a missing browser is a failure."""
    found = shutil.which("chromium") or next(
        (path for path in ("/usr/bin/chromium", "/usr/lib/chromium/chromium") if Path(path).is_file()), None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium on this CI machine: .ci/run should have installed it ({INSTALL_HINT})")
        pytest.skip(f"the browser tests need Chromium: {INSTALL_HINT}")
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    await context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    """A 360 x 740 phone: a touch screen that zooms out pages wider than itself, as phones do."""
    context = await browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="en-GB",
    )
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    await context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


async def load_axe(page: Page) -> None:
    """Before navigating: an init script comes through DevTools, so the page's CSP (rightly strict
    about inline script) does not block axe-core."""
    await page.add_init_script(path=str(AXE))


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    result = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = result["violations"]
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations]


async def screenshot(page: Page, name: str, *, whole_page: bool = True) -> Path:
    """``whole_page=False``: what the screen shows (a phone with the widget's panel open)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=whole_page)
    return path
