"""The board's command line: accounts, tokens, the demo year, exports and pulls."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.commands import icf


def test_demo_seed_then_export_pull_and_accounts(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'icf.db'}", "ICF_DATA_DIR": str(tmp_path)}
    seeded = icf("demo", "seed", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert "demo evaluations from 8 organisations" in seeded.stdout
    assert "there already" in icf("demo", "seed", env=env).stdout  # not twice

    out = tmp_path / "year.xlsx"
    exported = icf("board", "export", "--format", "xlsx", "-o", str(out), env=env)
    assert exported.returncode == 0, exported.stderr
    book = load_workbook(out, read_only=True)
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    assert len(rows) - 1 == int(exported.stdout.split("wrote ")[1].split(" rows")[0]) > 20

    as_csv = tmp_path / "year.csv"
    assert icf("board", "export", "--format", "csv", "-o", str(as_csv), env=env).returncode == 0
    organisations = {row["Organisation"] for row in csv.DictReader(io.StringIO(as_csv.read_text()))}
    assert "The Branch" in organisations and "Ashbrow Youth Network" in organisations

    pulled = icf("board", "pull", env=env)
    assert pulled.returncode == 0 and pulled.stdout.count("ICF-") >= 8  # this year's were still new
    assert "nothing new" in icf("board", "pull", env=env).stdout

    added = icf(
        "board",
        "add-user",
        "lead@locala.example",
        "--role",
        "org-lead",
        "--organisation",
        "Locala",
        "--password-stdin",
        env=env,
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    short = icf(
        "board", "add-user", "x@y.example", "--role", "board", "--password-stdin", env=env, stdin="short\n"
    )
    assert short.returncode == 2 and "12 characters" in short.stderr
    no_org = icf(
        "board",
        "add-user",
        "z@y.example",
        "--role",
        "org-lead",
        "--password-stdin",
        env=env,
        stdin="a long enough password\n",
    )
    assert no_org.returncode == 2 and "--organisation" in no_org.stderr
    token = icf("board", "token", "lead@locala.example", env=env)
    assert token.returncode == 0 and token.stdout.startswith("icfb_") and "not shown again" in token.stderr


def test_accounts_tokens_and_the_digest_from_the_command_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'icf.db'}", "ICF_DATA_DIR": str(tmp_path)}
    added = icf(
        "board", "add-user", "officer@kirklees.example", "--role", "board", "--password-stdin",
        env=env, stdin="a long enough password\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = icf("board", "token", "officer@kirklees.example", "--days", "7", env=env)
    assert token.stdout.startswith("icfb_") and "works for 7 days" in token.stderr
    too_long = icf("board", "token", "officer@kirklees.example", "--days", "400", env=env)
    assert too_long.returncode == 2 and "from 1 to 366 days" in too_long.stderr
    revoked = icf("board", "token", "revoke", "officer@kirklees.example", env=env)
    assert revoked.returncode == 0 and "revoked 1 token of" in revoked.stdout
    disabled = icf("board", "disable", "officer@kirklees.example", env=env)
    assert disabled.returncode == 0 and "sessions and tokens have ended" in disabled.stdout
    no_token = icf("board", "token", "officer@kirklees.example", env=env)
    assert no_token.returncode == 2 and "disabled" in no_token.stderr
    assert icf("board", "enable", "officer@kirklees.example", env=env).returncode == 0
    wanted = icf("board", "digest", "officer@kirklees.example", "on", env=env)
    assert wanted.returncode == 0 and "gets the daily digest" in wanted.stdout
    unset = icf("board", "digest", "run", env=env)
    assert unset.returncode == 2 and "ICF_SMTP_URL" in unset.stderr
    bad_hook = icf("board", "digest", "run", env={**env, "ICF_WEBHOOK_URL": "http://127.0.0.1:9/h"})
    assert bad_hook.returncode != 0 and "ICF_WEBHOOK_SECRET" in bad_hook.stderr
