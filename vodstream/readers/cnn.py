"""The kill-counter networks' forward pass in numpy: the scorer runs them without torch.

:class:`models.net.DigitNet` and :class:`models.net.BoxNet` are small (four 3x3 convolutions with
batch norm, two max-pools, two dense layers); in eval mode their forward pass is a few matrix
products. Importing torch costs a scorer process about 1.1 s of CPU and ~250 MB before its first
sample, and its first forward pass another ~0.2 s (library set-up); this module needs numpy alone.
It reads the same weight files (:func:`models.weights.read_weights`), follows the same layer order
(the ``features.N`` / ``classifier.N`` names of the torch modules) and computes in float32: its
logits agree with torch's to rounding (~1e-5), and tests/test_cnn.py checks that the readings
(every label and every accept/refuse decision) are the same on rendered HUDs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from models.weights import BOX_FIRST, BOX_SECOND, read_weights

__all__ = ["NumpyNet", "conv3x3", "fold_conv_bn", "load_numpy_net", "softmax"]

BN_EPS = 1e-5  # torch.nn.BatchNorm2d's default
CHUNK = 4  # samples per forward pass (see NumpyNet.__call__)


class NumpyNet:
    """A DigitNet (``kind="digits"``) or BoxNet (``kind="box"``) in eval mode.

    ``net(x)``: logits (N, classes) from x (N, C, H, W) float32, the torch module's input.
    """

    def __init__(self, arch: dict[str, Any], state: dict[str, np.ndarray], meta: Any = None) -> None:
        self.arch = dict(arch)
        self.meta = meta if meta is not None else {}
        self.state = state
        self.kind = "box" if arch.get("kind") == "box" else "digits"
        blocks = 2 if self.kind == "box" else int(arch.get("blocks", 1))
        if blocks == 1:
            plan: list[tuple[str, int]] = [("conv0", 0), ("relu", 1), ("pool", 2)]
        elif blocks == 2:
            plan = []
            for base in (0, 8):  # models.net._conv_block: conv, bn, relu, conv, bn, relu, pool, dropout
                plan += [("conv1", base), ("bn", base + 1), ("relu", base + 2)]
                plan += [("conv1", base + 3), ("bn", base + 4), ("relu", base + 5), ("pool", base + 6)]
        else:
            raise ValueError(f"blocks must be 1 or 2, not {blocks}")
        # each convolution with the batch norm after it folded in: (C*9, O) weights in (kh, kw, C)
        # order (the im2col below) and a bias
        self._convs: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        bns = {i for op, i in plan if op == "bn"}
        for op, i in plan:
            if op.startswith("conv"):
                bn = f"features.{i + 1}" if i + 1 in bns else None
                self._convs[i] = fold_conv_bn(state, f"features.{i}", bn)
        plan = [(op, i) for op, i in plan if op != "bn"]
        self._plan = plan
        self._fc = [
            (
                np.ascontiguousarray(state[f"classifier.{i}.weight"].T, np.float32),
                state[f"classifier.{i}.bias"],
            )
            for i in (0, 3)
        ]
        self.n_classes = int(self._fc[-1][1].shape[0])
        if self.kind == "box" and self.n_classes != BOX_FIRST + BOX_SECOND:
            raise ValueError(f"a score-box reader has {BOX_FIRST + BOX_SECOND} outputs, not {self.n_classes}")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float32)
        if len(x) <= CHUNK:
            return self._forward(x)
        # a few samples at a time: the im2col buffers stay in cache (~2x faster on large batches)
        return np.concatenate([self._forward(x[i : i + CHUNK]) for i in range(0, len(x), CHUNK)])

    def _forward(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))  # NHWC
        for op, i in self._plan:
            if op == "conv0" or op == "conv1":
                x = conv3x3(x, *self._convs[i], pad=1 if op == "conv1" else 0)
            elif op == "relu":
                np.maximum(x, 0, out=x)
            else:  # 2x2 max-pool, floor
                n, h, w, c = x.shape
                x = x[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))
        x = x.transpose(0, 3, 1, 2).reshape(len(x), -1)  # torch's Flatten of NCHW
        (w0, b0), (w1, b1) = self._fc
        h = x @ w0
        h += b0
        np.maximum(h, 0, out=h)
        out: np.ndarray = h @ w1 + b1
        return out


def fold_conv_bn(state: dict[str, np.ndarray], conv: str, bn: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The 3x3 convolution ``conv`` (a state-dict prefix) with the eval-mode batch norm ``bn`` after it
    folded in (None: no batch norm): weights (9*C, O) in (kh, kw, C) order, the layout of
    :func:`conv3x3`'s im2col, and the bias (O,), float32."""
    w = np.asarray(state[f"{conv}.weight"], np.float32)  # O, C, 3, 3
    b = np.asarray(state[f"{conv}.bias"], np.float32)
    if bn is not None:
        invstd = 1.0 / np.sqrt(np.asarray(state[f"{bn}.running_var"], np.float32) + np.float32(BN_EPS))
        alpha = (np.asarray(state[f"{bn}.weight"], np.float32) * invstd).astype(np.float32)
        w = w * alpha[:, None, None, None]
        b = (b - state[f"{bn}.running_mean"]) * alpha + state[f"{bn}.bias"]
    return (
        np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, w.shape[0]), np.float32),
        np.asarray(b, np.float32),
    )


def conv3x3(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, *, pad: int, stride: int = 1, dil: int = 1
) -> np.ndarray:
    """3x3 convolution of NHWC ``x`` (zero padding ``pad``, ``stride``, dilation ``dil``) by ``w``
    (9*C, O) in (kh, kw, C) order (:func:`fold_conv_bn`), plus ``b``: im2col and one matrix product."""
    n, h, wd, c = x.shape
    if pad:
        xp = np.zeros((n, h + 2 * pad, wd + 2 * pad, c), np.float32)
        xp[:, pad : pad + h, pad : pad + wd] = x
        x, h, wd = xp, h + 2 * pad, wd + 2 * pad
    ho = (h - 2 * dil - 1) // stride + 1
    wo = (wd - 2 * dil - 1) // stride + 1
    cols = np.empty((n, ho, wo, 9, c), np.float32)
    for k in range(9):
        dy, dx = divmod(k, 3)
        cols[:, :, :, k, :] = x[
            :,
            dy * dil : dy * dil + (ho - 1) * stride + 1 : stride,
            dx * dil : dx * dil + (wo - 1) * stride + 1 : stride,
        ]
    out: np.ndarray = cols.reshape(n * ho * wo, 9 * c) @ w
    out += b
    return out.reshape(n, ho, wo, -1)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax (float32)."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def load_numpy_net(path: Path | str) -> NumpyNet:
    """A weight file written by ``models.net.save_model``, as a :class:`NumpyNet` (no torch)."""
    blob = read_weights(path)
    return NumpyNet(blob["arch"], blob["state"], blob["meta"])
