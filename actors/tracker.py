"""TrackerActor: one per VOD; assembles matches from scores fed in VOD-time order.

A thin wrapper over :class:`vodstream.matches.tracker.MatchTracker`. Its state is not lost on a crash:
the driver checkpoints :meth:`state` into the run store every few segments and, after a restart
(``max_restarts=-1``), calls :meth:`restore` with the last checkpoint and replays the updates
sent since. ``update`` mutates state, so Ray never retries it (``max_task_retries=0``); the
idempotent ``state`` / ``restore`` may be retried.

Calls to a failing actor do not fail in order (a call sent while it restarts may fail late,
after later calls already ran on the fresh instance), so every update carries a sequence number:
the actor applies update ``n`` only right after ``n - 1`` and otherwise answers ``None`` (a gap),
and the driver then restores and replays. The sequence number travels in the checkpoints.
"""

from __future__ import annotations

from typing import Any

import ray

from vodstream.matches.tracker import MatchTracker
from vodstream.types import Match, Score

__all__ = ["TrackerActor"]


@ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=0)
class TrackerActor:
    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._tracker = MatchTracker(**kwargs)
        self._seq = 0  # updates applied (since start or the restored state)

    def update(self, scores: list[Score], seq: int) -> tuple[int, int | None]:
        """Apply update number ``seq``; returns (updates applied, matches closed so far), or
        (updates applied, None) when ``seq`` is not the next one (nothing applied)."""
        if seq != self._seq + 1:
            return self._seq, None
        closed = len(self._tracker.update(scores))
        self._seq = seq
        return self._seq, closed

    def finish(
        self, vod_end: float | None, seq: int
    ) -> tuple[int, tuple[list[Match], list[dict[str, Any]]] | None]:
        """Close the VOD after exactly ``seq`` updates (else None): every match in VOD order, and
        the spans dropped as not-a-match."""
        if seq != self._seq:
            return self._seq, None
        matches = self._tracker.finish(vod_end=vod_end)
        return self._seq, (matches, list(self._tracker.dropped))

    @ray.method(max_task_retries=-1)
    def state(self) -> tuple[int, dict[str, Any]]:
        return self._seq, {"seq": self._seq, "tracker": self._tracker.to_dict()}

    @ray.method(max_task_retries=-1)
    def restore(self, state: dict[str, Any] | None) -> tuple[int, None]:
        if state:
            self._tracker = MatchTracker.from_dict(state["tracker"])
            self._seq = int(state["seq"])
        else:
            self._tracker = MatchTracker(**self._kwargs)
            self._seq = 0
        return self._seq, None
