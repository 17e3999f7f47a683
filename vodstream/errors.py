"""The project's small exception hierarchy.

Every error a user can cause (bad input, unreachable server, unknown VOD) is a
``VodstreamError``: the CLI prints its message as one line on stderr and exits nonzero.
"""

from __future__ import annotations

__all__ = [
    "ClipError",
    "DecodeError",
    "FetchError",
    "ScriptError",
    "TwitchError",
    "VariantRateError",
    "VodstreamError",
]


class VodstreamError(Exception):
    """Base class: its message is shown to the user as is."""

    exit_code: int = 1


class ScriptError(VodstreamError):
    """A synthetic-VOD script is invalid; the message names the field."""

    exit_code = 2


class VariantRateError(ScriptError):
    """A rendition's frame rate does not divide the script's source rate."""


class FetchError(VodstreamError):
    """A network fetch failed after its retries."""


class TwitchError(VodstreamError):
    """Twitch (or the local compatible server) refused or did not know the VOD."""


class DecodeError(VodstreamError):
    """A segment could not be decoded."""


class ClipError(VodstreamError):
    """A clip could not be written."""
