"""structlog set-up: readable on a TTY, JSON lines otherwise (or with --log-json).

Only the CLI calls :func:`configure`; modules just ``log = structlog.get_logger(__name__)``.
Logs go to stderr so stdout stays free for results (tables, "serving http://...").
"""

from __future__ import annotations

import logging
import sys

import structlog

__all__ = ["configure", "level_from_verbosity", "phase"]

_state = {"level": logging.INFO, "json": False}


def level_from_verbosity(verbose: int, quiet: int) -> int:
    """-v -> DEBUG, default INFO, -q -> WARNING, -qq -> ERROR."""
    level = logging.INFO - 10 * verbose + 10 * quiet
    return max(logging.DEBUG, min(logging.CRITICAL, level))


class _StderrLogger:
    """Writes each line to the *current* sys.stderr (tests swap it; a bound file would go stale)."""

    def msg(self, message: str) -> None:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()

    log = debug = info = warning = warn = error = critical = exception = fatal = failure = msg


class _StderrLoggerFactory:
    def __call__(self, *args: object) -> _StderrLogger:
        return _StderrLogger()


def configure(level: int = logging.INFO, json_lines: bool | None = None) -> None:
    if json_lines is None:
        json_lines = not sys.stderr.isatty()
    _state.update(level=level, json=json_lines)
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if json_lines:
        processors += [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        processors += [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_StderrLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    # Third-party libraries that use stdlib logging: keep them quiet unless -v.
    logging.basicConfig(level=max(level, logging.WARNING), stream=sys.stderr)
    for noisy in ("aiohttp", "asyncio", "ray", "PIL", "libav"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def phase(message: str) -> None:
    """Tell a person what a long, otherwise silent step is doing: one plain line on stderr
    ("vodstream: rendering the demo VOD ..."), or a ``phase`` event in JSON-lines mode. -q hides it."""
    if _state["level"] > logging.INFO:
        return
    if _state["json"]:
        structlog.get_logger("vodstream").info("phase", message=message)
    else:
        sys.stderr.write(f"vodstream: {message}\n")
        sys.stderr.flush()
