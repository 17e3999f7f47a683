"""The scorer: one batch of samples -> one :class:`~vodstream.types.Score` per sample.

It composes the kill reader (HUD kill counter, :mod:`vodstream.readers.killreader`) and the marker
reader (screen markers by OCR, :mod:`vodstream.readers.markers`). The kill reader runs first on the
whole batch: its ``hud_visible`` verdict is the marker reader's cheap gate (a visible in-match
HUD means mid-match, where only SPECTATING is looked for). Deterministic for the same input.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from models.net import load_reader_models
from vodstream.readers.killreader import KillReader
from vodstream.readers.markers import MarkerReader
from vodstream.types import Marker, Sample, Score

__all__ = ["KillReaderLike", "MarkerReaderLike", "Scorer", "make_scorer"]


class KillReaderLike(Protocol):
    def read_batch(self, samples: Sequence[Sample]) -> list[Any]: ...


class MarkerReaderLike(Protocol):
    def read_batch(
        self, samples: Sequence[Sample], hud_visible: Sequence[bool] | None = None
    ) -> list[Marker | None]: ...


def _kill_box(r: Any) -> bool | None:
    """``Score.kill_box`` from a kill reading (the contract is in :class:`~vodstream.types.Score`).

    A reader that knows says so itself (a ``kill_box`` attribute: True found, False slot in
    view and empty, None cannot tell). Today's reader does not: it only says ``no_kill_box``
    when its skull template found nothing, which is taken as "empty" on a visible HUD -- the
    renderer's modern HUD before the first kill -- so the tracker's 0-kill rule still applies
    there (with reduced confidence, and never on a HUD whose era says the box is always shown).
    """
    if hasattr(r, "kill_box"):
        kb = r.kill_box
        return None if kb is None else bool(kb)
    if not r.hud_visible:
        return None
    return getattr(r, "reason", "ok") != "no_kill_box"


class Scorer:
    """``score_batch(samples) -> list[Score]``; keeps counters for the run report."""

    def __init__(self, kill_reader: KillReaderLike, marker_reader: MarkerReaderLike) -> None:
        self.kill_reader = kill_reader
        self.marker_reader = marker_reader
        self.samples = 0
        self.kills_seconds = 0.0
        self.markers_seconds = 0.0

    def score_batch(self, samples: Sequence[Sample]) -> list[Score]:
        if not samples:
            return []
        t0 = time.perf_counter()
        readings = self.kill_reader.read_batch(samples)
        t1 = time.perf_counter()
        markers = self.marker_reader.read_batch(samples, [bool(r.hud_visible) for r in readings])
        t2 = time.perf_counter()
        self.kills_seconds += t1 - t0
        self.markers_seconds += t2 - t1
        self.samples += len(samples)
        out: list[Score] = []
        for s, r, m in zip(samples, readings, markers, strict=True):
            kill_box = _kill_box(r)
            out.append(
                Score(
                    vod_time=s.vod_time,
                    segment_index=s.segment_index,
                    kills=r.kills,
                    red=bool(r.red),
                    hud_visible=bool(r.hud_visible),
                    marker=m,
                    confidence=float(r.confidence),
                    kill_box=kill_box,
                    hud_era=getattr(r, "hud_era", None),
                )
            )
        return out

    @property
    def ocr_calls(self) -> int:
        return int(getattr(self.marker_reader, "ocr_calls", 0))

    @property
    def ocr_seconds(self) -> float:
        return float(getattr(self.marker_reader, "ocr_seconds", 0.0))

    def stats(self) -> dict[str, float]:
        """Counters since construction: samples, seconds per reader, OCR calls/seconds."""
        out: dict[str, float] = {
            "samples": self.samples,
            "kills_seconds": round(self.kills_seconds, 4),
            "markers_seconds": round(self.markers_seconds, 4),
            "ocr_calls": self.ocr_calls,
            "ocr_seconds": round(self.ocr_seconds, 4),
        }
        extra = getattr(self.marker_reader, "stats", None)
        if callable(extra):
            for k, v in extra().items():
                out.setdefault(f"markers_{k}", v)
        return out


def make_scorer(*, model_path: str | Path | None = None, device: str = "cpu") -> Scorer:
    """The batch scorer: kill counter (CNN) + screen markers (tesseract), loaded once.

    ``model_path``: the kill reader's weights, as ``--model`` names them (a folder written by
    ``vodstream train --labels``, or a digit CNN ``.pt``; see :func:`models.net.reader_weights`);
    None: the shipped models. It comes in the run's settings (``RunSettings.model``), never from
    the environment of the process this runs in.
    """
    model, box_model = load_reader_models(model_path, device=device)
    return Scorer(KillReader(model, device=device, box_model=box_model), MarkerReader())
