"""HLS playlists as typed records: Twitch usher masters (v1 and v2) and VOD media playlists.

Parsing uses the ``m3u8`` library; the Twitch-specific attributes it drops (``IVS-NAME``,
``IVS-VARIANT-SOURCE``, ``IVS-GROUPS``, ``EXT-X-TWITCH-*``) are read from the raw lines.
Everything here is pure: text in, records out (no network), so recorded real playlists
test it directly (tests/test_hls.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import m3u8

from vodstream.errors import VodstreamError
from vodstream.types import Segment

__all__ = [
    "MAX_PLAYLIST_BYTES",
    "MasterPlaylist",
    "MediaPlaylist",
    "PlaylistError",
    "UnavailableVariant",
    "Variant",
    "is_master",
    "join_url",
    "local_path",
    "parse_attributes",
    "parse_master",
    "parse_media",
    "select_variant",
]


# The most a playlist may weigh: a 48-hour VOD of 2-second segments lists ~90,000 segments
# (~9 MB); anything larger is not a Twitch playlist.
MAX_PLAYLIST_BYTES = 16 * 1024 * 1024
_WEB = ("http", "https")


def join_url(base_url: str, uri: str) -> str:
    """``uri`` (a variant, segment or init URI in a playlist) made absolute against the playlist's
    own URL. A playlist fetched over http(s) may only point to http(s); a local playlist to local
    files or http(s). Anything else (file:, data:, ftp:, ...) is refused: a remote playlist must
    never make vodstream read this machine's files."""
    url = urljoin(base_url, uri) if base_url else uri
    scheme = urlsplit(url).scheme.lower()
    base_scheme = urlsplit(base_url).scheme.lower() if base_url else ""
    allowed = _WEB if base_scheme in _WEB else (*_WEB, "file", "")
    if scheme not in allowed:
        raise PlaylistError(
            f"the playlist points to {uri[:80]!r}: only http(s) URLs are allowed"
            + (" in a playlist served over http(s)" if base_scheme in _WEB else "")
        )
    return url


def local_path(url: str) -> Path:
    """The file a ``file://`` URL (percent-encoded, as ``Path.as_uri`` writes it) or a plain
    local path names. The one place that turns playlist URLs back into paths."""
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else Path(url)


class PlaylistError(VodstreamError):
    """A playlist could not be parsed, or has no usable variant/segment."""


_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


def parse_attributes(line: str) -> dict[str, str]:
    """``#TAG:A=1,B="x,y"`` -> ``{"A": "1", "B": "x,y"}`` (quotes removed)."""
    _, _, rest = line.partition(":")
    return {k: v[1:-1] if v.startswith('"') else v for k, v in _ATTR.findall(rest)}


@dataclass(frozen=True, kw_only=True)
class Variant:
    """One rendition of a VOD, from a master playlist."""

    name: str  # group id: "chunked", "720p60", "480p30", "audio_only" (v2: STABLE-VARIANT-ID)
    label: str  # display name: "1080p60", "480p", "Audio Only"
    url: str  # absolute media playlist URL
    bandwidth: int = 0
    resolution: tuple[int, int] | None = None
    fps: float | None = None
    codecs: str = ""
    source: bool = False  # the unmodified ingest ("chunked")
    audio_only: bool = False
    portrait: bool = False

    @property
    def quality(self) -> str:
        """Normalised "<height>p<fps>" ("1080p60"), or the name for audio-only variants."""
        if self.resolution is None:
            return self.name
        if self.fps:
            fps = round(self.fps)
        else:  # no FRAME-RATE (older masters): the group id says it ("720p60")
            m = re.match(r"^\d+p(\d+)$", self.name) or re.match(r"^\d+p(\d+)$", self.label)
            fps = int(m.group(1)) if m else 30
        return f"{self.resolution[1]}p{fps}"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "label": self.label,
            "quality": self.quality,
            "url": self.url,
            "bandwidth": self.bandwidth,
            "resolution": list(self.resolution) if self.resolution else None,
            "fps": self.fps,
            "codecs": self.codecs,
            "source": self.source,
            "audio_only": self.audio_only,
        }


@dataclass(frozen=True, kw_only=True)
class UnavailableVariant:
    """A variant usher withheld (``com.amazon.ivs.unavailable-media`` session data)."""

    name: str
    group_id: str
    codecs: str = ""
    resolution: str = ""
    reasons: tuple[str, ...] = ()


