"""Run a snippet in a fresh Python process (what a new scorer or driver process imports)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_stdout(code: str, timeout: float = 120) -> str:
    """``code`` run by this interpreter in a new process from the repository root; its stdout."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    ).stdout
