"""benchmarks/kill_cases.py: what two per-sample runs read differently, and one case shown again."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import kill_cases


def _run(misses: dict[str, list[tuple[int, int, int | None]]], right: dict[str, int]) -> dict:
    rows = {}
    for size, ms in misses.items():
        rows[f"{size} both readers"] = {
            "counts": {"visible_right": right[size]},
            "misses": [
                {
                    "i": i,
                    "kills": k,
                    "read": r,
                    "reason": "ok" if r is not None else "no_kill_box",
                    "era": "modern",
                    "layout": "trios",
                }
                for i, k, r in ms
            ],
        }
        rows[f"{size} 2019 path only"] = {"counts": {}, "misses": []}  # not the whole reader: ignored
    return {"per_sample": {"crf20": rows}}


def test_diff_names_the_cases_one_run_lost_gained_or_read_otherwise() -> None:
    old = _run(
        {"1280x720": [(5, 3, None), (9, 12, 13)], "1920x1080": [(1, 2, None)]},
        {"1280x720": 10, "1920x1080": 7},
    )
    new = _run(
        {"1280x720": [(7, 21, None), (9, 12, None)], "1920x1080": [(1, 2, None)]},
        {"1280x720": 10, "1920x1080": 7},
    )
    lines = kill_cases.diff(old, new)
    assert lines[0] == "1280x720: 1 more read right, 1 fewer"
    assert "  now missed  i=7: 21 kills, read None (no_kill_box), modern trios" in lines
    assert "  now right   i=5: 3 kills, read None (no_kill_box), modern trios" in lines
    assert "  changed     i=9: read 13 -> None (no_kill_box)" in lines
    assert "1920x1080: the same" in lines
    assert not any("2019 path" in line for line in lines)


def test_diff_shows_counts_that_moved_and_sizes_only_one_run_has() -> None:
    old = _run({"1280x720": []}, {"1280x720": 10})
    new = _run({"1280x720": [], "2560x1080": []}, {"1280x720": 9, "2560x1080": 3})
    lines = kill_cases.diff(old, new)
    assert lines == [
        "1280x720: 0 more read right, 0 fewer",
        "  visible_right: 10 -> 9",
        "sizes in one run only: 2560x1080",
    ]


def test_show_renders_a_case_again_and_reads_it(tmp_path: Path) -> None:
    lines = kill_cases.show("default", 1280, 720, 11, [3], tmp_path)
    assert lines[0].startswith("i=3: ") and "read " in lines[0] and "finder: " in lines[0]
    # read right by the layout rules: the run it read lies on the digits the renderer drew
    assert "read 14 " in lines[0] and "finder: layout" in lines[0] and "the run on them" in lines[0]
    cover = int(re.search(r"covering (\d+)%", lines[0]).group(1))  # type: ignore[union-attr]
    assert cover >= 50
    # what the learned detector proposed there, in the same crop pixels (kept or dropped)
    assert lines[1].startswith("  rules: ok, squads line found") and lines[2].startswith("  detector's box")
    png = tmp_path / "default-1280x720-seed11-3.png"
    assert lines[-1] == f"  crop: {png}" and png.stat().st_size > 1000


def test_why_groups_a_runs_misses_by_where_they_were_lost() -> None:
    """``why``: each missed visible counter rendered again -- lost by the readers (the finder's run on
    the digits) or by the finder (the rules' reason, and the check that dropped the detector's box)."""
    doc = {
        "style": "validation",
        "per_sample": {
            "crf20": {
                "1920x1080 both readers": {
                    "misses": [
                        {"i": 304, "kills": 14, "read": None, "reason": "no_kill_box"},
                        {"i": 308, "kills": 14, "read": None, "reason": "no_kill_box"},
                        {"i": 54, "kills": 23, "read": None, "reason": "clipped"},
                    ]
                }
            }
        },
    }
    lines = kill_cases.why(doc, 11)
    assert lines[0] == "1920x1080: 3 visible counters missed"
    # the same count in two scenes, dropped by two checks (at 304 the run's own skull was seen, so
    # only the squads count's solid "17" between it and the line found drops it)
    assert lines[1:] == [
        "    1  finder: none, no_squads_box; detector's box: dropped (icon_after): i=308",
        "    1  finder: none, no_squads_box; detector's box: dropped (not_nearest): i=304",
        "    1  readers (layout): clipped: i=54",
    ]
    assert kill_cases.why(doc, 11, ["1280x720"]) == []


def test_vod_reads_a_whole_vods_keyframes_as_the_pipeline_does(
    synth_test_vod: Path, capsys, tmp_path: Path
) -> None:
    """The synthetic test VOD's last 20 s of its whole match: every keyframe read (2 s apart), the
    match's final count among the readings, and what the finder made of each crop under it."""
    import json

    truth = json.loads((synth_test_vod / "truth.json").read_text())
    m = max(truth["matches"], key=lambda x: x["kills"])
    t0, t1 = m["end"] - 20.0, m["end"] - 1.0
    assert (
        kill_cases.main(
            ["vod", str(synth_test_vod), "--from", str(t0), "--to", str(t1), "--png", str(tmp_path)]
        )
        == 0
    )
    out = capsys.readouterr().out
    times = [float(t) for t in re.findall(r"^\s*([\d.]+) s: kills", out, re.M)]
    assert times and all(t0 <= t <= t1 for t in times) and len(times) >= 8
    assert f"kills {m['kills']}," in out
    assert out.count("rules: ") == len(times)
    assert len(list(tmp_path.glob("t*.png"))) == len(times)


def test_vod_says_so_in_one_line_where_the_folder_is_no_vod(tmp_path: Path, capsys) -> None:
    assert kill_cases.main(["vod", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no chunked/index-dvr.m3u8" in err


def test_digits_lists_every_digit_the_cnn_reads_wrong_in_a_cached_set(tmp_path: Path, capsys) -> None:
    """A small digit set, as ``vodstream train --cache`` keeps it; one case's label changed in its
    last digit: the tool names that case and digit, read as drawn, and counts one wrong more."""
    from models.data import build_case_set, save_case_set

    cs = build_case_set(12, "test", 21, quality="stream")
    before = kill_cases.digits(cs)
    wrong_before = [ln for ln in before if ln.startswith("case ")]
    i = next(
        k
        for k in range(len(cs.kills))
        if cs.kills[k] >= 10
        and cs.found[k, 0] == 1
        and not any(ln.startswith(f"case {k} ") for ln in wrong_before)
    )
    drawn = int(cs.kills[i])
    cs.kills[i] = drawn - drawn % 10 + (drawn + 1) % 10  # the last digit one more (9 -> 0)
    path = tmp_path / "cases-v4-test.npz"
    save_case_set(cs, path)
    assert kill_cases.main(["digits", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(ln.startswith(f"case {i} ") and f"digit 1 read {drawn % 10} " in ln for ln in out)
    n_before = int(re.search(r"(\d+) wrong", before[-1]).group(1))  # type: ignore[union-attr]
    assert re.search(r"(\d+) wrong", out[-1]).group(1) == str(n_before + 1)  # type: ignore[union-attr]


def test_digits_says_so_in_one_line_where_the_file_is_no_case_set(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "cases.npz"
    bad.write_bytes(b"not an npz")
    assert kill_cases.main(["digits", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"kill_cases: cannot read the case set {bad}")
