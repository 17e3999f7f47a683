"""``vodstream synth``: render a synthetic Apex Legends VOD (Twitch layout) with its ground truth."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from vodstream.errors import ScriptError, VariantRateError

if TYPE_CHECKING:
    from vodstream.testbed.synth.script import Script

HELP = "render a synthetic Apex VOD (Twitch HLS layout + truth.json)"
DESCRIPTION = (
    "Render a synthetic Apex Legends VOD from a preset, a JSON script (docs/script-format.md) or a random "
    "script, encode it like Twitch (H.264 + AAC, 2 s GOP, 10 s segments) and write DIR/<vod_id>/ with "
    "master.m3u8, <variant>/index-dvr.m3u8 + N.ts, vod.json and truth.json (or one .ts/.mp4 file)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="output directory (DIR/<vod_id>/ is written)")
    src = parser.add_mutually_exclusive_group()
    src.add_argument(
        "--preset", choices=["demo", "test", "long"], default=None, help="built-in script (default: demo)"
    )
    src.add_argument("--script", type=Path, default=None, help="JSON script file (docs/script-format.md)")
    src.add_argument(
        "--random-matches",
        type=int,
        default=None,
        metavar="N",
        help="a random script with N matches (edge cases included), from --seed",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for backgrounds/random script")
    parser.add_argument("--vod-id", default=None, help="override the VOD id (directory name)")
    parser.add_argument(
        "--format",
        choices=["twitch", "ts", "mp4"],
        default="twitch",
        help="twitch: HLS layout (default); ts/mp4: one file DIR/<vod_id>/<vod_id>.<ext>",
    )
    parser.add_argument("--width", type=int, default=None, help="source width")
    parser.add_argument("--height", type=int, default=None, help="source height")
    parser.add_argument("--fps", type=int, default=None, help="source frame rate")
    parser.add_argument("--bitrate", type=int, default=None, help="source video bitrate, bits/s")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="cut the VOD at this many seconds (matches past it end mid-match)",
    )
    parser.add_argument(
        "--style",
        default=None,
        metavar="NAME",
        help="HUD look: default, train:SEED, wide:SEED, validation:SEED, heldout:SEED, "
        "heldout2:SEED ... heldout10:SEED or covered:SEED (validation = the family the readers' "
        "choices are made on; heldout..heldout10 = the held-out families, never trained on; "
        "covered = today's look with an overlay over the kill box; a family alone is SEED 0)",
    )
    parser.add_argument(
        "--print-script",
        action="store_true",
        help="print the resolved script JSON and exit without rendering",
    )


def build_script(args: argparse.Namespace) -> Script:
    """The script the options describe (preset / file / random), with overrides applied."""
    from vodstream.testbed import synth

    if args.script is not None:
        script = synth.load_script(args.script)
        if args.seed is not None:
            script = script.replace(seed=args.seed)
    elif args.random_matches is not None:
        script = synth.random_script(args.seed if args.seed is not None else 0, matches=args.random_matches)
    else:
        script = synth.preset(args.preset or "demo", seed=args.seed)
    overrides = {
        k: getattr(args, k)
        for k in ("width", "height", "fps", "bitrate", "vod_id")
        if getattr(args, k) is not None
    }
    if getattr(args, "style", None) is not None:
        overrides["hud_style"] = args.style
    if overrides:
        try:
            script = script.replace(**overrides)
        except VariantRateError as e:
            if "fps" not in overrides:
                raise
            # the user did not write these variants: say which they are and what fits them
            names = ", ".join(v if isinstance(v, str) else str(v.get("name", v)) for v in script.variants)
            raise ScriptError(
                f"{e} (--fps {overrides['fps']}: this script's variants are {names}; give a source "
                "rate they divide, e.g. --fps 30 or 60, or a --script with other variants)"
            ) from e
    if args.duration is not None:
        script = script.cut(args.duration)
    return script


def print_truth(truth: dict[str, Any], out: TextIO | None = None) -> None:
    """A short human table of the ground truth."""
    out = sys.stdout if out is None else out  # looked up per call: tests swap sys.stdout
    print(f"vod {truth['vod_id']}: {truth['duration']:.1f} s, {len(truth['matches'])} matches", file=out)
    print(f"{'#':>2} {'start':>8} {'end':>8} {'kills':>5} {'place':>5}  era     notes", file=out)
    for i, m in enumerate(truth["matches"]):
        place = "-" if m.get("placement") is None else str(m["placement"])
        notes = ",".join(m.get("edges", [])) or m.get("end_kind") or ""
        era = m.get("era", "")
        print(
            f"{i:>2} {m['start']:>8.1f} {m['end']:>8.1f} {m['kills']:>5} {place:>5}  {era:<7} {notes}",
            file=out,
        )


def run(args: argparse.Namespace) -> int:
    from vodstream.testbed import synth

    script = build_script(args)
    if args.print_script:
        print(json.dumps(script.to_dict(), indent=2))
        return 0
    path = synth.synthesize(script, args.out, fmt=args.format)
    print(path)
    print_truth(synth.truth(script))
    return 0
