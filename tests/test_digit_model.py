"""The digit CNN: shipped weights load and predict in batches; training learns on a tiny set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.data import (
    BAND,
    FOUND_COUNT,
    FOUND_ELSEWHERE,
    CaseSet,
    box_set_from_cases,
    build_case_set,
    build_digit_set,
    digits_from_cases,
    fast_hud_crop,
    find_skulls,
    h264_roundtrip,
    on_count,
    random_case,
    render_cases,
)
from models.net import DEFAULT_WEIGHTS, DigitNet, load_model, predict, save_model
from models.train import BOX_GLYPH_AUG, fit
from vodstream.readers.digits import DIGIT_SIZE
from vodstream.testbed.synth.render import render_hud_crop

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
    assert model.n_classes in (10, 11)  # 11: with the 'not a single digit' class


def test_shipped_model_batch_predict_on_rendered_digits(heldout_digits) -> None:
    model = load_model()
    x, y = heldout_digits.x, heldout_digits.y
    assert len(y) >= 40 and x.shape[1:] == (DIGIT_SIZE, DIGIT_SIZE)
    labels, probs = predict(model, x, batch_size=16)  # several batches
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


def _bar() -> torch.Tensor:
    """A "1"-like vertical bar, 4 px wide and DIGIT_HEIGHT tall, centred in a 25x25 crop."""
    x = torch.zeros(1, 1, DIGIT_SIZE, DIGIT_SIZE)
    x[0, 0, 3:22, 10:14] = 1.0
    return x


def _mid_width(x: torch.Tensor) -> int:
    return int((x[0, 0, 12] > 0.5).sum())


def test_glyph_shape_augment_changes_stroke_width_slant_and_width() -> None:
    from models.train import GlyphAug, glyph_shape_augment

    x, gen = _bar(), torch.Generator().manual_seed(0)
    still = GlyphAug(p=1.0, shear=0.0, x_scale=(1.0, 1.0), shift=0.0, stroke=0.0, blur_p=0.0)
    assert torch.allclose(glyph_shape_augment(x, gen, still), x, atol=1e-5)
    assert torch.equal(glyph_shape_augment(x, gen, GlyphAug(p=0.0)), x)
    # stroke weight alone: both bolder and lighter strokes, the glyph's place and height kept
    stroke = GlyphAug(p=1.0, shear=0.0, x_scale=(1.0, 1.0), shift=0.0, stroke=0.6, blur_p=0.0)
    widths = {_mid_width(glyph_shape_augment(x, gen, stroke)) for _ in range(60)}
    assert min(widths) < 4 < max(widths), widths
    # slant alone: the top of the bar moves sideways against its bottom
    slant = GlyphAug(p=1.0, shear=0.25, x_scale=(1.0, 1.0), shift=0.0, stroke=0.0, blur_p=0.0)
    offsets = set()
    cols = torch.arange(DIGIT_SIZE, dtype=torch.float32)
    for _ in range(60):
        y = glyph_shape_augment(x, gen, slant)[0, 0]
        top, bot = (float((y[r] * cols).sum() / y[r].sum()) for r in (4, 20))
        offsets.add(round(top - bot))
    assert min(offsets) <= -1 and max(offsets) >= 1, offsets
    # width alone: wider and narrower strokes, height unchanged
    wide = GlyphAug(p=1.0, shear=0.0, x_scale=(0.8, 1.25), shift=0.0, stroke=0.0, blur_p=0.0)
    outs = [glyph_shape_augment(x, gen, wide) for _ in range(60)]
    ink = [float(o.sum()) for o in outs]
    assert min(ink) < 0.9 * float(x.sum()) and max(ink) > 1.1 * float(x.sum())
    assert all(float(o[0, 0, 2].abs().max()) < 1e-6 and float(o[0, 0, 22].abs().max()) < 1e-6 for o in outs)


def test_glyph_shape_augment_redraws_only_a_share_and_trains() -> None:
    from models.train import GlyphAug, glyph_shape_augment

    xb = _bar().repeat(400, 1, 1, 1)
    out = glyph_shape_augment(xb, torch.Generator().manual_seed(1), GlyphAug(p=0.5))
    changed = (out - xb).abs().flatten(1).amax(1) > 1e-4
    assert 0.35 < float(changed.float().mean()) < 0.65
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    rng = np.random.default_rng(0)
    x = rng.random((64, DIGIT_SIZE, DIGIT_SIZE)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    _, history = fit(x, y, epochs=1, batch_size=16, seed=0, glyph_aug=GlyphAug())
    assert len(history) == 1 and np.isfinite(history[0])


def test_resample_augment_loses_detail_on_a_share_and_keeps_the_glyph_in_place() -> None:
    from models.train import ResampleAug, resample_augment

    x = torch.zeros((1, 1, DIGIT_SIZE, DIGIT_SIZE))
    x[0, 0, 3:22, 8:17] = 1.0
    x[0, 0, 6:19, 11:14] = 0.0  # a "0": a ring with a 3 px hole
    xb = x.repeat(400, 1, 1, 1)
    out = resample_augment(xb, torch.Generator().manual_seed(1), ResampleAug(p=0.5))
    changed = (out - xb).abs().flatten(1).amax(1) > 1e-4
    assert 0.35 < float(changed.float().mean()) < 0.65
    assert out.shape == xb.shape and float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    # at 14 px of 25 the ring's edges blur (values between 0 and 1) but stay where they were, the
    # hole still darker than the ring, and nothing far outside the glyph lights up
    y = resample_augment(x, torch.Generator().manual_seed(0), ResampleAug(p=1.0, sides=(14,)))[0, 0]
    assert bool(((y > 0.05) & (y < 0.95)).any())
    assert float(y[12, 12]) < 0.5 * float(y[12, 9])
    assert float(y[:, :5].max()) == 0.0 and float(y[:, 21:].max()) == 0.0
    assert ResampleAug(sides=(14, 20)).describe().startswith("on 40% of each batch: shrunk to 14-20 px")


def test_glyph_shape_augment_zooms_score_box_windows_about_their_left_edge() -> None:
    from models.train import GlyphAug, glyph_shape_augment

    x = torch.full((1, 3, 24, 36), 0.2)
    x[0, :, 2:22, 3:7] = 1.0  # a bar 20 px tall near the window's left edge
    zoom = GlyphAug(
        p=1.0,
        shear=0.0,
        x_scale=(1.0, 1.0),
        shift=0.0,
        stroke=0.0,
        blur_p=0.0,
        zoom=(0.8, 0.8),
        anchor_x=-1.0,
        edge=True,
    )
    y = glyph_shape_augment(x, torch.Generator().manual_seed(0), zoom)
    rows = (y[0, 0] > 0.6).any(1).nonzero().flatten()
    cols = (y[0, 0] > 0.6).any(0).nonzero().flatten()
    assert 14 <= len(rows) <= 17, rows  # 20 px -> 16 px
    assert int(cols.min()) in (2, 3) and int(cols.max()) <= 5, cols  # stays at the left, narrower
    assert float(y[0, :, 0, 30].min()) == pytest.approx(0.2, abs=1e-4)  # the edge repeated, not black
    out = glyph_shape_augment(x.repeat(16, 1, 1, 1), torch.Generator().manual_seed(1), BOX_GLYPH_AUG)
    assert out.shape == (16, 3, 24, 36) and float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_fast_render_matches_the_renderer() -> None:
    rng = np.random.default_rng(5)
    for _ in range(4):
        st = random_case(rng, "test", scene_seed=1_000_123)
        a = fast_hud_crop(st, 1280, 720, seed=1_000_001, hud_font="teko")
        b = render_hud_crop(st, 1280, 720, seed=1_000_001, hud_font="teko")
        assert np.array_equal(a, b)


def test_on_count_takes_runs_on_the_count_and_refuses_other_numbers() -> None:
    count = (300, 40, 320, 56)  # two digits, 16 px high
    assert on_count((301.0, 41.0, 319.0, 55.0), count)
    assert on_count((286.0, 40.0, 330.0, 56.0), count)  # wider: joined to the box's edge
    assert on_count((280.0, 40.0, 294.0, 56.0), count)  # the skull before it (6 px gap)
    assert not on_count((340.0, 40.0, 358.0, 56.0), count)  # the squads count beside it
    assert not on_count((300.0, 70.0, 320.0, 86.0), count)  # the row below (a kill-feed line)
    assert not on_count(None, count) and not on_count((300.0, 40.0, 320.0, 56.0), None)


def test_case_sets_keep_no_label_on_a_box_found_on_another_number() -> None:
    # the first 48 validation-family cases of test-split set 24 at stream quality: in cases 1 and
    # 44 the finder takes the squads count ("16", "14") for the kill count (7 and 23); their digits
    # and windows would carry the kill count's label
    cs = build_case_set(48, "test", 24, quality="stream", style="validation")
    assert cs.found is not None
    flags = cs.found[:, 0]
    assert set(np.flatnonzero(flags == FOUND_ELSEWHERE)) == {1, 44}
    assert (flags == FOUND_COUNT).sum() >= 20
    ds = digits_from_cases(cs)
    bs = box_set_from_cases(cs)
    assert ds.stats["wrong_box"] == 2 and bs.stats["wrong_box"] == 2
    assert len(bs.y) == (flags == FOUND_COUNT).sum()


def test_a_count_a_stream_overlay_covers_is_neither_trained_nor_measured() -> None:
    """Training-family test cases (set 23): a webcam over the kill count (cases 160-169 but 167,
    whose "28" sits clear of it) makes the count no visible digits; a panel whose border touches the
    digits' bottom row (cases 30-39) hides nothing."""
    cases = render_cases(170, "test", 23 * 1000, style="train")
    covered = {i for i, c in enumerate(cases) if c.covered}
    assert covered == {160, 161, 162, 163, 164, 165, 166, 168, 169}
    assert all(cases[i].state.show_kill_box for i in range(30, 40))  # shown, and not covered
    # a covered count's box is neither a digit nor a window example, whatever the finder found
    band = np.zeros((BAND[3] - BAND[1], BAND[2] - BAND[0], 3), np.uint8)
    cs = CaseSet(
        np.stack([band, band]),
        np.array([7, 12]),
        np.array([1080, 1080]),
        ["none", "none"],
        np.array([[FOUND_COUNT, 0, 0], [FOUND_COUNT, 0, 0]], np.int8),
        np.array([True, False]),
    )
    assert find_skulls(cs)[0] is None and find_skulls(cs)[1] is not None
    assert digits_from_cases(cs).stats["covered"] == 1 and box_set_from_cases(cs).stats["covered"] == 1


