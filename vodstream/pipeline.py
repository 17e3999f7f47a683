"""The job behind ``vodstream run`` / ``analyze``: driver-side orchestration over the actor graph.

1. Resolve every input (Twitch id/URL, .m3u8 URL, local file) at clip quality and at analysis
   quality ("analyse low, clip high"); drop non-Apex chapters without fetching them.
2. Analyse all VODs at once on the Ray actor graph (:mod:`actors.pipeline`), recording every
   segment's result in the run store (``--resume``) as it completes.
3. Pick the best match (most kills) and the top N; cut them from the clip-quality variant with the
   clipper actor pinned to this node (only the segments the match spans are fetched).
4. Write report.json + report.html per VOD and index everything in the results catalogue.

Ray is imported lazily: importing this module does not start or need Ray. Stage logic lives in
the stage modules; here is only wiring.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from vodstream import __version__
from vodstream import log as logconf
from vodstream.errors import VodstreamError
from vodstream.store.runstore import RunStore
from vodstream.types import Match, Sample, Score, Segment, SegmentData

if TYPE_CHECKING:
    from vodstream.sources.twitch import ResolvedVod

__all__ = [
    "ANALYZE_FALLBACKS",
    "CLIP_TAIL",
    "DEFAULT_ANALYZE_QUALITY",
    "DEFAULT_CLIP_QUALITY",
    "RunSettings",
    "VodOutcome",
    "best_index",
    "clip_from_report",
    "clip_window",
    "end_screen_thumbs",
    "make_scorer",
    "ray_session",
    "resolve_for_analysis",
    "run_job",
    "top_indices",
]

log = structlog.get_logger(__name__)

# The lowest variant measured as accurate as the source (benchmarks/pipeline_bench.py
# --quality-sweep): 720p matched the source on every synthetic VOD; 480p30 missed a SPECTATING
# screen on the test VOD (a spectated teammate's kills taken as the player's), so it is not the default.
DEFAULT_ANALYZE_QUALITY = "720p30"
# Tried in order when the default analysis quality is missing from a VOD (never when the user asked).
ANALYZE_FALLBACKS = ("720p30", "720p60", "720p", "best")
DEFAULT_CLIP_QUALITY = "chunked"
CLIP_HEAD = 0.0  # seconds before the SELECT LEGEND moment (the cut snaps to the keyframe before)
CLIP_TAIL = 8.0  # seconds after the end screen first shows, so the clip shows it
OBJECT_STORE_BYTES = 256 * 1024 * 1024
RUNSTORE_NAME = "runstore.sqlite"


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    out: Path
    top: int = 1
    clip: bool = True
    analyze_quality: str | None = None  # None: DEFAULT_ANALYZE_QUALITY with fallbacks
    clip_quality: str = DEFAULT_CLIP_QUALITY
    reencode: bool = False
    address: str | None = None  # None: embedded ray.init(); "auto" or "ray://..."
    resume: bool = False
    fresh: bool = False  # drop DIR's run store first (a corrupt one, say)
    twitch_base: str | None = None
    auth_token: str | None = field(default=None, repr=False)  # OAuth for sub-only VODs; never logged
    concurrency: int = 8  # concurrent GETs per VOD
    inflight_per_vod: int = 6
    inflight_total: int = 12
    decoders: int | None = None  # None: sized from the cluster's CPUs (see GraphConfig)
    scorers: int | None = None
    batch_segments: int = 4
    decode_mode: str = "keyframes"
    data_dir: Path | None = None
    catalog: bool = True
    progress: bool | None = None  # None: bars when stderr is a TTY
    num_cpus: int | None = None  # embedded Ray only
    ship_code: bool = False  # send vodstream/actors/models to the cluster (runtime_env)
    model: Path | None = None  # kill-reader weights: a `train --labels` folder or a digit CNN .pt
    # (None: the shipped models); travels to the scorer actors
    checkpoint_every: int = 30  # segments between tracker checkpoints in the run store
    refine_fps: float | None = 5.0  # dense re-sampling before end screens/SPECTATING (None: off)


@dataclass(kw_only=True)
class VodOutcome:
    input: str
    vod_id: str
    out_dir: Path
    report: dict[str, Any]
    report_json: Path
    report_html: Path
    clips: list[Path] = field(default_factory=list)


class JobResult(list):  # list[VodOutcome] plus what failed
    """The outcomes in input order; ``failures``: one line per VOD that could not be processed."""

    failures: list[str]

    @property
    def exit_status(self) -> int:
        """0 complete, 1 nothing analysed, 3 partial (see :mod:`vodstream.report.outcome`)."""
        from vodstream.report.outcome import exit_status

        return exit_status([o.report["outcome"]["status"] for o in self], len(self.failures))


# -- helpers the actors call (kept here so the actors stay thin) ------------------------------


def make_scorer(*, model_path: str | None = None, device: str = "cpu") -> Any:
    """The batch scorer: kill counter (CNN) + screen markers (tesseract), loaded once.

    ``model_path``: the kill reader's weights, as ``--model`` names them (a folder written by
    ``vodstream train --labels``, or a digit CNN ``.pt``; see :func:`models.net.reader_weights`);
    None: the shipped models. It comes in the run's settings (``RunSettings.model``), never from
    the environment of the process this runs in.
    """
    from models.net import load_reader_models
    from vodstream.readers.killreader import KillReader
    from vodstream.readers.markers import MarkerReader
    from vodstream.readers.scoring import Scorer

    model, box_model = load_reader_models(model_path, device=device)
    return Scorer(KillReader(model, device=device, box_model=box_model), MarkerReader())


def end_screen_thumbs(
    samples: Sequence[Sample], scores: Sequence[Score], *, limit: int = 2
) -> dict[float, bytes]:
    """Small JPEGs of the marker region where an end screen was read (for report.html)."""
    from vodstream.report.document import thumbnail_jpeg

    out: dict[float, bytes] = {}
    for sample, score in zip(samples, scores, strict=False):
        if score.marker is not None and score.marker.kind == "end" and len(out) < limit:
            out[float(sample.vod_time)] = thumbnail_jpeg(sample.text)
    return out


def write_clip_parts(
    parts: Iterable[SegmentData], out: str | Path, *, start: float, end: float, reencode: bool = False
) -> Any:
    from vodstream.media.clip import write_clip

    return write_clip(parts, Path(out), start=start, end=end, reencode=reencode)


async def clip_segments(
    segments: Sequence[Segment],
    out: str | Path,
    *,
    start: float,
    end: float,
    reencode: bool = False,
    fetch_config: dict[str, Any] | None = None,
    concurrency: int = 4,
    buffer: int = 4,
) -> dict[str, Any]:
    """Fetch ``segments`` in order and cut [start, end] into ``out``; memory stays bounded.

    The fetcher runs on this event loop; :func:`vodstream.media.clip.write_clip` runs in a thread and
    pulls the segments through a queue of ``buffer`` items, so a long match is never held whole.
    A segment that cannot be fetched fails the clip (a clip with a hole is not a clip).
    """
    import queue
    import threading

    from vodstream.sources.fetch import SegmentFetcher

    q: queue.Queue[Any] = queue.Queue(maxsize=buffer)
    stop = threading.Event()
    end_mark = object()

    def parts() -> Iterator[SegmentData]:
        while True:
            item = q.get()
            if item is end_mark:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def writer() -> Any:
        try:
            return write_clip_parts(parts(), out, start=start, end=end, reencode=reencode)
        finally:
            stop.set()

    async def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put_nowait(item)
                return True
            except queue.Full:
                await asyncio.sleep(0.01)
        return False

    task = asyncio.get_running_loop().run_in_executor(None, writer)
    try:
        async with SegmentFetcher(concurrency=concurrency, buffer=buffer, **(fetch_config or {})) as fetcher:
            async for item in fetcher.stream(segments):
                if not isinstance(item, SegmentData):
                    await put(VodstreamError(f"cannot clip: {item.reason}"))
                    break
                if not await put(item):
                    break
            else:
                await put(end_mark)
    except BaseException as err:
        await put(err if isinstance(err, Exception) else VodstreamError("clip interrupted"))
        await asyncio.gather(task, return_exceptions=True)  # let the writer thread end first
        raise
    info = await task
    return clip_info_dict(info)


def clip_info_dict(info: Any) -> dict[str, Any]:
    if hasattr(info, "to_json"):
        raw = dict(info.to_json())
    elif dataclasses.is_dataclass(info) and not isinstance(info, type):
        raw = dataclasses.asdict(info)
    elif isinstance(info, dict):
        raw = dict(info)
    else:
        raw = {"value": repr(info)}
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in raw.items()}


# -- choosing matches -------------------------------------------------------------------------


def best_index(matches: Sequence[Match]) -> int | None:
    """The best match (the rule: :func:`vodstream.matches.analysis.rank_matches`)."""
    from vodstream.matches.analysis import best_match

    return best_match(matches)


def top_indices(matches: Sequence[Match], n: int) -> list[int]:
    """The best match first, then the next best by the same rule; at most ``n``."""
    from vodstream.matches.analysis import rank_matches

    return rank_matches(matches)[: max(n, 0)]


def clip_window(match: Match | dict[str, Any], duration: float, first: float = 0.0) -> tuple[float, float]:
    """VOD-time span to cut for a match: SELECT LEGEND .. end screen + CLIP_TAIL."""
    m = match if isinstance(match, dict) else match.to_json()
    readings = m.get("readings") or []
    start = m.get("start")
    if start is None:
        start = readings[0][0] if readings else first
    end = m.get("end")
    end = (end + CLIP_TAIL) if end is not None else (readings[-1][0] + CLIP_TAIL if readings else duration)
    return max(first, float(start) - CLIP_HEAD), min(duration, float(end))


# -- Ray ------------------------------------------------------------------------------------


@contextmanager
def ray_session(
    address: str | None = None, *, num_cpus: int | None = None, ship_code: bool = False, verbose: bool = False
) -> Iterator[None]:
    """Connect to ``address`` (a cluster) or start the embedded default; shut down what we started.

    An already-initialised Ray (a test fixture, a notebook) is used as is.
    """
    import ray

    if ray.is_initialized():
        yield
        return
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "logging_level": logging.DEBUG if verbose else logging.ERROR,
        "log_to_driver": verbose,
        "namespace": "vodstream",
    }
    if ship_code:
        import actors
        import vodstream

        mods = [Path(vodstream.__file__).parent, Path(actors.__file__).parent]
        models = Path(vodstream.__file__).parent.parent / "models"
        if models.is_dir():
            mods.append(models)
        kwargs["runtime_env"] = {"py_modules": [str(m) for m in mods]}
    if address:
        log.info("connecting to Ray", address=address)
        ray.init(address=address, **kwargs)
    else:
        cpus = num_cpus or os.cpu_count() or 2
        # "local": always our own embedded Ray, even when a `ray start` cluster runs on this machine
        # (plain ray.init() would join it, and then refuses num_cpus)
        ray.init(address="local", num_cpus=cpus, object_store_memory=OBJECT_STORE_BYTES, **kwargs)
    if verbose:
        _worker_logs_to_stderr()
    try:
        yield
    finally:
        ray.shutdown()


def _worker_logs_to_stderr() -> None:
    """Ray prints the workers' stdout lines on the driver's stdout (coloured); stdout carries
    results only, so with ``-v`` every worker line goes to stderr, plain, with its actor's name."""
    try:
        from ray._private import worker as ray_worker

        dispatcher = ray_worker.global_worker_stdstream_dispatcher
    except (ImportError, AttributeError):  # another Ray layout: leave its printing alone
        return

    def to_stderr(data: dict[str, Any]) -> None:
        if data.get("pid") == "autoscaler":
            return  # the embedded cluster's status chatter
        who = data.get("actor_name") or data.get("task_name") or "ray"
        for line in data.get("lines") or []:
            print(f"({who} pid={data.get('pid')}) {line}", file=sys.stderr)  # noqa: T201

    dispatcher.remove_handler("ray_print_logs")
    dispatcher.add_handler("ray_print_logs", to_stderr)


