"""vodstream: find and clip the best Apex Legends match in Twitch VODs."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
