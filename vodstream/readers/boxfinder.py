"""The learned kill-box detector (models.net.FinderNet) as a proposer for vodstream.readers.hudlocate.

The layout rules (hudlocate.locate) find the kill box on the HUDs they were written for; on a
HUD drawn otherwise (another skull, font, box geometry; the squads line lost on a bright
sky) they may find nothing. The detector, trained on many random HUD styles
(models/finder.py), proposes where the kill digits are; hudlocate.find_kill_box tries it
only where the rules found no kill box and could not tell the slot empty, on crops where the
squads line or box shows an in-match HUD, and the kill reader
takes a number there only when both of its readers read the same one (or, beside a squads line
found, when its digit path is very sure and its score-box reader not fairly sure of another:
``KillReader(weak_alone=...)``).

Like vodstream.readers.cnn, the forward pass runs in numpy (the scorer never imports torch),
from the same weight file (models.weights.read_weights): six 3x3 convolutions (three of stride
2, then dilations 2, 4 and 8) with their batch norms folded in, a 1x1 head and the pooled
"none" logit -- the layer order of models.net.FinderNet.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from models.weights import FINDER_WEIGHTS, read_weights, second_opinion_file
from vodstream.readers.cnn import conv3x3, fold_conv_bn
from vodstream.readers.hudlocate import Assessment, Proposal

if TYPE_CHECKING:
    from models.net import FinderNet

__all__ = ["DETECT_MIN_PROB", "FINDER_STRIDE", "LOOSE_MASS", "KillBoxDetector", "finder_boxes"]

DETECT_MIN_PROB = 0.5  # the detector's probability a proposal needs
FINDER_STRIDE = 8  # models.net.FinderNet.STRIDE
LOG_SIZE = 3.0  # models.net.FinderNet.LOG_SIZE: the log-size outputs squashed into +-LOG_SIZE
# (index in FinderNet.body, stride, dilation) of each convolution; its batch norm follows it
_CONVS = ((0, 2, 1), (3, 2, 1), (6, 2, 1), (9, 1, 2), (12, 1, 4), (15, 1, 8))


Box = Proposal  # (probability, (x0, y0, x1, y1)): hudlocate owns the type


def _cell_probabilities(out: np.ndarray, none: np.ndarray) -> np.ndarray:
    """(N, H*W + 1): the softmax over every cell's "the kill count is here" and "no kill count here"
    (the last column)."""
    n, _c, gh, gw = out.shape
    logits = np.concatenate([out[:, 0].reshape(n, gh * gw), none.reshape(n, 1)], 1).astype(np.float64)
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(1, keepdims=True)
    return p


def finder_boxes(out: np.ndarray, none: np.ndarray) -> list[Box | None]:
    """Per image of a forward pass (map (N, 5, H, W), none logit (N,)): (probability, (x0, y0, x1,
    y1) in input px) of the most likely cell's box; None where "no kill count here" wins."""
    return _pick_boxes(out, _cell_probabilities(out, none))


SPREAD_REACH = 1  # _likeliest: the cells this many steps around the likeliest one share its proposal
# the loose proposal (hudlocate.Assessment.loose): the likeliest cell and its neighbours at least this
# probable. Chosen on the nine per-sample caches (validation, training, selection, today's look):
# with no floor, where find_kill_box asks for it, the counts read right had 0.28-0.44 (five; two
# more 0.007 and 0.025), the other numbers read as kills -- a hidden box's slot, a covered box's
# squads count (four samples) -- 0.009 or less. At 0.15: +5 validation, 0 lost, 0 wrong
LOOSE_MASS = 0.15


def _likeliest(out: np.ndarray, p: np.ndarray) -> tuple[float, float, tuple[float, float, float, float]]:
    """Image 0's likeliest cell: its own probability, the probability of it and the cells
    ``SPREAD_REACH`` around it (a count whose probability spreads over neighbouring cells: a style
    the detector was not trained on), and its box."""
    _n, _c, gh, gw = out.shape
    cells = p[0, :-1].reshape(gh, gw)
    gy, gx = divmod(int(cells.argmax()), gw)
    r = SPREAD_REACH
    mass = float(cells[max(0, gy - r) : gy + r + 1, max(0, gx - r) : gx + r + 1].sum())
    return float(cells[gy, gx]), mass, _cell_box(out[0], gy, gx)


def _spread(
    likeliest: tuple[float, float, tuple[float, float, float, float]], p_none: float, min_prob: float
) -> Box | None:
    """The proposal where "no kill count here" (``p_none``) won no majority (under 0.5) but beat
    every single cell: the count's probability spread over neighbouring cells. The likeliest
    cell's box (:func:`_likeliest`) with their summed probability; None under ``min_prob``."""
    _cell, mass, box = likeliest
    if p_none >= 0.5 or mass < min_prob:
        return None
    return mass, box


def _pick_boxes(out: np.ndarray, p: np.ndarray) -> list[Box | None]:
    """:func:`finder_boxes` from the cell probabilities ``p`` (:func:`_cell_probabilities`)."""
    n, _c, gh, gw = out.shape
    res: list[Box | None] = []
    for i in range(n):
        k = int(p[i].argmax())
        if k == gh * gw:
            res.append(None)
            continue
        gy, gx = divmod(k, gw)
        res.append((float(p[i, k]), _cell_box(out[i], gy, gx)))
    return res


