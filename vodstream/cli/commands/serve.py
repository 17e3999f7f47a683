"""``vodstream serve``: the Twitch-compatible local server (GQL, usher, CDN) for synthetic VODs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

HELP = "serve synthetic VODs over Twitch's GQL/usher/CDN protocol on localhost"
DESCRIPTION = (
    "Serve every VOD under --root (the layout `vodstream synth` writes) like Twitch does: POST /gql, "
    "GET /vod/{id}.m3u8 and /vod/v2/{id}.m3u8, CDN playlists and segments. The first stdout line is "
    "'serving http://HOST:PORT'; point clients at it with VODSTREAM_TWITCH_BASE or --twitch-base. "
    "--faults SPEC injects errors: NNN:P (HTTP status with probability P), reset:P, truncate:P, trickle:P, "
    "stall:P, latency:50ms (or 20-80ms), unmuted403, deny=N, subonly=ID, muted=ID:A-B, integrity, "
    "maxrun:N, scope:all, seed:N; e.g. '500:0.1,429:0.05,reset:0.05,truncate:0.05,latency:20ms'."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", required=True, type=Path, help="directory of VODs (DIR/<vod_id>/master.m3u8)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: pick a free one)")
    parser.add_argument("--faults", default=None, metavar="SPEC", help="inject faults (see the description)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="serve each VOD N times back to back (a long VOD from a short one)",
    )
    parser.add_argument(
        "--bandwidth",
        default=None,
        metavar="RATE",
        help="cap the whole server's segment traffic at RATE, shared by all connections "
        "(e.g. 100Mbit, 20Mbit, 2.5MB for bytes per second)",
    )
    parser.add_argument(
        "--auth-tokens",
        default=None,
        metavar="T1,T2",
        help="OAuth tokens to accept (default: any 30-character [a-z0-9] token)",
    )


def run(args: argparse.Namespace) -> int:
    from vodstream.errors import VodstreamError
    from vodstream.testbed.server import TwitchServer, serve_forever

    if args.repeat < 1:
        raise VodstreamError("--repeat must be at least 1")
    tokens = {t.strip() for t in args.auth_tokens.split(",") if t.strip()} if args.auth_tokens else None
    server = TwitchServer(
        args.root, faults=args.faults, repeat=args.repeat, auth_tokens=tokens, bandwidth=args.bandwidth
    )

    def ready(url: str) -> None:
        print(f"serving {url}", flush=True)
        sys.stdout.flush()

    try:
        asyncio.run(serve_forever(server, args.host, args.port, on_ready=ready))
    except KeyboardInterrupt:
        return 0
    return 0
