"""Ground-truth kill-counter labels for a synthetic VOD, and a VOD to adapt the reader on.

``truth_label(timeline, t)`` is what a careful person labelling the crop at VOD time ``t``
would type on ``vodstream label``'s page: the number the counter shows, or None (unreadable)
where it shows none (no in-match HUD, kill box hidden, inventory open). Tests and
benchmarks drive the labelling page's HTTP API with it.

``adaptation_script`` is a short VOD whose HUD is drawn with a held-out face
(:data:`vodstream.testbed.synth.fonts.UNTRAINED_FONTS`), which the shipped reader reads badly.
"""

from __future__ import annotations

from typing import Any

from vodstream.testbed.synth.fonts import UNTRAINED_FONTS
from vodstream.testbed.synth.script import Script, load_script
from vodstream.testbed.synth.timeline import Timeline

__all__ = ["adaptation_script", "truth_label"]


def truth_label(timeline: Timeline, t: float) -> int | None:
    st = timeline.state_at(t)
    if st.screen != "in_match" or st.inventory_open or not st.show_kill_box:
        return None
    return int(st.kills)


def adaptation_script(
    *,
    seed: int = 3,
    font: str | None = None,
    vod_id: str = "2400000777",
    matches: int = 2,
    match_seconds: float = 95.0,
) -> Script:
    """``matches`` modern-HUD matches of ``match_seconds`` each at 1280x720 30 fps (one rendition,
    no audio), with kill counts reaching 11-13 so every digit shows; the HUD font is held out."""
    font = font or (UNTRAINED_FONTS[0] if UNTRAINED_FONTS else "")
    items: list[dict[str, Any]] = []
    t = 4.0
    for i in range(matches):
        n_kills = 13 - 2 * (i % 2)
        first = t + 12.0
        step = (match_seconds - 22.0) / n_kills
        items.append(
            {
                "start": t,
                "select_legend": 4.0,
                "end": t + match_seconds,
                "end_screen": 5.0,
                "end_kind": "squad_eliminated",
                "placement": 2 + i,
                "squads": 20,
                "kills": [round(first + k * step, 2) for k in range(n_kills)],
                "inventory": [[round(t + 0.45 * match_seconds, 2), round(t + 0.45 * match_seconds + 4.0, 2)]],
            }
        )
        t += match_seconds + 10.0
    return load_script(
        {
            "vod_id": vod_id,
            "title": "held-out HUD style",
            "width": 1280,
            "height": 720,
            "fps": 30,
            "variants": ["chunked"],
            "seed": seed,
            "hud_font": font,
            "x264_preset": "ultrafast",
            "audio": False,
            "duration": t,
            "matches": items,
        }
    )
