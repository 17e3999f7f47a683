"""A 2019-era HUD whose kill box a stream overlay covers all along: every match ``kills: null``.

The whole-VOD form of this is ``python benchmarks/accuracy.py --style covered`` (2019 VODs, every
edge case; README's whole-VOD table); this is its cheap form: rendered in-match frames of the
``covered`` style through the real kill reader, their scores through the real tracker.
"""

from __future__ import annotations

import pytest

from vodstream.matches.tracker import MatchTracker
from vodstream.readers.killreader import KillReader
from vodstream.testbed.synth.render import render_hud_crop
from vodstream.testbed.synth.state import FrameState
from vodstream.testbed.synth.styles import style_by_name
from vodstream.types import Marker, Score

SEED = 1_000_021


@pytest.fixture(scope="module")
def reader() -> KillReader:
    import torch

    torch.set_num_threads(1)
    return KillReader()


def test_covered_2019_counter_is_never_a_number(reader: KillReader) -> None:
    w, h = 1280, 720
    scores: list[Score] = []
    t = 0.0
    scores.append(
        Score(vod_time=t, segment_index=0, marker=Marker(kind="select_legend", text="SELECT LEGEND"))
    )
    for i, kills in enumerate((0, 0, 1, 3, 3, 7, 12, 12, 14, 14)):
        t += 2.0
        st = FrameState(
            t=t,
            screen="in_match",
            era="2019",
            kills=kills,
            spectators=i % 3,
            squads_left=18 - i,
            alive=55 - 3 * i,
            scene_seed=1_200_000 + i,
            camera_t=3.0 * i,
            red=i in (2, 5),
        )
        style = style_by_name(f"covered:{i % 3}")
        hud = render_hud_crop(st, w, h, seed=SEED, style=style)
        [r] = reader.read_huds([hud])
        assert r.kills is None, (i, kills, r)  # never a number under the overlay
        scores.append(
            Score(
                vod_time=t,
                segment_index=int(t // 10),
                kills=r.kills,
                red=r.red,
                hud_visible=r.hud_visible,
                confidence=r.confidence,
                kill_box=r.kill_box,
                hud_era=r.hud_era,
            )
        )
    t += 2.0
    end = Marker(kind="end", text="SQUAD ELIMINATED PLACED #9 OF 20", placement=9, of=20, squad_kills=20)
    scores.append(Score(vod_time=t, segment_index=int(t // 10), marker=end))
    tr = MatchTracker()
    tr.update(scores)
    [m] = tr.finish(vod_end=t + 10.0)
    assert m.kills is None and m.kills_source is None
    assert m.kills_reason and "squad total is 20" in m.kills_reason
