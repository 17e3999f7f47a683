"""The digit CNN: shipped weights load and predict in batches; training learns on a tiny set."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.data import build_digit_set, fast_hud_crop, h264_roundtrip, random_case
from models.net import DEFAULT_WEIGHTS, DigitNet, load_model, predict, save_model
from models.train import fit
from vodstream.digits import DIGIT_SIZE
from vodstream.synth.render import render_hud_crop

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def heldout_digits():
    """A few dozen digits from the held-out split (seeds never used in training)."""
    return build_digit_set(40, "test", seed=99, chunk=40, resolutions=((1920, 1080), (1280, 720)))


def test_shipped_weights_are_small_and_load() -> None:
    assert DEFAULT_WEIGHTS.is_file(), "models/digits.pt must ship with the repository"
    assert DEFAULT_WEIGHTS.stat().st_size < 4 * 1024 * 1024
    model = load_model()
    assert isinstance(model, DigitNet) and not model.training
    assert model.n_classes in (10, 11)   # 11: with the 'not a single digit' class


def test_shipped_model_batch_predict_on_rendered_digits(heldout_digits) -> None:
    model = load_model()
    x, y = heldout_digits.x, heldout_digits.y
    assert len(y) >= 40 and x.shape[1:] == (DIGIT_SIZE, DIGIT_SIZE)
    labels, probs = predict(model, x, batch_size=16)   # several batches
    assert probs.shape == (len(y), model.n_classes)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-4)
    assert (labels == y).mean() >= 0.97
    # batching does not change the answer
    labels1, _ = predict(model, x, batch_size=len(x))
    assert np.array_equal(labels, labels1)


def test_training_smoke_reaches_nontrivial_accuracy(tmp_path) -> None:
    res = ((1280, 720),)
    train = build_digit_set(80, "smoke", seed=3, chunk=80, resolutions=res)
    test = build_digit_set(40, "smoke", seed=4, chunk=40, resolutions=res)
    assert len(train.y) >= 100 and len(set(train.y.tolist())) == 10
    model, history = fit(train.x, train.y, epochs=30, batch_size=16, lr=1e-3, seed=0)
    assert history[-1] < history[0]
    acc = float((predict(model, test.x)[0] == test.y).mean())
    assert acc >= 0.6, f"tiny-set accuracy {acc:.2f} (chance is 0.1)"
    path = tmp_path / "tiny.pt"
    save_model(model, path, {"note": "smoke"})
    again = load_model(path)
    assert np.array_equal(predict(again, test.x)[0], predict(model, test.x)[0])


def test_fast_render_matches_the_renderer() -> None:
    rng = np.random.default_rng(5)
    for _ in range(4):
        st = random_case(rng, "test", scene_seed=1_000_123)
        a = fast_hud_crop(st, 1280, 720, seed=1_000_001, hud_font="teko")
        b = render_hud_crop(st, 1280, 720, seed=1_000_001, hud_font="teko")
        assert np.array_equal(a, b)


def test_h264_round_trip_keeps_size_and_content() -> None:
    frames = [np.full((79, 249, 3), 40 * i, np.uint8) for i in range(5)]
    out = h264_roundtrip(frames, crf=20)
    assert len(out) == 5 and all(o.shape == (79, 249, 3) for o in out)
    assert all(abs(float(o.mean()) - 40 * i) < 4 for i, o in enumerate(out))
