"""Catalog upkeep for translators: ``icf i18n extract | init LANG | update | check``.

``check`` is what CI relies on too: every message translated, nothing fuzzy, every placeholder kept,
and each catalog compiles.
"""

from __future__ import annotations

import re
from contextlib import chdir
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.translations import LOCALES_DIR

__all__ = ["LANGUAGES", "CatalogReport", "check_catalog", "extract", "init", "update"]

ROOT = LOCALES_DIR.parent
TEMPLATE = LOCALES_DIR / "messages.pot"
LANGUAGES = ("ur", "pa", "pl", "gu", "ar", "ro")
REVIEW_MARK = "Review-Status:"  # in the header comment, which Babel keeps (it drops unknown headers)
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


BOARD_TEMPLATE = LOCALES_DIR / "board.pot"


def extract() -> Path:
    """messages.pot for everything respondents read; board.pot for the (English) board area. Run from
    the project's folder, so that the catalogs name files as the repository does, not as one machine
    holds it."""
    for config, template in ((ROOT / "babel.toml", TEMPLATE), (ROOT / "babel-board.toml", BOARD_TEMPLATE)):
        with chdir(ROOT):
            _pybabel(
                "extract",
                "-F",
                str(config),
                "-k",
                "NP_:1,2",
                "-c",
                "TRANSLATORS:",
                "--no-wrap",
                "--sort-by-file",
                "--project",
                "icf-assistant",
                "--version",
                "0.1.0",
                "-o",
                str(template),
                ".",
            )
    return TEMPLATE


def init(language: str) -> None:
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "-l", language, "--no-wrap")


def update() -> None:
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "--no-wrap", "--ignore-obsolete")


@dataclass
class CatalogReport:
    language: str
    total: int = 0
    problems: list[str] = field(default_factory=list)
    review_status: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _forms(message: Message) -> tuple[list[str], list[str]]:
    ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
    return ids, [string or "" for string in strings]


def _check_message(message: Message, report: CatalogReport) -> None:
    ids, strings = _forms(message)
    label = ids[0][:60]
    if message.fuzzy:
        report.problems.append(f"fuzzy: {label!r}")
    if not all(strings):
        report.problems.append(f"untranslated: {label!r}")
        return
    wanted = set(_PLACEHOLDER.findall(" ".join(ids)))
    for string in strings:
        if set(_PLACEHOLDER.findall(string)) != wanted:
            report.problems.append(f"placeholders differ in {label!r}: {string[:60]!r}")


def check_catalog(po_path: Path, template: Catalog | None = None) -> CatalogReport:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    report = CatalogReport(po_path.parent.parent.name)
    marks = [
        line.split(REVIEW_MARK, 1)[1].strip()
        for line in catalog.header_comment.splitlines()
        if REVIEW_MARK in line
    ]
    report.review_status = marks[0] if marks else ""
    if not report.review_status:
        report.problems.append(f"the header comment has no '# {REVIEW_MARK} ...' line")
    for message in catalog:
        if message.id:
            report.total += 1
            _check_message(message, report)
    if template is not None:
        missing = {m.id for m in template if m.id} - {m.id for m in catalog if m.id}
        report.problems += [f"missing: {str(m)[:60]!r}" for m in sorted(missing, key=str)]
    try:
        write_mo(BytesIO(), catalog)
    except Exception as error:  # noqa: BLE001 - any failure to compile is a problem to report
        report.problems.append(f"does not compile: {error}")
    return report


def check_all() -> list[CatalogReport]:
    with TEMPLATE.open("rb") as pot:
        template = read_po(pot)
    return [check_catalog(LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po", template) for lang in LANGUAGES]
