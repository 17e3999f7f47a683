"""Segment fetching: one retrying HTTP helper and the async, bounded, in-order SegmentFetcher.

Retries (capped exponential backoff with jitter) live in :func:`request` only; they cover
connection errors, timeouts, 5xx, 408/429 and truncated bodies (fewer bytes than
``Content-Length``). Everything else (403, 404, a body over the size cap) fails at once.

:class:`SegmentFetcher` bounds both the number of concurrent GETs (``concurrency``) and the
number of segments held in memory (``buffer``), so memory does not grow with VOD length.
``stream()`` yields a :class:`~vodstream.types.SegmentData` per segment in playlist order, or a
:class:`~vodstream.types.Gap` for a segment that failed every retry: nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp
import structlog

from vodstream.errors import FetchError, VodstreamError
from vodstream.settings import DEFAULT_CONCURRENCY
from vodstream.sources.hls import local_path
from vodstream.types import Gap, Segment, SegmentData

__all__ = [
    "MAX_SEGMENT_BYTES",
    "FetchStats",
    "HTTPStatusError",
    "LocalSource",
    "Response",
    "RetryPolicy",
    "SegmentFetcher",
    "muted_fallback_url",
    "request",
]

log = structlog.get_logger(__name__)

"""Concurrent GETs per fetcher (twitch-dl uses 10, TwitchDownloader 4)."""
MAX_SEGMENT_BYTES = 64 * 1024 * 1024
"""Per-segment size cap: a 10 s 1440p60 HEVC segment is ~16 MB; 64 MB means something is wrong."""
CHUNK = 256 * 1024


class HTTPStatusError(FetchError):
    """The server answered with a status we do not retry (or retried out)."""

    def __init__(self, message: str, *, status: int, body: bytes = b"") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Capped exponential backoff with jitter: attempt n waits ~min(max, base * 2**(n-1))."""

    attempts: int = 6
    backoff: float = 0.25
    max_backoff: float = 8.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # longest silence while reading a body
    total_timeout: float = 120.0  # one attempt, end to end (a trickling body ends here)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based): half fixed, half random."""
        cap = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return cap / 2 + (rng or random).uniform(0, cap / 2)

    def client_timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(
            total=self.total_timeout,
            connect=self.connect_timeout,
            sock_connect=self.connect_timeout,
            sock_read=self.read_timeout,
        )


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class FetchStats:
    """Counters for reports and benchmarks."""

    segments: int = 0
    bytes: int = 0
    retries: int = 0
    gaps: int = 0
    muted_fallbacks: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def note_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def _describe(err: BaseException) -> str:
    if isinstance(err, (asyncio.TimeoutError, TimeoutError)):
        return "timed out"
    text = str(err) or type(err).__name__
    return text.splitlines()[0][:200]


def _error_kind(err: BaseException) -> str:
    if isinstance(err, (asyncio.TimeoutError, TimeoutError)):
        return "timeout"
    if isinstance(err, _Retryable):
        return str(err).split(" ", 1)[0]
    return type(err).__name__


