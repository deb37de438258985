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
