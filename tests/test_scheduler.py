"""VodScheduler / Scheduler without Ray: caps, release order, re-sampling, checkpoints, restore, resume.

The tests play the driver: they do what the commands say (a real MatchTracker behind the
tracker protocol of actors/tracker.py: update ``n`` is applied only right after ``n - 1``) and
feed back completions, in whatever order the test wants.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

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
    VodScheduler,
)
from vodstream.matches.tracker import MatchTracker
from vodstream.store.runstore import SegmentResult
from vodstream.types import Marker, Score, Segment

SEG = 10.0


def segs(n: int) -> list[Segment]:
    return [Segment(index=i, start=i * SEG, duration=SEG, url=f"s{i}.ts") for i in range(n)]


def make(n: int = 10, **kw: Any) -> VodScheduler:
    args: dict[str, Any] = {
        "inflight_per_vod": 3,
        "window": 12,
        "tracker_inflight": 100,
        "checkpoint_every": None,
        "refine_fps": None,
    }
    args.update(kw)
    return VodScheduler("v", segs(n), **args)


def hud(t: float, kills: int | None = 0, marker: str | None = None) -> Score:
    return Score(
        vod_time=t,
        segment_index=int(t // SEG),
        kills=kills,
        hud_visible=marker is None,
        confidence=0.99 if kills is not None else 0.0,
        kill_box=True if kills is not None else None,
        marker=Marker(kind=marker) if marker else None,  # type: ignore[arg-type]
    )


def result(i: int, scores: list[Score] | None = None) -> SegmentResult:
    return SegmentResult(index=i, start=i * SEG, duration=SEG, scores=list(scores or []))


def of(cmds: list[Command], kind: type) -> list[Any]:
    return [c for c in cmds if isinstance(c, kind)]


class Tracker:
    """A MatchTracker behind the sequence protocol of actors/tracker.py (what the driver talks to)."""

    def __init__(self) -> None:
        self.tracker = MatchTracker()
        self.seq = 0
        self.fed: list[list[Score]] = []

    def answer(self, call: TrackerCall) -> tuple[int, Any]:
        if call.kind == "update":
            if call.seq != self.seq + 1:
                return self.seq, None
            self.fed.append(list(call.scores))
            closed = len(self.tracker.update(call.scores))
            self.seq = call.seq
            return self.seq, closed
        if call.kind == "state":
            return self.seq, {"seq": self.seq, "tracker": self.tracker.to_dict()}
        if call.kind == "restore":
            if call.state:
                self.tracker = MatchTracker.from_dict(call.state["tracker"])
                self.seq = int(call.state["seq"])
            else:
                self.tracker, self.seq = MatchTracker(), 0
            return self.seq, None
        if call.seq != self.seq:
            return self.seq, None
        return self.seq, (self.tracker.finish(vod_end=call.vod_end), list(self.tracker.dropped))


def answer_all(s: VodScheduler, t: Tracker, cmds: list[Command]) -> list[Command]:
    """Answer every tracker call at once (as a fast actor would); returns every command seen."""
    seen: list[Command] = []
    todo = list(cmds)
    while todo:
        c = todo.pop(0)
        seen.append(c)
        if isinstance(c, TrackerCall):
            seq, value = t.answer(c)
            todo += s.answered(c, seq, value)
    return seen


def test_fetches_stay_within_the_per_vod_cap_and_the_window() -> None:
    s = make(10, inflight_per_vod=3)
    got = [s.next_fetch() for _ in range(5)]
    assert [f.segment.index for f in got if f] == [0, 1, 2] and got[3] is None
    s2 = make(10, inflight_per_vod=6, window=4)
    got2 = [s2.next_fetch() for _ in range(6)]
    assert [f.segment.index for f in got2 if f] == [0, 1, 2, 3]  # the window, not the cap, stops it
    s2.completed(result(0), persist=True)
    assert s2.next_fetch() == Fetch(s2.segs[4])


def test_results_are_released_in_playlist_order_whatever_order_they_complete_in() -> None:
    s = make(3)
    for _ in range(3):
        s.next_fetch()
    c2 = s.completed(result(2, [hud(20.0)]), persist=True)
    c1 = s.completed(result(1, [hud(10.0)]), persist=True)
    assert not of(c2 + c1, TrackerCall) and s.inflight == 3 and s.out.peak_reorder == 2
    c0 = s.completed(result(0, [hud(0.0)]), persist=False)
    calls = of(c0, TrackerCall)
    assert [(c.kind, c.seq, c.scores[0].vod_time if c.scores else None) for c in calls] == [
        ("update", 1, 0.0),
        ("update", 2, 10.0),
        ("update", 3, 20.0),
        ("finish", 3, None),
    ]
    assert calls[-1].vod_end == 30.0
    assert [p.result.index for p in of(c0, Persist)] == [1, 2]  # 0 was not to be persisted
    assert s.inflight == 0


def test_the_global_cap_is_shared_round_robin() -> None:
    vods = [make(5) for _ in range(3)]
    for v, k in zip(vods, "abc", strict=True):
        v.key = k
    sched = Scheduler(vods, inflight_total=4)
    assert [(v.key, f.segment.index) for v, f in sched.fill()] == [("a", 0), ("b", 0), ("c", 0), ("a", 1)]
    assert sched.fill() == [] and sched.peak_inflight == 4
    vods[1].completed(result(0), persist=True)  # released: one slot frees; each pass starts at the first VOD
    assert [(v.key, f.segment.index) for v, f in sched.fill()] == [("a", 2)]


def test_tracker_calls_in_flight_are_capped() -> None:
    s = make(4, tracker_inflight=2)
    for _ in range(4):
        s.next_fetch()
    cmds: list[Command] = []
    for i in range(4):
        cmds += s.completed(result(i, [hud(i * SEG)]), persist=True)
    calls = of(cmds, TrackerCall)
    assert [c.seq for c in calls] == [1, 2] and s.release_pos == 2
    more = s.answered(calls[0], 1, 0)
    assert [c.seq for c in of(more, TrackerCall)] == [3]


def test_dense_resampling_before_an_end_screen_holds_the_release() -> None:
    s = make(4, refine_fps=5.0)
    t = Tracker()
    for _ in range(3):
        f = s.next_fetch()
        assert f is not None
        s.fetched(f.segment.index, 100)
    assert s.held == {0, 1, 2}
    answer_all(s, t, s.completed(result(0, [hud(x) for x in (0.0, 2.0, 4.0, 6.0, 8.0)]), persist=True))
    cmds = s.completed(result(1, [hud(10.0), hud(12.0, None, "end")]), persist=True)
    [rs] = of(cmds, Resample)
    # the gap between the last score before the end screen and it, in the segment that holds it
    assert (rs.segment.index, rs.lo, rs.hi, rs.fps) == (1, 10.0, 12.0, 5.0)
    assert not of(cmds, TrackerCall) and s.refining is not None
    # segment 2 completes meanwhile: it waits behind the re-sampled one
    assert not of(s.completed(result(2, [hud(20.0, None, "lobby")]), persist=True), TrackerCall)
    seen = answer_all(s, t, s.resampled(rs.slot, [hud(11.0, 1)]))
    fed = [[x.vod_time for x in c.scores] for c in of(seen, TrackerCall) if c.kind == "update"]
    assert fed == [[10.0, 12.0, 11.0], [20.0]]  # the re-samples go with their segment
    assert s.out.refined_samples == 1 and s.out.samples == 5 + 2 + 1 + 1
    # 0 is forgotten once it is no longer among the last two scored segments
    assert [f.index for f in of(seen, Forget)] == [0] and s.held == {1, 2}


def play_all(scores: list[Score], n: int = 5) -> tuple[VodScheduler, Tracker, list[Command]]:
    """A re-sampling scheduler for ``n`` segments, each fetched then completed with its ``scores``
    in order; the commands seen (tracker calls answered)."""
    s = make(n, refine_fps=5.0, inflight_per_vod=n)
    t = Tracker()
    for _ in range(n):
        f = s.next_fetch()
        assert f is not None
        s.fetched(f.segment.index, 100)
    seen: list[Command] = []
    for i in range(n):
        seen += answer_all(
            s, t, s.completed(result(i, [x for x in scores if x.segment_index == i]), persist=True)
        )
    return s, t, seen


def test_the_frames_after_the_vods_last_keyframe_are_resampled_before_finishing() -> None:
    """A match the VOD cuts off may show its final count only after the last keyframe: once every
    segment is released, that tail is re-sampled, fed to the tracker and stored with the last
    segment, and only then is the tracker asked to finish."""
    from tests.test_tracker import Stream

    stream = Stream().lobby().legend().hud(6, 0).hud(8, 4)  # the last keyframe at 42 s; the VOD ends at 50 s
    s, t, seen = play_all(stream.scores)
    [rs] = of(seen, Resample)
    assert (rs.segment.index, rs.lo, rs.hi) == (4, 42.0, 50.0) and not s.finishing
    late = Score(vod_time=46.0, segment_index=4, kills=5, hud_visible=True, confidence=0.99, kill_box=True)
    seen = answer_all(s, t, s.resampled(rs.slot, [late]))
    [stored] = of(seen, Persist)
    assert stored.result.index == 4 and stored.result.extra == [late] and late not in stored.result.scores
    calls = of(seen, TrackerCall)
    assert [c.kind for c in calls] == ["update", "finish"] and calls[0].scores == (late,)
    assert s.finished and [m.kills for m in s.out.matches] == [5] and s.out.refined_samples == 1
    # a tail with nothing to read (the re-sample failed): the tracker finishes on what it had
    s2 = make(1, refine_fps=5.0)
    s2.next_fetch()
    s2.fetched(0, 100)
    [rs2] = of(s2.completed(result(0, [hud(2.0, 1)]), persist=True), Resample)
    assert (rs2.lo, rs2.hi) == (2.0, 10.0)
    assert [c.kind for c in of(s2.resampled(rs2.slot, []), TrackerCall)] == ["finish"]


def test_the_frames_after_the_last_keyframe_that_read_the_count_are_resampled_at_the_vods_end() -> None:
    """The count read at 36 s, then the HUD hidden to the VOD's end: a kill just before it hid
    shows only on the frames between 36 and 38 s, so they are re-sampled with the VOD's tail (and
    not again by a run that resumes from the stored result)."""
    from tests.test_tracker import Stream

    stream = Stream().lobby().legend().hud(6, 0).hud(5, 4).hidden(5)  # read to 36 s, hidden 38-46 s
    s, t, seen = play_all(stream.scores)
    rss = sorted(of(seen, Resample), key=lambda r: r.lo)
    assert [(r.segment.index, r.lo, r.hi) for r in rss] == [(3, 36.0, 38.0), (4, 46.0, 50.0)]
    late = Score(vod_time=37.6, segment_index=3, kills=5, hud_visible=True, confidence=0.99, kill_box=True)
    answer_all(s, t, s.resampled(rss[1].slot, []))
    seen = answer_all(s, t, s.resampled(rss[0].slot, [late]))
    [stored] = of(seen, Persist)
    assert stored.result.index == 4 and stored.result.extra == [late]
    assert s.finished and [m.kills for m in s.out.matches] == [5]
    # a run resuming from the stored result does not look there again
    s2 = make(
        5,
        done=set(range(5)),
        load={
            i: r
            for i, r in enumerate(
                [result(i, [x for x in stream.scores if x.segment_index == i]) for i in range(4)]
                + [stored.result]
            )
        }.get,
        refine_fps=5.0,
    )
    assert [(r.lo, r.hi) for r in of(s2.start(), Resample)] == [(46.0, 50.0)]
    # a screen after the reading (the match ended): no look between
    s3 = make(1, refine_fps=5.0)
    s3.next_fetch()
    s3.fetched(0, 100)
    cmds = s3.completed(result(0, [hud(2.0, 3), hud(4.0, None, "end"), hud(6.0, None)]), persist=True)
    assert [(r.lo, r.hi) for r in of(cmds, Resample)] == [(2.0, 4.0)]  # the end screen's own window
    assert [(r.lo, r.hi) for r in of(s3.resampled(0, []), Resample)] == [(6.0, 10.0)]


def test_a_resumed_run_feeds_the_stored_vod_tail_and_resamples_a_missing_one() -> None:
    done = result(0, [hud(2.0, 1)])
    done.extra = [hud(6.0, 2)]  # the tail a finished run stored with its last segment
    s = make(1, done={0}, load={0: done}.get, refine_fps=5.0)
    cmds = s.start()
    assert not of(cmds, Resample)
    assert [(c.kind, [x.vod_time for x in c.scores]) for c in of(cmds, TrackerCall)] == [
        ("update", [2.0, 6.0]),
        ("finish", []),
    ]
    # stored before its tail was re-sampled (the run stopped there): the tail is looked at now
    s2 = make(1, done={0}, load={0: result(0, [hud(2.0, 1)])}.get, refine_fps=5.0)
    [rs] = of(s2.start(), Resample)
    assert (rs.segment.index, rs.lo, rs.hi) == (0, 2.0, 10.0) and s2.held == {0}


def test_no_resampling_without_refine_fps_and_no_data_held() -> None:
    s = make(2, refine_fps=None)
    s.next_fetch()
    s.fetched(0, 1)
    s.completed(result(0, [hud(0.0), hud(8.0)]), persist=True)
    s.next_fetch()
    s.fetched(1, 1)
    cmds = s.completed(result(1, [hud(10.0), hud(12.0, None, "end")]), persist=True)
    assert not of(cmds, Resample) and s.held == set()


def test_checkpoints_then_a_tracker_failure_restores_and_replays_the_tail() -> None:
    s = make(5, checkpoint_every=2, inflight_per_vod=5)
    t = Tracker()
    for _ in range(5):
        s.next_fetch()
    seen = answer_all(s, t, s.completed(result(0, [hud(0.0)]), persist=True))
    seen += answer_all(s, t, s.completed(result(1, [hud(10.0)]), persist=True))
    [ck] = of(seen, SaveCheckpoint)
    assert ck.index == 1 and ck.state["seq"] == 2 and s.tail == []
    cmds = s.completed(result(2, [hud(20.0)]), persist=True)
    cmds += s.completed(result(3, [hud(30.0)]), persist=True)
    [u3, u4, st] = of(cmds, TrackerCall)
    assert (u3.seq, u4.seq, st.kind) == (3, 4, "state")
    # the tracker dies while answering update 3: restore the checkpoint, replay 3 and 4
    replay = s.tracker_failed(u3, RuntimeError("actor died"))
    assert [(c.kind, c.seq, c.gen) for c in of(replay, TrackerCall)] == [
        ("restore", 2, 1),
        ("update", 3, 1),
        ("update", 4, 1),
    ]
    assert s.answered(u4, 4, 0) == [] and s.answered(st, 4, {"seq": 4}) == []  # stale: ignored
    t2 = Tracker()  # the restarted actor
    answer_all(s, t2, replay)
    seen = answer_all(s, t2, s.completed(result(4, [hud(40.0)]), persist=True))
    assert s.finished and s.out.tracker_restarts == 1
    assert [x[0].vod_time for x in t2.fed] == [20.0, 30.0, 40.0]  # after the checkpoint's 0 and 10
    assert of(seen, Progress)[-1] == Progress("done", len(s.out.matches))


def test_an_answer_out_of_sequence_restores() -> None:
    s = make(1)
    s.next_fetch()
    [u, fin] = of(s.completed(result(0, [hud(0.0)]), persist=True), TrackerCall)
    assert fin.kind == "finish"
    cmds = s.answered(u, 0, None)  # the tracker restarted and lost update 1
    assert [(c.kind, c.seq) for c in of(cmds, TrackerCall)] == [("restore", 0), ("update", 1), ("finish", 1)]


def test_too_many_tracker_failures_stop_the_run() -> None:
    s = make(1)
    s.next_fetch()
    call = of(s.completed(result(0, [hud(0.0)]), persist=True), TrackerCall)[0]
    with pytest.raises(RuntimeError, match="keeps failing"):
        for _ in range(20):
            call = of(s.tracker_failed(call, RuntimeError("x")), TrackerCall)[0]


def test_resume_restores_the_checkpoint_and_starts_after_it() -> None:
    stored = {i: result(i, [hud(i * SEG + 2.0)]) for i in range(3)}
    state = {"seq": 2, "tracker": MatchTracker().to_dict()}
    s = make(5, done={0, 1, 2}, load=stored.get, checkpoint=(1, state), refine_fps=5.0)
    cmds = s.start()
    restore = of(cmds, TrackerCall)[0]
    assert (restore.kind, restore.seq, restore.state) == ("restore", 2, state)
    assert Progress("analysed", 2) in cmds
    # segment 2 is in the store but after the checkpoint: read back and fed, never fetched (and
    # never re-sampled); the re-sampling rule's memory goes on from the stored segments
    assert s.recent == [1, 2] and s.last_score == stored[2].scores[0] and not of(cmds, Resample)
    assert [(c.kind, c.seq) for c in of(cmds, TrackerCall)][1:] == [("update", 3)]
    assert s.out.resumed == 3 and s.next_fetch() == Fetch(s.segs[3])


def test_resume_without_the_prefix_in_the_store_replays_from_the_start() -> None:
    stored = {2: result(2, [hud(22.0)])}
    s = make(3, done={2}, load=stored.get, checkpoint=(2, {"seq": 1, "tracker": {}}))
    cmds = s.start()
    assert not of(cmds, TrackerCall) and s.next_fetch() == Fetch(s.segs[0])


def test_any_completion_order_feeds_the_tracker_what_the_plain_order_does() -> None:
    """Random completion orders and caps: the tracker sees the same updates, in playlist order,
    and the matches equal those of a MatchTracker fed directly."""
    from tests.test_tracker import Stream

    stream = Stream().lobby().legend().hud(10, 0).hud(8, 1).hud(6, 3).end(placement=4).lobby()
    stream = stream.legend().hud(20, 0).hud(12, 2).end(placement=1).lobby()
    by_seg: dict[int, list[Score]] = {}
    for sc in stream.scores:
        by_seg.setdefault(sc.segment_index, []).append(sc)
    n = max(by_seg) + 1
    direct = MatchTracker()
    for i in range(n):
        direct.update(by_seg.get(i, []))
    want = [m.to_json() for m in direct.finish(vod_end=n * SEG)]
    rng = random.Random(7)
    for _ in range(20):
        s = make(n, inflight_per_vod=rng.randint(1, 6), window=rng.randint(1, 10), tracker_inflight=2)
        t = Tracker()
        waiting: list[int] = []
        pending: list[TrackerCall] = []
        while not s.finished:
            while (f := s.next_fetch()) is not None:
                waiting.append(f.segment.index)
            cmds: list[Command] = []
            if waiting and (not pending or rng.random() < 0.5):
                i = waiting.pop(rng.randrange(len(waiting)))
                cmds = s.completed(result(i, by_seg.get(i, [])), persist=True)
            elif pending:
                c = pending.pop(0)
                cmds = s.answered(c, *t.answer(c))
            pending += of(cmds, TrackerCall)
        assert [m.to_json() for m in s.out.matches] == want
        assert [sc for fed in t.fed for sc in fed] == [sc for i in range(n) for sc in by_seg.get(i, [])]
