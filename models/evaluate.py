"""Evaluate the digit CNN on held-out synthetic digits (scikit-learn report + confusion matrix).

The held-out set is rendered from the "test" split: scene seeds and render seeds in
[10**6, 2*10**6), never drawn by the training split, through the same extraction code the
reader uses (models/data.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.metrics import classification_report, confusion_matrix

from models.net import DigitNet, predict

__all__ = ["ANALYSED_MIN_HEIGHT", "BoxEvalResult", "EvalResult", "evaluate", "evaluate_box"]

# vodstream analyses the 720p rendition by default (or the source); the held-out figures are
# also given for frames at least this tall (480p/576p streams are reported on their own).
ANALYSED_MIN_HEIGHT = 720


@dataclass
class EvalResult:
    n: int
    accuracy: float
    errors: int
    report: str
    confusion: np.ndarray
    low_confidence: int  # digits whose softmax max is below the reader's threshold
    wrong_confident: int  # wrong AND above the threshold (what the reader would accept)
    by_height: dict[int, tuple[int, int]] = field(default_factory=dict)  # frame height -> (right, n)
    not_digit: dict[str, int] = field(default_factory=dict)  # 11th class: caught / n, digits refused

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "errors": self.errors,
            "confusion": self.confusion.tolist(),
            "low_confidence": self.low_confidence,
            "wrong_confident": self.wrong_confident,
            "by_height": {str(k): {"right": r, "n": n} for k, (r, n) in self.by_height.items()},
            "not_a_digit": self.not_digit,
        }

    def height_table(self) -> str:
        return _height_table(self.by_height, "digits")

    def accuracy_from(self, min_height: int = ANALYSED_MIN_HEIGHT) -> tuple[float, int, int]:
        """(accuracy, right, n) over frames at least ``min_height`` tall."""
        return _accuracy_from(self.by_height, min_height)


def _height_table(by_height: dict[int, tuple[int, int]], unit: str) -> str:
    rows = [f"{'frame height':>12} {unit:>7} {'accuracy':>9}"]
    for hgt, (r, n) in sorted(by_height.items()):
        rows.append(f"{hgt:>12} {n:>7} {100.0 * r / n:>8.3f}%")
    return "\n".join(rows)


def _accuracy_from(by_height: dict[int, tuple[int, int]], min_height: int) -> tuple[float, int, int]:
    right = sum(r for h, (r, _) in by_height.items() if h >= min_height)
    n = sum(k for h, (_, k) in by_height.items() if h >= min_height)
    return (right / n if n else 0.0), right, n


def _by_height(ok: np.ndarray, heights: np.ndarray | None) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    if heights is not None and len(heights) == len(ok):
        for hgt in np.unique(heights):
            sel = heights == hgt
            out[int(hgt)] = (int(ok[sel].sum()), int(sel.sum()))
    return out


def evaluate(
    model: DigitNet,
    x: np.ndarray,
    y: np.ndarray,
    *,
    min_confidence: float = 0.97,
    heights: np.ndarray | None = None,
) -> EvalResult:
    pred, probs = predict(model, x)
    nd = y == 10  # "not a single digit" examples (11-class sets)
    not_digit = {
        "examples": int(nd.sum()),
        "caught": int((pred[nd] == 10).sum()),
        "digits_called_not_digit": int((pred[~nd] == 10).sum()),
    }
    x, y, pred, probs = x[~nd], y[~nd], pred[~nd], probs[~nd]
    if heights is not None and len(heights) == len(nd):
        heights = heights[~nd]
    labels = list(range(10))
    names = [str(d) for d in labels]
    report = classification_report(y, pred, labels=labels, target_names=names, digits=5, zero_division=0)
    cm = confusion_matrix(y, pred, labels=list(range(model.n_classes)))[:10]
    conf = probs.max(1) if len(probs) else np.zeros(0)
    wrong = pred != y
    by_height = _by_height(~wrong, heights)
    return EvalResult(
        n=len(y),
        accuracy=float((~wrong).mean()) if len(y) else 0.0,
        errors=int(wrong.sum()),
        report=report,
        confusion=cm,
        low_confidence=int((conf < min_confidence).sum()),
        wrong_confident=int((wrong & (conf >= min_confidence)).sum()),
        by_height=by_height,
        not_digit=not_digit,
    )


@dataclass
class BoxEvalResult:
    """The score-box reader on held-out windows: whole numbers right, and what it would accept."""

    n: int
    accuracy: float  # both slots right (the whole number)
    accepted: int  # confidence >= min_confidence (what the reader takes from it)
    wrong_accepted: int  # accepted AND wrong
    min_confidence: float
    by_height: dict[int, tuple[int, int]] = field(default_factory=dict)

    def height_table(self) -> str:
        return _height_table(self.by_height, "numbers")

    def accuracy_from(self, min_height: int = ANALYSED_MIN_HEIGHT) -> tuple[float, int, int]:
        return _accuracy_from(self.by_height, min_height)

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "accepted": self.accepted,
            "wrong_accepted": self.wrong_accepted,
            "min_confidence": self.min_confidence,
            "by_height": {str(k): {"right": r, "n": n} for k, (r, n) in self.by_height.items()},
        }


def evaluate_box(
    model: torch.nn.Module,
    x: np.ndarray,
    y: np.ndarray,
    *,
    min_confidence: float = 0.97,
    heights: np.ndarray | None = None,
    batch_size: int = 1024,
) -> BoxEvalResult:
    from models.net import BoxNet

    p1, p2 = [], []
    model.eval()
    with torch.inference_mode():
        for i in range(0, len(x), batch_size):
            out = model(torch.from_numpy(np.ascontiguousarray(x[i : i + batch_size], np.float32)))
            p1.append(torch.softmax(out[:, : BoxNet.FIRST], 1).numpy())
            p2.append(torch.softmax(out[:, BoxNet.FIRST :], 1).numpy())
    a = np.concatenate(p1) if p1 else np.zeros((0, BoxNet.FIRST), np.float32)
    b = np.concatenate(p2) if p2 else np.zeros((0, BoxNet.SECOND), np.float32)
    ok = (a.argmax(1) == y[:, 0]) & (b.argmax(1) == y[:, 1])
    acc = np.minimum(a.max(1), b.max(1)) >= min_confidence
    return BoxEvalResult(
        n=len(y),
        accuracy=float(ok.mean()) if len(y) else 0.0,
        accepted=int(acc.sum()),
        wrong_accepted=int((acc & ~ok).sum()),
        min_confidence=min_confidence,
        by_height=_by_height(ok, heights),
    )
