"""One typed settings object, read from the environment when the app is built."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from storage.database import DEFAULT_URL

__all__ = ["Settings", "SettingsError", "contrast_with_white"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
DEFAULT_ACCENT = "#1d70b8"
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text
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


WHATSAPP = ("WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN")


def _whatsapp(env: Mapping[str, str]) -> None:
    """All four or none: half a set-up would take messages it cannot answer, or answer none."""
    given = [name for name in WHATSAPP if env.get(name, "").strip()]
    if given and len(given) < len(WHATSAPP):
        missing = " and ".join(name for name in WHATSAPP if name not in given)
        raise SettingsError(f"WhatsApp is half set up: set {missing} too, or none of them")
    for name in ("WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"):
        value = env.get(name, "").strip()
        if value and (value.lower() in PLACEHOLDERS or len(value) < 16):
            raise SettingsError(f"{name} must be a random value of at least 16 characters")


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb`` (a formula, too small to need a library)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def _accent(env: Mapping[str, str]) -> str:
    """One colour for buttons, links and the launcher: white text on it and it on white must be legible."""
    raw = env.get("ICF_ACCENT_COLOUR", "").strip() or DEFAULT_ACCENT
    short = re.fullmatch(r"#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])", raw)
    colour = "#" + "".join(c * 2 for c in short.groups()) if short else raw
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise SettingsError(f"ICF_ACCENT_COLOUR must be a colour like #1d70b8, not {raw!r}")
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise SettingsError(
            f"ICF_ACCENT_COLOUR {raw} has a contrast of {ratio:.2f}:1 against white; it needs at least "
            f"{MIN_CONTRAST}:1 so that text in it, and white text on it, stay easy to read: try a darker one."
        )
    return colour.lower()


def _logo(env: Mapping[str, str]) -> str:
    """An https address, or a path on this site; the Content-Security-Policy allows its origin."""
    raw = env.get("ICF_LOGO_URL", "").strip()
    if raw and not (
        re.fullmatch(r"/(?!/)[^\s\"'<>]*", raw)
        or re.fullmatch(r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[^\s\"'<>]*", raw)
    ):
        raise SettingsError(
            f"ICF_LOGO_URL must be an https:// address or a path such as /static/logo.png, not {raw!r}"
        )
    return raw


def _origins(raw: str) -> tuple[str, ...]:
    """Comma-separated origins such as https://www.example.org (scheme, host, optional port)."""
    origins = tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise SettingsError(
                f"ICF_EMBED_ORIGINS: {origin!r} is not an origin like https://www.example.org"
            )
    return origins


