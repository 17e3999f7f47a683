"""Synthetic Apex Legends VODs: script -> per-frame state -> rendered frames -> HLS/Twitch layout.

    from vodstream.testbed import synth
    script = synth.preset("test", seed=1)      # or load_script(path|dict), random_script(seed, matches=20)
    vod_dir = synth.synthesize(script, "out")  # out/<vod_id>/: master.m3u8, variants, truth.json, vod.json
    synth.truth(script)                            # {"vod_id", "duration", "matches": [...], ...}

The script format is documented in docs/script-format.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vodstream.testbed.synth.script import (
    APEX_GAME_ID,
    PRESETS,
    Match,
    Script,
    Span,
    Spectate,
    Variant,
    load_script,
    preset,
    random_script,
    truth,
)
from vodstream.testbed.synth.state import FrameState
from vodstream.testbed.synth.timeline import Timeline

__all__ = [
    "APEX_GAME_ID",
    "PRESETS",
    "FrameState",
    "Match",
    "Script",
    "Span",
    "Spectate",
    "Timeline",
    "Variant",
    "load_script",
    "preset",
    "random_script",
    "synthesize",
    "truth",
]


def synthesize(
    script: Script, out_dir: str | os.PathLike[str], *, fmt: str = "twitch", **kwargs: Any
) -> Path:
    """Render and encode ``script`` into ``out_dir/<vod_id>/`` and return that directory.

    ``fmt``: "twitch" (HLS layout), "ts" or "mp4" (one source-quality file in the directory).
    Extra keyword arguments go to :func:`vodstream.testbed.synth.encode.encode` (renderer, options, progress).
    """
    from vodstream.testbed.synth.encode import encode

    path, _stats = encode(script, out_dir, fmt=fmt, **kwargs)
    return path
