"""vodstream label: the crop folder, the labels file, the page's server, the CLI's bad input."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.labelcrops import make_crop_folder
from vodstream.cli.app import main
from vodstream.errors import VodstreamError
from vodstream.labeling.labels import (
    INDEX_NAME,
    LABELS_NAME,
    CropIndex,
    LabelsError,
    find_label_source,
    load_labelled,
    load_labels,
    parse_labels,
    save_labels,
)


@pytest.fixture(scope="module")
def crops(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crops")
    index, truth = make_crop_folder(folder)
    assert len(index.crops) == len(truth)
    return index, truth


def _copy(index: CropIndex, dest: Path) -> CropIndex:
    dest.mkdir(parents=True, exist_ok=True)
    for f in index.folder.iterdir():
        if f.name != LABELS_NAME:
            (dest / f.name).write_bytes(f.read_bytes())
    return CropIndex.load(dest)


def test_index_holds_the_readers_answers_and_lossless_crops(crops):
    from vodstream.readers.killreader import KillReader
    from vodstream.testbed.synth.render import render_hud_crop
    from vodstream.testbed.synth.state import FrameState

    index, truth = crops
    doc = json.loads((index.folder / INDEX_NAME).read_text())
    assert (
        doc["vod_id"] == "2400000999" and len(doc["crops"]) == len(truth) == 29
    )  # the inventory crop is dropped
    assert [c["frame_num"] for c in doc["crops"]] == list(range(29))
    assert all(a["vod_time"] < b["vod_time"] for a, b in zip(doc["crops"], doc["crops"][1:], strict=False))
    # the shipped reader reads the trained face right: the index says what it read
    assert [c.reading for c in index.crops] == truth
    assert all(c.skull is not None for c in index.crops)
    # the PNG is the crop the reader saw, bit for bit
    st = FrameState(
        t=0.0, screen="in_match", era="modern", scene_seed=7, camera_t=0.0, kills=0, squads_left=10, alive=30
    )
    hud = render_hud_crop(st, 1280, 720, seed=3, hud_font="rajdhani-bold")
    png = cv2.cvtColor(cv2.imread(str(index.folder / index.crops[0].crop)), cv2.COLOR_BGR2RGB)
    assert np.array_equal(png, hud)
    r = KillReader().read_huds([png])[0]
    assert (r.kills, round(r.confidence, 4)) == (index.crops[0].reading, index.crops[0].confidence)


def test_labels_file_has_the_2019_shape_plus_vod_time_and_crop(crops, tmp_path):
    index = _copy(crops[0], tmp_path / "c")
    path = save_labels(index, {0: 0, 1: 0, 12: None, 13: 3})
    doc = json.loads(path.read_text())
    assert path == tmp_path / "c" / LABELS_NAME
    assert doc["vod_id"] == "2400000999"
    assert [(x["frame_num"], x["label"]) for x in doc["labels"]] == [(0, 0), (1, 0), (12, None), (13, 3)]
    assert doc["labels"][3] == {
        "frame_num": 13,
        "label": 3,
        "vod_id": "2400000999",
        "vod_time": index.crops[13].vod_time,
        "crop": "000013.png",
    }
    back_index, back = load_labels(path)
    assert back == {0: 0, 1: 0, 12: None, 13: 3} and back_index.vod_id == index.vod_id
    got = load_labelled([path])
    assert [(c.frame_num, c.label) for c in got] == [(0, 0), (1, 0), (12, None), (13, 3)]
    from vodstream.readers.regions import hud_box

    x0, y0, x1, y1 = hud_box(1280, 720)
    assert got[3].hud.shape == (y1 - y0, x1 - x0, 3)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"vod_id": "1234", "labels": []}, "are for VOD 1234, but the crops"),
        ({"labels": [{"frame_num": 0, "label": 1, "vod_id": "77"}]}, "label 0 is for VOD 77"),
        ({"labels": [{"frame_num": 99, "label": 1}]}, "no crop with frame_num 99"),
        ({"labels": [{"frame_num": 1, "label": 100}]}, "want a kill count 0-99 or null"),
        ({"labels": [{"frame_num": 1, "label": "3"}]}, "want a kill count"),
        ({"labels": [{"frame_num": 1, "label": True}]}, "want a kill count"),
        ({"labels": [{"frame_num": 1, "label": 2, "crop": "000002.png"}]}, "frame 1 is crop 000001.png"),
        ({"labels": [{"label": 2}]}, 'needs "frame_num" and "label"'),
        ({"labels": [{"frame_num": 1, "label": 0, "vod_time": 7.0}]}, "labels of another sampling"),
        ({"frames": []}, 'want a JSON object with a "labels" list'),
    ],
)
def test_labels_that_do_not_fit_the_crops_are_refused(crops, doc, message):
    with pytest.raises(LabelsError, match=message):
        parse_labels(doc, crops[0])


def test_what_label_is_given(tmp_path, crops):
    run = tmp_path / "run"
    (run / "2400000123").mkdir(parents=True)
    video = tmp_path / "x.mp4"
    video.write_bytes(b"")
    report = {
        "vod_id": "2400000123",
        "source": str(video),
        "matches": [],
        "settings": {"analyze_quality": "720p30", "model": "/m/reader", "twitch_base": "http://127.0.0.1:9/"},
    }
    (run / "2400000123" / "report.json").write_text(json.dumps(report))
    for arg in (run, run / "2400000123"):
        src = find_label_source(str(arg))
        assert (src.source, src.vod_id, src.quality, src.model, src.twitch_base) == (
            str(video),
            "2400000123",
            "720p30",
            "/m/reader",
            "http://127.0.0.1:9/",  # the server the run fetched from: label samples the VOD there
        )
        assert src.folder == run / "2400000123" / "label"
    assert find_label_source(str(crops[0].folder)).source is None  # a crop folder: reopened
    assert find_label_source("2400000555").folder == Path("label-2400000555")  # a Twitch id
    video.unlink()  # the run's video is gone: said, not a traceback later
    with pytest.raises(VodstreamError, match=r"x\.mp4 is not found from here"):
        find_label_source(str(run))
    (run / "2400000124").mkdir()
    (run / "2400000124" / "report.json").write_text(json.dumps({**report, "vod_id": "2400000124"}))
    with pytest.raises(VodstreamError, match="holds 2 VODs"):
        find_label_source(str(run))
    (tmp_path / "empty").mkdir()
    with pytest.raises(VodstreamError, match="not a run folder"):
        find_label_source(str(tmp_path / "empty"))


# -- the page's server (real aiohttp on 127.0.0.1) -------------------------------------------------


def test_server_serves_the_page_crops_and_saves_labels(crops, tmp_path):
    from aiohttp.test_utils import TestClient, TestServer

    from vodstream.labeling.server import make_app

    index = _copy(crops[0], tmp_path / "c")

    async def go() -> None:
        async with TestClient(TestServer(make_app(index), host="127.0.0.1")) as client:
            r = await client.get("/")
            page = await r.text()
            assert r.status == 200 and "/static/app.js" in page
            assert "http://" not in page and "https://" not in page  # nothing from the internet
            for name in ("app.js", "style.css"):
                r = await client.get(f"/static/{name}")
                body = await r.text()
                assert r.status == 200 and "http://" not in body and "https://" not in body
            r = await client.get("/crops/000003.png")
            assert r.status == 200 and (await r.read())[:4] == b"\x89PNG"
            for bad in ("/crops/index.json", "/crops/..%2Findex.json", "/static/index.html"):
                assert (await client.get(bad)).status == 404
            r = await client.get("/api/crops")
            doc = await r.json()
            assert doc["vod_id"] == index.vod_id and len(doc["crops"]) == 29 and doc["labels"] == []
            assert doc["crops"][4]["reading"] == 1 and doc["crops"][4]["confidence"] > 0.9
            r = await client.put(
                "/api/labels",
                json={
                    "vod_id": index.vod_id,
                    "labels": [{"frame_num": 4, "label": 1}, {"frame_num": 5, "label": None}],
                },
            )
            assert r.status == 200 and (await r.json())["saved"] == 2
            saved = json.loads((index.folder / LABELS_NAME).read_text())
            assert [(x["frame_num"], x["label"], x["crop"]) for x in saved["labels"]] == [
                (4, 1, "000004.png"),
                (5, None, "000005.png"),
            ]
            doc = await (await client.get("/api/crops")).json()
            assert doc["labels"] == [{"frame_num": 4, "label": 1}, {"frame_num": 5, "label": None}]
            # labels for another VOD, or not JSON: refused, and the saved file is kept
            r = await client.put("/api/labels", json={"vod_id": "1", "labels": []})
            assert r.status == 400 and "are for VOD 1" in (await r.json())["error"]
            r = await client.put("/api/labels", data=b"{nope", headers={"Content-Type": "application/json"})
            assert r.status == 400
            assert json.loads((index.folder / LABELS_NAME).read_text()) == saved

    asyncio.run(go())


# -- the CLI's bad input: one line on stderr, nonzero exit --------------------------------------


def _one_line_error(capsys, argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert len(err.splitlines()) == 1 and err.startswith("vodstream: error: "), err
    assert "Traceback" not in err
    return err


def test_label_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x")
    err = _one_line_error(capsys, ["-q", "label", str(tmp_path / "notes"), "--no-serve"])
    assert "not a run folder" in err


def test_label_refuses_a_port_in_use(crops, tmp_path, capsys):
    index = _copy(crops[0], tmp_path / "c")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        err = _one_line_error(capsys, ["-q", "label", str(index.folder), "--port", str(port)])
    assert f"port {port} on 127.0.0.1 is in use" in err


def test_label_refuses_labels_from_another_vod(crops, tmp_path, capsys):
    index = _copy(crops[0], tmp_path / "c")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"vod_id": "2400000001", "labels": [{"frame_num": 0, "label": 0}]}))
    err = _one_line_error(capsys, ["-q", "label", str(index.folder), "--labels", str(other), "--no-serve"])
    assert "for VOD 2400000001" in err and "2400000999" in err
    # a labels.json of another VOD left in the crop folder: the same, before anything is served
    (index.folder / LABELS_NAME).write_text(other.read_text())
    err = _one_line_error(capsys, ["-q", "label", str(index.folder), "--no-serve"])
    assert "for VOD 2400000001" in err
    # and training on it
    err = _one_line_error(capsys, ["-q", "train", "--labels", str(index.folder / LABELS_NAME)])
    assert "for VOD 2400000001" in err


def test_label_reopens_a_crop_folder_with_its_labels(crops, tmp_path, capsys):
    index = _copy(crops[0], tmp_path / "c")
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"vod_id": index.vod_id, "labels": [{"frame_num": 2, "label": 0}]}))
    assert main(["-q", "label", str(index.folder), "--labels", str(start), "--no-serve"]) == 0
    assert "29 crops of VOD 2400000999" in capsys.readouterr().out
    assert load_labels(index.folder / LABELS_NAME)[1] == {2: 0}


# -- --model PATH: a fine-tuned folder travels in the settings ------------------------------------


def test_model_paths(tmp_path, capsys):
    import argparse

    import torch

    from models.net import BOX_WEIGHTS, DEFAULT_WEIGHTS, load_model, reader_weights, save_model
    from vodstream.cli.commands import run as run_cmd
    from vodstream.readers.scoring import make_scorer

    assert reader_weights(None) == (DEFAULT_WEIGHTS, BOX_WEIGHTS)
    folder = tmp_path / "reader"
    folder.mkdir()
    with pytest.raises(FileNotFoundError, match=r"holds no digits\.pt"):
        reader_weights(folder)
    digits = load_model()
    with torch.no_grad():
        digits.classifier[-1].bias.add_(1.0)  # a recognisably different model
    save_model(digits, folder / "digits.pt")
    assert reader_weights(folder) == (folder / "digits.pt", BOX_WEIGHTS)
    assert reader_weights(folder / "digits.pt") == (folder / "digits.pt", BOX_WEIGHTS)
    scorer = make_scorer(model_path=str(folder))
    got = torch.from_numpy(scorer.kill_reader.model.state["classifier.3.bias"])  # the scorer's numpy net
    assert torch.allclose(got, digits.classifier[-1].bias.to(torch.float16).float(), atol=1e-3)
    assert not torch.allclose(got, load_model().classifier[-1].bias)
    parser = argparse.ArgumentParser()
    run_cmd.add_arguments(parser)
    args = parser.parse_args(["x", "--out", str(tmp_path / "o"), "--model", str(tmp_path / "missing")])
    with pytest.raises(VodstreamError, match="--model: no weights at"):
        run_cmd.settings_from_args(args, clip=True)
    args = parser.parse_args(["x", "--out", str(tmp_path / "o"), "--model", str(folder)])
    settings = run_cmd.settings_from_args(args, clip=True)
    assert settings.model == folder.resolve() and settings.model.is_absolute()


def test_label_samples_a_video_file_given_directly(tmp_path, capsys):
    """A local file (not a run): sampled with the project's decoder at its keyframes; only
    samples where the reader sees the in-match HUD or a kill box are kept as crops."""
    from tests.media import encode_file

    video = encode_file(
        tmp_path / "cooking stream.mp4", width=640, height=360, fps=10, seconds=6.0, gop_seconds=2.0
    )
    out = tmp_path / "crops"
    assert main(["-q", "label", str(video), "--out", str(out), "--no-serve"]) == 0
    index = CropIndex.load(out)
    assert len(index.crops) + index.skipped == 3  # keyframes at 0, 2, 4 s
    assert {c.vod_time for c in index.crops} <= {0.0, 2.0, 4.0}
    assert all((out / c.crop).is_file() for c in index.crops)
    assert index.source == str(video) and index.sampling == "keyframes" and index.quality == "file"
    assert f"{len(index.crops)} crops of VOD {index.vod_id}" in capsys.readouterr().out


# -- train --labels -----------------------------------------------------------------------------


def test_split_holds_out_whole_blocks_of_neighbours():
    from types import SimpleNamespace

    from models.finetune import split_labelled

    crops = [SimpleNamespace(vod_id=v, frame_num=i) for v in ("a", "b") for i in range(40)]
    train, held = split_labelled(crops, holdout=0.25, block=8)
    assert len(train) + len(held) == 80 and len(held) == 2 * 8  # per VOD, the 4th block of 8
    assert sorted(c.frame_num for c in held if c.vod_id == "a") == list(range(24, 32))
    key = lambda cs: sorted((c.vod_id, c.frame_num) for c in cs)  # noqa: E731
    assert key(split_labelled(list(reversed(crops)), holdout=0.25, block=8)[1]) == key(
        held
    )  # order does not matter


def test_finetune_writes_a_reader_and_a_card_from_what_it_measured(crops, tmp_path, capsys):
    from models.finetune import FinetuneConfig, run_finetune
    from models.net import load_reader_models

    index = _copy(crops[0], tmp_path / "c")
    truth = crops[1]
    path = save_labels(index, {c.frame_num: truth[c.frame_num] for c in index.crops})
    # too few labels to hold some out: one clear line
    small = tmp_path / "small"
    few = _copy(index, small)
    save_labels(few, {i: truth[i] for i in range(12)})
    err = _one_line_error(capsys, ["-q", "train", "--labels", str(small / LABELS_NAME), "--synthetic", "0"])
    assert "too few labels" in err
    out = tmp_path / "reader"
    meta = run_finetune(
        FinetuneConfig(labels=(path,), out=out, synth_cases=40, check_cases=0, epochs=1, box_epochs=1)
    )
    assert (meta["labelled"], meta["train_labels"], meta["held_out_labels"]) == (29, 24, 5)
    assert meta["held_out"]["before"]["n"] == 5 and meta["held_out"]["before"]["right"] == 5  # a trained face
    assert meta["train_digit_crops"]["labelled"] > 0 and meta["train_windows"]["synthetic"] > 0
    digits, box = load_reader_models(out)
    assert digits.n_classes == 11 and box is not None
    card = (out / "MODEL_CARD.md").read_text()
    after = meta["held_out"]["after"]
    assert f"{after['accuracy'] * 100:.1f}% ({after['right']}/{after['n']})" in card
    assert json.loads((out / "finetune.json").read_text())["seconds"]["total"] == meta["seconds"]["total"]


def test_a_run_folder_is_sampled_from_the_server_the_run_fetched_from(tmp_path, capsys):
    """A run against a Twitch-compatible server records it; `label RUN_DIR` samples the VOD there
    without --twitch-base (it used to go to Twitch itself)."""
    from tests.twitch_helpers import make_vod
    from vodstream.testbed.server import ServerThread

    make_vod(tmp_path / "served", "4100001", n=2, seconds=1.0, audio=False, sizes=((320, 180),))
    with ServerThread(tmp_path / "served") as srv:
        run = tmp_path / "run" / "4100001"
        run.mkdir(parents=True)
        report = {
            "vod_id": "4100001",
            "source": "4100001",
            "matches": [],
            "settings": {"analyze_quality": None, "twitch_base": srv.base_url},
        }
        (run / "report.json").write_text(json.dumps(report))
        assert main(["-q", "label", str(tmp_path / "run"), "--no-serve"]) == 0
        fetched = sum(n for path, n in srv.server.requests.items() if path.endswith(".ts"))
    index = CropIndex.load(run / "label")
    assert index.vod_id == "4100001" and fetched >= 2
    assert "crops of VOD 4100001" in capsys.readouterr().out