def test_h264_round_trip_keeps_size_and_content() -> None:
    frames = [np.full((79, 249, 3), 40 * i, np.uint8) for i in range(5)]
    out = h264_roundtrip(frames, crf=20)
    assert len(out) == 5 and all(o.shape == (79, 249, 3) for o in out)
    assert all(abs(float(o.mean()) - 40 * i) < 4 for i, o in enumerate(out))


def test_h264_round_trip_streams_a_generator_and_keeps_only_what_it_is_told() -> None:
    """Frames from a generator, only a crop of each decoded frame kept: the same bytes as the whole
    frames' round trip, cut afterwards (the per-sample benchmark draws its crops so)."""
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 256, (72, 128, 3), np.uint8) for _ in range(6)]
    whole = h264_roundtrip(frames, crf=20, tune=None)
    kept = h264_roundtrip((f for f in frames), crf=20, tune=None, keep=lambda f: f[10:40, 60:].copy())
    assert len(kept) == 6 and all(k.shape == (30, 68, 3) and k.flags.owndata for k in kept)
    assert all(np.array_equal(k, w[10:40, 60:]) for k, w in zip(kept, whole, strict=True))
    assert h264_roundtrip(iter([]), crf=20) == []


def test_score_box_model_trains_and_round_trips(tmp_path) -> None:
    """A few epochs on a tiny set of score-box windows: the loss falls, weights save and load."""
    from models.data import box_labels, box_set_from_cases, build_case_set
    from models.net import BoxNet, load_box_model
    from models.train import fit_box

    assert box_labels(7) == (7, 10) and box_labels(23) == (2, 3)
    with pytest.raises(ValueError):
        box_labels(123)
    cs = build_case_set(48, "smoke", seed=5, chunk=48, resolutions=((1280, 720),))
    bs = box_set_from_cases(cs)
    assert bs.x.shape[1:] == (3, 24, 36) and len(bs.y) >= 40
    model, history = fit_box(bs.x, bs.y, epochs=4, batch_size=16, seed=0)
    assert history[-1] < history[0]
    path = tmp_path / "box.pt"
    save_model(model, path)
    again = load_box_model(path)
    assert isinstance(again, BoxNet)
    with torch.inference_mode():
        a, b = model(torch.from_numpy(bs.x[:8])), again(torch.from_numpy(bs.x[:8]))
    assert torch.allclose(a, b, atol=0.05)  # float16 storage
    with pytest.raises(ValueError, match="digit CNN"):
        load_box_model(DEFAULT_WEIGHTS)
    with pytest.raises(ValueError, match="score-box reader"):
        load_model(path)
    assert load_box_model(tmp_path / "absent.pt") is None


