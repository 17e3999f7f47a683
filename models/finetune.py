"""Fine-tune the kill reader on a user's labelled HUD crops (``vodstream train --labels``).

Start from the shipped networks (or ``--base``), and train both on a mix of

- the labelled crops (``vodstream label``'s labels.json files; each labelled example counts
  ``label_repeat`` times), through the reader's own extraction code: the digit CNN gets the
  25x25 digit crops of every crop whose extraction finds as many digits as the label has,
  the score-box reader the window right of the skull; crops marked unreadable are not trained
  on (they are evaluated: the reader should answer nothing there);
- freshly rendered synthetic HUDs (train split, stream damage mix), so the networks keep
  reading the HUDs they were trained for.

A share of the labels is held out -- whole blocks of consecutive crops, since neighbouring
samples look alike -- and the full reader (both networks and their combination rule) is
measured on it before and after. A small synthetic held-out set (test split) is measured
before and after too. The new weights, a JSON of the measurements and a model card generated
from them go to one folder, which ``run``/``analyze``/``label --model`` take.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import structlog

__all__ = ["FinetuneConfig", "ReadScore", "read_score", "run_finetune", "split_labelled"]

log = structlog.get_logger(__name__)

CARD_NAME = "MODEL_CARD.md"
META_NAME = "finetune.json"


@dataclass
class FinetuneConfig:
    labels: tuple[Path, ...]
    out: Path  # folder: digits.pt, scorebox.pt, finetune.json, MODEL_CARD.md
    base: Path | None = None  # reader weights to start from (None: the shipped ones)
    synth_cases: int = 1200  # synthetic train-split HUDs mixed in (stream damage mix)
    synth_seed: int = 21
    check_cases: int = 400  # synthetic held-out HUDs (test split) measured before/after (0: none)
    check_seed: int = 5
    holdout: float = 0.25  # share of the blocks of labelled crops held out
    block: int = 8  # consecutive labelled crops per block
    epochs: int = 6  # digit CNN
    box_epochs: int = 6  # score-box reader
    lr: float = 5e-4
    box_lr: float = 1e-3
    batch_size: int = 64
    label_repeat: int = 3
    seed: int = 0
    threads: int = 1
    cache_dir: Path | None = None  # reuse rendered synthetic sets (as `train --cache`)


@dataclass
class ReadScore:
    """The full reader on labelled crops: right (incl. nothing read where marked unreadable),
    wrong (a number that is not the label), unknown (nothing read where a number shows)."""

    n: int
    right: int
    wrong: int
    unknown: int
    wrong_examples: list[tuple[int, int | None]] = field(default_factory=list)  # (label, read)

    @property
    def accuracy(self) -> float:
        return self.right / self.n if self.n else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "accuracy": round(self.accuracy, 5)}

    def line(self) -> str:
        return (
            f"{self.accuracy * 100:.1f}% right ({self.right}/{self.n}), {self.wrong} wrong, "
            f"{self.unknown} unknown"
        )


def read_score(reader: Any, huds: Sequence[np.ndarray], labels: Sequence[int | None]) -> ReadScore:
    readings = reader.read_huds(list(huds)) if len(huds) else []
    right = wrong = unknown = 0
    examples: list[tuple[int, int | None]] = []
    for r, lab in zip(readings, labels, strict=True):
        if r.kills == lab:
            right += 1
        elif r.kills is None:
            unknown += 1
        else:
            wrong += 1
            if len(examples) < 20:
                examples.append((-1 if lab is None else lab, r.kills))
    return ReadScore(len(labels), right, wrong, unknown, examples)


def split_labelled(crops: Sequence[Any], *, holdout: float, block: int) -> tuple[list[Any], list[Any]]:
    """(train, held out): per VOD, blocks of ``block`` consecutive labelled crops; every k-th block
    (k = round(1 / holdout)) is held out, so no held-out crop has a trained twin right beside it."""
    if not 0 < holdout < 1:
        raise ValueError("holdout must be between 0 and 1")
    k = max(2, round(1 / holdout))
    train: list[Any] = []
    held: list[Any] = []
    by_vod: dict[str, list[Any]] = {}
    for c in crops:
        by_vod.setdefault(c.vod_id, []).append(c)
    for items in by_vod.values():
        items.sort(key=lambda c: c.frame_num)
        for j in range(0, len(items), block):
            (held if (j // block) % k == k - 1 else train).extend(items[j : j + block])
    return train, held


def _labelled_examples(crops: Sequence[Any], *, not_digit: bool) -> tuple[dict[str, np.ndarray], Counter]:
    """Digit crops and score-box windows of labelled HUD crops, via the reader's extraction."""
    from models.data import NOT_A_DIGIT, box_labels
    from vodstream.readers.digits import (
        DIGIT_SIZE,
        WIN_H,
        WIN_W,
        digits_from_box,
        score_window,
    )
    from vodstream.readers.hudlocate import find_kill_box

    dx, dy, bx, by = [], [], [], []
    stats: Counter = Counter()
    for c in crops:
        if c.label is None:
            stats["unreadable"] += 1
            continue
        found = find_kill_box(c.hud)  # the reader's own kill-box finder
        ref, skull = found.ref, found.skull
        if skull is None:
            stats["no_skull"] += 1
            continue
        bx.append(score_window(ref, skull))
        by.append(box_labels(c.label))
        ex = digits_from_box(ref, skull)
        text = str(c.label)
        if not ex.ok:
            stats[f"digits_{ex.reason}"] += 1
        elif len(ex.digits) != len(text):
            stats["digits_count_mismatch"] += 1
        else:
            stats["digits_ok"] += 1
            dx.append(ex.digits)
            dy.append(np.array([int(ch) for ch in text], np.int64))
            if not_digit and len(text) > 1:
                pair = digits_from_box(ref, skull, merge_run=True)
                dx.append(pair.digits)
                dy.append(np.array([NOT_A_DIGIT], np.int64))
    return {
        "dx": np.concatenate(dx).astype(np.float32)
        if dx
        else np.zeros((0, DIGIT_SIZE, DIGIT_SIZE), np.float32),
        "dy": np.concatenate(dy) if dy else np.zeros(0, np.int64),
        "bx": np.stack(bx).astype(np.float32) if bx else np.zeros((0, 3, WIN_H, WIN_W), np.float32),
        "by": np.array(by, np.int64).reshape(-1, 2),
    }, stats


