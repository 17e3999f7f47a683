"""SegmentFetcher against the real local server with injected faults."""

from __future__ import annotations

import asyncio
import io
import random
from contextlib import aclosing
from pathlib import Path

import av
import pytest

from tests.twitch_helpers import make_vod
from vodstream.sources.fetch import RetryPolicy, SegmentFetcher, muted_fallback_url
from vodstream.sources.twitch import ResolvedVod, TwitchConfig, resolve_vod
from vodstream.testbed.server import ServerThread
from vodstream.types import Gap, SegmentData

FAST = RetryPolicy(attempts=6, backoff=0.01, max_backoff=0.05, read_timeout=2.0)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fetch")
    make_vod(root, "3000001", n=12, seconds=0.5)
    make_vod(root, "3000002", kind="fmp4", n=4, seconds=1.0)
    return root


def served(root: Path, vod_id: str, faults: str | None = None, quality: str = "best", **kw):
    srv = ServerThread(root, faults=faults, **kw).start()
    vod = asyncio.run(
        resolve_vod(vod_id, quality=quality, config=TwitchConfig.from_env(srv.base_url, env={}))
    )
    return srv, vod


def collect(vod: ResolvedVod, **kw) -> tuple[list[SegmentData | Gap], SegmentFetcher]:
    async def go() -> tuple[list[SegmentData | Gap], SegmentFetcher]:
        async with SegmentFetcher(policy=kw.pop("policy", FAST), seed=1, **kw) as f:
            return [x async for x in f.stream(vod.segments)], f

    return asyncio.run(go())


def files(root: Path, vod_id: str, n: int, variant: str = "chunked", ext: str = "ts") -> list[bytes]:
    return [(root / vod_id / variant / f"{i}.{ext}").read_bytes() for i in range(n)]


def test_retry_policy_backoff_is_capped_and_jittered() -> None:
    p = RetryPolicy(backoff=0.25, max_backoff=4.0)
    rng = random.Random(0)
    for attempt in range(1, 12):
        cap = min(4.0, 0.25 * 2 ** (attempt - 1))
        delays = [p.delay(attempt, rng) for _ in range(50)]
        assert all(cap / 2 <= d <= cap for d in delays)
        assert len(set(delays)) > 1  # jittered, not fixed


def test_muted_fallback_url() -> None:
    assert muted_fallback_url("https://c/x/chunked/12-unmuted.ts") == "https://c/x/chunked/12-muted.ts"
    assert (
        muted_fallback_url("https://c/x/chunked/3-unmuted.mp4?a=1") == "https://c/x/chunked/3-muted.mp4?a=1"
    )
    assert muted_fallback_url("https://c/x/chunked/12-muted.ts") is None
    assert muted_fallback_url("https://c/x-unmuted/chunked/12.ts") is None


def test_in_order_and_byte_exact_through_faults(root: Path) -> None:
    srv, vod = served(
        root,
        "3000001",
        "500:0.15,503:0.05,429:0.05,reset:0.05,truncate:0.05,trickle:0.05,latency:0-10ms,maxrun:3,seed:7",
    )
    try:
        got, f = collect(vod, concurrency=4)
    finally:
        srv.stop()
    assert [g.segment.index for g in got if isinstance(g, SegmentData)] == list(range(12))
    assert [g.data for g in got] == files(root, "3000001", 12)  # type: ignore[union-attr]
    assert f.stats.retries > 0 and f.stats.gaps == 0 and srv.server.stats["faults"] > 0


def test_bounded_concurrency_and_buffer(root: Path) -> None:
    srv, vod = served(root, "3000001", "latency:20ms")
    seen: list[tuple[int, int]] = []

    async def go() -> None:
        async with SegmentFetcher(concurrency=3, buffer=5, policy=FAST) as f:
            consumed = 0
            async for _ in f.stream(vod.segments):
                consumed += 1
                started = sum(n for p, n in srv.server.requests.items() if p.endswith(".ts"))
                seen.append((consumed, started))
                await asyncio.sleep(0.03)  # a slow consumer

    try:
        asyncio.run(go())
    finally:
        srv.stop()
    assert len(seen) == 12
    assert all(started <= consumed + 5 for consumed, started in seen)  # never more than `buffer` ahead
    assert srv.server.stats["max_inflight"] == 3


