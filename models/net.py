"""The digit CNN: the 2019 write-up's network, in torch.

Conv2D 64 3x3 (relu) -> MaxPool 2 -> Dropout .2 -> Flatten -> Dense 100 (relu) -> Dropout .3
-> Dense n_classes (softmax at inference). Input: (N, 1, 25, 25) float in [0, 1] from
:func:`vodstream.digits.extract`. Trained with Adam, lr 5e-4 (models/train.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

__all__ = ["DEFAULT_WEIGHTS", "DigitNet", "load_model", "predict", "save_model"]

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "digits.pt"
INPUT_SIZE = 25


class DigitNet(nn.Module):
    """Conv(64,3x3) -> MaxPool2 -> Drop .2 -> Dense 100 -> Drop .3 -> Dense n_classes."""

    def __init__(self, n_classes: int = 10, filters: int = 64, hidden: int = 100) -> None:
        super().__init__()
        self.n_classes = n_classes
        self.filters = filters
        self.hidden = hidden
        side = (INPUT_SIZE - 2) // 2
        self.features = nn.Sequential(
            nn.Conv2d(1, filters, kernel_size=3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(0.2),
            nn.Flatten(),
        )
        self.classifier = nn.Sequential(
            nn.Linear(filters * side * side, hidden),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # logits
        return self.classifier(self.features(x))


def save_model(model: DigitNet, path: Path, meta: dict[str, object] | None = None) -> None:
    """Write weights as float16 (small file) plus the architecture, atomically."""
    state = {k: v.detach().to(torch.float16) for k, v in model.state_dict().items()}
    blob = {"arch": {"n_classes": model.n_classes, "filters": model.filters, "hidden": model.hidden},
            "state": state, "meta": meta or {}}
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(blob, tmp)
    tmp.replace(path)


def load_model(path: Path | str | None = None, device: str = "cpu") -> DigitNet:
    """Load weights written by :func:`save_model` (default: the shipped models/digits.pt)."""
    path = Path(path) if path is not None else DEFAULT_WEIGHTS
    blob = torch.load(path, map_location="cpu", weights_only=True)
    model = DigitNet(**blob["arch"])
    model.load_state_dict({k: v.to(torch.float32) for k, v in blob["state"].items()})
    model.meta = blob.get("meta", {})  # type: ignore[attr-defined]
    return model.to(device).eval()


def predict(model: DigitNet, crops: np.ndarray, device: str = "cpu",
            batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """(N, 25, 25) crops -> (labels, softmax probabilities (N, n_classes)). Batched."""
    if len(crops) == 0:
        return np.zeros(0, np.int64), np.zeros((0, model.n_classes), np.float32)
    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(crops), batch_size):
            x = torch.from_numpy(np.ascontiguousarray(crops[i:i + batch_size], np.float32))
            x = x.unsqueeze(1).to(device)
            out.append(torch.softmax(model(x), dim=1).cpu().numpy())
    probs = np.concatenate(out)
    return probs.argmax(1), probs
