"""One typed settings object, read from the environment when the app is built."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from storage.database import DEFAULT_URL

__all__ = ["Settings", "SettingsError"]

PLACEHOLDERS = {"changeme", "change-me", "secret", "placeholder", "xxx", "todo"}


class SettingsError(ValueError):
    """A setting is missing or unsafe: refuse to start rather than run half-configured."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _secret_key(env: Mapping[str, str], data_dir: Path) -> bytes:
    """ICF_SECRET_KEY, or a random key kept in the data folder so a first try needs no set-up."""
    given = env.get("ICF_SECRET_KEY", "").strip()
    if given:
        if given.lower() in PLACEHOLDERS or len(given) < 32:
            raise SettingsError("ICF_SECRET_KEY must be a random value of at least 32 characters")
        return given.encode("utf-8")
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def _webhook_secret(env: Mapping[str, str]) -> str:
    """Telegram sends it back in a header; it allows 1-256 of A-Z, a-z, 0-9, _ and -."""
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if secret and (not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret) or secret.lower() in PLACEHOLDERS):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET must be 16-256 random characters: letters, digits, _ or -"
        )
    return secret


def _origins(raw: str) -> tuple[str, ...]:
    """Comma-separated origins such as https://www.example.org (scheme, host, optional port)."""
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise SettingsError(
                f"ICF_EMBED_ORIGINS: {origin!r} is not an origin like https://www.example.org"
            )
    return origins


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    secret_key: bytes
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    public_url_set: bool = False  # ICF_PUBLIC_URL was given; otherwise links use the address asked for
    resume_days: int = 30
    max_text: int = 4000
    migrate_on_start: bool = True
    telegram_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_url: str = ""  # another Bot API server, such as a local one
    telegram_rate: int = 30  # messages a second to Telegram, all chats together (Telegram's limit); 0: none
    telegram_chats: int = 16  # chats whose updates are applied at the same time
    telegram_timeout: float = 15.0  # seconds to wait for the Bot API's answer before trying again
    embed_origins: tuple[str, ...] = ()  # sites allowed to embed the chat (frame-ancestors, CORS)
    max_body_bytes: int = 64 * 1024  # the largest request body
    # Limits per process, each a number a minute (0 turns one off): see bot/web/ratelimit.py.
    rate_per_client: int = 300  # API calls from one address
    rate_per_conversation: int = 120  # API calls on one conversation
    resume_fails_per_client: int = 10  # wrong resume codes from one address
    resume_tries_per_code: int = 5  # tries of one resume code, from anywhere
    retention_days: int = 180  # evaluations never sent and untouched this long are removed; 0 keeps them

    @property
    def telegram_webhook(self) -> bool:
        """Serve Telegram through the webhook route: a token and its secret are both set."""
        return bool(self.telegram_token and self.telegram_webhook_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("ICF_DATA_DIR", "./data"))
        port = _int(env, "ICF_PORT", 8000)
        host = env.get("ICF_HOST", "127.0.0.1")
        return cls(
            database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_URL,
            secret_key=_secret_key(env, data_dir),
            host=host,
            port=port,
            public_url=env.get("ICF_PUBLIC_URL", "").strip().rstrip("/") or f"http://{host}:{port}",
            public_url_set=bool(env.get("ICF_PUBLIC_URL", "").strip()),
            resume_days=_int(env, "ICF_RESUME_DAYS", 30),
            max_text=_int(env, "ICF_MAX_TEXT", 4000, minimum=100),
            migrate_on_start=env.get("ICF_MIGRATE_ON_START", "1").strip() not in {"0", "false", "no"},
            telegram_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
            telegram_webhook_secret=_webhook_secret(env),
            telegram_api_url=env.get("TELEGRAM_API_URL", "").strip(),
            telegram_rate=_int(env, "TELEGRAM_MESSAGES_PER_SECOND", 30, minimum=0),
            telegram_chats=_int(env, "TELEGRAM_CONCURRENT_CHATS", 16),
            telegram_timeout=float(_int(env, "TELEGRAM_TIMEOUT", 15)),
            embed_origins=_origins(env.get("ICF_EMBED_ORIGINS", "")),
            max_body_bytes=_int(env, "ICF_MAX_BODY_BYTES", 64 * 1024, minimum=1024),
            rate_per_client=_int(env, "ICF_RATE_PER_CLIENT", 300, minimum=0),
            rate_per_conversation=_int(env, "ICF_RATE_PER_CONVERSATION", 120, minimum=0),
            resume_fails_per_client=_int(env, "ICF_RESUME_FAILS_PER_CLIENT", 10, minimum=0),
            resume_tries_per_code=_int(env, "ICF_RESUME_TRIES_PER_CODE", 5, minimum=0),
            retention_days=_int(env, "ICF_RETENTION_DAYS", 180, minimum=0),
        )