def _cell_box(out: np.ndarray, gy: int, gx: int) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1, input px) cell (gy, gx) of one image's map ``out`` (5, H, W) gives."""
    s = FINDER_STRIDE
    ox, oy, lw, lh = (float(v) for v in out[1:, gy, gx])
    cx = (gx + 1.0 / (1.0 + math.exp(-ox))) * s
    cy = (gy + 1.0 / (1.0 + math.exp(-oy))) * s
    bw = math.exp(LOG_SIZE * math.tanh(lw / LOG_SIZE)) * s
    bh = math.exp(LOG_SIZE * math.tanh(lh / LOG_SIZE)) * s
    return (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)


class KillBoxDetector:
    """``propose(img)``: (probability, box in ``img`` px) of the kill digits, or None."""

    def __init__(
        self,
        state: dict[str, np.ndarray],
        *,
        min_prob: float = DETECT_MIN_PROB,
        meta: Any = None,
        second: KillBoxDetector | None = None,
    ) -> None:
        self.min_prob = float(min_prob)
        self.meta = meta if meta is not None else {}
        self.second = second
        self._convs: list[tuple[np.ndarray, np.ndarray, int, int]] = []
        for i, stride, dil in _CONVS:
            w, b = fold_conv_bn(state, f"body.{i}", f"body.{i + 1}")
            self._convs.append((w, b, stride, dil))
        hw = np.asarray(state["head.weight"], np.float32)
        self._head = (
            np.ascontiguousarray(hw.reshape(hw.shape[0], -1).T),
            np.asarray(state["head.bias"], np.float32),
        )
        self._none = (
            np.ascontiguousarray(np.asarray(state["none.weight"], np.float32).T),
            np.asarray(state["none.bias"], np.float32),
        )

    @classmethod
    def from_file(cls, path: Path | str, **kw: Any) -> KillBoxDetector:
        """The detector in ``path``, with the second-opinion detector its meta names
        (:func:`models.weights.second_opinion_file`) unless ``second`` is given (None: none)."""
        blob = read_weights(path)
        if dict(blob["arch"]).get("kind") != "finder":
            raise ValueError(f"{path} holds no kill-box detector")
        second = second_opinion_file(path, blob["meta"])
        if second is not None and "second" not in kw:
            kw["second"] = cls.from_file(second, second=None)
        return cls(blob["state"], meta=blob["meta"], **kw)

    @classmethod
    def shipped(cls, **kw: Any) -> KillBoxDetector | None:
        """The shipped models/finder.pt; None when it is absent."""
        return cls.from_file(FINDER_WEIGHTS, **kw) if FINDER_WEIGHTS.is_file() else None

    @classmethod
    def from_module(cls, model: FinderNet, **kw: Any) -> KillBoxDetector:
        """A torch :class:`models.net.FinderNet`'s weights, run in numpy."""
        state = {
            k: v.detach().cpu().float().numpy()
            for k, v in model.state_dict().items()
            if v.is_floating_point()
        }
        return cls(state, meta=getattr(model, "meta", {}), **kw)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(map (N, 5, H/8, W/8), none logit (N,)) from x (N, 3, H, W) float32 (FinderNet's input)."""
        h = np.ascontiguousarray(np.asarray(x, np.float32).transpose(0, 2, 3, 1))
        for w, b, stride, dil in self._convs:
            h = conv3x3(h, w, b, pad=dil, stride=stride, dil=dil)
            np.maximum(h, 0, out=h)
        n, gh, gw, c = h.shape
        out = (h.reshape(-1, c) @ self._head[0] + self._head[1]).reshape(n, gh, gw, -1).transpose(0, 3, 1, 2)
        none = (h.max(axis=(1, 2)) @ self._none[0] + self._none[1]).reshape(n)
        return np.ascontiguousarray(out), none

    def propose(self, img: np.ndarray) -> Box | None:
        """img: hudlocate.finder_image of a crop (RGB uint8, 120 px high)."""
        return self.assess(img).box

    def second_opinion(self, img: np.ndarray) -> Box | None:
        """The second detector's proposal where its likeliest cell beat "none" on its own
        (:attr:`Assessment.plain`); None without a second detector."""
        return None if self.second is None else self.second.assess(img).plain

    def assess(self, img: np.ndarray) -> Assessment:
        """One forward pass (:class:`~vodstream.readers.hudlocate.Assessment`). The proposal is the
        likeliest cell's box where that cell beats "none" at ``min_prob`` or more (``plain``) --
        or, where "none" has no majority, where the likeliest cell and its neighbours together
        reach ``min_prob`` (:func:`_spread`: chosen on the validation family, 6 more samples
        read, none fewer, no number wrong and no empty-slot verdict changed on the choice sets;
        find_kill_box lets no such proposal dispute a faint look's box: one had dropped a faint
        "2"). ``loose``: the likeliest cell and its neighbours at ``LOOSE_MASS`` or more."""
        if img.ndim != 3 or img.shape[2] != 3 or img.shape[1] < FINDER_STRIDE:
            return Assessment(None, 0.0, None)
        x = img.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0) - np.float32(0.5)
        out, none = self.forward(x)
        p = _cell_probabilities(out, none)
        p_none = float(p[0, -1])
        likeliest = cell, mass, box = _likeliest(out, p)
        # the likeliest cell beat "none" (the argmax over both, as finder_boxes takes it)
        plain = (cell, box) if cell >= p_none and cell >= self.min_prob else None
        return Assessment(
            plain if plain is not None else _spread(likeliest, p_none, self.min_prob),
            p_none,
            plain,
            (mass, box) if mass >= LOOSE_MASS else None,
        )
