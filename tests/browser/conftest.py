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
from starlette.responses import HTMLResponse
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


@pytest.fixture
async def host_url(live_url: str, host_port: int) -> AsyncIterator[str]:
    """A partner's web page, on another origin, that embeds the chat with one script tag."""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Ravensthorpe Friends</title></head>
<body><main><h1>Ravensthorpe Friends</h1><p>Our group meets every Saturday in Holroyd Park.</p></main>
<script src="{live_url}/widget.js" defer></script></body></html>"""

    async def home(request: Any) -> HTMLResponse:
        return HTMLResponse(page)

    async with Served(Starlette(routes=[Route("/", home)]), host_port) as url:
        yield url


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


async def load_axe(page: Page) -> None:
    """Before navigating: an init script comes through DevTools, so the page's CSP (rightly strict
    about inline script) does not block axe-core."""
    await page.add_init_script(path=str(AXE))


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    result = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations: list[dict[str, Any]] = result["violations"]
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations]


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
