"""``python -m benchmarks.collation`` runs, on SQLite, with a tiny number of evaluations.

No timings are checked here: this only keeps the command working.
"""

from __future__ import annotations

import pytest

from benchmarks import collation


def test_collation_benchmark_command(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--evaluations", "50", "--database", "sqlite", "--repeat", "2"]
    assert collation.main(argv) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("$ python -m benchmarks.collation --evaluations 50 --database sqlite")
    assert "SQLite: 25 in 2025, 50 in 2026" in shown
    steps = ["collation(year)", "xlsx export, first run", "xlsx export ", "xlsx, every row made now"]
    for step in [*steps, "csv export, streamed", "MB peak"]:
        assert step in shown
