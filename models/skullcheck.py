"""Train the skull check (vodstream/readers/skullcheck.py): a skull right before a digit run, or not.

Windows come from training-family renders (``models.data.render_cases(style="train")``, the
train split; through the same stream damage as the digit sets): the window before the kill count
as the renderer drew it is a skull (label 1; jittered as the finder's runs are placed, never where
an overlay covers the count); the window before every other glyph of about a digit's height in
the crop is not (label 0): the squads count after the box's slanted edge, the 2019 spectator
count after its eye, the alive count after its person, the squads label's letters, the kill feed,
a count's second digit after its first, the skull itself, background blobs. Hidden kill boxes
(the modern HUD before the first kill) give negatives only.

    python -m models.skullcheck --cases 2000 --test-cases 400 --seed 71 --save-windows w71.npz
    python -m models.skullcheck --cases 2000 --test-cases 400 --seed 72 --save-windows w72.npz
    python -m models.skullcheck --windows w71.npz w72.npz --seed 71 --threads 2 --epochs 6

(the two renders side by side, one core each, ~7 min; training ~2.5 min on two cores). The last
writes models/skullcheck.pt and the model card's section from its meta.

It prints, and stores in the weights' meta, its figures on windows of renders it did not train on
(the same family, other scenes: the test split). Only the training family's skull drawings are
used: the validation, selection and held-out families' skulls stay unseen.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from models.data import HudCase, degrade, render_cases
from models.weights import SKULL_WEIGHTS, read_weights
from vodstream.readers.skullcheck import SKULL_WIN, skull_window
from vodstream.report.document import replace_section
from vodstream.testbed.synth.hud import DEFAULT_STYLE

# glyphs taken as negative runs: this many times the count's height (a letter, a digit, an icon)
NEG_H = (0.55, 1.6)
ROW_NEG = 10  # at most this many negative windows per crop on the count's row ...
NEG_PER_CROP = 5  # ... and this many elsewhere


def _components(hud: np.ndarray, rh: float) -> np.ndarray:
    """Bright and dark glyph candidates of the crop: (x, y, w, h) rows of connected components of a
    local threshold either way."""
    grey = hud.max(axis=2)
    k = max(3, int(3.0 * rh) | 1)
    out = []
    for sign in (1, -1):
        th = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, k, -12 * sign)
        if sign < 0:
            th = 255 - th
        _n, _lab, st, _c = cv2.connectedComponentsWithStats(th, connectivity=8)
        out.append(st[1:, :4])
    return np.concatenate(out) if out else np.zeros((0, 4), np.int64)


# how far the runs the finder reports stray from the digits drawn (in their heights): a detector's
# box is up to a third taller than the digits, and may start a little before or after them
JITTER_X, JITTER_Y, JITTER_SCALE = 0.2, 0.1, 0.2


Run = tuple[float, float, float, float]


def _jitter(run: Run, rng: np.random.Generator, s: float) -> Run:
    """``run`` moved and scaled as a finder's run may be (``s``: 1 for the count's own, less for others)."""
    x0, y0, x1, y1 = run
    rh = y1 - y0
    dx = rng.normal(0, s * JITTER_X * rh)
    dy = rng.normal(0, s * JITTER_Y * rh)
    g = float(np.exp(rng.normal(0, s * JITTER_SCALE)))
    cy = (y0 + y1) / 2.0 + dy
    return (x0 + dx, cy - g * rh / 2.0, x1 + dx, cy + g * rh / 2.0)


def _blurred(win: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Half the windows softened (a smaller frame, a harder encode): the network learns a skull's
    outline and eye holes, not one drawing's details."""
    if rng.random() < 0.5:
        return win
    return cv2.GaussianBlur(win, (3, 3), float(rng.uniform(0.5, 1.2))).astype(np.float32)


