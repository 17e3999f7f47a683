"""The results catalogue: one SQLite file recording every run of every VOD and its matches.

``vodstream top`` reads it to list the best matches across all runs. Where it lives:
``--data-dir``, else ``$VODSTREAM_DATA_DIR``, else ``$XDG_DATA_HOME/vodstream`` (by default
``~/.local/share/vodstream``).

History is kept: every run is a row (with its outcome status: complete / partial / failed,
see :mod:`vodstream.report.outcome`) and its matches. ``top`` ranks, per VOD, the matches of its
latest *complete* run; a VOD never analysed completely contributes its best partial run (the
one whose best match ranks highest, so a later, worse partial run never hides it), marked
partial; failed runs never contribute. ``runs(vod)`` lists a VOD's runs (``top --runs VOD``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vodstream.errors import VodstreamError

__all__ = ["CATALOG_NAME", "Catalog", "RunRow", "TopRow", "default_data_dir"]

CATALOG_NAME = "catalog.sqlite"


def default_data_dir(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("VODSTREAM_DATA_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "vodstream"


@dataclass(frozen=True, kw_only=True)
class TopRow:
    vod_id: str
    streamer: str | None
    title: str | None
    match_index: int
    start: float | None
    end: float | None
    kills: int | None
    placement: int | None
    best: bool
    clip: str | None  # absolute path of the clip, if one was cut
    report: str  # absolute path of report.json
    processed_at: float
    run_id: int = 0
    status: str = "complete"  # the run's outcome: complete or partial


@dataclass(frozen=True, kw_only=True)
class RunRow:
    run_id: int
    vod_id: str
    status: str  # complete / partial / failed
    processed_at: float
    n_matches: int
    best: int | None
    best_kills: int | None
    report: str
    problems: list[str]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT, vod_id TEXT NOT NULL, streamer TEXT, title TEXT,
    duration REAL, source TEXT, report TEXT NOT NULL, n_matches INTEGER NOT NULL, best INTEGER,
    status TEXT NOT NULL, problems TEXT NOT NULL DEFAULT '[]', processed_at REAL NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS runs_vod ON runs(vod_id, processed_at);
CREATE TABLE IF NOT EXISTS run_matches (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    start REAL, "end" REAL, kills INTEGER, placement INTEGER, best INTEGER NOT NULL, clip TEXT,
    kills_confidence REAL, PRIMARY KEY (run_id, idx));
"""