# -- progress ---------------------------------------------------------------------------------


class Progress:
    """A tqdm bar per VOD on a TTY (segments fetched/analysed, matches so far); logs otherwise."""

    def __init__(self, totals: dict[str, int], enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.totals = totals
        self.counts = {k: {"fetched": 0, "analysed": 0, "matches": 0} for k in totals}
        self._bars: dict[str, Any] = {}
        self._last_log: dict[str, float] = dict.fromkeys(totals, 0.0)
        if self.enabled:
            from tqdm import tqdm

            for pos, (key, total) in enumerate(totals.items()):
                self._bars[key] = tqdm(
                    total=total,
                    desc=key,
                    unit="seg",
                    position=pos,
                    leave=True,
                    dynamic_ncols=True,
                    file=sys.stderr,
                )

    def __call__(self, key: str, event: str, n: int) -> None:
        c = self.counts[key]
        if event == "fetched":
            c["fetched"] += n
        elif event == "analysed":
            c["analysed"] += n
            if key in self._bars:
                self._bars[key].update(n)
        elif event in ("matches", "done"):
            c["matches"] = n
        if key in self._bars:
            self._bars[key].set_postfix(fetched=c["fetched"], matches=c["matches"], refresh=False)
        elif event == "done" or time.monotonic() - self._last_log[key] > 5.0:
            self._last_log[key] = time.monotonic()
            log.info(
                "progress",
                vod=key,
                analysed=c["analysed"],
                total=self.totals[key],
                fetched=c["fetched"],
                matches=c["matches"],
                done=event == "done",
            )

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


# -- resolving --------------------------------------------------------------------------------


@dataclass(kw_only=True)
class _Plan:
    input: str
    analysis: ResolvedVod
    clip: ResolvedVod
    segments: list[Segment]  # analysis segments inside Apex chapters
    skipped: list[dict[str, Any]]
    key: str = ""


def _pick_analysis_quality(clip: ResolvedVod, requested: str | None) -> str | None:
    """The analysis variant's name; None: same as the clip variant."""
    from vodstream.sources.hls import PlaylistError, select_variant

    if not clip.variants:
        return None  # a media playlist or a file: one rendition
    wanted = [requested] if requested else list(ANALYZE_FALLBACKS)
    for q in wanted:
        try:
            v = select_variant(clip.variants, q)
        except PlaylistError:
            if requested:
                raise
            continue
        return None if v.name == clip.quality else v.name
    return None


def _skipped_spans(
    all_segments: Sequence[Segment], kept: Sequence[Segment], chapters: Sequence[Any]
) -> list[dict[str, Any]]:
    """Contiguous spans dropped by the chapter filter, with the game played there."""
    kept_idx = {s.index for s in kept}
    spans: list[dict[str, Any]] = []
    for s in all_segments:
        if s.index in kept_idx:
            continue
        if spans and abs(spans[-1]["end"] - s.start) < 1e-6:
            spans[-1]["end"] = s.end
        else:
            spans.append({"start": s.start, "end": s.end})
    for sp in spans:
        games = sorted({c.game_name for c in chapters if c.start < sp["end"] and c.end > sp["start"]})
        sp["reason"] = "not Apex Legends" + (f" (chapter: {', '.join(games)})" if games else "")
    return spans


async def _resolve_one(vod: str, settings: RunSettings, config: Any) -> _Plan:
    from vodstream.sources.twitch import apex_segments, resolve_vod

    clip = await resolve_vod(vod, quality=settings.clip_quality, config=config)
    try:
        aq = _pick_analysis_quality(clip, settings.analyze_quality)
    except VodstreamError as err:
        raise VodstreamError(f"VOD {vod}: {err}") from err
    analysis = clip if aq is None else await resolve_vod(vod, quality=aq, config=config)
    kept = apex_segments(analysis.segments, analysis.chapters)
    return _Plan(
        input=vod,
        analysis=analysis,
        clip=clip,
        segments=kept,
        skipped=_skipped_spans(analysis.segments, kept, analysis.chapters),
    )


def resolve_for_analysis(
    vod: str, *, analyze_quality: str | None = None, twitch_base: str | None = None
) -> ResolvedVod:
    """The variant ``run`` would analyse for ``vod`` (same rule: ``--analyze-quality`` or the
    default with its fallbacks), with only its Apex segments. For tools that sample a VOD the way
    a run does (``vodstream label``)."""
    from vodstream.sources.twitch import TwitchConfig

    settings = RunSettings(out=Path("."), analyze_quality=analyze_quality, twitch_base=twitch_base)
    plan = asyncio.run(_resolve_one(vod, settings, TwitchConfig.from_env(twitch_base)))
    return dataclasses.replace(plan.analysis, segments=list(plan.segments))


async def _resolve_all(inputs: Sequence[str], settings: RunSettings) -> tuple[list[_Plan], list[str]]:
    """Resolve every input; a VOD that cannot be resolved is reported, the others go on."""
    from vodstream.sources.twitch import TwitchConfig

    config = TwitchConfig.from_env(settings.twitch_base, auth_token=settings.auth_token)
    got = await asyncio.gather(*(_resolve_one(v, settings, config) for v in inputs), return_exceptions=True)
    seen: set[str] = set()
    plans: list[_Plan] = []
    failures: list[str] = []
    for vod, p in zip(inputs, got, strict=True):
        if isinstance(p, VodstreamError):
            log.error("cannot process VOD", input=vod, error=str(p))
            failures.append(str(p))
            continue
        if isinstance(p, BaseException):
            raise p
        key = p.analysis.vod_id
        if key in seen:
            log.warning("VOD given twice; analysing it once", vod_id=key, input=p.input)
            continue
        seen.add(key)
        p.key = key
        plans.append(p)
    if not plans and failures:
        raise VodstreamError(
            failures[0]
            if len(failures) == 1
            else f"none of the {len(failures)} VODs could be processed; first: {failures[0]}"
        )
    return plans, failures


def _fetch_config(resolved: ResolvedVod) -> dict[str, Any]:
    return {"local": resolved.local} if resolved.local is not None else {}


def _model_fingerprint(path: Path | None = None) -> str:
    from models.weights import reader_weights  # not models.net: the driver never needs torch

    h = hashlib.sha256()
    for f in reader_weights(path):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def fingerprint(plan: _Plan, settings: RunSettings) -> str:
    """What must match for stored per-segment results to be reused by ``--resume``."""
    a = plan.analysis
    doc = {
        "v": __version__,
        "vod": a.vod_id,
        "quality": a.quality,
        "kind": a.kind,
        "segments": [len(a.segments), round(a.duration, 3)],
        "decode": settings.decode_mode,
        "refine_fps": settings.refine_fps,
        "model": _model_fingerprint(settings.model),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:24]


# -- the job ----------------------------------------------------------------------------------


def run_job(
    inputs: Sequence[str],
    settings: RunSettings,
    *,
    verbose: bool = False,
    observer: Callable[[Any, str, str, int], None] | None = None,
) -> JobResult:
    """Analyse ``inputs`` (and clip their best matches unless ``settings.clip`` is False).

    ``observer(graph, vod_key, event, n)`` sees every progress event with the live actor graph
    (fault-injection tests, diagnostics); an exception it raises interrupts the run like ^C.
    """
    import ray

    from actors.pipeline import ActorGraph, GraphConfig, VodJob
    from vodstream.matches.analysis import AnalysisResult, _merge_gaps, report_dict
    from vodstream.report.document import build_report, write_reports
    from vodstream.report.outcome import assess
    from vodstream.store.catalog import Catalog

    if not inputs:
        raise VodstreamError("no VOD given")
    t_start = time.monotonic()
    out_root = Path(settings.out)
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise VodstreamError(
            f"cannot use --out {out_root}: {err.strerror or err}"
            + (" (a file is in the way)" if isinstance(err, (FileExistsError, NotADirectoryError)) else "")
        ) from err
    if not os.access(out_root, os.W_OK | os.X_OK):
        raise VodstreamError(f"cannot use --out {out_root}: not writable")
    if settings.catalog:
        from vodstream.store.catalog import Catalog as _Catalog

        _Catalog.open_default(settings.data_dir).close()  # a bad catalogue fails now, not after the work
    if settings.fresh:
        RunStore.remove(out_root / RUNSTORE_NAME)
    store = RunStore(out_root / RUNSTORE_NAME)  # checked before the network is touched
    try:
        plans, failures = asyncio.run(_resolve_all(inputs, settings))
    except BaseException:
        store.close()
        raise
    t_resolved = time.monotonic()
    outcomes: list[VodOutcome] = []
    try:
        jobs = []
        for p in plans:
            fp = fingerprint(p, settings)
            done = store.begin(
                p.key, fp, resume=settings.resume, info={"input": p.input, "quality": p.analysis.quality}
            )
            valid = {s.index for s in p.segments}
            done &= valid
            ck = store.load_checkpoint(p.key) if settings.resume else None
            if done:
                log.info("resuming", vod=p.key, done=len(done), total=len(p.segments))
            jobs.append(
                VodJob(
                    key=p.key,
                    segments=p.segments,
                    done=done,
                    load=lambda idx, key=p.key: store.get_segment(key, idx),
                    checkpoint=(ck[0], ck[2]) if ck else None,
                    fetch_config=_fetch_config(p.analysis),
                    vod_end=p.analysis.duration,
                )
            )
        logconf.phase(
            "starting Ray and the analysis actors "
            f"({'embedded' if not settings.address else settings.address}) ..."
        )
        with ray_session(
            settings.address, num_cpus=settings.num_cpus, ship_code=settings.ship_code, verbose=verbose
        ):
            graph = ActorGraph(
                GraphConfig(
                    decoders=settings.decoders,
                    scorers=settings.scorers,
                    inflight_per_vod=settings.inflight_per_vod,
                    inflight_total=settings.inflight_total,
                    batch_segments=settings.batch_segments,
                    fetch_concurrency=settings.concurrency,
                    decode_mode=settings.decode_mode,
                    checkpoint_every=settings.checkpoint_every,
                    refine_fps=settings.refine_fps,
                    scorer_kwargs={"model_path": str(settings.model)} if settings.model else {},
                )
            )
            try:
                actor_nodes = graph.nodes()  # also waits until the pool is up
            except ray.exceptions.RayActorError as err:
                graph.close()
                lines = [ln for ln in str(err).splitlines() if ln.strip()]
                raise VodstreamError(
                    f"could not start the analysis actors: {lines[-1] if lines else err}"
                ) from err
            t_actors = time.monotonic()
            logconf.phase(f"actors up in {t_actors - t_resolved:.1f} s; analysing {len(jobs)} VOD(s) ...")
            progress = Progress({j.key: len(j.segments) for j in jobs}, settings.progress)

            def on_progress(key: str, event: str, n: int) -> None:
                progress(key, event, n)
                if observer is not None:
                    observer(graph, key, event, n)

            try:
                results = graph.analyze(
                    jobs,
                    on_result=store.put_segment,
                    on_checkpoint=lambda key, idx, st: store.save_checkpoint(
                        key, released=idx, n_matches=len(st["tracker"].get("closed", [])), state=st
                    ),
                    progress=on_progress,
                )
                scorer_stats = graph.scorer_stats()
                peak_all = graph.peak_inflight
            finally:
                progress.close()
                n_dec, n_sc = len(graph.decoders), len(graph.scorers)
                graph.close()
            t_analysed = time.monotonic()
            # thumbs of resumed segments come from the store
            for p in plans:
                stored = store.thumbs(p.key)
                for t, jpg in stored.items():
                    results[p.key].thumbs.setdefault(t, jpg)
            clip_failures: dict[str, list[str]] = {}
            if settings.clip:
                logconf.phase(
                    f"analysis done in {time.monotonic() - t_actors:.1f} s; "
                    "clipping the best match from the source variant ..."
                )
            clip_infos = _clip_all(plans, results, settings, clip_failures) if settings.clip else {}
            t_clipped = time.monotonic()
        catalog = Catalog.open_default(settings.data_dir) if settings.catalog else None
        try:
            for p in plans:
                res = results[p.key]
                vod_dir = out_root / p.key
                best = best_index(res.matches)
                report_gaps = _merge_gaps(sorted(res.gaps, key=lambda g: g.start))
                clips = [(i, path) for i, path, _ in clip_infos.get(p.key, [])]
                analysed_hours = sum(s.duration for s in p.segments) / 3600.0
                report = build_report(
                    vod_id=p.key,
                    duration=p.analysis.duration,
                    matches=res.matches,
                    best=best,
                    gaps=report_gaps,
                    clips=[path.name for _, path in clips],
                    clip_matches=[i for i, _ in clips],
                    title=p.analysis.title,
                    streamer=p.analysis.owner,
                    source=p.input,
                    skipped=p.skipped,
                    timings={
                        "resolve_s": t_resolved - t_start,
                        "actors_start_s": t_actors - t_resolved,
                        "analyse_s": res.wall_s,
                        "analyse_all_s": t_analysed - t_actors,
                        "clip_s": t_clipped - t_analysed,
                        "total_s": time.monotonic() - t_start,
                    },
                    settings={
                        "analyze_quality": p.analysis.quality,
                        "clip_quality": p.clip.quality,
                        "decode_mode": settings.decode_mode,
                        "top": settings.top,
                        "reencode": settings.reencode,
                        "address": settings.address or "embedded",
                        "resume": settings.resume,
                        "concurrency": settings.concurrency,
                        "inflight_per_vod": settings.inflight_per_vod,
                        "inflight_total": settings.inflight_total,
                        "ray_nodes": len(set(actor_nodes)),
                        "decoders": n_dec,
                        "scorers": n_sc,
                        "model": str(Path(settings.model).resolve()) if settings.model else None,
                    },
                    segments={
                        "total": len(p.analysis.segments),
                        "apex": len(p.segments),
                        "analysed": res.analysed,
                        "resumed": res.resumed,
                        "failed": res.failed,
                        "frames_decoded": res.frames_decoded,
                        "samples": res.samples,
                        "bytes_fetched": res.bytes_fetched,
                        "tracker_restarts": res.tracker_restarts,
                        "peak_inflight": res.peak_inflight,
                        "peak_inflight_all": peak_all,
                        "peak_reorder": res.peak_reorder,
                        "refined_samples": res.refined_samples,
                    },
                )
                # H6's report_dict sets the match conventions (numeric start/end + seen flags) and
                # the analysis block; reuse it so the Ray and plain paths write the same report.
                base = report_dict(
                    p.key,
                    p.analysis.duration,
                    AnalysisResult(
                        matches=res.matches,
                        gaps=report_gaps,
                        timings={"total": round(res.wall_s, 4)},
                        ocr_calls=int(scorer_stats.get("ocr_calls", 0)),
                        ocr_seconds=float(scorer_stats.get("ocr_seconds", 0.0)),
                        samples=res.samples,
                        segments=res.analysed + res.resumed,
                        frames_decoded=res.frames_decoded,
                        duration=p.analysis.duration,
                        stats=scorer_stats,
                    ),
                )
                report["matches"], report["best"] = base["matches"], base["best"]
                report["gaps"], report["analysis"] = base["gaps"], base["analysis"]
                report["dropped"] = res.dropped
                report["clip_info"] = [info for _, _, info in clip_infos.get(p.key, [])]
                report["analysed_hours"] = round(analysed_hours, 4)
                report["outcome"] = assess(
                    report,
                    span=sum(s.duration for s in p.segments),
                    clip_failures=clip_failures.get(p.key, []),
                )
                j, h = write_reports(report, vod_dir, res.thumbs)
                if catalog is not None:
                    catalog.record(report, j)
                outcomes.append(
                    VodOutcome(
                        input=p.input,
                        vod_id=p.key,
                        out_dir=vod_dir,
                        report=report,
                        report_json=j,
                        report_html=h,
                        clips=[path for _, path in clips],
                    )
                )
        finally:
            if catalog is not None:
                catalog.close()
    finally:
        store.close()
    result = JobResult(outcomes)
    result.failures = failures
    return result


def _clip_all(
    plans: Sequence[_Plan], results: dict[str, Any], settings: RunSettings, failures: dict[str, list[str]]
) -> dict[str, list[Any]]:
    """Cut the top matches of every VOD on the driver's node; returns key -> [(i, path, info)].

    A clip that fails is reported (``failures``: VOD key -> lines) and the next match in the
    ranking is cut in its place (at most one stand-in per clip asked for), saying so; the VOD's
    report is still written."""
    import ray

    from actors.clipper import clipper_on_this_node
    from vodstream.matches.analysis import rank_matches
    from vodstream.sources.twitch import segments_in_range

    clippers: dict[str, Any] = {}
    client_mode = ray.util.client.ray.is_connected()

    def submit(p: _Plan, i: int) -> tuple[str, int, Path, Any] | None:
        matches = results[p.key].matches
        start, end = clip_window(
            matches[i], p.clip.duration, p.clip.segments[0].start if p.clip.segments else 0.0
        )
        segs = segments_in_range(p.clip.segments, start, end)
        if not segs:
            return None
        path = (Path(settings.out) / p.key / f"{p.key}-match{i}.mp4").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        if client_mode:
            # Ray Client (ray://): "this node" would be the cluster's head, not this machine,
            # so the clip is cut here, in the driver process, and lands beside the report.
            return (p.key, i, path, _LocalClip(segs, path, start, end, settings, p.clip))
        if p.key not in clippers:
            clippers[p.key] = clipper_on_this_node(
                concurrency=settings.concurrency, config=_fetch_config(p.clip)
            )
        ref = clippers[p.key].clip.remote(segs, str(path), start=start, end=end, reencode=settings.reencode)
        return (p.key, i, path, ref)

    # per VOD: the ranking not yet tried, clips still wanted, stand-ins left
    state = {p.key: [p, rank_matches(results[p.key].matches), max(settings.top, 0), 0] for p in plans}
    out: dict[str, list[Any]] = {}
    while True:
        todo: list[tuple[str, int, Path, Any]] = []
        for st in state.values():
            p, queue, wanted, _ = st
            while wanted > 0 and queue:
                job = submit(p, queue.pop(0))
                if job is not None:
                    todo.append(job)
                    wanted -= 1
            st[2] = wanted
        if not todo:
            break
        for key, i, path, ref in todo:
            try:
                info = ref.run() if isinstance(ref, _LocalClip) else ray.get(ref)
            except Exception as err:
                cause = getattr(err, "cause", None) or err
                line = f"clip of match {i} failed: {str(cause).splitlines()[0]}"
                st = state[key]
                if st[1] and st[3] < max(settings.top, 0):
                    st[2] += 1  # one stand-in: the next match in the ranking
                    st[3] += 1
                    line += f"; clipping match {st[1][0]} (the next best) instead"
                failures.setdefault(key, []).append(line)
                log.error("clip failed", vod=key, match=i, error=str(cause).splitlines()[0])
                continue
            log.info("clip written", vod=key, match=i, path=str(path))
            out.setdefault(key, []).append((i, path, info))
    for c in clippers.values():
        ray.kill(c)
    return out


@dataclass
class _LocalClip:
    segments: list[Segment]
    path: Path
    start: float
    end: float
    settings: RunSettings
    resolved: Any

    def run(self) -> dict[str, Any]:
        return asyncio.run(
            clip_segments(
                self.segments,
                self.path,
                start=self.start,
                end=self.end,
                reencode=self.settings.reencode,
                fetch_config=_fetch_config(self.resolved),
            )
        )


# -- `vodstream clip REPORT` ------------------------------------------------------------------


def clip_from_report(
    report_path: Path,
    *,
    match: int | None = None,
    clip_quality: str | None = None,
    reencode: bool = False,
    twitch_base: str | None = None,
    out: Path | None = None,
    auth_token: str | None = None,
) -> Path:
    """Cut one match of an existing report.json (default: its best) without Ray."""
    from vodstream.report.document import REPORT_JSON, atomic_write
    from vodstream.sources.twitch import TwitchConfig, resolve_vod, segments_in_range

    report_path = Path(report_path)
    if report_path.is_dir():
        report_path = report_path / REPORT_JSON
    try:
        report = json.loads(report_path.read_text())
    except (OSError, ValueError) as err:
        raise VodstreamError(f"cannot read report {report_path}: {err}") from err
    matches = report.get("matches") or []
    idx = report.get("best") if match is None else match
    if idx is None or not 0 <= int(idx) < len(matches):
        raise VodstreamError(f"{report_path}: no match {idx!r} to clip (it has {len(matches)})")
    idx = int(idx)
    source = report.get("source") or report["vod_id"]
    quality = clip_quality or report.get("settings", {}).get("clip_quality") or DEFAULT_CLIP_QUALITY

    async def _go() -> Path:
        resolved = await resolve_vod(
            source, quality=quality, config=TwitchConfig.from_env(twitch_base, auth_token=auth_token)
        )
        start, end = clip_window(
            matches[idx], resolved.duration, resolved.segments[0].start if resolved.segments else 0.0
        )
        segs = segments_in_range(resolved.segments, start, end)
        dest = Path(out) if out else report_path.parent / f"{report['vod_id']}-match{idx}.mp4"
        await clip_segments(
            segs, dest, start=start, end=end, reencode=reencode, fetch_config=_fetch_config(resolved)
        )
        return dest

    dest = asyncio.run(_go())
    clips = list(report.get("clips") or [])
    which = list(report.get("clip_matches") or [])
    rel = os.path.relpath(dest, report_path.parent)
    if idx in which:
        clips[which.index(idx)] = rel
    else:
        clips.append(rel)
        which.append(idx)
    report["clips"], report["clip_matches"] = clips, which
    atomic_write(report_path, json.dumps(report, indent=2) + "\n")
    return dest
