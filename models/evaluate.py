"""Evaluate the digit CNN on held-out synthetic digits (scikit-learn report + confusion matrix).

The held-out set is rendered from the "test" split: scene seeds and render seeds in
[10**6, 2*10**6), never drawn by the training split, through the same extraction code the
reader uses (models/data.py).
"""

from __future__ import annotations

from dataclasses import dataclass

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

    def to_json(self) -> dict[str, object]:
        return {"n": self.n, "accuracy": self.accuracy, "errors": self.errors,
                "confusion": self.confusion.tolist(), "low_confidence": self.low_confidence,
                "wrong_confident": self.wrong_confident}


def evaluate(model: DigitNet, x: np.ndarray, y: np.ndarray, *, min_confidence: float = 0.97) -> EvalResult:
    pred, probs = predict(model, x)
    labels = list(range(10))
    names = [str(d) for d in labels]
    report = classification_report(y, pred, labels=labels, target_names=names, digits=5, zero_division=0)
    cm = confusion_matrix(y, pred, labels=labels)
    conf = probs.max(1) if len(probs) else np.zeros(0)
    wrong = pred != y
    return EvalResult(
        n=len(y), accuracy=float((~wrong).mean()) if len(y) else 0.0, errors=int(wrong.sum()),
        report=report, confusion=cm,
        low_confidence=int((conf < min_confidence).sum()),
        wrong_confident=int((wrong & (conf >= min_confidence)).sum()),
    )
