"""Logs hold no secrets: query strings are cut from access log lines.

Two addresses carry a secret in their query string, by design: the chat page's hand-off link
(``/?resume=CODE``) and the signed plan link (``/plan/ID?expires=..&sig=..``). The server's access
log would otherwise keep them. Tokens travel in the ``Authorization`` header, which is never logged,
and the database engine hides statement parameters (storage/database.py), so no story text reaches
an error log either.
"""

from __future__ import annotations

import logging

__all__ = ["RedactQuery", "redact_access_log", "without_query"]

ACCESS_LOGGERS = ("uvicorn.access",)


def without_query(path: str) -> str:
    base, mark, _ = path.partition("?")
    return f"{base}?[redacted]" if mark else base


class RedactQuery(logging.Filter):
    """uvicorn logs ``'%s - "%s %s HTTP/%s" %d'`` with the path and query as the third argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], without_query(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    """Install the filter once per process (the app factory calls it; calling again changes nothing)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQuery) for f in logger.filters):
            logger.addFilter(RedactQuery())
