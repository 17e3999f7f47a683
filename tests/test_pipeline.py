"""Driver-side helpers of a run (no Ray): match choice, clip windows, chapters, progress."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from vodstream.cli.runtime import Progress
from vodstream.matches.analysis import best_match, rank_matches
from vodstream.media.clip import CLIP_HEAD, CLIP_TAIL, clip_segments, clip_window
from vodstream.sources.plan import pick_analysis_quality, skipped_spans
from vodstream.sources.twitch import APEX_GAME_ID, Chapter
from vodstream.types import Match, Segment


def _m(kills: int | None, placement: int | None = None, start: float = 0.0) -> Match:
    return Match(start=start, end=start + 100.0, kills=kills, placement=placement)


def test_best_and_top_by_kills_then_placement() -> None:
    ms = [_m(3, 5, 0), _m(7, 9, 200), _m(None, 1, 400), _m(7, 2, 600), _m(1, 1, 800)]
    assert best_match(ms) == 3  # 7 kills twice: placed #2 beats #9
    assert rank_matches(ms)[:3] == [3, 1, 0]
    assert rank_matches(ms)[:0] == []
    assert best_match([_m(None)]) is None
    assert best_match([]) is None


def test_clip_window_covers_select_legend_to_end_screen() -> None:
    m = Match(start=61.0, end=845.0, kills=7, readings=[(130.0, 0), (800.0, 7)])
    assert clip_window(m, 2000.0) == (61.0 - CLIP_HEAD, 845.0 + CLIP_TAIL)
    # VOD began mid-match / ended mid-match: fall back to the readings and the VOD's edges
    assert clip_window(Match(start=None, end=None, kills=2, readings=[(30.0, 1), (90.0, 2)]), 95.0) == (
        30.0,
        95.0,
    )
    assert clip_window({"start": None, "end": 50.0, "readings": []}, 100.0, first=10.0) == (
        10.0,
        50.0 + CLIP_TAIL,
    )


def test_skipped_spans_name_the_other_game() -> None:
    segs = [Segment(index=i, start=i * 10.0, duration=10.0, url=f"s{i}.ts") for i in range(10)]
    chapters = [
        Chapter(start=0, end=30, game_id="509658", game_name="Just Chatting"),
        Chapter(start=30, end=80, game_id=APEX_GAME_ID, game_name="Apex Legends"),
        Chapter(start=80, end=100, game_id="21779", game_name="League of Legends"),
    ]
    from vodstream.sources.twitch import apex_segments

    kept = apex_segments(segs, chapters)
    assert [s.index for s in kept] == [3, 4, 5, 6, 7]
    spans = skipped_spans(segs, kept, chapters)
    assert spans == [
        {"start": 0.0, "end": 30.0, "reason": "not Apex Legends (chapter: Just Chatting)"},
        {"start": 80.0, "end": 100.0, "reason": "not Apex Legends (chapter: League of Legends)"},
    ]


def test_progress_logs_when_not_a_tty() -> None:
    import structlog
    from structlog.testing import capture_logs

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    with capture_logs() as logs:
        p = Progress({"a": 3, "b": 1}, enabled=False)
        p("a", "fetched", 1)
        p("a", "analysed", 2)
        p("a", "matches", 1)
        p("b", "done", 0)
        p.close()
    assert p.counts["a"] == {"fetched": 1, "analysed": 2, "matches": 1}
    events = [e for e in logs if e["event"] == "progress"]
    assert events[0]["vod"] == "a" and events[0]["fetched"] == 1  # the first event is logged
    assert events[-1] == {**events[-1], "vod": "b", "done": True, "total": 1}


def test_progress_bars(capsys: pytest.CaptureFixture[str]) -> None:
    p = Progress({"vod1": 4}, enabled=True)
    p("vod1", "analysed", 4)
    p("vod1", "done", 2)
    p.close()
    err = capsys.readouterr().err
    assert "vod1" in err and "4/4" in err and "matches=2" in err


def test_analysis_quality_choice() -> None:
    from vodstream.sources.hls import Variant

    def var(name: str, h: int, fps: int, source: bool = False) -> Variant:
        return Variant(
            name=name,
            label=name,
            url=f"http://x/{name}/index.m3u8",
            bandwidth=h * 1000,
            resolution=(h * 16 // 9, h),
            fps=float(fps),
            codecs="avc1",
            source=source,
        )

    from vodstream.sources.twitch import ResolvedVod

    clip = ResolvedVod(
        vod_id="1",
        title=None,
        owner=None,
        duration=10.0,
        quality="chunked",
        segments=[],
        variants=[
            var("chunked", 1080, 60, True),
            var("720p60", 720, 60),
            var("720p30", 720, 30),
            var("480p30", 480, 30),
        ],
        chapters=[],
        source_url="",
    )
    assert pick_analysis_quality(clip, None) == "720p30"
    assert pick_analysis_quality(clip, "480p30") == "480p30"
    assert pick_analysis_quality(clip, "chunked") is None
    clip.variants = clip.variants[:2]
    assert pick_analysis_quality(clip, None) == "720p60"  # fallback to the next one
    clip.variants = clip.variants[:1]
    assert pick_analysis_quality(clip, None) is None  # only the source: analyse it
    from vodstream.errors import VodstreamError

    with pytest.raises(VodstreamError):
        pick_analysis_quality(clip, "360p30")  # asked for explicitly: an error


def test_clip_segments_streams_through_a_bounded_buffer(tmp_path: Path) -> None:
    """The clipper's core (no Ray): fetch from the local server, cut [3, 9] by stream copy."""
    import asyncio

    import av

    from vodstream.sources.twitch import TwitchConfig, resolve_vod, segments_in_range
    from vodstream.testbed.server import ServerThread, write_sample_vod

    write_sample_vod(tmp_path / "lib", "100000007", segments=8, segment_seconds=2.0, fps=10, size=(320, 180))
    with ServerThread(tmp_path / "lib") as srv:
        cfg = TwitchConfig.from_env(srv.base_url)
        vod = asyncio.run(resolve_vod("100000007", quality="chunked", config=cfg))
        segs = segments_in_range(vod.segments, 3.0, 9.0)
        assert [s.index for s in segs] == [1, 2, 3, 4]
        out = tmp_path / "c.mp4"
        info = asyncio.run(clip_segments(segs, out, start=3.0, end=9.0, buffer=1))
    assert info["path"] == str(out) and info["size"] == out.stat().st_size
    assert abs(info["start"] - 3.0) <= 1.0 and abs(info["end"] - 9.0) <= 1.0
    with av.open(str(out)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert frames == pytest.approx(10 * info["duration"], abs=2)
    assert not list(tmp_path.glob(".*.part"))


def test_clip_segments_fails_cleanly_on_a_missing_segment(tmp_path: Path) -> None:
    import asyncio

    from vodstream.errors import VodstreamError
    from vodstream.types import Segment

    segs = [Segment(index=0, start=0.0, duration=2.0, url=str(tmp_path / "nope.ts"))]
    with pytest.raises(VodstreamError):
        asyncio.run(clip_segments(segs, tmp_path / "x.mp4", start=0.0, end=2.0))
    assert not (tmp_path / "x.mp4").exists()
