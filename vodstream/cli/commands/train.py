"""``vodstream train``: render synthetic HUDs and train the kill-counter networks (CPU, minutes)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = (
    "train the kill-counter networks on synthetic HUDs "
    "(writes models/digits.pt, models/scorebox.pt, MODEL_CARD.md)"
)
DESCRIPTION = (
    "Render random in-match HUDs (train split seeds), degrade them with a libx264 round trip or JPEG, "
    "extract digits with the reader's own code, train the digit CNN and the score-box reader, and "
    "evaluate both on a held-out split rendered from other scene/world seeds. Writes the weights and "
    "the model card."
)


_MODELS = Path(__file__).resolve().parents[3] / "models"


class _Defaults:  # mirrors models.train.TrainConfig without importing torch at parser build time
    shards = "7000:1,9000:3,9000:4,9000:6:stream,9000:7:stream"
    box_shards = "7000:1,9000:3,9000:4"
    test_sets = "5000:5:stream,5000:2"
    epochs, box_epochs, batch_size, lr, box_lr = 10, 20, 64, 1e-3, 2e-3
    blocks, seed, threads = 2, 1, 2
    out, box_out, card = _MODELS / "digits.pt", _MODELS / "scorebox.pt", _MODELS / "MODEL_CARD.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = _Defaults
    parser.add_argument(
        "--cases",
        default=d.shards,
        metavar="N[:SEED[:QUALITY[:STYLE]]],...",
        help="training HUD renders as shards of N cases drawn with generator SEED, damaged with "
        f"the QUALITY mix (stress|stream; default stress) (default {d.shards})",
    )
    parser.add_argument(
        "--box-cases",
        default=d.box_shards,
        metavar="N[:SEED[:QUALITY[:STYLE]]],...",
        help=f"the score-box reader's training shards, the same way (default {d.box_shards})",
    )
    parser.add_argument(
        "--test-sets",
        default=d.test_sets,
        metavar="N[:SEED[:QUALITY[:STYLE]]],...",
        help=f"held-out sets, the same way; the first is the headline (default {d.test_sets})",
    )
    parser.add_argument(
        "--only",
        choices=("digits", "box", "card"),
        default=None,
        help="train one network (the card is still written, evaluating the other as it is); "
        "card: train nothing, only evaluate the weights as they are and write the card",
    )
    parser.add_argument("--epochs", type=int, default=d.epochs, help="digit CNN epochs")
    parser.add_argument("--box-epochs", type=int, default=d.box_epochs, help="score-box reader epochs")
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--lr", type=float, default=d.lr)
    parser.add_argument(
        "--blocks",
        type=int,
        choices=(1, 2),
        default=d.blocks,
        help="digit CNN depth: 1 = the 2019 write-up's network (use with --lr 5e-4 --epochs 13 "
        "--batch-size 32), 2 = the shipped one",
    )
    parser.add_argument("--seed", type=int, default=d.seed, help="torch seed")
    parser.add_argument("--threads", type=int, default=d.threads, help="torch CPU threads")
    parser.add_argument("--no-augment", action="store_true", help="no shift/contrast augmentation")
    parser.add_argument(
        "--glyph-aug",
        action="store_true",
        help="also augment the digit crops' glyph shape (slant, width, stroke weight, blur, "
        "sub-pixel shift: models.train.GlyphAug), for faces training never drew",
    )
    parser.add_argument(
        "--resample-aug",
        action="store_true",
        help="also draw the digit crops at the detail of smaller frames (shrunk and scaled back "
        "up: models.train.ResampleAug)",
    )
    parser.add_argument(
        "--box-glyph-aug",
        action="store_true",
        help="the same for the score-box reader's windows, digit size too (models.train.BOX_GLYPH_AUG)",
    )
    parser.add_argument(
        "--detector-boxes",
        action="store_true",
        help="find the training renders' kill boxes as `vodstream run` does, the learned detector "
        "asked where the layout rules find none: the readers learn the boxes only it finds too",
    )
    parser.add_argument(
        "--ten-classes",
        action="store_true",
        help="no 11th 'not a single digit' class (the 2019 network exactly)",
    )
    parser.add_argument(
        "--out", type=Path, default=d.out, help="digit CNN weights (default models/digits.pt)"
    )
    parser.add_argument(
        "--box-out", type=Path, default=d.box_out, help="score-box weights (default models/scorebox.pt)"
    )
    parser.add_argument("--card", type=Path, default=d.card, help="model card to write")
    parser.add_argument("--no-card", action="store_true", help="do not write the model card")
    parser.add_argument(
        "--init-digits",
        type=Path,
        default=None,
        help="fine-tune these digit CNN weights instead of training from scratch",
    )
    parser.add_argument(
        "--init-box",
        type=Path,
        default=None,
        help="fine-tune these score-box weights instead of training from scratch",
    )
    parser.add_argument("--box-lr", type=float, default=d.box_lr, help="score-box reader learning rate")
    parser.add_argument(
        "--cache", type=Path, default=None, help="directory to cache/reuse the rendered HUD sets (.npz)"
    )
    from models import finetune

    finetune.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import structlog

    if args.labels:
        from models.finetune import run_from_args

        for line in run_from_args(args):
            print(line)
        return 0

    from models.train import GlyphAug, ResampleAug, TrainConfig, parse_shards, run_training
    from vodstream.errors import VodstreamError

    try:
        shards = parse_shards(args.cases)
        box_shards = parse_shards(args.box_cases)
        test_sets = parse_shards(args.test_sets, "held-out set")
    except ValueError as e:
        raise VodstreamError(str(e)) from None
    cfg = TrainConfig(
        shards=shards,
        box_shards=box_shards,
        test_sets=test_sets,
        epochs=args.epochs,
        box_epochs=args.box_epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        blocks=args.blocks,
        seed=args.seed,
        threads=args.threads,
        augment=not args.no_augment,
        glyph_aug=GlyphAug() if args.glyph_aug else None,
        resample=ResampleAug() if args.resample_aug else None,
        box_glyph_aug=args.box_glyph_aug,
        not_digit=not args.ten_classes,
        what=() if args.only == "card" else (args.only,) if args.only else ("digits", "box"),
        out=args.out,
        box_out=args.box_out,
        card=None if args.no_card else args.card,
        cache_dir=args.cache,
        detector_boxes=args.detector_boxes,
        init_digits=args.init_digits,
        init_box=args.init_box,
        box_lr=args.box_lr,
    )
    meta = run_training(cfg)
    log = structlog.get_logger(__name__)
    for name, path in (("digits", args.out), ("box", args.box_out)):
        m = meta.get(name)
        if isinstance(m, dict) and "train_seconds" in m:
            log.info("trained", model=name, weights=str(path), seconds=m["train_seconds"])
            print(f"{name}: {path}  ({m['train_seconds']} s training)")
    held = meta.get("held_out")
    if isinstance(held, dict):
        for set_name, r in held.items():
            print(
                f"held-out {set_name}: digits {r['digits']['accuracy'] * 100:.3f}%, "
                f"score-box numbers {r['box']['accuracy'] * 100:.3f}%"
            )
    if cfg.card is not None:
        print(f"model card: {cfg.card}")
    return 0