def _synthetic_score(reader: Any, cases: Any) -> ReadScore:
    from models.data import from_band

    return read_score(reader, [from_band(b) for b in cases.bands], [int(k) for k in cases.kills])


def run_finetune(cfg: FinetuneConfig) -> dict[str, Any]:
    """Fine-tune, measure, write the folder; returns what was measured (also in finetune.json)."""
    import torch

    from models.data import box_set_from_cases, digits_from_cases, find_skulls
    from models.net import load_reader_models, reader_weights, save_model
    from models.train import fit, fit_box, load_or_build_cases
    from vodstream.errors import VodstreamError
    from vodstream.labeling.labels import load_labelled
    from vodstream.readers.killreader import KillReader

    torch.set_num_threads(max(1, cfg.threads))
    t_all = time.perf_counter()
    crops = load_labelled(cfg.labels)
    train, held = split_labelled(crops, holdout=cfg.holdout, block=cfg.block)
    if len(train) < 10 or not held:
        raise VodstreamError(
            f"too few labels to fine-tune and hold some out: {len(crops)} labelled crops "
            f"({len(train)} to train, {len(held)} to hold out); label at least "
            f"{max(20, 2 * cfg.block * round(1 / cfg.holdout))}"
        )
    digits_w, box_w = reader_weights(cfg.base)
    model, box_model = load_reader_models(cfg.base)
    if box_model is None:
        raise VodstreamError(f"no score-box reader weights at {box_w}")
    held_huds, held_labels = [c.hud for c in held], [c.label for c in held]
    before = read_score(KillReader(model, box_model=box_model), held_huds, held_labels)
    log.info("held-out labels before", **before.to_json())

    t0 = time.perf_counter()
    synth = (
        load_or_build_cases(
            cfg.synth_cases, "train", cfg.synth_seed, cache_dir=cfg.cache_dir, quality="stream"
        )
        if cfg.synth_cases
        else None
    )
    check = (
        load_or_build_cases(
            cfg.check_cases, "test", cfg.check_seed, cache_dir=cfg.cache_dir, quality="stream"
        )
        if cfg.check_cases
        else None
    )
    t_render = time.perf_counter() - t0
    check_before = (
        _synthetic_score(KillReader(model, box_model=box_model), check) if check is not None else None
    )

    t0 = time.perf_counter()
    not_digit = model.n_classes > 10
    lab, lab_stats = _labelled_examples(train, not_digit=not_digit)
    rep = max(1, cfg.label_repeat)
    dxs, dys = [np.repeat(lab["dx"], rep, 0)], [np.repeat(lab["dy"], rep, 0)]
    bxs, bys = [np.repeat(lab["bx"], rep, 0)], [np.repeat(lab["by"], rep, 0)]
    synth_digits = synth_windows = 0
    if synth is not None:
        skulls = find_skulls(synth)
        ds = digits_from_cases(synth, not_digit=not_digit, skulls=skulls)
        bs = box_set_from_cases(synth, skulls=skulls)
        dxs.append(ds.x)
        dys.append(ds.y)
        bxs.append(bs.x)
        bys.append(bs.y)
        synth_digits, synth_windows = len(ds.y), len(bs.y)
    dx, dy = np.concatenate(dxs), np.concatenate(dys)
    bx, by = np.concatenate(bxs), np.concatenate(bys)
    t_data = time.perf_counter() - t0
    if len(lab["by"]) == 0:
        raise VodstreamError(
            "none of the labelled crops to train on shows a kill box the reader can find "
            f"(extraction: {dict(lab_stats)})"
        )

    t0 = time.perf_counter()
    model, digit_loss = fit(
        dx,
        dy,
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        lr=cfg.lr,
        seed=cfg.seed,
        augment=True,
        onecycle=True,
        model=model,
    )
    t_digits = time.perf_counter() - t0
    t0 = time.perf_counter()
    box_model, box_loss = fit_box(
        bx,
        by,
        epochs=cfg.box_epochs,
        batch_size=cfg.batch_size,
        lr=cfg.box_lr,
        seed=cfg.seed,
        model=box_model,
    )
    t_box = time.perf_counter() - t0

    after_reader = KillReader(model, box_model=box_model)
    after = read_score(after_reader, held_huds, held_labels)
    log.info("held-out labels after", **after.to_json())
    check_after = _synthetic_score(after_reader, check) if check is not None else None

    vods = Counter(c.vod_id for c in crops)
    meta: dict[str, Any] = {
        "base": {"digits": str(digits_w), "box": str(box_w)},
        "labels_files": [str(Path(p).resolve()) for p in cfg.labels],
        "vods": dict(vods),
        "labelled": len(crops),
        "unreadable": sum(c.label is None for c in crops),
        "train_labels": len(train),
        "held_out_labels": len(held),
        "split": {"holdout": cfg.holdout, "block": cfg.block},
        "label_extraction": dict(lab_stats),
        "label_repeat": rep,
        "train_digit_crops": {"labelled": len(lab["dy"]), "synthetic": synth_digits},
        "train_windows": {"labelled": len(lab["by"]), "synthetic": synth_windows},
        "synthetic": {
            "cases": cfg.synth_cases,
            "seed": cfg.synth_seed,
            "split": "train",
            "quality": "stream",
        },
        "epochs": cfg.epochs,
        "box_epochs": cfg.box_epochs,
        "lr": cfg.lr,
        "box_lr": cfg.box_lr,
        "batch_size": cfg.batch_size,
        "seed": cfg.seed,
        "threads": cfg.threads,
        "loss": {"digits": [round(v, 5) for v in digit_loss], "box": [round(v, 5) for v in box_loss]},
        "held_out": {"before": before.to_json(), "after": after.to_json()},
        "synthetic_check": None
        if check is None
        else {
            "cases": cfg.check_cases,
            "seed": cfg.check_seed,
            "split": "test",
            "quality": "stream",
            "before": check_before.to_json() if check_before else None,
            "after": check_after.to_json() if check_after else None,
        },
        "seconds": {
            "render_synthetic": round(t_render, 1),
            "data": round(t_data, 1),
            "train_digits": round(t_digits, 1),
            "train_box": round(t_box, 1),
            "total": round(time.perf_counter() - t_all, 1),
        },
    }
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    save_model(model, out / "digits.pt", {"finetune": {k: meta[k] for k in ("vods", "labelled", "epochs")}})
    save_model(
        box_model, out / "scorebox.pt", {"finetune": {k: meta[k] for k in ("vods", "labelled", "box_epochs")}}
    )
    _write(out / META_NAME, json.dumps(meta, indent=1) + "\n")
    _write(out / CARD_NAME, model_card(meta))
    return meta


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def model_card(meta: dict[str, Any]) -> str:
    """MODEL_CARD.md of a fine-tuned reader, from what the run measured."""
    b, a = meta["held_out"]["before"], meta["held_out"]["after"]

    def row(name: str, s: dict[str, Any]) -> str:
        return (
            f"| {name} | {s['accuracy'] * 100:.1f}% ({s['right']}/{s['n']}) | {s['wrong']} | {s['unknown']} |"
        )

    check = meta.get("synthetic_check")
    check_rows = ""
    if check and check.get("before"):
        check_rows = (
            f"\nSynthetic held-out HUDs ({check['cases']} renders of the test split, seed {check['seed']}, "
            f"stream damage mix; the faces the shipped reader was trained on), per crop:\n\n"
            "| reader | right | wrong | unknown |\n|---|---|---|---|\n"
            f"{row('before (base weights)', check['before'])}\n{row('after (fine-tuned)', check['after'])}\n"
        )
    sec = meta["seconds"]
    vods = ", ".join(f"{v} ({n} labels)" for v, n in meta["vods"].items())
    crops, windows = meta["train_digit_crops"], meta["train_windows"]
    batch = meta["batch_size"]
    return f"""# Fine-tuned kill reader

Written by `python -m vodstream train --labels ...` (models/finetune.py); every figure below was
measured by that run. Use it with `vodstream run|analyze|label --model {"<this folder>"}`.

- Started from: `{meta["base"]["digits"]}` (digit CNN) and `{meta["base"]["box"]}` (score-box reader).
- Labels: {meta["labelled"]} crops ({meta["unreadable"]} marked unreadable) from VOD(s) {vods};
  files: {", ".join(f"`{p}`" for p in meta["labels_files"])}.
- Split: blocks of {meta["split"]["block"]} consecutive labelled crops, one block in
  {round(1 / meta["split"]["holdout"])} held out: {meta["train_labels"]} labels to train on,
  {meta["held_out_labels"]} held out (never trained on, and nothing was chosen on them).
- Training data: the labelled crops through the reader's own extraction (each counted
  {meta["label_repeat"]} times; digit crops where the extraction found as many digits as the
  label has: {crops["labelled"]}; score-box windows: {windows["labelled"]};
  extraction outcomes {meta["label_extraction"]}), plus {meta["synthetic"]["cases"]} synthetic HUDs of the
  train split (seed {meta["synthetic"]["seed"]}, stream mix): {crops["synthetic"]} digit crops,
  {windows["synthetic"]} windows.
- Digit CNN: {meta["epochs"]} epochs, Adam one-cycle lr {meta["lr"]}, batch {batch}; loss per epoch
  {meta["loss"]["digits"]}. Score-box reader: {meta["box_epochs"]} epochs, lr {meta["box_lr"]}; loss
  {meta["loss"]["box"]}.
- Time on this machine ({meta["threads"]} thread(s)): {sec["total"]} s in all -- rendering the synthetic HUDs
  {sec["render_synthetic"]} s, extraction {sec["data"]} s, digit CNN {sec["train_digits"]} s, score-box
  reader {sec["train_box"]} s.

## Held-out labels (the whole reader: both networks and their combination rule)

| reader | right | wrong | unknown |
|---|---|---|---|
{row("before (base weights)", b)}
{row("after (fine-tuned)", a)}

"Right" includes answering nothing on crops marked unreadable; "unknown" is no answer where
the label is a number (the tracker then relies on the neighbouring samples).
{check_rows}
## Limits
The held-out labels come from the same VOD(s) as the training labels (other moments of them);
a different stream or HUD needs its own labels. The extraction in front of the networks (skull
template, score box, connected components) is not learned: a HUD whose skull it does not find
cannot be fixed by labelling.
"""