def windows(cases: list[HudCase], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(N, 25, 25) windows and their labels (1: a skull right before the run) from rendered cases."""
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for c in cases:
        box = c.count_box
        if box is not None:
            x0, y0, x1, y1 = (float(v) for v in box)
            rh = max(y1 - y0, 4.0)
        else:
            rh = max(4.0, DEFAULT_STYLE.digit_cap * min(c.width / 1920.0, c.height / 1080.0))
        if box is not None and not c.covered:
            for _ in range(3):
                xs.append(_blurred(skull_window(c.hud, _jitter((x0, y0, x1, y1), rng, 1.0)), rng))
                ys.append(1)
        st = _components(c.hud, rh)
        m = (st[:, 3] >= NEG_H[0] * rh) & (st[:, 3] <= NEG_H[1] * rh) & (st[:, 2] <= 2.5 * rh)
        cand = st[m]
        cand = cand[rng.permutation(len(cand))]
        if box is not None:
            # not the count's own first column (the positive), wherever the threshold cut it
            cand = cand[np.abs(cand[:, 0] - x0) > 0.35 * rh]
            # every glyph on the count's row first (the skull, the count's other digit, the squads
            # count and label, the 2019 spectator count), then others
            row = np.abs(cand[:, 1] + cand[:, 3] / 2.0 - (y0 + y1) / 2.0) <= 0.6 * rh
            cand = np.concatenate([cand[row][:ROW_NEG], cand[~row][:NEG_PER_CROP]])
        else:
            cand = cand[: ROW_NEG + NEG_PER_CROP]
        for x, y, w, h in cand:
            run = (float(x), float(y), float(x + max(w, 0.6 * h)), float(y + h))
            xs.append(_blurred(skull_window(c.hud, _jitter(run, rng, 0.7)), rng))
            ys.append(0)
    if not xs:
        return np.zeros((0, SKULL_WIN, SKULL_WIN), np.float32), np.zeros(0, np.int64)
    return np.stack(xs), np.array(ys, np.int64)


def build(n: int, split: str, seed: int, chunk: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 101)
    xs, ys = [], []
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        cases = render_cases(
            m, split, seed * 1000 + start, style="train", kinds=(("visible", 0.85), ("hidden", 0.15))
        )
        x, y = windows(degrade(cases, rng, quality="stream"), rng)
        xs.append(x)
        ys.append(y)
        sys.stderr.write(f"  {start + m}/{n} crops: {sum(len(v) for v in ys)} windows\n")
    return np.concatenate(xs), np.concatenate(ys)


def train(x: np.ndarray, y: np.ndarray, *, epochs: int, seed: int, threads: int, lr: float = 1e-3) -> object:
    import torch

    from models.net import DigitNet

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    net = DigitNet(n_classes=2, filters=16, hidden=64, blocks=2)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    xt = torch.from_numpy(x[:, None])
    yt = torch.from_numpy(y)
    # the classes weighted to balance (negatives outnumber the skulls about four to one)
    w = torch.tensor([1.0, float((y == 0).sum()) / max(1, int((y == 1).sum()))])
    lossf = torch.nn.CrossEntropyLoss(weight=w)
    g = torch.Generator().manual_seed(seed)
    for ep in range(epochs):
        net.train()
        perm = torch.randperm(len(xt), generator=g)
        tot = 0.0
        for i in range(0, len(perm), 128):
            b = perm[i : i + 128]
            xb = xt[b]
            if ep > 0:  # +-1 px shifts
                sh = torch.randint(-1, 2, (2,), generator=g)
                xb = torch.roll(xb, shifts=(int(sh[0]), int(sh[1])), dims=(2, 3))
            opt.zero_grad()
            loss = lossf(net(xb), yt[b])
            loss.backward()
            opt.step()
            tot += float(loss.detach()) * len(b)
        sys.stderr.write(f"  epoch {ep + 1}/{epochs}: loss {tot / len(perm):.4f}\n")
    return net.eval()


def figures(net: object, x: np.ndarray, y: np.ndarray) -> dict[str, float | int]:
    import torch

    with torch.inference_mode():
        p = torch.softmax(net(torch.from_numpy(x[:, None])), 1)[:, 1].numpy()  # type: ignore[operator]
    pos, neg = p[y == 1], p[y == 0]
    return {
        "skulls": len(pos),
        "others": len(neg),
        "skulls_found_at_0.5": round(float((pos >= 0.5).mean()), 4),
        "others_refused_at_0.5": round(float((neg < 0.5).mean()), 4),
        "skulls_found_at_0.1": round(float((pos >= 0.1).mean()), 4),
        "others_refused_at_0.1": round(float((neg < 0.1).mean()), 4),
    }


CARD = Path(__file__).resolve().parent / "MODEL_CARD.md"
CARD_BEGIN, CARD_END = "<!-- skullcheck:begin -->", "<!-- skullcheck:end -->"
CARD_HEADING = "## Skull check (models/skullcheck.py)"


def card_section(meta: dict[str, Any], weights: Path) -> str:
    """The model card's skull-check section, from the weights' ``meta`` alone (what the run that
    made them measured)."""
    from vodstream.readers.killreader import SKULL_MIN

    t = meta.get("test", {})
    made = meta.get("windows_from") or [meta.get("command", "")]
    lines = [
        CARD_BEGIN,
        f"`models/{weights.name}` ({weights.stat().st_size // 1024} KiB, float16): the skull check "
        "(vodstream/readers/skullcheck.py), a two-class models.net.DigitNet on a 25x25 window left of "
        "the digit run a number was read in, scaled by the run's height. The kill reader drops a number "
        f"where it gives a skull there less than {SKULL_MIN} (vodstream/readers/killreader.py `SKULL_MIN`). "
        "Trained on training-family renders only (train split): the window before the kill count as "
        "drawn is a skull, the window before every other glyph of about a digit's height is not. "
        "Written by `python -m models.skullcheck` (or `--card`) from the weights' meta; nothing here "
        "is typed by hand.",
        "",
        "Windows rendered by: " + "; ".join(f"`{c}`" for c in made) + ".",
        f"Trained by: `{meta.get('command', '')}` -- {meta.get('train_windows')} windows "
        f"({meta.get('train_skulls')} skulls), {meta.get('epochs')} epochs, {meta.get('train_s')} s.",
        "",
        "On windows of test-split renders of the same family (scenes never trained on):",
        "",
        "| windows | skulls | others | skulls found (p >= 0.5) | others refused (p < 0.5) | "
        "skulls found (p >= 0.1) | others refused (p < 0.1) |",
        "|---|---|---|---|---|---|---|",
        f"| test split | {t.get('skulls')} | {t.get('others')} | {_pct(t.get('skulls_found_at_0.5'))} | "
        f"{_pct(t.get('others_refused_at_0.5'))} | {_pct(t.get('skulls_found_at_0.1'))} | "
        f"{_pct(t.get('others_refused_at_0.1'))} |",
        "",
        "What the check changes in the whole reader, per family and frame size, is measured by "
        "benchmarks/kill_accuracy.py (README, per-sample section).",
        CARD_END,
    ]
    return "\n".join(lines)


def _pct(v: object) -> str:
    return "-" if v is None else f"{float(v) * 100:.2f} %"  # type: ignore[arg-type]


def write_card(weights: Path = SKULL_WEIGHTS, card: Path = CARD) -> bool:
    """Rewrite ``card``'s skull-check section from ``weights``' meta; False without weights."""
    if not weights.is_file():
        return False
    replace_section(
        card, card_section(dict(read_weights(weights)["meta"]), weights), CARD_HEADING, CARD_BEGIN, CARD_END
    )
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=2000, help="training renders (train split)")
    ap.add_argument("--test-cases", type=int, default=400, help="renders measured (test split)")
    ap.add_argument("--seed", type=int, default=71)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=SKULL_WEIGHTS)
    ap.add_argument(
        "--save-windows", type=Path, default=None, help="only render; keep the windows here (.npz)"
    )
    ap.add_argument(
        "--windows", type=Path, nargs="*", default=None, help="train on windows --save-windows kept"
    )
    ap.add_argument(
        "--card", action="store_true", help="only rewrite models/MODEL_CARD.md's section from --out"
    )
    a = ap.parse_args(argv)
    command = "python -m models.skullcheck " + " ".join(sys.argv[1:] if argv is None else argv)
    if a.card:
        if not write_card(a.out):
            sys.stderr.write(f"error: no skull-check weights at {a.out}\n")
            return 1
        return 0
    from models.net import save_model

    t0 = time.time()
    if a.windows:
        kept = [np.load(p) for p in a.windows]
        x, y, xv, yv = (np.concatenate([k[n] for k in kept]) for n in ("x", "y", "xv", "yv"))
        made = [str(k["command"]) for k in kept if "command" in k]
    else:
        x, y = build(a.cases, "train", a.seed)
        xv, yv = build(a.test_cases, "test", a.seed + 1)
        made = [command]
    if a.save_windows is not None:
        np.savez(a.save_windows, x=x, y=y, xv=xv, yv=yv, command=np.array(command))
        return 0
    t1 = time.time()
    net = train(x, y, epochs=a.epochs, seed=a.seed, threads=a.threads)
    t2 = time.time()
    meta = {
        "command": command,
        "windows_from": made,
        "train_windows": len(y),
        "train_skulls": int((y == 1).sum()),
        "epochs": a.epochs,
        "render_s": round(t1 - t0, 1),
        "train_s": round(t2 - t1, 1),
        "test": figures(net, xv, yv),
    }
    save_model(net, a.out, meta)  # type: ignore[arg-type]
    if a.out.resolve() == SKULL_WEIGHTS.resolve():
        write_card(a.out)
    sys.stdout.write(json.dumps(meta, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
