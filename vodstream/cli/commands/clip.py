"""``vodstream clip REPORT``: cut a match of an existing report (default: its best)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vodstream.cli import options

HELP = "clip a match from an existing report.json"
DESCRIPTION = (
    "Cut match I (default: the report's best) of a report.json written by `run`/`analyze`, "
    "from the clip quality, by stream copy; the report's clips list is updated."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", type=Path, metavar="REPORT", help="report.json (or the folder holding it)")
    parser.add_argument("--match", type=int, default=None, metavar="I", help="match index (default: best)")
    parser.add_argument(
        "--clip-quality", default=None, metavar="Q", help="variant to cut from (default: source)"
    )
    parser.add_argument("--reencode", action="store_true", help="re-encode instead of stream copy")
    options.add_twitch_base(parser)
    options.add_auth_token(parser)
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="clip path")


def run(args: argparse.Namespace) -> int:
    from vodstream.report.reclip import clip_from_report

    path = clip_from_report(
        args.report,
        match=args.match,
        clip_quality=args.clip_quality,
        reencode=args.reencode,
        twitch_base=args.twitch_base,
        out=args.output,
        auth_token=args.auth_token,
    )
    print(path)
    return 0