async def request(
    session: aiohttp.ClientSession,
    url: str,
    *,
    method: str = "GET",
    policy: RetryPolicy | None = None,
    max_bytes: int | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    data: bytes | str | None = None,
    accept_statuses: Iterable[int] = (),
    stats: FetchStats | None = None,
    rng: random.Random | None = None,
    what: str | None = None,
) -> Response:
    """One HTTP request with retries; returns the whole body.

    2xx and ``accept_statuses`` are returned; 5xx/408/429, connection errors, timeouts and
    truncated bodies are retried; other statuses raise :class:`HTTPStatusError` at once.
    After the last attempt a :class:`~vodstream.errors.FetchError` names the URL and the error.
    """
    policy = policy or RetryPolicy()
    accept = set(accept_statuses)
    label = what or _short(url)
    last: BaseException | None = None
    for attempt in range(1, policy.attempts + 1):
        retry_after: float | None = None
        try:
            async with session.request(
                method, url, headers=headers, json=json_body, data=data, timeout=policy.client_timeout()
            ) as resp:
                if resp.status >= 500 or resp.status in (408, 429):
                    ra = resp.headers.get("Retry-After", "")
                    raise _Retryable(f"HTTP {resp.status}", float(ra) if ra.isdigit() else None)
                length = resp.content_length
                if max_bytes is not None and length is not None and length > max_bytes:
                    raise FetchError(f"{label}: {length} bytes is over the {max_bytes}-byte size cap")
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.content.iter_chunked(CHUNK):
                    chunks.append(chunk)
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise FetchError(f"{label}: body is over the {max_bytes}-byte size cap")
                body = chunks[0] if len(chunks) == 1 else b"".join(chunks)  # one copy at most
                del chunks
                if length is not None and size != length:
                    raise _Retryable(f"truncated body ({size} of {length} bytes)")
                if resp.status >= 400 and resp.status not in accept:
                    raise HTTPStatusError(
                        f"{label}: HTTP {resp.status}", status=resp.status, body=body[:2048]
                    )
                return Response(resp.status, dict(resp.headers), body, str(resp.url))
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError, _Retryable) as err:
            last = err
            if isinstance(err, _Retryable):
                retry_after = err.retry_after
        if stats is not None:
            stats.note_error(_error_kind(last))
        if attempt == policy.attempts:
            break
        if stats is not None:
            stats.retries += 1
        wait = policy.delay(attempt, rng)
        if retry_after is not None:
            wait = min(max(wait, retry_after), policy.max_backoff)
        log.debug("retrying", what=label, attempt=attempt, error=_describe(last), wait=round(wait, 3))
        await asyncio.sleep(wait)
    assert last is not None
    raise FetchError(f"{label}: {_describe(last)} (gave up after {policy.attempts} attempts)") from last


