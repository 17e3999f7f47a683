"""StageActor: one process that both decodes and scores (:class:`DecodeStage` + :class:`ScoreStage`).

On a small machine a decoder pool and a scorer pool split the cores unevenly: scoring costs several
times what keyframe decoding does, so with one decoder and one scorer on two cores the decoder
idles most of the time while the scorer sets the pace. A pool of stage actors, one per core, each
taking decode and score tasks alike (the driver gives each task to the least busy one), keeps every
core on whichever work is waiting, with no more processes to start than cores. Stateless like the
two it combines: a crashed one restarts and its tasks are retried.
"""

from __future__ import annotations

from typing import Any

import ray

from actors.common import pin_threads
from actors.decoder import DecodeStage
from actors.scorer import ScoreStage

__all__ = ["StageActor"]


@ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=-1)
class StageActor(DecodeStage, ScoreStage):
    def __init__(
        self,
        *,
        threads: int = 1,
        decoder_kwargs: dict[str, Any] | None = None,
        scorer_kwargs: dict[str, Any] | None = None,
    ) -> None:
        pin_threads(threads)
        self._start_decoder(threads=threads, **(decoder_kwargs or {}))
        self._start_scorer(scorer_kwargs)
