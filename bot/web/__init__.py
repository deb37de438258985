"""The web app: the JSON chat API, the chat page and the plan page."""

from bot.web.app import create_app

__all__ = ["create_app"]
