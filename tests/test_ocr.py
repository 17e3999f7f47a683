"""The OCR interface: in-process tesserocr (default) and the pytesseract fallback."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw

from vodstream.readers.ocr import (
    OcrEngine,
    OcrUnavailableError,
    PytesseractOcr,
    ReadCache,
    TesserocrOcr,
    available_backends,
    make_ocr,
)
from vodstream.testbed.synth.fonts import font_path


def line_image(text: str, cap: int = 30) -> np.ndarray:
    from PIL import ImageFont

    font = ImageFont.truetype(str(font_path("rajdhani-bold")), int(cap * 1.45))
    w = int(len(text) * cap * 0.75) + 40
    img = Image.new("L", (w, int(cap * 2.2)), 255)
    ImageDraw.Draw(img).text((16, 4), text, font=font, fill=0)
    return np.asarray(img)


def test_default_is_tesserocr_and_reads_marker_lines() -> None:
    ocr = make_ocr()
    assert isinstance(ocr, TesserocrOcr) and isinstance(ocr, OcrEngine)
    for text in ("SELECT LEGEND", "SQUAD ELIMINATED", "PLACED #3 OF 20", "SQUAD PLACED #12"):
        assert ocr.read_line(line_image(text)) == text
    assert ocr.calls == 4 and ocr.seconds > 0
    assert "tesserocr" in available_backends()


def test_rgb_input_and_bad_input() -> None:
    ocr = make_ocr("tesserocr")
    rgb = np.repeat(line_image("SPECTATING")[..., None], 3, axis=2)
    assert ocr.read_line(rgb) == "SPECTATING"
    with pytest.raises(TypeError):
        ocr.read_line(np.zeros((10, 10), np.float32))


def test_engine_survives_pickling_and_reopens_its_handle() -> None:
    ocr = make_ocr("tesserocr")
    ocr.read_line(line_image("ROUND 3"))
    clone = pickle.loads(pickle.dumps(ocr))
    assert clone.read_line(line_image("VICTORY")) == "VICTORY"
    ocr.close()
    assert ocr.read_line(line_image("DEFEAT")) == "DEFEAT"  # reopens after close


def test_pytesseract_without_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(OcrUnavailableError, match="tesseract binary is not installed"):
        make_ocr("pytesseract")
    with pytest.raises(OcrUnavailableError, match="unknown OCR backend"):
        make_ocr("easyocr")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="no tesseract binary on this machine")
def test_pytesseract_backend_reads_the_same() -> None:
    ocr = make_ocr("pytesseract")
    assert isinstance(ocr, PytesseractOcr)
    assert ocr.read_line(line_image("SQUAD ELIMINATED")) == "SQUAD ELIMINATED"
    assert ocr.calls == 1


def test_read_cache_reuses_an_answer_only_near_its_vod_time_and_in_its_vod() -> None:
    """Identical pixels are reused while a screen stays still (reads a few seconds apart, however
    long the chain), but the same pixels far away in VOD time -- a VOD that repeats itself -- or in
    another VOD are OCR'd again; ``reuse_s=None`` keeps the unbounded behaviour."""
    ocr = make_ocr()
    img = line_image("SQUAD ELIMINATED")
    cache = ReadCache(reuse_s=30.0)
    for t in range(0, 120, 2):  # a static screen, one sample every 2 s for two minutes
        assert cache.read(img.copy(), ocr.read_line, t=float(t), scope="a") == "SQUAD ELIMINATED"
    assert ocr.calls == 1 and cache.hits == 59
    cache.read(img, ocr.read_line, t=50.0, scope="a")  # out of order, inside the span read over
    assert ocr.calls == 1
    assert cache.read(img, ocr.read_line, t=118.0 + 156.0, scope="a") == "SQUAD ELIMINATED"  # a repeat
    assert ocr.calls == 2 and cache.expired == 1
    cache.read(img, ocr.read_line, t=0.0, scope="b")  # another VOD
    assert ocr.calls == 3
    unbounded = ReadCache(reuse_s=None)
    unbounded.read(img, ocr.read_line, t=0.0)
    unbounded.read(img, ocr.read_line, t=10_000.0)
    assert ocr.calls == 4 and unbounded.hits == 1
