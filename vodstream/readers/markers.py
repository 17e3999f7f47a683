"""Screen markers by OCR: SELECT LEGEND, end screens (with placement), lobby, SPECTATING, Arenas.

Input: :class:`vodstream.types.Sample` -- ``text`` is the top 45 % of the frame as luma,
downscaled (see :mod:`vodstream.readers.regions`). OCR is expensive, so a cheap gate runs first:

1. If the in-match HUD is visible (the kill reader says so), the sample is mid-match: only
   the narrow top-centre band where SPECTATING shows is considered, and only if it holds a
   big bright text line.
2. Otherwise bright text lines are found with a white top-hat (text brighter than its
   surroundings, so a bright sky does not count), a threshold, and a horizontal closing that
   joins letters into lines. Lines must be big (menu-heading size, scaled to the frame),
   wide and text-like (several glyphs, partly filled). Samples with no such line never reach OCR.
3. Each surviving line (at most ``max_lines``) is cropped, scaled to a fixed height and
   binarised (Otsu, dark text on white), then read as a single line. Identical binarised crops
   are read once (an exact-content cache: deterministic).

The texts are matched against the marker phrases by approximate substring matching
(edit distance), which absorbs OCR slips such as ``SQUAD ELlMINATED`` or ``SELECT LEGENO``.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import structlog

from vodstream.readers.endscreen import EndScreenReader
from vodstream.readers.ocr import OcrEngine, ReadCache, make_ocr
from vodstream.readers.regions import hud_scale
from vodstream.settings import DEFAULT_OCR_REUSE_S
from vodstream.types import Marker, Sample

__all__ = [
    "LineBox",
    "MarkerReader",
    "find_text_lines",
    "fuzzy_find",
    "parse_marker",
]

log = structlog.get_logger(__name__)

# --------------------------------------------------------------------------- text matching

_KEEP = re.compile(r"[^A-Z0-9# ]+")


def normalize(text: str) -> str:
    """Upper case, only A-Z 0-9 # and single spaces."""
    t = _KEEP.sub(" ", text.upper())
    return " ".join(t.split())


def fuzzy_find(needle: str, hay: str, max_dist: int | None = None) -> int | None:
    """Smallest edit distance of ``needle`` to any substring of ``hay`` (spaces ignored),
    or None when above ``max_dist`` (default: one slip per 5 letters, at least 1)."""
    n = needle.replace(" ", "")
    h = hay.replace(" ", "")
    if not n:
        return 0
    if max_dist is None:
        max_dist = max(1, len(n) // 5)
    if not h:
        return None if len(n) > max_dist else len(n)
    # Sellers' search (a match may start and end anywhere in hay), one column per letter of hay,
    # in Myers' bit-parallel form: bit i of pv / mv says the column's cell i+1 is one more / one
    # less than cell i; ``score`` follows the last cell. Same distances as the plain dynamic
    # programme, ~9x faster in Python.
    m = len(n)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, c in enumerate(n):
        peq[c] = peq.get(c, 0) | (1 << i)
    pv, mv, score = mask, 0, m
    best = m
    for c in h:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) & mask  # free start: the top cell of every column is 0
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        best = min(best, score)
    return best if best <= max_dist else None


def _has_word(word: str, text: str) -> bool:
    return re.search(rf"(?<![A-Z]){word}(?![A-Z])", text) is not None