def _short(url: str) -> str:
    """A URL for messages: no query string (it may carry tokens)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else url


_UNMUTED = re.compile(r"-unmuted(?=\.(ts|mp4)(\?|$))")


def muted_fallback_url(url: str) -> str | None:
    """``.../12-unmuted.ts`` -> ``.../12-muted.ts`` (the unmuted originals 403 after a day)."""
    path = urlsplit(url).path
    if not _UNMUTED.search(path.rsplit("/", 1)[-1] + "?"):
        return None
    head, _, tail = url.rpartition("-unmuted")
    return f"{head}-muted{tail}"


class LocalSource(Protocol):
    """What the fetcher needs from a local video file (vodstream.sources.localfile.LocalVideo)."""

    def read(self, segment: Segment) -> SegmentData: ...


class SegmentFetcher:
    """Fetch segments over HTTP (or from disk), bounded and in order.

    Use as ``async with SegmentFetcher(...) as f:``. A session passed in is not closed here.
    ``fetch(segment)`` raises :class:`FetchError` after its retries; ``stream(segments)``
    turns such failures into :class:`Gap` records and keeps going.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        buffer: int | None = None,
        policy: RetryPolicy | None = None,
        max_segment_bytes: int = MAX_SEGMENT_BYTES,
        headers: Mapping[str, str] | None = None,
        local: LocalSource | None = None,
        seed: int | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.concurrency = concurrency
        self.buffer = max(buffer or 2 * concurrency, concurrency)
        self.policy = policy or RetryPolicy()
        self.max_segment_bytes = max_segment_bytes
        self.headers = dict(headers or {})
        self.local = local
        self.stats = FetchStats()
        self._session = session
        self._own_session = session is None
        self._sem = asyncio.Semaphore(concurrency)
        self._init_cache: dict[str, bytes] = {}
        self._init_locks: dict[str, asyncio.Lock] = {}
        self._rng = random.Random(seed)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __aenter__(self) -> SegmentFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Cancel what is still in flight (e.g. a stream() left early) and close our session."""
        await _cancel_all(self._tasks)
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=max(self.concurrency * 2, 16))
            )
        return self._session

    # -- one segment -------------------------------------------------------------------------

    async def _get(self, url: str, what: str, *, fallback_statuses: bool = False) -> bytes:
        scheme = urlsplit(url).scheme
        if scheme in ("http", "https"):
            policy = self.policy
            if fallback_statuses:  # an -unmuted original: one try, then the -muted copy
                policy = replace(policy, attempts=min(policy.attempts, 2))
            resp = await request(
                self.session,
                url,
                policy=policy,
                max_bytes=self.max_segment_bytes,
                headers=self.headers,
                stats=self.stats,
                rng=self._rng,
                what=what,
            )
            return resp.body
        path = local_path(url)
        try:
            size = path.stat().st_size
            if size > self.max_segment_bytes:
                raise FetchError(
                    f"{what}: {size} bytes is over the {self.max_segment_bytes}-byte segment cap"
                )
            return await asyncio.to_thread(path.read_bytes)
        except OSError as err:
            raise FetchError(f"{what}: cannot read {path}: {err.strerror or err}") from err

    async def fetch_init(self, url: str) -> bytes:
        """The fMP4 init section (EXT-X-MAP), fetched once per URL."""
        if url in self._init_cache:
            return self._init_cache[url]
        lock = self._init_locks.setdefault(url, asyncio.Lock())
        async with lock:
            if url not in self._init_cache:
                self._init_cache[url] = await self._get(url, "init segment")
        return self._init_cache[url]

    async def fetch(self, segment: Segment) -> SegmentData:
        """Fetch one segment (and its init section); raises FetchError after the retries."""
        async with self._sem:
            what = f"segment {segment.index}"
            scheme = urlsplit(segment.url).scheme
            if scheme not in ("http", "https", "file"):  # a local video file: remuxed chunk
                if self.local is not None:
                    data = await asyncio.to_thread(self.local.read, segment)
                else:
                    from vodstream.sources.localfile import read_segment  # lazily: PyAV only when needed

                    data = await asyncio.to_thread(read_segment, segment)
                self.stats.segments += 1
                self.stats.bytes += len(data.data)
                return data
            fallback = muted_fallback_url(segment.url)
            try:
                body = await self._get(segment.url, what, fallback_statuses=fallback is not None)
            except HTTPStatusError as err:
                if fallback is None or err.status not in (403, 404, 410):
                    raise
                log.info(
                    "unmuted segment refused, using the muted copy", segment=segment.index, status=err.status
                )
                self.stats.muted_fallbacks += 1
                body = await self._get(fallback, what)
            init = await self.fetch_init(segment.init_url) if segment.init_url else None
            self.stats.segments += 1
            self.stats.bytes += len(body)
            return SegmentData(segment=segment, data=body, init=init)

    async def fetch_or_gap(self, segment: Segment) -> SegmentData | Gap:
        try:
            return await self.fetch(segment)
        except VodstreamError as err:  # FetchError, or DecodeError from a local file
            self.stats.gaps += 1
            log.warning(
                "segment failed, recording a gap", segment=segment.index, start=segment.start, error=str(err)
            )
            return Gap(
                start=segment.start,
                end=segment.end,
                reason=f"fetch failed: {err}",
                segment_index=segment.index,
            )

    # -- many segments -----------------------------------------------------------------------

    def _spawn(self, segment: Segment) -> asyncio.Task[SegmentData | Gap]:
        task = asyncio.ensure_future(self.fetch_or_gap(segment))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stream(
        self,
        segments: Iterable[Segment],
        *,
        ordered: bool = True,
    ) -> AsyncIterator[SegmentData | Gap]:
        """Yield every segment's data (or its Gap); at most ``buffer`` segments in flight/held.

        ``ordered=True`` (default) keeps playlist order; ``ordered=False`` yields as they finish
        (for writers that place segments themselves, e.g. the resumable download).
        Leaving early: wrap in ``contextlib.aclosing`` (or close the fetcher) so the segments
        still in flight are cancelled at once.
        """
        it = iter(segments)
        if ordered:
            pending: deque[asyncio.Task[SegmentData | Gap]] = deque()
            try:
                while True:
                    while len(pending) < self.buffer:
                        seg = next(it, None)
                        if seg is None:
                            break
                        pending.append(self._spawn(seg))
                    if not pending:
                        return
                    result = await pending.popleft()
                    yield result
            finally:
                await _cancel_all(pending)
        else:
            running: set[asyncio.Task[SegmentData | Gap]] = set()
            try:
                exhausted = False
                while True:
                    while not exhausted and len(running) < self.buffer:
                        seg = next(it, None)
                        if seg is None:
                            exhausted = True
                            break
                        running.add(self._spawn(seg))
                    if not running:
                        return
                    done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    for task in sorted(done, key=lambda t: _index(t.result())):
                        yield task.result()
            finally:
                await _cancel_all(running)


def _index(item: SegmentData | Gap) -> int:
    return item.segment.index if isinstance(item, SegmentData) else (item.segment_index or 0)


async def _cancel_all(tasks: Iterable[asyncio.Task[Any]]) -> None:
    tasks = list(tasks)
    for t in tasks:
        t.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
