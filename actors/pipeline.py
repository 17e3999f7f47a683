"""The actor graph: fetch -> decode -> score -> track, many VODs at once, bounded everywhere.

The driver runs one event loop over ``ray.wait``. What to do next is not decided here: each VOD's
:class:`vodstream.matches.scheduler.VodScheduler` (Ray-free, the plain path runs the same one)
turns the completions it is fed into typed commands, which this module carries out on the actors.
Every edge is bounded:

* a segment is *in flight* from its fetch until it is released to the tracker (in playlist
  order; its data ref is held until then): at most ``inflight_per_vod`` per VOD and
  ``inflight_total`` across VODs (the global cap), so the object store holds a bounded number
  of segments whatever the VOD length, results waiting behind a slow segment included; the last
  two scored segments per VOD are also kept, for dense re-sampling (end screens, the VOD's tail, ...);
* score batches are at most ``batch_segments`` segments; tracker calls at most
  ``tracker_inflight`` per VOD.

Data refs go actor to actor (fetcher -> decoder -> scorer); the driver only reads small meta
dicts and the scores. Bytes and pixels never pass through the driver.

Fault tolerance: fetchers, decoders and scorers are stateless (restart forever, Ray retries their
tasks). The tracker is stateful: it is checkpointed every ``checkpoint_every`` released segments
(``on_checkpoint`` persists it in the run store) and rebuilt after a crash from that checkpoint
plus a replay of the segments released since.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ray
import structlog
from ray.exceptions import RayActorError, RayError

from actors.common import actor_class
from actors.decoder import DecoderActor
from actors.fetcher import FetcherActor
from actors.scorer import ScorerActor
from actors.stage import StageActor
from actors.tracker import TrackerActor
from vodstream.errors import VodstreamError
from vodstream.matches.scheduler import (
    Command,
    Fetch,
    Forget,
    Persist,
    Progress,
    Resample,
    SaveCheckpoint,
    Scheduler,
    TrackerCall,
    VodAnalysis,
    VodScheduler,
)
from vodstream.settings import (
    DEFAULT_BATCH_SEGMENTS,
    DEFAULT_CHECKPOINT_EVERY,
    DEFAULT_CONCURRENCY,
    DEFAULT_DECODE_MODE,
    DEFAULT_INFLIGHT_PER_VOD,
    DEFAULT_INFLIGHT_TOTAL,
    DEFAULT_OCR_REUSE_S,
    DEFAULT_REFINE_FPS,
    DecodeMode,
    RunSettings,
)
from vodstream.store.runstore import SegmentResult
from vodstream.types import Gap, Segment

__all__ = ["ActorGraph", "GraphConfig", "VodAnalysis", "VodJob"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, kw_only=True)
class GraphConfig:
    """The actor graph's part of the run's settings (:meth:`from_settings`); the defaults are the
    run's (:mod:`vodstream.settings`)."""

    # decoders and scorers both None (the default): one pool of stage actors (actors.stage), one per
    # CPU, each decoding and scoring alike; either given: split pools of that many decoders/scorers
    decoders: int | None = None  # split pools, None: the CPUs the scorers leave (at least 1)
    scorers: int | None = None  # split pools, None: about 3/4 of the CPUs (scoring costs ~4x decoding)
    inflight_per_vod: int = DEFAULT_INFLIGHT_PER_VOD
    inflight_total: int = DEFAULT_INFLIGHT_TOTAL
    window: int | None = None  # reorder window in segments (default 4x per-VOD cap)
    batch_segments: int = DEFAULT_BATCH_SEGMENTS
    tracker_inflight: int = 8
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY  # released segments between tracker checkpoints
    fetch_concurrency: int = DEFAULT_CONCURRENCY
    decode_mode: DecodeMode = DEFAULT_DECODE_MODE
    refine_fps: float | None = DEFAULT_REFINE_FPS  # dense re-sampling (scheduler.transition_windows)
    ocr_reuse_s: float | None = DEFAULT_OCR_REUSE_S  # the scorers' OCR answer reuse, VOD seconds
    # per-VOD actor pairs (fetcher, tracker) started with the pool, so their start-up overlaps the
    # scorers'; pairs are reused by later VODs (and later analyze calls) instead of started anew
    prestart_vods: int = 1
    decoder_kwargs: dict[str, Any] = field(default_factory=dict)
    scorer_kwargs: dict[str, Any] = field(default_factory=dict)
    tracker_kwargs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: RunSettings) -> GraphConfig:
        """The graph for a run: the model path travels to the scorer actors in their arguments
        (never through the environment of the processes they run in)."""
        return cls(
            decoders=settings.decoders,
            scorers=settings.scorers,
            inflight_per_vod=settings.inflight_per_vod,
            inflight_total=settings.inflight_total,
            batch_segments=settings.batch_segments,
            fetch_concurrency=settings.concurrency,
            decode_mode=settings.decode_mode,
            checkpoint_every=settings.checkpoint_every,
            refine_fps=settings.refine_fps,
            ocr_reuse_s=settings.ocr_reuse_s,
            scorer_kwargs={"model_path": str(settings.model)} if settings.model else {},
        )


