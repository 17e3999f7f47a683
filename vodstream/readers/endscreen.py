"""The second witness for kills: the end-of-match squad summary.

The SUMMARY tab of the end screen shows one card per squad member with its Kills, and the
squad's TOTAL KILLS WITH SQUAD beside the placement. :class:`EndScreenReader` reads, from the
marker text region of a sample (the top 45 % of the frame as luma, see vodstream.readers.regions):

* ``squad_kills``: the squad total (it bounds the player's own kills);
* ``own_kills``: the Kills on the player's own card, only where that card can be told, and
  not when the cards and the squad total contradict each other (a card above the total, or
  all cards read and their sum not the total: a digit misread somewhere, as tesseract reads
  some faces' 1 as 7). Reading the teammates' cards for that check costs a few OCR calls on
  end-screen samples only.

Which card is the player's (the rule and its evidence are in vodstream.readers.regions, shared with the
renderer): trios -> the centre card, duos -> the right card. The layout is told apart
by where the Kills values sit (trio cards start at x = 110 / 710 / 1310 at 1080p, duo cards at
395 / 995; the two sets of value columns do not overlap). Where the layout cannot be told
(values found in both sets, or none), and on the 2019 "PLACED #n OF k" screen (whose cards lie
below the text region, and whose own card is not established), only the squad total is given.

Cost: the reader is only asked about samples on which an end screen was already read (see
:class:`vodstream.readers.markers.MarkerReader`), and it first looks, without OCR, for a number-sized
bright glyph group at each place a value can be; OCR (digits only, tesseract through
vodstream.readers.ocr) runs on the groups found. Thresholds were chosen on synthetic renders only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from vodstream.readers.ocr import OcrEngine, ReadCache, make_ocr
from vodstream.readers.regions import (
    CARD_VALUE_DX,
    DUO_CARD_X,
    KILLS_BASELINE,
    KILLS_CAP,
    SQUAD_TOTAL_BASELINE,
    SQUAD_TOTAL_CAP,
    SQUAD_TOTAL_RIGHT,
    TRIO_CARD_X,
    own_card_index,
)
from vodstream.settings import DEFAULT_OCR_REUSE_S

__all__ = ["EndScreenReader", "EndScreenReading", "Layout"]

Layout = Literal["trios", "duos", "2019", "unknown"]

DIGITS = "0123456789"
_WORK_CAP = 40.0  # digit height (px) the crops are scaled to before finding the glyphs
_OCR_HEIGHTS = (26, 20, 32)  # digit heights (px) handed to tesseract, in this order
_THIN = np.ones((2, 2), np.uint8)
_DIGIT_CACHE_SIZE = 256  # binarised digit crops whose OCR answer is kept (EndScreenReader._read_digits)
# Card values smaller than this (digit height in text-region px) are not read: at 480p (6 px)
# synthetic 0s and 1s came out as 7s; the squad total (1.5x bigger) still is. Chosen on
# synthetic renders (benchmarks/endscreen_eval.py --seed 7).
MIN_CARD_DIGIT_PX = 7.5
_MAX_CARD_KILLS = 60  # one player's kills in a BR match (the record is in the 30s)
_MAX_SQUAD_KILLS = 99
# "25 SQUAD KILLS": digits only (no letter-to-digit fixes: a misread number must not pass)
_SQUAD_KILLS_2019 = re.compile(r"(?<![0-9A-Z])([0-9]{1,2})\s*SQUAD\s*K")


@dataclass(frozen=True)
class EndScreenReading:
    """What one summary frame says. ``cards``: kills per card, left to right (None: unread;
    the teammates' cards are only read with ``EndScreenReader(all_cards=True)``)."""

    layout: Layout
    squad_kills: int | None = None
    own_kills: int | None = None
    cards: tuple[int | None, ...] = ()

    @property
    def consistent(self) -> bool | None:
        """True when every card and the total were read and the cards add up to the total;
        False when they contradict it (a card above the total, or a full sum that differs)."""
        if self.squad_kills is None or not self.cards:
            return None
        known = [c for c in self.cards if c is not None]
        if any(c > self.squad_kills for c in known) or sum(known) > self.squad_kills:
            return False
        if len(known) == len(self.cards):
            return sum(known) == self.squad_kills
        return None


@dataclass(frozen=True)
class _Group:
    """A run of digit-sized glyphs in a working crop (crop pixels)."""

    x0: int
    y0: int
    x1: int
    y1: int
    n: int
    glyphs: tuple[tuple[int, int], ...] = ()  # (x0, x1) of each glyph, left to right


class EndScreenReader:
    """Text region of an end-screen sample -> :class:`EndScreenReading` (or None).

    ``digits``: OCR engine for the numbers (default: tesserocr restricted to 0-9);
    ``letters``: engine for the 2019 "25 SQUAD KILLS" line (default: the marker alphabet).
    Counters: ``frames`` (asked), ``ocr_calls`` (both engines).
    """

    def __init__(
        self,
        digits: OcrEngine | None = None,
        letters: OcrEngine | None = None,
        *,
        all_cards: bool = False,
        ocr_reuse_s: float | None = DEFAULT_OCR_REUSE_S,
    ) -> None:
        self._digits = digits
        self._letters = letters
        self.all_cards = all_cards  # also OCR the teammates' cards (benchmarks; costs OCR calls)
        self.frames = 0
        # the digits engine's answers by exact image content (a summary shown on several samples
        # often binarises to the very same crops): deterministic, so only repeated calls are saved;
        # reused only near the VOD time (and in the VOD) where it was read (see ReadCache)
        self._digit_cache = ReadCache(_DIGIT_CACHE_SIZE, reuse_s=ocr_reuse_s)
        self._at: tuple[str, float] = ("", 0.0)  # (scope, VOD time) of the screen being read

    @property
    def digits(self) -> OcrEngine:
        if self._digits is None:
            self._digits = make_ocr(whitelist=DIGITS)
        return self._digits

    @property
    def letters(self) -> OcrEngine:
        if self._letters is None:
            self._letters = make_ocr()
        return self._letters

    def engines(self) -> list[OcrEngine]:
        """The OCR engines opened so far."""
        return [e for e in (self._digits, self._letters) if e is not None]

    @property
    def ocr_calls(self) -> int:
        return sum(e.calls for e in self.engines())

    # -- public API ---------------------------------------------------------------------------

    def read(
        self, text: np.ndarray, unit: float, *, era_2019: bool = False, scope: str = "", t: float = 0.0
    ) -> EndScreenReading | None:
        """Read the summary from ``text`` (luma of the top of the frame, full width) where
        ``unit`` = text pixels per 1080p reference pixel. ``era_2019``: the end screen read was
        the 2019 "PLACED #n OF k" one. ``scope``, ``t``: the VOD and VOD time of the screen (the
        digit cache reuses an answer only near it). None: no summary numbers found."""
        self.frames += 1
        self._at = (scope, t)
        if text.ndim == 3:
            text = cv2.cvtColor(text, cv2.COLOR_RGB2GRAY)
        if unit <= 0 or text.shape[0] < 8 or text.shape[1] < 16:
            return None
        if not era_2019:
            out = self._read_modern(text, unit)
            if out is not None:
                return out
        n = self._read_2019_total(text, unit)
        return EndScreenReading(layout="2019", squad_kills=n) if n is not None else None

    # -- the modern (2019-20 onwards) SUMMARY tab ----------------------------------------------

    def _read_modern(self, text: np.ndarray, unit: float) -> EndScreenReading | None:
        total_crop = self._crop(
            text,
            unit,
            SQUAD_TOTAL_RIGHT - 190,
            SQUAD_TOTAL_BASELINE - 1.6 * SQUAD_TOTAL_CAP,
            SQUAD_TOTAL_RIGHT + 40,
            SQUAD_TOTAL_BASELINE + 0.4 * SQUAD_TOTAL_CAP,
            SQUAD_TOTAL_CAP,
        )
        total_group = None
        if total_crop is not None:
            img, f = total_crop
            right = 190 * f  # where SQUAD_TOTAL_RIGHT falls in the crop
            cands = [g for g in _digit_groups(img) if abs(g.x1 - right) <= 0.75 * _WORK_CAP]
            total_group = max(cands, key=lambda g: g.x1) if cands else None
        cards_legible = KILLS_CAP * unit >= MIN_CARD_DIGIT_PX
        trio = [self._card_group(text, unit, x) if cards_legible else None for x in TRIO_CARD_X]
        duo = [self._card_group(text, unit, x) if cards_legible else None for x in DUO_CARD_X]
        n_trio = sum(g is not None for g in trio)
        n_duo = sum(g is not None for g in duo)
        if total_group is None and n_trio == 0 and n_duo == 0:
            return None  # the gate: nothing number-like where the summary shows numbers
        squad = None
        if total_group is not None and total_crop is not None:
            squad = self._ocr_number(total_crop[0], total_group, _MAX_SQUAD_KILLS)
        layout: Layout
        if n_duo == 0 and n_trio > 0:
            layout, groups = "trios", trio
        elif n_trio == 0 and n_duo == 2:
            layout, groups = "duos", duo
        else:
            layout, groups = "unknown", []
        own_i = own_card_index(len(groups)) if groups else -1
        cards = [
            self._ocr_number(g[0], g[1], _MAX_CARD_KILLS)
            if g is not None and (i == own_i or self.all_cards)
            else None
            for i, g in enumerate(groups)
        ]
        own = cards[own_i] if cards else None
        if own is not None and squad is not None and not self.all_cards:
            # the cross-check below needs the teammates' cards too
            cards = [
                c if i == own_i or g is None else self._ocr_number(g[0], g[1], _MAX_CARD_KILLS)
                for i, (c, g) in enumerate(zip(cards, groups, strict=True))
            ]
        if squad is None and not any(c is not None for c in cards):
            return None
        reading = EndScreenReading(layout=layout, squad_kills=squad, own_kills=own, cards=tuple(cards))
        if own is not None and reading.consistent is False:
            # The cards do not add up to the squad total (or one exceeds it): a digit misread
            # somewhere (a face's 1 read as 7). The own card is not given; the total stays.
            reading = EndScreenReading(layout=layout, squad_kills=squad, own_kills=None, cards=tuple(cards))
        return reading

    def _card_group(self, text: np.ndarray, unit: float, card_x: float) -> tuple[np.ndarray, _Group] | None:
        """The Kills value of the card starting at ``card_x``: a one- or two-digit glyph group
        whose left edge is at the value column, with the card's rule right under it (no OCR)."""
        vx = card_x + CARD_VALUE_DX
        crop = self._crop(
            text,
            unit,
            vx - 30,
            KILLS_BASELINE - 2.0 * KILLS_CAP,
            vx + 110,
            KILLS_BASELINE + 0.9 * KILLS_CAP,
            KILLS_CAP,
        )
        if crop is None:
            return None
        img, f = crop
        fg = _binarise(img)
        rules = _rules(img)
        left = 30 * f  # where the value's left edge should fall in the crop
        cands = [
            g
            for g in _digit_groups(img, cv2.subtract(fg, rules))
            if -0.45 * _WORK_CAP <= g.x0 - left <= 0.6 * _WORK_CAP
        ]
        good = []
        for g in cands:
            below = rules[g.y1 : min(rules.shape[0], g.y1 + round(0.8 * _WORK_CAP)), max(0, g.x0 - 8) :]
            if below.size and int((below > 0).sum(axis=1).max()) >= 2.0 * _WORK_CAP:
                good.append(g)
        if not good:
            return None
        return img, min(good, key=lambda g: abs(g.x0 - left))

    @staticmethod
    def _crop(
        text: np.ndarray, unit: float, x0: float, y0: float, x1: float, y1: float, cap: float
    ) -> tuple[np.ndarray, float] | None:
        """The reference box (1080p px, x centred, y from the top) cut from ``text`` and scaled so
        that a glyph of height ``cap`` is ``_WORK_CAP`` px; and the scale (crop px per ref px)."""
        H, W = text.shape[:2]
        cx = W / 2.0
        px0, px1 = round(cx + (x0 - 960.0) * unit), round(cx + (x1 - 960.0) * unit)
        py0, py1 = round(y0 * unit), round(y1 * unit)
        px0, py0, px1, py1 = max(0, px0), max(0, py0), min(W, px1), min(H, py1)
        if px1 - px0 < 4 or py1 - py0 < 4:
            return None
        f = _WORK_CAP / (cap * unit)  # crop px per text px
        crop = text[py0:py1, px0:px1]
        out = cv2.resize(
            crop,
            (max(8, round(crop.shape[1] * f)), max(8, round(crop.shape[0] * f))),
            interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA,
        )
        return out, f * unit

    def _ocr_number(self, img: np.ndarray, g: _Group, max_value: int) -> int | None:
        """OCR the group (dark digits on white) at a few glyph heights; a number is kept when
        its digit count matches the glyphs found and the non-empty answers agree (tesseract
        often returns nothing for a lone digit: an abstention, not a vote). A two-glyph group
        that gives nothing (e.g. "11") is read glyph by glyph."""
        v = self._ocr_box(img, g, g.x0, g.x1, g.n, max_value)
        if v is None and g.n == 2 and len(g.glyphs) == 2:
            a = self._ocr_box(img, g, g.glyphs[0][0], g.glyphs[0][1], 1, 9)
            b = self._ocr_box(img, g, g.glyphs[1][0], g.glyphs[1][1], 1, 9) if a is not None else None
            if a is not None and b is not None and 10 * a + b <= max_value:
                v = 10 * a + b
        return v

    def _ocr_box(self, img: np.ndarray, g: _Group, x0: int, x1: int, n: int, max_value: int) -> int | None:
        m = round(0.25 * _WORK_CAP)
        H, W = img.shape[:2]
        crop = img[max(0, g.y0 - m) : min(H, g.y1 + m), max(0, x0 - m) : min(W, x1 + m)]
        fg = _binarise(crop)
        if n == 1 and len(g.glyphs) > 1:  # one glyph of a pair: blank out its neighbour's edges
            fg[:, : max(0, x0 - max(0, x0 - m) - 1)] = 0
            fg[:, x1 - max(0, x0 - m) + 1 :] = 0
        votes: list[int] = []
        for h in _OCR_HEIGHTS:
            f = h / _WORK_CAP
            small = cv2.resize(
                fg,
                (max(4, round(fg.shape[1] * f)), max(4, round(fg.shape[0] * f))),
                interpolation=cv2.INTER_AREA,
            )
            bw: np.ndarray = np.where(small >= 128, 0, 255).astype(np.uint8)
            bw = cv2.dilate(bw, _THIN)  # thinner dark strokes: fewer empty answers
            bw = cv2.copyMakeBorder(bw, 12, 12, 16, 16, cv2.BORDER_CONSTANT, value=255)
            raw = self._read_digits(bw)
            if raw == "1" and x1 - x0 > 0.65 * _WORK_CAP:
                continue  # a lone 1 is narrow: this is "11" (or another pair) run together
            if raw.isdigit() and len(raw) == n and int(raw) <= max_value:
                votes.append(int(raw))
                if votes.count(votes[-1]) >= 2:
                    break
        if not votes:
            return None
        best = max(set(votes), key=votes.count)
        return best if votes.count(best) * 2 > len(votes) else None

    def _read_digits(self, bw: np.ndarray) -> str:
        scope, t = self._at
        return self._digit_cache.read(
            bw, lambda img: self.digits.read_line(img).replace(" ", ""), t=t, scope=scope
        )

    @property
    def cache_hits(self) -> int:
        """OCR calls saved by the digit cache."""
        return self._digit_cache.hits

    # -- the 2019 "PLACED #n OF k  /  25 SQUAD KILLS" screen ------------------------------------

    def _read_2019_total(self, text: np.ndarray, unit: float) -> int | None:
        from vodstream.readers.markers import LineBox, _binarise_line, find_text_lines, normalize

        H, W = text.shape[:2]
        band = (
            (W / 2 + (980 - 960) * unit) / W,
            110 * unit / H,
            (W / 2 + (1560 - 960) * unit) / W,
            min(1.0, 180 * unit / H),
        )
        for b in find_text_lines(
            text, unit, min_h1080=12.0, max_h1080=40.0, band=band, max_lines=3, min_glyphs=3
        ):
            # widen to the band: the gold number may have been left out of the line
            x0 = max(0, round(W / 2 + (980 - 960) * unit))
            box = LineBox(min(b.x0, x0), b.y0, b.x1, b.y1, b.glyphs, b.score)
            t = normalize(self.letters.read_line(_binarise_line(text, box)))
            m = _SQUAD_KILLS_2019.search(t)
            if m and int(m.group(1)) <= _MAX_SQUAD_KILLS:
                return int(m.group(1))
        return None


def _binarise(img: np.ndarray) -> np.ndarray:
    """Bright glyphs -> 255 on 0: white top-hat (text brighter than its surroundings), Otsu."""
    k = int(_WORK_CAP * 1.2) | 1
    th = cv2.morphologyEx(img, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    t, _ = cv2.threshold(th, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _, fg = cv2.threshold(th, max(30.0, 0.8 * t), 255, cv2.THRESH_BINARY)
    return fg


def _rules(img: np.ndarray) -> np.ndarray:
    """Thin bright horizontal rules (the lines under the card values): a vertical top-hat
    (brighter than just above and below, whatever the background does sideways) that runs
    on for at least 1.5 digit heights."""
    k = max(3, int(_WORK_CAP * 0.3) | 1)
    th = cv2.morphologyEx(img, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    mask = (th >= 15).astype(np.uint8) * 255
    return cv2.morphologyEx(
        mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (int(_WORK_CAP * 1.5), 1))
    )


def _digit_groups(img: np.ndarray, fg: np.ndarray | None = None) -> list[_Group]:
    """Runs of glyphs of digit height (``_WORK_CAP`` -25 % .. +40 %) on one baseline, letter-gap apart."""
    if fg is None:
        fg = _binarise(img)
    n, _lab, st, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if n <= 1:
        return []
    x, y, w, h, a = (st[1:, i] for i in range(5))
    ok = (h >= 0.75 * _WORK_CAP) & (h <= 1.4 * _WORK_CAP) & (w >= 0.12 * _WORK_CAP) & (w <= 1.1 * _WORK_CAP)
    ok &= (a >= 0.12 * w * h) & (a <= 0.85 * w * h)
    idx: list[int] = sorted(np.flatnonzero(ok).tolist(), key=lambda i: x[i])
    groups: list[list[int]] = []
    for i in idx:
        for grp in groups:  # continue a group whose last glyph ends just left of this one
            j = grp[-1]
            gap = x[i] - (x[j] + w[j])
            if -2 <= gap <= 0.5 * _WORK_CAP and abs((y[i] + h[i]) - (y[j] + h[j])) <= 0.2 * _WORK_CAP:
                grp.append(i)
                break
        else:
            groups.append([i])
    out = []
    for g in groups:
        if len(g) > 2:
            continue  # kill counts have one or two digits
        gx0 = min(int(x[i]) for i in g)
        gx1 = max(int(x[i] + w[i]) for i in g)
        gy0 = min(int(y[i]) for i in g)
        gy1 = max(int(y[i] + h[i]) for i in g)
        out.append(_Group(gx0, gy0, gx1, gy1, len(g), tuple((int(x[i]), int(x[i] + w[i])) for i in g)))
    return out
