"""The kill-counter networks in numpy (vodstream.readers.cnn) against the torch modules they stand for.

The scorer runs the numpy forward pass so that it never imports torch (issue 16: start-up). It
must read the same weight files to the same numbers and give the same readings: the logits agree
to float32 rounding, and on rendered HUDs every reading (number, reason, flags) is the one the
torch networks give.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.net import BoxNet, DigitNet, load_box_model, load_model, save_model
from models.weights import BOX_WEIGHTS, DEFAULT_WEIGHTS, read_weights
from tests.subproc import python_stdout
from vodstream.readers.cnn import NumpyNet, load_numpy_net, softmax
from vodstream.readers.killreader import KillReader
from vodstream.testbed.synth.render import render_hud_crop
from vodstream.testbed.synth.state import FrameState
from vodstream.types import Sample

ROOT = Path(__file__).resolve().parent.parent
SCENE = 1_234_567  # a test-split scene seed (never used in training)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def _randomised(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Random weights and batch-norm statistics (not the identity a fresh module has)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                r = torch.rand(t.shape, generator=g)
                t.copy_(0.5 + r if name.endswith("running_var") else (r - 0.5) * 0.4)
    return model.eval()


def test_weight_files_read_without_torch_equal_torch_load() -> None:
    for path in (DEFAULT_WEIGHTS, BOX_WEIGHTS):
        ours = read_weights(path)
        ref = torch.load(path, map_location="cpu", weights_only=True)
        assert ours["arch"] == ref["arch"] and ours["meta"] == ref["meta"]
        assert set(ours["state"]) == set(ref["state"])
        for k, v in ref["state"].items():
            want = v.float().numpy() if v.is_floating_point() else v.numpy()
            assert ours["state"][k].dtype == want.dtype and np.array_equal(ours["state"][k], want), k


def test_not_a_weight_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.pt"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a weight file"):
        read_weights(bad)


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda: DigitNet(n_classes=11, filters=8, hidden=16, blocks=1), (9, 1, 25, 25)),
        (lambda: DigitNet(n_classes=11, filters=8, hidden=16, blocks=2), (9, 1, 25, 25)),
        (lambda: BoxNet(filters=8, hidden=16), (9, 3, 24, 36)),
    ],
)
def test_forward_pass_matches_torch(tmp_path: Path, make, shape) -> None:
    """Every architecture save_model writes, through the file: logits equal to float32 rounding."""
    model = _randomised(make(), seed=len(shape) + shape[1])
    save_model(model, tmp_path / "m.pt")
    model = (
        load_model(tmp_path / "m.pt") if isinstance(model, DigitNet) else load_box_model(tmp_path / "m.pt")
    )
    net = load_numpy_net(tmp_path / "m.pt")
    x = np.random.default_rng(5).random(shape, dtype=np.float32)
    with torch.inference_mode():
        want = model(torch.from_numpy(x)).numpy()
    got = net(x)
    assert got.shape == want.shape and got.dtype == np.float32
    assert np.abs(got - want).max() < 1e-4 * max(1.0, float(np.abs(want).max()))
    assert (got.argmax(1) == want.argmax(1)).all()
    # the batch does not change a row beyond float32 rounding (BLAS may block a smaller batch
    # otherwise: on an AMD EPYC's OpenBLAS kernels rows of 3 and of 9 differed in the 7th digit)
    assert np.abs(net(x[:3]) - got[:3]).max() <= 1e-5 * max(1.0, float(np.abs(got).max()))
    with torch.inference_mode():
        p = torch.softmax(torch.from_numpy(want), 1).numpy()
    assert np.abs(softmax(got) - p).max() < 1e-5


def test_shipped_networks_match_torch() -> None:
    rng = np.random.default_rng(7)
    for torch_model, net, shape in [
        (load_model(), load_numpy_net(DEFAULT_WEIGHTS), (40, 1, 25, 25)),
        (load_box_model(), load_numpy_net(BOX_WEIGHTS), (40, 3, 24, 36)),
    ]:
        assert isinstance(net, NumpyNet) and torch_model is not None
        x = rng.random(shape, dtype=np.float32)
        with torch.inference_mode():
            want = torch_model(torch.from_numpy(x)).numpy()
        assert np.abs(net(x) - want).max() < 1e-4


def _sample(state: FrameState, w: int, h: int, i: int) -> Sample:
    hud = render_hud_crop(state, w, h, seed=1_000_003 + i)
    return Sample(
        vod_time=2.0 * i, segment_index=0, frame_size=(w, h), hud=hud, text=np.zeros((2, 2), np.uint8)
    )


def test_readings_on_rendered_huds_are_the_torch_readings() -> None:
    """The shipped reader (numpy) against the same reader on the torch modules: every field but
    the confidence equal, the confidence to rounding."""
    samples = []
    i = 0
    for w, h in [(1920, 1080), (1280, 720)]:
        for kills in (0, 1, 7, 13, 26, 38):
            for era in ("modern", "2019"):
                st = FrameState(
                    t=100.0,
                    screen="in_match",
                    scene_seed=SCENE,
                    camera_t=10.0 + 3.7 * i,
                    squads_left=12,
                    alive=33,
                    kills=kills,
                    era=era,
                    red=i % 5 == 0,
                    show_kill_box=not (era == "modern" and kills == 0),
                )
                samples.append(_sample(st, w, h, i))
                i += 1
    ours = KillReader()
    assert isinstance(ours.model, NumpyNet) and isinstance(ours.box_model, NumpyNet)
    theirs = KillReader(load_model(), box_model=load_box_model())
    got, want = ours.read_batch(samples), theirs.read_batch(samples)
    assert sum(r.kills is not None for r in want) >= len(samples) // 2  # the renders are read
    for a, b in zip(got, want, strict=True):
        assert (a.kills, a.red, a.hud_visible, a.reason, a.kill_box, a.hud_era) == (
            b.kills,
            b.red,
            b.hud_visible,
            b.reason,
            b.kill_box,
            b.hud_era,
        )
        assert a.confidence == pytest.approx(b.confidence, abs=1e-5)
    huds = [s.hud for s in samples]
    got_boxes, want_boxes = ours.read_boxes(huds), theirs.read_boxes(huds)
    assert [b and b[0] for b in got_boxes] == [b and b[0] for b in want_boxes]
    assert [b and round(b[1], 5) for b in got_boxes] == pytest.approx(
        [b and round(b[1], 5) for b in want_boxes], abs=2e-5
    )


def test_scorer_never_imports_torch() -> None:
    """The scorer process: make_scorer and a scored batch load no torch (~1.3 s of CPU, ~250 MB)."""
    code = (
        "import sys, numpy as np\n"
        "from vodstream.readers.scoring import make_scorer\n"
        "from vodstream.types import Sample\n"
        "s = make_scorer()\n"
        "hud = np.zeros((240, 720, 3), np.uint8)\n"
        "s.score_batch([Sample(vod_time=0.0, segment_index=0, frame_size=(1920, 1080), hud=hud,"
        " text=np.zeros((243, 960), np.uint8))])\n"
        "print('torch' in sys.modules)\n"
    )
    out = python_stdout(code)
    assert out.strip().splitlines()[-1] == "False"


def test_weights_numpy_cannot_run_fall_back_to_torch(tmp_path: Path) -> None:
    """A weight file in torch's legacy (non-zip) format: the scorer runs it in torch instead."""
    from vodstream.readers.scoring import make_scorer

    model = load_model()
    blob = {"arch": model.arch(), "state": model.state_dict(), "meta": {}}
    torch.save(blob, tmp_path / "digits.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError):
        read_weights(tmp_path / "digits.pt")
    scorer = make_scorer(model_path=str(tmp_path))
    assert isinstance(scorer.kill_reader.model, DigitNet)  # type: ignore[attr-defined]
    assert isinstance(make_scorer().kill_reader.model, NumpyNet)  # type: ignore[attr-defined]