@dataclass(kw_only=True)
class MasterPlaylist:
    variants: list[Variant]
    usher_version: int  # 1: EXT-X-MEDIA groups; 2: IVS-* attributes
    unavailable: list[UnavailableVariant] = field(default_factory=list)
    twitch_info: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class MediaPlaylist:
    segments: list[Segment]
    target_duration: float | None
    ended: bool  # EXT-X-ENDLIST present (absent: VOD still recording)
    version: int | None = None
    total_seconds: float | None = None  # EXT-X-TWITCH-TOTAL-SECS
    air_date: str | None = None  # ID3-EQUIV-TDTG
    init_url: str | None = None  # first EXT-X-MAP (fMP4)

    @property
    def duration(self) -> float:
        return self.segments[-1].end if self.segments else 0.0


def is_master(text: str) -> bool:
    return "#EXT-X-STREAM-INF" in text


def _check_header(text: str, what: str) -> None:
    if not text.lstrip("\ufeff").lstrip().startswith("#EXTM3U"):
        raise PlaylistError(f"{what} is not an HLS playlist (no #EXTM3U header)")


def _unavailable(value: str) -> list[UnavailableVariant]:
    try:
        items = json.loads(base64.b64decode(value))
    except (binascii.Error, ValueError):
        return []
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        reasons = tuple(item.get("AUTHORIZATION_REASONS") or ()) + tuple(item.get("FILTER_REASONS") or ())
        out.append(
            UnavailableVariant(
                name=str(item.get("NAME", "")),
                group_id=str(item.get("GROUP-ID", "")),
                codecs=str(item.get("CODECS", "")),
                resolution=str(item.get("RESOLUTION", "")),
                reasons=reasons,
            )
        )
    return out


def parse_master(text: str, base_url: str = "") -> MasterPlaylist:
    """Parse a usher master playlist (v1 with EXT-X-MEDIA groups, or v2 with IVS-* attributes)."""
    _check_header(text, "the master playlist")
    try:
        pl = m3u8.loads(text, uri=base_url or None)
    except Exception as err:  # m3u8 raises assorted errors on garbage
        raise PlaylistError(f"cannot parse the master playlist: {err}") from err
    raw_infs = [parse_attributes(line) for line in text.splitlines() if line.startswith("#EXT-X-STREAM-INF")]
    if not pl.playlists or len(raw_infs) != len(pl.playlists):
        raise PlaylistError("the master playlist lists no variants")
    twitch_info: dict[str, str] = {}
    unavailable: list[UnavailableVariant] = []
    for line in text.splitlines():
        if line.startswith("#EXT-X-TWITCH-INFO"):
            twitch_info = parse_attributes(line)
        elif line.startswith("#EXT-X-SESSION-DATA"):
            attrs = parse_attributes(line)
            if attrs.get("DATA-ID") == "com.amazon.ivs.unavailable-media" and "VALUE" in attrs:
                unavailable += _unavailable(attrs["VALUE"])
    v2 = any("IVS-NAME" in a or "STABLE-VARIANT-ID" in a for a in raw_infs)
    variants: list[Variant] = []
    for pl_var, attrs in zip(pl.playlists, raw_infs, strict=True):
        info = pl_var.stream_info
        if pl_var.uri is None:
            raise PlaylistError("a variant of the master playlist has no URI")
        url = join_url(base_url, pl_var.uri)
        media = pl_var.media[0] if pl_var.media else None
        path_group = _path_group(url)
        if media is not None and media.group_id:  # v1: EXT-X-MEDIA GROUP-ID / NAME
            name, label = media.group_id, media.name or media.group_id
        else:  # v2 (or bare HLS)
            name = attrs.get("STABLE-VARIANT-ID") or attrs.get("VIDEO") or path_group or f"v{len(variants)}"
            label = attrs.get("IVS-NAME") or name
        codecs = info.codecs or ""
        audio_only = (
            name == "audio_only"
            or label.lower() == "audio only"
            or (info.resolution is None and codecs != "" and not _has_video_codec(codecs))
        )
        if "IVS-VARIANT-SOURCE" in attrs:
            source = attrs["IVS-VARIANT-SOURCE"] == "source" and not audio_only
        else:
            source = (name == "chunked" or label.lower() == "source") and not audio_only
        source = source or (path_group == "chunked" and not audio_only)
        groups = attrs.get("IVS-GROUPS", "")
        portrait = "portrait" in groups.split(",") and "landscape" not in groups.split(",")
        variants.append(
            Variant(
                name=name,
                label=label,
                url=url,
                bandwidth=int(info.bandwidth or 0),
                resolution=(info.resolution[0], info.resolution[1]) if info.resolution else None,
                fps=float(info.frame_rate) if info.frame_rate else None,
                codecs=codecs,
                source=source,
                audio_only=audio_only,
                portrait=portrait or "-portrait/" in url,
            )
        )
    return MasterPlaylist(
        variants=variants, usher_version=2 if v2 else 1, unavailable=unavailable, twitch_info=twitch_info
    )


