"""``vodstream analyze``: ``run`` without clipping (reports and catalogue only)."""

from __future__ import annotations

import argparse

from vodstream.cli.commands import run as _run

HELP = "find matches and kills in VODs (no clips)"
DESCRIPTION = "Like `vodstream run` but writes only the reports (no clips)."
EPILOG = _run.EPILOG


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _run.add_arguments(parser, clip=False)


def run(args: argparse.Namespace) -> int:
    from vodstream.cli.runtime import run_job

    outcomes = run_job(args.vods, _run.settings_from_args(args, clip=False), verbose=bool(args.verbose))
    _run.print_outcomes(outcomes)
    return _run.report_failures(outcomes)
