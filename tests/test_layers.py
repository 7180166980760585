"""The packages form layers, and imports only go down: a module may import its own layer and the
layers below it, never one above (docs/architecture.md, "Layers").

Read from the source with `ast`, so an import inside a function (the usual way round a cycle)
counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",), ("storage",), ("timing",), ("reports",), ("handlers", "actions"), ("scheduler",), ("bot", "webconsole"),
)
"""Bottom first: plain data and config; the database; the rules about time; documents; the
product's decisions; the jobs that run them; the runtime and the platforms. Packages of one
layer may import each other."""
OUTSIDE = ("tests", "bench")
"""Above every layer and never shipped: the product imports neither."""
PACKAGES = [package for layer in LAYERS for package in layer]


def imported(source: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.partition(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.partition(".")[0]))
    return found


def upward_imports(package: str, path: str, source: str,
                   layers: tuple[tuple[str, ...], ...] = LAYERS) -> list[str]:
    """The imports in `source` (a module of `package`) of a layer above `package`'s."""
    level = next(n for n, layer in enumerate(layers) if package in layer)
    above = {name for layer in layers[level + 1:] for name in layer} | set(OUTSIDE)
    return [f"{path}:{line} imports {target}" for line, target in imported(source) if target in above]


def test_every_package_has_a_layer() -> None:
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert {name.partition(".")[0] for name in shipped} == set(PACKAGES), (
        "give each top-level package its place in LAYERS here and in docs/architecture.md's diagram")


def test_imports_only_go_down() -> None:
    violations = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            violations += upward_imports(package, relative, path.read_text(encoding="utf-8"))
    assert violations == []


def test_an_upward_import_is_found_wherever_it_is() -> None:
    """The check itself: a lazy import inside a function is caught; an import from below is not."""
    source = "from core.config import Settings\n\ndef later():\n    from scheduler import sweep\n    import bot.app\n"
    assert upward_imports("handlers", "handlers/x.py", source) == [
        "handlers/x.py:4 imports scheduler", "handlers/x.py:5 imports bot"]
    assert upward_imports("core", "core/x.py", "import sqlalchemy\nfrom storage.models import Account\n") == [
        "core/x.py:2 imports storage"]
    assert upward_imports("bot", "bot/x.py", "from handlers import dispatch\nfrom tests.fakes import x\n") == [
        "bot/x.py:2 imports tests"]
    layers = (("low",), ("left", "right"), ("high",))
    assert upward_imports("left", "left/x.py", "import low\nimport right\nimport high\n", layers) == [
        "left/x.py:3 imports high"]