@dataclass(kw_only=True)
class VodJob:
    """One VOD to analyse."""

    key: str
    segments: list[Segment]  # in playlist order (non-Apex spans already removed)
    done: set[int] = field(default_factory=set)  # indexes already in the run store (resume)
    load: Callable[[int], SegmentResult | None] | None = None  # reads a done segment back
    checkpoint: tuple[int, dict[str, Any]] | None = None  # (last index included, tracker state)
    fetch_config: dict[str, Any] = field(default_factory=dict)  # SegmentFetcher kwargs (local=...)
    vod_end: float | None = None  # closes a match the VOD cuts off (default: last segment)


ProgressFn = Callable[[str, str, int], None]  # (vod key, event, amount)


@dataclass
class _Vod:
    """Driver-side handles of one VOD: its scheduler, fetcher and tracker actors, held data refs."""

    sched: VodScheduler
    fetcher: Any
    tracker: Any
    data: dict[int, Any] = field(default_factory=dict)  # segment data refs held for re-sampling


# what the driver waits for (ray.wait over their refs)
@dataclass(frozen=True)
class _Fetching:
    vod: _Vod
    index: int
    data: Any


@dataclass(frozen=True)
class _Decoding:
    vod: _Vod
    index: int
    samples: Any
    decoder: int


@dataclass(frozen=True)
class _Scoring:
    scorer: int
    batch: list[tuple[_Vod, int, Any, dict[str, Any]]]


@dataclass(frozen=True)
class _ResampleDecoding:
    vod: _Vod
    slot: int
    samples: Any
    decoder: int


@dataclass(frozen=True)
class _ResampleScoring:
    vod: _Vod
    slot: int
    scorer: int


@dataclass(frozen=True)
class _Tracking:
    vod: _Vod
    call: TrackerCall


_Wait = _Fetching | _Decoding | _Scoring | _ResampleDecoding | _ResampleScoring | _Tracking


