"""Synthetic-VOD script: validation, ground truth, timeline semantics, audio cues (no encoding)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vodstream.errors import ScriptError
from vodstream.testbed import synth
from vodstream.testbed.synth.audio import SAMPLE_RATE, AudioSynth
from vodstream.testbed.synth.encode import chapters, master_playlist, media_playlist, reuse_key, vod_metadata
from vodstream.testbed.synth.timeline import MENU_STEP, RED_SECONDS, Timeline

COMPARE = Path(__file__).resolve().parents[2] / "shared" / "tools" / "compare_report.py"


def base(**over: Any) -> dict[str, Any]:
    """A small valid script: one complete modern match, 640x360."""
    d: dict[str, Any] = {
        "vod_id": "1",
        "width": 640,
        "height": 360,
        "fps": 30,
        "variants": ["chunked"],
        "matches": [
            {
                "start": 10.0,
                "select_legend": 10.0,
                "end": 100.0,
                "placement": 5,
                "kills": [30.0, 50.0, 70.0],
                "death": 80.0,
                "spectate": {"start": 82.0, "end": 100.0, "kills": 9, "kill_times": [90.0]},
                "inventory": [[40.0, 45.0]],
            }
        ],
    }
    d.update(over)
    return d


def with_match(**over: Any) -> dict[str, Any]:
    d = base()
    d["matches"][0].update(over)
    return d


# ----------------------------------------------------------------------------------------------
# validation: each error names the field
# ----------------------------------------------------------------------------------------------

BAD = [
    (with_match(kills=[30.0, 120.0]), r"matches\[0\]\.kills\[1\]: time 120 is after the match end 100"),
    (with_match(kills=[50.0, 30.0]), r"matches\[0\]\.kills\[1\]: time 30 is before the previous 50"),
    (with_match(kills=[15.0]), r"matches\[0\]\.kills\[0\]: time 15 is before gameplay starts at 20"),
    (with_match(kills=[85.0]), r"matches\[0\]\.kills\[0\]: time 85 is after the death at 80"),
    (with_match(kills=[30.0, "x"]), r"matches\[0\]\.kills\[1\]: expected a number"),
    (with_match(placement=None), r"matches\[0\]\.placement: required unless end_kind is 'abandoned'"),
    (with_match(placement=25), r"matches\[0\]\.placement: 25 is not in 1\.\.20"),
    (with_match(end_kind="champions"), r"matches\[0\]\.placement: 'champions' needs placement 1"),
    (with_match(end_kind="placed"), r"matches\[0\]\.end_kind: 'placed' .* 2019"),
    (with_match(end_kind="won"), r"matches\[0\]\.end_kind: 'won' is not one of"),
    (with_match(end_kind="abandoned"), r"matches\[0\]\.placement: an abandoned match has no placement"),
    (
        with_match(end=15.0, kills=[], death=None, spectate=None, inventory=[]),
        r"matches\[0\]\.end: 15 must be after gameplay starts at 20",
    ),
    (with_match(death=5.0), r"matches\[0\]\.death: 5 is not within the gameplay"),
    (with_match(death=None), r"matches\[0\]\.spectate: spectating needs a death time"),
    (
        with_match(spectate={"start": 70.0, "kills": 3}),
        r"matches\[0\]\.spectate: \[70, 100\] must lie within",
    ),
    (with_match(spectate={"start": 82.0}), r"matches\[0\]\.spectate\.kills: required field is missing"),
    (
        with_match(spectate={"kills": 2, "kill_times": [50.0]}),
        r"matches\[0\]\.spectate\.kill_times\[0\]: time 50 is outside the spectating span",
    ),
    (with_match(inventory=[[40.0, 39.0]]), r"matches\[0\]\.inventory\[0\]: \[40, 39\] is not an open span"),
    (with_match(inventory=[[40.0]]), r"matches\[0\]\.inventory\[0\]: expected \[open, close\]"),
    (with_match(inventory=[[40.0, 45.0], [44.0, 46.0]]), r"matches\[0\]\.inventory\[1\]: overlaps"),
    (with_match(colour="red"), r"matches\[0\]\.colour: unknown field"),
    (with_match(squads=1), r"matches\[0\]\.squads: must be 2\.\.60"),
    (with_match(era="2077"), r"matches\[0\]\.era: '2077' is not one of"),
    (with_match(hud_mode="squads"), r"matches\[0\]\.hud_mode: 'squads' is not one of"),
    (
        with_match(hud_mode="ranked", era="2019", end_kind="placed"),
        r"matches\[0\]\.hud_mode: 'ranked' is a modern-era layout",
    ),
    (
        with_match(assists=[25.0, 95.0]),
        r"matches\[0\]\.assists\[1\]: time 95 is outside the player's gameplay",
    ),
    (base(fps="fast"), r"^fps: expected an integer"),
    (base(width=641), r"width/height: 641x360 must be even"),
    (base(variants=["chunked", "360p25"]), r"variants\[1\]: 25 fps must divide the source rate 30"),
    (base(variants=["chunked", "1080p30"]), r"variants\[1\]: 1920x1080 is larger than the source"),
    (base(variants=["chunked", "hd"]), r"variants\[1\]\.name: 'hd' is not 'chunked' or like"),
    (base(variants=["chunked", "chunked"]), r"variants\[1\]: duplicate variant 'chunked'"),
    (base(hud_font="comic-sans"), r"hud_font: 'comic-sans' is not one of"),
    (base(vod_id="a/b"), r"vod_id: 'a/b' must be"),
    (
        base(spans=[{"type": "black", "start": 50.0, "end": 60.0}]),
        r"spans\[0\]: starts at 50, before matches\[0\] is over at 110",
    ),
    (
        base(spans=[{"type": "karaoke", "start": 150.0, "end": 160.0}]),
        r"spans\[0\]\.type: 'karaoke' is not one of",
    ),
    (
        base(spans=[{"type": "other_game", "start": 150.0, "end": 160.0, "game_id": "511224"}]),
        r"spans\[0\]\.game_id: 511224 is Apex Legends",
    ),
    (
        base(spans=[{"type": "lobby", "start": 150.0, "end": 140.0}]),
        r"spans\[0\]\.end: 140 must be after start 150",
    ),
    (base(duration=5.0), r"matches\[0\]: starts at 10, at or after the VOD end 5"),
    (
        with_match(
            start=-300.0, select_legend=10.0, end=-150.0, kills=[], death=None, spectate=None, inventory=[]
        ),
        r"matches\[0\]: lies entirely before the VOD starts",
    ),
    (base(owner={"display_name": "X"}), r"owner\.login: required field is missing"),
    (base(matches="none"), r"^matches: expected a list, got a string"),
]


@pytest.mark.parametrize(("script", "message"), BAD, ids=[m for _s, m in BAD])
def test_validation_error_names_the_field(script: dict[str, Any], message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        synth.load_script(script)


def test_overlapping_matches_and_order() -> None:
    d = base()
    d["matches"].append({"start": 105.0, "end": 200.0, "placement": 2})
    with pytest.raises(ScriptError, match=r"matches\[1\]: starts at 105, before matches\[0\] is over at 110"):
        synth.load_script(d)
    d["matches"][1]["start"] = 0.0
    with pytest.raises(ScriptError, match=r"matches\[1\]\.start: 0 is before matches\[0\]"):
        synth.load_script(d)


def test_bad_json_file_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{"matches": [1,]}')
    with pytest.raises(ScriptError, match=r"bad\.json: not valid JSON: .* line 1"):
        synth.load_script(p)
    with pytest.raises(ScriptError, match=r"nope\.json: cannot read the script"):
        synth.load_script(tmp_path / "nope.json")


def test_cli_bad_script_is_one_line_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(with_match(kills=[30.0, 812.0])))
    r = subprocess.run(
        [sys.executable, "-m", "vodstream", "synth", "--script", str(p), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert lines[-1] == "vodstream: error: matches[0].kills[1]: time 812 is after the match end 100"
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o" / "1").exists()


def test_print_script_round_trips(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "vodstream",
            "synth",
            "--preset",
            "test",
            "--seed",
            "4",
            "--out",
            str(tmp_path),
            "--print-script",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert r.returncode == 0, r.stderr
    assert synth.load_script(json.loads(r.stdout)) == synth.preset("test", seed=4)


# ----------------------------------------------------------------------------------------------
# scripts, presets, random scripts
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["test", "demo", "long"])
def test_presets_round_trip(name: str) -> None:
    s = synth.preset(name, seed=3)
    assert s.seed == 3
    assert synth.load_script(s.to_dict()) == s
    assert synth.load_script(json.dumps(s.to_dict())) == s


def test_unknown_preset() -> None:
    with pytest.raises(ScriptError, match="preset: 'huge' is not one of test, demo, demo60, long"):
        synth.preset("huge")


def test_variants_and_frames() -> None:
    s = synth.preset("demo")
    specs = {v.name: v for v in s.variant_specs()}
    assert (specs["chunked"].width, specs["chunked"].height, specs["chunked"].fps) == (1920, 1080, 30)
    assert (specs["480p30"].width, specs["480p30"].height) == (852, 480)
    assert specs["480p30"].display_name == "480p"
    s60 = synth.load_script(
        base(width=1280, height=720, fps=60, variants=["chunked", "720p60", "480p30"], duration=10.01)
    )
    assert [v.display_name for v in s60.variant_specs()] == ["720p60", "720p60", "480p"]
    assert s60.frame_count % 2 == 0  # whole frames for the 30 fps variant too


def test_random_script_is_deterministic_and_has_every_edge_case() -> None:
    a = synth.random_script(11, matches=20)
    assert a == synth.random_script(11, matches=20)
    assert a != synth.random_script(12, matches=20)
    t = synth.truth(a)
    assert len(t["matches"]) == 20
    edges = {e for m in t["matches"] for e in m["edges"]}
    assert {"starts_mid_match", "ends_mid_match", "abandoned", "no_select_legend"} <= edges
    assert {s["type"] for s in t["non_br_spans"]} == {"arenas", "other_game", "black"}
    assert any(m["spectated_kills"] is not None for m in t["matches"])
    assert any(m["placement"] == 1 for m in t["matches"])
    assert len({m["kills"] for m in t["matches"]}) > 3
    for seed in range(30):  # always valid, whatever the draw
        synth.random_script(seed, matches=1 + seed % 7, era="mixed")


# ----------------------------------------------------------------------------------------------
# ground truth
# ----------------------------------------------------------------------------------------------


def test_truth_of_the_test_preset() -> None:
    t = synth.truth(synth.preset("test"))
    assert t["vod_id"] == "2400000002" and t["duration"] == 76.0
    got = [(m["start"], m["end"], m["kills"], m["placement"], m["edges"]) for m in t["matches"]]
    assert got == [
        (0.0, 14.0, 2, 4, ["starts_mid_match"]),  # one kill before the VOD starts still counts
        (23.0, 52.0, 3, 6, []),  # spectated player's 7 kills are not the player's
        (60.0, 76.0, 1, None, ["ends_mid_match"]),
    ]
    assert t["matches"][1]["spectated_kills"] == 7
    assert [m["start_seen"] for m in t["matches"]] == [False, True, True]
    assert [m["end_seen"] for m in t["matches"]] == [True, True, False]


def test_truth_edge_cases() -> None:
    d = base(duration=400.0)
    d["matches"] = [
        # VOD starts on an end screen: no gameplay -> a fragment, not a match
        {"start": -100.0, "end": -2.0, "end_screen": 8.0, "placement": 3},
        # abandoned back to the lobby, no SELECT LEGEND shown
        {"start": 20.0, "select_legend": 0.0, "end": 80.0, "end_kind": "abandoned", "kills": [40.0, 60.0]},
        # 2019 end screen PLACED #2 OF 20 that is cut by the VOD end after it showed
        {"start": 100.0, "end": 200.0, "era": "2019", "placement": 2, "kills": [150.0], "end_screen": 10.0},
        # ends during SELECT LEGEND: a fragment
        {"start": 390.0, "end": 500.0, "placement": 3},
    ]
    d["spans"] = [
        {"type": "other_game", "start": 250.0, "end": 300.0, "game_name": "VALORANT", "game_id": "516575"}
    ]
    s = synth.load_script(d)
    t = synth.truth(s)
    assert [
        (m["index"], m["start"], m["end"], m["kills"], m["placement"], m["end_kind"], m["edges"])
        for m in t["matches"]
    ] == [
        (1, 20.0, 80.0, 2, None, "abandoned", ["no_select_legend", "abandoned"]),
        (2, 100.0, 200.0, 1, 2, "placed", []),
    ]
    assert t["matches"][1]["of"] == 20
    assert [(f["index"], f["shows"]) for f in t["fragments"]] == [(0, "end_screen"), (3, "select_legend")]
    assert chapters(s) == [
        {"start": 0.0, "end": 250.0, "game_id": "511224", "game_name": "Apex Legends"},
        {"start": 250.0, "end": 300.0, "game_id": "516575", "game_name": "VALORANT"},
        {"start": 300.0, "end": 400.0, "game_id": "511224", "game_name": "Apex Legends"},
    ]


@pytest.mark.skipif(not COMPARE.is_file(), reason="../shared/tools/compare_report.py is not present")
def test_truth_works_with_the_compare_tool(tmp_path: Path) -> None:
    """A report equal to the truth passes the shared compare tool; a wrong kill count fails it."""
    t = synth.truth(synth.random_script(5, matches=12))
    (tmp_path / "truth.json").write_text(json.dumps(t))
    best = max(range(len(t["matches"])), key=lambda i: t["matches"][i]["kills"])
    report = {
        "vod_id": t["vod_id"],
        "duration": t["duration"],
        "best": best,
        "matches": [{k: m[k] for k in ("start", "end", "kills", "placement")} for m in t["matches"]],
    }
    (tmp_path / "report.json").write_text(json.dumps(report))
    r = subprocess.run(
        [sys.executable, str(COMPARE), str(tmp_path / "truth.json"), str(tmp_path / "report.json")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 0, r.stdout
    report["matches"][best]["kills"] += 1
    report["matches"][0]["kills"] += 1
    (tmp_path / "report.json").write_text(json.dumps(report))
    r = subprocess.run(
        [sys.executable, str(COMPARE), str(tmp_path / "truth.json"), str(tmp_path / "report.json")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 1


# ----------------------------------------------------------------------------------------------
# timeline semantics
# ----------------------------------------------------------------------------------------------


def test_timeline_screens_and_kills() -> None:
    tl = Timeline(synth.load_script(base(duration=130.0)))
    st = tl.state_at
    assert st(0.0).screen == "lobby_ready" and st(9.9).screen == "lobby_matchmaking"
    assert st(10.0).screen == "select_legend" and st(10.0).countdown == 10 and st(19.5).countdown == 1
    assert st(20.0).screen == "in_match"
    # modern: kill box hidden until the first kill
    assert st(29.9).kills == 0 and not st(29.9).show_kill_box
    assert st(30.0).kills == 1 and st(30.0).show_kill_box
    # red for RED_SECONDS after a change, then white
    assert st(30.0).red and st(30.0 + RED_SECONDS - 0.05).red and not st(30.0 + RED_SECONDS + 0.05).red
    assert st(42.0).inventory_open and not st(46.0).inventory_open
    # death: own count until spectating, then the spectated player's count (no flash on the switch)
    assert st(81.0).kills == 3 and not st(81.0).spectating
    assert st(83.0).spectating and st(83.0).kills == 9 and not st(83.0).red
    assert st(90.5).kills == 10 and st(90.5).red
    e = st(101.0)
    assert e.screen == "end" and e.end_kind == "squad_eliminated" and e.placement == 5 and e.of is None
    assert e.kills == 3 and e.squad_kills is not None and e.squad_kills >= 3
    assert st(110.0).screen == "lobby_ready"


def test_timeline_squads_alive_and_scenes() -> None:
    tl = Timeline(synth.load_script(base()))
    ts = np.arange(20.0, 100.0, 0.5)
    states = [tl.state_at(float(t)) for t in ts]
    squads = [s.squads_left for s in states]
    alive = [s.alive for s in states]
    assert squads[0] == 20 and alive[0] == 60
    assert all(a >= b for a, b in itertools.pairwise(squads))
    assert all(a >= b for a, b in itertools.pairwise(alive))
    assert squads[-1] == 5  # the placement when the squad is eliminated
    assert tl.state_at(101.0).squads_left == 5
    assert len({s.scene_seed for s in states}) >= 3  # the player moves around; spectating elsewhere
    cams = [s.camera_t for s in states]
    assert any(b < a for a, b in itertools.pairwise(cams))  # camera_t restarts per scene
    # menus step camera_t so equal frames repeat
    lob = [tl.state_at(t).camera_t for t in np.arange(0.0, 5.0, 1 / 30)]
    assert all(c % MENU_STEP == 0 for c in lob)


def test_timeline_hud_modes_assists_and_bar_flash() -> None:
    d = base(duration=130.0)
    d["matches"][0].update(hud_mode="ranked", assists=[35.0, 60.0])
    tl = Timeline(synth.load_script(d))
    assert tl.state_at(25.0).hud_mode == "ranked"
    assert [tl.state_at(t).assists for t in (34.0, 36.0, 61.0)] == [0, 1, 2]
    assert tl.state_at(5.0).hud_mode == "trios"  # lobby: no HUD
    # the squads bar flashes on its own after a squad is eliminated, and only then
    states = [tl.state_at(t) for t in np.arange(20.0, 100.0, 0.25)]
    flashes = [s for s in states if s.bar_red]
    assert flashes and len(flashes) < len(states) / 2
    assert all(not s.bar_red for s in states[:4])
    d["matches"][0].update(hud_mode="duos", squads=30, assists=[])
    duos = Timeline(synth.load_script(d))
    assert duos.state_at(20.0).alive == 60 and duos.state_at(20.0).squads_left == 30
    assert duos.state_at(101.0).squads_left == 5
    modes = {m.hud_mode for m in synth.random_script(3, matches=30, era="modern").matches}
    assert modes == {"trios", "duos", "ranked", "elite"}
    assert {m.hud_mode for m in synth.random_script(3, matches=30, hud_modes=("trios",)).matches} == {"trios"}


def test_timeline_2019_arenas_other_black() -> None:
    d = base(era="2019", duration=300.0)
    d["matches"][0].update(kills=[50.0], death=None, spectate=None, placement=2)
    d["spans"] = [
        {
            "type": "arenas",
            "start": 120.0,
            "end": 180.0,
            "select_legend": 12.0,
            "rounds": 4,
            "result": "defeat",
        },
        {"type": "other_game", "start": 190.0, "end": 250.0},
        {"type": "black", "start": 260.0, "end": 265.0},
    ]
    tl = Timeline(synth.load_script(d))
    s = tl.state_at(25.0)
    assert s.era == "2019" and s.show_kill_box and s.kills == 0  # 2019: always shown
    assert tl.state_at(105.0).end_kind == "placed" and tl.state_at(105.0).of == 20
    assert tl.state_at(125.0).screen == "select_legend"  # arenas has a legend pick too
    rounds = [tl.state_at(t).round_no for t in (133.0, 145.0, 157.0, 170.0)]
    assert rounds == [1, 2, 3, 4]
    assert tl.state_at(179.0).arenas_result == "defeat" and tl.state_at(160.0).arenas_result is None
    assert tl.state_at(200.0).screen == "other_game"
    assert tl.state_at(262.0).screen == "black"
    assert tl.state_at(270.0).screen == "lobby_ready"


def test_timeline_is_pure_and_seeded() -> None:
    a, b = Timeline(synth.preset("demo")), Timeline(synth.preset("demo"))
    ts = np.arange(0.0, 226.0, 0.37)
    assert [a.state_at(float(t)) for t in ts] == [b.state_at(float(t)) for t in ts]
    c = Timeline(synth.preset("demo", seed=1))
    assert [a.state_at(float(t)).scene_seed for t in ts] != [c.state_at(float(t)).scene_seed for t in ts]


def test_reuse_key_keeps_what_is_drawn() -> None:
    tl = Timeline(synth.load_script(base()))
    assert reuse_key(tl.state_at(1.0)) == reuse_key(tl.state_at(1.2))  # lobby: same frame
    assert reuse_key(tl.state_at(25.0)) != reuse_key(tl.state_at(25.1))  # in match: camera moves
    assert reuse_key(tl.state_at(7.1)) != reuse_key(tl.state_at(8.1))  # matchmaking timer ticks


# ----------------------------------------------------------------------------------------------
# audio + playlists (text only)
# ----------------------------------------------------------------------------------------------


def test_audio_has_a_cue_per_event() -> None:
    with_kill = synth.load_script(base(duration=60.0))
    d = base(duration=60.0)
    d["matches"][0]["kills"] = [50.0, 70.0]
    without = synth.load_script(d)
    ev = {(e.t, e.kind) for e in Timeline(with_kill).events()}
    assert {(10.0, "match_start"), (30.0, "kill"), (50.0, "kill")} <= ev
    a = np.concatenate(list(AudioSynth(Timeline(with_kill)).blocks()), axis=1)
    b = np.concatenate(list(AudioSynth(Timeline(without)).blocks()), axis=1)
    assert a.shape == (2, 60 * SAMPLE_RATE) and a.dtype == np.float32
    diff = np.abs(a - b).max(axis=0)
    changed = np.flatnonzero(diff > 1e-6) / SAMPLE_RATE
    assert changed.min() >= 30.0 and changed.max() < 30.5  # only the kill cue at 30 s differs
    again = np.concatenate(list(AudioSynth(Timeline(with_kill)).blocks()), axis=1)
    assert np.array_equal(a, again)


def test_playlist_text_and_metadata() -> None:
    s = synth.preset("test")
    media = media_playlist([10.0, 10.0, 3.5], s.created_at)
    for tag in (
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:10",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-TWITCH-ELAPSED-SECS:0.000",
        "#EXT-X-TWITCH-TOTAL-SECS:23.500",
        "#EXTINF:3.500,\n2.ts",
        "#EXT-X-ENDLIST",
    ):
        assert tag in media
    v = [
        {
            "name": "720p",
            "group_id": "chunked",
            "width": 1280,
            "height": 720,
            "fps": 30,
            "bandwidth": 2000000,
            "codecs": "avc1.42C01F,mp4a.40.2",
        }
    ]
    master = master_playlist(v, s.vod_id)
    assert '#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="chunked",NAME="720p",AUTOSELECT=NO,DEFAULT=NO' in master
    assert (
        '#EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS="avc1.42C01F,mp4a.40.2",RESOLUTION=1280x720,'
        'VIDEO="chunked",FRAME-RATE=30.000\nchunked/index-dvr.m3u8'
    ) in master
    meta = vod_metadata(s, v)
    assert meta["owner"] == {"login": "synthstreamer", "display_name": "SynthStreamer"}
    assert meta["chapters"] == [{"start": 0.0, "end": 76.0, "game_id": "511224", "game_name": "Apex Legends"}]
    assert meta["duration"] == 76.0 and meta["sub_only"] is False


def test_cli_fps_the_variants_cannot_take_says_which_variants_and_what_fits(tmp_path: Path) -> None:
    """A random script (or a preset) brings its own variants; --fps 10 cannot feed a 30 fps one.
    The one line says so in the user's terms: which variants, which rates fit."""
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "vodstream",
            "synth",
            "--random-matches",
            "1",
            "--fps",
            "10",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == (
        "vodstream: error: variants[1]: 30 fps must divide the source rate 10 (--fps 10: this "
        "script's variants are chunked, 480p30; give a source rate they divide, e.g. --fps 30 or 60, "
        "or a --script with other variants)"
    )
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()
