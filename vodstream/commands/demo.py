"""``vodstream demo``: the whole job on the embedded default, end to end, offline.

1. Render the ``demo`` synthetic VOD (several Apex matches) into ``DIR/vods/`` (reused when the
   same script was rendered there before: rendering takes a few minutes).
2. Serve it like Twitch does (GQL, usher, CDN) with the local server on a free loopback port.
3. ``vodstream run`` it by id on the embedded Ray default: analyse the 480p30 variant, clip the
   best match from the source variant, write the reports into ``DIR/results/<vod_id>/``.
4. Print the matches table, the ground truth beside it, and the clip's path.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "the whole job offline: synthesize a VOD, serve it like Twitch, run it, show the clip"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory (default demo-out)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the demo VOD")
    parser.add_argument("--top", type=int, default=1, metavar="N", help="clip the N best matches (default 1)")
    parser.add_argument("--render-only", action="store_true",
                        help="only render the demo VOD and print its ground truth")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                        help="catalogue location (default $VODSTREAM_DATA_DIR or ~/.local/share/vodstream)")


def make_demo_vod(out: Path, seed: int | None = None) -> tuple[Path, dict]:
    """Render the demo preset into ``out``; return (DIR/<vod_id>, truth dict).

    A VOD already rendered there from the same script is reused.
    """
    from vodstream import synth

    script = synth.preset("demo", seed=seed)
    truth = synth.truth(script)
    vod_dir = Path(out) / str(truth["vod_id"])
    try:
        same = json.loads((vod_dir / "truth.json").read_text()) == json.loads(json.dumps(truth))
    except (OSError, ValueError):
        same = False
    if not (same and (vod_dir / "master.m3u8").is_file()):
        vod_dir = synth.synthesize(script, out)
    return Path(vod_dir), truth


def run(args: argparse.Namespace) -> int:
    from vodstream.commands.run import print_outcomes
    from vodstream.commands.synth import print_truth
    from vodstream.pipeline import RunSettings, run_job
    from vodstream.server import ServerThread

    out = Path(args.out)
    vod_dir, truth = make_demo_vod(out / "vods", args.seed)
    if args.render_only:
        print(vod_dir)
        print_truth(truth)
        return 0
    with ServerThread(vod_dir.parent) as srv:
        outcomes = run_job([str(truth["vod_id"])], RunSettings(
            out=out / "results", twitch_base=srv.base_url, top=args.top, data_dir=args.data_dir),
            verbose=bool(args.verbose))
    print_outcomes(outcomes)
    print()
    print("ground truth:")
    print_truth(truth)
    from vodstream.report import compare_to_truth, truth_line

    for o in outcomes:
        print(f"\nresult vs truth: {truth_line(compare_to_truth(truth, o.report))}")
    for o in outcomes:
        for clip in o.clips:
            print(f"\nbest match clip: {clip}")
    return 0
