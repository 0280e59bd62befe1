"""The layering rule of ARCHITECTURE.md holds, and the check that enforces it fails on an upward import."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """import-linter with the project's contracts over the packages found in ``tree``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_packages(tmp_path: Path) -> Path:
    for package in ("matching", "models", "api"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "static")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_every_import_goes_down_the_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "added", "broken"),
    [
        # a type-only import upwards counts like any other
        (
            "matching/taxonomy/model.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from matching.service import Matcher\n",
            "matching.taxonomy.model -> matching.service",
        ),
        ("matching/store/audit.py", "import api.app\n", "matching.store.audit -> api.app"),
        ("models/match.py", "from matching.errors import MatchingError\n", "models.match -> matching.errors"),
    ],
)
def test_the_check_fails_on_a_new_upward_import(tmp_path: Path, module: str, added: str, broken: str) -> None:
    tree = copy_of_the_packages(tmp_path)
    with (tree / module).open("a", encoding="utf-8") as handle:
        handle.write("\n" + added)
    result = lint_imports(tree)
    assert result.returncode != 0
    assert broken in result.stdout


def test_modules_stay_small_and_the_facade_delegates() -> None:
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "matching").rglob("*.py")}
    assert {str(p.relative_to(ROOT)): n for p, n in sizes.items() if n > 400} == {}
    facade = ast.parse((ROOT / "matching" / "service" / "facade.py").read_text(encoding="utf-8"))
    matcher = next(n for n in facade.body if isinstance(n, ast.ClassDef) and n.name == "Matcher")
    assert matcher.end_lineno is not None and matcher.end_lineno - matcher.lineno < 200
