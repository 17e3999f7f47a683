"""``vodstream download``: fetch a VOD (or a range) into one .ts or .mp4, resumably."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import replace
from pathlib import Path

from vodstream.cli import options
from vodstream.settings import DEFAULT_CONCURRENCY

HELP = "download a VOD (Twitch id/URL, .m3u8 URL, or file) as one .ts or .mp4"
DESCRIPTION = (
    "Download a VOD's segments concurrently (with retries) and write them as one .ts (concatenation) or "
    ".mp4 (stream-copy remux). Interrupted downloads resume: finished segments are kept in FILE.part/ "
    "and a re-run fetches only the missing ones; FILE appears only when complete. --start/--end keep "
    "the whole segments overlapping that range."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "vod", metavar="VOD", help="Twitch VOD id, twitch.tv/videos/ URL, .m3u8 URL, or video file"
    )
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="FILE", help="output .ts or .mp4")
    # The design's contract is `-q QUALITY`; on this subcommand -q is quality (--quiet stays long-only,
    # and `vodstream -q download ...` still works).
    parser.conflict_handler = "resolve"
    for group in parser._action_groups:  # argparse copies the handler into each group
        group.conflict_handler = "resolve"
    parser.add_argument(
        "-q",
        "--quality",
        default="best",
        help="variant: best/source/chunked, worst, 1080p60, 720p60, 480p30, 480p, audio_only",
    )
    parser.add_argument(
        "--start", default=None, metavar="T", help="start time (seconds, [H:]MM:SS or 1h2m3s)"
    )
    parser.add_argument("--end", default=None, metavar="T", help="end time")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help=f"parallel GETs (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--retries", type=int, default=None, metavar="N", help="attempts per request (default 6)"
    )
    options.add_twitch_base(parser)
    options.add_auth_token(parser)
    parser.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")


def run(args: argparse.Namespace) -> int:
    from vodstream.errors import VodstreamError
    from vodstream.sources.download import download_vod, parse_time
    from vodstream.sources.fetch import RetryPolicy
    from vodstream.sources.twitch import TwitchConfig

    if args.concurrency is not None and args.concurrency < 1:
        raise VodstreamError("--concurrency must be at least 1")
    if args.retries is not None and args.retries < 1:
        raise VodstreamError("--retries must be at least 1")
    config = TwitchConfig.from_env(args.twitch_base, auth_token=args.auth_token)
    policy = RetryPolicy(attempts=args.retries) if args.retries else None
    if args.retries:
        config = replace(config, policy=RetryPolicy(attempts=args.retries))
    result = asyncio.run(
        download_vod(
            args.vod,
            args.output,
            quality=args.quality,
            start=parse_time(args.start),
            end=parse_time(args.end),
            concurrency=args.concurrency or 8,
            config=config,
            policy=policy,
            progress=False if args.no_progress else None,
            overwrite=args.overwrite,
        )
    )
    size = result.output.stat().st_size
    print(
        f"{result.output}\t{size / 1e6:.1f} MB\t{result.segments} segments "
        f"({result.fetched} fetched, {result.reused} resumed)\t{result.seconds:.1f} s"
    )
    return 0
