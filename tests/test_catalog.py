"""Run store and results catalogue: real SQLite files in tmp_path."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from vodstream.store.catalog import Catalog, default_data_dir
from vodstream.store.runstore import RunStore, SegmentResult
from vodstream.types import Gap, Marker, Score


def _seg(i: int, kills: int | None = 3, marker: Marker | None = None) -> SegmentResult:
    scores = [
        Score(
            vod_time=i * 10.0 + k * 2.0,
            segment_index=i,
            kills=kills,
            red=k == 1,
            hud_visible=True,
            confidence=0.875,
            marker=marker if k == 0 else None,
        )
        for k in range(5)
    ]
    return SegmentResult(index=i, start=i * 10.0, duration=10.0, scores=scores, frames_decoded=5)


def test_score_json_roundtrip_keeps_every_field() -> None:
    s = Score(
        vod_time=12.345678901,
        segment_index=1,
        kills=None,
        red=True,
        hud_visible=False,
        marker=Marker(kind="end", text="PLACED #3 OF 20", placement=3, of=20),
        confidence=0.25,
    )
    back = Score.from_json(json.loads(json.dumps(s.to_json())))
    assert back == s


def test_runstore_resume_keeps_rows_and_fresh_start_drops_them(tmp_path: Path) -> None:
    path = tmp_path / "runstore.sqlite"
    with RunStore(path) as rs:
        assert rs.begin("v1", "fp-a", resume=False) == set()
        rs.put_segment("v1", _seg(0, marker=Marker(kind="select_legend", text="SELECT LEGEND")))
        seg1 = _seg(1)
        seg1.gaps.append(Gap(start=10.0, end=20.0, reason="decode failed", segment_index=1))
        seg1.thumbs[12.0] = b"\xff\xd8jpeg"
        seg1.extra = [Score(vod_time=19.4, segment_index=1, kills=4, hud_visible=True, confidence=0.99)]
        rs.put_segment("v1", seg1)
        rs.save_checkpoint("v1", released=1, n_matches=0, state={"phase": "in_match", "n": [1, 2]})
    # reopen: resume with the same fingerprint keeps everything, byte for byte
    with RunStore(path) as rs:
        assert rs.begin("v1", "fp-a", resume=True) == {0, 1}
        got = list(rs.segments("v1"))
        assert [g.index for g in got] == [0, 1]
        assert got[0].scores == _seg(0, marker=Marker(kind="select_legend", text="SELECT LEGEND")).scores
        assert got[1].gaps == seg1.gaps and got[1].extra == seg1.extra and got[0].extra == []
        assert rs.thumbs("v1") == {12.0: b"\xff\xd8jpeg"}
        assert rs.load_checkpoint("v1") == (1, 0, {"phase": "in_match", "n": [1, 2]})
        assert [s.index for s in rs.segments("v1", first=1)] == [1]
        # other settings: a resumed run must not reuse stale results
        assert rs.begin("v1", "fp-b", resume=True) == set()
        assert rs.load_checkpoint("v1") is None
        rs.put_segment("v1", _seg(0))
        # no --resume: start afresh even with the same fingerprint
        assert rs.begin("v1", "fp-b", resume=False) == set()
        assert rs.thumbs("v1") == {}


def test_runstore_keeps_vods_apart(tmp_path: Path) -> None:
    with RunStore(tmp_path / "rs.sqlite") as rs:
        rs.begin("a", "fp", resume=False)
        rs.begin("b", "fp", resume=False)
        rs.put_segment("a", _seg(0))
        rs.put_segment("b", _seg(5))
        assert rs.done_indexes("a") == {0}
        assert rs.done_indexes("b") == {5}
        rs.begin("a", "fp", resume=False)
        assert rs.done_indexes("b") == {5}


def _report(vod: str, streamer: str, kills: list[int | None], best: int | None) -> dict:
    return {
        "vod_id": vod,
        "streamer": streamer,
        "title": f"{streamer} plays",
        "duration": 3600.0,
        "matches": [
            {"start": 100.0 * i, "end": 100.0 * i + 90, "kills": k, "placement": i + 1}
            for i, k in enumerate(kills)
        ],
        "best": best,
        "clips": ["best.mp4"] if best is not None else [],
        "clip_matches": [best] if best is not None else [],
    }


def test_catalog_top_across_runs(tmp_path: Path) -> None:
    db = tmp_path / "data" / "catalog.sqlite"
    with Catalog(db) as cat:
        cat.record(_report("111", "alice", [3, 9, None], 1), tmp_path / "out" / "111" / "report.json")
        cat.record(_report("222", "bob", [9, 4], 0), tmp_path / "out" / "222" / "report.json")
        cat.record(_report("333", "Alice", [1], 0), tmp_path / "out2" / "333" / "report.json")
    with Catalog(db) as cat:  # persisted
        top = cat.top(3)
        # 9 kills twice: the better placement first (bob's match 0 placed #1)
        assert [(r.vod_id, r.match_index, r.kills) for r in top] == [
            ("222", 0, 9),
            ("111", 1, 9),
            ("222", 1, 4),
        ]
        assert top[0].best and top[0].clip == str((tmp_path / "out" / "222" / "best.mp4").resolve())
        assert not top[2].best and top[2].clip is None and top[2].placement == 2
        assert [r.vod_id for r in cat.top(10, streamer="alice")] == ["111", "111", "333"]
        # a later complete run of a VOD supersedes the earlier one in `top` (both are kept)
        cat.record(_report("111", "alice", [2], 0), tmp_path / "out" / "111" / "report.json")
        assert [(r.vod_id, r.kills) for r in cat.top(10, streamer="alice")] == [("111", 2), ("333", 1)]
        assert sorted(cat.vod_ids()) == ["111", "222", "333"]
        assert [r.best_kills for r in cat.runs("111")] == [9, 2]
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM run_matches").fetchone()[0]
    assert rows == 7


def test_a_partial_or_failed_run_never_hides_a_better_earlier_one(tmp_path: Path, capsys) -> None:
    from vodstream.cli.app import main

    db = tmp_path / "data" / "catalog.sqlite"
    out = tmp_path / "out" / "444" / "report.json"
    with Catalog(db) as cat:
        good = cat.record(_report("444", "carol", [3, 8], 1), out)
        failed = cat.record(
            {
                **_report("444", "carol", [], None),
                "outcome": {"status": "failed", "problems": ["nothing analysed: every segment failed"]},
            },
            out,
        )
        partial = cat.record(
            {
                **_report("444", "carol", [5], 0),
                "outcome": {"status": "partial", "problems": ["0:10:00-0:12:00 not analysed (x)"]},
            },
            out,
        )
        assert [(r.kills, r.run_id, r.status) for r in cat.top(5)] == [
            (8, good, "complete"),
            (3, good, "complete"),
        ]
        runs = cat.runs("444")
        assert [(r.run_id, r.status, r.best_kills) for r in runs] == [
            (good, "complete", 8),
            (failed, "failed", None),
            (partial, "partial", 5),
        ]
        assert runs[1].problems == ["nothing analysed: every segment failed"]
        # a VOD only ever analysed partially: its best partial run, marked, even if a later one is worse
        p1 = cat.record(
            {**_report("555", "dan", [6], 0), "outcome": {"status": "partial", "problems": []}},
            tmp_path / "out" / "555" / "report.json",
        )
        cat.record(
            {**_report("555", "dan", [2], 0), "outcome": {"status": "partial", "problems": []}},
            tmp_path / "out" / "555" / "report.json",
        )
        assert [(r.kills, r.run_id, r.status) for r in cat.top(10, streamer="dan")] == [(6, p1, "partial")]
    assert main(["top", "--runs", "444", "--data-dir", str(tmp_path / "data")]) == 0
    text = capsys.readouterr().out
    assert text.count("complete") == 1 and "failed" in text and "! 0:10:00-0:12:00 not analysed" in text
    assert main(["top", "--data-dir", str(tmp_path / "data")]) == 0
    assert "(partial run)" in capsys.readouterr().out
    assert main(["top", "--runs", "999", "--data-dir", str(tmp_path / "data")]) == 1


def test_a_catalogue_of_the_first_layout_becomes_one_run_per_vod(tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE vods (vod_id TEXT PRIMARY KEY, streamer TEXT, title TEXT, duration REAL, source TEXT, "
        "report TEXT NOT NULL, n_matches INTEGER NOT NULL, best INTEGER, processed_at REAL NOT NULL, "
        "settings TEXT NOT NULL DEFAULT '{}');"
        'CREATE TABLE matches (vod_id TEXT NOT NULL, idx INTEGER NOT NULL, start REAL, "end" REAL, '
        "kills INTEGER, placement INTEGER, best INTEGER NOT NULL, clip TEXT, PRIMARY KEY (vod_id, idx));"
        "INSERT INTO vods VALUES ('777', 'eve', 't', 100.0, 's', '/r.json', 2, 1, 5.0, '{}');"
        "INSERT INTO matches VALUES ('777', 0, 0.0, 10.0, 1, 3, 0, NULL), "
        "('777', 1, 20.0, 30.0, 4, 1, 1, '/c.mp4');"
    )
    con.commit()
    con.close()
    with Catalog(db) as cat:
        assert [(r.kills, r.clip, r.status) for r in cat.top(5)] == [
            (4, "/c.mp4", "complete"),
            (1, None, "complete"),
        ]
        assert [r.best_kills for r in cat.runs("777")] == [4]


def test_default_data_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VODSTREAM_DATA_DIR", str(tmp_path / "env"))
    assert default_data_dir(tmp_path / "cli") == tmp_path / "cli"
    assert default_data_dir() == tmp_path / "env"
    monkeypatch.delenv("VODSTREAM_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "vodstream"


def test_runstore_from_an_older_schema_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "rs.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema', '2');"
        "CREATE TABLE segments (vod_key TEXT, seg_index INTEGER, scores TEXT);"
    )
    db.commit()
    db.close()
    with RunStore(path) as rs:
        assert rs.begin("v", "fp", resume=True) == set()
        rs.put_segment("v", _seg(0))
        assert rs.done_indexes("v") == {0}
