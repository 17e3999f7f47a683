"""``vodstream eval``: classification report + confusion matrix of the digit CNN on held-out digits."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "evaluate the kill-digit CNN on held-out synthetic digits (sklearn report + confusion matrix)"
DESCRIPTION = (
    "Render HUDs from the held-out split (scene and world seeds never used in training), degrade them "
    "(libx264 round trip / JPEG), extract digits with the reader's code and print scikit-learn's "
    "classification report and confusion matrix for the given weights."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    weights = Path(__file__).resolve().parents[2] / "models" / "digits.pt"
    parser.add_argument("--weights", type=Path, default=weights, help="weights (default: shipped)")
    parser.add_argument("--cases", type=int, default=3800,
                        help="held-out HUD renders (default 3800, >= 5,000 digits)")
    parser.add_argument("--seed", type=int, default=2, help="held-out generator seed")
    parser.add_argument("--fonts", default="", help="comma-separated HUD fonts (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--cache", type=Path, default=None, help="directory to cache/reuse the digit set")


def run(args: argparse.Namespace) -> int:
    import os

    import torch

    from models.evaluate import evaluate
    from models.net import load_model
    from models.train import load_or_build
    from vodstream.errors import VodstreamError

    if not args.weights.is_file():
        raise VodstreamError(f"no weights at {args.weights} (run `python -m vodstream train`)")
    torch.set_num_threads(max(1, args.threads))
    model = load_model(args.weights)
    fonts = tuple(f for f in args.fonts.split(",") if f)
    ds = load_or_build(args.cases, "test", args.seed, fonts=fonts, cache_dir=args.cache,
                       not_digit=model.n_classes > 10)
    res = evaluate(model, ds.x, ds.y, heights=ds.heights)
    print(f"held-out digits: {res.n} (from {args.cases} renders, split 'test', seed {args.seed}; "  # noqa: T201
          f"extraction outcomes {dict(ds.stats)})")
    print(f"accuracy: {res.accuracy * 100:.3f}% ({res.errors} errors); refused below confidence: "  # noqa: T201
          f"{res.low_confidence}; wrong above it: {res.wrong_confident}")
    print(res.report)  # noqa: T201
    if res.not_digit.get("examples"):
        nd = res.not_digit
        print(f"'not a single digit' class: caught {nd['caught']}/{nd['examples']} whole-number crops; "  # noqa: T201
              f"{nd['digits_called_not_digit']} real digits refused as not-a-digit (counted as errors above)")
    print("confusion matrix (rows = true 0-9, columns = predicted):")  # noqa: T201
    print(res.confusion)  # noqa: T201
    print("\nby source frame height:")  # noqa: T201
    print(res.height_table())  # noqa: T201
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(json.dumps({"weights": str(args.weights), "cases": args.cases, "seed": args.seed,
                                   "outcomes": dict(ds.stats), **res.to_json()}, indent=1))
        os.replace(tmp, args.json)
    return 0
