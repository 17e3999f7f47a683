"""One settings object: one set of defaults, and a resume fingerprint that covers every model file."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from actors.pipeline import GraphConfig
from models.weights import BOX_WEIGHTS, DEFAULT_WEIGHTS
from vodstream.cli.app import build_parser
from vodstream.cli.commands.run import settings_from_args
from vodstream.cli.runtime import fingerprint
from vodstream.settings import RunSettings
from vodstream.sources.fetch import SegmentFetcher
from vodstream.sources.plan import Plan
from vodstream.sources.twitch import ResolvedVod
from vodstream.store.runstore import RunStore, SegmentResult
from vodstream.types import Score, Segment


def _plan() -> Plan:
    seg = Segment(index=0, start=0.0, duration=10.0, url="http://127.0.0.1/0.ts")
    vod = ResolvedVod(
        vod_id="123",
        title=None,
        owner=None,
        duration=10.0,
        quality="720p30",
        segments=[seg],
        variants=[],
        chapters=[],
        source_url="http://127.0.0.1/index-dvr.m3u8",
    )
    return Plan(input="123", analysis=vod, clip=vod, segments=[seg], skipped=[], key="123")


def test_resume_after_changing_the_scorebox_model_does_not_reuse_stale_scores(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    shutil.copy(DEFAULT_WEIGHTS, model / DEFAULT_WEIGHTS.name)
    shutil.copy(BOX_WEIGHTS, model / BOX_WEIGHTS.name)
    settings = RunSettings(out=tmp_path / "out", model=model, resume=True)
    plan = _plan()
    store = RunStore(tmp_path / "runstore.sqlite")
    try:
        assert store.begin("123", fingerprint(plan, settings), resume=False) == set()
        scores = [Score(vod_time=1.0, segment_index=0, kills=2)]
        store.put_segment("123", SegmentResult(index=0, start=0.0, duration=10.0, scores=scores))
        # the same weights: --resume reuses the stored segment
        assert store.begin("123", fingerprint(plan, settings), resume=True) == {0}
        # a re-trained score-box reader (same file name): the stored scores are stale
        (model / BOX_WEIGHTS.name).write_bytes(BOX_WEIGHTS.read_bytes() + b"\0")
        assert store.begin("123", fingerprint(plan, settings), resume=True) == set()
        store.put_segment("123", SegmentResult(index=0, start=0.0, duration=10.0))
        # and a re-trained digit CNN too
        (model / DEFAULT_WEIGHTS.name).write_bytes(DEFAULT_WEIGHTS.read_bytes() + b"\0")
        assert store.begin("123", fingerprint(plan, settings), resume=True) == set()
    finally:
        store.close()


def test_a_folder_holding_the_shipped_weights_fingerprints_like_the_shipped_models(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    shutil.copy(DEFAULT_WEIGHTS, model / DEFAULT_WEIGHTS.name)  # no scorebox.pt: the shipped one is used
    plan = _plan()
    shipped = fingerprint(plan, RunSettings(out=tmp_path))
    assert fingerprint(plan, RunSettings(out=tmp_path, model=model)) == shipped
    assert fingerprint(plan, RunSettings(out=tmp_path, refine_fps=None)) != shipped
    assert fingerprint(plan, RunSettings(out=tmp_path, top=3, concurrency=2)) == shipped  # not per segment


def test_the_cli_the_api_and_the_actor_graph_share_one_set_of_defaults(tmp_path: Path) -> None:
    args = build_parser().parse_args(["run", "123", "--out", str(tmp_path)])
    from_cli = settings_from_args(args, clip=True)
    api = RunSettings(out=tmp_path)
    assert dataclasses.replace(from_cli, out=api.out) == api
    graph = GraphConfig.from_settings(api)
    assert graph == GraphConfig()  # the graph's own defaults are the run's
    assert graph.scorer_kwargs == {}
    assert GraphConfig.from_settings(RunSettings(out=tmp_path, model=tmp_path)).scorer_kwargs == {
        "model_path": str(tmp_path)
    }
    assert GraphConfig.from_settings(RunSettings(out=tmp_path, ocr_reuse_s=5.0)).ocr_reuse_s == 5.0
    assert SegmentFetcher().concurrency == api.concurrency


def test_default_inflight_keeps_a_two_cpu_stage_pool_busy() -> None:
    """Per VOD, enough segments in flight for two stage actors each scoring a full batch with one more
    segment decoding (with 6 the second actor of a 2-CPU pool waited for work); the total cap holds them."""
    from vodstream.settings import DEFAULT_BATCH_SEGMENTS, DEFAULT_INFLIGHT_PER_VOD, DEFAULT_INFLIGHT_TOTAL

    assert DEFAULT_INFLIGHT_PER_VOD >= 2 * (DEFAULT_BATCH_SEGMENTS + 1)
    assert DEFAULT_INFLIGHT_TOTAL >= DEFAULT_INFLIGHT_PER_VOD
    assert (
        GraphConfig().inflight_per_vod
        == RunSettings(out=Path(".")).inflight_per_vod
        == DEFAULT_INFLIGHT_PER_VOD
    )
