"""``vodstream eval``: the kill-counter networks on held-out renders (sklearn report + confusion matrix)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "evaluate the kill-counter networks on held-out synthetic HUDs (sklearn report + confusion matrix)"
DESCRIPTION = (
    "Render HUDs from the held-out split (scene and world seeds never used in training), degrade them "
    "(libx264 round trip / JPEG; the 'stream' and 'stress' mixes of models/data.QUALITIES), extract "
    "digits with the reader's code and print scikit-learn's "
    "classification report and confusion matrix for the digit CNN, then the score-box reader's "
    "whole-number accuracy."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    models = Path(__file__).resolve().parents[3] / "models"
    parser.add_argument(
        "--weights", type=Path, default=models / "digits.pt", help="digit CNN (default: shipped)"
    )
    parser.add_argument(
        "--box-weights", type=Path, default=models / "scorebox.pt", help="score-box reader (default: shipped)"
    )
    parser.add_argument(
        "--sets",
        default="5000:5:stream,5000:2",
        metavar="N[:SEED[:QUALITY]],...",
        help="held-out sets: N renders drawn with generator SEED, damaged with the QUALITY mix "
        "(stream|stress; default stress); the first gets the full report "
        "(default 5000:5:stream,5000:2, >= 5,000 digits at >= 720 px each)",
    )
    parser.add_argument("--fonts", default="", help="comma-separated HUD fonts (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    parser.add_argument("--cache", type=Path, default=None, help="directory to cache/reuse the rendered sets")


def run(args: argparse.Namespace) -> int:
    import os

    import torch

    from models.evaluate import ANALYSED_MIN_HEIGHT
    from models.net import load_box_model, load_model
    from models.train import evaluate_sets, load_test_sets, parse_shards
    from vodstream.errors import VodstreamError

    for path in (args.weights, args.box_weights):
        if not path.is_file():
            raise VodstreamError(f"no weights at {path} (run `python -m vodstream train`)")
    try:
        sets = parse_shards(args.sets, "held-out set")
    except ValueError as e:
        raise VodstreamError(str(e)) from None
    torch.set_num_threads(max(1, args.threads))
    try:
        model = load_model(args.weights)
        box_model = load_box_model(args.box_weights)
    except (ValueError, KeyError, RuntimeError) as e:
        raise VodstreamError(f"cannot load the weights: {e}") from None
    assert box_model is not None  # the file was checked above
    fonts = tuple(f for f in args.fonts.split(",") if f)
    results = evaluate_sets(model, box_model, load_test_sets(sets, fonts=fonts, cache_dir=args.cache))
    for i, r in enumerate(results):
        res, box = r.digits, r.box
        acc720, r720, n720 = res.accuracy_from()
        print(f"{'' if i == 0 else chr(10)}== held-out set {r.name} ==")
        print(f"held-out digits: {res.n} (split 'test'; extraction outcomes {r.outcomes})")
        print(
            f"accuracy: {res.accuracy * 100:.3f}% ({res.errors} errors); frames >= {ANALYSED_MIN_HEIGHT} px: "
            f"{acc720 * 100:.3f}% ({r720}/{n720}); refused below confidence: {res.low_confidence}; "
            f"wrong above it: {res.wrong_confident}"
        )
        if i == 0:
            print(res.report)
            if res.not_digit.get("examples"):
                nd = res.not_digit
                print(
                    f"'not a single digit' class: caught {nd['caught']}/{nd['examples']} whole-number crops; "
                    f"{nd['digits_called_not_digit']} real digits refused as not-a-digit "
                    "(counted as errors above)"
                )
            print("confusion matrix (rows = true 0-9, columns = predicted):")
            print(res.confusion)
        print("by source frame height:")
        print(res.height_table())
        bacc, br, bn = box.accuracy_from()
        print(
            f"score-box reader: {box.n} held-out boxes, whole numbers right {box.accuracy * 100:.3f}%; "
            f"frames >= {ANALYSED_MIN_HEIGHT} px: {bacc * 100:.3f}% ({br}/{bn}); at its "
            f"{box.min_confidence} threshold it accepts {box.accepted}, {box.wrong_accepted} of them wrong"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.json.with_name(args.json.name + ".tmp")
        tmp.write_text(
            json.dumps(
                {
                    "weights": str(args.weights),
                    "box_weights": str(args.box_weights),
                    "sets": {
                        r.name: {"outcomes": r.outcomes, **r.digits.to_json(), "box": r.box.to_json()}
                        for r in results
                    },
                },
                indent=1,
            )
        )
        os.replace(tmp, args.json)
    return 0