def test_failed_segment_becomes_a_gap_without_retrying_403(root: Path) -> None:
    srv, vod = served(root, "3000001", "deny=2")
    try:
        got, f = collect(vod)
    finally:
        srv.stop()
    gap = got[2]
    assert isinstance(gap, Gap) and (gap.segment_index, gap.start, gap.end) == (2, 1.0, 1.5)
    assert "HTTP 403" in gap.reason
    assert all(isinstance(g, SegmentData) for i, g in enumerate(got) if i != 2)
    assert f.stats.gaps == 1 and f.stats.retries == 0


def test_persistent_5xx_gives_up_after_the_attempts(root: Path) -> None:
    srv, vod = served(root, "3000001", "500:1.0")
    try:
        got, f = collect(vod, policy=RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02))
    finally:
        srv.stop()
    assert all(isinstance(g, Gap) for g in got) and len(got) == 12
    assert "HTTP 500 (gave up after 3 attempts)" in got[0].reason  # type: ignore[union-attr]
    assert f.stats.retries == 24


def test_unmuted_falls_back_to_muted(root: Path) -> None:
    srv, vod = served(root, "3000001", "muted=3000001:3-4,unmuted403")
    try:
        dvr = vod.source_url.rsplit("/", 1)[0] + "/index-dvr.m3u8"  # lists N-unmuted.ts
        plain = asyncio.run(resolve_vod(dvr))
        assert [s.url.rsplit("/", 1)[1] for s in plain.segments][2:6] == [
            "2.ts",
            "3-unmuted.ts",
            "4-unmuted.ts",
            "5.ts",
        ]
        assert [s.muted for s in plain.segments][2:6] == [False, True, True, False]
        got, f = collect(plain)
    finally:
        srv.stop()
    assert [g.data for g in got] == files(root, "3000001", 12)  # type: ignore[union-attr]
    assert f.stats.muted_fallbacks == 2 and f.stats.gaps == 0


def test_segment_size_cap(root: Path) -> None:
    srv, vod = served(root, "3000001")
    try:
        got, _ = collect(vod, max_segment_bytes=100)
    finally:
        srv.stop()
    assert all(isinstance(g, Gap) and "over the 100-byte size cap" in g.reason for g in got)


def test_fmp4_init_fetched_once_and_decodable(root: Path) -> None:
    srv, vod = served(root, "3000002")
    try:
        got, _ = collect(vod)
    finally:
        srv.stop()
    init = (root / "3000002" / "chunked" / "init-0.mp4").read_bytes()
    assert all(isinstance(g, SegmentData) and g.init == init for g in got)
    assert sum(n for p, n in srv.server.requests.items() if p.endswith("/init-0.mp4")) == 1
    frames = 0
    for g in got:
        with av.open(io.BytesIO(g.init + g.data), format="mp4") as c:  # type: ignore[union-attr,operator]
            frames += sum(1 for _ in c.decode(video=0))
    assert frames == 40


def test_unordered_stream_and_early_exit(root: Path) -> None:
    srv, vod = served(root, "3000001", "latency:0-30ms,seed:2")

    async def go() -> tuple[list[int], int, int]:
        async with SegmentFetcher(concurrency=4, policy=FAST) as f:
            got = [g.segment.index async for g in f.stream(vod.segments, ordered=False)]  # type: ignore[union-attr]
            async with aclosing(f.stream(vod.segments)) as stream:
                async for _ in stream:
                    break  # aclosing: nothing left running behind
            left_after_aclose = len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])
            async for _ in f.stream(vod.segments):
                break  # plain break: the fetcher's close() cleans up
        return (
            got,
            left_after_aclose,
            len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()]),
        )

    try:
        got, left1, left2 = asyncio.run(go())
    finally:
        srv.stop()
    assert sorted(got) == list(range(12)) and left1 == 0 and left2 == 0
