"""``vodstream run``: analyse VODs on the Ray actor graph, clip the best match(es), write reports."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from vodstream.cli import options
from vodstream.report.outcome import EXIT_CODES_HELP, EXIT_NOTHING, EXIT_PARTIAL

if TYPE_CHECKING:
    from vodstream.cli.runtime import JobResult, VodOutcome
    from vodstream.settings import RunSettings

HELP = "find the best Apex match in VODs and clip it (Ray dataflow)"
DESCRIPTION = (
    "Analyse each VOD (Twitch id, twitch.tv/videos/ URL, .m3u8 URL, or local video file) at a low "
    "quality, find its matches and final kills, then cut the best match (--top N for more) from the "
    "source quality by stream copy. Writes DIR/<vod_id>/{report.json,report.html,<clip>.mp4} and indexes "
    "the results in the catalogue (see `vodstream top`). Runs on an embedded Ray by default; "
    "--address joins a cluster."
)
EPILOG = EXIT_CODES_HELP


def add_arguments(parser: argparse.ArgumentParser, *, clip: bool = True) -> None:
    from vodstream.settings import (
        DEFAULT_ANALYZE_QUALITY,
        DEFAULT_CLIP_QUALITY,
        DEFAULT_CONCURRENCY,
        DEFAULT_DECODE_MODE,
        DEFAULT_INFLIGHT_PER_VOD,
        DEFAULT_INFLIGHT_TOTAL,
    )

    parser.add_argument("vods", nargs="+", metavar="VOD", help="Twitch VOD id/URL, .m3u8 URL, or local file")
    parser.add_argument("--out", "-o", type=Path, required=True, metavar="DIR", help="output directory")
    if clip:
        options.add_top(parser)
        parser.add_argument(
            "--clip-quality",
            default=DEFAULT_CLIP_QUALITY,
            metavar="Q",
            help=f"variant to cut clips from (default {DEFAULT_CLIP_QUALITY}: source)",
        )
        parser.add_argument("--reencode", action="store_true", help="re-encode clips instead of stream copy")
    parser.add_argument(
        "--analyze-quality",
        default=None,
        metavar="Q",
        help=f"variant to analyse (default {DEFAULT_ANALYZE_QUALITY}, else the next one up)",
    )
    parser.add_argument(
        "--address",
        default=None,
        metavar="ADDR",
        help="Ray cluster to run on: auto, HOST:PORT, or ray://HOST:PORT (Ray Client: needs ray[client]); "
        "default: an embedded Ray sized for this machine",
    )
    parser.add_argument(
        "--ship-code",
        action="store_true",
        help="send vodstream's code to the cluster's workers (for clusters without it installed)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse the per-segment results an earlier run left in DIR (same settings)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start over: drop the run store in DIR first (e.g. a corrupt one); not with --resume",
    )
    options.add_twitch_base(parser)
    options.add_auth_token(parser)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"concurrent GETs per VOD (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--inflight",
        type=int,
        default=DEFAULT_INFLIGHT_PER_VOD,
        metavar="N",
        help=f"segments in flight per VOD (default {DEFAULT_INFLIGHT_PER_VOD})",
    )
    parser.add_argument(
        "--inflight-total",
        type=int,
        default=DEFAULT_INFLIGHT_TOTAL,
        metavar="N",
        help=f"segments in flight across all VODs (default {DEFAULT_INFLIGHT_TOTAL})",
    )
    parser.add_argument(
        "--decoders",
        type=int,
        default=None,
        metavar="N",
        help="decoder actors (default: none apart: one stage actor per CPU decodes and scores)",
    )
    parser.add_argument(
        "--scorers",
        type=int,
        default=None,
        metavar="N",
        help="scorer actors (CNN + OCR; default: none apart, as --decoders says)",
    )
    parser.add_argument(
        "--decode-mode",
        choices=("keyframes", "fps", "all"),
        default=DEFAULT_DECODE_MODE,
        help="frames to sample (default keyframes)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        metavar="PATH",
        help="kill-reader weights: a folder written by `vodstream train --labels`, or a digit CNN "
        ".pt (default: the shipped models)",
    )
    options.add_data_dir(parser)
    parser.add_argument("--no-catalog", action="store_true", help="do not index the results in the catalogue")
    parser.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="progress bars even when stderr is not a TTY",
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")


def settings_from_args(args: argparse.Namespace, *, clip: bool) -> RunSettings:
    from vodstream.errors import VodstreamError
    from vodstream.settings import DEFAULT_CLIP_QUALITY, RunSettings

    for name in ("concurrency", "inflight", "inflight_total"):
        if getattr(args, name) < 1:
            raise VodstreamError(f"--{name.replace('_', '-')} must be at least 1")
    if args.fresh and args.resume:
        raise VodstreamError("--fresh and --resume contradict each other: pick one")
    if clip and args.top < 0:
        raise VodstreamError("--top must be 0 or more")
    model = check_model(args.model)
    return RunSettings(
        out=args.out,
        clip=clip,
        top=args.top if clip else 0,
        analyze_quality=args.analyze_quality,
        clip_quality=args.clip_quality if clip else DEFAULT_CLIP_QUALITY,
        reencode=args.reencode if clip else False,
        address=args.address,
        resume=args.resume,
        fresh=args.fresh,
        twitch_base=args.twitch_base,
        auth_token=args.auth_token,
        concurrency=args.concurrency,
        inflight_per_vod=args.inflight,
        inflight_total=max(args.inflight_total, 1),
        decoders=args.decoders,
        scorers=args.scorers,
        decode_mode=args.decode_mode,
        data_dir=args.data_dir,
        catalog=not args.no_catalog,
        progress=args.progress,
        ship_code=args.ship_code,
        model=model,
    )


def check_model(path: Path | None) -> Path | None:
    """``--model PATH`` made absolute (it travels to actors in other processes), or a clear error:
    also where a shipped weight file the run would load is missing."""
    from models.weights import model_files, reader_weights
    from vodstream.errors import VodstreamError

    try:
        reader_weights(path)
    except FileNotFoundError as err:
        raise VodstreamError(f"--model: {err}") from None
    try:
        model_files(path)  # a shipped file missing: a broken install, whatever --model says
    except FileNotFoundError as err:
        raise VodstreamError(str(err)) from None
    return None if path is None else Path(path).expanduser().resolve()


def print_outcomes(outcomes: Iterable[VodOutcome], *, file: TextIO | None = None) -> None:
    """The matches table per VOD, what was not analysed or is uncertain, then the clips' paths
    (stdout: results only)."""
    from vodstream.report.document import hms, kills_text

    out = file or sys.stdout
    for o in outcomes:
        r = o.report
        outcome = r.get("outcome") or {}
        print(f"VOD {o.vod_id} ({hms(r['duration'])}): {len(r['matches'])} match(es)", file=out)
        if r["matches"]:
            print(f"  {'#':>2}  {'start':>8}  {'end':>8}  {'kills':>5}  {'placed':>6}", file=out)
            for i, m in enumerate(r["matches"]):
                star = "*" if i == r["best"] else " "
                kills = kills_text(m)
                placed = f"#{m['placement']}" if m.get("placement") else "?"
                print(
                    f"{star}{i:>2}  {hms(m['start']):>8}  {hms(m['end']):>8}  {kills:>5}  {placed:>6}",
                    file=out,
                )
        if outcome.get("message"):
            print(f"  {outcome['message']}", file=out)
        for line in outcome.get("problems") or []:
            print(f"  ! {line}", file=out)
        if outcome.get("status") in ("partial", "failed"):
            what = "nothing analysed" if outcome["status"] == "failed" else "partial or uncertain result"
            print(f"  result: {what} (see the report)", file=out)
        for c in o.clips:
            print(f"  clip: {c}", file=out)
        print(f"  report: {o.report_html}", file=out)


def report_failures(outcomes: JobResult) -> int:
    """One stderr line per VOD that could not be processed; the run's exit status
    (:mod:`vodstream.report.outcome`: 0 complete, 1 nothing analysed, 3 partial)."""
    for line in outcomes.failures:
        print(f"vodstream: error: {line}", file=sys.stderr)
    status = outcomes.exit_status
    if status == EXIT_PARTIAL:
        print("vodstream: partial result: see the lines marked ! above and the report(s)", file=sys.stderr)
    elif status == EXIT_NOTHING:
        print("vodstream: error: nothing was analysed", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    from vodstream.cli.runtime import run_job

    outcomes = run_job(args.vods, settings_from_args(args, clip=True), verbose=bool(args.verbose))
    print_outcomes(outcomes)
    return report_failures(outcomes)
