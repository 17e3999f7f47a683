"""Labelling the kill counter: what the reader saw, and what the user says it shows.

``vodstream label`` samples a VOD the way a run does (the project's decoder), reads every
sample's HUD with the kill reader, and writes, into one folder:

- ``000000.png`` ...: the HUD crops (the top-right region the reader reads, lossless), in
  VOD-time order; only samples where the in-match HUD or the kill box shows;
- ``index.json``: the VOD, and per crop its ``frame_num`` (position in time order), VOD time,
  file, and the reader's answer and confidence;
- ``labels.json`` (when the user saves): the 2019 write-up's shape,
  ``{"labels": [{"frame_num": .., "label": ..}]}``, where each label also names its VOD
  (``vod_id``), VOD time (``vod_time``) and crop file (``crop``). ``label`` is the number the
  counter shows, or ``null`` for a crop marked unreadable (no number can be read there).

``vodstream train --labels labels.json`` reads the crops back through :func:`load_labelled`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vodstream.errors import VodstreamError

__all__ = [
    "FORMAT",
    "INDEX_NAME",
    "LABELS_NAME",
    "CropIndex",
    "CropInfo",
    "LabelSource",
    "LabelledCrop",
    "LabelsError",
    "find_label_source",
    "labels_document",
    "load_labelled",
    "load_labels",
    "parse_labels",
    "sample_crops",
    "save_labels",
    "write_index",
]

FORMAT = 1
INDEX_NAME = "index.json"
LABELS_NAME = "labels.json"
MAX_KILLS = 99


class LabelsError(VodstreamError):
    """A labels file or labelling request that does not fit its crops."""


@dataclass(frozen=True)
class CropInfo:
    """One sampled HUD crop and what the reader made of it."""

    frame_num: int  # position in VOD-time order (the 2019 write-up's frame number)
    vod_time: float
    crop: str  # file name, in the index's folder
    reading: int | None  # the reader's answer (None: unknown)
    confidence: float
    reason: str  # the reader's reason ("ok", "ok_box", "low_confidence", ...)
    hud_visible: bool
    skull: tuple[int, int] | None = (
        None  # the skull's top-left in the 560x175 reference crop (the page zooms there)
    )


def _read_json(path: Path, *, missing: str, unreadable: str) -> Any:
    """A JSON file's document; a missing or unreadable file is one LabelsError line."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LabelsError(missing) from None
    except (OSError, ValueError) as err:
        raise LabelsError(f"{unreadable}: {err}") from None


