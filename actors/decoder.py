"""DecoderActor: a stateless PyAV decoder; the pipeline runs a pool, about one per spare core.

``decode(SegmentData) -> (meta, samples)``: segment bytes in, small samples (crops + VOD time)
out. Threads are pinned to one so that actors do not oversubscribe the cores. Stateless, so a
crashed decoder is restarted and the task retried (``max_task_retries=-1``).

The methods live in :class:`DecodeStage`, which :class:`actors.stage.StageActor` (decode and score
in one process) shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ray

from actors.common import Located, error_text, meta, pin_threads
from vodstream.types import Sample, SegmentData

if TYPE_CHECKING:
    from vodstream.media.decode import Decoder
    from vodstream.settings import DecodeMode

__all__ = ["DecodeStage", "DecoderActor"]


class DecodeStage(Located):
    """The decoder's actor methods (the actor classes pin threads and call :meth:`_start_decoder`)."""

    _decoder: Decoder
    _threads: int
    _dense: dict[float, Decoder]

    def _start_decoder(self, *, mode: DecodeMode = "keyframes", threads: int = 1, **kwargs: Any) -> None:
        from vodstream.media.decode import Decoder

        self._decoder = Decoder(mode=mode, threads=threads, **kwargs)
        self._threads = threads
        self._dense = {}

    @ray.method(num_returns=2)
    def decode(self, data: SegmentData) -> tuple[dict[str, Any], list[Sample]]:
        from vodstream.errors import VodstreamError

        try:
            result = self._decoder.decode(data)
        except VodstreamError as err:
            return meta(False, error=error_text(err)), []
        gaps = [g.to_json() for g in result.gaps]
        return meta(True, n=len(result.samples), frames=int(result.frames_decoded), gaps=gaps), result.samples

    @ray.method(num_returns=2)
    def decode_window(
        self, data: SegmentData | None, lo: float, hi: float, fps: float
    ) -> tuple[dict[str, Any], list[Sample]]:
        """Dense re-sampling: frames at ``fps`` strictly inside VOD time (lo, hi) of one segment
        (the gaps vodstream.matches.scheduler.transition_windows names, and a VOD's tail)."""
        from vodstream.media.decode import Decoder

        if data is None:
            return meta(False, error="segment not available"), []
        dense = self._dense.get(fps)
        if dense is None:
            dense = self._dense[fps] = Decoder(mode="fps", sample_fps=fps, threads=self._threads)
        picked = dense.decode_window(data, lo, hi)
        return meta(True, n=len(picked)), picked


@ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=-1)
class DecoderActor(DecodeStage):
    def __init__(self, *, mode: DecodeMode = "keyframes", threads: int = 1, **kwargs: Any) -> None:
        pin_threads(threads)
        self._start_decoder(mode=mode, threads=threads, **kwargs)
