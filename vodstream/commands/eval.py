"""``vodstream eval``: the kill-counter networks on held-out renders (sklearn report + confusion matrix)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "evaluate the kill-counter networks on held-out synthetic HUDs (sklearn report + confusion matrix)"
DESCRIPTION = (
    "Render HUDs from the held-out split (scene and world seeds never used in training), degrade them "
    "(libx264 round trip / JPEG), extract digits with the reader's code and print scikit-learn's "
    "classification report and confusion matrix for the digit CNN, then the score-box reader's "
    "whole-number accuracy."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    models = Path(__file__).resolve().parents[2] / "models"
    parser.add_argument("--weights", type=Path, default=models / "digits.pt", help="digit CNN (default: shipped)")
    parser.add_argument("--box-weights", type=Path, default=models / "scorebox.pt",
                        help="score-box reader (default: shipped)")
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

    from models.data import box_set_from_cases, digits_from_cases
    from models.evaluate import ANALYSED_MIN_HEIGHT, evaluate, evaluate_box
    from models.net import load_box_model, load_model
    from models.train import load_or_build_cases
    from vodstream.errors import VodstreamError

    for path in (args.weights, args.box_weights):
        if not path.is_file():
            raise VodstreamError(f"no weights at {path} (run `python -m vodstream train`)")
    torch.set_num_threads(max(1, args.threads))
    try:
        model = load_model(args.weights)
        box_model = load_box_model(args.box_weights)
    except (ValueError, KeyError, RuntimeError) as e:
        raise VodstreamError(f"cannot load the weights: {e}") from None
    fonts = tuple(f for f in args.fonts.split(",") if f)
    cases = load_or_build_cases(args.cases, "test", args.seed, fonts=fonts, cache_dir=args.cache)
    ds = digits_from_cases(cases, not_digit=model.n_classes > 10)
    res = evaluate(model, ds.x, ds.y, heights=ds.heights)
    acc720, r720, n720 = res.accuracy_from()
    print(f"held-out digits: {res.n} (from {args.cases} renders, split 'test', seed {args.seed}; "  # noqa: T201
          f"extraction outcomes {dict(ds.stats)})")
    print(f"accuracy: {res.accuracy * 100:.3f}% ({res.errors} errors); frames >= {ANALYSED_MIN_HEIGHT} px: "  # noqa: T201
          f"{acc720 * 100:.3f}% ({r720}/{n720}); refused below confidence: {res.low_confidence}; "
          f"wrong above it: {res.wrong_confident}")
    print(res.report)  # noqa: T201
    if res.not_digit.get("examples"):
        nd = res.not_digit
        print(f"'not a single digit' class: caught {nd['caught']}/{nd['examples']} whole-number crops; "  # noqa: T201
              f"{nd['digits_called_not_digit']} real digits refused as not-a-digit (counted as errors above)")
    print("confusion matrix (rows = true 0-9, columns = predicted):")  # noqa: T201
    print(res.confusion)  # noqa: T201
    print("\nby source frame height:")  # noqa: T201
    print(res.height_table())  # noqa: T201
    bs = box_set_from_cases(cases)
    box = evaluate_box(box_model, bs.x, bs.y, heights=bs.heights)  # type: ignore[arg-type]
    bacc, br, bn = box.accuracy_from()
    print(f"\nscore-box reader: {box.n} held-out boxes, whole numbers right {box.accuracy * 100:.3f}%; "  # noqa: T201
          f"frames >= {ANALYSED_MIN_HEIGHT} px: {bacc * 100:.3f}% ({br}/{bn}); at its "
          f"{box.min_confidence} threshold it accepts {box.accepted}, {box.wrong_accepted} of them wrong")
    print(box.height_table())  # noqa: T201
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(json.dumps({"weights": str(args.weights), "cases": args.cases, "seed": args.seed,
                                   "outcomes": dict(ds.stats), **res.to_json(), "box": box.to_json()},
                                  indent=1))
        os.replace(tmp, args.json)
    return 0
