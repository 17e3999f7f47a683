"""``vodstream demo``: the main job on the embedded default input.

For now: render the ``demo`` synthetic VOD and print its ground truth. Later this grows into the full
job (serve it locally, run the pipeline on it, clip the best match, compare with the truth).
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "render the demo synthetic VOD and show its ground truth"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory (default demo-out)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the demo VOD")


def make_demo_vod(out: Path, seed: int | None = None) -> tuple[Path, dict]:
    """Render the demo preset into ``out``; return (DIR/<vod_id>, truth dict)."""
    from vodstream import synth

    script = synth.preset("demo", seed=seed)
    vod_dir = synth.synthesize(script, out)
    return vod_dir, synth.truth(script)


def run(args: argparse.Namespace) -> int:
    from vodstream.commands.synth import print_truth

    vod_dir, truth = make_demo_vod(args.out, args.seed)
    print(vod_dir)
    print_truth(truth)
    return 0
