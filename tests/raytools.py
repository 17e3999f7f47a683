"""Helpers shared by the Ray end-to-end tests: a served library of synthetic VODs, truth checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import av

__all__ = ["clip_facts", "compare", "make_library"]


def make_library(
    vod_dir: Path, root: Path, copies: int = 1, chapters: dict[int, list[dict[str, Any]]] | None = None
) -> list[str]:
    """``root`` holding the synthetic VOD (linked) and ``copies - 1`` more under new ids.

    The copies share the media (symlinks) and differ only in vod.json (id, and the chapters
    given for that copy), so they are different VODs to Twitch's protocol and to the pipeline.
    """
    root.mkdir(parents=True, exist_ok=True)
    meta = json.loads((vod_dir / "vod.json").read_text())
    base = str(meta.get("vod_id") or vod_dir.name)
    ids = []
    for n in range(copies):
        vod_id = base if n == 0 else str(int(base) + n) if base.isdigit() else f"{base}{n}"
        dest = root / vod_id
        if not dest.exists():
            dest.mkdir()
            for item in vod_dir.iterdir():
                if item.name != "vod.json":
                    (dest / item.name).symlink_to(item.resolve())
            extra = {"chapters": chapters[n]} if chapters and n in chapters else {}
            (dest / "vod.json").write_text(json.dumps({**meta, "vod_id": vod_id, **extra}))
        ids.append(vod_id)
    return ids


def compare(truth: dict[str, Any], report: dict[str, Any], tol: float = 4.0) -> dict[str, Any]:
    """Pair truth and found matches by largest overlap and score them (compare_to_truth)."""
    from vodstream.report.document import compare_to_truth

    return compare_to_truth(truth, report, tol)


def clip_facts(path: Path) -> dict[str, float]:
    """Decode a whole clip: frames, first/last frame times (seconds), audio present."""
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        times = [float(f.time) for f in c.decode(v) if f.time is not None]
    with av.open(str(path)) as c:
        audio = len(c.streams.audio)
    return {
        "frames": len(times),
        "first": min(times),
        "last": max(times),
        "audio": audio,
        "duration": max(times) - min(times),
    }


def copy_tree_without_links(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, symlinks=False)
