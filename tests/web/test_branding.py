"""Who runs the service and how it looks: required to serve publicly, checked when the app starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.settings import Settings, SettingsError, contrast_with_white


def env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"ICF_DATA_DIR": str(tmp_path), **more}


@pytest.mark.parametrize(
    ("colour", "ratio"), [("#ffffff", 1.0), ("#000000", 21.0), ("#1d70b8", 5.17), ("#767676", 4.54)]
)
def test_contrast_is_measured_as_wcag_says(colour: str, ratio: float) -> None:
    assert round(contrast_with_white(colour), 2) == ratio


def test_an_accent_too_pale_to_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"ICF_ACCENT_COLOUR #7fb2e5 has a contrast of 2\.\d\d:1"):
        Settings.from_env(env(tmp_path, ICF_ACCENT_COLOUR="#7fb2e5"))
    with pytest.raises(SettingsError, match="like #1d70b8"):
        Settings.from_env(env(tmp_path, ICF_ACCENT_COLOUR="blue"))
    assert Settings.from_env(env(tmp_path, ICF_ACCENT_COLOUR="#0B4F8A")).accent_colour == "#0b4f8a"
    assert Settings.from_env(env(tmp_path, ICF_ACCENT_COLOUR="#036")).accent_colour == "#003366"
    assert Settings.from_env(env(tmp_path)).accent_colour == "#1d70b8"


@pytest.mark.parametrize(
    "logo", ["http://partner.example/logo.png", "//evil.example/x.png", "javascript:1", "a b"]
)
def test_a_logo_must_be_https_or_on_this_site(tmp_path: Path, logo: str) -> None:
    with pytest.raises(SettingsError, match="ICF_LOGO_URL"):
        Settings.from_env(env(tmp_path, ICF_LOGO_URL=logo))


def test_a_logo_on_another_site_is_allowed_by_the_policy(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env(tmp_path, ICF_LOGO_URL="https://cdn.partner.example:8443/brand/logo.svg")
    )
    assert settings.logo_origin == "https://cdn.partner.example:8443"
    assert Settings.from_env(env(tmp_path, ICF_LOGO_URL="/static/logo.png")).logo_origin is None


def test_serving_beyond_this_computer_needs_the_operator(tmp_path: Path) -> None:
    local = Settings.from_env(env(tmp_path))
    local.check_can_serve()  # a try-out on 127.0.0.1: the pages say "demo" instead
    local.check_can_serve("localhost")
    with pytest.raises(SettingsError, match="ICF_OPERATOR_NAME and ICF_OPERATOR_CONTACT"):
        local.check_can_serve("0.0.0.0")  # noqa: S104 - the address people serve on
    public = Settings.from_env(env(tmp_path, ICF_PUBLIC_URL="https://icf.example.org"))
    with pytest.raises(SettingsError, match="ICF_OPERATOR_CONTACT"):
        replace_name = Settings.from_env(
            env(tmp_path, ICF_PUBLIC_URL="https://icf.example.org", ICF_OPERATOR_NAME="Kirklees Council")
        )
        replace_name.check_can_serve()
    with pytest.raises(SettingsError):
        public.check_can_serve()
    named = Settings.from_env(
        env(tmp_path, ICF_OPERATOR_NAME="  Kirklees   Council ", ICF_OPERATOR_CONTACT="icf@kirklees.gov.uk")
    )
    named.check_can_serve("0.0.0.0")  # noqa: S104
    assert named.operator_name == "Kirklees Council" and named.operator_set


def test_icf_serve_says_what_is_missing_and_does_not_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ICF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'icf.db'}")
    for name in ("ICF_OPERATOR_NAME", "ICF_OPERATOR_CONTACT", "ICF_PUBLIC_URL", "ICF_HOST"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2  # noqa: S104
    said = capsys.readouterr().err
    assert "icf: set ICF_OPERATOR_NAME and ICF_OPERATOR_CONTACT before serving the chat" in said
    assert not (tmp_path / "icf.db").exists()  # refused before touching the database
