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
import sys
from pathlib import Path

from vodstream.cli import options

HELP = "the whole job offline: synthesize a VOD, serve it like Twitch, run it, show the clip"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("demo-out"), help="output directory (default demo-out)"
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for the demo VOD")
    parser.add_argument(
        "--preset",
        choices=("demo", "test"),
        default="demo",
        help="the VOD to render: demo (2.6 min, 3 matches, default) or test (76 s, quick)",
    )
    options.add_top(parser)
    parser.add_argument(
        "--render-only", action="store_true", help="only render the demo VOD and print its ground truth"
    )
    options.add_data_dir(parser)


def make_demo_vod(out: Path, seed: int | None = None, preset: str = "demo") -> tuple[Path, dict]:
    """Render the demo preset into ``out``; return (DIR/<vod_id>, truth dict).

    A VOD already rendered there from the same script is reused.
    """
    from vodstream.log import phase
    from vodstream.testbed import synth

    script = synth.preset(preset, seed=seed)
    truth = synth.truth(script)
    vod_dir = Path(out) / str(truth["vod_id"])
    try:
        same = json.loads((vod_dir / "truth.json").read_text()) == json.loads(json.dumps(truth))
    except (OSError, ValueError):
        same = False
    if same and (vod_dir / "master.m3u8").is_file():
        phase(f"reusing the demo VOD already rendered in {vod_dir}")
    else:
        why = "replacing the one in" if vod_dir.exists() else "into"
        phase(
            f"rendering the {truth['duration'] / 60:.1f}-minute {preset} VOD ({len(script.variants)} "
            f"variants, real H.264; about real time on 2 cores) {why} {vod_dir} ..."
        )
        vod_dir = synth.synthesize(script, out)
    return Path(vod_dir), truth


def run(args: argparse.Namespace) -> int:
    from vodstream.cli.commands.run import check_model, print_outcomes, report_failures
    from vodstream.cli.commands.synth import print_truth
    from vodstream.cli.runtime import run_job
    from vodstream.log import phase
    from vodstream.settings import RunSettings
    from vodstream.testbed.server import ServerThread

    out = Path(args.out)
    if not args.render_only:
        check_model(None)  # a broken install says so before minutes of rendering
    vod_dir, truth = make_demo_vod(out / "vods", args.seed, args.preset)
    if args.render_only:
        print(vod_dir)
        print_truth(truth)
        return 0
    with ServerThread(vod_dir.parent) as srv:
        phase(f"serving it like Twitch at {srv.base_url}; running `vodstream run {truth['vod_id']}` ...")
        outcomes = run_job(
            [str(truth["vod_id"])],
            RunSettings(out=out / "results", twitch_base=srv.base_url, top=args.top, data_dir=args.data_dir),
            verbose=bool(args.verbose),
        )
    print_outcomes(outcomes)
    print()
    print("ground truth:")
    print_truth(truth)
    from vodstream.report.document import compare_to_truth, truth_line

    wrong = False
    for o in outcomes:
        cmp = compare_to_truth(truth, o.report)
        wrong |= not cmp["best_ok"]
        print(f"\nresult vs truth: {truth_line(cmp)}")
    for o in outcomes:
        for clip in o.clips:
            print(f"\nbest match clip: {clip}")
    status = report_failures(outcomes)
    if wrong or not outcomes:
        print("vodstream: error: the demo's best match differs from the ground truth", file=sys.stderr)
        return 1
    return status