def _digest_webhook_secret(env: Mapping[str, str]) -> str:
    """With ICF_WEBHOOK_URL, a signing key of 32 characters or more is needed, or nothing is sent."""
    secret = env.get("ICF_WEBHOOK_SECRET", "").strip()
    if env.get("ICF_WEBHOOK_URL", "").strip() and len(secret) < 32:
        raise SettingsError("ICF_WEBHOOK_URL needs ICF_WEBHOOK_SECRET: 32 random characters or more")
    return secret


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
    # WhatsApp (bot/whatsapp/): on when the first four are set; off without them.
    whatsapp_token: str = ""  # a system user's access token for the Cloud API
    whatsapp_phone_number_id: str = ""  # the business number's id (not the number itself)
    whatsapp_app_secret: str = ""  # signs every webhook (X-Hub-Signature-256)
    whatsapp_verify_token: str = ""  # what Meta sends back when the webhook is verified
    whatsapp_api_url: str = ""  # another Graph API root (a local fake); default Meta's
    whatsapp_reminder_template: str = ""  # a pre-approved template: the only way to send a reminder
    whatsapp_timeout: float = 15.0  # seconds to wait for the Graph API's answer before trying again
    embed_origins: tuple[str, ...] = ()  # sites allowed to embed the chat (frame-ancestors, CORS)
    max_body_bytes: int = 64 * 1024  # the largest request body
    # Limits per process, each a number a minute (0 turns one off): see bot/web/ratelimit.py.
    rate_per_client: int = 300  # API calls from one address
    rate_per_conversation: int = 120  # API calls on one conversation
    resume_fails_per_client: int = 10  # wrong resume codes from one address
    resume_tries_per_code: int = 5  # tries of one resume code, from anywhere
    retention_days: int = 180  # evaluations never sent and untouched this long are removed; 0 keeps them
    # Who runs the service, as the privacy notice and every page say; both are needed to serve publicly.
    operator_name: str = ""
    operator_contact: str = ""  # an email address, a phone number or a web address
    logo_url: str = ""  # an https address or a path on this site; shown beside the operator's name
    accent_colour: str = DEFAULT_ACCENT  # #rrggbb, at least 4.5:1 against white

    # The board's daily digest (bot/board/digest.py): by e-mail, and as a signed webhook for scripts.
    smtp_url: str = ""  # smtp://user:pass@host:port, smtp+starttls://..., smtps://...
    smtp_from: str = ""  # the digest's From address
    webhook_url: str = ""
    webhook_secret: str = ""  # the key for the webhook's HMAC-SHA256 signature
    digest_hour: int = 7  # the UTC hour from which each day's digest goes out

    @property
    def operator_set(self) -> bool:
        return bool(self.operator_name and self.operator_contact)

    @property
    def logo_origin(self) -> str | None:
        """The logo's origin when it lives on another site (the CSP must allow it), else None."""
        if not self.logo_url.startswith("https://"):
            return None
        return "/".join(self.logo_url.split("/", 3)[:3])

    def check_can_serve(self, host: str | None = None) -> None:
        """Refuse to serve people beyond this computer without saying who runs the service.

        On this computer alone (a try-out) the pages show a "demo" banner instead.
        """
        if self.operator_set:
            return
        listening = (host or self.host).strip()
        public_host = self.public_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
        if listening in LOCAL_HOSTS and (not self.public_url_set or public_host in LOCAL_HOSTS):
            return
        missing = [
            n
            for n, v in (
                ("ICF_OPERATOR_NAME", self.operator_name),
                ("ICF_OPERATOR_CONTACT", self.operator_contact),
            )
            if not v
        ]
        raise SettingsError(
            f"set {' and '.join(missing)} before serving the chat beyond this computer: the privacy notice "
            "must say who runs the service and how to reach them (for example ICF_OPERATOR_NAME='Kirklees "
            "Council' ICF_OPERATOR_CONTACT=icf@kirklees.gov.uk). Without them the chat runs as a demo on "
            "127.0.0.1 only."
        )

    @property
    def telegram_webhook(self) -> bool:
        """Serve Telegram through the webhook route: a token and its secret are both set."""
        return bool(self.telegram_token and self.telegram_webhook_secret)

    @property
    def whatsapp(self) -> bool:
        """Serve WhatsApp at /whatsapp/webhook: its token, number id, app secret and verify token are set."""
        return bool(
            self.whatsapp_token
            and self.whatsapp_phone_number_id
            and self.whatsapp_app_secret
            and self.whatsapp_verify_token
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("ICF_DATA_DIR", "./data"))
        port = _int(env, "ICF_PORT", 8000)
        _whatsapp(env)
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
            whatsapp_token=env.get("WHATSAPP_TOKEN", "").strip(),
            whatsapp_phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", "").strip(),
            whatsapp_app_secret=env.get("WHATSAPP_APP_SECRET", "").strip(),
            whatsapp_verify_token=env.get("WHATSAPP_VERIFY_TOKEN", "").strip(),
            whatsapp_api_url=env.get("WHATSAPP_API_URL", "").strip().rstrip("/"),
            whatsapp_reminder_template=env.get("ICF_WHATSAPP_REMINDER_TEMPLATE", "").strip(),
            whatsapp_timeout=float(_int(env, "WHATSAPP_TIMEOUT", 15)),
            embed_origins=_origins(env.get("ICF_EMBED_ORIGINS", "")),
            max_body_bytes=_int(env, "ICF_MAX_BODY_BYTES", 64 * 1024, minimum=1024),
            rate_per_client=_int(env, "ICF_RATE_PER_CLIENT", 300, minimum=0),
            rate_per_conversation=_int(env, "ICF_RATE_PER_CONVERSATION", 120, minimum=0),
            resume_fails_per_client=_int(env, "ICF_RESUME_FAILS_PER_CLIENT", 10, minimum=0),
            resume_tries_per_code=_int(env, "ICF_RESUME_TRIES_PER_CODE", 5, minimum=0),
            retention_days=_int(env, "ICF_RETENTION_DAYS", 180, minimum=0),
            operator_name=" ".join(env.get("ICF_OPERATOR_NAME", "").split()),
            operator_contact=env.get("ICF_OPERATOR_CONTACT", "").strip(),
            logo_url=_logo(env),
            accent_colour=_accent(env),
            smtp_url=env.get("ICF_SMTP_URL", "").strip(),
            smtp_from=env.get("ICF_SMTP_FROM", "").strip(),
            webhook_url=env.get("ICF_WEBHOOK_URL", "").strip(),
            webhook_secret=_digest_webhook_secret(env),
            digest_hour=_int(env, "ICF_DIGEST_HOUR", 7, minimum=0),
        )