def _has_video_codec(codecs: str) -> bool:
    return any(
        c.strip().split(".")[0] in ("avc1", "avc3", "hev1", "hvc1", "av01", "vp09") for c in codecs.split(",")
    )


def _path_group(url: str) -> str | None:
    parts = urlsplit(url).path.split("/")
    return parts[-2] if len(parts) >= 2 and parts[-2] else None


def _float_tag(text: str, tag: str) -> float | None:
    m = re.search(rf"^#{tag}:([0-9.]+)", text, re.MULTILINE)
    return float(m.group(1)) if m else None


def parse_media(text: str, base_url: str = "") -> MediaPlaylist:
    """Parse a media playlist into :class:`~vodstream.types.Segment` records.

    ``index`` is the position in the playlist, ``start`` the sum of the earlier EXTINFs (VOD
    time), ``muted`` marks ``-muted``/``-unmuted`` names, ``init_url`` the segment's EXT-X-MAP.
    """
    _check_header(text, "the media playlist")
    if is_master(text):
        raise PlaylistError("expected a media playlist but got a master playlist")
    try:
        pl = m3u8.loads(text, uri=base_url or None)
    except Exception as err:
        raise PlaylistError(f"cannot parse the media playlist: {err}") from err
    segments: list[Segment] = []
    start = 0.0
    first_init: str | None = None
    for i, seg in enumerate(pl.segments):
        if seg.duration is None or seg.uri is None:
            raise PlaylistError(f"segment {i} has no EXTINF duration or URI")
        url = join_url(base_url, seg.uri)
        init_url = None
        if seg.init_section is not None and seg.init_section.uri:
            init_url = join_url(base_url, seg.init_section.uri)
            first_init = first_init or init_url
        name = urlsplit(seg.uri).path.rsplit("/", 1)[-1]
        muted = bool(re.search(r"-(un)?muted\.", name))
        segments.append(
            Segment(
                index=i,
                start=round(start, 6),
                duration=float(seg.duration),
                url=url,
                muted=muted,
                init_url=init_url,
                discontinuity=bool(seg.discontinuity),
            )
        )
        start += float(seg.duration)
    air = re.search(r"^#ID3-EQUIV-TDTG:(\S+)", text, re.MULTILINE)
    return MediaPlaylist(
        segments=segments,
        target_duration=float(pl.target_duration) if pl.target_duration is not None else None,
        ended=bool(pl.is_endlist),
        version=int(pl.version) if pl.version is not None else None,  # m3u8 parses it as an int
        total_seconds=_float_tag(text, "EXT-X-TWITCH-TOTAL-SECS"),
        air_date=air.group(1) if air else None,
        init_url=first_init,
    )


_QUALITY = re.compile(r"^(\d+)p(\d+)?$")


def select_variant(variants: list[Variant], quality: str = "best") -> Variant:
    """Pick a variant by name.

    ``best`` / ``source`` / ``chunked``: the source rendition (else the highest); ``worst``: the
    lowest video rendition; ``audio_only``; otherwise a group id or label ("720p60", "480p30",
    "480p"), then by resolution: "720p" takes the highest-fps 720p rendition.
    """
    if not variants:
        raise PlaylistError("the master playlist lists no variants")
    q = quality.strip().lower()
    video = [v for v in variants if not v.audio_only and not v.portrait] or [
        v for v in variants if not v.audio_only
    ]

    def rank(v: Variant) -> tuple[int, int, int]:
        return (v.resolution[1] if v.resolution else 0, int(v.quality.partition("p")[2] or 0), v.bandwidth)

    if q in ("best", "source", "chunked"):
        src = [v for v in video if v.source]
        if src:
            return src[0]
        if q == "best" and video:
            return max(video, key=rank)
    elif q == "worst" and video:
        return min(video, key=rank)
    elif q in ("audio", "audio_only", "audio only"):
        audio = [v for v in variants if v.audio_only]
        if audio:
            return audio[0]
    else:
        for v in variants:
            if q in (v.name.lower(), v.label.lower(), v.quality):
                return v
        m = _QUALITY.match(q)
        if m:
            height, fps = int(m.group(1)), m.group(2)
            same = [
                v
                for v in video
                if v.resolution and v.resolution[1] == height and (fps is None or v.quality == q)
            ]
            if same:
                return max(same, key=rank)
    names = ", ".join(v.name if v.name == v.label else f"{v.name} ({v.label})" for v in variants)
    raise PlaylistError(f"quality {quality!r} is not available; this VOD has: {names}")
