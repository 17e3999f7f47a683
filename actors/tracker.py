"""TrackerActor: one per VOD; assembles matches from scores fed in VOD-time order.

A thin wrapper over :class:`vodstream.tracker.MatchTracker`. Its state is not lost on a crash:
the driver checkpoints :meth:`state` into the run store every few segments and, after a restart
(``max_restarts=-1``), calls :meth:`restore` with the last checkpoint and replays the segments
released since. ``update`` mutates state, so Ray never retries it (``max_task_retries=0``); the
idempotent ``state`` / ``restore`` may be retried.

Every answer carries the actor's *incarnation* (a random id drawn in ``__init__``, so new after
each restart). A restart that no call saw fail (the actor died while idle and later calls ran on a
fresh, empty tracker) is caught by the driver when the incarnation changes.
"""

from __future__ import annotations

import uuid
from typing import Any

import ray

from vodstream.types import Match, Score

__all__ = ["TrackerActor"]


@ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=0)
class TrackerActor:
    def __init__(self, **kwargs: Any) -> None:
        from vodstream.tracker import MatchTracker

        self._kwargs = kwargs
        self._tracker = MatchTracker(**kwargs)
        self.incarnation = uuid.uuid4().hex

    def update(self, scores: list[Score]) -> tuple[str, int]:
        """Feed one segment's scores; returns (incarnation, matches closed so far)."""
        return self.incarnation, len(self._tracker.update(scores))

    def finish(self, vod_end: float | None = None) -> tuple[str, tuple[list[Match], list[dict[str, Any]]]]:
        """Close the VOD (``vod_end`` ends a match it cuts off): every match in VOD order, and
        the spans dropped as not-a-match."""
        matches = self._tracker.finish(vod_end=vod_end)
        return self.incarnation, (matches, list(self._tracker.dropped))

    @ray.method(max_task_retries=-1)
    def state(self) -> tuple[str, dict[str, Any]]:
        return self.incarnation, self._tracker.to_dict()

    @ray.method(max_task_retries=-1)
    def restore(self, state: dict[str, Any] | None) -> tuple[str, None]:
        from vodstream.tracker import MatchTracker

        self._tracker = MatchTracker.from_dict(state) if state else MatchTracker(**self._kwargs)
        return self.incarnation, None
