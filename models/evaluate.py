"""Evaluate the digit CNN on held-out synthetic digits (scikit-learn report + confusion matrix).

The held-out set is rendered from the "test" split: scene seeds and render seeds in
[10**6, 2*10**6), never drawn by the training split, through the same extraction code the
reader uses (models/data.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from models.net import DigitNet, predict

__all__ = ["EvalResult", "evaluate"]


@dataclass
class EvalResult:
    n: int
    accuracy: float
    errors: int
    report: str
    confusion: np.ndarray
    low_confidence: int          # digits whose softmax max is below the reader's threshold
    wrong_confident: int         # wrong AND above the threshold (what the reader would accept)
    by_height: dict[int, tuple[int, int]] = field(default_factory=dict)  # frame height -> (right, n)
    not_digit: dict[str, int] = field(default_factory=dict)   # 11th class: caught / n, digits refused

    def to_json(self) -> dict[str, object]:
        return {"n": self.n, "accuracy": self.accuracy, "errors": self.errors,
                "confusion": self.confusion.tolist(), "low_confidence": self.low_confidence,
                "wrong_confident": self.wrong_confident,
                "by_height": {str(k): {"right": r, "n": n} for k, (r, n) in self.by_height.items()},
                "not_a_digit": self.not_digit}

    def height_table(self) -> str:
        rows = [f"{'frame height':>12} {'digits':>7} {'accuracy':>9}"]
        for hgt, (r, n) in sorted(self.by_height.items()):
            rows.append(f"{hgt:>12} {n:>7} {100.0 * r / n:>8.3f}%")
        return "\n".join(rows)


def evaluate(model: DigitNet, x: np.ndarray, y: np.ndarray, *, min_confidence: float = 0.97,
             heights: np.ndarray | None = None) -> EvalResult:
    pred, probs = predict(model, x)
    nd = y == 10                                  # "not a single digit" examples (11-class sets)
    not_digit = {"examples": int(nd.sum()), "caught": int((pred[nd] == 10).sum()),
                 "digits_called_not_digit": int((pred[~nd] == 10).sum())}
    x, y, pred, probs = x[~nd], y[~nd], pred[~nd], probs[~nd]
    if heights is not None and len(heights) == len(nd):
        heights = heights[~nd]
    labels = list(range(10))
    names = [str(d) for d in labels]
    report = classification_report(y, pred, labels=labels, target_names=names, digits=5, zero_division=0)
    cm = confusion_matrix(y, pred, labels=list(range(model.n_classes)))[:10]
    conf = probs.max(1) if len(probs) else np.zeros(0)
    wrong = pred != y
    by_height: dict[int, tuple[int, int]] = {}
    if heights is not None and len(heights) == len(y):
        for hgt in np.unique(heights):
            sel = heights == hgt
            by_height[int(hgt)] = (int((~wrong[sel]).sum()), int(sel.sum()))
    return EvalResult(
        n=len(y), accuracy=float((~wrong).mean()) if len(y) else 0.0, errors=int(wrong.sum()),
        report=report, confusion=cm,
        low_confidence=int((conf < min_confidence).sum()),
        wrong_confident=int((wrong & (conf >= min_confidence)).sum()),
        by_height=by_height,
        not_digit=not_digit,
    )
