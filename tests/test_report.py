"""report.json / report.html writer."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np

from vodstream.matches.analysis import AnalysisResult
from vodstream.report.assemble import build_report
from vodstream.report.document import (
    atomic_write,
    hms,
    kills_svg,
    match_thumbnail,
    replace_section,
    thumbnail_jpeg,
    write_reports,
)
from vodstream.types import Gap, Match


def _matches() -> list[Match]:
    return [
        Match(
            start=61.0,
            end=845.0,
            kills=7,
            placement=3,
            of=20,
            readings=[(130.0, 0), (200.0, 1), (400.0, 4), (800.0, 7)],
        ),
        Match(start=900.0, end=1500.0, kills=2, placement=11, readings=[(1000.0, 2)]),
        Match(start=None, end=1900.0, kills=None),
    ]


def test_report_json_contract_and_html(tmp_path: Path) -> None:
    thumb = thumbnail_jpeg(np.full((108, 427), 200, np.uint8))
    gaps = [Gap(start=50.0, end=60.0, reason="fetch failed: 404", segment_index=5)]
    rep = build_report(
        vod_id="123",
        duration=2000.0,
        result=AnalysisResult(
            matches=_matches(), gaps=gaps, timings={}, ocr_calls=0, ocr_seconds=0.0, samples=0
        ),
        clips=["123-match0.mp4"],
        clip_matches=[0],
        title="t <b>",
        streamer="s",
        skipped=[{"start": 0.0, "end": 40.0, "reason": "chapter: Just Chatting"}],
        timings={"analyse": 12.3456},
        settings={"analyze_quality": "480p30"},
    )
    j, h = write_reports(rep, tmp_path / "123", {846.0: thumb})
    data = json.loads(j.read_text())
    for key in ("vod_id", "duration", "matches", "best", "clips", "gaps", "timings", "versions", "settings"):
        assert key in data
    assert data["matches"][0] | {} == data["matches"][0]
    assert {k: data["matches"][0][k] for k in ("start", "end", "kills", "placement")} == {
        "start": 61.0,
        "end": 845.0,
        "kills": 7,
        "placement": 3,
    }
    assert data["best"] == 0
    [gap] = data["gaps"]
    assert gap == {"start": 50.0, "end": 60.0, "reason": "fetch failed: 404", "segment_index": 5} | {
        "matches": gap["matches"]
    }
    assert 2 in gap["matches"]  # the match whose start was not seen spans the gap
    assert data["outcome"]["status"] in ("complete", "partial", "failed")
    assert data["timings"] == {"analyse": 12.346}
    assert "ray" in data["versions"] and "av" in data["versions"]
    page = h.read_text()
    assert page.count("<svg") == 3
    assert "t &lt;b&gt;" in page and "<b>" not in page.split("<body>")[1].split("</h1>")[1].split("</p>")[0]
    assert page.count("data:image/jpeg;base64,") == 1
    assert "class='best'" in page and "123-match0.mp4" in page and "Just Chatting" in page
    assert not list((tmp_path / "123").glob("*.part"))
    # normal permissions (mkstemp alone made them 0600), as open() gives under this umask
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    for f in (j, h):
        assert f.stat().st_mode & 0o777 == 0o666 & ~mask


def test_kills_svg_is_valid_xml_and_steps_up() -> None:
    svg = kills_svg(_matches()[0].to_json())
    root = ET.fromstring(svg)
    line = root.find("{http://www.w3.org/2000/svg}polyline")
    assert line is not None
    ys = [float(p.split(",")[1]) for p in line.get("points").split()]
    assert ys[0] > ys[-1]  # 0 kills at the bottom, 7 at the top
    assert all(b <= a for a, b in pairwise(ys))  # the count never goes down here
    ET.fromstring(kills_svg({"start": 1.0, "end": 1.0, "readings": []}))  # degenerate input


def test_thumbnail_is_small_jpeg_and_nearest_end_is_chosen() -> None:
    img = np.zeros((200, 800, 3), np.uint8)
    img[:, :400] = (255, 0, 0)
    jpg = thumbnail_jpeg(img, max_width=200)
    dec = cv2.imdecode(np.frombuffer(jpg, np.uint8), cv2.IMREAD_COLOR)
    assert dec.shape == (50, 200, 3)
    assert dec[25, 50, 2] > 200 and dec[25, 150, 0] < 50  # red stays red (RGB in, BGR decoded)
    thumbs = {100.0: b"a", 846.0: b"b", 850.0: b"c", 2000.0: b"d"}
    assert match_thumbnail({"end": 845.0}, thumbs) == b"b"
    assert match_thumbnail({"end": 1500.0}, thumbs) is None
    assert match_thumbnail({"end": None}, thumbs) is None


def test_atomic_write_and_hms(tmp_path: Path) -> None:
    p = atomic_write(tmp_path / "a" / "x.json", "{}")
    assert p.read_text() == "{}"
    assert [f.name for f in p.parent.iterdir()] == ["x.json"]
    assert hms(3725.4) == "1:02:05" and hms(None) == "?"
    assert re.fullmatch(r"\d+:\d\d:\d\d", hms(0))


def test_replace_section_replaces_or_appends(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text("# T\n\nintro\n")
    b, e = "<!-- x:begin -->", "<!-- x:end -->"
    replace_section(doc, f"{b}\none\n{e}", "## X", b, e)
    assert doc.read_text() == f"# T\n\nintro\n\n## X\n{b}\none\n{e}\n"
    replace_section(doc, f"{b}\ntwo\n{e}", "## X", b, e)  # in place: heading and text around kept
    assert doc.read_text() == f"# T\n\nintro\n\n## X\n{b}\ntwo\n{e}\n"
    assert [f.name for f in tmp_path.iterdir()] == ["README.md"]  # no temp file left


def test_measured_sections_are_the_ones_replace_section_keeps(tmp_path: Path) -> None:
    from vodstream.report.document import measured_sections

    doc = tmp_path / "card.md"
    assert measured_sections(doc) == ""  # no document yet
    doc.write_text("# Card\n\nwritten whole by a retraining\n")
    assert measured_sections(doc) == ""
    for name in ("vods", "real"):
        b, e = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        replace_section(doc, f"{b}\n{name} figures\n{e}", f"## {name.title()}", b, e)
    want = "## Vods\n<!-- vods:begin -->\nvods figures\n<!-- vods:end -->\n\n"
    want += "## Real\n<!-- real:begin -->\nreal figures\n<!-- real:end -->"
    assert measured_sections(doc) == want


def test_compare_to_truth_pairs_by_overlap() -> None:
    from vodstream.report.document import compare_to_truth, truth_line

    truth = {
        "matches": [
            {"start": 0.0, "end": 14.0, "kills": 2, "placement": 4},
            {"start": 23.0, "end": 52.0, "kills": 3, "placement": 6},
            {"start": 60.0, "end": 76.0, "kills": 1, "placement": None},
        ]
    }
    report = {
        "best": 1,
        "matches": [
            {"start": 1.0, "end": 13.0, "kills": 2, "placement": 4},
            {"start": 22.0, "end": 57.0, "kills": 3, "placement": 5},
            {"start": 61.0, "end": 76.0, "kills": 0},
        ],
    }
    c = compare_to_truth(truth, report)
    assert (c["found"], c["extra"], c["bounds_ok"], c["kills_ok"], c["placement_ok"], c["placed"]) == (
        3,
        0,
        2,
        2,
        1,
        2,
    )
    assert c["best_ok"] and c["max_err"] == 5.0
    assert "kills exact 2/3" in truth_line(c)
    assert not compare_to_truth(truth, {**report, "best": 2})["best_ok"]
