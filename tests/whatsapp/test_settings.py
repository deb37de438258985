"""WhatsApp is off without its settings, on with all four, and refuses to start half set up."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.settings import Settings, SettingsError

FOUR = {
    "WHATSAPP_TOKEN": "EAAG-a-system-user-token",
    "WHATSAPP_PHONE_NUMBER_ID": "109876543210987",
    "WHATSAPP_APP_SECRET": "0123456789abcdef0123456789abcdef",
    "WHATSAPP_VERIFY_TOKEN": "a-random-verify-token-42",
}


def test_on_with_all_four_off_without_them(tmp_path: Path) -> None:
    base = {"ICF_DATA_DIR": str(tmp_path)}
    assert not Settings.from_env(base).whatsapp
    on = Settings.from_env({**base, **FOUR, "ICF_WHATSAPP_REMINDER_TEMPLATE": "icf_reminder"})
    assert on.whatsapp and on.whatsapp_reminder_template == "icf_reminder"
    assert on.whatsapp_api_url == "" and on.whatsapp_timeout == 15.0  # Meta's own Graph API


@pytest.mark.parametrize("left_out", sorted(FOUR))
def test_half_set_up_refuses_to_start(tmp_path: Path, left_out: str) -> None:
    env = {"ICF_DATA_DIR": str(tmp_path), **{k: v for k, v in FOUR.items() if k != left_out}}
    with pytest.raises(SettingsError, match=left_out):
        Settings.from_env(env)


@pytest.mark.parametrize("name", ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"])
def test_placeholder_secrets_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({"ICF_DATA_DIR": str(tmp_path), **FOUR, name: "changeme"})


async def test_the_webhook_is_not_there_when_whatsapp_is_off(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/whatsapp/webhook", content=b"{}", headers={"X-Hub-Signature-256": "sha256=00"}
    )
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    answer = await client.get("/whatsapp/webhook", params={"hub.mode": "subscribe"})
    assert answer.status_code == 404
