"""The per-VOD analysis policy, without Ray: typed completion events in, typed commands out.

One :class:`VodScheduler` per VOD decides

* what to fetch next (:meth:`VodScheduler.next_fetch`; :class:`Scheduler` shares the global cap
  between VODs, one segment per VOD per pass), within the in-flight caps: a segment is *in
  flight* from its fetch until it is released, at most ``inflight_per_vod`` per VOD, and at most
  ``window`` positions ahead of the next one to release;
* the release order: results go to the tracker in playlist order, whatever order they complete in
  (a segment already in the run store is read back instead of fetched);
* dense re-sampling: before a released segment's first end screen / SPECTATING (and the other
  moments :func:`transition_windows` names), the gap since the last score is re-sampled at
  ``refine_fps`` from the last two scored segments, and the release waits for it; once every
  segment is released, the frames after the VOD's last keyframe are (a match it cuts off), and
  those after the last keyframe that read the count where none read it since;
* which segments' data must be kept for that (:class:`Forget` says when one is no longer needed);
* tracker checkpoints every ``checkpoint_every`` released segments, and the restore + replay
  after a tracker failure (every tracker call carries its update number; an answer out of
  sequence, or from before a restore, is caught here);
* the restore of a checkpoint when a run is resumed.

The driver (the Ray graph in :mod:`actors.pipeline`, or the plain loop in
:func:`vodstream.matches.analysis.analyze`) does what the commands say and reports back with the
event methods; it never decides any of the above itself (the Ray driver only picks the actor that
runs a command and batches the scoring).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import structlog

from vodstream.store.runstore import SegmentResult
from vodstream.types import Gap, Match, Score, Segment

__all__ = [
    "Command",
    "Fetch",
    "Forget",
    "Persist",
    "Progress",
    "Resample",
    "SaveCheckpoint",
    "Scheduler",
    "TrackerCall",
    "VodAnalysis",
    "VodScheduler",
    "gap_result",
    "transition_windows",
]

log = structlog.get_logger(__name__)

MAX_TRACKER_RECOVERIES = 10


def transition_windows(
    prev: Score | None, scores: Sequence[Score], min_gap: float = 0.5
) -> list[tuple[float, float]]:
    """VOD-time gaps (open intervals) just before an end screen or SPECTATING first shows, or
    the lobby straight after the in-match HUD (a match abandoned with no end screen), or the HUD
    hiding (inventory, map) right after a sample whose kill box was seen but its count not read.

    Keyframes are 2 s apart: a kill in the last moments before the end screen (or before the
    player's death and SPECTATING, or before leaving the match) may show on no keyframe at all.
    Sampling these short gaps densely recovers it (and pins the end screen's first moment closer).
    Likewise the count last shown before the HUD hides is the one that holds until it shows
    again (at a VOD's end: perhaps never): where the last look at it failed, the frames between
    are looked at too. (The tail after a VOD's last keyframe: :meth:`VodScheduler._refine_vod_tail`.)
    """
    out: list[tuple[float, float]] = []
    last = prev
    for s in sorted(scores, key=lambda x: x.vod_time):
        kind = s.marker.kind if s.marker else None
        last_kind = last.marker.kind if last is not None and last.marker else None
        if last is not None and s.vod_time - last.vod_time > min_gap:
            screen = kind != last_kind and (
                kind in ("end", "spectating") or (kind == "lobby" and last.hud_visible)
            )
            hides = (
                kind is None
                and last_kind is None
                and last.hud_visible
                and not s.hud_visible
                and last.kills is None
                and last.kill_box is True  # the box was seen, its count not read
            )
            if screen or hides:
                out.append((last.vod_time, s.vod_time))
        last = s
    return out


# -- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetch:
    """Fetch, decode and score this segment; answer with ``fetched`` and ``completed``."""

    segment: Segment


@dataclass(frozen=True)
class Resample:
    """Decode ``segment`` densely (``fps``) strictly inside VOD time (lo, hi) and score it; answer
    with ``resampled(slot, scores)`` (no scores when that fails). The driver uses the segment's
    data if it still holds it, else fetches it again and holds it until :class:`Forget`."""

    segment: Segment
    lo: float
    hi: float
    fps: float
    slot: int


@dataclass(frozen=True)
class Forget:
    """The segment's data is no longer needed for re-sampling: drop it."""

    index: int


@dataclass(frozen=True)
class Persist:
    """Record this result in the run store (what the tracker gets is what the store keeps)."""

    result: SegmentResult


@dataclass(frozen=True)
class SaveCheckpoint:
    """Persist the tracker's state as of released segment ``index``."""

    index: int
    state: dict[str, Any]


@dataclass(frozen=True)
class Progress:
    event: Literal["fetched", "analysed", "matches", "done"]
    n: int


@dataclass(frozen=True)
class TrackerCall:
    """A call to the VOD's tracker; answer with ``answered(call, seq, value)`` or
    ``tracker_failed(call, err)``.

    * ``update``: ``tracker.update(scores, seq)`` -> (seq, matches closed so far or None);
    * ``state``: ``tracker.state()`` -> (seq, state) for a checkpoint at released ``index``;
    * ``restore``: ``tracker.restore(state)`` -> (seq, None) (``state`` None: a fresh tracker);
    * ``finish``: ``tracker.finish(vod_end, seq)`` -> (seq, (matches, dropped) or None).

    ``seq`` is the update count the tracker must answer with (see :mod:`actors.tracker`).
    """

    kind: Literal["update", "state", "restore", "finish"]
    gen: int  # the tracker incarnation this call was sent to (answers from older ones are stale)
    seq: int
    scores: tuple[Score, ...] = ()
    state: dict[str, Any] | None = None
    vod_end: float | None = None
    index: int | None = None


Command = Fetch | Resample | Forget | Persist | SaveCheckpoint | Progress | TrackerCall


# -- what comes out -----------------------------------------------------------------------------


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
    refined_samples: int = 0  # dense re-samples scored (transition_windows, the VOD's tail)


@dataclass
class _Refining:
    result: SegmentResult
    persist: bool
    parts: list[list[Score] | None]
    waiting: int
    vod_tail: bool = False  # the frames after the VOD's last keyframe (VodScheduler._refine_vod_tail)


def gap_result(segment: Segment, reason: str, frames: int = 0) -> SegmentResult:
    """The result of a segment that could not be analysed: one gap over it."""
    return SegmentResult(
        index=segment.index,
        start=segment.start,
        duration=segment.duration,
        frames_decoded=frames,
        gaps=[Gap(start=segment.start, end=segment.end, reason=reason, segment_index=segment.index)],
    )


# -- one VOD ------------------------------------------------------------------------------------


class VodScheduler:
    """The policy for one VOD (see the module's docstring).

    ``window``: how far past the next segment to release fetching may run (None: 4x
    ``inflight_per_vod``). ``segments``: in playlist order (more may be added with :meth:`add_segment` when
    ``open_input``, until :meth:`close_input`); ``done``: indexes already in the run store, read
    back with ``load``; ``checkpoint``: (last index included, tracker state) from the run store.
    """

    def __init__(
        self,
        key: str,
        segments: Sequence[Segment] = (),
        *,
        inflight_per_vod: int,
        window: int | None,
        tracker_inflight: int,
        checkpoint_every: int | None,
        refine_fps: float | None,
        done: Iterable[int] = (),
        load: Callable[[int], SegmentResult | None] | None = None,
        checkpoint: tuple[int, dict[str, Any]] | None = None,
        vod_end: float | None = None,
        open_input: bool = False,
    ) -> None:
        self.key = key
        self.inflight_per_vod = inflight_per_vod
        self.window = window if window is not None else 4 * inflight_per_vod  # reorder window
        self.tracker_inflight = tracker_inflight
        self.checkpoint_every = checkpoint_every
        self.refine_fps = refine_fps
        self.done = set(done)
        self.load = load
        self.checkpoint = checkpoint
        self.vod_end = vod_end
        self.input_closed = not open_input
        self.segments: list[Segment] = []
        self.order: list[int] = []
        self.pos: dict[int, int] = {}
        self.segs: dict[int, Segment] = {}
        for s in segments:
            self._add(s)
        self.next_pos = 0
        self.release_pos = 0
        self.inflight = 0
        self.results: dict[int, SegmentResult] = {}
        self.persist: dict[int, bool] = {}  # completed results to write to the run store on release
        self.gen = 0
        self.tracker_pending = 0
        self.seq = 0  # tracker updates sent
        self.tail: list[
            tuple[int, int, tuple[Score, ...]]
        ] = []  # (segment, seq, scores) since the checkpoint
        self.ckpt: tuple[int, dict[str, Any]] | None = None
        self.released_since_ckpt = 0
        self.finishing = False
        self.finished = False
        self.recoveries = 0
        self.held: set[int] = set()  # segments whose data the driver keeps for re-sampling
        self.recent: list[int] = []  # the last two released segments that had scores
        self.last_score: Score | None = None  # the latest base score released (transition windows)
        # the latest base score that read the count, and the base score after it where none since
        # has (a marker in between: None) -- the VOD's tail looks between them (_refine_vod_tail)
        self.last_read: Score | None = None
        self.after_read: Score | None = None
        self.refining: _Refining | None = None  # the release waiting for its re-samples
        self.last_released: tuple[SegmentResult, bool] | None = None  # (result, persist)
        self.vod_tail_done = False
        self.out = VodAnalysis(key=key, segments=len(self.order))
        self.t0 = time.monotonic()

    # -- input ----------------------------------------------------------------------------------

    def _add(self, segment: Segment) -> None:
        self.pos[segment.index] = len(self.order)
        self.order.append(segment.index)
        self.segs[segment.index] = segment
        self.segments.append(segment)

    def add_segment(self, segment: Segment) -> None:
        """One more segment at the end of the playlist (``open_input`` only)."""
        assert not self.input_closed, "input already closed"
        self._add(segment)
        self.out.segments = len(self.order)

    def close_input(self, vod_end: float | None = None) -> list[Command]:
        """No more segments; ``vod_end`` (default: the end of the last one) closes a match the
        VOD cuts off."""
        self.input_closed = True
        if vod_end is not None:
            self.vod_end = vod_end
        return self.release()

    @property
    def keeps_data(self) -> bool:
        """Whether fetched segments' data is to be held (until :class:`Forget`) for re-sampling."""
        return bool(self.refine_fps)

    @property
    def all_released(self) -> bool:
        return self.input_closed and self.release_pos >= len(self.order)

    # -- start (resume) -------------------------------------------------------------------------

    def start(self) -> list[Command]:
        """Restore the run store's tracker checkpoint when every segment up to it is in the
        store (the analysis then starts after it), and release what can be."""
        cmds: list[Command] = []
        ck = self.checkpoint
        if ck is not None and ck[0] in self.segs:
            upto = self.pos[ck[0]]
            if all(i in self.done for i in self.order[: upto + 1]):
                self.ckpt = ck
                self.seq = int(ck[1]["seq"])
                cmds.append(self._call("restore", seq=self.seq, state=ck[1]))
                self.release_pos = self.next_pos = upto + 1
                # what the re-sampling rule needs from before the checkpoint: the last two scored
                # segments and the last score (as if they had just been released)
                scored: list[SegmentResult] = []
                for pos in range(upto, -1, -1):
                    if len(scored) == 2:
                        break
                    got = self.load(self.order[pos]) if self.load else None
                    if got is not None and got.scores:
                        scored.append(got)
                self.recent = [r.index for r in reversed(scored)]
                self.last_score = max(scored[0].scores, key=lambda x: x.vod_time) if scored else None
                self.out.resumed += upto + 1
                cmds.append(Progress("analysed", upto + 1))
        return cmds + self.release()

    # -- fetching -------------------------------------------------------------------------------

    def next_fetch(self) -> Fetch | None:
        """The next segment to fetch, or None while the caps (or the input) say wait."""
        while self.next_pos < len(self.order) and self.order[self.next_pos] in self.done:
            self.next_pos += 1
        if (
            self.next_pos >= len(self.order)
            or self.inflight >= self.inflight_per_vod
            or self.next_pos - self.release_pos >= self.window
        ):
            return None
        seg = self.segs[self.order[self.next_pos]]
        self.next_pos += 1
        self.inflight += 1
        self.out.peak_inflight = max(self.out.peak_inflight, self.inflight)
        return Fetch(seg)

    def fetched(self, index: int, nbytes: int) -> list[Command]:
        """Segment ``index`` was fetched (its data is held when :attr:`keeps_data`)."""
        self.out.bytes_fetched += int(nbytes)
        if self.keeps_data:
            self.held.add(index)
        return [Progress("fetched", 1)]

    def gap(self, index: int, reason: str, frames: int = 0) -> SegmentResult:
        return gap_result(self.segs[index], reason, frames)

    def completed(self, result: SegmentResult, *, persist: bool) -> list[Command]:
        """A fetched segment's result (scores, or gaps saying why not); ``persist``: whether the
        run store may keep it (not when the failure was the system's, not the media's)."""
        idx = result.index
        self.persist[idx] = persist
        if result.gaps and not result.scores:
            self.out.failed += 1
        self.out.analysed += 1
        self.results[idx] = result
        self.out.peak_reorder = max(self.out.peak_reorder, len(self.results))
        return [Progress("analysed", 1), *self.release()]

    # -- releasing in playlist order ------------------------------------------------------------

    def release(self) -> list[Command]:
        cmds: list[Command] = []
        while (
            self.release_pos < len(self.order)
            and self.refining is None
            and self.tracker_pending < self.tracker_inflight
        ):
            idx = self.order[self.release_pos]
            res = self.results.pop(idx, None)
            resumed = False
            if res is None and idx in self.done:
                res = self.load(idx) if self.load else None
                if res is None:  # pragma: no cover - the store is only ours during a run
                    raise RuntimeError(f"segment {idx} of {self.key} vanished from the run store")
                resumed = True
                self.out.resumed += 1
                cmds.append(Progress("analysed", 1))
            if res is None:
                break
            self.release_pos += 1
            if not resumed:  # it leaves the in-flight budget only now: its data was held until now
                self.inflight -= 1
            if res.scores:
                self.recent = [*self.recent, idx][-2:]
            windows: list[tuple[float, float]] = []
            if self.refine_fps and res.scores and not resumed:
                windows = transition_windows(self.last_score, res.scores, 1.5 / self.refine_fps)
            persist = self.persist.pop(idx, False)
            self.last_released = (res, persist)
            if windows:
                cmds += self._refine(res, persist, windows)
            else:
                cmds += self._finish_release(res, persist)
        if self.all_released and self.refining is None and not self.finishing:
            tail = self._refine_vod_tail()
            cmds += tail if tail else [self._finish()]
        return cmds

    def _finish_release(self, res: SegmentResult, persist: bool) -> list[Command]:
        cmds: list[Command] = []
        idx = res.index
        if persist:
            cmds.append(Persist(res))
        for old in sorted(i for i in self.held if self.pos[i] < self.release_pos and i not in self.recent):
            self.held.discard(old)  # released and not among the last two: no window needs it
            cmds.append(Forget(old))
        self.out.gaps.extend(res.gaps)
        self.out.thumbs.update(res.thumbs)
        self.out.frames_decoded += res.frames_decoded
        self.out.samples += len(res.scores) + len(res.extra)
        self.out.refined_samples += len(res.extra)
        if res.scores:
            self.last_score = max(res.scores, key=lambda x: x.vod_time)
        self._note_reads(res.scores)
        fed = res.scores + res.extra
        if fed:
            self.seq += 1
            self.tail.append((idx, self.seq, tuple(fed)))
            cmds.append(self._call("update", seq=self.seq, scores=tuple(fed)))
        self.released_since_ckpt += 1
        if self.checkpoint_every and self.released_since_ckpt >= self.checkpoint_every:
            self.released_since_ckpt = 0
            cmds.append(self._call("state", seq=self.seq, index=idx))
        return cmds

    def _note_reads(self, scores: Sequence[Score]) -> None:
        """Follow the last base score that read the count and the base score after it (reset by
        any screen: the match the tail belongs to is then not the one read)."""
        for s in sorted(scores, key=lambda x: x.vod_time):
            if s.marker is not None:
                self.last_read = self.after_read = None
            elif s.kills is not None:
                self.last_read, self.after_read = s, None
            elif self.last_read is not None and self.after_read is None:
                self.after_read = s

    # -- dense re-sampling ----------------------------------------------------------------------

    def _resamples(self, windows: list[tuple[float, float]]) -> list[Command]:
        """Re-sample the windows densely from the last two scored segments."""
        assert self.refine_fps
        cmds: list[Command] = []
        for lo, hi in windows:
            for part in self.recent:
                seg = self.segs[part]
                if seg.end <= lo or seg.start >= hi:
                    continue
                self.held.add(part)  # e.g. taken from the run store: the driver fetches it again
                cmds.append(Resample(seg, lo, hi, self.refine_fps, slot=len(cmds)))
        return cmds

    def _refine(self, res: SegmentResult, persist: bool, windows: list[tuple[float, float]]) -> list[Command]:
        """Hold ``res``'s release until its windows are re-sampled."""
        cmds = self._resamples(windows)
        self.refining = _Refining(res, persist, [None] * len(cmds), len(cmds))
        if not cmds:
            return self._done_refining()
        return cmds

    def _refine_vod_tail(self) -> list[Command]:
        """Once every segment is released: re-sample the frames after the VOD's last keyframe.

        A match the VOD cuts off may show its final count only there (its last keyframe caught
        the HUD hidden, or the count unread). Where the count went unread after some keyframe
        to the VOD's end, the frames between that keyframe and the next one are re-sampled too:
        the count shown last may be read there, nearer the end (a kill just before the HUD hid).
        The scores go to the tracker after the last segment's, and to the run store with it: a
        resumed run feeds them from there (a window already holding stored re-samples is not
        looked at again: the other windows end at base scores, never inside these two)."""
        if self.vod_tail_done or not self.refine_fps or self.last_released is None:
            return []
        self.vod_tail_done = True
        res, persist = self.last_released
        last, end = self.last_score, self._end()
        windows: list[tuple[float, float]] = []
        if self.last_read is not None and self.after_read is not None:
            windows.append((self.last_read.vod_time, self.after_read.vod_time))
        if last is not None and end is not None:
            windows.append((last.vod_time, end))
        windows = [
            (lo, hi)
            for lo, hi in windows
            if hi - lo > 1.5 / self.refine_fps and not any(lo < x.vod_time < hi for x in res.extra)
        ]
        cmds = self._resamples(windows)
        if cmds:
            self.refining = _Refining(res, persist, [None] * len(cmds), len(cmds), vod_tail=True)
        return cmds

    def resampled(self, slot: int, scores: Sequence[Score]) -> list[Command]:
        """The scores of :class:`Resample` ``slot`` (empty when it failed)."""
        r = self.refining
        assert r is not None
        r.parts[slot] = list(scores)
        r.waiting -= 1
        return self._done_refining() if r.waiting == 0 else []

    def _done_refining(self) -> list[Command]:
        r = self.refining
        assert r is not None
        new = [sc for part in r.parts if part for sc in part]
        self.refining = None
        if r.vod_tail:
            return self._feed_vod_tail(r.result, r.persist, new) + self.release()
        r.result.extra = new
        return self._finish_release(r.result, r.persist) + self.release()

    def _feed_vod_tail(self, res: SegmentResult, persist: bool, new: list[Score]) -> list[Command]:
        """The VOD tail's re-samples: to the tracker, and stored again with the last segment."""
        if not new:
            return []
        res.extra = [*res.extra, *new]
        self.out.samples += len(new)
        self.out.refined_samples += len(new)
        self.seq += 1
        self.tail.append((res.index, self.seq, tuple(new)))
        cmds: list[Command] = [Persist(res)] if persist else []
        return [*cmds, self._call("update", seq=self.seq, scores=tuple(new))]

    # -- the tracker ----------------------------------------------------------------------------

    def _call(
        self, kind: Literal["update", "state", "restore", "finish"], *, seq: int, **kw: Any
    ) -> TrackerCall:
        self.tracker_pending += 1
        return TrackerCall(kind, self.gen, seq, **kw)

    def _end(self) -> float | None:
        """The VOD's end: as the input said, else the end of its last segment."""
        if self.vod_end is None and self.segments:
            return self.segments[-1].end
        return self.vod_end

    def _finish(self) -> TrackerCall:
        self.finishing = True
        return self._call("finish", seq=self.seq, vod_end=self._end())

    def answered(self, call: TrackerCall, seq: int, value: Any) -> list[Command]:
        """The tracker's answer to ``call``: (its update count, the value)."""
        if call.gen != self.gen:
            return []  # an answer from before a recovery: superseded
        self.tracker_pending -= 1
        # the tracker's update count must be the one this call was sent after (see
        # actors/tracker.py): otherwise an update was lost in a restart
        if seq != call.seq or (call.kind in ("update", "finish") and value is None):
            return self._recover(RuntimeError(f"tracker out of sequence ({seq} != {call.seq})"))
        cmds: list[Command] = []
        if call.kind == "update":
            cmds.append(Progress("matches", int(value)))
        elif call.kind == "state":
            assert call.index is not None
            self.ckpt = (call.index, value)
            cmds.append(SaveCheckpoint(call.index, value))
            self.tail = [t for t in self.tail if t[1] > value["seq"]]
        elif call.kind == "finish":
            self.out.matches, self.out.dropped = value
            self.finished = True
            self.out.wall_s = time.monotonic() - self.t0
            cmds.append(Progress("done", len(self.out.matches)))
        return cmds + self.release()

    def tracker_failed(self, call: TrackerCall, err: BaseException) -> list[Command]:
        """The tracker died while answering ``call``: restore the checkpoint and replay."""
        if call.gen != self.gen:
            return []
        self.tracker_pending -= 1
        return self._recover(err)

    def _recover(self, err: BaseException) -> list[Command]:
        self.recoveries += 1
        if self.recoveries > MAX_TRACKER_RECOVERIES:
            raise RuntimeError(f"tracker for {self.key} keeps failing: {err}") from err
        self.gen += 1
        self.out.tracker_restarts += 1
        log.warning(
            "tracker actor failed; restoring its checkpoint and replaying",
            vod=self.key,
            error=type(err).__name__,
            replay=[i for i, _, _ in self.tail],
            checkpoint=self.ckpt[0] if self.ckpt else None,
        )
        self.tracker_pending = 0
        cmds: list[Command] = [
            self._call(
                "restore",
                seq=self.ckpt[1]["seq"] if self.ckpt else 0,
                state=self.ckpt[1] if self.ckpt else None,
            )
        ]
        for _idx, seq, scores in self.tail:
            cmds.append(self._call("update", seq=seq, scores=scores))
        if self.finishing:
            cmds.append(self._finish())
        return cmds


# -- many VODs ----------------------------------------------------------------------------------


class Scheduler:
    """Shares the global in-flight cap between VODs: round robin, one segment per VOD per pass."""

    def __init__(self, vods: Sequence[VodScheduler], *, inflight_total: int) -> None:
        self.vods = list(vods)
        self.inflight_total = inflight_total
        self.peak_inflight = 0  # across VODs (<= inflight_total)

    @property
    def inflight(self) -> int:
        return sum(v.inflight for v in self.vods)

    def fill(self) -> list[tuple[VodScheduler, Fetch]]:
        out: list[tuple[VodScheduler, Fetch]] = []
        total = self.inflight
        progressed = True
        while progressed and total < self.inflight_total:
            progressed = False
            for v in self.vods:  # fair under the global cap
                if total >= self.inflight_total:
                    break
                f = v.next_fetch()
                if f is None:
                    continue
                out.append((v, f))
                total += 1
                self.peak_inflight = max(self.peak_inflight, total)
                progressed = True
        return out

    @property
    def unfinished(self) -> list[str]:
        return [v.key for v in self.vods if not v.finished]
