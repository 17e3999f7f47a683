"""The import-linter contracts in pyproject.toml (the layers of docs/architecture.md) hold.

``make check`` runs ``lint-imports`` in CI; this test makes ``make test`` fail on a wrong-way
import as well, and checks on a copy of the tree that the linter really catches one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_import_contracts_hold() -> None:
    res = _lint(ROOT)
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_wrong_way_import_breaks_them(tmp_path: Path) -> None:
    """A copy of the tree where a stage (matches) imports actors/: the linter must fail, naming it."""
    for name in ("vodstream", "actors", "models"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.pt", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    tracker = tmp_path / "vodstream" / "matches" / "tracker.py"
    tracker.write_text(tracker.read_text() + "\nimport actors.tracker  # the wrong way\n")
    res = _lint(tmp_path)
    assert res.returncode == 1
    assert "vodstream.matches.tracker -> actors.tracker" in res.stdout