# -- `vodstream train --labels` -----------------------------------------------------------------


def add_arguments(parser: Any) -> None:
    """The fine-tuning options of ``vodstream train`` (used with --labels)."""
    d = FinetuneConfig(labels=(), out=Path("."))
    g = parser.add_argument_group("fine-tuning on your labels (--labels)")
    g.add_argument(
        "--labels",
        type=Path,
        action="append",
        default=None,
        metavar="FILE",
        help="a labels.json written by `vodstream label` (repeatable): fine-tune the kill reader on "
        "these labels plus synthetic HUDs instead of training from scratch",
    )
    g.add_argument(
        "--model-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the fine-tuned reader goes (default: model/ next to the first labels file); "
        "use it with `run --model DIR`",
    )
    g.add_argument(
        "--base",
        type=Path,
        default=None,
        metavar="PATH",
        help="reader weights to start from (default: the shipped ones)",
    )
    g.add_argument(
        "--synthetic",
        type=int,
        default=d.synth_cases,
        metavar="N",
        help=f"synthetic HUDs mixed in (default {d.synth_cases})",
    )
    g.add_argument(
        "--check",
        type=int,
        default=d.check_cases,
        metavar="N",
        help=f"synthetic held-out HUDs measured before/after (default {d.check_cases}; 0: none)",
    )
    g.add_argument(
        "--holdout",
        type=float,
        default=d.holdout,
        metavar="F",
        help=f"share of the labels held out to measure (default {d.holdout})",
    )
    g.add_argument(
        "--finetune-epochs",
        type=int,
        default=d.epochs,
        metavar="N",
        help=f"epochs for each network (default {d.epochs})",
    )


