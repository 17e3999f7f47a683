"""The actor graph: fetch -> decode -> score -> track, many VODs at once, bounded everywhere.

The driver runs one event loop over ``ray.wait``. Every edge is bounded:

* a segment is *in flight* from its fetch until it is released to the tracker (in playlist
  order; its data ref is held until then): at most ``inflight_per_vod`` per VOD and
  ``inflight_total`` across VODs (the global cap), so the object store holds a bounded number
  of segments whatever the VOD length, results waiting behind a slow segment included; the last
  two scored segments per VOD are also kept, for dense re-sampling before end screens;
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

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ray
import structlog
from ray.exceptions import RayActorError, RayError

from actors.decoder import DecoderActor
from actors.fetcher import FetcherActor
from actors.scorer import ScorerActor
from actors.tracker import TrackerActor
from vodstream.errors import VodstreamError
from vodstream.matches.analysis import transition_windows
from vodstream.store.runstore import SegmentResult
from vodstream.types import Gap, Match, Segment

__all__ = ["ActorGraph", "GraphConfig", "VodAnalysis", "VodJob"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, kw_only=True)
class GraphConfig:
    decoders: int | None = None  # None: the CPUs the scorers leave (at least 1)
    scorers: int | None = None  # None: about 3/4 of the CPUs (scoring costs ~4x decoding)
    inflight_per_vod: int = 6
    inflight_total: int = 12
    window: int | None = None  # reorder window in segments (default 4x per-VOD cap)
    batch_segments: int = 4
    tracker_inflight: int = 8
    checkpoint_every: int = 30  # released segments between tracker checkpoints
    fetch_concurrency: int = 8
    decode_mode: str = "keyframes"
    refine_fps: float | None = 5.0  # dense re-sampling before end screens/SPECTATING (None: off)
    decoder_kwargs: dict[str, Any] = field(default_factory=dict)
    scorer_kwargs: dict[str, Any] = field(default_factory=dict)
    tracker_kwargs: dict[str, Any] = field(default_factory=dict)


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


@dataclass(kw_only=True)
class VodAnalysis:
    key: str
    matches: list[Match] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    thumbs: dict[float, bytes] = field(default_factory=dict)
    segments: int = 0
    analysed: int = 0  # segments analysed in this run
    resumed: int = 0  # taken from the run store
    failed: int = 0  # segments with a gap (fetch/decode failed)
    frames_decoded: int = 0
    samples: int = 0
    bytes_fetched: int = 0
    wall_s: float = 0.0
    tracker_restarts: int = 0
    peak_inflight: int = 0  # this VOD's segments in flight at once (<= inflight_per_vod)
    peak_reorder: int = 0  # results held waiting for an earlier segment (<= window)
    refined_samples: int = 0  # dense re-samples scored before end screens / SPECTATING


ProgressFn = Callable[[str, str, int], None]  # (vod key, event, amount)


class _Vod:
    """Driver-side state of one VOD in the graph."""

    def __init__(self, job: VodJob, fetcher: Any, tracker: Any) -> None:
        self.job = job
        self.fetcher = fetcher
        self.tracker = tracker
        self.order = [s.index for s in job.segments]
        self.pos = {idx: p for p, idx in enumerate(self.order)}
        self.segs = {s.index: s for s in job.segments}
        self.next_pos = 0
        self.release_pos = 0
        self.results: dict[int, SegmentResult] = {}
        self.inflight = 0
        self.gen = 0
        self.tracker_pending = 0
        self.tail: list[tuple[int, int, list[Any]]] = []  # (segment, seq, scores) since the checkpoint
        self.seq = 0  # tracker updates sent
        self.ckpt: tuple[int, dict[str, Any]] | None = None
        self.released_since_ckpt = 0
        self.finishing = False
        self.finished = False
        self.out = VodAnalysis(key=job.key, segments=len(self.order))
        self.t0 = time.monotonic()
        self.recoveries = 0
        self.persist: dict[int, bool] = {}  # completed results to write to the run store on release
        self.data: dict[int, Any] = {}  # segment data refs kept for dense re-sampling
        self.recent: list[int] = []  # the last two segments that had samples (plain path's rule)
        self.last_score: Any = None  # the latest base score released (transition windows)
        self.refining: dict[str, Any] | None = None  # the segment whose release waits for re-samples

    @property
    def all_released(self) -> bool:
        return self.release_pos >= len(self.order)


class ActorGraph:
    """Creates the actor pool once and analyses batches of VODs with it."""

    def __init__(self, config: GraphConfig | None = None) -> None:
        self.config = cfg = config or GraphConfig()
        total_cpus = max(1.0, float(ray.cluster_resources().get("CPU", 1.0)))
        n_sc = cfg.scorers if cfg.scorers is not None else max(1, int(0.75 * total_cpus))
        n_dec = cfg.decoders if cfg.decoders is not None else max(1, int(total_cpus) - n_sc)
        # Request whole CPUs where the cluster has them, else share (so the pool always schedules).
        per = min(1.0, total_cpus / (n_dec + n_sc))
        self.decoders = [
            DecoderActor.options(num_cpus=per).remote(mode=cfg.decode_mode, **cfg.decoder_kwargs)
            for _ in range(n_dec)
        ]
        self.scorers = [
            ScorerActor.options(num_cpus=per).remote(scorer_kwargs=cfg.scorer_kwargs) for _ in range(n_sc)
        ]
        self._dec_load = [0] * len(self.decoders)
        self._sc_load = [0] * len(self.scorers)
        log.debug("actor graph", decoders=n_dec, scorers=n_sc, cpus=total_cpus, cpu_per_actor=per)

    def nodes(self) -> list[str]:
        """Node ids the decoders and scorers run on (one per actor); waits until the pool is up.
        A pool that cannot start is closed and raises VodstreamError with Ray's last line."""
        try:
            return [n for n, _ in ray.get([a.where.remote() for a in [*self.decoders, *self.scorers]])]
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
        for a in [*self.decoders, *self.scorers]:
            ray.kill(a)
        self.decoders, self.scorers = [], []

    # -- the loop ------------------------------------------------------------------------------

    def analyze(
        self,
        jobs: Sequence[VodJob],
        *,
        on_result: Callable[[str, SegmentResult], None] | None = None,
        on_checkpoint: Callable[[str, int, dict[str, Any]], None] | None = None,
        progress: ProgressFn | None = None,
    ) -> dict[str, VodAnalysis]:
        cfg = self.config
        window = cfg.window or 4 * cfg.inflight_per_vod
        on_result = on_result or (lambda key, r: None)
        on_checkpoint = on_checkpoint or (lambda key, idx, st: None)
        progress = progress or (lambda key, ev, n: None)
        vods = [
            _Vod(
                job,
                FetcherActor.remote(concurrency=cfg.fetch_concurrency, config=job.fetch_config),
                TrackerActor.remote(**cfg.tracker_kwargs),
            )
            for job in jobs
        ]
        self.trackers = {v.job.key: v.tracker for v in vods}  # for tests and diagnostics
        self.fetchers = {v.job.key: v.fetcher for v in vods}
        self.peak_inflight = 0  # across VODs (<= inflight_total)
        pending: dict[Any, tuple[Any, ...]] = {}
        score_queue: list[tuple[_Vod, int, Any, dict[str, Any]]] = []
        total_inflight = 0

        def least(loads: list[int]) -> int:
            return min(range(len(loads)), key=loads.__getitem__)

        # -- tracker edge -------------------------------------------------------------------
        def track(v: _Vod, idx: int, scores: list[Any], seq: int | None = None) -> None:
            if seq is None:
                v.seq += 1
                seq = v.seq
                v.tail.append((idx, seq, scores))
            ref = v.tracker.update.remote(scores, seq)
            v.tracker_pending += 1
            pending[ref] = ("track", v, v.gen, seq)

        def checkpoint(v: _Vod, idx: int) -> None:
            ref = v.tracker.state.remote()
            v.tracker_pending += 1
            pending[ref] = ("ckpt", v, v.gen, v.seq, idx)

        def recover(v: _Vod, err: BaseException) -> None:
            v.recoveries += 1
            if v.recoveries > 10:
                raise RuntimeError(f"tracker for {v.job.key} keeps failing: {err}") from err
            v.gen += 1
            v.out.tracker_restarts += 1
            log.warning(
                "tracker actor failed; restoring its checkpoint and replaying",
                vod=v.job.key,
                error=type(err).__name__,
                replay=[i for i, _, _ in v.tail],
                checkpoint=v.ckpt[0] if v.ckpt else None,
            )
            ref = v.tracker.restore.remote(v.ckpt[1] if v.ckpt else None)
            v.tracker_pending = 1
            pending[ref] = ("restore", v, v.gen, v.ckpt[1]["seq"] if v.ckpt else 0)
            for idx, seq, scores in v.tail:
                track(v, idx, scores, seq)
            if v.finishing:
                finish(v)

        def finish(v: _Vod) -> None:
            v.finishing = True
            end = v.job.vod_end
            if end is None and v.job.segments:
                end = v.job.segments[-1].end
            ref = v.tracker.finish.remote(end, v.seq)
            v.tracker_pending += 1
            pending[ref] = ("finish", v, v.gen, v.seq)

        # -- releasing results in playlist order ---------------------------------------------
        def release(v: _Vod) -> None:
            nonlocal total_inflight
            while not v.all_released and v.refining is None and v.tracker_pending < cfg.tracker_inflight:
                idx = v.order[v.release_pos]
                res = v.results.pop(idx, None)
                resumed = False
                if res is None and idx in v.job.done:
                    res = v.job.load(idx) if v.job.load else None
                    if res is None:  # pragma: no cover - the store is only ours during a run
                        raise RuntimeError(f"segment {idx} of {v.job.key} vanished from the run store")
                    resumed = True
                    v.out.resumed += 1
                    progress(v.job.key, "analysed", 1)
                if res is None:
                    return
                v.release_pos += 1
                if not resumed:  # it leaves the in-flight budget only now: its data ref is held
                    v.inflight -= 1
                    total_inflight -= 1
                if res.scores:
                    v.recent = [*v.recent, idx][-2:]
                windows = []
                if cfg.refine_fps and res.scores and not resumed:
                    windows = transition_windows(v.last_score, res.scores, 1.5 / cfg.refine_fps)
                if windows:
                    refine(v, res, windows)
                else:
                    finish_release(v, res, persist=v.persist.pop(idx, False))
            if v.all_released and v.refining is None and not v.finishing:
                finish(v)

        def finish_release(v: _Vod, res: SegmentResult, *, persist: bool) -> None:
            idx = res.index
            if persist:
                on_result(v.job.key, res)  # what the tracker gets is what the store keeps
            for old in [i for i in v.data if v.pos[i] < v.release_pos and i not in v.recent]:
                del v.data[old]  # released and not among the last two: no window needs it
            v.out.gaps.extend(res.gaps)
            v.out.thumbs.update(res.thumbs)
            v.out.frames_decoded += res.frames_decoded
            v.out.samples += len(res.scores) + len(res.extra)
            v.out.refined_samples += len(res.extra)
            if res.scores:
                v.last_score = max(res.scores, key=lambda x: x.vod_time)
            fed = res.scores + res.extra
            if fed:
                track(v, idx, fed)
            v.released_since_ckpt += 1
            if v.released_since_ckpt >= cfg.checkpoint_every:
                v.released_since_ckpt = 0
                checkpoint(v, idx)

        def refine(v: _Vod, res: SegmentResult, windows: list[tuple[float, float]]) -> None:
            """Re-sample the windows densely from the last two scored segments, as the plain path does."""
            jobs = []
            for lo, hi in windows:
                for part in v.recent:
                    seg = v.segs[part]
                    if seg.end <= lo or seg.start >= hi:
                        continue
                    data_ref = v.data.get(part)
                    if data_ref is None:  # e.g. taken from the run store: fetch it again
                        _, data_ref = v.fetcher.fetch.remote(seg)
                        v.data[part] = data_ref
                    jobs.append(data_ref)
                    i = least(self._dec_load)
                    self._dec_load[i] += 1
                    dmeta, samples = self.decoders[i].decode_window.remote(data_ref, lo, hi, cfg.refine_fps)
                    pending[dmeta] = ("refine_dec", v, len(jobs) - 1, samples, i)
            v.refining = {"res": res, "parts": [None] * len(jobs), "waiting": len(jobs)}
            if not jobs:
                done_refining(v)

        def done_refining(v: _Vod) -> None:
            r = v.refining
            assert r is not None
            r["res"].extra = [sc for part in r["parts"] if part for sc in part]
            v.refining = None
            finish_release(v, r["res"], persist=v.persist.pop(r["res"].index, False))
            release(v)

        def refined(v: _Vod, slot: int, scores: list[Any]) -> None:
            r = v.refining
            assert r is not None
            r["parts"][slot] = scores
            r["waiting"] -= 1
            if r["waiting"] == 0:
                done_refining(v)

        def complete(v: _Vod, idx: int, res: SegmentResult, *, persist: bool) -> None:
            v.persist[idx] = persist
            if res.gaps and not res.scores:
                v.out.failed += 1
            v.out.analysed += 1
            progress(v.job.key, "analysed", 1)
            v.results[idx] = res
            v.out.peak_reorder = max(v.out.peak_reorder, len(v.results))
            release(v)

        def gap_result(v: _Vod, idx: int, reason: str, frames: int = 0) -> SegmentResult:
            seg = v.segs[idx]
            return SegmentResult(
                index=idx,
                start=seg.start,
                duration=seg.duration,
                frames_decoded=frames,
                gaps=[Gap(start=seg.start, end=seg.end, reason=reason, segment_index=idx)],
            )

        # -- submitting ----------------------------------------------------------------------
        def fill() -> None:
            nonlocal total_inflight
            progressed = True
            while progressed and total_inflight < cfg.inflight_total:
                progressed = False
                for v in vods:  # round robin: one segment per VOD per pass (fair under the global cap)
                    if total_inflight >= cfg.inflight_total:
                        break
                    while v.next_pos < len(v.order) and v.order[v.next_pos] in v.job.done:
                        v.next_pos += 1
                    if (
                        v.next_pos >= len(v.order)
                        or v.inflight >= cfg.inflight_per_vod
                        or v.next_pos - v.release_pos >= window
                    ):
                        continue
                    seg = v.segs[v.order[v.next_pos]]
                    v.next_pos += 1
                    meta_ref, data_ref = v.fetcher.fetch.remote(seg)
                    pending[meta_ref] = ("fetch", v, seg.index, data_ref)
                    v.inflight += 1
                    total_inflight += 1
                    v.out.peak_inflight = max(v.out.peak_inflight, v.inflight)
                    self.peak_inflight = max(self.peak_inflight, total_inflight)
                    progressed = True

        def flush_scores(force: bool = False) -> None:
            while score_queue and (
                force or len(score_queue) >= cfg.batch_segments or min(self._sc_load) == 0
            ):
                batch = score_queue[: cfg.batch_segments]
                del score_queue[: cfg.batch_segments]
                i = least(self._sc_load)
                self._sc_load[i] += 1
                ref = self.scorers[i].score.remote(*[b[2] for b in batch])
                pending[ref] = ("score", i, batch)
                if not force:
                    break

        # -- handling completions ------------------------------------------------------------
        def handle(ref: Any, what: tuple[Any, ...]) -> None:
            kind = what[0]
            if kind == "fetch":
                _, v, idx, data_ref = what
                try:
                    meta = ray.get(ref)
                except RayError as err:
                    meta = {"ok": False, "error": f"fetcher failed: {type(err).__name__}"}
                if not meta["ok"]:
                    log.warning(
                        "segment not fetched; recording a gap",
                        vod=v.job.key,
                        segment=idx,
                        error=meta.get("error"),
                    )
                    complete(v, idx, gap_result(v, idx, f"fetch failed: {meta.get('error')}"), persist=False)
                    return
                v.out.bytes_fetched += int(meta.get("nbytes", 0))
                progress(v.job.key, "fetched", 1)
                if cfg.refine_fps:
                    v.data[idx] = data_ref
                i = least(self._dec_load)
                self._dec_load[i] += 1
                dmeta_ref, samples_ref = self.decoders[i].decode.remote(data_ref)
                pending[dmeta_ref] = ("decode", v, idx, samples_ref, i)
            elif kind == "decode":
                _, v, idx, samples_ref, i = what
                self._dec_load[i] -= 1
                try:
                    meta = ray.get(ref)
                except RayError as err:  # not the media's fault: do not store it as a result
                    meta = {"ok": False, "error": f"decoder failed: {type(err).__name__}", "system": True}
                if not meta["ok"]:
                    log.warning(
                        "segment not decoded; recording a gap",
                        vod=v.job.key,
                        segment=idx,
                        error=meta.get("error"),
                    )
                    complete(
                        v,
                        idx,
                        gap_result(v, idx, f"decode failed: {meta.get('error')}"),
                        persist=not meta.get("system"),
                    )
                    return
                if meta["n"] == 0:
                    seg = v.segs[idx]
                    res = SegmentResult(
                        index=idx,
                        start=seg.start,
                        duration=seg.duration,
                        frames_decoded=meta["frames"],
                        gaps=[Gap(**g) for g in meta["gaps"]],
                    )
                    complete(v, idx, res, persist=True)
                    return
                score_queue.append((v, idx, samples_ref, meta))
                flush_scores()
            elif kind == "score":
                _, i, batch = what
                self._sc_load[i] -= 1
                try:
                    results = ray.get(ref)
                except RayError as err:
                    log.warning("score batch failed; recording gaps", error=str(err).splitlines()[0])
                    results = None
                for pos, (v, idx, _, meta) in enumerate(batch):
                    if results is None:
                        complete(v, idx, gap_result(v, idx, "scoring failed", meta["frames"]), persist=False)
                        continue
                    scores, thumbs = results[pos]
                    seg = v.segs[idx]
                    res = SegmentResult(
                        index=idx,
                        start=seg.start,
                        duration=seg.duration,
                        scores=scores,
                        gaps=[Gap(**g) for g in meta["gaps"]],
                        frames_decoded=meta["frames"],
                        thumbs=thumbs,
                    )
                    complete(v, idx, res, persist=True)
            elif kind == "refine_dec":
                _, v, slot, samples_ref, i = what
                self._dec_load[i] -= 1
                try:
                    meta = ray.get(ref)
                except RayError as err:
                    meta = {"ok": False, "error": f"decoder failed: {type(err).__name__}"}
                if not meta["ok"] or meta["n"] == 0:
                    refined(v, slot, [])
                    return
                j = least(self._sc_load)
                self._sc_load[j] += 1
                pending[self.scorers[j].score.remote(samples_ref)] = ("refine_score", v, slot, j)
            elif kind == "refine_score":
                _, v, slot, j = what
                self._sc_load[j] -= 1
                try:
                    [(scores, _thumbs)] = ray.get(ref)
                except RayError as err:
                    log.warning(
                        "re-sampling failed; keeping the keyframe scores",
                        vod=v.job.key,
                        error=type(err).__name__,
                    )
                    scores = []
                refined(v, slot, scores)
            elif kind in ("track", "ckpt", "restore", "finish"):
                v, gen, want = what[1], what[2], what[3]
                if gen != v.gen:
                    return  # an answer from before a recovery: superseded
                v.tracker_pending -= 1
                try:
                    seq, value = ray.get(ref)
                except RayActorError as err:
                    recover(v, err)
                    return
                # the actor's update count must be the one this call was sent after (see
                # actors/tracker.py): otherwise an update was lost in a restart
                if seq != want or (kind in ("track", "finish") and value is None):
                    recover(v, RuntimeError(f"tracker out of sequence ({seq} != {want})"))
                    return
                if kind == "track":
                    progress(v.job.key, "matches", int(value))
                elif kind == "ckpt":
                    idx = what[4]
                    v.ckpt = (idx, value)
                    on_checkpoint(v.job.key, idx, value)
                    v.tail = [t for t in v.tail if t[1] > value["seq"]]
                elif kind == "finish":
                    v.out.matches, v.out.dropped = value
                    v.finished = True
                    v.out.wall_s = time.monotonic() - v.t0
                    progress(v.job.key, "done", len(v.out.matches))
                release(v)

        # -- resume: restore the tracker checkpoint if everything before it is in the store ----
        for v in vods:
            ck = v.job.checkpoint
            if ck is None or ck[0] not in v.segs:
                continue
            upto = v.pos[ck[0]]
            if all(i in v.job.done for i in v.order[: upto + 1]):
                v.ckpt = ck
                v.seq = int(ck[1]["seq"])
                ref = v.tracker.restore.remote(ck[1])
                v.tracker_pending += 1
                pending[ref] = ("restore", v, v.gen, v.seq)
                v.release_pos = v.next_pos = upto + 1
                # what the re-sampling rule needs from before the checkpoint: the last two scored
                # segments and the last score (as if they had just been released)
                scored = []
                for pos in range(upto, -1, -1):
                    if len(scored) == 2:
                        break
                    got = v.job.load(v.order[pos]) if v.job.load else None
                    if got is not None and got.scores:
                        scored.append(got)
                v.recent = [r.index for r in reversed(scored)]
                v.last_score = max(scored[0].scores, key=lambda x: x.vod_time) if scored else None
                v.out.resumed += upto + 1
                progress(v.job.key, "analysed", upto + 1)

        try:
            return self._loop(vods, pending, score_queue, release, fill, flush_scores, handle)
        finally:
            for v in vods:
                ray.kill(v.fetcher)
                ray.kill(v.tracker)

    def _loop(
        self,
        vods: list[_Vod],
        pending: dict[Any, tuple[Any, ...]],
        score_queue: list[Any],
        release: Callable[[_Vod], None],
        fill: Callable[[], None],
        flush_scores: Callable[..., None],
        handle: Callable[[Any, tuple[Any, ...]], None],
    ) -> dict[str, VodAnalysis]:
        for v in vods:
            release(v)  # resumed prefixes and empty VODs
        fill()
        while pending or score_queue:
            if score_queue and not any(w[0] in ("fetch", "decode") for w in pending.values()):
                flush_scores(force=True)
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=30.0)
            if not ready:
                log.debug("waiting", pending=len(pending))
                continue
            rest = [r for r in pending if r not in set(ready)]
            if rest:
                more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
                ready += more
            for ref in ready:
                what = pending.pop(ref)
                handle(ref, what)
            for v in vods:
                release(v)
            fill()
        unfinished = [v.job.key for v in vods if not v.finished]
        if unfinished:  # pragma: no cover - a logic error, never a silent drop
            raise RuntimeError(f"analysis ended without finishing {unfinished}")
        return {v.job.key: v.out for v in vods}
