"""The results catalogue: one SQLite file indexing every VOD processed and every match found.

``vodstream top`` reads it to list the best matches across all runs. Where it lives:
``--data-dir``, else ``$VODSTREAM_DATA_DIR``, else ``$XDG_DATA_HOME/vodstream`` (by default
``~/.local/share/vodstream``). Re-processing a VOD replaces its rows, so the catalogue holds the
latest result per VOD.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CATALOG_NAME", "Catalog", "TopRow", "default_data_dir"]

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
    clip: str | None          # absolute path of the clip, if one was cut
    report: str               # absolute path of report.json
    processed_at: float


class Catalog:
    """Index of processed VODs and their matches."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS vods (
                vod_id TEXT PRIMARY KEY, streamer TEXT, title TEXT, duration REAL,
                source TEXT, report TEXT NOT NULL, n_matches INTEGER NOT NULL,
                best INTEGER, processed_at REAL NOT NULL, settings TEXT NOT NULL DEFAULT '{}');
            CREATE TABLE IF NOT EXISTS matches (
                vod_id TEXT NOT NULL REFERENCES vods(vod_id) ON DELETE CASCADE,
                idx INTEGER NOT NULL, start REAL, "end" REAL, kills INTEGER, placement INTEGER,
                best INTEGER NOT NULL, clip TEXT, PRIMARY KEY (vod_id, idx));
            CREATE INDEX IF NOT EXISTS matches_kills ON matches(kills DESC);
            """
        )

    @classmethod
    def open_default(cls, data_dir: str | Path | None = None) -> Catalog:
        return cls(default_data_dir(data_dir) / CATALOG_NAME)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, report: dict[str, Any], report_path: str | Path) -> None:
        """Index one VOD's report.json (replacing what was there for that VOD)."""
        report_path = Path(report_path).resolve()
        vod_id = str(report["vod_id"])
        matches = list(report.get("matches") or [])
        best = report.get("best")
        clips_by_match = _clips_by_match(report, report_path.parent)
        self._db.execute("BEGIN")
        try:
            self._db.execute("DELETE FROM matches WHERE vod_id=?", (vod_id,))
            self._db.execute(
                "INSERT OR REPLACE INTO vods VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (vod_id, report.get("streamer") or report.get("owner"), report.get("title"),
                 report.get("duration"), report.get("source"), str(report_path), len(matches), best,
                 time.time(), json.dumps(report.get("settings") or {})),
            )
            for i, m in enumerate(matches):
                self._db.execute(
                    "INSERT INTO matches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (vod_id, i, m.get("start"), m.get("end"), m.get("kills"), m.get("placement"),
                     int(i == best), clips_by_match.get(i)),
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def top(self, n: int = 10, *, streamer: str | None = None) -> list[TopRow]:
        """The ``n`` matches with the most kills (ties: better placement, then newer run)."""
        sql = (
            'SELECT m.vod_id, v.streamer, v.title, m.idx, m.start, m."end", m.kills, m.placement, '
            "m.best, m.clip, v.report, v.processed_at FROM matches m JOIN vods v USING (vod_id) "
            "WHERE m.kills IS NOT NULL"
        )
        params: list[Any] = []
        if streamer:
            sql += " AND lower(v.streamer) = lower(?)"
            params.append(streamer)
        sql += " ORDER BY m.kills DESC, coalesce(m.placement, 1000) ASC, v.processed_at DESC, m.idx LIMIT ?"
        params.append(int(n))
        return [
            TopRow(vod_id=r[0], streamer=r[1], title=r[2], match_index=r[3], start=r[4], end=r[5],
                   kills=r[6], placement=r[7], best=bool(r[8]), clip=r[9], report=r[10],
                   processed_at=r[11])
            for r in self._db.execute(sql, params)
        ]

    def vod_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT vod_id FROM vods ORDER BY processed_at")]


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
