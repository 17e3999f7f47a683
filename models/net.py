"""The kill-counter networks, in torch.

DigitNet: the 2019 write-up's network (Conv2D 64 3x3 relu -> MaxPool 2 -> Dropout .2 ->
Flatten -> Dense 100 relu -> Dropout .3 -> Dense n_classes) and the deeper variant that
ships. Input: (N, 1, 25, 25) float in [0, 1] from :func:`vodstream.readers.digits.extract`.
BoxNet: the score-box reader (whole box, two digit slots), input from
:func:`vodstream.readers.digits.score_window`. Training: models/train.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from models.weights import (  # torch-free, re-exported
    BOX_FIRST,
    BOX_SECOND,
    BOX_WEIGHTS,
    DEFAULT_WEIGHTS,
    FINDER_WEIGHTS,
    reader_weights,
)

__all__ = [
    "BOX_WEIGHTS",
    "DEFAULT_WEIGHTS",
    "FINDER_WEIGHTS",
    "BoxNet",
    "DigitNet",
    "FinderNet",
    "load_box_model",
    "load_finder_model",
    "load_model",
    "load_reader_models",
    "predict",
    "reader_weights",
    "save_model",
]


INPUT_SIZE = 25


class DigitNet(nn.Module):
    """The digit classifier on 25x25 crops.

    ``blocks=1``: the 2019 write-up's network -- Conv(64, 3x3) -> MaxPool2 -> Drop .2 ->
    Dense 100 -> Drop .3 -> Dense n_classes.
    ``blocks=2`` (what ships; see MODEL_CARD.md for the measurement): two blocks of two
    padded 3x3 convolutions with batch norm (``filters``, then 2x``filters``), each followed
    by MaxPool2 and dropout (.1, .2), then Dense ``hidden`` -> Drop .3 -> Dense n_classes.
    """

    def __init__(self, n_classes: int = 10, filters: int = 64, hidden: int = 100, blocks: int = 1) -> None:
        super().__init__()
        self.meta: dict[str, object] = {}  # what save_model stored beside the weights
        self.n_classes = n_classes
        self.filters = filters
        self.hidden = hidden
        self.blocks = blocks
        if blocks == 1:
            side = (INPUT_SIZE - 2) // 2
            width = filters * side * side
            self.features = nn.Sequential(
                nn.Conv2d(1, filters, kernel_size=3),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Dropout(0.2),
                nn.Flatten(),
            )
        elif blocks == 2:
            f, g = filters, 2 * filters
            self.features = nn.Sequential(*_conv_block(1, f, 0.1), *_conv_block(f, g, 0.2), nn.Flatten())
            width = g * (INPUT_SIZE // 4) ** 2
        else:
            raise ValueError(f"blocks must be 1 or 2, not {blocks}")
        self.classifier = nn.Sequential(
            nn.Linear(width, hidden),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # logits
        return self.classifier(self.features(x))

    def arch(self) -> dict[str, object]:
        return {
            "n_classes": self.n_classes,
            "filters": self.filters,
            "hidden": self.hidden,
            "blocks": self.blocks,
        }


def _conv_block(a: int, b: int, drop: float) -> list[nn.Module]:
    """Two padded 3x3 convolutions with batch norm and ReLU, then MaxPool 2 and dropout."""
    return [
        nn.Conv2d(a, b, 3, padding=1),
        nn.BatchNorm2d(b),
        nn.ReLU(),
        nn.Conv2d(b, b, 3, padding=1),
        nn.BatchNorm2d(b),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(drop),
    ]


class BoxNet(nn.Module):
    """The second reader: the whole score box -> (first digit, second digit or blank).

    Input (N, 3, 24, 36) from :func:`vodstream.readers.digits.score_window`. Two 3x3 conv blocks
    (batch norm, max-pool) and a dense layer; logits (N, 21): 10 for the first digit, then
    11 for the second (index 10 = no second digit). Numbers are left-aligned next to the
    skull, so the first slot always holds a digit.
    """

    FIRST, SECOND = BOX_FIRST, BOX_SECOND

    def __init__(self, filters: int = 32, hidden: int = 128) -> None:
        super().__init__()
        self.meta: dict[str, object] = {}  # what save_model stored beside the weights
        self.filters = filters
        self.hidden = hidden
        f, g = filters, 2 * filters
        self.features = nn.Sequential(*_conv_block(3, f, 0.1), *_conv_block(f, g, 0.2), nn.Flatten())
        self.classifier = nn.Sequential(
            nn.Linear(g * 6 * 9, hidden),
            nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(hidden, self.FIRST + self.SECOND),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # logits (N, 21)
        return self.classifier(self.features(x))

    def arch(self) -> dict[str, object]:
        return {"kind": "box", "filters": self.filters, "hidden": self.hidden}


def save_model(
    model: DigitNet | BoxNet | FinderNet, path: Path, meta: dict[str, object] | None = None
) -> None:
    """Write weights as float16 (small file) plus the architecture, atomically."""
    state = {
        k: v.detach().to(torch.float16) if v.is_floating_point() else v for k, v in model.state_dict().items()
    }
    blob = {"arch": model.arch(), "state": state, "meta": meta or {}}
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(blob, tmp)
    tmp.replace(path)


def load_model(path: Path | str | None = None, device: str = "cpu") -> DigitNet:
    """Load weights written by :func:`save_model` (default: the shipped models/digits.pt)."""
    path = Path(path) if path is not None else DEFAULT_WEIGHTS
    model = _load(path, device)
    if not isinstance(model, DigitNet):
        raise ValueError(f"{path} holds a score-box reader, not a digit CNN")
    return model


def load_box_model(path: Path | str | None = None, device: str = "cpu") -> BoxNet | None:
    """The score-box reader (default: the shipped models/scorebox.pt; None if it is absent)."""
    path = Path(path) if path is not None else BOX_WEIGHTS
    if not path.is_file():
        return None
    model = _load(path, device)
    if not isinstance(model, BoxNet):
        raise ValueError(f"{path} holds a digit CNN, not a score-box reader")
    return model


def _load(path: Path, device: str) -> DigitNet | BoxNet:
    blob = torch.load(path, map_location="cpu", weights_only=True)
    arch = dict(blob["arch"])
    model: DigitNet | BoxNet = (
        BoxNet(**{k: v for k, v in arch.items() if k != "kind"})
        if arch.get("kind") == "box"
        else DigitNet(**arch)
    )
    model.load_state_dict(
        {k: v.to(torch.float32) if v.is_floating_point() else v for k, v in blob["state"].items()}
    )
    model.meta = blob.get("meta", {})
    return model.to(device).eval()


def predict(
    model: DigitNet, crops: np.ndarray, device: str = "cpu", batch_size: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """(N, 25, 25) crops -> (labels, softmax probabilities (N, n_classes)). Batched."""
    if len(crops) == 0:
        return np.zeros(0, np.int64), np.zeros((0, model.n_classes), np.float32)
    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(crops), batch_size):
            x = torch.from_numpy(np.ascontiguousarray(crops[i : i + batch_size], np.float32))
            x = x.unsqueeze(1).to(device)
            out.append(torch.softmax(model(x), dim=1).cpu().numpy())
    probs = np.concatenate(out)
    return probs.argmax(1), probs


def load_reader_models(path: Path | str | None = None, device: str = "cpu") -> tuple[DigitNet, BoxNet | None]:
    """Both kill-reader networks for a ``--model PATH`` (see :func:`reader_weights`)."""
    digits, box = reader_weights(path)
    return load_model(digits, device=device), load_box_model(box, device=device)


class FinderNet(nn.Module):
    """The kill-box detector: where, in a HUD crop, are the kill count's digits (if anywhere)?

    Input (N, 3, H, W): the top-right HUD crop resized to ``INPUT_H`` px high (any width), RGB
    in [0, 1] minus 0.5. Five 3x3 convolutions (three of stride 2, then dilations 2, 4 and 8:
    a field of view of about two boxes, so the skull before the digits and the squads box
    beside them are in sight) with batch norm. Outputs: a map at stride ``STRIDE`` of
    (logit, x offset, y offset, log width, log height) of the digit run's box centred in that
    cell, and one "no kill count here" logit from the pooled features; a softmax over all
    cells and that logit says where the run is. Training: models/finder.py.
    """

    STRIDE = 8
    INPUT_H = 120
    LOG_SIZE = 3.0  # the log-size outputs are squashed into +-LOG_SIZE (box sides up to STRIDE * e**3)

    def __init__(self, filters: int = 24) -> None:
        super().__init__()
        self.meta: dict[str, object] = {}
        self.filters = filters
        f = filters

        def cbr(a: int, b: int, stride: int = 1, dil: int = 1) -> list[nn.Module]:
            return [
                nn.Conv2d(a, b, 3, stride=stride, padding=dil, dilation=dil),
                nn.BatchNorm2d(b),
                nn.ReLU(),
            ]

        self.body = nn.Sequential(
            *cbr(3, f // 2, 2),
            *cbr(f // 2, f, 2),
            *cbr(f, 32, 2),
            *cbr(32, 32, 1, 2),
            *cbr(32, 32, 1, 4),
            *cbr(32, 32, 1, 8),
        )
        self.head = nn.Conv2d(32, 5, 1)
        self.none = nn.Linear(32, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(map (N, 5, H/8, W/8), none logit (N,))."""
        feat = self.body(x)
        return self.head(feat), self.none(feat.amax(dim=(2, 3))).squeeze(1)

    def arch(self) -> dict[str, object]:
        return {"kind": "finder", "filters": self.filters}


def load_finder_model(path: Path | str | None = None, device: str = "cpu") -> FinderNet | None:
    """The kill-box detector (default: the shipped models/finder.pt; None if it is absent)."""
    path = Path(path) if path is not None else FINDER_WEIGHTS
    if not path.is_file():
        return None
    blob = torch.load(path, map_location="cpu", weights_only=True)
    arch = dict(blob["arch"])
    if arch.pop("kind", None) != "finder":
        raise ValueError(f"{path} holds no kill-box detector")
    model = FinderNet(**arch)
    model.load_state_dict(
        {k: v.to(torch.float32) if v.is_floating_point() else v for k, v in blob["state"].items()}
    )
    model.meta = blob.get("meta", {})
    return model.to(device).eval()
