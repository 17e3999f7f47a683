"""What a run's outcome was, told truthfully: per VOD and as the exit status.

One owner for: which spans were not analysed and which matches they touch (such a match's
confidence drops, with a note), which matches' kills are unknown or uncertain, the VOD's status
(``complete`` / ``partial`` / ``failed``) with one human line per problem, and the exit status.

Exit status of ``run`` / ``analyze`` (documented in the README and ``--help``):

* 0 (:data:`EXIT_OK`): every VOD fully analysed (and clipped, when asked). Finding no Apex
  match is a complete result: 0, with a message.
* 1 (:data:`EXIT_NOTHING`): nothing analysed -- an error (bad input, unknown VOD, unreachable
  server, a file that is not a video) or every segment failed.
* 2: invalid command line (argparse).
* 3 (:data:`EXIT_PARTIAL`): partial results -- a span not analysed (gap), a VOD that failed
  beside others that did not, a clip that failed, or a match whose kills are unknown/uncertain.
* 70: internal error (a bug); 130: interrupted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vodstream.report.document import hms
from vodstream.types import Gap, Match

__all__ = [
    "EXIT_CODES_HELP",
    "EXIT_NOTHING",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "UNCERTAIN_BELOW",
    "apply_gaps",
    "assess",
    "exit_status",
    "match_span",
]

EXIT_OK = 0
EXIT_NOTHING = 1
EXIT_PARTIAL = 3

EXIT_CODES_HELP = (
    "exit status: 0 every VOD fully analysed (and clipped when asked; also when no match is found), "
    "1 nothing analysed (an error, or every segment failed), 2 invalid command line, "
    "3 partial (spans not analysed, a failed VOD or clip, or kills unknown/uncertain), "
    "70 internal error, 130 interrupted"
)

# A match whose kills_confidence is below this has an uncertain count (a partial result).
UNCERTAIN_BELOW = 0.5
# How much of a match's confidence survives a span inside it that was not analysed (times the
# share of the match that was analysed).
GAP_PENALTY = 0.8


def _hms(seconds: float | None) -> str:
    return hms(seconds)


def match_span(m: Match | Mapping[str, Any], duration: float) -> tuple[float, float]:
    """The VOD-time span a match covers (open ends: its first reading / the VOD's end)."""
    d: Mapping[str, Any] = m.to_json() if isinstance(m, Match) else m
    readings = d.get("readings") or []
    start = d.get("start")
    if start is None:
        start = readings[0][0] if readings else 0.0
    end = d.get("end")
    if end is None:
        end = duration
    return float(start), max(float(start), float(end))


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def apply_gaps(
    matches: Sequence[Match], gaps: Sequence[Gap], duration: float
) -> tuple[list[Match], list[list[int]]]:
    """Copies of ``matches`` with a note per span inside them that was not analysed and their
    confidence lowered; and, per gap, the indices of the matches it touches."""
    touched: list[list[int]] = [[] for _ in gaps]
    out: list[Match] = []
    for i, m in enumerate(matches):
        span = match_span(m, duration)
        length = max(span[1] - span[0], 1e-6)
        lost = 0.0
        notes = list(m.notes)
        for gi, g in enumerate(gaps):
            ov = _overlap(span, (g.start, g.end))
            # a gap touching a match's edge (within a second) may have hidden its start or end
            near = ov > 0 or (g.end >= span[0] - 1.0 and g.start <= span[1] + 1.0)
            if not near:
                continue
            touched[gi].append(i)
            lost += ov
            notes.append(f"not analysed: {_hms(g.start)}-{_hms(g.end)} ({g.reason})")
        if lost > 0 or len(notes) > len(m.notes):
            share = max(0.0, 1.0 - lost / length)
            out.append(
                dataclasses.replace(m, notes=notes, confidence=round(m.confidence * GAP_PENALTY * share, 3))
            )
        else:
            out.append(m)
    return out, touched


def _union(spans: Iterable[tuple[float, float]]) -> float:
    total, cur = 0.0, None
    for a, b in sorted(spans):
        if cur is None or a > cur[1]:
            if cur is not None:
                total += cur[1] - cur[0]
            cur = [a, b]
        else:
            cur[1] = max(cur[1], b)
    if cur is not None:
        total += cur[1] - cur[0]
    return total


def _runs(gaps: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Gaps in time order, touching ones together (one summary line per outage, not per segment)."""
    out: list[list[Mapping[str, Any]]] = []
    for g in sorted(gaps, key=lambda g: (float(g["start"]), float(g["end"]))):
        if out and float(g["start"]) <= max(float(x["end"]) for x in out[-1]) + 1e-6:
            out[-1].append(g)
        else:
            out.append([g])
    return out


def assess(
    report: Mapping[str, Any], *, span: float | None = None, clip_failures: Sequence[str] = ()
) -> dict[str, Any]:
    """The VOD's outcome from its report: ``{"status", "problems", "unanalysed_s",
    "kills_unknown", "kills_uncertain"}``.

    ``span``: VOD seconds that were to be analysed (default: the report's duration less the
    skipped non-Apex spans). ``failed``: nothing of it was analysed; ``partial``: a gap, a failed
    clip, or kills unknown/uncertain; else ``complete``.
    """
    matches = list(report.get("matches") or [])
    gaps = list(report.get("gaps") or [])
    duration = float(report.get("duration") or 0.0)
    if span is None:
        skipped = _union((float(s["start"]), float(s["end"])) for s in report.get("skipped") or [])
        span = max(0.0, duration - skipped)
    problems: list[str] = []
    unanalysed = _union((float(g["start"]), float(g["end"])) for g in gaps)
    for run in _runs(gaps):
        which = sorted({i for g in run for i in g.get("matches") or []})
        touch = f"; touches match {', '.join(map(str, which))}" if which else ""
        why = str(run[0].get("reason"))
        if len(run) > 1:
            why += f"; {len(run) - 1} more span(s)"
        problems.append(f"{_hms(run[0]['start'])}-{_hms(run[-1]['end'])} not analysed ({why}){touch}")
    unknown = [i for i, m in enumerate(matches) if m.get("kills") is None]
    uncertain = [
        i
        for i, m in enumerate(matches)
        if m.get("kills") is not None and float(m.get("kills_confidence", 1.0)) < UNCERTAIN_BELOW
    ]
    for i in unknown:
        problems.append(
            f"kill counter not found in match {i}: {matches[i].get('kills_reason') or 'never read'}"
        )
    for i in uncertain:
        m = matches[i]
        why = m.get("kills_reason") or "readings disagree"
        problems.append(
            f"kills of match {i} uncertain: {why} (confidence {float(m['kills_confidence']):.2f})"
        )
    if unknown and len(unknown) < len(matches):
        problems.append(
            f"best match chosen among matches with a known count; match {', '.join(map(str, unknown))} "
            "not ranked (kills unknown: it may have more)"
        )
    elif unknown:
        problems.append("no best match: no match's kills could be read")
    best = report.get("best")
    if best is not None:
        for i, m in enumerate(matches):
            if i != best and m.get("kills") is not None and m.get("kills_at_least"):
                problems.append(
                    f"match {i} made at least {m['kills']} kills (the counter went unread at its end): "
                    f"it may have more than the best match, {best}"
                )
    problems.extend(clip_failures)
    if span <= 0 and not report.get("skipped"):
        status, note = "failed", "nothing to analyse: the VOD has no segments"
        problems.insert(0, note)
    elif span > 0 and unanalysed >= span - 1e-6:
        status = "failed"
        problems.insert(0, "nothing analysed: every segment failed")
    elif problems:
        status = "partial"
    else:
        status = "complete"
    message = None
    if status != "failed" and not matches:
        message = "no Apex Legends chapter in this VOD" if span <= 0 else "no Apex Legends match found"
    return {
        "status": status,
        "problems": problems,
        "message": message,
        "unanalysed_s": round(unanalysed, 3),
        "kills_unknown": unknown,
        "kills_uncertain": uncertain,
    }


def exit_status(statuses: Sequence[str], failures: int = 0) -> int:
    """The run's exit status from each VOD's status and the number of VODs that could not be
    processed at all (``failures``: resolve errors)."""
    ok = [s for s in statuses if s in ("complete", "partial")]
    if not ok:
        return EXIT_NOTHING
    if failures or any(s != "complete" for s in statuses):
        return EXIT_PARTIAL
    return EXIT_OK
