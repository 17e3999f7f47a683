"""What every benchmark records about the run that measured it (imported by the scripts beside it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str | None:
    try:
        p = subprocess.run(
            ["git", "-C", str(ROOT), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return p.stdout if p.returncode == 0 else None


def git_head() -> str | None:
    """The checkout's short commit id, with "+dirty" where tracked code differs from it.

    A run of an uncommitted tree must not be filed under the commit it started from: the code it
    measured is not that commit's. Tracked files only (benchmarks/out and other ignored or new
    files do not count). None: not a git checkout, or git is missing.
    """
    head = (_git("rev-parse", "--short", "HEAD") or "").strip()
    if not head:
        return None
    changed = _git("status", "--porcelain", "--untracked-files=no")
    return head + "+dirty" if changed and changed.strip() else head
