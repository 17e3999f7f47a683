"""The job behind ``vodstream run`` / ``analyze``: the driver that starts Ray and drives the actors.

1. Resolve every input (:mod:`vodstream.sources.plan`): the clip and analysis variants, and only
   the segments inside Apex chapters.
2. Analyse all VODs at once on the Ray actor graph (:class:`actors.pipeline.ActorGraph`), recording
   every segment's result in the run store (``--resume``) as it is released.
3. Cut the top matches (:func:`vodstream.matches.analysis.rank_matches`) from the clip-quality
   variant with the clipper actor pinned to this node (only the segments the match spans are fetched).
4. Write report.json + report.html per VOD and index everything in the results catalogue.

The CLI layer's one module that drives actors/ (Ray itself is imported only there: the session
in :mod:`actors.session`, the clippers in :mod:`actors.clipper`); the stages are Ray-free and
live below it. The commands import this module lazily, so ``vodstream --help`` never loads Ray.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import structlog

from actors.clipper import ClipperPool
from actors.pipeline import ActorGraph, GraphConfig, VodJob
from actors.session import client_mode, ray_session
from vodstream import log as logconf
from vodstream.errors import VodstreamError
from vodstream.matches.analysis import AnalysisResult, rank_matches
from vodstream.media.clip import clip_segments, clip_window
from vodstream.report.assemble import build_report
from vodstream.report.document import write_reports
from vodstream.report.outcome import exit_status
from vodstream.settings import RunSettings
from vodstream.sources.plan import Plan, fetch_config, resolve_plans
from vodstream.sources.twitch import TwitchConfig, segments_in_range
from vodstream.store.catalog import Catalog
from vodstream.store.runstore import RunStore
from vodstream.types import Segment, merge_gaps

__all__ = ["JobResult", "Progress", "VodOutcome", "fingerprint", "run_job"]

log = structlog.get_logger(__name__)

RUNSTORE_NAME = "runstore.sqlite"


@dataclass(kw_only=True)
class VodOutcome:
    input: str
    vod_id: str
    out_dir: Path
    report: dict[str, Any]
    report_json: Path
    report_html: Path
    clips: list[Path] = field(default_factory=list)


@dataclass
class JobResult:
    """The outcomes in input order (iterate the result for them), and one line per VOD that
    could not be processed."""

    outcomes: list[VodOutcome]
    failures: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[VodOutcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    @property
    def exit_status(self) -> int:
        """0 complete, 1 nothing analysed, 3 partial (see :mod:`vodstream.report.outcome`)."""
        return exit_status([o.report["outcome"]["status"] for o in self.outcomes], len(self.failures))


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


def fingerprint(plan: Plan, settings: RunSettings) -> str:
    """What must match for stored per-segment results to be reused by ``--resume``
    (:meth:`RunSettings.resume_fingerprint` of the analysis variant)."""
    a = plan.analysis
    return settings.resume_fingerprint(
        {
            "vod": a.vod_id,
            "quality": a.quality,
            "kind": a.kind,
            "segments": [len(a.segments), round(a.duration, 3)],
        }
    )


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
        Catalog.open_default(settings.data_dir).close()  # a bad catalogue fails now, not after the work
    if settings.fresh:
        RunStore.remove(out_root / RUNSTORE_NAME)
    store = RunStore(out_root / RUNSTORE_NAME)  # checked before the network is touched
    try:
        plans, failures = asyncio.run(
            resolve_plans(
                inputs,
                clip_quality=settings.clip_quality,
                analyze_quality=settings.analyze_quality,
                config=TwitchConfig.from_env(settings.twitch_base, auth_token=settings.auth_token),
            )
        )
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
                    load=partial(store.get_segment, p.key),
                    checkpoint=(ck[0], ck[2]) if ck else None,
                    fetch_config=fetch_config(p.analysis),
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
            # every VOD's fetcher and tracker start with the pool (their start-up overlaps the scorers')
            graph = ActorGraph(GraphConfig.from_settings(settings), prestart=[j.fetch_config for j in jobs])
            actor_nodes = graph.nodes()  # also waits until the pool is up
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
                clips = [(i, path) for i, path, _ in clip_infos.get(p.key, [])]
                span = sum(s.duration for s in p.segments)
                report = build_report(
                    vod_id=p.key,
                    duration=p.analysis.duration,
                    result=AnalysisResult(
                        matches=res.matches,
                        gaps=merge_gaps(res.gaps),
                        timings={"total": round(res.wall_s, 4)},
                        ocr_calls=int(scorer_stats.get("ocr_calls", 0)),
                        ocr_seconds=float(scorer_stats.get("ocr_seconds", 0.0)),
                        samples=res.samples,
                        segments=res.analysed + res.resumed,
                        frames_decoded=res.frames_decoded,
                        duration=p.analysis.duration,
                        stats=scorer_stats,
                    ),
                    span=span,
                    clips=[path.name for _, path in clips],
                    clip_matches=[i for i, _ in clips],
                    clip_info=[info for _, _, info in clip_infos.get(p.key, [])],
                    clip_failures=clip_failures.get(p.key, []),
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
                        # where the VOD was fetched from (a Twitch-compatible server; None: Twitch):
                        # `vodstream label RUN_DIR` samples the same VOD from there
                        "twitch_base": settings.twitch_base,
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
                    dropped=res.dropped,
                    analysed_hours=span / 3600.0,
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
    return JobResult(outcomes, failures)


def _clip_all(
    plans: Sequence[Plan], results: dict[str, Any], settings: RunSettings, failures: dict[str, list[str]]
) -> dict[str, list[Any]]:
    """Cut the top matches of every VOD on the driver's node; returns key -> [(i, path, info)].

    A clip that fails is reported (``failures``: VOD key -> lines) and the next match in the
    ranking is cut in its place (at most one stand-in per clip asked for), saying so; the VOD's
    report is still written."""
    pool = ClipperPool()
    local = client_mode()

    def submit(p: Plan, i: int) -> tuple[str, int, Path, Any] | None:
        matches = results[p.key].matches
        start, end = clip_window(
            matches[i], p.clip.duration, p.clip.segments[0].start if p.clip.segments else 0.0
        )
        segs = segments_in_range(p.clip.segments, start, end)
        if not segs:
            return None
        path = (Path(settings.out) / p.key / f"{p.key}-match{i}.mp4").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        if local:
            # Ray Client (ray://): "this node" would be the cluster's head, not this machine,
            # so the clip is cut here, in the driver process, and lands beside the report.
            return (p.key, i, path, _LocalClip(segs, path, start, end, settings, p.clip))
        ref = pool.submit(
            p.key,
            segs,
            str(path),
            start=start,
            end=end,
            reencode=settings.reencode,
            concurrency=settings.concurrency,
            config=fetch_config(p.clip),
        )
        return (p.key, i, path, ref)

    state = {p.key: _ClipQueue(p, rank_matches(results[p.key].matches), max(settings.top, 0)) for p in plans}
    out: dict[str, list[Any]] = {}
    while True:
        todo: list[tuple[str, int, Path, Any]] = []
        for st in state.values():
            while st.wanted > 0 and st.ranking:
                job = submit(st.plan, st.ranking.pop(0))
                if job is not None:
                    todo.append(job)
                    st.wanted -= 1
        if not todo:
            break
        for key, i, path, ref in todo:
            try:
                info = ref.run() if isinstance(ref, _LocalClip) else pool.result(ref)
            except Exception as err:
                why = (str(err).strip() or type(err).__name__).splitlines()[0]  # ClipperPool unwraps Ray's
                line = f"clip of match {i} failed: {why}"
                st = state[key]
                if st.ranking and st.stand_ins < max(settings.top, 0):
                    st.wanted += 1  # one stand-in: the next match in the ranking
                    st.stand_ins += 1
                    line += f"; clipping match {st.ranking[0]} (the next best) instead"
                failures.setdefault(key, []).append(line)
                log.error("clip failed", vod=key, match=i, error=why)
                continue
            log.info("clip written", vod=key, match=i, path=str(path))
            out.setdefault(key, []).append((i, path, info))
    pool.close()
    return out


@dataclass
class _ClipQueue:
    """One VOD's clipping: the ranked matches not yet tried, clips still wanted, stand-ins used."""

    plan: Plan
    ranking: list[int]
    wanted: int
    stand_ins: int = 0


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
                fetch_config=fetch_config(self.resolved),
            )
        )
