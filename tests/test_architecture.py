"""Dependencies point one way: bot -> dialogs, bot -> storage; dialogs imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_DIALOGS = {
    "bot",
    "storage",
    "telegram",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "httpx",
    "uvicorn",
}


def imported_packages(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_dialogs_imports_no_channel_and_no_database() -> None:
    imports = imported_packages("dialogs")
    assert imports, "no modules found in dialogs/"
    offenders = {
        path: names & FORBIDDEN_IN_DIALOGS for path, names in imports.items() if names & FORBIDDEN_IN_DIALOGS
    }
    assert offenders == {}


def test_storage_does_not_import_channels_or_the_engine() -> None:
    imports = imported_packages("storage")
    offenders = {
        path: names & {"bot", "dialogs"} for path, names in imports.items() if names & {"bot", "dialogs"}
    }
    assert offenders == {}
