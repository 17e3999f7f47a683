"""``vodstream train``: build a synthetic digit set and train the digit CNN (CPU, minutes)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "train the kill-digit CNN on synthetic HUD digits (writes models/digits.pt + MODEL_CARD.md)"
DESCRIPTION = (
    "Render random in-match HUDs (train split seeds), degrade them with a libx264 round trip or JPEG, "
    "extract digits with the reader's own code, train the 2019 network (Adam 5e-4) and evaluate on a "
    "held-out split rendered from other scene/world seeds. Writes the weights and the model card."
)


_MODELS = Path(__file__).resolve().parents[2] / "models"


class _Defaults:  # mirrors models.train.TrainConfig without importing torch at parser build time
    cases, test_cases, epochs, batch_size, lr = 7000, 3800, 13, 32, 5e-4
    seed, test_seed, threads = 1, 2, 1
    out, card = _MODELS / "digits.pt", _MODELS / "MODEL_CARD.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = _Defaults
    parser.add_argument("--cases", type=int, default=d.cases, help=f"training HUD renders (default {d.cases})")
    parser.add_argument("--test-cases", type=int, default=d.test_cases,
                        help=f"held-out HUD renders (default {d.test_cases}, about 1.5 digits each)")
    parser.add_argument("--epochs", type=int, default=d.epochs)
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--lr", type=float, default=d.lr)
    parser.add_argument("--seed", type=int, default=d.seed, help="training-set generator seed")
    parser.add_argument("--test-seed", type=int, default=d.test_seed, help="held-out generator seed")
    parser.add_argument("--threads", type=int, default=d.threads, help="torch CPU threads")
    parser.add_argument("--no-augment", action="store_true", help="no shift/contrast augmentation")
    parser.add_argument("--ten-classes", action="store_true",
                        help="no 11th 'not a single digit' class (the 2019 network exactly)")
    parser.add_argument("--out", type=Path, default=d.out, help="weights file (default models/digits.pt)")
    parser.add_argument("--card", type=Path, default=d.card, help="model card to write")
    parser.add_argument("--no-card", action="store_true", help="do not write the model card")
    parser.add_argument("--cache", type=Path, default=None,
                        help="directory to cache/reuse the rendered digit sets (.npz)")


def run(args: argparse.Namespace) -> int:
    import structlog

    from models.train import TrainConfig, run_training

    cfg = TrainConfig(cases=args.cases, test_cases=args.test_cases, epochs=args.epochs,
                      batch_size=args.batch_size, lr=args.lr, seed=args.seed, test_seed=args.test_seed,
                      threads=args.threads, augment=not args.no_augment, out=args.out, not_digit=not args.ten_classes,
                      card=None if args.no_card else args.card, cache_dir=args.cache)
    _, result, meta = run_training(cfg)
    structlog.get_logger(__name__).info("trained", weights=str(args.out), accuracy=result.accuracy)
    print(f"weights: {args.out}")  # noqa: T201
    print(f"train: {meta['train_digits']} digits from {meta['train_cases']} renders; "  # noqa: T201
          f"{meta['train_seconds']} s training, {meta['data_seconds']} s data")
    print(f"held-out: {result.n} digits, accuracy {result.accuracy * 100:.3f}% ({result.errors} errors)")  # noqa: T201
    print(result.report)  # noqa: T201
    print(result.confusion)  # noqa: T201
    return 0
