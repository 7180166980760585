"""The built wheel works on its own: installed in a fresh virtual environment and run outside the
source tree, `youthbot init`, `check`, `migrate` and `classify` find the example and the migrations
in the package."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding only the wheel; its dependencies come from this venv's site-packages, added as a
    plain path (its .pth files, among them the editable install of the source tree, are not read)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT, source, symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build", "*.sqlite3",
                                                  "tests", "bench"))
    wheels = base / "dist"
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels,
                 source, cwd=base)
    assert built.returncode == 0, built.stderr
    target = base / "venv"
    venv.create(target, with_pip=False)
    site = next((target / "lib").glob("python3*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    wheel = next(wheels.glob("youthbot-*.whl"))
    done = _run(sys.executable, "-m", "pip", "--python", target / "bin" / "python", "install", "--no-deps",
                "--no-index", "-q", wheel, cwd=base)
    assert done.returncode == 0, done.stderr
    return target / "bin"


def test_init_check_migrate_and_classify_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    where = _run(installed / "python", "-c", "import bot; print(bot.__file__)", cwd=tmp_path)
    assert str(installed.parent) in where.stdout, where.stderr  # not the source tree

    assert _run(installed / "youthbot", "init", cwd=tmp_path).returncode == 0
    assert "[curation]" in (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert _run(installed / "youthbot", "init", cwd=tmp_path).returncode == 2  # never overwrites

    checked = _run(installed / "youthbot", "check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "districts: 11" in checked.stdout

    migrated = _run(installed / "youthbot", "migrate", cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "youthbot.sqlite3").exists()

    classified = _run(installed / "youthbot", "classify", "Em bán hàng online trên Shopee có phải nộp thuế không?",
                      cwd=tmp_path)
    assert classified.returncode == 0, classified.stderr
    assert json.loads(classified.stdout)["category"] == "ecommerce"


def test_without_a_config_the_packaged_example_is_used(installed: Path, tmp_path: Path) -> None:
    checked = _run(installed / "youthbot", "check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "using the example settings" in checked.stderr
