"""``vodstream label``: sample a VOD's HUD crops with the kill reader and label them on a local page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vodstream.labeling.labels import CropIndex

from vodstream.cli import options

HELP = "label the kill counter on a VOD's HUD crops in a local web page (for `train --labels`)"
DESCRIPTION = (
    "Sample a VOD the way `run` does (a run's --out folder: the VOD its report names; or a VOD / "
    "local file), read every HUD crop with the kill reader, write the crops (PNG) and index.json "
    "into a folder, and serve a page on 127.0.0.1 that shows them in time order with the reader's "
    "answer and confidence. Labels are saved to labels.json next to the crops. Given a folder this "
    "command wrote, it reopens it without sampling."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="RUN_DIR|VOD|FILE",
        help="a run's --out folder (or its <vod_id>/ folder), a Twitch VOD id/URL, a local video "
        "file, or a crop folder written by this command",
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0: any free one)"
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        metavar="PATH",
        help="kill-reader weights to read the crops with (a `train --labels` folder or a digit "
        "CNN .pt; default: the run's, else the shipped models)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="crop folder (default: <run>/<vod_id>/label/, or ./label-<name> for a VOD)",
    )
    parser.add_argument(
        "--fps",
        type=float,
        default=None,
        metavar="N",
        help="sample N frames per second instead of the keyframes (2 s) a run reads",
    )
    parser.add_argument(
        "--labels",
        type=Path,
        default=None,
        metavar="FILE",
        help="start from this labels file (it must be for the same VOD)",
    )
    parser.add_argument(
        "--analyze-quality",
        default=None,
        metavar="Q",
        help="variant to sample (default: the run's, else what `run` would analyse)",
    )
    options.add_twitch_base(parser)
    parser.add_argument(
        "--resample",
        action="store_true",
        help="sample again even when the folder already holds crops of this VOD, sampling and model",
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="write the crops and index, do not serve the page"
    )


def _set_aside_stale_labels(index: CropIndex) -> None:
    """After sampling anew: a labels.json made on other crops (another sampling, another VOD)
    is renamed, never overwritten or lost, and the user is told."""
    import json
    import time

    from vodstream.labeling.labels import LABELS_NAME, LabelsError, parse_labels

    path = index.folder / LABELS_NAME
    if not path.is_file():
        return
    try:
        parse_labels(json.loads(path.read_text(encoding="utf-8")), index, what=str(path))
    except (LabelsError, ValueError, OSError):
        aside = path.with_name(f"labels-{time.strftime('%Y%m%d-%H%M%S')}.json")
        path.replace(aside)
        print(f"vodstream: earlier labels were made on other crops; kept as {aside}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    import json
    import shutil

    import structlog

    from vodstream.cli.commands.run import check_model
    from vodstream.errors import VodstreamError
    from vodstream.labeling.labels import (
        INDEX_NAME,
        LABELS_NAME,
        CropIndex,
        LabelsError,
        find_label_source,
        parse_labels,
    )

    log = structlog.get_logger("vodstream.label")
    if not 0 <= args.port <= 65535:
        raise VodstreamError(f"--port {args.port}: want 0-65535")
    if args.fps is not None and not 0 < args.fps <= 60:
        raise VodstreamError(f"--fps {args.fps:g}: want more than 0 and at most 60")
    src = find_label_source(args.source, out=args.out)
    if not args.no_serve:
        from vodstream.labeling.server import check_port

        check_port(args.port)
    start_labels = None
    if args.labels is not None:
        try:
            start_labels = json.loads(args.labels.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise VodstreamError(f"cannot read labels {args.labels}: {err}") from None
        vod = start_labels.get("vod_id") if isinstance(start_labels, dict) else None
        if src.vod_id is not None and vod is not None and str(vod) != src.vod_id:
            raise LabelsError(
                f"{args.labels} holds labels for VOD {vod}, but {args.source} is VOD {src.vod_id}"
            )
    index = None
    if src.source is None:
        index = CropIndex.load(src.folder)
        if args.model is not None or args.fps is not None:
            print(
                "vodstream: --model/--fps do not apply to a crop folder (its crops were read already); "
                "give the run's folder to sample again",
                file=sys.stderr,
            )
    else:
        model = (
            check_model(args.model) if args.model is not None else (Path(src.model) if src.model else None)
        )
        sampling = f"fps={args.fps:g}" if args.fps else "keyframes"
        if (src.folder / INDEX_NAME).is_file() and not args.resample:
            old = CropIndex.load(src.folder)
            same_quality = args.analyze_quality is None or args.analyze_quality == old.quality
            if (old.source, old.vod_id, old.sampling, old.model) == (
                src.source,
                src.vod_id or old.vod_id,
                sampling,
                str(model) if model else None,
            ) and same_quality:
                index = old  # the same crops: keep them (and their labels)
                log.info("reusing the crops", folder=str(src.folder))
    if index is None:
        import torch

        from models.net import load_reader_models
        from vodstream.labeling.labels import sample_crops
        from vodstream.readers.killreader import KillReader

        torch.set_num_threads(1)
        try:
            digits, box = load_reader_models(model)
        except (FileNotFoundError, ValueError, KeyError, RuntimeError) as err:
            raise VodstreamError(f"cannot load the kill reader's weights: {err}") from None
        assert src.source is not None  # (a crop folder was loaded above)
        log.info("sampling", source=src.source, folder=str(src.folder))
        index = sample_crops(
            src.source,
            src.folder,
            reader=KillReader(digits, box_model=box),
            model=str(model) if model else None,
            quality=args.analyze_quality or src.quality,
            twitch_base=args.twitch_base or src.twitch_base,
            fps=args.fps,
            vod_id=src.vod_id,
            progress=lambda done, total: log.info("sampled", segments=done, of=total),
        )
        _set_aside_stale_labels(index)
    if start_labels is not None:
        parse_labels(start_labels, index, what=str(args.labels))
        dest = index.folder / LABELS_NAME
        if args.labels.resolve() != dest.resolve():
            shutil.copyfile(args.labels, dest.with_name(dest.name + ".tmp"))
            dest.with_name(dest.name + ".tmp").replace(dest)
    saved = index.folder / LABELS_NAME
    if saved.is_file():  # a labels file left here for other crops: say so now, not in the page
        try:
            doc = json.loads(saved.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise VodstreamError(f"cannot read labels {saved}: {err}") from None
        parse_labels(doc, index, what=str(saved))
    read = sum(c.reading is not None for c in index.crops)
    print(
        f"{len(index.crops)} crops of VOD {index.vod_id} in {index.folder} "
        f"(reader: {read} read, {len(index.crops) - read} unknown)",
        flush=True,
    )
    if args.no_serve:
        return 0
    if not index.crops:
        raise VodstreamError(f"{index.folder}: no crops show the in-match HUD; nothing to label")
    from vodstream.labeling.server import serve

    def ready(url: str) -> None:
        print(f"labelling page: {url}  (Ctrl-C to stop)", flush=True)

    try:
        serve(index, args.port, on_ready=ready)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0