def test_damage_mixes() -> None:
    """ "stream" damages every crop with x264 at crf 18-23; "stress" also JPEGs or leaves some clean."""
    from models.data import degrade, render_cases

    cases = render_cases(120, "smoke", 3, group=120, resolutions=((1280, 720),))
    stream = degrade(cases, np.random.default_rng(0), quality="stream")
    assert len(stream) == len(cases)
    assert all(c.degradation.startswith("h264crf") and 18 <= int(c.degradation[7:]) <= 23 for c in stream)
    stress = {c.degradation[:4] for c in degrade(cases, np.random.default_rng(0), quality="stress")}
    assert stress == {"h264", "jpeg", "none"}
    with pytest.raises(ValueError, match="unknown quality"):
        degrade(cases, np.random.default_rng(0), quality="blurry")


def test_parse_shards() -> None:
    from models.train import parse_shards

    assert parse_shards("7000:1, 9000:3:stream") == ((7000, 1, "stress"), (9000, 3, "stream"))
    assert parse_shards("500") == ((500, 1, "stress"),)
    for bad in ("", "x:1", "0:2", "5:y", "5:1:blurry"):
        with pytest.raises(ValueError):
            parse_shards(bad)


def test_train_and_eval_commands_end_to_end(tmp_path) -> None:
    """`vodstream train` on a tiny set writes both weight files and a card; `eval` reads them back."""
    import subprocess
    import sys

    d, b, card = tmp_path / "d.pt", tmp_path / "b.pt", tmp_path / "CARD.md"
    common = ["--test-sets", "30:77:stream"]
    # a section another benchmark run measured (benchmarks/accuracy.py's) outlives the retraining
    kept = "## Whole VODs\n<!-- vods:begin -->\nwhat that run measured\n<!-- vods:end -->"
    card.write_text("# old card\n\nold figures\n\n" + kept + "\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "vodstream",
            "-q",
            "train",
            "--cases",
            "60:5",
            "--box-cases",
            "60:5",
            *common,
            "--epochs",
            "1",
            "--glyph-aug",
            "--box-glyph-aug",
            "--detector-boxes",
            "--box-epochs",
            "1",
            "--threads",
            "1",
            "--out",
            str(d),
            "--box-out",
            str(b),
            "--card",
            str(card),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert d.is_file() and b.is_file()
    text = card.read_text()
    assert (
        "## Digit CNN" in text
        and "## Score-box reader" in text
        and "60:5 (kill boxes found as the run finds them, the learned detector included)" in text
        and "stream (30 cases, seed 77)" in text
        and "glyph-shape augmentation (what another typeface changes): on 70% of each batch: slant" in text
        and f"glyph-shape augmentation: {BOX_GLYPH_AUG.describe()}" in text
    )
    assert text.rstrip().endswith(kept) and "old figures" not in text
    assert [f.name for f in tmp_path.iterdir() if f.name.startswith("CARD")] == ["CARD.md"]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "vodstream",
            "-q",
            "eval",
            "--weights",
            str(d),
            "--box-weights",
            str(b),
            "--sets",
            "30:77:stream",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "held-out digits" in proc.stdout and "score-box reader" in proc.stdout
    assert "== held-out set stream (30 cases, seed 77) ==" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "vodstream", "train", "--cases", "ten"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "bad training shard" in proc.stderr and "Traceback" not in proc.stderr


def test_model_card_quotes_the_readers_thresholds_and_second_looks(tmp_path: Path) -> None:
    from models.evaluate import evaluate, evaluate_box
    from models.net import BoxNet, DigitNet
    from models.train import HeldOut, reader_defaults, write_model_card
    from vodstream.readers.killreader import KillReader

    rng = np.random.default_rng(0)
    x, y = rng.random((30, DIGIT_SIZE, DIGIT_SIZE)).astype(np.float32), rng.integers(0, 10, 30)
    bx, by = rng.random((30, 3, 24, 36)).astype(np.float32), rng.integers(0, 10, (30, 2))
    held = HeldOut("tiny", evaluate(DigitNet(n_classes=11), x, y), evaluate_box(BoxNet(), bx, by), {"ok": 30})
    card = tmp_path / "card.md"
    meta = {"shards": "10:1", "test_sets": "10:2", "fonts": ["teko"], "resolutions": ["1280x720"]}
    write_model_card(card, {**meta, "seconds_cases": 0.1}, [held], tmp_path / "d.pt", tmp_path / "b.pt")
    text = card.read_text()
    reader = KillReader(use_box=False)
    assert reader_defaults()["box_veto"] == reader.box_veto
    assert f"at least {reader.min_confidence}\nsure, unless" in text
    assert f"at least {reader.box_veto} sure of another number" in text
    assert "raised contrast (gamma " + " and ".join(f"{g:g}" for g in reader.contrast_looks) + ")" in text
