"""No dead words: every message is used by the code or the content, so translators never translate a
sentence nobody will read.

A message module's constant counts as used when code outside the module reads it (``m.WELCOME``,
``from dialogs.messages import LANGUAGE_SELF_NAME``, ``{{ m.PLAN_TITLE }}`` in a template); a content
string when the content has it. The catalog template (locales/messages.pot) may hold only those.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from babel.messages.pofile import read_po

from bot.channels import messages as channel_messages
from bot.cli import messages as cli_messages
from bot.telegram import messages as telegram_messages
from bot.translations import LOCALES_DIR
from bot.web import page_messages
from bot.whatsapp import messages as whatsapp_messages
from dialogs import messages
from dialogs.content import load_default_content

ROOT = Path(__file__).resolve().parents[2]
MODULES: dict[str, ModuleType] = {
    module.__name__: module
    for module in (
        messages,
        telegram_messages,
        whatsapp_messages,
        cli_messages,
        channel_messages,
        page_messages,
    )
}
TEMPLATE_NAME = re.compile(r"\bm\.([A-Z][A-Z0-9_]*)\b")  # templates get dialogs.messages as `m`


def _code_files() -> Iterator[Path]:
    for package in ("dialogs", "bot"):
        yield from sorted((ROOT / package).rglob("*.py"))


def _read_in(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(module, name) for each message module's constant the code reads."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                if whole in MODULES:  # from dialogs import messages as m
                    aliases[alias.asname or alias.name] = whole
                elif node.module in MODULES:  # from dialogs.messages import WELCOME
                    yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            yield aliases[node.value.id], node.attr


def used_constants() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in _code_files():
        if path.with_suffix("").relative_to(ROOT).as_posix().replace("/", ".") in MODULES:
            continue  # a module's own definitions are not uses
        found |= set(_read_in(ast.parse(path.read_text(encoding="utf-8"))))
    for template in (ROOT / "dialogs" / "templates").rglob("*.html"):
        found |= {(messages.__name__, name) for name in TEMPLATE_NAME.findall(template.read_text("utf-8"))}
    return found | _in_used_tables(found)


def _in_used_tables(used: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """A message a module puts in one of its own tables (a page's words) is used when the table is."""
    found: set[tuple[str, str]] = set()
    for module_name, module in MODULES.items():
        tabled = {
            message
            for name, value in vars(module).items()
            if (module_name, name) in used and isinstance(value, dict)
            for message in value.values()
        }
        found |= {
            (module_name, n) for n, v in defined(module).items() if not isinstance(v, dict) and v in tabled
        }
    return found


def defined(module: ModuleType) -> dict[str, object]:
    """The module's messages and tables of messages (a table of tables is not a message)."""
    return {
        name: value
        for name, value in vars(module).items()
        if name.isupper()
        and isinstance(value, str | tuple | dict)
        and not (isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()))
    }


def _msgids(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, tuple):  # a plural: the catalog's id is the singular
        return {value[0]}
    if isinstance(value, dict):
        return {v if isinstance(v, str) else v[0] for v in value.values() if isinstance(v, str | tuple)}
    return set()


def used_msgids() -> set[str]:
    found = set(load_default_content().strings())
    for module_name, name in used_constants():
        found |= _msgids(getattr(MODULES[module_name], name, None))
    return found


def test_every_message_the_code_defines_is_used() -> None:
    used = used_constants()
    unused = sorted(
        f"{module_name}.{name}"
        for module_name, module in MODULES.items()
        for name in defined(module)
        if (module_name, name) not in used
    )
    assert unused == [], "defined but never used: remove them (and tell the translators)"


def test_the_check_sees_a_message_only_a_template_uses() -> None:
    used = used_constants()
    assert (messages.__name__, "PLAN_TITLE") in used  # dialogs/templates/plan.html
    assert (messages.__name__, "LANGUAGE_SELF_NAME") in used  # from dialogs.messages import ...
    assert (messages.__name__, "WORDS_BACK") in used  # the commands' table
    assert (messages.__name__, "NOT_A_MESSAGE") not in used


def test_every_catalog_message_is_used_by_the_code_or_the_content() -> None:
    """Fails while locales/messages.pot still holds messages the code has dropped or reworded:
    `icf i18n extract` then `icf i18n update` brings the catalogs up to date."""
    with (LOCALES_DIR / "messages.pot").open("rb") as pot:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot) if m.id}
    assert sorted(catalog - used_msgids()) == []
