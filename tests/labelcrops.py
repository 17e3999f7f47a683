"""A small crop folder for the labelling tests: rendered HUD crops read by the real kill reader.

Others may import it (``from tests.labelcrops import make_crop_folder``).
"""

from __future__ import annotations

from pathlib import Path

# kill counts of consecutive crops, 2 s apart; None: inventory open (no HUD: not kept)
KILLS: tuple[int | None, ...] = (
    0,
    0,
    0,
    0,
    1,
    1,
    1,
    1,
    1,
    2,
    2,
    2,
    None,
    2,
    3,
    3,
    3,
    3,
    5,
    5,
    5,
    5,
    6,
    6,
    6,
    10,
    10,
    10,
    11,
    11,
)


def make_crop_folder(
    folder: Path,
    *,
    vod_id: str = "2400000999",
    font: str = "rajdhani-bold",
    kills: tuple[int | None, ...] = KILLS,
):
    """Render one HUD crop per entry of ``kills`` (1280x720), write the folder with
    :func:`vodstream.labeling.labels.write_index`; returns (index, true kills per kept crop)."""
    from vodstream.labeling.labels import write_index
    from vodstream.readers.killreader import KillReader
    from vodstream.testbed.synth.render import render_hud_crop
    from vodstream.testbed.synth.state import FrameState

    items, truth = [], []
    for i, k in enumerate(kills):
        st = FrameState(
            t=2.0 * i,
            screen="in_match",
            era="modern",
            scene_seed=7,
            camera_t=2.0 * i,
            kills=k or 0,
            show_kill_box=True,
            inventory_open=k is None,
            squads_left=10,
            alive=30,
        )
        items.append((2.0 * i, render_hud_crop(st, 1280, 720, seed=3, hud_font=font)))
        if k is not None:
            truth.append(k)
    index = write_index(
        folder,
        vod_id=vod_id,
        source="synthetic",
        quality="720p30",
        model=None,
        sampling="keyframes",
        items=items,
        reader=KillReader(),
    )
    return index, truth
