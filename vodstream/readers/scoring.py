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
from typing import Protocol

import structlog

from models.weights import reader_weights
from vodstream.readers.cnn import NumpyNet, load_numpy_net
from vodstream.readers.killreader import KillReader, KillReading
from vodstream.readers.markers import MarkerReader
from vodstream.settings import DEFAULT_OCR_REUSE_S
from vodstream.types import Marker, Sample, Score

__all__ = ["KillReaderLike", "MarkerReaderLike", "Scorer", "make_scorer"]

log = structlog.get_logger(__name__)


class KillReaderLike(Protocol):
    def read_batch(self, samples: Sequence[Sample]) -> list[KillReading]: ...


class MarkerReaderLike(Protocol):
    def read_batch(
        self,
        samples: Sequence[Sample],
        hud_visible: Sequence[bool] | None = None,
        scopes: Sequence[str] | None = None,
    ) -> list[Marker | None]: ...

    @property
    def ocr_calls(self) -> int: ...

    @property
    def ocr_seconds(self) -> float: ...

    def stats(self) -> dict[str, float]: ...


class Scorer:
    """``score_batch(samples) -> list[Score]``; keeps counters for the run report."""

    def __init__(self, kill_reader: KillReaderLike, marker_reader: MarkerReaderLike) -> None:
        self.kill_reader = kill_reader
        self.marker_reader = marker_reader
        self.samples = 0
        self.kills_seconds = 0.0
        self.markers_seconds = 0.0

    def score_batch(self, samples: Sequence[Sample], scopes: Sequence[str] | None = None) -> list[Score]:
        """One Score per sample; ``scopes``: each sample's VOD (a batch may mix VODs)."""
        if not samples:
            return []
        t0 = time.perf_counter()
        readings = self.kill_reader.read_batch(samples)
        t1 = time.perf_counter()
        markers = self.marker_reader.read_batch(samples, [bool(r.hud_visible) for r in readings], scopes)
        t2 = time.perf_counter()
        self.kills_seconds += t1 - t0
        self.markers_seconds += t2 - t1
        self.samples += len(samples)
        out: list[Score] = []
        for s, r, m in zip(samples, readings, markers, strict=True):
            out.append(
                Score(
                    vod_time=s.vod_time,
                    segment_index=s.segment_index,
                    kills=r.kills,
                    red=bool(r.red),
                    hud_visible=bool(r.hud_visible),
                    marker=m,
                    confidence=float(r.confidence),
                    # the Score contract: True found, False its slot seen empty, None cannot tell
                    kill_box=None if r.kill_box is None else bool(r.kill_box),
                    hud_era=r.hud_era,
                )
            )
        return out

    @property
    def ocr_calls(self) -> int:
        return int(self.marker_reader.ocr_calls)

    @property
    def ocr_seconds(self) -> float:
        return float(self.marker_reader.ocr_seconds)

    def stats(self) -> dict[str, float]:
        """Counters since construction: samples, seconds per reader, OCR calls/seconds."""
        out: dict[str, float] = {
            "samples": self.samples,
            "kills_seconds": round(self.kills_seconds, 4),
            "markers_seconds": round(self.markers_seconds, 4),
            "ocr_calls": self.ocr_calls,
            "ocr_seconds": round(self.ocr_seconds, 4),
        }
        for k, v in self.marker_reader.stats().items():
            out.setdefault(f"markers_{k}", v)
        return out


def make_scorer(
    *,
    model_path: str | Path | None = None,
    device: str = "cpu",
    ocr_reuse_s: float | None = DEFAULT_OCR_REUSE_S,
) -> Scorer:
    """The batch scorer: kill counter (CNN) + screen markers (tesseract), loaded once.

    ``model_path``: the kill reader's weights, as ``--model`` names them (a folder written by
    ``vodstream train --labels``, or a digit CNN ``.pt``; see :func:`models.net.reader_weights`);
    None: the shipped models. It comes in the run's settings (``RunSettings.model``), never from
    the environment of the process this runs in; so does ``ocr_reuse_s`` (``RunSettings.ocr_reuse_s``).

    On the CPU the networks run in numpy (:mod:`vodstream.readers.cnn`): a scorer never imports
    torch, which saves each scorer process ~1.3 s of CPU and ~250 MB at start-up. Weights the numpy
    networks cannot run (a file or layer layout they do not know) are run in torch instead.
    """
    if device == "cpu":
        digits, box = reader_weights(model_path)
        try:
            box_net: NumpyNet | None = load_numpy_net(box) if box.is_file() else None
            reader = KillReader(load_numpy_net(digits), box_model=box_net, use_box=box_net is not None)
            return Scorer(reader, MarkerReader(ocr_reuse_s=ocr_reuse_s))
        except (ValueError, KeyError) as err:
            log.info("scorer.torch_fallback", weights=str(digits), reason=str(err))
    from models.net import load_reader_models

    model, box_model = load_reader_models(model_path, device=device)
    return Scorer(
        KillReader(model, device=device, box_model=box_model), MarkerReader(ocr_reuse_s=ocr_reuse_s)
    )
