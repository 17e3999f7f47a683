"""ScorerActor: the kill-counter networks (numpy) and the tesseract handle, loaded once; scores in batches.

``score(*sample_lists)`` takes the samples of several segments (each argument is a decoder's
data ref, resolved by Ray), scores them as ONE batch, and returns per-segment results: the scores
and JPEG thumbnails of the end screens seen (for the report). Stateless between calls, so it
restarts and retries.

The methods live in :class:`ScoreStage`, which :class:`actors.stage.StageActor` (decode and score
in one process) shares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ray

from actors.common import Located, pin_threads
from vodstream.report.document import end_screen_thumbs
from vodstream.types import Sample, Score

if TYPE_CHECKING:
    from vodstream.readers.scoring import Scorer

__all__ = ["ScoreStage", "ScorerActor"]


class ScoreStage(Located):
    """The scorer's actor methods (the actor classes pin threads and call :meth:`_start_scorer`)."""

    _scorer: Scorer

    def _start_scorer(self, scorer_kwargs: dict[str, Any] | None = None) -> None:
        # here, not at the top: the driver imports this module and needs none of the readers
        # (the scorer itself runs its networks in numpy: no torch in this process)
        from vodstream.readers.scoring import make_scorer

        self._scorer = make_scorer(**(scorer_kwargs or {}))

    def score(
        self, *sample_lists: list[Sample], vods: list[str] | None = None
    ) -> list[tuple[list[Score], dict[float, bytes]]]:
        """``vods``: the VOD of each sample list (OCR answers are reused only within one VOD)."""
        flat = [s for samples in sample_lists for s in samples]
        scopes = (
            None
            if vods is None
            else [v for v, samples in zip(vods, sample_lists, strict=True) for _ in samples]
        )
        scores = self._scorer.score_batch(flat, scopes) if flat else []
        out: list[tuple[list[Score], dict[float, bytes]]] = []
        pos = 0
        for samples in sample_lists:
            mine = scores[pos : pos + len(samples)]
            out.append((mine, end_screen_thumbs(samples, mine)))
            pos += len(samples)
        return out

    def stats(self) -> dict[str, float]:
        """The scorer's counters since it started (samples, seconds per reader, OCR calls)."""
        return self._scorer.stats()


@ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=-1)
class ScorerActor(ScoreStage):
    def __init__(self, *, threads: int = 1, scorer_kwargs: dict[str, Any] | None = None) -> None:
        pin_threads(threads)
        self._start_scorer(scorer_kwargs)
