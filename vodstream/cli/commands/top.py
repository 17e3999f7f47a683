"""``vodstream top``: the best matches across every run, from the results catalogue."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from vodstream.cli import options

if TYPE_CHECKING:
    from vodstream.store.catalog import RunRow

HELP = "list the best matches across all runs"
DESCRIPTION = (
    "List the best matches in the catalogue: per VOD, those of its latest complete analysis (a VOD "
    "never analysed completely shows its best partial run, marked partial; failed runs never count). "
    "--runs VOD lists every recorded run of a VOD."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=int, default=10, metavar="N", help="how many (default 10)")
    parser.add_argument("--streamer", default=None, metavar="LOGIN", help="only this streamer's VODs")
    options.add_data_dir(parser)
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    parser.add_argument("--runs", default=None, metavar="VOD", help="list every recorded run of this VOD id")


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from vodstream.errors import VodstreamError
    from vodstream.report.document import hms
    from vodstream.store.catalog import CATALOG_NAME, Catalog, default_data_dir

    if args.n < 1:
        raise VodstreamError("-n must be at least 1")
    path = default_data_dir(args.data_dir) / CATALOG_NAME
    if not path.exists():
        raise VodstreamError(f"no catalogue at {path} yet: run `vodstream run` first")
    if args.runs is not None:
        with Catalog(path) as cat:
            runs = cat.runs(args.runs)
        return _print_runs(args.runs, runs, as_json=args.json)
    with Catalog(path) as cat:
        rows = cat.top(args.n, streamer=args.streamer)
    if args.json:
        for r in rows:
            print(json.dumps(asdict(r)))
        return 0
    if not rows:
        print("no matches in the catalogue" + (f" for {args.streamer}" if args.streamer else ""))
        return 0
    print(
        f"{'kills':>5}  {'placed':>6}  {'vod':<14} {'streamer':<16} {'match':>5}  "
        f"{'start':>8}  {'end':>8}  clip"
    )
    for r in rows:
        placed = f"#{r.placement}" if r.placement else "?"
        mark = "  (partial run)" if r.status != "complete" else ""
        print(
            f"{r.kills:>5}  {placed:>6}  {r.vod_id[:14]:<14} {(r.streamer or '-')[:16]:<16} "
            f"{r.match_index:>5}  {hms(r.start):>8}  {hms(r.end):>8}  {r.clip or '-'}{mark}"
        )
    return 0


def _print_runs(vod: str, runs: list[RunRow], *, as_json: bool) -> int:
    import time
    from dataclasses import asdict

    from vodstream.errors import VodstreamError

    if not runs:
        raise VodstreamError(f"no run of VOD {vod} in the catalogue")
    if as_json:
        for r in runs:
            print(json.dumps(asdict(r)))
        return 0
    print(f"{'run':>5}  {'when (UTC)':<19}  {'status':<8}  {'matches':>7}  {'best':>4}  {'kills':>5}  report")
    for r in runs:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r.processed_at))
        best = "-" if r.best is None else str(r.best)
        kills = "?" if r.best_kills is None else str(r.best_kills)
        print(
            f"{r.run_id:>5}  {when:<19}  {r.status:<8}  {r.n_matches:>7}  {best:>4}  {kills:>5}  {r.report}"
        )
        for line in r.problems[:5]:
            print(f"         ! {line}")
        if len(r.problems) > 5:
            print(f"         ! ... {len(r.problems) - 5} more (see the report)")
    return 0
