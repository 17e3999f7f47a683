"""ClipperActor: pinned to the driver's node; cuts a match from the clip-quality variant.

A thin async wrapper over :func:`vodstream.media.clip.clip_segments`: it fetches only the segments
the match spans, in order through a small bounded buffer (memory does not grow with the match's
length), and stream-copies them with :func:`vodstream.media.clip.write_clip` (PyAV remux, faststart;
``reencode`` optional). Pinned with ``NodeAffinitySchedulingStrategy(soft=False)`` so the .mp4
lands on the driver's disk, where the report points at it.
"""

from __future__ import annotations

from typing import Any

import ray
from ray.exceptions import RayError, RayTaskError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from actors.common import actor_class, pin_threads
from vodstream.errors import VodstreamError
from vodstream.media.clip import clip_segments
from vodstream.types import Segment

__all__ = ["ClipperActor", "ClipperPool", "clipper_on_this_node"]


@ray.remote(num_cpus=0, max_restarts=2, max_task_retries=0, max_concurrency=8)  # type: ignore[call-overload]  # ray.remote's typed options omit max_concurrency
class ClipperActor:
    def __init__(
        self, *, concurrency: int = 4, config: dict[str, Any] | None = None, buffer: int = 4
    ) -> None:
        pin_threads(1)
        self._concurrency = concurrency
        self._config = config or {}
        self._buffer = buffer

    async def clip(
        self, segments: list[Segment], out: str, *, start: float, end: float, reencode: bool = False
    ) -> dict[str, Any]:
        """Write ``out`` covering VOD time [start, end]; returns the ClipInfo as a dict."""
        return await clip_segments(
            segments,
            out,
            start=start,
            end=end,
            reencode=reencode,
            fetch_config=self._config,
            concurrency=self._concurrency,
            buffer=self._buffer,
        )

    def node_id(self) -> str:
        return ray.get_runtime_context().get_node_id()


def clipper_on_this_node(**kwargs: Any) -> Any:
    """A ClipperActor scheduled strictly on the calling (driver's) node."""
    node_id = ray.get_runtime_context().get_node_id()
    strategy = NodeAffinitySchedulingStrategy(node_id=node_id, soft=False)
    return actor_class(ClipperActor).options(scheduling_strategy=strategy).remote(**kwargs)


class ClipperPool:
    """One clipper per VOD on the driver's node (made on first use): ``submit`` a clip, ``result``
    waits for it (a failed clip raises :class:`~vodstream.errors.VodstreamError` with the first line
    of its cause), ``close`` ends the clippers."""

    def __init__(self) -> None:
        self._actors: dict[str, Any] = {}

    def submit(
        self,
        key: str,
        segments: list[Segment],
        out: str,
        *,
        start: float,
        end: float,
        reencode: bool,
        concurrency: int,
        config: dict[str, Any],
    ) -> Any:
        if key not in self._actors:
            self._actors[key] = clipper_on_this_node(concurrency=concurrency, config=config)
        return self._actors[key].clip.remote(segments, out, start=start, end=end, reencode=reencode)

    @staticmethod
    def result(handle: Any) -> dict[str, Any]:
        try:
            return ray.get(handle)
        except RayError as err:
            cause = err.cause if isinstance(err, RayTaskError) and err.cause is not None else err
            text = str(cause).strip()
            raise VodstreamError(text.splitlines()[0] if text else type(cause).__name__) from err

    def close(self) -> None:
        for actor in self._actors.values():
            ray.kill(actor)
        self._actors.clear()
