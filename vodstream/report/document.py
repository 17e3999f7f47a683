"""Per-VOD reports: ``report.json`` (vod_id, duration, matches, best, clips, gaps, plus timings,
versions, settings)
and ``report.html`` (matches table, a kills-over-time picture per match, end-screen thumbnail).

Both are written atomically (temp name, then ``os.replace``). The HTML is self-contained:
inline SVG charts and base64 JPEG thumbnails, no scripts, no extra dependencies.
"""

from __future__ import annotations

import base64
import html
import json
import os
import platform
import re
import tempfile
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from vodstream import __version__
from vodstream.types import Sample, Score

__all__ = [
    "REPORT_HTML",
    "REPORT_JSON",
    "atomic_write",
    "compare_to_truth",
    "end_screen_thumbs",
    "hms",
    "kills_svg",
    "kills_text",
    "match_thumbnail",
    "render_html",
    "replace_section",
    "section_text",
    "thumbnail_jpeg",
    "versions",
    "write_reports",
]

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode() if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # what open() would give (mkstemp makes it 0600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def replace_section(path: str | Path, section: str, heading: str, begin: str, end: str) -> Path:
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) in place of the old one in
    the document ``path``, or append it under ``heading``; written atomically. The benchmarks and
    the detector's training keep their measured sections of the README and the model card so."""
    path = Path(path)
    text = path.read_text()
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _old, tail = rest.split(end, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n{section}\n"
    return atomic_write(path, text)


def section_text(path: str | Path, begin: str, end: str) -> str:
    """What lies between ``begin`` and ``end`` in the document ``path`` now (what
    :func:`replace_section` would replace); "" where the document or either marker is missing. The
    benchmarks' writers carry the rows of runs this machine has not got from it."""
    path = Path(path)
    text = path.read_text() if path.is_file() else ""
    if begin not in text or end not in text:
        return ""
    return text.split(begin, 1)[1].split(end, 1)[0]


def measured_sections(path: str | Path) -> str:
    """The sections :func:`replace_section` keeps in the document ``path`` (``<!-- NAME:begin -->``
    ... ``<!-- NAME:end -->``, each with its heading right above), as they are, one blank line
    apart; "" where there is no such document. A document rewritten whole (the model card, by a
    retraining) keeps what other runs measured so."""
    path = Path(path)
    if not path.is_file():
        return ""
    found = re.finditer(r"(## [^\n]*\n)?<!-- ([\w-]+):begin -->.*?<!-- \2:end -->", path.read_text(), re.S)
    return "\n\n".join(m.group(0) for m in found)


def _umask() -> int:
    """The process umask, read without changing it (Linux), else the usual 022."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def hms(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = round(float(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def kills_text(m: Mapping[str, Any]) -> str:
    """A match's kills as the summary and the report show them: "?" unknown, "13+" a lower bound
    (the counter went unread at the end of the match), else the count."""
    if m.get("kills") is None:
        return "?"
    return f"{m['kills']}+" if m.get("kills_at_least") else str(m["kills"])


def versions() -> dict[str, str]:
    """Versions of the things that shape a result (for reproducibility)."""
    import importlib.metadata as md

    out = {"vodstream": __version__, "python": platform.python_version()}
    for dist in ("ray", "av", "torch", "opencv-python-headless", "tesserocr", "numpy"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            continue
    return out


def thumbnail_jpeg(image: np.ndarray, *, max_width: int = 360, quality: int = 80) -> bytes:
    """A small JPEG of a crop (luma HxW or RGB HxWx3), for the end-screen thumbnail."""
    import cv2

    img = np.ascontiguousarray(image)
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    h, w = img.shape[:2]
    if w > max_width:
        img = cv2.resize(img, (max_width, max(1, round(h * max_width / w))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - cv2 only fails on empty input
        raise ValueError("could not encode thumbnail")
    return buf.tobytes()


def end_screen_thumbs(
    samples: Sequence[Sample], scores: Sequence[Score], *, limit: int = 2
) -> dict[float, bytes]:
    """Small JPEGs of the marker region where an end screen was read (for report.html)."""
    out: dict[float, bytes] = {}
    for sample, score in zip(samples, scores, strict=False):
        if score.marker is not None and score.marker.kind == "end" and len(out) < limit:
            out[float(sample.vod_time)] = thumbnail_jpeg(sample.text)
    return out


def match_thumbnail(
    match: Mapping[str, Any], thumbs: Mapping[float, bytes], *, slack: float = 30.0
) -> bytes | None:
    """The end-screen thumbnail nearest the match's end (within ``slack`` seconds after it)."""
    end = match.get("end")
    if end is None or not thumbs:
        return None
    near = [t for t in thumbs if end - 1.0 <= t <= end + slack]
    return thumbs[min(near, key=lambda t: abs(t - end))] if near else None


def write_reports(
    report: Mapping[str, Any], out_dir: str | Path, thumbs: Mapping[float, bytes] | None = None
) -> tuple[Path, Path]:
    """Write report.json and report.html into ``out_dir``; returns both paths."""
    out_dir = Path(out_dir)
    j = atomic_write(out_dir / REPORT_JSON, json.dumps(report, indent=2, sort_keys=False) + "\n")
    h = atomic_write(out_dir / REPORT_HTML, render_html(report, thumbs or {}))
    return j, h


# -- HTML --------------------------------------------------------------------------------------


def kills_svg(match: Mapping[str, Any], *, width: int = 520, height: int = 140) -> str:
    """An inline SVG step chart of the kill counter over the match (VOD time on x)."""
    readings = [(float(t), int(k)) for t, k in match.get("readings") or []]
    start = match.get("start")
    end = match.get("end")
    t0 = float(start) if start is not None else (readings[0][0] if readings else 0.0)
    t1 = float(end) if end is not None else (readings[-1][0] if readings else t0 + 1.0)
    if t1 <= t0:
        t1 = t0 + 1.0
    kmax = max([k for _, k in readings] + [int(match.get("kills") or 0), 1])
    pad_l, pad_r, pad_t, pad_b = 34, 10, 10, 22
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b

    def x(t: float) -> float:
        return pad_l + pw * min(1.0, max(0.0, (t - t0) / (t1 - t0)))

    def y(k: float) -> float:
        return pad_t + ph * (1.0 - k / kmax)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="kills over time">',
        f'<rect x="{pad_l}" y="{pad_t}" width="{pw}" height="{ph}" fill="#f6f6f6" stroke="#ccc"/>',
    ]
    for k in sorted({0, kmax // 2, kmax}):
        parts.append(f'<text x="{pad_l - 6}" y="{y(k) + 4:.1f}" font-size="10" text-anchor="end">{k}</text>')
    parts.append(f'<text x="{pad_l}" y="{height - 6}" font-size="10">{hms(t0)}</text>')
    parts.append(
        f'<text x="{width - pad_r}" y="{height - 6}" font-size="10" text-anchor="end">{hms(t1)}</text>'
    )
    if readings:
        pts = [(x(readings[0][0]), y(readings[0][1]))]
        for (_, k_prev), (t, k) in pairwise(readings):
            pts.append((x(t), y(k_prev)))
            pts.append((x(t), y(k)))
        pts.append((x(t1), y(readings[-1][1])))
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#c0392b" stroke-width="2"/>')
        for t, k in readings:
            parts.append(f'<circle cx="{x(t):.1f}" cy="{y(k):.1f}" r="1.5" fill="#922"/>')
    else:
        parts.append(
            f'<text x="{pad_l + pw / 2}" y="{pad_t + ph / 2}" font-size="11" '
            'text-anchor="middle" fill="#888">no kill readings</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#eee}tr.best{background:#fff4d6;font-weight:bold}
.match{margin:1.5em 0;padding:1em;border:1px solid #ddd;border-radius:6px}
.match img{display:block;margin-top:.5em;border:1px solid #999;max-width:360px}
.muted{color:#777}
"""


def render_html(report: Mapping[str, Any], thumbs: Mapping[float, bytes]) -> str:
    e = html.escape
    vod_id = str(report.get("vod_id"))
    matches = list(report.get("matches") or [])
    best = report.get("best")
    clip_of = dict(zip(report.get("clip_matches") or [], report.get("clips") or [], strict=False))
    title = report.get("title") or ""
    who = report.get("streamer") or ""
    out = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>vodstream report: {e(vod_id)}</title><style>{_CSS}</style></head><body>",
        f"<h1>VOD {e(vod_id)}</h1>",
        f"<p>{e(str(title))}{' &middot; ' + e(str(who)) if who else ''} &middot; "
        f"duration {hms(report.get('duration'))} &middot; {len(matches)} match(es)</p>",
    ]
    outcome = report.get("outcome") or {}
    if outcome.get("problems"):
        label = "Nothing analysed" if outcome.get("status") == "failed" else "Partial or uncertain result"
        out.append(
            f"<h2>{label}</h2><ul>" + "".join(f"<li>{e(str(x))}</li>" for x in outcome["problems"]) + "</ul>"
        )
    if not matches:
        out.append("<p class='muted'>No Apex Legends matches found.</p>")
    else:
        out.append(
            "<table><tr><th>#</th><th>start</th><th>end</th><th>length</th><th>kills</th>"
            "<th>placement</th><th>clip</th></tr>"
        )
        for i, m in enumerate(matches):
            length = (
                (m["end"] - m["start"]) if m.get("start") is not None and m.get("end") is not None else None
            )
            place = f"#{m['placement']}" if m.get("placement") else "?"
            if m.get("placement") and m.get("of"):
                place += f" of {m['of']}"
            clip = clip_of.get(i)
            link = f"<a href='{e(clip)}'>{e(clip)}</a>" if clip else ""
            cls = " class='best'" if i == best else ""
            out.append(
                f"<tr{cls}><td>{i}{' &#9733;' if i == best else ''}</td><td>{hms(m.get('start'))}</td>"
                f"<td>{hms(m.get('end'))}</td><td>{hms(length) if length is not None else '?'}</td>"
                f"<td>{kills_text(m)}</td><td>{place}</td>"
                f"<td>{link}</td></tr>"
            )
        out.append("</table>")
        for i, m in enumerate(matches):
            out.append(
                f"<div class='match'><h3>Match {i}{' (best)' if i == best else ''}: "
                f"{hms(m.get('start'))} &ndash; {hms(m.get('end'))}, kills "
                f"{'?' if m.get('kills') is None else m['kills']}</h3>"
            )
            if m.get("kills_reason"):
                out.append(
                    f"<p class='muted'>kills: {e(str(m['kills_reason']))} "
                    f"(confidence {float(m.get('kills_confidence') or 0.0):.2f})</p>"
                )
            if m.get("kills_end_screen") is not None or m.get("squad_kills") is not None:
                own, squad = m.get("kills_end_screen"), m.get("squad_kills")
                verdict = {True: "agrees with the HUD", False: "disagrees with the HUD"}.get(
                    m.get("kills_agree"), ""
                )
                out.append(
                    f"<p class='muted'>end screen: own card {'?' if own is None else own}, "
                    f"squad total {'?' if squad is None else squad} {verdict}</p>"
                )
            out.append(kills_svg(m))
            thumb = match_thumbnail(m, thumbs)
            if thumb:
                b64 = base64.b64encode(thumb).decode()
                out.append(f"<img alt='end screen' src='data:image/jpeg;base64,{b64}'>")
            if m.get("notes"):
                out.append("<p class='muted'>" + e("; ".join(map(str, m["notes"]))) + "</p>")
            out.append("</div>")
    gaps = report.get("gaps") or []
    skipped = report.get("skipped") or []
    if gaps or skipped:
        out.append("<h2>Not analysed</h2><table><tr><th>from</th><th>to</th><th>why</th></tr>")
        for g in [*skipped, *gaps]:
            out.append(
                f"<tr><td>{hms(g.get('start'))}</td><td>{hms(g.get('end'))}</td>"
                f"<td style='text-align:left'>{e(str(g.get('reason')))}</td></tr>"
            )
        out.append("</table>")
    timings = report.get("timings") or {}
    if timings:
        out.append(
            "<h2>Timings</h2><p class='muted'>"
            + ", ".join(f"{e(k)}: {v:.1f} s" for k, v in timings.items())
            + "</p>"
        )
    ver = report.get("versions") or {}
    out.append("<p class='muted'>" + e(" ".join(f"{k} {v}" for k, v in ver.items())) + "</p>")
    out.append("</body></html>\n")
    return "\n".join(out)


def compare_to_truth(truth: Mapping[str, Any], report: Mapping[str, Any], tol: float = 4.0) -> dict[str, Any]:
    """Score a report against a synthetic VOD's truth.json.

    Each truth match is paired with the found match it overlaps most (each found match used
    once); then: boundaries within ``tol`` s, kills exact, placement, and whether ``best`` is right.
    """
    want = list(truth.get("matches") or [])
    got = list(report.get("matches") or [])
    used: set[int] = set()
    pairs = []
    for w in want:
        pick = None
        for i, g in enumerate(got):
            if i in used or g.get("start") is None or g.get("end") is None:
                continue
            overlap = min(w["end"], g["end"]) - max(w["start"], g["start"])
            if overlap > 0 and (pick is None or overlap > pick[1]):
                pick = (i, overlap)
        if pick:
            used.add(pick[0])
            pairs.append((w, got[pick[0]]))
    best_w = max(range(len(want)), key=lambda i: want[i]["kills"]) if want else None
    best_g = report.get("best")
    if best_w is None or best_g is None or not 0 <= best_g < len(got):
        best_ok = best_w is None and best_g is None
    else:
        w, g = want[best_w], got[best_g]
        best_ok = min(w["end"], g["end"]) - max(w["start"], g["start"]) > 0
    placed = [(w, g) for w, g in pairs if w.get("placement") is not None]
    return {
        "want": len(want),
        "found": len(pairs),
        "extra": len(got) - len(pairs),
        "bounds_ok": sum(
            abs(w["start"] - g["start"]) <= tol and abs(w["end"] - g["end"]) <= tol for w, g in pairs
        ),
        "kills_ok": sum(w["kills"] == g.get("kills") for w, g in pairs),
        "placement_ok": sum(w["placement"] == g.get("placement") for w, g in placed),
        "placed": len(placed),
        "max_err": max(
            [max(abs(w["start"] - g["start"]), abs(w["end"] - g["end"])) for w, g in pairs] or [0.0]
        ),
        "best_ok": best_ok,
    }


def truth_line(c: Mapping[str, Any]) -> str:
    """One line summary of :func:`compare_to_truth`."""
    return (
        f"matches {c['found']}/{c['want']} (+{c['extra']} extra), boundaries within 4 s "
        f"{c['bounds_ok']}/{c['found']} (max err {c['max_err']:.1f} s), "
        f"kills exact {c['kills_ok']}/{c['found']}, "
        f"placement {c['placement_ok']}/{c['placed']}, best match {'right' if c['best_ok'] else 'WRONG'}"
    )
