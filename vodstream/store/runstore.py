"""The run store: per-segment analysis results in SQLite, so ``run --resume`` skips done work.

One file per output directory (``DIR/runstore.sqlite``). Rows are keyed by the VOD and by a
*fingerprint* of every setting that changes what a segment yields (analysis quality, sampling
mode, model version...). A resumed run whose fingerprint differs starts that VOD afresh, so a
resumed result always equals an uninterrupted run with the same settings.

What is stored per segment is small: the scores (no pixels), the gaps, and JPEG thumbnails of
end screens (a few KiB, only where an end screen was seen). The tracker's state is checkpointed
here too, so a restarted tracker actor resumes from its checkpoint and replays the tail.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vodstream.errors import VodstreamError
from vodstream.types import Gap, Score

__all__ = [
    "RunStore",
    "RunStoreError",
    "SegmentResult",
]

SCHEMA_VERSION = 3


@dataclass(kw_only=True)
class SegmentResult:
    """Everything the analysis kept from one segment (what the tracker and reports need)."""

    index: int
    start: float
    duration: float
    scores: list[Score] = field(default_factory=list)
    extra: list[Score] = field(default_factory=list)  # dense re-samples (scheduler.transition_windows)
    gaps: list[Gap] = field(default_factory=list)
    frames_decoded: int = 0
    thumbs: dict[float, bytes] = field(default_factory=dict)  # vod_time -> JPEG (end screens)

    @property
    def end(self) -> float:
        return self.start + self.duration


class RunStoreError(VodstreamError):
    """The run store file cannot be used (corrupt, not SQLite)."""


class RunStore:
    """SQLite-backed per-segment results. Safe to share between threads of one process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        try:
            self._open()
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise RunStoreError(
                f"the run store {self.path} is unreadable ({err}): pass --fresh to start "
                "over (earlier results in it are dropped), or remove the file"
            ) from err

    @staticmethod
    def remove(path: str | Path) -> None:
        """Delete a run store file and its WAL companions (``--fresh``)."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def _open(self) -> None:
        check = self._db.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check: {check[0] if check else 'no answer'}")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is not None and row[0] != str(SCHEMA_VERSION):  # an older layout: start afresh
            self._db.executescript(
                "DROP TABLE IF EXISTS vods; DROP TABLE IF EXISTS segments; "
                "DROP TABLE IF EXISTS thumbs; DROP TABLE IF EXISTS checkpoints; "
                "DELETE FROM meta;"
            )
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS vods (
                vod_key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, info TEXT NOT NULL DEFAULT '{}');
            CREATE TABLE IF NOT EXISTS segments (
                vod_key TEXT NOT NULL, seg_index INTEGER NOT NULL,
                start REAL NOT NULL, duration REAL NOT NULL, frames INTEGER NOT NULL,
                scores TEXT NOT NULL, extra TEXT NOT NULL, gaps TEXT NOT NULL,
                PRIMARY KEY (vod_key, seg_index));
            CREATE TABLE IF NOT EXISTS thumbs (
                vod_key TEXT NOT NULL, vod_time REAL NOT NULL, jpeg BLOB NOT NULL,
                PRIMARY KEY (vod_key, vod_time));
            CREATE TABLE IF NOT EXISTS checkpoints (
                vod_key TEXT PRIMARY KEY, released INTEGER NOT NULL, n_matches INTEGER NOT NULL,
                state TEXT NOT NULL);
            """
        )
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin(
        self, vod_key: str, fingerprint: str, *, resume: bool, info: dict[str, Any] | None = None
    ) -> set[int]:
        """Start (or resume) a VOD; returns the segment indexes already done.

        Without ``resume``, or when the stored fingerprint differs, the VOD's rows are dropped.
        """
        with self._lock:
            row = self._db.execute("SELECT fingerprint FROM vods WHERE vod_key=?", (vod_key,)).fetchone()
            keep = resume and row is not None and row[0] == fingerprint
            self._db.execute("BEGIN")
            if not keep:
                for table in ("segments", "thumbs", "checkpoints"):
                    self._db.execute(f"DELETE FROM {table} WHERE vod_key=?", (vod_key,))
            self._db.execute(
                "INSERT INTO vods VALUES (?, ?, ?) ON CONFLICT(vod_key) DO UPDATE SET "
                "fingerprint=excluded.fingerprint, info=excluded.info",
                (vod_key, fingerprint, json.dumps(info or {})),
            )
            self._db.execute("COMMIT")
            return {
                r[0] for r in self._db.execute("SELECT seg_index FROM segments WHERE vod_key=?", (vod_key,))
            }

    # -- segments ----------------------------------------------------------------------------

    def put_segment(self, vod_key: str, result: SegmentResult) -> None:
        scores = json.dumps([s.to_json() for s in result.scores])
        extra = json.dumps([s.to_json() for s in result.extra])
        gaps = json.dumps([g.to_json() for g in result.gaps])
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    vod_key,
                    result.index,
                    result.start,
                    result.duration,
                    result.frames_decoded,
                    scores,
                    extra,
                    gaps,
                ),
            )
            for t, jpeg in result.thumbs.items():
                self._db.execute("INSERT OR REPLACE INTO thumbs VALUES (?, ?, ?)", (vod_key, t, jpeg))
            self._db.execute("COMMIT")

    def done_indexes(self, vod_key: str) -> set[int]:
        with self._lock:
            return {
                r[0] for r in self._db.execute("SELECT seg_index FROM segments WHERE vod_key=?", (vod_key,))
            }

    def segments(self, vod_key: str, *, first: int = 0, last: int | None = None) -> Iterator[SegmentResult]:
        """Stored results with ``first <= index <= last``, in index order (thumbs not loaded)."""
        hi = last if last is not None else 2**62
        with self._lock:
            rows = self._db.execute(
                "SELECT seg_index, start, duration, frames, scores, extra, gaps FROM segments "
                "WHERE vod_key=? AND seg_index BETWEEN ? AND ? ORDER BY seg_index",
                (vod_key, first, hi),
            ).fetchall()
        for idx, start, duration, frames, scores, extra, gaps in rows:
            yield SegmentResult(
                index=idx,
                start=start,
                duration=duration,
                frames_decoded=frames,
                scores=[Score.from_json(s) for s in json.loads(scores)],
                extra=[Score.from_json(s) for s in json.loads(extra)],
                gaps=[Gap.from_json(g) for g in json.loads(gaps)],
            )

    def get_segment(self, vod_key: str, index: int) -> SegmentResult | None:
        return next(self.segments(vod_key, first=index, last=index), None)

    def thumbs(self, vod_key: str) -> dict[float, bytes]:
        with self._lock:
            return {
                t: bytes(j)
                for t, j in self._db.execute(
                    "SELECT vod_time, jpeg FROM thumbs WHERE vod_key=? ORDER BY vod_time", (vod_key,)
                )
            }

    # -- tracker checkpoints -----------------------------------------------------------------

    def save_checkpoint(self, vod_key: str, *, released: int, n_matches: int, state: dict[str, Any]) -> None:
        """``released``: the last segment index whose scores the state includes."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?)",
                (vod_key, released, n_matches, json.dumps(state)),
            )

    def load_checkpoint(self, vod_key: str) -> tuple[int, int, dict[str, Any]] | None:
        """(released, n_matches, state) or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT released, n_matches, state FROM checkpoints WHERE vod_key=?", (vod_key,)
            ).fetchone()
        if row is None:
            return None
        return int(row[0]), int(row[1]), json.loads(row[2])
