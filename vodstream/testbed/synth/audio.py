"""Game-like sound for a synthetic VOD, with a distinct cue per event.

Beds by phase: lobby music (soft chords), SELECT LEGEND (low pulse + a tick each second), in-match
ambience (wind noise + distant gunfire bursts), end screen drone, other game (speech-like
babble), black (silence). Cues: kill (two rising pings), spectated kill (one soft ping), match start
(rising arpeggio), end screen (low brass chord), death (falling sweep), arenas (bell).

Deterministic for a script: :meth:`AudioSynth.blocks` yields one-second stereo blocks in order.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.signal import lfilter

from vodstream.testbed.synth.timeline import Event, Phase, Timeline, stable_seed

__all__ = ["SAMPLE_RATE", "AudioSynth"]

SAMPLE_RATE = 48_000
_CUE_SECONDS = {
    "kill": 0.35,
    "spectated_kill": 0.2,
    "match_start": 1.6,
    "end_screen": 2.2,
    "death": 0.9,
    "arenas_start": 1.0,
    "arenas_round": 1.0,
    "arenas_result": 1.6,
}


def _env(t: np.ndarray, attack: float, decay: float) -> np.ndarray:
    return np.minimum(t / attack, 1.0) * np.exp(-t / decay)


def _cue(kind: str, t: np.ndarray) -> np.ndarray:
    """The cue's mono waveform at seconds ``t`` after its start (0 <= t < its length)."""
    two_pi = 2 * np.pi
    if kind == "kill":
        f = np.where(t < 0.12, 988.0, 1480.0)
        return 0.45 * np.sin(two_pi * f * t) * _env(t % 0.12 + 1e-4, 0.004, 0.06)
    if kind == "spectated_kill":
        return 0.2 * np.sin(two_pi * 740.0 * t) * _env(t + 1e-4, 0.004, 0.05)
    if kind == "match_start":
        out = np.zeros_like(t)
        for i, freq in enumerate((261.6, 329.6, 392.0, 523.3)):
            tt = t - 0.25 * i
            on = tt >= 0
            out += on * 0.16 * np.sin(two_pi * freq * tt) * _env(np.maximum(tt, 1e-4), 0.01, 0.6)
        return out
    if kind == "end_screen":
        out = np.zeros_like(t)
        for freq in (98.0, 123.5, 146.8):
            for h in (1, 2, 3, 4):
                out += (0.12 / h) * np.sin(two_pi * freq * h * t)
        return out * _env(t + 1e-4, 0.08, 0.9)
    if kind == "death":
        f = 420.0 * np.exp(-t * 1.8)
        phase = two_pi * np.cumsum(f) / SAMPLE_RATE
        return 0.3 * np.sin(phase) * _env(t + 1e-4, 0.01, 0.4)
    # arenas bell
    return 0.25 * (np.sin(two_pi * 660 * t) + 0.5 * np.sin(two_pi * 1650 * t)) * _env(t + 1e-4, 0.005, 0.35)


class AudioSynth:
    """Stereo float32 audio for a timeline, produced in one-second blocks."""

    def __init__(self, timeline: Timeline, rate: int = SAMPLE_RATE) -> None:
        self.tl = timeline
        self.rate = rate
        self.seed = timeline.script.seed
        self.events: list[Event] = timeline.events()
        self.total = round(timeline.duration * rate)
        # wind noise: 1-pole low-pass, state carried across blocks
        self._b, self._a = [0.02], [1.0, -0.98]

    def blocks(self) -> Iterator[np.ndarray]:
        """(2, n) float32 blocks of ``rate`` samples (the last one shorter), in order."""
        zi = np.zeros(1)
        n_blocks = -(-self.total // self.rate)
        for k in range(n_blocks):
            a = k * self.rate
            n = min(self.rate, self.total - a)
            rng = np.random.default_rng(stable_seed(self.seed, "audio", k))
            t = (a + np.arange(n)) / self.rate
            noise = rng.standard_normal(n)
            wind, zi = lfilter(self._b, self._a, noise, zi=zi)
            mono = np.zeros(n)
            left_bias = np.zeros(n)
            for p in self._phases(t[0], t[-1] + 1 / self.rate):
                sel = (t >= p.start) & (t < p.end)
                if not sel.any():
                    continue
                ts = t[sel]
                mono[sel] += self._bed(p, ts, wind[sel], noise[sel], rng, left_bias, sel)
            for e in self._events(t[0], t[-1]):
                length = _CUE_SECONDS[e.kind]
                sel = (t >= e.t) & (t < e.t + length)
                if sel.any():
                    mono[sel] += _cue(e.kind, t[sel] - e.t)
            stereo = np.stack([mono * (1 + 0.3 * left_bias), mono * (1 - 0.3 * left_bias)])
            yield np.clip(stereo, -1.0, 1.0).astype(np.float32)

    def _phases(self, a: float, b: float) -> list[Phase]:
        return [p for p in self.tl.phases if p.end > a and p.start < b]

    def _events(self, a: float, b: float) -> list[Event]:
        return [e for e in self.events if e.t <= b and e.t + _CUE_SECONDS[e.kind] > a]

    def _bed(
        self,
        p: Phase,
        t: np.ndarray,
        wind: np.ndarray,
        noise: np.ndarray,
        rng: np.random.Generator,
        left_bias: np.ndarray,
        sel: np.ndarray,
    ) -> np.ndarray:
        two_pi = 2 * np.pi
        kind = p.kind
        if kind == "black":
            return np.zeros_like(t)
        if kind in ("lobby_ready", "lobby_matchmaking"):
            bar = np.floor(t / 2.0)
            roots = np.array([220.0, 174.6, 196.0, 164.8])[(bar % 4).astype(int)]
            out = sum(np.sin(two_pi * roots * r * t) for r in (1.0, 1.26, 1.5)) * 0.03
            return out * (0.8 + 0.2 * np.sin(two_pi * 0.5 * t))
        if kind in ("select_legend", "arenas_select"):
            tick = np.exp(-(t % 1.0) / 0.015) * np.sin(two_pi * 2000 * t) * 0.12
            return 0.06 * np.sin(two_pi * 55 * t) + tick
        if kind == "end":
            return 0.04 * np.sin(two_pi * 73.4 * t) + 0.02 * np.sin(two_pi * 110 * t)
        if kind == "other_game":
            syll = np.clip(np.sin(two_pi * 3.7 * t) * np.sin(two_pi * 0.9 * t + 1.0), 0, None)
            voice = np.sin(two_pi * (160 + 40 * np.sin(two_pi * 1.3 * t)) * t)
            return 0.12 * syll * voice + 0.01 * noise
        # in_match / arenas: wind + gunfire bursts
        out = 0.8 * wind
        n_bursts = rng.poisson(1.2 if kind == "in_match" else 2.0)
        for _ in range(n_bursts):
            t0 = t[0] + rng.uniform(0, max(1e-3, t[-1] - t[0]))
            shots = rng.integers(1, 6)
            gap = rng.uniform(0.07, 0.14)
            amp = rng.uniform(0.08, 0.3)
            side = rng.uniform(-1, 1)
            for s in range(int(shots)):
                ts = t - (t0 + s * gap)
                on = (ts >= 0) & (ts < 0.09)
                out[on] += amp * noise[on] * np.exp(-ts[on] / 0.02)
                idx = np.flatnonzero(sel)[on]
                left_bias[idx] = side
        return out
