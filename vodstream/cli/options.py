"""Options several commands share, written once (name, default, help)."""

from __future__ import annotations

import argparse
from pathlib import Path

from vodstream.settings import DEFAULT_TOP

__all__ = ["add_auth_token", "add_data_dir", "add_top", "add_twitch_base"]


def add_top(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--top",
        type=int,
        default=DEFAULT_TOP,
        metavar="N",
        help=f"clip the N best matches (default {DEFAULT_TOP})",
    )


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="catalogue location (default $VODSTREAM_DATA_DIR or ~/.local/share/vodstream)",
    )


def add_twitch_base(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--twitch-base",
        default=None,
        metavar="URL",
        help="Twitch-compatible server (e.g. `vodstream serve`); default $VODSTREAM_TWITCH_BASE",
    )


def add_auth_token(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--auth-token",
        default=None,
        metavar="T",
        help="OAuth token (browser auth-token cookie) for sub-only VODs; or $VODSTREAM_AUTH_TOKEN",
    )
