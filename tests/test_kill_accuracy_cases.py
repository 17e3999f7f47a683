"""The per-sample benchmark's cases (benchmarks/kill_accuracy.py): queue layouts drawn apart."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import kill_accuracy

from vodstream.testbed.synth.render import HUD_FONTS


def test_layouts_are_drawn_by_their_own_stream() -> None:
    """Drawing modern scenes in every queue layout changes nothing else about the cases: the
    plain-layout runs (``modes=("trios",)``) have the same states but for the layout."""
    plain = kill_accuracy.make_sequences(240, 11 + 1280, HUD_FONTS, "default", ("trios",))
    drawn = kill_accuracy.make_sequences(240, 11 + 1280, HUD_FONTS, "default")
    assert [k for _s, k, _f in plain] == [k for _s, k, _f in drawn]
    assert [(f, replace(s, hud_mode="trios", assists=0)) for s, _k, f in drawn] == [
        (f, s) for s, _k, f in plain
    ]
    modes = {s.hud_mode for s, _k, _f in drawn}
    assert {"trios", "ranked"} <= modes
    assert all(s.hud_mode == "trios" for s, _k, _f in drawn if s.era == "2019")
    assert any(s.assists > 0 for s, _k, _f in drawn if s.hud_mode == "ranked")


def test_crop_cache_keeps_a_runs_crops_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--crop-cache``: the per-sample crops drawn once are kept whole under a name that carries the
    run's arguments and the drawing code's digest; a later run (and kill_cases' case_crop) reads
    them back -- the same bytes as drawing them again -- without drawing."""
    import numpy as np

    drawn = kill_accuracy.hud_crops("validation", 1280, 720, 11, 24, 20)
    kept = kill_accuracy.hud_crops("validation", 1280, 720, 11, 24, 20, cache=tmp_path)
    assert drawn.shape == (24, 160, 480, 3) and np.array_equal(drawn, kept)
    (name,) = [p.name for p in tmp_path.iterdir()]  # one file, no part left behind
    assert name.startswith("crops-validation-1280x720-s11-n24-crf20-") and name.endswith(".npy")

    def no_drawing(*_a: object, **_k: object) -> None:
        raise AssertionError("drawn again")

    monkeypatch.setattr(kill_accuracy, "encode_decode", no_drawing)
    again = kill_accuracy.hud_crops("validation", 1280, 720, 11, 24, 20, cache=tmp_path)
    assert np.array_equal(again, drawn)
    crop, st = kill_accuracy.case_crop("validation", 1280, 11, 7, n=24, cache=tmp_path)
    assert np.array_equal(crop, drawn[7])
    assert st == kill_accuracy.make_sequences(24, 11 + 1280, HUD_FONTS, "validation")[7][0]
    monkeypatch.undo()
    # drawn case by case (no cache): the same crop
    alone, _st = kill_accuracy.case_crop("validation", 1280, 11, 7, n=24)
    assert np.array_equal(alone, drawn[7])


def test_the_docs_section_gives_a_familys_vod_keyframe_runs_rows_of_their_own() -> None:
    """A run on VOD keyframes (``--crf vod``) is a row set under its family's crf 20 rows, its crf
    column "vod" and its command among the runs named; nothing of it is typed."""

    def doc(crf: str, size: str, right: int, command: str) -> dict:
        counts = {"visible": 10, "visible_right": right, "hidden": 0, "inventory": 0}
        row = {"counts": counts}
        return {"command": command, "commit": "abc1234", "per_sample": {crf: {f"{size} both readers": row}}}

    section = kill_accuracy.docs_section(
        {"heldout": doc("crf20", "1280x720", 9, "run-a")},
        {"heldout": [doc("crfvod", "1280x720", 10, "run-b")]},
    )
    rows = [line for line in section.splitlines() if line.startswith("| held-out")]
    assert len(rows) == 2
    assert "| 20 | 1280x720 | 90.00 % (9/10)" in rows[0]
    assert rows[1].startswith("| held-out family (report only: never trained or chosen on), on VOD keyframes")
    assert "| vod | 1280x720 | 100.00 % (10/10)" in rows[1]
    assert "`run-a`" in section and "`run-b`" in section


def test_a_run_keeps_every_reading_and_reasons_tallies_them() -> None:
    """A per-sample run (the real reader, 24 validation samples at 720p) keeps every sample's
    reading; ``kill_cases.py reasons`` counts each number named as right or wrong under the reason
    given, and says so where a run kept no readings."""
    import kill_cases

    from vodstream.readers.killreader import KillReader

    got = kill_accuracy.per_sample(
        {"both readers": KillReader()}, 24, 11, 20, sizes=((1280, 720),), style="validation"
    )
    row = got["1280x720 both readers"]
    assert isinstance(row, dict)
    readings = row["readings"]
    assert [r["i"] for r in readings] == list(range(24))
    named = [r for r in readings if r["read"] is not None]
    assert named, "the reader named no number in 24 validation samples"
    right = sum(r["kind"] in ("visible", "covered") and r["read"] == r["kills"] for r in named)
    doc = {"style": "validation", "per_sample": {"crf20": got}}
    lines = kill_cases.reasons([doc])
    assert lines[0].startswith("1 run(s)")
    tallied = [int(line.split("right ")[1].split()[0]) for line in lines[1:]]
    wrongs = [int(line.split("wrong ")[1].split()[0]) for line in lines[1:]]
    assert sum(tallied) == right and sum(wrongs) == len(named) - right
    # a run written before readings were kept
    del row["readings"]
    assert kill_cases.reasons([doc]) == [
        "no run here keeps its readings (kill_accuracy.py writes them since 2026-12-05)"
    ]


def test_the_docs_section_carries_a_family_this_machine_has_no_run_of() -> None:
    """``--update-docs`` on a machine holding one family's new run keeps every other family's rows
    and run line as the run that measured them wrote them (like the whole-VOD writer's carried
    columns); a family run again is written from its new JSON, in the families' order."""

    def doc(right: int, command: str) -> dict:
        counts = {"visible": 10, "visible_right": right, "hidden": 0, "inventory": 0}
        per = {
            "crf20": {
                "1280x720 both readers": {"counts": counts},
                "1920x1080 both readers": {"counts": counts},
            }
        }
        return {"command": command, "commit": "abc1234", "per_sample": per}

    first = kill_accuracy.docs_section(
        {"heldout": doc(9, "run-a"), "heldout2": doc(8, "run-b")}, {"heldout": [doc(10, "run-v")]}
    )
    kept = kill_accuracy.carried_rows(first)
    assert set(kept) == {"heldout", "heldout2"}
    assert len(kept["heldout"][0]) == 4 and len(kept["heldout"][1]) == 2  # crf 20 and VOD keyframes
    # a later machine has only the second family's new run: the first one's rows are carried as written
    again = kill_accuracy.docs_section({"heldout2": doc(7, "run-c")}, {}, kept)
    held = [ln for ln in again.splitlines() if ln.startswith("| held-out family")]
    assert held == [ln for ln in first.splitlines() if ln.startswith("| held-out family")]
    assert "| 70.00 % (7/10)" in again and "| 80.00 % (8/10)" not in again
    assert "`run-a`" in again and "`run-v`" in again and "`run-c`" in again and "`run-b`" not in again
    assert again.index("`run-a`") < again.index("`run-c`")
    assert kill_accuracy.carried_rows(again).keys() == {"heldout", "heldout2"}
