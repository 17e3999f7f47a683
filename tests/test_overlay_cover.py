"""The overlay benchmark's samples and scoring (benchmarks/overlay_cover.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import overlay_cover

from vodstream.testbed.synth.render import kill_box_covered


def test_covered_cases_are_the_samples_an_overlay_covers() -> None:
    cases = overlay_cover.covered_cases("wide", 1280, 720, 11, 40)
    assert len(cases) == 40
    assert [i for i, _ in cases] == sorted({i for i, _ in cases})
    for _i, (state, what, style) in cases:
        assert not isinstance(style, str)
        assert what != "inventory"
        assert kill_box_covered(state, 1280, 720, style=style)
    # the same draw each time; a kind keeps only its overlays
    assert [i for i, _ in overlay_cover.covered_cases("wide", 1280, 720, 11, 40)] == [i for i, _ in cases]
    panels = overlay_cover.covered_cases("wide", 1280, 720, 11, 20, kind="panel")
    assert panels and all(style.occluder_kind == "panel" for _i, (_s, _w, style) in panels)
    with pytest.raises(ValueError, match="overlay kind"):
        overlay_cover.covered_cases("wide", 1280, 720, 11, 5, kind="banner")


def test_a_run_reads_the_crop_covered_crop_draws_again() -> None:
    from vodstream.readers.killreader import KillReader

    doc = overlay_cover.run_size(KillReader(), "wide", 1280, 720, 11, 3, "any")
    assert sum(doc["counts"].get(k, 0) for k in ("shown", "not_shown")) == 3
    first = doc["readings"][0]
    crop = overlay_cover.covered_crop("wide", 1280, 720, 11, first["i"])
    (i, case), *_ = overlay_cover.covered_cases("wide", 1280, 720, 11, 1)
    assert i == first["i"]
    again = overlay_cover._drawn_crops([case], 1280, 720, overlay_cover.CRF)[0]
    assert crop.dtype == np.uint8 and np.array_equal(crop, again)
    assert first["read"] == KillReader().read_huds([crop])[0].kills


def test_tally_tells_right_none_and_wrong_apart() -> None:
    readings = [
        {"shown": True, "kills": 7, "read": 7, "kill_box": True},
        {"shown": True, "kills": 7, "read": None, "kill_box": None},
        {"shown": True, "kills": 12, "read": 2, "kill_box": True},
        {"shown": True, "kills": 3, "read": None, "kill_box": False},
        {"shown": False, "kills": 0, "read": 0, "kill_box": True},
        {"shown": False, "kills": 0, "read": None, "kill_box": None},
    ]
    c = overlay_cover.tally(readings)
    shown = (c["shown"], c["shown_right"], c["shown_none"], c["shown_wrong"], c["shown_empty"])
    assert shown == (4, 1, 2, 1, 1)
    assert (c["not_shown"], c["not_shown_none"], c["not_shown_number"]) == (2, 1, 1)


def test_the_readme_section_carries_only_the_runs_counts() -> None:
    doc = {
        "command": "python benchmarks/overlay_cover.py --style wide --out /tmp/x.json",
        "commit": "abc1234",
        "utc": "2026-12-05 23:00 UTC",
        "sizes": {"1280x720": {"counts": {"shown": 4, "shown_right": 1, "shown_none": 2, "shown_wrong": 1}}},
    }
    text = overlay_cover.docs_section({"wide": doc})
    assert text.startswith(overlay_cover.DOC_BEGIN) and text.endswith(overlay_cover.DOC_END)
    assert "| 1280x720 | 4 | 25.0 % (1/4) | 50.0 % (2/4) | 1 | 0 | 0 of 0 |" in text
    assert "| wide family" in text and text.count("| wide family") == 1
    assert "--out" not in text and "abc1234" in text


def test_the_readme_section_carries_a_family_this_machine_has_no_run_of() -> None:
    """``--update-docs`` where only one family's JSON is on the machine keeps every other family's
    rows and run line as their run wrote them; the family run again is written from its new JSON."""

    def doc(right: int, commit: str) -> dict:
        counts = {"shown": 4, "shown_right": right, "shown_none": 4 - right}
        return {
            "command": "python benchmarks/overlay_cover.py",
            "commit": commit,
            "utc": "2026-12-07 21:00 UTC",
            "sizes": {"1280x720": {"counts": counts}, "1920x1080": {"counts": counts}},
        }

    from kill_accuracy import carried_rows

    first = overlay_cover.docs_section({"wide": doc(1, "aaaaaaa"), "validation": doc(2, "bbbbbbb")})
    kept = carried_rows(first)
    assert set(kept) == {"wide", "validation"} and len(kept["wide"][0]) == 2
    again = overlay_cover.docs_section({"validation": doc(3, "ccccccc")}, kept)
    assert all(row in again.splitlines() for row in kept["wide"][0])
    assert "aaaaaaa" in again and "ccccccc" in again and "bbbbbbb" not in again
    assert "| 75.0 % (3/4)" in again and "| 50.0 % (2/4)" not in again
