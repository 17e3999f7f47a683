"""Read the Apex kill counter (top-right HUD) from decoded samples.

Per sample: is the in-match HUD there (the squads-left box)? Is the kill box there (the
skull)? Then the digits (vodstream.digits, the 2019 method made resolution independent)
go through the digit CNN in one batch for the whole call. A reading is ``None`` -- never a
guess -- when the box is hidden (modern HUD before the first kill), covered (inventory),
off screen, or when any digit is uncertain (softmax below ``min_confidence``).

The 2019 write-up averaged each frame with its neighbours (3 s apart) before looking for
the skull. Samples here are 2 s keyframes; averaging is available (``temporal=True``) but
off by default -- see benchmarks/kill_accuracy.py for the measurement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import structlog
import torch

from vodstream.digits import Extraction, digits_from_box, find_skull, normalize_hud, squads_box_visible
from vodstream.types import Sample

__all__ = ["KillReader", "KillReading"]

log = structlog.get_logger(__name__)

MAX_DIGITS = 2          # kills 0-99
NOT_A_DIGIT = 10        # the optional 11th class


@dataclass(frozen=True)
class KillReading:
    """What the reader made of one sample's HUD."""

    kills: int | None       # None: hidden, covered, unreadable or uncertain -- never a guess
    red: bool               # the counter is red (just changed)
    hud_visible: bool       # the in-match HUD (squads-left box) is visible
    confidence: float       # product of the digits' softmax maxima (0 when kills is None)
    reason: str             # "ok", or why kills is None


class KillReader:
    """HUD crops -> kill counts, batched.

    ``model``: a :class:`models.net.DigitNet`; default: the shipped ``models/digits.pt``.
    """

    def __init__(self, model: torch.nn.Module | None = None, device: str = "cpu", *,
                 min_confidence: float = 0.97, temporal: bool = False) -> None:
        from models.net import load_model

        self.device = device
        self.model = (model if model is not None else load_model(device=device)).to(device).eval()
        self.min_confidence = float(min_confidence)
        self.temporal = temporal

    # -- public API ---------------------------------------------------------------------------
    def read_batch(self, samples: Sequence[Sample]) -> list[KillReading]:
        """One reading per sample, in order."""
        return self.read_huds([s.hud for s in samples])

    def read_huds(self, huds: Sequence[np.ndarray]) -> list[KillReading]:
        """Like :meth:`read_batch`, from bare top-right HUD crops (RGB uint8, any size)."""
        refs = [normalize_hud(h) for h in huds]
        if self.temporal and len(refs) >= 3:
            refs = _temporal_mean(refs)
        visible = [squads_box_visible(r) for r in refs]
        extractions: list[Extraction | None] = []
        for ref in refs:
            skull = find_skull(ref)
            extractions.append(digits_from_box(ref, skull) if skull is not None else None)
        crops = [e.digits for e in extractions if e is not None and e.ok]
        probs = self._classify(np.concatenate(crops) if crops else None)
        out: list[KillReading] = []
        k = 0
        for vis, ex in zip(visible, extractions, strict=True):
            if ex is None:
                out.append(KillReading(None, False, vis, 0.0, "no_kill_box"))
                continue
            red = ex.skull is not None and ex.skull.red
            if not ex.ok:
                out.append(KillReading(None, red, vis, 0.0, ex.reason))
                continue
            n = len(ex.digits)
            p = probs[k:k + n]
            k += n
            out.append(self._decide(p, red, vis))
        return out

    # -- internals ----------------------------------------------------------------------------
    def _classify(self, crops: np.ndarray | None) -> np.ndarray:
        if crops is None or len(crops) == 0:
            return np.zeros((0, getattr(self.model, "n_classes", 10)), np.float32)
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(crops, np.float32)).unsqueeze(1).to(self.device)
            return torch.softmax(self.model(x), dim=1).cpu().numpy()

    def _decide(self, p: np.ndarray, red: bool, vis: bool) -> KillReading:
        if len(p) > MAX_DIGITS:
            return KillReading(None, red, vis, 0.0, "too_many_digits")
        labels = p.argmax(1)
        conf = float(np.prod(p.max(1)))
        if (labels == NOT_A_DIGIT).any():
            return KillReading(None, red, vis, 0.0, "not_a_digit")
        if float(p.max(1).min()) < self.min_confidence:
            return KillReading(None, red, vis, conf, "low_confidence")
        if len(labels) > 1 and labels[0] == 0:
            return KillReading(None, red, vis, conf, "leading_zero")
        kills = int("".join(str(int(d)) for d in labels))
        return KillReading(kills, red, vis, conf, "ok")


def _temporal_mean(refs: list[np.ndarray]) -> list[np.ndarray]:
    """Mean of each reference-scale crop with its neighbours (the 2019 write-up's denoising)."""
    stack = np.stack(refs).astype(np.float32)
    out = []
    for i in range(len(refs)):
        lo, hi = max(0, i - 1), min(len(refs), i + 2)
        out.append(stack[lo:hi].mean(0).astype(np.uint8))
    return out
