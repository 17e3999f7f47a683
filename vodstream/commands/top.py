"""``vodstream top``: the best matches across every run, from the results catalogue."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "list the best matches across all runs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=10, metavar="N", help="how many (default 10)")
    parser.add_argument("--streamer", default=None, metavar="LOGIN", help="only this streamer's VODs")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                        help="catalogue location (default $VODSTREAM_DATA_DIR or ~/.local/share/vodstream)")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from vodstream.catalog import CATALOG_NAME, Catalog, default_data_dir
    from vodstream.errors import VodstreamError
    from vodstream.report import hms

    if args.n < 1:
        raise VodstreamError("-n must be at least 1")
    path = default_data_dir(args.data_dir) / CATALOG_NAME
    if not path.exists():
        raise VodstreamError(f"no catalogue at {path} yet: run `vodstream run` first")
    with Catalog(path) as cat:
        rows = cat.top(args.n, streamer=args.streamer)
    if args.json:
        for r in rows:
            print(json.dumps(asdict(r)))
        return 0
    if not rows:
        print("no matches in the catalogue" + (f" for {args.streamer}" if args.streamer else ""))
        return 0
    print(f"{'kills':>5}  {'placed':>6}  {'vod':<14} {'streamer':<16} {'match':>5}  {'start':>8}  {'end':>8}  clip")
    for r in rows:
        placed = f"#{r.placement}" if r.placement else "?"
        print(f"{r.kills:>5}  {placed:>6}  {r.vod_id[:14]:<14} {(r.streamer or '-')[:16]:<16} "
              f"{r.match_index:>5}  {hms(r.start):>8}  {hms(r.end):>8}  {r.clip or '-'}")
    return 0
