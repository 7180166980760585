"""Below `bot/`, code decides on a channel's capabilities, never on its name: no platform name (and no
URL prefix standing for one) is a value in handlers/, storage/ or scheduler/ (docstrings aside)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.channels.registry import CHANNELS

ROOT = Path(__file__).resolve().parent.parent
BELOW_BOT = ("handlers", "storage", "scheduler")


def literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def names_a_platform(value: str, names: set[str]) -> bool:
    """"zalo_oa", a chat "telegram:-100..." or the "https://" that once meant Zalo."""
    platform, colon, _ = value.partition(":")
    return value in names or (bool(colon) and platform in names) or value == "https://"


def test_no_platform_is_named_below_the_channels() -> None:
    names = {channel.name for channel in CHANNELS}
    sources = [path for folder in BELOW_BOT for path in sorted((ROOT / folder).rglob("*.py"))
               if "migrations" not in path.parts]
    found = [f"{path.relative_to(ROOT)}:{line}: {value!r}"
             for path in sources for line, value in literals(path) if names_a_platform(value, names)]
    assert len(sources) > 20 and found == []
