"""Injectable faults for ``vodstream serve --faults SPEC``.

SPEC is a comma-separated list of items (whitespace ignored)::

    NNN:P          answer HTTP NNN (e.g. 500, 502, 503, 429, 404) with probability P
                   (a 429 carries "Retry-After: 1")
    reset:P        close the connection without an answer
    truncate:P     send the headers (full Content-Length) and part of the body, then close
    trickle:P      send the body slowly (16 KiB pieces, 20 ms apart) but completely
    stall:P        send part of the body, then go silent for ``stalltime`` seconds
    latency:T      delay every answer (GQL, usher, playlists, segments) by T: "50ms", "0.05",
                   or a range "20-80ms" (uniform)
    unmuted403     every "-unmuted" segment answers 403 AccessDenied (the CloudFront XML)
    deny=N[+M...]  segment index N (every variant) always answers 403 AccessDenied
    subonly=ID[+ID...]  these VODs are subscriber-only (usher 403 without a valid OAuth token)
    muted=ID:A-B   segments A..B of VOD ID are muted (index-dvr lists N-unmuted.ts,
                   the master points at index-muted-XXXXXXXXXX.m3u8 listing N-muted.ts)
    integrity      GQL answers "failed integrity check" to the web Client-ID
    maxrun:N       one URL fails at most N times in a row (then it is answered normally)
    stalltime:S    how long a stall lasts (default 30)
    scope:segments|all   which requests the probabilistic faults hit: segments and init
                   sections (default), or everything (GQL, usher, playlists too)
    seed:N         seed of the fault dice (default: random)

Example: ``500:0.1,429:0.05,reset:0.05,truncate:0.05,latency:20ms,trickle:0.02,unmuted403``.
At most one probabilistic fault is chosen per request; their probabilities add up.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field

from vodstream.errors import VodstreamError

__all__ = ["Fault", "FaultSpec", "FaultSpecError", "TokenBucket", "parse_rate"]


class FaultSpecError(VodstreamError):
    exit_code = 2


@dataclass(frozen=True)
class Fault:
    kind: str  # "status" | "reset" | "truncate" | "trickle" | "stall"
    status: int = 0


_KINDS = ("reset", "truncate", "trickle", "stall")


def _seconds(text: str) -> float:
    text = text.strip().lower()
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(text.removesuffix("s"))


@dataclass
class FaultSpec:
    rates: list[tuple[Fault, float]] = field(default_factory=list)
    latency: tuple[float, float] = (0.0, 0.0)
    unmuted403: bool = False
    deny: set[int] = field(default_factory=set)
    subonly: set[str] = field(default_factory=set)
    muted: dict[str, set[int]] = field(default_factory=dict)
    integrity: bool = False
    maxrun: int | None = None
    stalltime: float = 30.0
    scope_all: bool = False
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _runs: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, spec: str | None) -> FaultSpec:
        out = cls()
        for raw in (spec or "").split(","):
            item = raw.strip()
            if not item:
                continue
            try:
                out._item(item)
            except (ValueError, IndexError) as err:
                raise FaultSpecError(f"bad --faults item {item!r}: {err}") from None
        total = sum(p for _, p in out.rates)
        if total > 1.0:
            raise FaultSpecError(f"--faults probabilities add up to {total:g} > 1")
        out._rng = random.Random(out.seed)
        return out

    def _item(self, item: str) -> None:
        if item == "unmuted403":
            self.unmuted403 = True
            return
        if item == "integrity":
            self.integrity = True
            return
        if "=" in item:
            key, _, value = item.partition("=")
            key = key.strip()
            if key == "subonly":
                self.subonly |= {v.strip() for v in value.split("+") if v.strip()}
            elif key == "deny":
                self.deny |= {int(v) for v in value.split("+")}
            elif key == "muted":
                vod, _, span = value.partition(":")
                a, _, b = span.partition("-")
                self.muted.setdefault(vod.strip(), set()).update(range(int(a), int(b or a) + 1))
            else:
                raise ValueError(f"unknown key {key!r}")
            return
        key, _, value = item.partition(":")
        key = key.strip().lower()
        if not value:
            raise ValueError("expected NAME:VALUE")
        if key == "latency":
            m = re.fullmatch(r"\s*([0-9.]+)\s*-\s*([0-9.]+)\s*(ms|s)?\s*", value)
            if m:
                unit = m.group(3) or "s"
                self.latency = (_seconds(m.group(1) + unit), _seconds(m.group(2) + unit))
            else:
                t = _seconds(value)
                self.latency = (t, t)
        elif key == "maxrun":
            self.maxrun = int(value)
        elif key == "stalltime":
            self.stalltime = _seconds(value)
        elif key == "seed":
            self.seed = int(value)
        elif key == "scope":
            if value not in ("segments", "all"):
                raise ValueError("scope is 'segments' or 'all'")
            self.scope_all = value == "all"
        else:
            p = float(value)
            if not 0.0 <= p <= 1.0:
                raise ValueError("a probability is between 0 and 1")
            if key.isdigit() and 400 <= int(key) <= 599:
                self.rates.append((Fault("status", int(key)), p))
            elif key in _KINDS:
                self.rates.append((Fault(key), p))
            else:
                raise ValueError(f"unknown fault {key!r}")

    def delay(self) -> float:
        lo, hi = self.latency
        return lo if lo == hi else self._rng.uniform(lo, hi)

    def decide(self, key: str, *, segment: bool) -> Fault | None:
        """Roll the dice for one request; ``key`` identifies the URL for ``maxrun``."""
        if not self.rates or not (segment or self.scope_all):
            return None
        roll = self._rng.random()
        acc = 0.0
        chosen: Fault | None = None
        for fault, p in self.rates:
            acc += p
            if roll < acc:
                chosen = fault
                break
        if chosen is None or chosen.kind == "trickle":
            self._runs.pop(key, None)
            return chosen
        run = self._runs.get(key, 0)
        if self.maxrun is not None and run >= self.maxrun:
            self._runs.pop(key, None)
            return None
        self._runs[key] = run + 1
        return chosen


_RATE_UNITS = {"bit": 1 / 8, "bps": 1 / 8, "b": 1 / 8, "B": 1.0, "Bps": 1.0, "byte": 1.0, "bytes": 1.0}
_PREFIX = {"": 1.0, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "g": 1e9, "G": 1e9}


def parse_rate(text: str) -> float:
    """A link rate -> bytes per second: "100Mbit", "20Mbps", "500kbit", "2.5MB" (bytes), "1Gbit/s"."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([kKmMgG]?)(bit|bps|b|Bps|B|bytes|byte)\s*(/s)?\s*", text or "")
    if not m:
        raise FaultSpecError(f"bad rate {text!r}: expected e.g. 100Mbit, 20Mbps or 2.5MB (bytes per second)")
    rate = float(m.group(1)) * _PREFIX[m.group(2)] * _RATE_UNITS[m.group(3)]
    if rate <= 0:
        raise FaultSpecError(f"bad rate {text!r}: must be above zero")
    return rate


class TokenBucket:
    """One link shared by every connection: ``rate`` bytes per second, ``burst`` bytes of credit.

    ``reserve(n)`` books ``n`` bytes and returns how long the caller must wait before sending
    them. Credit may go negative (a debt paid in arrival order), so callers are served first come,
    first served and the total never exceeds ``rate`` over any window longer than ``burst/rate``.
    Not thread-safe: one event loop owns it.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(65536.0, self.rate * 0.02))
        self._tokens = self.burst
        self._t = time.monotonic()

    def reserve(self, n: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self._tokens = min(self.burst, self._tokens + (now - self._t) * self.rate)
        self._t = now
        self._tokens -= n
        return max(0.0, -self._tokens / self.rate)