def run_from_args(args: Any) -> list[str]:
    """Fine-tune as ``vodstream train --labels`` asks; returns the summary lines to show."""
    from vodstream.errors import VodstreamError

    labels = tuple(args.labels)
    for p in labels:
        if not p.is_file():
            raise VodstreamError(f"--labels {p}: no such file")
    if not 0 < args.holdout < 1:
        raise VodstreamError("--holdout must be between 0 and 1")
    if args.synthetic < 0 or args.check < 0 or args.finetune_epochs < 1:
        raise VodstreamError("--synthetic and --check must be 0 or more, --finetune-epochs at least 1")
    if args.base is not None:
        from models.net import reader_weights

        try:
            reader_weights(args.base)
        except FileNotFoundError as err:
            raise VodstreamError(f"--base: {err}") from None
    out = args.model_dir or labels[0].parent / "model"
    cfg = FinetuneConfig(
        labels=labels,
        out=out,
        base=args.base,
        synth_cases=args.synthetic,
        check_cases=args.check,
        holdout=args.holdout,
        epochs=args.finetune_epochs,
        box_epochs=args.finetune_epochs,
        threads=1,
        cache_dir=args.cache,
    )
    meta = run_finetune(cfg)
    h = meta["held_out"]

    def score(when: str) -> str:
        return ReadScore(**{k: h[when][k] for k in ("n", "right", "wrong", "unknown")}).line()

    lines = [
        f"labels: {meta['labelled']} ({meta['train_labels']} to train, {meta['held_out_labels']} held out)",
        f"held-out labels before: {score('before')}",
        f"held-out labels after:  {score('after')}",
    ]
    check = meta.get("synthetic_check")
    if check and check.get("before"):
        lines.append(
            f"synthetic held-out before: {check['before']['accuracy'] * 100:.1f}%, "
            f"after: {check['after']['accuracy'] * 100:.1f}%"
        )
    lines.append(
        f"fine-tuned in {meta['seconds']['total']} s; reader: {out}  (use: vodstream run --model {out})"
    )
    return lines
