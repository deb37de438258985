"""Settings come from the environment and refuse unsafe values."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_need_no_configuration_and_keep_one_key(tmp_path: Path) -> None:
    first = Settings.from_env({"ICF_DATA_DIR": str(tmp_path)})
    again = Settings.from_env({"ICF_DATA_DIR": str(tmp_path)})
    assert first.database_url.startswith("sqlite+aiosqlite:///")
    assert first.secret_key == again.secret_key and len(first.secret_key) >= 32
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize(
    "env",
    [
        {"ICF_SECRET_KEY": "changeme"},
        {"ICF_SECRET_KEY": "short"},
        {"ICF_PORT": "eighty"},
        {"ICF_RESUME_DAYS": "0"},
        {"TELEGRAM_MESSAGES_PER_SECOND": "-1"},
        {"TELEGRAM_MESSAGES_PER_SECOND": "fast"},
        {"TELEGRAM_CONCURRENT_CHATS": "0"},
    ],
)
def test_unsafe_or_malformed_settings_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"ICF_DATA_DIR": str(tmp_path), **env})


def test_postgres_urls_get_the_async_driver(tmp_path: Path) -> None:
    settings = Settings.from_env({"ICF_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@db/icf"})
    assert settings.database_url == "postgresql://u@db/icf"  # normalised where the engine is made
    from storage import normalise_url

    assert normalise_url(settings.database_url) == "postgresql+asyncpg://u@db/icf"


def test_telegram_sends_at_telegrams_own_limit_unless_told(tmp_path: Path) -> None:
    assert Settings.from_env({"ICF_DATA_DIR": str(tmp_path)}).telegram_rate == 30
    raised = Settings.from_env({"ICF_DATA_DIR": str(tmp_path), "TELEGRAM_MESSAGES_PER_SECOND": "0"})
    assert raised.telegram_rate == 0  # no limit: a local Bot API server, or a bot Telegram lets send more
    assert raised.telegram_chats == 16