class Catalog:
    """Every run of every VOD, with its matches."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise VodstreamError(
                f"the catalogue {self.path} is unreadable ({err}): move it away or give another --data-dir"
            ) from err

    def _migrate(self) -> None:
        """A catalogue of the first layout (latest result per VOD: ``vods`` + ``matches``)
        becomes one complete run per VOD; the old tables are dropped."""
        have = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "vods" not in have:
            return
        self._db.execute("BEGIN")
        try:
            for row in self._db.execute(
                "SELECT vod_id, streamer, title, duration, source, report, n_matches, "
                "best, processed_at, settings FROM vods"
            ).fetchall():
                cur = self._db.execute(
                    "INSERT INTO runs (vod_id, streamer, title, duration, source, report, n_matches, best, "
                    "status, processed_at, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'complete', ?, ?)",
                    row,
                )
                self._db.execute(
                    'INSERT INTO run_matches SELECT ?, idx, start, "end", kills, placement, best, clip, NULL '
                    "FROM matches WHERE vod_id=?",
                    (cur.lastrowid, row[0]),
                )
            self._db.execute("DROP TABLE IF EXISTS matches")
            self._db.execute("DROP TABLE vods")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    @classmethod
    def open_default(cls, data_dir: str | Path | None = None) -> Catalog:
        return cls(default_data_dir(data_dir) / CATALOG_NAME)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, report: dict[str, Any], report_path: str | Path) -> int:
        """Record one run of a VOD from its report.json (earlier runs are kept); returns its id.

        The run's status is the report's ``outcome.status`` (complete when it has none)."""
        report_path = Path(report_path).resolve()
        vod_id = str(report["vod_id"])
        matches = list(report.get("matches") or [])
        best = report.get("best")
        outcome = report.get("outcome") or {}
        clips_by_match = _clips_by_match(report, report_path.parent)
        self._db.execute("BEGIN")
        try:
            cur = self._db.execute(
                "INSERT INTO runs (vod_id, streamer, title, duration, source, report, n_matches, best, "
                "status, problems, processed_at, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    vod_id,
                    report.get("streamer") or report.get("owner"),
                    report.get("title"),
                    report.get("duration"),
                    report.get("source"),
                    str(report_path),
                    len(matches),
                    best,
                    str(outcome.get("status") or "complete"),
                    json.dumps(list(outcome.get("problems") or [])),
                    time.time(),
                    json.dumps(report.get("settings") or {}),
                ),
            )
            run_id = int(cur.lastrowid or 0)
            for i, m in enumerate(matches):
                self._db.execute(
                    "INSERT INTO run_matches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        i,
                        m.get("start"),
                        m.get("end"),
                        m.get("kills"),
                        m.get("placement"),
                        int(i == best),
                        clips_by_match.get(i),
                        m.get("kills_confidence"),
                    ),
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return run_id

    def _source_runs(self) -> list[int]:
        """Per VOD, the run ``top`` ranks: the latest complete one, else the partial run whose
        best match ranks highest (newest on ties); failed runs never."""
        rows = self._db.execute(
            "SELECT r.run_id, r.vod_id, r.status, r.processed_at, m.kills, m.placement FROM runs r "
            "LEFT JOIN run_matches m ON m.run_id = r.run_id AND m.idx = r.best "
            "WHERE r.status IN ('complete', 'partial')"
        ).fetchall()
        pick: dict[str, tuple[tuple[Any, ...], int]] = {}
        for run_id, vod, status, at, kills, placement in rows:
            if status == "complete":
                key: tuple[Any, ...] = (1, at, run_id)
            else:
                key = (0, kills if kills is not None else -1, -(placement or 1000), at, run_id)
            if vod not in pick or key > pick[vod][0]:
                pick[vod] = (key, run_id)
        return [run_id for _, run_id in pick.values()]

    def top(self, n: int = 10, *, streamer: str | None = None) -> list[TopRow]:
        """The ``n`` matches with the most kills (ties: better placement, then newer run), from
        each VOD's source run (see the module doc)."""
        runs = self._source_runs()
        if not runs:
            return []
        sql = (
            'SELECT r.vod_id, r.streamer, r.title, m.idx, m.start, m."end", m.kills, m.placement, '
            "m.best, m.clip, r.report, r.processed_at, r.run_id, r.status FROM run_matches m "
            "JOIN runs r USING (run_id) WHERE m.kills IS NOT NULL "
            f"AND r.run_id IN ({','.join('?' * len(runs))})"
        )
        params: list[Any] = list(runs)
        if streamer:
            sql += " AND lower(r.streamer) = lower(?)"
            params.append(streamer)
        sql += " ORDER BY m.kills DESC, coalesce(m.placement, 1000) ASC, r.processed_at DESC, m.idx LIMIT ?"
        params.append(int(n))
        return [
            TopRow(
                vod_id=r[0],
                streamer=r[1],
                title=r[2],
                match_index=r[3],
                start=r[4],
                end=r[5],
                kills=r[6],
                placement=r[7],
                best=bool(r[8]),
                clip=r[9],
                report=r[10],
                processed_at=r[11],
                run_id=r[12],
                status=r[13],
            )
            for r in self._db.execute(sql, params)
        ]

    def runs(self, vod_id: str) -> list[RunRow]:
        """Every recorded run of ``vod_id``, oldest first."""
        sql = (
            "SELECT r.run_id, r.vod_id, r.status, r.processed_at, r.n_matches, r.best, m.kills, r.report, "
            "r.problems FROM runs r LEFT JOIN run_matches m ON m.run_id = r.run_id AND m.idx = r.best "
            "WHERE r.vod_id = ? ORDER BY r.processed_at, r.run_id"
        )
        return [
            RunRow(
                run_id=r[0],
                vod_id=r[1],
                status=r[2],
                processed_at=r[3],
                n_matches=r[4],
                best=r[5],
                best_kills=r[6],
                report=r[7],
                problems=json.loads(r[8] or "[]"),
            )
            for r in self._db.execute(sql, (vod_id,))
        ]

    def vod_ids(self) -> list[str]:
        return [
            r[0]
            for r in self._db.execute("SELECT vod_id FROM runs GROUP BY vod_id ORDER BY max(processed_at)")
        ]


def _clips_by_match(report: dict[str, Any], base: Path) -> dict[int, str]:
    """Map match index -> absolute clip path, from the report's ``clip_matches`` or ``clips``."""
    clips = list(report.get("clips") or [])
    which = report.get("clip_matches")
    if which is None:
        best = report.get("best")
        which = [best] if (best is not None and len(clips) == 1) else []
    out: dict[int, str] = {}
    for i, rel in zip(which, clips, strict=False):
        if i is not None:
            out[int(i)] = str((base / rel).resolve())
    return out