class ActorGraph:
    """Creates the actor pool once and analyses batches of VODs with it."""

    def __init__(
        self, config: GraphConfig | None = None, *, prestart: Sequence[dict[str, Any]] | None = None
    ) -> None:
        """``prestart``: the fetch configs of the VODs about to be analysed (``VodJob.fetch_config``):
        one (fetcher, tracker) pair each starts with the pool; None: ``config.prestart_vods`` pairs
        for Twitch/HTTP VODs."""
        self.config = cfg = config or GraphConfig()
        total_cpus = max(1.0, float(ray.cluster_resources().get("CPU", 1.0)))
        if cfg.decoders is None and cfg.scorers is None:
            # one pool: every actor takes decode and score tasks alike, so no core waits on the
            # other kind of work (with split pools on 2 CPUs the one decoder idled ~3/4 of the time)
            per = 1.0
            n_dec = n_sc = max(1, int(total_cpus))
            self.decoders = [
                actor_class(StageActor)
                .options(num_cpus=per)
                .remote(
                    decoder_kwargs={"mode": cfg.decode_mode, **cfg.decoder_kwargs},
                    scorer_kwargs={"ocr_reuse_s": cfg.ocr_reuse_s, **cfg.scorer_kwargs},
                )
                for _ in range(n_dec)
            ]
            self.scorers = list(self.decoders)
            # one load count per actor, for both kinds of task: each goes to the least busy actor
            self._dec_load = self._sc_load = [0] * n_dec
        else:
            n_sc = cfg.scorers if cfg.scorers is not None else max(1, int(0.75 * total_cpus))
            n_dec = cfg.decoders if cfg.decoders is not None else max(1, int(total_cpus) - n_sc)
            # Request whole CPUs where the cluster has them, else share (so the pool always schedules).
            per = min(1.0, total_cpus / (n_dec + n_sc))
            self.decoders = [
                actor_class(DecoderActor)
                .options(num_cpus=per)
                .remote(mode=cfg.decode_mode, **cfg.decoder_kwargs)
                for _ in range(n_dec)
            ]
            self.scorers = [
                actor_class(ScorerActor)
                .options(num_cpus=per)
                .remote(scorer_kwargs={"ocr_reuse_s": cfg.ocr_reuse_s, **cfg.scorer_kwargs})
                for _ in range(n_sc)
            ]
            self._dec_load = [0] * len(self.decoders)
            self._sc_load = [0] * len(self.scorers)
        self.scheduler: Scheduler | None = None  # the last analyze()'s
        # (fetcher, tracker, fetch config) pairs started and free; see GraphConfig.prestart_vods
        confs = list(prestart) if prestart is not None else [{}] * max(0, cfg.prestart_vods)
        self._idle: list[tuple[Any, Any, dict[str, Any]]] = [self._new_pair(c) for c in confs]
        log.debug("actor graph", decoders=n_dec, scorers=n_sc, cpus=total_cpus, cpu_per_actor=per)

    @property
    def pool(self) -> list[Any]:
        """The decode and score actors, each once (a stage actor is in both lists)."""
        return [*self.decoders, *(s for s in self.scorers if all(s is not d for d in self.decoders))]

    def nodes(self) -> list[str]:
        """Node ids the decoders and scorers run on (one per actor); waits until the pool is up.
        A pool that cannot start is closed and raises VodstreamError with Ray's last line."""
        try:
            return [n for n, _ in ray.get([a.where.remote() for a in self.pool])]
        except RayActorError as err:
            self.close()
            lines = [ln for ln in str(err).splitlines() if ln.strip()]
            raise VodstreamError(
                f"could not start the analysis actors: {lines[-1] if lines else err}"
            ) from err

    def scorer_stats(self) -> dict[str, float]:
        """Scorer counters summed over the pool (this graph's lifetime)."""
        total: dict[str, float] = {}
        for st in ray.get([s.stats.remote() for s in self.scorers]):
            for k, val in st.items():
                if isinstance(val, (int, float)):
                    total[k] = total.get(k, 0) + val
        return total

    def close(self) -> None:
        for a in [*self.pool, *(x for f, t, _ in self._idle for x in (f, t))]:
            ray.kill(a)
        self.decoders, self.scorers, self._idle = [], [], []

    def _new_pair(self, fetch_config: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
        cfg = self.config
        fetcher = actor_class(FetcherActor).remote(concurrency=cfg.fetch_concurrency, config=fetch_config)
        return fetcher, actor_class(TrackerActor).remote(**cfg.tracker_kwargs), fetch_config

    def _take_pair(self, fetch_config: dict[str, Any]) -> tuple[Any, Any]:
        """A free (fetcher, tracker) for one VOD: a started one fetching the same way, else new."""
        for i, (f, t, conf) in enumerate(self._idle):
            if conf == fetch_config:
                del self._idle[i]
                return f, t
        f, t, _ = self._new_pair(fetch_config)
        return f, t

    def _give_back(self, fetcher: Any, tracker: Any, fetch_config: dict[str, Any]) -> None:
        """A finished VOD's pair back to the pool; the tracker starts over (calls run in order)."""
        tracker.restore.remote(None)
        self._idle.append((fetcher, tracker, fetch_config))

    # -- the loop ------------------------------------------------------------------------------

    def analyze(
        self,
        jobs: Sequence[VodJob],
        *,
        on_result: Callable[[str, SegmentResult], None] | None = None,
        on_checkpoint: Callable[[str, int, dict[str, Any]], None] | None = None,
        progress: ProgressFn | None = None,
    ) -> dict[str, VodAnalysis]:
        """Run every VOD's :class:`~vodstream.matches.scheduler.VodScheduler` on the actors: do what
        its commands say, feed it what completes."""
        cfg = self.config
        vods = [
            _Vod(
                VodScheduler(
                    job.key,
                    job.segments,
                    inflight_per_vod=cfg.inflight_per_vod,
                    window=cfg.window,
                    tracker_inflight=cfg.tracker_inflight,
                    checkpoint_every=cfg.checkpoint_every,
                    refine_fps=cfg.refine_fps,
                    done=job.done,
                    load=job.load,
                    checkpoint=job.checkpoint,
                    vod_end=job.vod_end,
                ),
                *self._take_pair(job.fetch_config),
            )
            for job in jobs
        ]
        self.trackers = {v.sched.key: v.tracker for v in vods}  # for tests and diagnostics
        self.fetchers = {v.sched.key: v.fetcher for v in vods}
        self.scheduler = scheduler = Scheduler([v.sched for v in vods], inflight_total=cfg.inflight_total)
        run = _Run(
            self,
            scheduler,
            on_result or (lambda key, r: None),
            on_checkpoint or (lambda key, idx, st: None),
            progress or (lambda key, ev, n: None),
        )
        ok = False
        try:
            for v in vods:
                run.dispatch(v, v.sched.start())  # the resumed checkpoint, resumed prefixes, empty VODs
            out = run.loop(vods)
            ok = True
            return out
        finally:
            for v, job in zip(vods, jobs, strict=True):
                if ok and v.sched.finished:  # reused by the next VOD
                    self._give_back(v.fetcher, v.tracker, job.fetch_config)
                else:
                    ray.kill(v.fetcher)
                    ray.kill(v.tracker)

    @property
    def peak_inflight(self) -> int:
        """Segments in flight across VODs at once in the last :meth:`analyze` (<= inflight_total)."""
        return self.scheduler.peak_inflight if self.scheduler is not None else 0


def _least(loads: list[int]) -> int:
    return min(range(len(loads)), key=loads.__getitem__)


class _Run:
    """One :meth:`ActorGraph.analyze`: the refs waited for, and what to do with each answer."""

    def __init__(
        self,
        graph: ActorGraph,
        scheduler: Scheduler,
        on_result: Callable[[str, SegmentResult], None],
        on_checkpoint: Callable[[str, int, dict[str, Any]], None],
        progress: ProgressFn,
    ) -> None:
        self.graph = graph
        self.scheduler = scheduler
        self.cfg = graph.config
        self.on_result = on_result
        self.on_checkpoint = on_checkpoint
        self.progress = progress
        self.pending: dict[Any, _Wait] = {}
        self._vods: list[_Vod] = []
        self.score_queue: list[tuple[_Vod, int, Any, dict[str, Any]]] = []

    # -- commands ---------------------------------------------------------------------------------

    def dispatch(self, v: _Vod, cmds: Sequence[Command]) -> None:
        g = self.graph
        key = v.sched.key
        for cmd in cmds:
            if isinstance(cmd, Fetch):
                meta_ref, data_ref = v.fetcher.fetch.remote(cmd.segment)
                self.pending[meta_ref] = _Fetching(v, cmd.segment.index, data_ref)
            elif isinstance(cmd, Resample):
                data_ref = v.data.get(cmd.segment.index)
                if data_ref is None:  # e.g. taken from the run store: fetch it again
                    _, data_ref = v.fetcher.fetch.remote(cmd.segment)
                    v.data[cmd.segment.index] = data_ref
                i = _least(g._dec_load)
                g._dec_load[i] += 1
                dmeta, samples = g.decoders[i].decode_window.remote(data_ref, cmd.lo, cmd.hi, cmd.fps)
                self.pending[dmeta] = _ResampleDecoding(v, cmd.slot, samples, i)
            elif isinstance(cmd, Forget):
                v.data.pop(cmd.index, None)
            elif isinstance(cmd, TrackerCall):
                if cmd.kind == "update":
                    ref = v.tracker.update.remote(list(cmd.scores), cmd.seq)
                elif cmd.kind == "state":
                    ref = v.tracker.state.remote()
                elif cmd.kind == "restore":
                    ref = v.tracker.restore.remote(cmd.state)
                else:
                    ref = v.tracker.finish.remote(cmd.vod_end, cmd.seq)
                self.pending[ref] = _Tracking(v, cmd)
            elif isinstance(cmd, Persist):
                self.on_result(key, cmd.result)
            elif isinstance(cmd, SaveCheckpoint):
                self.on_checkpoint(key, cmd.index, cmd.state)
            elif isinstance(cmd, Progress):
                self.progress(key, cmd.event, cmd.n)

    def fill(self) -> None:
        by_sched = {id(v.sched): v for v in self._vods}
        for sched, fetch in self.scheduler.fill():
            self.dispatch(by_sched[id(sched)], [fetch])

    def flush_scores(self, force: bool = False) -> None:
        g = self.graph
        while self.score_queue and (
            force or len(self.score_queue) >= self.cfg.batch_segments or min(g._sc_load) == 0
        ):
            batch = self.score_queue[: self.cfg.batch_segments]
            del self.score_queue[: self.cfg.batch_segments]
            i = _least(g._sc_load)
            g._sc_load[i] += 1
            ref = g.scorers[i].score.remote(*[b[2] for b in batch], vods=[b[0].sched.key for b in batch])
            self.pending[ref] = _Scoring(i, batch)
            if not force:
                break

    # -- answers ----------------------------------------------------------------------------------

    def handle(self, ref: Any, what: _Wait) -> None:
        g = self.graph
        if isinstance(what, _Fetching):
            v, idx = what.vod, what.index
            try:
                meta = ray.get(ref)
            except RayError as err:
                meta = {"ok": False, "error": f"fetcher failed: {type(err).__name__}"}
            if not meta["ok"]:
                log.warning(
                    "segment not fetched; recording a gap",
                    vod=v.sched.key,
                    segment=idx,
                    error=meta.get("error"),
                )
                res = v.sched.gap(idx, f"fetch failed: {meta.get('error')}")
                self.dispatch(v, v.sched.completed(res, persist=False))
                return
            self.dispatch(v, v.sched.fetched(idx, int(meta.get("nbytes", 0))))
            if v.sched.keeps_data:
                v.data[idx] = what.data
            i = _least(g._dec_load)
            g._dec_load[i] += 1
            dmeta_ref, samples_ref = g.decoders[i].decode.remote(what.data)
            self.pending[dmeta_ref] = _Decoding(v, idx, samples_ref, i)
        elif isinstance(what, _Decoding):
            v, idx = what.vod, what.index
            g._dec_load[what.decoder] -= 1
            try:
                meta = ray.get(ref)
            except RayError as err:  # not the media's fault: do not store it as a result
                meta = {"ok": False, "error": f"decoder failed: {type(err).__name__}", "system": True}
            if not meta["ok"]:
                log.warning(
                    "segment not decoded; recording a gap",
                    vod=v.sched.key,
                    segment=idx,
                    error=meta.get("error"),
                )
                res = v.sched.gap(idx, f"decode failed: {meta.get('error')}")
                self.dispatch(v, v.sched.completed(res, persist=not meta.get("system")))
                return
            if meta["n"] == 0:
                seg = v.sched.segs[idx]
                res = SegmentResult(
                    index=idx,
                    start=seg.start,
                    duration=seg.duration,
                    frames_decoded=meta["frames"],
                    gaps=[Gap(**gap) for gap in meta["gaps"]],
                )
                self.dispatch(v, v.sched.completed(res, persist=True))
                return
            self.score_queue.append((v, idx, what.samples, meta))
            self.flush_scores()
        elif isinstance(what, _Scoring):
            g._sc_load[what.scorer] -= 1
            try:
                results = ray.get(ref)
            except RayError as err:
                log.warning("score batch failed; recording gaps", error=str(err).splitlines()[0])
                results = None
            for pos, (v, idx, _, meta) in enumerate(what.batch):
                if results is None:
                    res = v.sched.gap(idx, "scoring failed", meta["frames"])
                    self.dispatch(v, v.sched.completed(res, persist=False))
                    continue
                scores, thumbs = results[pos]
                seg = v.sched.segs[idx]
                res = SegmentResult(
                    index=idx,
                    start=seg.start,
                    duration=seg.duration,
                    scores=scores,
                    gaps=[Gap(**gap) for gap in meta["gaps"]],
                    frames_decoded=meta["frames"],
                    thumbs=thumbs,
                )
                self.dispatch(v, v.sched.completed(res, persist=True))
        elif isinstance(what, _ResampleDecoding):
            v = what.vod
            g._dec_load[what.decoder] -= 1
            try:
                meta = ray.get(ref)
            except RayError as err:
                meta = {"ok": False, "error": f"decoder failed: {type(err).__name__}"}
            if not meta["ok"] or meta["n"] == 0:
                self.dispatch(v, v.sched.resampled(what.slot, []))
                return
            j = _least(g._sc_load)
            g._sc_load[j] += 1
            self.pending[g.scorers[j].score.remote(what.samples)] = _ResampleScoring(v, what.slot, j)
        elif isinstance(what, _ResampleScoring):
            v = what.vod
            g._sc_load[what.scorer] -= 1
            try:
                [(scores, _thumbs)] = ray.get(ref)
            except RayError as err:
                log.warning(
                    "re-sampling failed; keeping the keyframe scores",
                    vod=v.sched.key,
                    error=type(err).__name__,
                )
                scores = []
            self.dispatch(v, v.sched.resampled(what.slot, scores))
        else:
            v, call = what.vod, what.call
            if call.gen != v.sched.gen:
                return  # an answer from before a recovery: superseded
            try:
                seq, value = ray.get(ref)
            except RayActorError as err:
                self.dispatch(v, v.sched.tracker_failed(call, err))
                return
            self.dispatch(v, v.sched.answered(call, seq, value))

    def loop(self, vods: list[_Vod]) -> dict[str, VodAnalysis]:
        self._vods = vods
        self.fill()
        while self.pending or self.score_queue:
            if self.score_queue and not any(
                isinstance(w, (_Fetching, _Decoding)) for w in self.pending.values()
            ):
                self.flush_scores(force=True)
            ready, _ = ray.wait(list(self.pending), num_returns=1, timeout=30.0)
            if not ready:
                log.debug("waiting", pending=len(self.pending))
                continue
            rest = [r for r in self.pending if r not in set(ready)]
            if rest:
                more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
                ready += more
            for ref in ready:
                self.handle(ref, self.pending.pop(ref))
            for v in vods:
                self.dispatch(v, v.sched.release())
            self.fill()
        unfinished = self.scheduler.unfinished
        if unfinished:  # pragma: no cover - a logic error, never a silent drop
            raise RuntimeError(f"analysis ended without finishing {unfinished}")
        return {v.sched.key: v.sched.out for v in vods}