_DIGIT_FIX = str.maketrans(
    {"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "T": "7", "Z": "2", "S": "5", "B": "8", "G": "6"}
)


def _num(tok: str) -> int | None:
    tok = tok.translate(_DIGIT_FIX)
    return int(tok) if tok.isdigit() and len(tok) <= 3 else None


# "PLACED #3 OF 20" -- '#' may come out as H/4/nothing, OF as 0F/OE/DF.
_PLACED_OF = re.compile(
    r"PLACED\s*[#H]?\s*([0-9OILZSBDQTG]{1,2})\s*(?:O|0|D|Q)\s*[FE]\s*([0-9OILZSBDQTG]{1,3})\b"
)
_PLACED = re.compile(r"PLACED\s*[#H]\s*([0-9OILZSBDQTG]{1,2})\b|PLACED\s*([0-9]{1,2})\b")
_HASH_N = re.compile(r"#\s*([0-9OILZSBDQTG]{1,2})\b")
_ROUND_N = re.compile(r"\bR\s*O\s*U\s*N\s*D\s*([0-9OILZ]{1,2})\b")

END_PHRASES: tuple[tuple[str, str], ...] = (
    # (phrase to look for, label reported)
    ("SQUAD ELIMINATED", "SQUAD ELIMINATED"),
    ("CHAMPIONS OF THE ARENA", "CHAMPIONS OF THE ARENA"),
    ("MATCH SUMMARY", "MATCH SUMMARY"),
    ("SQUAD PLACED", "SQUAD PLACED"),
    ("PLAYER PLACED", "PLAYER PLACED"),
)
# The lobby's top navigation (two of these = the lobby).
_LOBBY_NAV: tuple[tuple[str, int], ...] = (
    ("PLAY", 0),
    ("LEGENDS", 1),
    ("ARMORY", 1),
    ("CLUBS", 0),
    ("BATTLE PASS", 2),
    ("STORE", 0),
)
ARENAS_RESULT_PHRASES: tuple[str, ...] = ("VICTORY", "DEFEAT")
ARENAS_PHRASES: tuple[str, ...] = (
    *ARENAS_RESULT_PHRASES,
    "MATCH POINT",
    "FINAL ROUND",
    "ROUND WON",
    "ROUND LOST",
    "BUY MENU",
)


def _nav_words(t: str) -> int:
    """How many of the lobby's nav words the normalised text ``t`` holds."""
    return sum(fuzzy_find(w, t, d) is not None for w, d in _LOBBY_NAV)


def _placement(text: str) -> tuple[int | None, int | None]:
    m = _PLACED_OF.search(text)
    if m:
        n, k = _num(m.group(1)), _num(m.group(2))
        if n is not None and k is not None and 1 <= n <= k <= 100:
            return n, k
    m = _PLACED.search(text)
    if m:
        n = _num(m.group(1) or m.group(2))
        if n is not None and 1 <= n <= 60:
            return n, None
    m = _HASH_N.search(text)
    if m:
        n = _num(m.group(1))
        if n is not None and 1 <= n <= 60:
            return n, None
    return None, None


def parse_marker(text: str) -> Marker | None:
    """The marker an OCR'd screen text stands for (None: nothing we know)."""
    t = normalize(text)
    if not t:
        return None
    # The pre-drop intro says CHAMPION SQUAD / YOUR SQUAD: not an end screen.
    intro = fuzzy_find("CHAMPION SQUAD", t, 1) is not None or fuzzy_find("YOUR SQUAD", t, 1) is not None
    # End screens.
    label = None
    for phrase, lab in END_PHRASES:
        if fuzzy_find(phrase, t) is not None:
            label = lab
            break
    placed = fuzzy_find("PLACED", t, 1) is not None
    n, k = _placement(t)
    if label is None and not intro and fuzzy_find("CHAMPIONS", t, 1) is not None:
        label = "CHAMPIONS"
    if label is None and placed and (k is not None or n is not None):
        label = "PLACED"
    if label is not None:
        return Marker(kind="end", text=t, placement=n, of=k, label=label)
    if fuzzy_find("SELECT LEGEND", t) is not None:
        return Marker(kind="select_legend", text=t, label="SELECT LEGEND")
    m = _ROUND_N.search(t)
    round_n = fuzzy_find("ROUND", t, 1) is not None and re.search(r"\d", t) is not None
    if m or round_n or any(fuzzy_find(p, t, 1) is not None for p in ARENAS_PHRASES):
        # VICTORY / DEFEAT close the Arenas match (label RESULT): BR evidence after it is a BR match.
        result = not m and any(fuzzy_find(p, t, 1) is not None for p in ARENAS_RESULT_PHRASES)
        return Marker(kind="arenas", text=t, label="ROUND" if m else "RESULT" if result else None)
    tabs = sum(fuzzy_find(w, t, 1) is not None for w in ("SPECTATE", "DEATH RECAP"))
    if fuzzy_find("SPECTATING", t) is not None or tabs >= 1:
        return Marker(kind="spectating", text=t, label="SPECTATING")
    if (
        _nav_words(t) >= 2
        or _has_word("READY", t)
        or fuzzy_find("MATCHMAKING", t) is not None
        or fuzzy_find("CONNECTING", t, 1) is not None
    ):
        return Marker(kind="lobby", text=t, label="LOBBY")
    return None


# --------------------------------------------------------------------------- the cheap gate


@dataclass(frozen=True)
class LineBox:
    """A candidate text line in text-region pixels."""

    x0: int
    y0: int
    x1: int
    y1: int
    glyphs: int
    score: float

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    @property
    def w(self) -> int:
        return self.x1 - self.x0


# Smallest menu text line searched for, in 1080p pixels of letter height. The lobby's top
# navigation is ~18 px caps; thin or small faces (the validation family's) binarise a few
# pixels shorter after the half-size text crop, so the floor sits below it (chosen on the
# validation style family: 16 missed its lobby and the 2019 "PLACED #n OF k" line, 14 read all).
MIN_LINE_H1080 = 14.0


def _unit(sample: Sample) -> float:
    """Text-region pixels per 1080p pixel (HUD/menu scale times the decoder's downscale)."""
    fw, fh = sample.frame_size
    _th, tw = sample.text.shape[:2]
    down = tw / float(fw) if fw else 0.5
    return hud_scale(fw, fh) * down


def find_text_lines(
    text: np.ndarray,
    unit: float,
    *,
    min_h1080: float = MIN_LINE_H1080,
    max_h1080: float = 130.0,
    band: tuple[float, float, float, float] | None = None,
    max_lines: int = 6,
    min_glyphs: int = 3,
    min_density: float = 0.0,
    min_bright: int = 150,
    min_tophat: int = 45,
) -> list[LineBox]:
    """Big bright text lines in a luma image; ``unit`` = image pixels per 1080p pixel.

    Glyphs are bright, locally contrasted blobs of letter size; a line is a chain of at least
    ``min_glyphs`` letter widths of glyphs of similar height on one baseline with letter-sized
    gaps (random bright clutter rarely forms one). ``min_density``: glyph components per letter
    width (touching letters form one component; stripes and blobs have few).
    ``band`` = (x0, y0, x1, y1) fractions of the image to
    search (None: all of it). Returns lines, best first, at most ``max_lines``.
    """
    img = text
    H, W = img.shape[:2]
    ox = oy = 0
    if band is not None:
        bx0, by0, bx1, by1 = (round(band[0] * W), round(band[1] * H), round(band[2] * W), round(band[3] * H))
        img = img[by0:by1, bx0:bx1]
        ox, oy = bx0, by0
        H, W = img.shape[:2]
    if H < 4 or W < 8:
        return []
    min_h, max_h = max(3.0, min_h1080 * unit), max_h1080 * unit
    bright = img >= min_bright
    if int(np.count_nonzero(bright)) < 12:
        return []
    # White top-hat: strokes brighter than their neighbourhood (kernel > stroke width).
    k = max(3, round(0.3 * max_h) | 1)  # wider than the strokes of the biggest letters
    tophat = cv2.morphologyEx(img, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    mask = ((tophat >= min_tophat) & bright).astype(np.uint8)
    # 16-bit labels where the image cannot hold 65536 components (same stats, about half the time)
    ltype = cv2.CV_16U if (H // 2 + 1) * (W // 2 + 1) < 65536 else cv2.CV_32S
    n, _lab, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=ltype)
    if n <= 1:
        return []
    st = stats[1:]
    x, y, w, h, a = st[:, 0], st[:, 1], st[:, 2], st[:, 3], st[:, 4]
    # Letters (or runs of touching letters): letter height, partly filled.
    ok = (h >= min_h * 0.7) & (h <= max_h) & (w <= 10 * h) & (a >= 0.12 * w * h) & (a <= 0.9 * w * h)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return []
    order = idx[np.argsort(x[idx], kind="stable")]
    gx0, gy0 = x[order].astype(float), y[order].astype(float)
    gx1, gh = gx0 + w[order], h[order].astype(float)
    gy1 = gy0 + gh
    m = len(order)
    parent = list(range(m))
    # the linking loop reads single elements: Python floats (numpy scalars are slow to index)
    lx0, lx1, lh, ly0, ly1 = (v.tolist() for v in (gx0, gx1, gh, gy0, gy1))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Link each glyph to later glyphs on the same baseline within a letter gap.
    for i in range(m):
        hi = lh[i]
        reach = lx1[i] + 1.2 * hi
        j = i + 1
        while j < m and lx0[j] <= reach:
            hj = lh[j]
            tol = 0.2 * max(hi, hj)
            if (
                abs(hi - hj) <= 0.3 * max(hi, hj)
                # one baseline -- or one cap line: a tailed Q or a descender ends lower
                and (abs(ly1[i] - ly1[j]) <= tol or abs(ly0[i] - ly0[j]) <= tol)
                and lx0[j] >= lx1[i] - 0.2 * hi
            ):
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[rj] = ri
            j += 1
    groups: dict[int, list[int]] = {}
    for i in range(m):
        groups.setdefault(find(i), []).append(i)
    lines: list[LineBox] = []
    for g in groups.values():
        hs = gh[g]
        hmed = float(np.median(hs))
        if hmed < min_h or hmed > max_h:
            continue
        x0, x1 = int(gx0[g].min()), int(gx1[g].max())
        y0, y1 = int(gy0[g].min()), int(gy1[g].max())
        if x1 - x0 < 1.5 * hmed:
            continue
        # A straight line of equal letters: tops and bottoms agree.
        spread = float(np.std(gy0[g]) + np.std(gy1[g])) / hmed
        if spread > 0.25:
            continue
        # Glyph count in letter widths (touching letters form one component).
        letters = float((x1 - x0) / (0.6 * hmed))
        if letters < min_glyphs or len(g) < min_density * letters:
            continue
        score = hmed * min(x1 - x0, 12 * hmed) * min(1.0, len(g) / 3.0) * (1.0 - spread)
        lines.append(LineBox(x0 + ox, y0 + oy, x1 + ox, y1 + oy, len(g), float(score)))
    lines = _merge_lines(lines)
    lines.sort(key=lambda b: (-b.score, b.y0, b.x0))
    return lines[:max_lines]


def _merge_lines(lines: list[LineBox], gap: float = 2.5) -> list[LineBox]:
    """Join pieces of one line split by dimmer letters (e.g. gold digits in 'PLACED #12 OF 20'):
    same height and baseline, at most ``gap`` letter heights apart."""
    out = sorted(lines, key=lambda b: (b.x0, b.y0))
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            a = out[i]
            for j in range(i + 1, len(out)):
                b = out[j]
                h = max(a.h, b.h)
                if (
                    abs(a.h - b.h) <= 0.3 * h
                    and abs(a.y1 - b.y1) <= 0.25 * h
                    and -0.2 * h <= b.x0 - a.x1 <= gap * h
                ):
                    out[i] = LineBox(
                        a.x0,
                        min(a.y0, b.y0),
                        max(a.x1, b.x1),
                        max(a.y1, b.y1),
                        a.glyphs + b.glyphs,
                        a.score + b.score,
                    )
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return out


def _binarise_line(text: np.ndarray, box: LineBox, out_h: int = 36) -> np.ndarray:
    """Crop a line with a margin, scale it to ``out_h`` px letter height and binarise it:
    strokes brighter than their surroundings (top-hat, 0.7 x Otsu) become black on white;
    specks far smaller than a letter are dropped."""
    H, W = text.shape[:2]
    m = max(2, box.h // 3)
    x0, y0 = max(0, box.x0 - m), max(0, box.y0 - m)
    x1, y1 = min(W, box.x1 + m), min(H, box.y1 + m)
    crop = text[y0:y1, x0:x1]
    f = out_h / max(1, box.h)
    crop = cv2.resize(
        crop,
        (max(8, round(crop.shape[1] * f)), max(8, round(crop.shape[0] * f))),
        interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA,
    )
    k = int(out_h * 0.8) | 1
    tophat = cv2.morphologyEx(crop, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    thr, fg = cv2.threshold(tophat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if thr < 25:  # no contrast at all: fall back to plain Otsu on the luma
        _, fg = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    else:  # a little below Otsu keeps dimmer (gold) letters and thin strokes whole
        _, fg = cv2.threshold(tophat, 0.7 * thr, 255, cv2.THRESH_BINARY)
    n, lab, st, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    small = np.zeros(n, bool)
    small[1:] = (st[1:, cv2.CC_STAT_AREA] < 0.03 * out_h * out_h) & (st[1:, cv2.CC_STAT_HEIGHT] < 0.4 * out_h)
    fg[small[lab]] = 0
    bw = 255 - fg
    return cv2.copyMakeBorder(bw, 10, 10, 16, 16, cv2.BORDER_CONSTANT, value=255)


# Fainter ink for the lobby's nav row where one of its words was read alone (the inactive tabs of
# a thin face are dim grey: the sixth held-out family's peak at ~160 luma on a ~100 sky). Chosen
# on one lobby frame of that family's VOD 8617 (the nav row read at 130/30 and at 120/25; the
# middle of the two), so that family's whole-VOD lobbies are no longer held out.
FAINT_NAV: dict[str, int] = {"min_bright": 120, "min_tophat": 30}

# The top-centre band where SPECTATING (and the SPECTATE/DEATH RECAP tabs) show, as fractions
# of the text region (the top 45 % of the frame).
SPECTATE_BAND = (0.25, 0.0, 0.75, 0.45)


class MarkerReader:
    """Sample -> Marker | None, with a cheap gate in front of OCR.

    ``ocr``: an :class:`vodstream.readers.ocr.OcrEngine` (default: :func:`make_ocr`, i.e. tesserocr).
    Counters: ``gated`` (samples that reached OCR), ``ocr_calls``, ``ocr_seconds``, ``gate_seconds``.
    """

    def __init__(
        self,
        ocr: OcrEngine | None = None,
        *,
        max_lines: int = 4,
        spectate_lines: int = 2,
        cache_size: int = 256,
        end_reader: EndScreenReader | None = None,
        read_summary: bool = True,
        ocr_reuse_s: float | None = DEFAULT_OCR_REUSE_S,
    ) -> None:
        self._ocr = ocr
        self._end_reader = end_reader
        self.read_summary = read_summary
        self.max_lines = max_lines
        self.spectate_lines = spectate_lines
        self.ocr_reuse_s = ocr_reuse_s
        self._cache = ReadCache(cache_size, reuse_s=ocr_reuse_s)
        self._at: tuple[str, float] = ("", 0.0)  # (scope, VOD time) of the sample being read
        self.samples = 0
        self.gated = 0
        self.gate_seconds = 0.0

    @property
    def ocr(self) -> OcrEngine:
        if self._ocr is None:
            self._ocr = make_ocr()
        return self._ocr

    @property
    def end_reader(self) -> EndScreenReader:
        """Reads the squad summary (own and squad kills) on samples with an end screen."""
        if self._end_reader is None:
            self._end_reader = EndScreenReader(letters=self.ocr, ocr_reuse_s=self.ocr_reuse_s)
        return self._end_reader

    def _engines(self) -> list[OcrEngine]:
        out = [self._ocr] if self._ocr is not None else []
        er = self._end_reader
        if er is not None:
            out += [e for e in er.engines() if all(e is not o for o in out)]
        return out

    @property
    def ocr_calls(self) -> int:
        return sum(e.calls for e in self._engines())

    @property
    def ocr_seconds(self) -> float:
        return sum(e.seconds for e in self._engines())

    def stats(self) -> dict[str, float]:
        return {
            "samples": self.samples,
            "gated": self.gated,
            "ocr_calls": self.ocr_calls,
            "ocr_seconds": round(self.ocr_seconds, 4),
            "gate_seconds": round(self.gate_seconds, 4),
            "cache_hits": self._cache.hits,
            "cache_expired": self._cache.expired,
        }

    # -- public API -------------------------------------------------------------------------
    def read(self, sample: Sample, hud_visible: bool | None = None, scope: str = "") -> Marker | None:
        """The marker ``sample`` shows, or None. ``hud_visible``: the kill reader's verdict (if known);
        ``scope``: the VOD it comes from (OCR answers are reused only within one VOD, near its time)."""
        self.samples += 1
        self._at = (scope, sample.vod_time)
        t0 = time.perf_counter()
        unit = _unit(sample)
        text = sample.text
        if text.ndim == 3:
            text = cv2.cvtColor(text, cv2.COLOR_RGB2GRAY)
        if hud_visible:
            lines = find_text_lines(
                text,
                unit,
                band=SPECTATE_BAND,
                min_h1080=16.0,
                max_h1080=80.0,
                max_lines=self.spectate_lines,
                min_glyphs=4,
                min_density=0.35,
            )
        else:
            lines = find_text_lines(text, unit, max_lines=self.max_lines)
        self.gate_seconds += time.perf_counter() - t0
        if not lines:
            return None
        self.gated += 1
        marker, texts = self._read_lines(text, lines)
        if marker is None and not hud_visible:
            marker = self._nav_row(text, unit, lines, texts)
        if marker is None:
            return None
        if hud_visible:
            if marker.kind not in ("spectating", "end", "arenas"):
                return None  # a HUD is on screen: only these make sense mid-match
            if marker.kind == "end":  # the HUD verdict was wrong: read the whole screen
                full, _t = self._read_lines(text, find_text_lines(text, unit, max_lines=self.max_lines))
                marker = full if full is not None and full.kind == "end" else marker
        if marker.kind == "end" and marker.placement is None:
            n = self._find_hash_number(text, unit)
            if n is None and (marker.label or "").startswith("CHAMPIONS"):
                n = 1  # the champions banner is placement #1
            if n is not None:
                marker = Marker(
                    kind="end", text=f"{marker.text} #{n}", placement=n, of=None, label=marker.label
                )
        if marker.kind == "end" and self.read_summary:
            # the gate for the summary reader: an end screen was read on this very sample
            summary = self.end_reader.read(
                text, unit, era_2019=marker.of is not None, scope=scope, t=sample.vod_time
            )
            if summary is not None:
                marker = dataclasses.replace(
                    marker, own_kills=summary.own_kills, squad_kills=summary.squad_kills
                )
        return marker

    def _read_lines(self, text: np.ndarray, lines: list[LineBox]) -> tuple[Marker | None, list[str]]:
        """OCR lines best first; stop as soon as the marker is decided. The marker and the texts
        read (one per line in ``lines``' order, "" where OCR read nothing)."""
        texts: list[str] = []
        marker = None
        for b in lines:
            t = self._read_line(text, b)
            texts.append(t)
            if not t:
                continue
            marker = parse_marker(" ".join(texts))
            if marker is not None and (marker.kind != "end" or marker.placement is not None):
                break
        return marker, texts

    def _nav_row(
        self, text: np.ndarray, unit: float, lines: list[LineBox], texts: list[str]
    ) -> Marker | None:
        """The lobby where the lines read hold one of its nav words alone: its row searched again in
        fainter ink (:data:`FAINT_NAV`) and read -- the inactive tabs of a thin face are dim grey."""
        H = text.shape[0]
        for b, t in zip(lines, texts, strict=False):
            if not t or _nav_words(normalize(t)) != 1:
                continue
            band = (0.0, max(0.0, (b.y0 - b.h) / H), 1.0, min(1.0, (b.y1 + b.h) / H))
            row = [
                r
                for r in find_text_lines(text, unit, band=band, max_lines=self.max_lines + 2, **FAINT_NAV)
                if not (r.x0 < b.x1 and b.x0 < r.x1)  # not the nav word already read
            ]
            marker = parse_marker(" ".join([t, *(self._read_line(text, r) for r in row)]))
            if marker is not None and marker.kind == "lobby":
                return marker
        return None

    def _find_hash_number(self, text: np.ndarray, unit: float) -> int | None:
        """The big '#n' of the modern end screens (a short line: the line gate skips it)."""
        short = [
            b
            for b in find_text_lines(text, unit, min_h1080=26.0, max_lines=12, min_glyphs=1)
            if b.w <= 3.5 * b.h
        ]
        for b in sorted(short, key=lambda b: (b.x0, b.y0))[:4]:
            m = re.fullmatch(r"[#H]\s*([0-9OILZSBDQTG]{1,2})", normalize(self._read_line(text, b)))
            if m:
                n = _num(m.group(1))
                if n is not None and 1 <= n <= 60:
                    return n
        return None

    def read_batch(
        self,
        samples: Sequence[Sample],
        hud_visible: Sequence[bool] | None = None,
        scopes: Sequence[str] | None = None,
    ) -> list[Marker | None]:
        """:meth:`read` for each sample, in order (``scopes``: each sample's VOD)."""
        vis: Sequence[bool | None] = [None] * len(samples) if hud_visible is None else hud_visible
        sc: Sequence[str] = [""] * len(samples) if scopes is None else scopes
        return [self.read(s, v, c) for s, v, c in zip(samples, vis, sc, strict=True)]

    # -- internals -----------------------------------------------------------------------------
    def _read_line(self, text: np.ndarray, box: LineBox) -> str:
        scope, t = self._at
        return self._cache.read(_binarise_line(text, box), self.ocr.read_line, t=t, scope=scope)
