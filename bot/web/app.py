"""The app factory: settings, database, engine and routes, started and stopped by one lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.board import api as board_api
from bot.board import pages as board_pages
from bot.board.auth import BoardAuth
from bot.board.caching import NoStoreUnder
from bot.board.digest import DigestService, digests_running
from bot.board.errors import install_board_errors
from bot.board.kept_sums import sums_running
from bot.board.methods import AllowEveryMethod
from bot.board.pages import board_templates
from bot.board.service import BoardService
from bot.board.worker import BoardWorker
from bot.channels.seam import text_limit
from bot.heap import frozen_after_start
from bot.ids import RandomIds
from bot.plan_links import PlanLinks
from bot.reminders import reminders_running
from bot.retention import retention_running
from bot.service import ChatService
from bot.settings import Settings
from bot.telegram import webhook
from bot.telegram.runtime import telegram_running
from bot.translations import Catalogs
from bot.web.assets import CompressPages, HeadLikeGet, StaticAssets
from bot.web.errors import errors_in_json, install_error_handlers
from bot.web.health import Health, health_running
from bot.web.limits import BodySizeLimit, show_text_limit
from bot.web.logs import redact_access_log
from bot.web.ratelimit import install_rate_limits
from bot.web.routes import chat, embed, export, notices, pages, plans, review
from bot.web.security import SecurityHeaders
from bot.whatsapp import webhook as whatsapp_webhook
from bot.whatsapp.runtime import whatsapp_running
from dialogs import Engine, Ids, load_default_content
from storage import create_engine, upgrade_engine, utcnow

__all__ = ["create_app"]

HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 64 * 1024  # the default of ICF_MAX_BODY_BYTES


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    ids: Ids | None = None,
    catalogs: Catalogs | None = None,
    freeze_heap: bool = False,
    keep_sums: bool = False,
) -> FastAPI:
    """``freeze_heap``: for a server process (``icf serve``), never for an app a test makes and drops.
    ``keep_sums``: bring the board's kept collation sums up to date every minute in the background
    (``icf serve``; a test of it runs ``sums_running`` itself)."""
    settings = settings or Settings.from_env()
    catalogs = catalogs or Catalogs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = create_engine(settings.database_url)
        if settings.migrate_on_start:
            await upgrade_engine(db)
        engine = Engine(
            load_default_content(), ids or RandomIds(clock), max_text=text_limit(settings.max_text)
        )
        service = ChatService(engine, db, catalogs, settings, clock)
        app.state.db = db
        app.state.service = service
        app.state.board_auth = BoardAuth(service.sessions, settings.secret_key, clock)
        worker = BoardWorker(settings.database_url, engine.content)
        board = BoardService(service.sessions, engine, catalogs, settings.secret_key, clock, worker)
        app.state.board = board
        try:
            async with AsyncExitStack() as stack:
                app.state.health = await stack.enter_async_context(health_running(Health(db)))
                await stack.enter_async_context(retention_running(service.sessions, settings, clock))
                await stack.enter_async_context(reminders_running(service))
                app.state.digests = DigestService(
                    service.sessions, settings, app.state.board_templates, clock
                )
                await stack.enter_async_context(digests_running(app.state.digests))
                if keep_sums:
                    await stack.enter_async_context(sums_running(board))
                if settings.telegram_webhook:
                    running = telegram_running(settings, service, app.state.plan_links, clock)
                    app.state.telegram = await stack.enter_async_context(running)
                if settings.whatsapp:
                    serving = whatsapp_running(settings, service, app.state.plan_links, clock)
                    app.state.whatsapp = await stack.enter_async_context(serving)
                if freeze_heap:
                    frozen_after_start()
                yield
        finally:
            worker.close()
            await db.dispose()

    # No /docs or /redoc: those pages load their scripts from a CDN and run inline script, which the
    # Content-Security-Policy refuses (and many sites have no internet). The schema is /openapi.json.
    app = FastAPI(
        title="ICF self-evaluation assistant",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalogs = catalogs
    app.state.plan_links = PlanLinks(settings.secret_key, settings.public_url, settings.resume_days)
    assets = StaticAssets(HERE / "static")
    app.state.templates = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True)
    )
    install_error_handlers(app)
    install_board_errors(app)
    app.state.board_templates = board_templates()
    for templates in (app.state.templates, app.state.board_templates):
        templates.globals["static"] = assets.url
    app.include_router(chat.router)
    app.include_router(plans.router)
    app.include_router(pages.router)
    app.include_router(notices.router)
    app.include_router(webhook.router)
    app.include_router(whatsapp_webhook.router)
    app.include_router(embed.router)
    app.include_router(export.router)
    app.include_router(review.router)
    app.include_router(board_pages.router)
    app.include_router(board_api.router)
    app.mount("/static", assets, name="static")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    install_rate_limits(app, settings)  # inside CORS, so a 429 still reaches an embedding page
    show_text_limit(app, settings.max_text)
    errors_in_json(app)
    redact_access_log()
    if settings.embed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.embed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(NoStoreUnder)
    app.add_middleware(AllowEveryMethod)
    app.add_middleware(CompressPages)
    app.add_middleware(
        SecurityHeaders, embed_origins=settings.embed_origins, logo_origin=settings.logo_origin
    )
    app.add_middleware(HeadLikeGet)  # outermost: every layer inside sees the GET it stands for
    return app
