"""End to end on Ray: the synthetic test VOD served by the local Twitch-compatible server.

One module-scoped ``ray.init(num_cpus=2)`` is shared by every test here (no xdist). The first
run (two VODs at once) is the reference the fault-injection runs must reproduce exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.raytools import clip_facts, compare, make_library
from vodstream.cli import runtime as pl
from vodstream.media.clip import CLIP_TAIL
from vodstream.readers.scoring import make_scorer
from vodstream.settings import RunSettings

pytestmark = [pytest.mark.ray, pytest.mark.slow]

GOP = 2.0  # the synthetic VOD's keyframe interval
SEGMENT = 10.0  # its segment length


def chatting_span(truth: dict[str, Any]) -> float:
    """A segment boundary after the first match's end and before the second's start: the second
    VOD's chapters say everything before it was "Just Chatting" (so match 0 is not analysed)."""
    first, second = truth["matches"][0], truth["matches"][1]
    boundary = (first["end"] // SEGMENT + 1) * SEGMENT
    assert boundary <= second["start"], "the test VOD's first two matches share a segment"
    return boundary


@pytest.fixture(scope="module")
def library(synth_vod: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("lib")
    truth = json.loads((Path(synth_vod) / "truth.json").read_text())
    # the second copy says (Twitch chapters) that its first seconds were another game
    chatting = chatting_span(truth)
    chapters = [
        {"start": 0.0, "end": chatting, "game_id": "509658", "game_name": "Just Chatting"},
        {"start": chatting, "end": truth["duration"], "game_id": "511224", "game_name": "Apex Legends"},
    ]
    ids = make_library(Path(synth_vod), root, copies=2, chapters={1: chapters})
    truths = {
        ids[0]: truth,
        ids[1]: {**truth, "matches": [m for m in truth["matches"] if m["start"] >= chatting]},
    }
    return {"root": root, "ids": ids, "truth": truth, "truths": truths, "chatting": chatting}


@pytest.fixture(scope="module")
def server(library: dict[str, Any]):
    from vodstream.testbed.server import ServerThread

    with ServerThread(library["root"]) as srv:
        yield srv.base_url


def _settings(tmp: Path, server: str, **kw: Any) -> RunSettings:
    base = {
        "out": tmp / "out",
        "twitch_base": server,
        "data_dir": tmp / "data",
        "progress": False,
        "checkpoint_every": 3,
    }
    base.update(kw)
    return RunSettings(**base)


@pytest.fixture(scope="module")
def first_run(ray_local, server: str, library: dict[str, Any], tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("run")
    outcomes = pl.run_job(library["ids"], _settings(tmp, server))
    return {"tmp": tmp, "outcomes": {o.vod_id: o for o in outcomes}}


def test_two_vods_end_to_end(first_run: dict[str, Any], library: dict[str, Any]) -> None:
    assert sorted(first_run["outcomes"]) == sorted(library["ids"])
    for vod_id, o in first_run["outcomes"].items():
        truth = library["truths"][vod_id]
        rep = json.loads(o.report_json.read_text())
        assert rep["vod_id"] == vod_id
        if vod_id == library["ids"][1]:  # the non-Apex chapter was skipped, never fetched
            chatting = library["chatting"]
            assert rep["skipped"] == [
                {"start": 0.0, "end": chatting, "reason": "not Apex Legends (chapter: Just Chatting)"}
            ]
            assert rep["segments"]["apex"] == rep["segments"]["total"] - int(chatting // SEGMENT)
            assert rep["segments"]["analysed"] == rep["segments"]["apex"]
        got = compare(truth, rep)
        assert got["found"] == got["want"] == len(truth["matches"]) and got["extra"] == 0, got
        assert got["kills_ok"] == got["found"], (got, rep["matches"])
        assert got["bounds_ok"] == got["found"], (got, rep["matches"])
        assert got["best_ok"], got
        assert rep["gaps"] == [] and rep["segments"]["failed"] == 0
        # bounded work on every edge: the caps held (defaults: 10 per VOD, 12 in all, window 40)
        seg = rep["segments"]
        assert (
            1 <= seg["peak_inflight"] <= 10 and seg["peak_inflight_all"] <= 12 and seg["peak_reorder"] <= 40
        )
        # the test VOD is 720p30 (chunked) + 480p30: the default analysis quality is 720p30 = source
        assert (
            rep["settings"]["analyze_quality"] == "chunked" and rep["settings"]["clip_quality"] == "chunked"
        )
        # the clip: decodes, covers the best match, starts within one GOP of its start
        assert rep["clips"] == [f"{vod_id}-match{rep['best']}.mp4"]
        best = rep["matches"][rep["best"]]
        facts = clip_facts(o.out_dir / rep["clips"][0])
        info = rep["clip_info"][0]
        assert facts["audio"] == 1
        assert best["start"] - GOP - 0.01 <= info["start"] <= best["start"] + 0.01
        want = min(best["end"] + CLIP_TAIL, rep["duration"]) - info["start"]
        assert facts["duration"] == pytest.approx(want, abs=GOP)
        html = o.report_html.read_text()
        assert html.count("<svg") == len(rep["matches"]) and rep["clips"][0] in html


def test_top_lists_matches_across_vods(
    first_run: dict[str, Any], library: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from vodstream.cli.app import main
    from vodstream.store.catalog import Catalog

    data = first_run["tmp"] / "data"
    with Catalog(data / "catalog.sqlite") as cat:
        rows = cat.top(10)
    n = sum(len(t["matches"]) for t in library["truths"].values())
    assert len(rows) == n
    assert {r.vod_id for r in rows} == set(library["ids"])
    assert rows[0].kills == max(m["kills"] for m in library["truth"]["matches"]) and rows[0].best
    assert main(["top", "-n", "2", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and out[1].split()[0] == str(rows[0].kills)


def _matches(outcome: Any) -> list[dict[str, Any]]:
    return json.loads(Path(outcome.report_json).read_text())["matches"]


def test_killed_decoder_and_tracker_give_the_same_result(
    ray_local, server: str, library: dict[str, Any], first_run: dict[str, Any], tmp_path: Path
) -> None:
    import ray

    vod_id = library["ids"][0]
    killed: list[str] = []

    def chaos(graph: Any, key: str, event: str, n: int) -> None:
        if event == "analysed":
            chaos.count += n
            if chaos.count >= 3 and not killed:
                ray.kill(graph.decoders[0], no_restart=False)
                killed.append("decoder")
        elif event == "matches" and killed == ["decoder"]:
            chaos.answers += 1  # tracker answers: updates it has applied (state to lose)
            if chaos.answers >= 2:
                ray.kill(graph.trackers[key], no_restart=False)
                killed.append("tracker")

    chaos.count = 0
    chaos.answers = 0
    [o] = pl.run_job([vod_id], _settings(tmp_path, server, clip=False, catalog=False), observer=chaos)
    assert killed == ["decoder", "tracker"]
    rep = o.report
    assert rep["segments"]["tracker_restarts"] >= 1
    assert rep["gaps"] == []
    assert _matches(o) == _matches(first_run["outcomes"][vod_id])


def test_killed_fetcher_and_scorer_give_the_same_result(
    ray_local, server: str, library: dict[str, Any], first_run: dict[str, Any], tmp_path: Path
) -> None:
    """kill -9 of the VOD's fetcher, then of a scorer, mid-run: both restart, nothing is lost."""
    import ray

    vod_id = library["ids"][0]
    killed: list[str] = []

    def chaos(graph: Any, key: str, event: str, n: int) -> None:
        if event != "analysed":
            return
        chaos.count += n
        if chaos.count >= 2 and not killed:
            ray.kill(graph.fetchers[key], no_restart=False)
            killed.append("fetcher")
        elif chaos.count >= 4 and killed == ["fetcher"]:
            ray.kill(graph.scorers[0], no_restart=False)
            killed.append("scorer")

    chaos.count = 0
    [o] = pl.run_job([vod_id], _settings(tmp_path, server, clip=False, catalog=False), observer=chaos)
    assert killed == ["fetcher", "scorer"]
    assert o.report["gaps"] == []
    assert _matches(o) == _matches(first_run["outcomes"][vod_id])


def test_resume_after_an_interrupted_run(
    ray_local, server: str, library: dict[str, Any], first_run: dict[str, Any], tmp_path: Path
) -> None:
    vod_id = library["ids"][1]
    settings = _settings(tmp_path, server, clip=False, catalog=False)

    def interrupt(graph: Any, key: str, event: str, n: int) -> None:
        if event == "matches":  # a tracker answer: one more segment released and stored
            interrupt.count += 1
            if interrupt.count >= 3:
                raise KeyboardInterrupt

    interrupt.count = 0
    with pytest.raises(KeyboardInterrupt):
        pl.run_job([vod_id], settings, observer=interrupt)
    assert not (tmp_path / "out" / vod_id / "report.json").exists()  # nothing half-written
    [o] = pl.run_job([vod_id], RunSettings(**{**settings.__dict__, "resume": True}))
    seg = o.report["segments"]
    assert seg["resumed"] >= 3 and seg["resumed"] + seg["analysed"] == seg["apex"]
    assert _matches(o) == _matches(first_run["outcomes"][vod_id])
    # and a plain re-run (no --resume) analyses everything again
    [o2] = pl.run_job([vod_id], settings)
    assert o2.report["segments"]["resumed"] == 0
    assert _matches(o2) == _matches(o)


def test_clip_command_cuts_another_match(
    first_run: dict[str, Any], server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from vodstream.cli.app import main

    o = next(iter(first_run["outcomes"].values()))
    rep = json.loads(o.report_json.read_text())
    other = next(i for i in range(len(rep["matches"])) if i != rep["best"])
    assert main(["clip", str(o.report_json), "--match", str(other), "--twitch-base", server]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.exists() and clip_facts(path)["frames"] > 0
    rep2 = json.loads(o.report_json.read_text())
    assert path.name in rep2["clips"] and other in rep2["clip_matches"]


def test_ray_path_equals_the_plain_path(
    first_run: dict[str, Any], library: dict[str, Any], synth_vod: Path
) -> None:
    """The actor graph and vodstream.matches.analysis.analyze run the same stages: same matches."""
    from vodstream.matches.analysis import analyze, local_segments
    from vodstream.matches.tracker import MatchTracker
    from vodstream.media.decode import Decoder
    from vodstream.report.assemble import report_dict

    vod_id = library["ids"][0]
    rep = json.loads(first_run["outcomes"][vod_id].report_json.read_text())
    res = analyze(
        local_segments(synth_vod, "chunked"),
        decoder=Decoder(),
        scorer=make_scorer(),
        tracker=MatchTracker(),
        vod_end=rep["duration"],
    )
    plain = report_dict(vod_id, rep["duration"], res)
    assert plain["matches"] == rep["matches"]
    assert plain["best"] == rep["best"]
    assert rep["segments"]["samples"] == res.samples  # keyframes + the dense re-samples


def test_analyze_a_local_m3u8_gives_the_same_matches(
    ray_local,
    first_run: dict[str, Any],
    library: dict[str, Any],
    synth_vod: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Another input kind (a local HLS playlist, no Twitch API) through the CLI's `analyze`."""
    from vodstream.cli.app import main

    rc = main(
        [
            "-q",
            "analyze",
            str(synth_vod / "master.m3u8"),
            "--out",
            str(tmp_path),
            "--no-catalog",
            "--no-progress",
        ]
    )
    assert rc == 0
    rep = json.loads((tmp_path / synth_vod.name / "report.json").read_text())
    assert rep["clips"] == [] and rep["source"].endswith("master.m3u8")
    assert rep["matches"] == _matches(first_run["outcomes"][library["ids"][0]])
    assert "VOD " in capsys.readouterr().out


def test_one_actor_pool_analyses_vods_one_after_another(
    ray_local, first_run: dict[str, Any], library: dict[str, Any], server: str
) -> None:
    """Start once, reuse (issue 16): one graph analyses a VOD, then another in a later call; the
    second reuses the first's fetcher and tracker (reset) and the decoders/scorers, and finds the
    same matches as the reference run."""
    from actors.pipeline import ActorGraph, GraphConfig, VodJob
    from vodstream.matches.analysis import AnalysisResult
    from vodstream.report.assemble import report_dict
    from vodstream.sources.plan import resolve_for_analysis

    graph = ActorGraph(GraphConfig(prestart_vods=1))
    try:
        seen = []
        for vod_id in library["ids"]:
            vod = resolve_for_analysis(vod_id, twitch_base=server)
            job = VodJob(key=vod_id, segments=vod.segments, vod_end=vod.duration)
            res = graph.analyze([job])[vod_id]
            got = AnalysisResult(
                matches=res.matches, gaps=res.gaps, timings={}, ocr_calls=0, ocr_seconds=0.0, samples=0
            )
            want = json.loads(first_run["outcomes"][vod_id].report_json.read_text())
            assert report_dict(vod_id, want["duration"], got)["matches"] == want["matches"]
            seen.append((graph.fetchers[vod_id]._actor_id, graph.trackers[vod_id]._actor_id))
        assert seen[0] == seen[1]  # the same two actors served both VODs
        assert len(graph._idle) == 1  # and are free again
    finally:
        graph.close()


def test_one_pool_of_stage_actors_by_default_split_pools_on_request(
    ray_local, first_run: dict[str, Any], library: dict[str, Any], server: str
) -> None:
    """By default every pool actor decodes and scores (one stage actor per CPU: no core waits on the
    other kind of work); --decoders/--scorers give split pools. Both find the reference matches."""
    import ray

    from actors.pipeline import ActorGraph, GraphConfig, VodJob
    from vodstream.matches.analysis import AnalysisResult
    from vodstream.report.assemble import report_dict
    from vodstream.sources.plan import resolve_for_analysis

    vod_id = library["ids"][0]
    want = json.loads(first_run["outcomes"][vod_id].report_json.read_text())
    vod = resolve_for_analysis(vod_id, twitch_base=server)
    pids = {}
    for name, cfg in (("stage", GraphConfig()), ("split", GraphConfig(decoders=1, scorers=1))):
        graph = ActorGraph(cfg)
        try:
            dec = [pid for _, pid in ray.get([a.where.remote() for a in graph.decoders])]
            sc = [pid for _, pid in ray.get([a.where.remote() for a in graph.scorers])]
            pids[name] = (dec, sc, len(graph.pool))
            res = graph.analyze([VodJob(key=vod_id, segments=vod.segments, vod_end=vod.duration)])[vod_id]
            assert graph.scorer_stats()["samples"] == want["segments"]["samples"]
        finally:
            graph.close()
        got = AnalysisResult(
            matches=res.matches, gaps=res.gaps, timings={}, ocr_calls=0, ocr_seconds=0.0, samples=0
        )
        assert report_dict(vod_id, want["duration"], got)["matches"] == want["matches"], name
    dec, sc, n = pids["stage"]
    assert dec == sc and len(set(dec)) == n == 2  # ray_local has 2 CPUs: two actors doing both
    dec, sc, n = pids["split"]
    assert len(dec) == len(sc) == 1 and dec != sc and n == 2
