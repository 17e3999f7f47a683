"""``vodstream bench``: the measurements of benchmarks/bench.py (a source checkout's benchmarks/)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HELP = "measure vodstream against the 2019 pipeline, its floors, VOD length, variants, bandwidth"
DESCRIPTION = (
    "Render (once, cached under benchmarks/out/bench-vods) a synthetic VOD, serve it locally and measure in "
    "one run: the 2019 write-up's pipeline (needs the ffmpeg and tesseract binaries, skipped otherwise), "
    "vodstream analyze and run end to end, several VODs in one command (start-up paid once), the "
    "keyframe-decode and fetch floors on the same bytes, 10 min / 1 h / 5 h VODs, each analysis variant, a "
    "bandwidth-capped server, and a 1080p60 source (demo60 preset). Prints a table and writes JSON."
)
SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "bench.py"


def _module() -> ModuleType:
    from vodstream.errors import VodstreamError

    if not SCRIPT.is_file():
        raise VodstreamError(f"bench needs a source checkout: {SCRIPT} is missing")
    mod = sys.modules.get("vodstream_bench")
    if mod is None:
        spec = importlib.util.spec_from_file_location("vodstream_bench", SCRIPT)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["vodstream_bench"] = mod
        spec.loader.exec_module(mod)
    return mod


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small subset in under 2 minutes (test preset, 1 run): 2019, analyze, floors",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        metavar="N",
        help="runs per head-to-head row, medians reported (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=SCRIPT.parent / "out" / "bench.json",
        metavar="FILE",
        help="where to write JSON (default benchmarks/out/bench.json)",
    )
    parser.add_argument(
        "--preset", default=None, help="synth preset to render (default demo; test with --quick)"
    )
    parser.add_argument(
        "--vod-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="a rendered synthetic VOD (DIR/vod.json, truth.json) instead of --preset",
    )
    parser.add_argument(
        "--length",
        default="10m",
        metavar="T",
        help="VOD length for the head-to-head rows, by --repeat (default 10m; 0: as rendered)",
    )
    parser.add_argument(
        "--scaling", default="10m,1h,5h", help="VOD lengths for the scaling rows (default 10m,1h,5h)"
    )
    parser.add_argument("--bandwidth", default="100Mbit,20Mbit", help="server caps for the bandwidth rows")
    parser.add_argument(
        "--vods",
        type=int,
        default=3,
        metavar="N",
        help="VODs in one command for the start-once/reuse row (default 3; 1: no such row)",
    )
    parser.add_argument(
        "--hd60-preset",
        default="demo60",
        help="1080p60 synth preset for the 1080p60 rows (default demo60; none: skip them)",
    )
    parser.add_argument(
        "--hd60-length", default="1h", metavar="T", help="its VOD length, by --repeat (default 1h)"
    )
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="rewrite README's bench section (between its bench markers) from this run's JSON",
    )
    parser.add_argument(
        "--readme-from",
        type=Path,
        default=None,
        metavar="JSON",
        help="measure nothing: rewrite README's bench section from an earlier run's JSON",
    )
    parser.add_argument(
        "--hd60-quality", default="720p30", help="the variant analysed on it (default 720p30; clips: source)"
    )


def run(args: argparse.Namespace) -> int:
    return int(_module().run(args))
