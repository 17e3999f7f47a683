"""The run's settings: one frozen object with the one set of defaults.

Built on the driver (the CLI's ``settings_from_args``, or by a caller of the API), hashed there
for ``--resume`` (:meth:`RunSettings.analysis_fingerprint`: every setting that changes a segment's
result, and the bytes of every model file the readers load), and handed explicitly to whatever
needs a part of it (the actor graph, the scorer actors): no stage reads a default or a model
path from anywhere else.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from models.weights import model_files  # not models.net: the driver never needs torch
from vodstream import __version__

__all__ = [
    "ANALYZE_FALLBACKS",
    "DEFAULT_ANALYZE_QUALITY",
    "DEFAULT_BATCH_SEGMENTS",
    "DEFAULT_CHECKPOINT_EVERY",
    "DEFAULT_CLIP_QUALITY",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_DECODE_MODE",
    "DEFAULT_INFLIGHT_PER_VOD",
    "DEFAULT_INFLIGHT_TOTAL",
    "DEFAULT_OCR_REUSE_S",
    "DEFAULT_REFINE_FPS",
    "DEFAULT_TOP",
    "DecodeMode",
    "RunSettings",
    "fingerprint_doc",
    "model_fingerprint",
]

# The lowest variant measured as accurate as the source (benchmarks/pipeline_bench.py
# --quality-sweep): 720p matched the source on every synthetic VOD; 480p30 missed a SPECTATING
# screen on the test VOD (a spectated teammate's kills taken as the player's), so it is not the default.
DEFAULT_ANALYZE_QUALITY = "720p30"
# Tried in order when the default analysis quality is missing from a VOD (never when the user asked).
ANALYZE_FALLBACKS = ("720p30", "720p60", "720p", "best")
DEFAULT_CLIP_QUALITY = "chunked"
# The one set of defaults: RunSettings, the CLI's options, the actor graph and the fetcher use these.
DEFAULT_TOP = 1  # matches to clip per VOD
DEFAULT_CONCURRENCY = 8  # concurrent GETs per VOD
# segments in flight per VOD (fetched, not yet released): enough for two pool actors each scoring a
# full batch with one more segment decoding, 2 x (DEFAULT_BATCH_SEGMENTS + 1); with 6 the second
# stage actor of a 2-CPU pool waited for work ~15 % of the analysis (runnable 0.85 of the time
# against 0.94 with 10; demo VOD x4, 3 runs each)
DEFAULT_INFLIGHT_PER_VOD = 10
DEFAULT_INFLIGHT_TOTAL = 12  # segments in flight across all VODs
DEFAULT_BATCH_SEGMENTS = 4  # segments per score batch
DecodeMode = Literal["keyframes", "fps", "all"]  # what the decoder samples (vodstream.media.decode)
DEFAULT_DECODE_MODE: DecodeMode = "keyframes"
DEFAULT_CHECKPOINT_EVERY = 30  # released segments between tracker checkpoints in the run store
DEFAULT_REFINE_FPS = 5.0  # dense re-sampling (scheduler.transition_windows, the VOD's tail; None: off)
# An OCR answer (kept by exact crop pixels, vodstream.readers.ocr.ReadCache) is reused only within
# this many seconds of VOD time of the span it was read or reused over, in the same VOD: a screen
# held still repeats its pixels for seconds, a VOD that repeats itself (`serve --repeat`) is read
# again (on the 465 s accuracy VOD of seed 5101 all but 3 of 83 reuses were <= 5 s apart).
DEFAULT_OCR_REUSE_S = 30.0


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    out: Path
    top: int = DEFAULT_TOP
    clip: bool = True
    analyze_quality: str | None = None  # None: DEFAULT_ANALYZE_QUALITY with fallbacks
    clip_quality: str = DEFAULT_CLIP_QUALITY
    reencode: bool = False
    address: str | None = None  # None: embedded ray.init(); "auto" or "ray://..."
    resume: bool = False
    fresh: bool = False  # drop DIR's run store first (a corrupt one, say)
    twitch_base: str | None = None
    auth_token: str | None = field(default=None, repr=False)  # OAuth for sub-only VODs; never logged
    concurrency: int = DEFAULT_CONCURRENCY  # concurrent GETs per VOD
    inflight_per_vod: int = DEFAULT_INFLIGHT_PER_VOD
    inflight_total: int = DEFAULT_INFLIGHT_TOTAL
    decoders: int | None = None  # None: sized from the cluster's CPUs (see GraphConfig)
    scorers: int | None = None
    batch_segments: int = DEFAULT_BATCH_SEGMENTS
    decode_mode: DecodeMode = DEFAULT_DECODE_MODE
    data_dir: Path | None = None
    catalog: bool = True
    progress: bool | None = None  # None: bars when stderr is a TTY
    num_cpus: int | None = None  # embedded Ray only
    ship_code: bool = False  # send vodstream/actors/models to the cluster (runtime_env)
    model: Path | None = None  # kill-reader weights: a `train --labels` folder or a digit CNN .pt
    # (None: the shipped models); travels to the scorer actors
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY  # segments between tracker checkpoints
    refine_fps: float | None = DEFAULT_REFINE_FPS  # dense re-sampling (scheduler.transition_windows)
    # VOD seconds an OCR answer is reused for identical pixels (cost only: OCR is deterministic,
    # so it is not part of the resume fingerprint)
    ocr_reuse_s: float = DEFAULT_OCR_REUSE_S

    def resume_fingerprint(self, vod: Mapping[str, object]) -> str:
        """What must match for a VOD's stored per-segment results to be reused by ``--resume``:
        the VOD's identity (``vod``), every setting that changes a segment's result, and the bytes
        of every model file (:func:`model_fingerprint`). Computed on the driver."""
        return fingerprint_doc(
            {
                "v": __version__,
                **vod,
                "decode": self.decode_mode,
                "refine_fps": self.refine_fps,
                "model": model_fingerprint(self.model),
            }
        )


def model_fingerprint(path: Path | None = None) -> str:
    """A hash of every model file the kill reader loads for ``--model path`` (None: the shipped
    ones): :func:`models.weights.model_files` (the digit CNN, the score-box reader, and the
    shipped kill-box detectors where they are); names and bytes, so ``--resume`` never reuses
    scores read by other weights."""
    stamps = []
    for f in model_files(path):
        st = f.stat()
        stamps.append((str(f), st.st_size, st.st_mtime_ns))
    return _hash_files(tuple(stamps))


@functools.lru_cache(maxsize=8)
def _hash_files(stamps: tuple[tuple[str, int, int], ...]) -> str:
    """The hash behind :func:`model_fingerprint`, read once per run for files whose size and
    modification time did not change (a run of many VODs hashes the weights once)."""
    h = hashlib.sha256()
    for name, _size, _mtime in stamps:
        f = Path(name)
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def fingerprint_doc(doc: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:24]