@dataclass
class CropIndex:
    """The crops of one VOD in one folder (``index.json``)."""

    folder: Path
    vod_id: str
    source: str  # what was sampled: a Twitch id/URL or a local file
    quality: str  # the variant sampled
    model: str | None  # the weights that read them (None: shipped)
    sampling: str  # "keyframes" or "fps=N"
    crops: list[CropInfo] = field(default_factory=list)
    skipped: int = 0  # samples without the in-match HUD or kill box (not kept)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "vod_id": self.vod_id,
            "source": self.source,
            "quality": self.quality,
            "model": self.model,
            "sampling": self.sampling,
            "skipped": self.skipped,
            "crops": [asdict(c) for c in self.crops],
        }

    @classmethod
    def load(cls, folder: Path) -> CropIndex:
        path = Path(folder) / INDEX_NAME
        doc = _read_json(
            path,
            missing=f"{folder}: no {INDEX_NAME} (not a folder written by `vodstream label`)",
            unreadable=f"cannot read {path}",
        )
        try:
            crops = [
                CropInfo(
                    int(c["frame_num"]),
                    float(c["vod_time"]),
                    str(c["crop"]),
                    None if c.get("reading") is None else int(c["reading"]),
                    float(c.get("confidence", 0.0)),
                    str(c.get("reason", "")),
                    bool(c.get("hud_visible")),
                    tuple(c["skull"]) if c.get("skull") else None,
                )
                for c in doc["crops"]
            ]
            return cls(
                Path(folder),
                str(doc["vod_id"]),
                str(doc.get("source", "")),
                str(doc.get("quality", "")),
                doc.get("model"),
                str(doc.get("sampling", "")),
                crops,
                int(doc.get("skipped", 0)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise LabelsError(f"{path}: not a crop index ({type(err).__name__}: {err})") from None

    def by_frame(self) -> dict[int, CropInfo]:
        return {c.frame_num: c for c in self.crops}


def _atomic_write(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _png(path: Path, rgb: np.ndarray) -> None:
    tmp = path.with_name(path.stem + ".tmp.png")
    if not cv2.imwrite(str(tmp), cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR)):
        raise VodstreamError(f"cannot write {path}")
    os.replace(tmp, path)


def write_index(
    folder: Path,
    *,
    vod_id: str,
    source: str,
    quality: str,
    model: str | None,
    sampling: str,
    items: Iterable[tuple[float, np.ndarray]],
    reader: Any,
    batch: int = 64,
    keep: Callable[[Any], bool] | None = None,
) -> CropIndex:
    """Read (vod_time, HUD crop) items with ``reader`` (a KillReader), keep those showing the
    in-match HUD or the kill box (``keep`` overrides), write them as PNGs and the index last.

    A previous index in ``folder`` is removed first, so no index ever names crops of another
    sampling; labels.json is left alone (:func:`parse_labels` checks it against the new index).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / INDEX_NAME).unlink(missing_ok=True)
    keep = keep or (lambda r: bool(r.hud_visible) or r.reason != "no_kill_box")
    index = CropIndex(folder, vod_id, source, quality, model, sampling)
    pending: list[tuple[float, np.ndarray]] = []

    from vodstream.readers.digits import find_skull
    from vodstream.readers.hudlocate import legacy_ref
    from vodstream.readers.killreader import WEAK_SKULL_SCORE

    def flush() -> None:
        readings = reader.read_huds([h for _, h in pending])
        for (t, hud), r in zip(pending, readings, strict=True):
            if not keep(r):
                index.skipped += 1
                continue
            n = len(index.crops)
            name = f"{n:06d}.png"
            _png(folder / name, hud)
            skull = find_skull(legacy_ref(hud)[0], min_score=WEAK_SKULL_SCORE)
            index.crops.append(
                CropInfo(
                    n,
                    round(float(t), 3),
                    name,
                    r.kills,
                    round(float(r.confidence), 4),
                    str(r.reason),
                    bool(r.hud_visible),
                    (skull.x, skull.y) if skull is not None else None,
                )
            )
        pending.clear()

    last = -math.inf
    for t, hud in items:
        if t < last:
            raise ValueError("crops must come in VOD-time order")
        last = t
        pending.append((t, hud))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    _atomic_write(folder / INDEX_NAME, json.dumps(index.to_json(), indent=1) + "\n")
    return index


# -- what to sample ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelSource:
    """What ``vodstream label ARG`` names."""

    source: str | None  # a VOD to sample (None: an existing crop folder)
    folder: Path  # where the crops, index and labels live
    quality: str | None = None  # the variant the run analysed
    model: str | None = None  # the weights the run used
    vod_id: str | None = None  # the run's VOD id (a labels file must match it)
    twitch_base: str | None = None  # the server the run fetched the VOD from (None: Twitch)


def find_label_source(arg: str, *, out: Path | None = None) -> LabelSource:
    """Interpret ``vodstream label``'s argument.

    - a crop folder (holds ``index.json``): reopen it, no sampling;
    - a run's ``--out`` folder, or its ``<vod_id>/`` folder (holds ``report.json``): the VOD the
      report names, at the quality the run analysed; crops go to ``<vod_id>/label/``;
    - anything else that exists locally must be a video file; otherwise a Twitch id or URL.
      Crops go to ``out`` (default ``./label-<name>``).
    A folder that is none of these is an error.
    """
    p = Path(arg).expanduser()
    if p.is_dir():
        if (p / INDEX_NAME).is_file():
            return LabelSource(None, out or p)
        reports = [p / "report.json"] if (p / "report.json").is_file() else sorted(p.glob("*/report.json"))
        if not reports:
            raise VodstreamError(
                f"{arg}: not a run folder (no report.json in it or its subfolders; "
                "give a run's --out folder, a VOD, or a folder written by `vodstream label`)"
            )
        if len(reports) > 1:
            names = ", ".join(str(r.parent) for r in reports[:5])
            raise VodstreamError(f"{arg}: the run holds {len(reports)} VODs; give one of: {names}")
        return _from_report(reports[0], out)
    if p.is_file() and p.name == "report.json":
        return _from_report(p, out)
    name = "".join(
        ch if ch.isalnum() or ch in "-_." else "_" for ch in (p.stem if p.is_file() else arg.rstrip("/"))
    )
    return LabelSource(arg, out or Path(f"label-{name[-60:] or 'vod'}"))


def _from_report(report_path: Path, out: Path | None) -> LabelSource:
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        vod_id = str(report["vod_id"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise VodstreamError(f"{report_path}: not a run report ({err})") from None
    source = str(report.get("source") or vod_id)
    src = Path(source).expanduser()
    if "://" not in source and not src.exists() and (os.sep in source or src.suffix):
        # a local file the run read: give the path as the run saw it, or from here
        raise VodstreamError(
            f"{report_path}: the run's video {source} is not found from here "
            "(run `vodstream label` where the run was started, or give the video file)"
        )
    settings = report.get("settings") or {}
    quality = settings.get("analyze_quality")
    return LabelSource(
        str(source),
        out or report_path.parent / "label",
        quality if quality and quality != "file" else None,
        settings.get("model"),
        vod_id,
        settings.get("twitch_base") or None,
    )


def sample_crops(
    source: str,
    folder: Path,
    *,
    reader: Any,
    model: str | None = None,
    quality: str | None = None,
    twitch_base: str | None = None,
    fps: float | None = None,
    vod_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CropIndex:
    """Sample ``source`` as a run would (its analysis variant, the project's decoder; keyframes,
    or ``fps`` samples per second), read every HUD with ``reader`` and write the crop folder."""
    import asyncio

    from vodstream.media.decode import Decoder
    from vodstream.sources.fetch import SegmentFetcher
    from vodstream.sources.plan import fetch_config, resolve_for_analysis
    from vodstream.types import SegmentData

    resolved = resolve_for_analysis(source, analyze_quality=quality, twitch_base=twitch_base)
    if vod_id is not None and resolved.vod_id != vod_id:
        raise LabelsError(f"{source} is VOD {resolved.vod_id}, but the run's report is for VOD {vod_id}")
    decoder = Decoder(mode="fps", sample_fps=fps) if fps else Decoder(mode="keyframes")
    segments = resolved.segments
    if not segments:
        raise VodstreamError(f"{source}: no Apex segments to sample")

    async def fetch(chunk: Sequence[Any]) -> list[SegmentData]:
        out: list[SegmentData] = []
        async with SegmentFetcher(concurrency=4, **fetch_config(resolved)) as fetcher:
            async for item in fetcher.stream(chunk):
                if isinstance(item, SegmentData):
                    out.append(item)
        return out

    def items() -> Iterable[tuple[float, np.ndarray]]:
        # a few segments' bytes at a time (~10 s each), decoded and dropped
        for i in range(0, len(segments), 8):
            for data in asyncio.run(fetch(segments[i : i + 8])):
                for s in decoder.decode(data).samples:
                    yield s.vod_time, s.hud
            if progress is not None:
                progress(min(i + 8, len(segments)), len(segments))

    return write_index(
        folder,
        vod_id=resolved.vod_id,
        source=source,
        quality=resolved.quality,
        model=model,
        sampling=f"fps={fps:g}" if fps else "keyframes",
        items=items(),
        reader=reader,
    )


# -- labels ----------------------------------------------------------------------------------------


def parse_labels(doc: Mapping[str, Any], index: CropIndex, *, what: str = "labels") -> dict[int, int | None]:
    """``{"vod_id": .., "labels": [{"frame_num": .., "label": ..}, ...]}`` checked against the
    crops: same VOD, known frame numbers (and crop files, where given), labels 0-99 or null."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("labels"), list):
        raise LabelsError(f'{what}: want a JSON object with a "labels" list')
    vod = doc.get("vod_id")
    if vod is not None and str(vod) != index.vod_id:
        raise LabelsError(
            f"{what} are for VOD {vod}, but the crops in {index.folder} are from VOD {index.vod_id}"
        )
    frames = index.by_frame()
    out: dict[int, int | None] = {}
    for i, item in enumerate(doc["labels"]):
        if not isinstance(item, Mapping) or "frame_num" not in item or "label" not in item:
            raise LabelsError(f'{what}: label {i} needs "frame_num" and "label"')
        if item.get("vod_id") is not None and str(item["vod_id"]) != index.vod_id:
            raise LabelsError(
                f"{what}: label {i} is for VOD {item['vod_id']}, "
                f"but the crops in {index.folder} are from VOD {index.vod_id}"
            )
        fn, lab = item["frame_num"], item["label"]
        if not isinstance(fn, int) or isinstance(fn, bool) or fn not in frames:
            raise LabelsError(f"{what}: label {i}: no crop with frame_num {fn!r} (0..{len(frames) - 1})")
        if item.get("crop") is not None and item["crop"] != frames[fn].crop:
            raise LabelsError(f"{what}: label {i}: frame {fn} is crop {frames[fn].crop}, not {item['crop']}")
        vt = item.get("vod_time")
        if isinstance(vt, (int, float)) and abs(float(vt) - frames[fn].vod_time) > 0.01:
            raise LabelsError(
                f"{what}: label {i}: frame {fn} is at {frames[fn].vod_time:.3f} s in these crops, "
                f"not {float(vt):.3f} s (labels of another sampling of the VOD)"
            )
        if lab is not None and (
            not isinstance(lab, int) or isinstance(lab, bool) or not 0 <= lab <= MAX_KILLS
        ):
            raise LabelsError(
                f"{what}: label {i} (frame {fn}): want a kill count 0-{MAX_KILLS} or null, got {lab!r}"
            )
        out[fn] = lab
    return out


def labels_document(index: CropIndex, labels: Mapping[int, int | None]) -> dict[str, Any]:
    """The labels file: the 2019 shape plus the VOD, VOD time and crop file of each label."""
    frames = index.by_frame()
    return {
        "format": FORMAT,
        "vod_id": index.vod_id,
        "source": index.source,
        "index": INDEX_NAME,
        "labels": [
            {
                "frame_num": fn,
                "label": labels[fn],
                "vod_id": index.vod_id,
                "vod_time": frames[fn].vod_time,
                "crop": frames[fn].crop,
            }
            for fn in sorted(labels)
        ],
    }


def save_labels(index: CropIndex, labels: Mapping[int, int | None]) -> Path:
    """Write ``labels.json`` next to the crops (atomically)."""
    doc = labels_document(index, labels)
    return _atomic_write(index.folder / LABELS_NAME, json.dumps(doc, indent=1) + "\n")


def load_labels(path: Path) -> tuple[CropIndex, dict[int, int | None]]:
    """A labels file and the crop index next to it, checked against each other."""
    path = Path(path)
    doc = _read_json(path, missing=f"no labels file {path}", unreadable=f"cannot read labels {path}")
    index = CropIndex.load(path.parent)  # the crops and their index sit next to the labels
    return index, parse_labels(doc, index, what=str(path))


@dataclass
class LabelledCrop:
    """A labelled HUD crop, ready for training or evaluation."""

    hud: np.ndarray  # RGB uint8
    label: int | None  # None: unreadable
    vod_id: str
    frame_num: int
    vod_time: float


def load_labelled(paths: Sequence[Path]) -> list[LabelledCrop]:
    """Every labelled crop of the given labels files, in file and time order."""
    out: list[LabelledCrop] = []
    for path in paths:
        index, labels = load_labels(path)
        frames = index.by_frame()
        for fn in sorted(labels):
            info = frames[fn]
            img = cv2.imread(str(index.folder / info.crop), cv2.IMREAD_COLOR)
            if img is None:
                raise LabelsError(f"{path}: crop {info.crop} is missing or unreadable in {index.folder}")
            out.append(
                LabelledCrop(
                    cv2.cvtColor(img, cv2.COLOR_BGR2RGB), labels[fn], index.vod_id, fn, info.vod_time
                )
            )
    return out
