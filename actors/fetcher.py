"""FetcherActor: one async actor per VOD holding an aiohttp session; N concurrent GETs.

Wraps :class:`vodstream.sources.fetch.SegmentFetcher`. ``fetch`` returns ``(meta, data)``: the driver
reads the tiny meta, the :class:`~vodstream.types.SegmentData` ref goes straight to a decoder.
A segment that fails after the fetcher's own retries yields ``ok=False`` and ``data=None``
(the driver records a gap); a crashed actor is restarted and its in-flight GETs retried by Ray
(GETs are idempotent).
"""

from __future__ import annotations

import asyncio
from typing import Any

import ray

from actors.common import error_text, meta
from vodstream.errors import VodstreamError
from vodstream.sources.fetch import SegmentFetcher
from vodstream.types import Segment, SegmentData

__all__ = ["FetcherActor"]


@ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=-1, max_concurrency=64)  # type: ignore[call-overload]  # ray.remote's typed options omit max_concurrency
class FetcherActor:
    def __init__(self, *, concurrency: int = 8, config: dict[str, Any] | None = None) -> None:
        self._concurrency = concurrency
        self._config = config or {}
        self._fetcher: SegmentFetcher | None = None
        self._lock: asyncio.Lock | None = None

    async def _get(self) -> SegmentFetcher:
        # The aiohttp session must be made inside the actor's event loop.
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._fetcher is None:
                self._fetcher = SegmentFetcher(concurrency=self._concurrency, **self._config)
                await self._fetcher.__aenter__()
        return self._fetcher

    @ray.method(num_returns=2)
    async def fetch(self, segment: Segment) -> tuple[dict[str, Any], SegmentData | None]:
        fetcher = await self._get()
        try:
            data = await fetcher.fetch(segment)
        except VodstreamError as err:
            return meta(False, error=error_text(err)), None
        return meta(True, nbytes=len(data.data)), data

    async def close(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.__aexit__(None, None, None)
            self._fetcher = None
