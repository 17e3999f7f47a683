"""``python -m vodstream``: one argparse CLI with a subcommand per job.

Each subcommand lives in ``vodstream/cli/commands/<name>.py`` and exposes::

    HELP: str                                   # one line for the command list
    def add_arguments(parser) -> None           # its own options
    def run(args: argparse.Namespace) -> int    # exit status

Only commands registered in :data:`COMMANDS` are listed, so ``--help`` shows only what works.
Errors: a :class:`~vodstream.errors.VodstreamError` becomes one line on stderr and a nonzero
exit; a traceback only with ``-v``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog

from vodstream import __version__
from vodstream import log as logconf
from vodstream.errors import VodstreamError

__all__ = ["COMMANDS", "build_parser", "main", "resolve_paths"]

# name -> module. Keep in the order users meet them.
COMMANDS: dict[str, str] = {
    "demo": "vodstream.cli.commands.demo",
    "synth": "vodstream.cli.commands.synth",
    "serve": "vodstream.cli.commands.serve",
    "download": "vodstream.cli.commands.download",
    "run": "vodstream.cli.commands.run",
    "analyze": "vodstream.cli.commands.analyze",
    "clip": "vodstream.cli.commands.clip",
    "top": "vodstream.cli.commands.top",
    "label": "vodstream.cli.commands.label",
    "train": "vodstream.cli.commands.train",
    "eval": "vodstream.cli.commands.eval",
    "bench": "vodstream.cli.commands.bench",
}


def _common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # On subcommands the defaults are SUPPRESSed so `vodstream -v synth` and `vodstream synth -v`
    # both work without the subparser resetting the top-level value.
    default = 0 if top else argparse.SUPPRESS
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="more logging (-vv for debug); show tracebacks",
    )
    parser.add_argument("-q", "--quiet", action="count", default=default, help="less logging")
    parser.add_argument(
        "--log-json",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="log JSON lines to stderr (default when stderr is not a TTY)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vodstream",
        description="Find and clip the best Apex Legends match in Twitch VODs.",
    )
    parser.add_argument("--version", action="version", version=f"vodstream {__version__}")
    _common_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EPILOG", None),
        )
        _common_options(p, top=False)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def _absolute(value: Any) -> Any:
    if isinstance(value, Path):
        return value.expanduser().resolve()
    if isinstance(value, list):
        return [_absolute(v) for v in value]
    return value


def resolve_paths(args: argparse.Namespace) -> argparse.Namespace:
    """Make every path option absolute, once, at the edge: relative (to the current directory),
    ``~``, ``.``, spaces. Commands and the stages below them only ever see absolute paths (file
    URIs, Ray workers and the local server need them)."""
    for name, value in vars(args).items():
        setattr(args, name, _absolute(value))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = resolve_paths(parser.parse_args(argv))
    level = logconf.level_from_verbosity(args.verbose, args.quiet)
    logconf.configure(level, json_lines=True if args.log_json else None)
    try:
        return int(args._run(args) or 0)
    except VodstreamError as err:
        if args.verbose:
            raise
        print(f"vodstream: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("vodstream: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 141
    except Exception as err:  # the last line of defence: never a traceback unless -v
        if args.verbose:
            raise
        structlog.get_logger("vodstream.cli.app").debug("unexpected error", exc_info=True)
        print(
            f"vodstream: internal error: {type(err).__name__}: {err} (run with -v for details)",
            file=sys.stderr,
        )
        return 70
