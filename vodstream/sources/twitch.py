"""Twitch VODs over today's protocol: GQL access token + metadata + chapters -> usher -> segments.

One entry point for every kind of VOD input, :func:`resolve_vod`:

- a Twitch VOD id (``2404782496``, ``v2404782496``) or ``twitch.tv/videos/<id>`` URL,
- an HLS ``.m3u8`` URL (master or media playlist), or a local ``.m3u8`` file,
- a local video file (dispatched to :mod:`vodstream.sources.localfile`).

Everything Twitch changes now and then (endpoints, Client-ID, persisted-query hashes, usher path
and auth parameter names) is in :class:`TwitchConfig`, overridable from the environment
(``VODSTREAM_TWITCH_*``) and flags, so the local server (``vodstream serve``) and users
following Twitch's changes need no release. The OAuth token is never logged.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import aiohttp
import structlog

from vodstream.errors import FetchError, TwitchError, VodstreamError
from vodstream.sources.fetch import HTTPStatusError, RetryPolicy, request
from vodstream.sources.hls import (
    MAX_PLAYLIST_BYTES,
    MasterPlaylist,
    MediaPlaylist,
    PlaylistError,
    Variant,
    is_master,
    local_path,
    parse_master,
    parse_media,
    select_variant,
)
from vodstream.sources.localfile import LocalVideo
from vodstream.types import Segment

__all__ = [
    "APEX_GAME_ID",
    "Chapter",
    "ResolvedVod",
    "TwitchClient",
    "TwitchConfig",
    "VideoInfo",
    "VodRef",
    "apex_segments",
    "filter_segments_by_game",
    "parse_vod_input",
    "resolve_vod",
    "segments_in_range",
]

log = structlog.get_logger(__name__)

APEX_GAME_ID = "511224"
"""Apex Legends' Twitch game id."""

GQL_URL = "https://gql.twitch.tv/gql"
USHER_URL = "https://usher.ttvnw.net"
CLIENT_ID = "kimne78kx3ncx6brgo4mv6wki5h1ko"
"""The Twitch web client's id; VOD tokens need no client-integrity token with it."""
FALLBACK_CLIENT_ID = "kd1unb4b3q4t58fwlpcbzcbnm76a8fp"
"""Used after a "failed integrity check" answer (twitch-dl's id since 2023)."""
TOKEN_HASH = "ed230aa1e33e07eebb8928504583da78a5173989fadfb1ac94be06a04f3cdbe9"
METADATA_HASH = "45111672eea2e507f8ba44d101a61862f9c56b11dee09a15634cb75cb9b9084d"
CHAPTERS_HASH = "71835d5ef425e154bf282453a926d99b328cdc5e32f36d3a209d0f4778b41203"
USHER_V1 = "/vod/{id}.m3u8"
USHER_V2 = "/vod/v2/{id}.m3u8"

_ENV = "VODSTREAM_TWITCH_"


@dataclass(frozen=True, kw_only=True)
class TwitchConfig:
    """Endpoints and identifiers; :meth:`from_env` applies ``VODSTREAM_TWITCH_*`` overrides.

    ``VODSTREAM_TWITCH_BASE`` (or ``--twitch-base``) points both GQL (``<base>/gql``) and usher
    (``<base>/vod/...``) at one server, e.g. ``vodstream serve``.
    """

    gql_url: str = GQL_URL
    usher_url: str = USHER_URL
    client_id: str = CLIENT_ID
    fallback_client_id: str | None = FALLBACK_CLIENT_ID
    token_hash: str = TOKEN_HASH
    metadata_hash: str = METADATA_HASH
    chapters_hash: str = CHAPTERS_HASH
    usher_path: str = USHER_V1  # "/vod/{id}.m3u8" (v1) or "/vod/v2/{id}.m3u8" (v2)
    auth_params: str = "sig"  # "sig" (sig/token) or "nauth" (nauthsig/nauth)
    supported_codecs: str = "av1,h265,h264"
    player_type: str = "embed"
    platform: str = "site"
    auth_token: str | None = field(default=None, repr=False)  # OAuth; never logged
    policy: RetryPolicy = field(default_factory=lambda: RetryPolicy(attempts=4))

    @classmethod
    def from_env(
        cls,
        base: str | None = None,
        *,
        auth_token: str | None = None,
        env: dict[str, str] | None = None,
        **overrides: Any,
    ) -> TwitchConfig:
        env = dict(os.environ if env is None else env)
        cfg = cls()
        base = base or env.get(_ENV + "BASE")
        if base:
            base = base.rstrip("/")
            cfg = replace(cfg, gql_url=f"{base}/gql", usher_url=base)
        names = {
            "GQL_URL": "gql_url",
            "USHER_URL": "usher_url",
            "CLIENT_ID": "client_id",
            "TOKEN_HASH": "token_hash",
            "METADATA_HASH": "metadata_hash",
            "CHAPTERS_HASH": "chapters_hash",
            "USHER_PATH": "usher_path",
            "AUTH_PARAMS": "auth_params",
            "SUPPORTED_CODECS": "supported_codecs",
        }
        set_in_env: dict[str, Any] = {attr: env[_ENV + k] for k, attr in names.items() if env.get(_ENV + k)}
        cfg = replace(cfg, **set_in_env)
        token = auth_token or env.get("VODSTREAM_AUTH_TOKEN") or None
        if token:
            cfg = replace(cfg, auth_token=token.removeprefix("OAuth ").strip())
        if cfg.usher_path in ("v1", "1"):
            cfg = replace(cfg, usher_path=USHER_V1)
        elif cfg.usher_path in ("v2", "2"):
            cfg = replace(cfg, usher_path=USHER_V2)
        return replace(cfg, **overrides) if overrides else cfg


# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Chapter:
    """A span of the VOD played in one game (a GAME_CHANGE moment)."""

    start: float
    end: float
    game_id: str | None
    game_name: str

    def to_json(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "game_id": self.game_id, "game_name": self.game_name}


@dataclass(frozen=True, kw_only=True)
class VideoInfo:
    vod_id: str
    title: str | None = None
    owner: str | None = None  # login
    owner_name: str | None = None  # display name
    length: float | None = None  # lengthSeconds
    created_at: str | None = None
    game_id: str | None = None
    game_name: str | None = None
    status: str | None = None  # "RECORDED" / "RECORDING" where known


@dataclass(kw_only=True)
class ResolvedVod:
    """A VOD ready to fetch: its chosen variant's segments plus what we know about it."""

    vod_id: str
    title: str | None
    owner: str | None
    duration: float  # VOD seconds, from the media playlist
    quality: str  # chosen variant's name ("chunked", "480p30", "file")
    segments: list[Segment]
    variants: list[Variant]
    chapters: list[Chapter]
    source_url: str  # the media playlist URL (or the local file)
    kind: str = "twitch"  # "twitch" | "hls" | "file"
    ended: bool = True  # EXT-X-ENDLIST seen
    init_url: str | None = None
    local: Any = None  # vodstream.sources.localfile.LocalVideo for local video files

    def __post_init__(self) -> None:
        # What a server or a file says about a VOD enters here: the id will name folders and
        # files, the title and owner will be printed to terminals and written into reports.
        self.vod_id = _safe_id(self.vod_id)
        self.title = _printable(self.title)
        self.owner = _printable(self.owner)

    def variant(self, quality: str) -> Variant:
        return select_variant(self.variants, quality)

    def to_json(self) -> dict[str, object]:
        return {
            "vod_id": self.vod_id,
            "title": self.title,
            "owner": self.owner,
            "duration": self.duration,
            "quality": self.quality,
            "kind": self.kind,
            "segments": len(self.segments),
            "chapters": [c.to_json() for c in self.chapters],
        }


@dataclass(frozen=True)
class VodRef:
    """A parsed VOD argument."""

    kind: str  # "twitch" | "hls" | "file"
    value: str  # the id, URL, or absolute path


_ID = re.compile(r"^v?(\d{1,20})$")
_TWITCH_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.|player\.)?twitch\.tv/(?:videos/|[^/]+/v(?:ideo)?/)(\d+)"
)


def parse_vod_input(vod: str) -> VodRef:
    """Classify a VOD argument; raises VodstreamError with one clear line when unusable."""
    text = vod.strip()
    if m := _ID.match(text):
        return VodRef("twitch", m.group(1))
    if m := _TWITCH_URL.match(text):
        return VodRef("twitch", m.group(1))
    if "twitch.tv/" in text and "video=" in text:
        m2 = re.search(r"video=v?(\d+)", text)
        if m2:
            return VodRef("twitch", m2.group(1))
    parts = urlsplit(text)
    if parts.scheme in ("http", "https"):
        if parts.path.endswith(".m3u8") or "/vod/" in parts.path:
            return VodRef("hls", text)
        raise VodstreamError(
            f"cannot use VOD {vod!r}: an http URL must be a twitch.tv/videos/ URL or an HLS .m3u8 playlist"
        )
    path = local_path(text).expanduser()
    if path.is_file():
        return VodRef("hls" if path.suffix == ".m3u8" else "file", str(path.resolve()))
    if path.is_dir() and (path / "master.m3u8").is_file():
        return VodRef("hls", str((path / "master.m3u8").resolve()))
    raise VodstreamError(
        f"cannot use VOD {vod!r}: not a Twitch VOD id, twitch.tv/videos/ URL, "
        ".m3u8 URL, or existing video file"
    )


# -- client -----------------------------------------------------------------------------------

_NOT_FOUND = "PersistedQueryNotFound"


class TwitchClient:
    """GQL + usher + CDN playlists. Pass an aiohttp session; it is not closed here."""

    def __init__(self, session: aiohttp.ClientSession, config: TwitchConfig | None = None) -> None:
        self.session = session
        self.config = config or TwitchConfig.from_env()
        self._client_id = self.config.client_id

    # GQL ---------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        h = {"Client-ID": self._client_id, "Content-Type": "text/plain;charset=UTF-8"}
        if self.config.auth_token:
            h["Authorization"] = f"OAuth {self.config.auth_token}"
        return h

    async def gql(self, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST a batch; returns one answer per operation (order kept)."""
        for attempt in (1, 2):
            try:
                resp = await request(
                    self.session,
                    self.config.gql_url,
                    method="POST",
                    data=json.dumps(operations),
                    headers=self._headers(),
                    policy=self.config.policy,
                    accept_statuses=(400, 401, 403),
                    what="GQL",
                )
            except FetchError as err:
                raise TwitchError(f"cannot reach Twitch GQL at {self.config.gql_url}: {err}") from err
            body = _json(resp.body)
            if resp.status == 401:
                msg = body.get("message", "unauthorized") if isinstance(body, dict) else "unauthorized"
                raise TwitchError(f"Twitch rejected the OAuth token given with --auth-token (401: {msg})")
            if resp.status >= 400:
                msg = body.get("message", resp.text()[:200]) if isinstance(body, dict) else resp.text()[:200]
                raise TwitchError(f"Twitch GQL answered HTTP {resp.status}: {msg}")
            answers = body if isinstance(body, list) else [body]
            if len(answers) != len(operations) or not all(isinstance(a, dict) for a in answers):
                raise TwitchError("Twitch GQL sent an answer of unexpected shape")
            if (
                attempt == 1
                and self.config.fallback_client_id
                and any(_has_error(a, "failed integrity check") for a in answers)
            ):
                log.warning("GQL failed integrity check; retrying with the fallback Client-ID")
                self._client_id = self.config.fallback_client_id
                continue
            return answers
        raise TwitchError("Twitch GQL failed its integrity check with both Client-IDs")

    def _persisted(self, name: str, sha: str, variables: dict[str, Any]) -> dict[str, Any]:
        return {
            "operationName": name,
            "variables": variables,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}},
        }

    async def video(self, vod_id: str) -> tuple[dict[str, Any] | None, VideoInfo | None, list[Chapter]]:
        """One batched GQL call: (access token, metadata, chapters). Falls back to raw queries
        for any operation whose persisted hash Twitch no longer knows."""
        cfg = self.config
        ops = [
            self._persisted(
                "PlaybackAccessToken",
                cfg.token_hash,
                {
                    "isLive": False,
                    "login": "",
                    "isVod": True,
                    "vodID": vod_id,
                    "playerType": cfg.player_type,
                    "platform": cfg.platform,
                },
            ),
            self._persisted("VideoMetadata", cfg.metadata_hash, {"channelLogin": "", "videoID": vod_id}),
            self._persisted(
                "VideoPlayer_ChapterSelectButtonVideo",
                cfg.chapters_hash,
                {"includePrivate": False, "videoID": vod_id},
            ),
        ]
        answers = await self.gql(ops)
        raw = {0: _raw_token_query(vod_id), 1: _raw_video_query(vod_id), 2: _raw_chapters_query(vod_id)}
        redo = [i for i, a in enumerate(answers) if _has_error(a, _NOT_FOUND)]
        if redo:
            log.info(
                "persisted GQL query unknown, using raw queries",
                operations=[ops[i]["operationName"] for i in redo],
            )
            again = await self.gql([{"query": raw[i], "variables": {}} for i in redo])
            for i, a in zip(redo, again, strict=True):
                answers[i] = a
        token = (answers[0].get("data") or {}).get("videoPlaybackAccessToken")
        if token is None and _errors(answers[0]):
            raise TwitchError(
                f"Twitch GQL refused the access token for VOD {vod_id}: {_errors(answers[0])[0]}"
            )
        info = _video_info(vod_id, answers[1])
        length = info.length if info else None
        chapters = _chapters(answers[2], info, length)
        return token, info, chapters

    # usher ---------------------------------------------------------------------------------

    def usher_url(self, vod_id: str, token: dict[str, Any]) -> str:
        cfg = self.config
        sig_key, tok_key = ("nauthsig", "nauth") if cfg.auth_params == "nauth" else ("sig", "token")
        params = {
            sig_key: token["signature"],
            tok_key: token["value"],
            "allow_source": "true",
            "allow_audio_only": "true",
            "include_unavailable": "true",
            "playlist_include_framerate": "true",
            "player_backend": "mediaplayer",
            "platform": "web",
            "supported_codecs": cfg.supported_codecs,
            "p": str(random.randint(1_000_000, 9_999_999)),
        }
        return cfg.usher_url.rstrip("/") + cfg.usher_path.format(id=quote(vod_id)) + "?" + urlencode(params)

    async def master_playlist(self, vod_id: str, token: dict[str, Any]) -> MasterPlaylist:
        url = self.usher_url(vod_id, token)
        try:
            resp = await request(
                self.session,
                url,
                policy=self.config.policy,
                max_bytes=MAX_PLAYLIST_BYTES,
                accept_statuses=(400, 401, 403, 404, 410),
                what="usher",
            )
        except FetchError as err:
            raise TwitchError(f"cannot reach Twitch usher at {self.config.usher_url}: {err}") from err
        if resp.status >= 400:
            raise TwitchError(_usher_error(vod_id, resp.status, resp.body, token))
        try:
            return parse_master(resp.text(), resp.url)
        except PlaylistError as err:
            raise TwitchError(f"usher sent a bad master playlist for VOD {vod_id}: {err}") from err

    async def get_text(self, url: str, what: str) -> tuple[str, str]:
        """(text, final URL) of a playlist; local paths and file:// URLs read from disk."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            path = local_path(url)
            try:
                if path.stat().st_size > MAX_PLAYLIST_BYTES:
                    raise VodstreamError(f"{what} {path} is over the {MAX_PLAYLIST_BYTES}-byte size cap")
                return path.read_text(encoding="utf-8"), path.resolve().as_uri()
            except (OSError, UnicodeDecodeError) as err:
                raise VodstreamError(f"cannot read {what} {path}: {err}") from err
        try:
            resp = await request(
                self.session, url, policy=self.config.policy, what=what, max_bytes=MAX_PLAYLIST_BYTES
            )
        except HTTPStatusError as err:
            # old muted highlights 4xx on index-muted-XXXX.m3u8; the plain name works
            alt = re.sub(r"-muted-\w+(?=\.m3u8$)", "", parts.path)
            if alt != parts.path and err.status in (403, 404):
                return await self.get_text(url.replace(parts.path, alt), what)
            raise FetchError(f"{what} {_short(url)}: HTTP {err.status}") from err
        return resp.text(), resp.url

    async def media_playlist(self, url: str) -> MediaPlaylist:
        text, final = await self.get_text(url, "media playlist")
        try:
            return parse_media(text, final)
        except PlaylistError as err:
            raise VodstreamError(f"bad media playlist {_short(url)}: {err}") from err


def _short(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}{p.path}" if p.scheme else url


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _errors(answer: dict[str, Any]) -> list[str]:
    return [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in answer.get("errors") or []]


def _has_error(answer: dict[str, Any], text: str) -> bool:
    return any(text in e for e in _errors(answer))


# Raw GraphQL text (no variables): the video id is substituted for $vod_id.
_RAW_TOKEN_QUERY = Template(
    '{ videoPlaybackAccessToken(id: "$vod_id", params: {platform: "web", playerBackend: "mediaplayer", '
    'playerType: "site"}) { value signature } }'
)
_RAW_VIDEO_QUERY = Template(
    '{ video(id: "$vod_id") { id title lengthSeconds createdAt broadcastType status '
    "owner { id login displayName } game { id name displayName } } }"
)
_RAW_CHAPTERS_QUERY = Template(
    '{ video(id: "$vod_id") { id lengthSeconds moments(momentRequestType: VIDEO_CHAPTER_MARKERS, '
    "types: [GAME_CHANGE], first: 100) { edges { node { durationMilliseconds positionMilliseconds "
    "type description details { ... on GameChangeMomentDetails { game { id displayName } } } } } } } }"
)


def _raw_token_query(vod_id: str) -> str:
    return _RAW_TOKEN_QUERY.substitute(vod_id=vod_id)


def _raw_video_query(vod_id: str) -> str:
    return _RAW_VIDEO_QUERY.substitute(vod_id=vod_id)


def _raw_chapters_query(vod_id: str) -> str:
    return _RAW_CHAPTERS_QUERY.substitute(vod_id=vod_id)


def _video_info(vod_id: str, answer: dict[str, Any]) -> VideoInfo | None:
    video = (answer.get("data") or {}).get("video")
    if not isinstance(video, dict):
        return None
    owner = video.get("owner") or {}
    game = video.get("game") or {}
    length = video.get("lengthSeconds")
    return VideoInfo(
        vod_id=vod_id,
        title=video.get("title"),
        owner=owner.get("login"),
        owner_name=owner.get("displayName"),
        length=float(length) if length else None,
        created_at=video.get("createdAt"),
        game_id=game.get("id"),
        game_name=game.get("displayName") or game.get("name"),
        status=video.get("status"),
    )


def _chapters(answer: dict[str, Any], info: VideoInfo | None, length: float | None) -> list[Chapter]:
    """GAME_CHANGE moments -> chapters; no moments means one chapter of the VOD's game."""
    video = (answer.get("data") or {}).get("video") or {}
    edges = ((video.get("moments") or {}).get("edges")) or []
    length = length or (float(video["lengthSeconds"]) if video.get("lengthSeconds") else None)
    out = []
    for edge in edges:
        node = (edge or {}).get("node") or {}
        if node.get("type", "GAME_CHANGE") != "GAME_CHANGE":
            continue
        start = max(0.0, (node.get("positionMilliseconds") or 0) / 1000)
        dur = max(0.0, (node.get("durationMilliseconds") or 0) / 1000)
        if dur == 0 and length:
            dur = max(0.0, length - start)
        game = ((node.get("details") or {}).get("game")) or {}
        out.append(
            Chapter(
                start=start,
                end=start + dur,
                game_id=game.get("id"),
                game_name=game.get("displayName") or node.get("description") or "?",
            )
        )
    if not out and info is not None and info.game_name and length:
        out.append(Chapter(start=0.0, end=length, game_id=info.game_id, game_name=info.game_name))
    return sorted(out, key=lambda c: c.start)


def _usher_error(vod_id: str, status: int, body: bytes, token: dict[str, Any]) -> str:
    data = _json(body)
    first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
    code, text = first.get("error_code", ""), first.get("error", "")
    if code in ("vod_manifest_restricted", "unauthorized_entitlements") or (
        status == 403 and '"forbidden":true' in str(token.get("value", ""))
    ):
        return (
            f"VOD {vod_id} is for subscribers only: pass --auth-token with the auth-token cookie "
            "of an account that has access"
        )
    if code == "transcode_does_not_exist":
        return f"VOD {vod_id} has no playlist on usher (404 transcode_does_not_exist)"
    if code == "content_geoblocked":
        return f"VOD {vod_id} is not available in this region (403 content_geoblocked)"
    detail = f"{code}: {text}" if code else body.decode("utf-8", "replace")[:200].strip()
    return f"usher refused VOD {vod_id} (HTTP {status}{': ' + detail if detail else ''})"


# -- filters ----------------------------------------------------------------------------------


def filter_segments_by_game(
    segments: list[Segment], chapters: list[Chapter], game_id: str = APEX_GAME_ID
) -> list[Segment]:
    """Segments overlapping a chapter of ``game_id``. With no chapters at all (unknown), all
    segments are kept; with chapters but none of that game, none are."""
    if not chapters:
        return list(segments)
    spans = [(c.start, c.end) for c in chapters if c.game_id == game_id]
    return [s for s in segments if any(s.start < end and s.end > start for start, end in spans)]


def apex_segments(segments: list[Segment], chapters: list[Chapter]) -> list[Segment]:
    """Segments played in Apex Legends (game id 511224) per the VOD's chapters."""
    return filter_segments_by_game(segments, chapters, APEX_GAME_ID)


def segments_in_range(
    segments: list[Segment], start: float | None = None, end: float | None = None
) -> list[Segment]:
    """Segments overlapping [start, end) (whole segments: cuts are segment-granular)."""
    lo = start if start is not None else float("-inf")
    hi = end if end is not None else float("inf")
    return [s for s in segments if s.end > lo and s.start < hi]


# -- resolver ---------------------------------------------------------------------------------


_PLAYLIST_STEMS = ("master", "index", "index-dvr", "playlist")
# a variant folder of a VOD: chunked, 720p60, 480p30, 160p30, audio_only, ...
_VARIANT_DIR = re.compile(r"^(chunked|audio_only|\d{2,4}p\d{0,3})$")
# Twitch's CDN folder: <hash>_<login>_<vod id>_<unix time>
_CDN_DIR = re.compile(r"^[0-9a-f]{10,}_\w+?_(\d{5,})_\d{9,}$")


def _hls_vod_dir(path: Path) -> Path:
    """The folder that stands for the VOD of a playlist path: the playlist's own folder, or the
    one above it when the playlist is a variant's (``<vod>/chunked/index-dvr.m3u8``)."""
    d = path.parent
    is_index = path.stem in _PLAYLIST_STEMS or path.stem.startswith("index-muted")
    return d.parent if is_index and _VARIANT_DIR.match(d.name) and d.parent.name else d


def _hls_vod_id(path: Path, vod_dir: Path) -> str:
    """A VOD id from a playlist path: the VOD folder's name (the Twitch VOD id inside a Twitch
    CDN folder name), or the playlist's own name when it is not a generic one."""
    is_index = path.stem in _PLAYLIST_STEMS or path.stem.startswith("index-muted")
    name = vod_dir.name if is_index else path.stem
    m = _CDN_DIR.match(name)
    return m.group(1) if m else name


def _vod_json(master_path: Path) -> dict[str, Any] | None:
    """The synth's vod.json beside a local master playlist, if any."""
    p = master_path.parent / "vod.json"
    try:
        data = json.loads(p.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _local_chapters(meta: dict[str, Any]) -> list[Chapter]:
    out = []
    for c in meta.get("chapters") or []:
        try:
            out.append(
                Chapter(
                    start=float(c["start"]),
                    end=float(c["end"]),
                    game_id=c.get("game_id"),
                    game_name=str(c.get("game_name", "?")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _printable(text: str | None) -> str | None:
    """``text`` without control characters (terminal escapes, bidi overrides), at most 300 chars."""
    return None if text is None else _CONTROL.sub(" ", str(text)).strip()[:300]


def _safe_id(text: str) -> str:
    """A VOD id usable as one path component: letters, digits, ``_ . -`` only, no leading dot
    (so never ``.`` or ``..``), at most 100 characters. Ids taken from file names, playlist
    paths or a VOD's own metadata all pass through here before they name a folder or a file."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).lstrip("._-").rstrip("_")[:100] or "vod"


async def _resolve_hls(client: TwitchClient, url: str, quality: str) -> ResolvedVod:
    text, final = await client.get_text(url, "playlist")
    variants: list[Variant] = []
    chosen = "media"
    media_url = final
    if is_master(text):
        try:
            master = parse_master(text, final)
            variant = select_variant(master.variants, quality)
        except PlaylistError as err:
            raise VodstreamError(f"bad playlist {_short(url)}: {err}") from err
        variants, chosen, media_url = master.variants, variant.name, variant.url
        media = await client.media_playlist(media_url)
    else:
        try:
            media = parse_media(text, final)
        except PlaylistError as err:
            raise VodstreamError(f"bad playlist {_short(url)}: {err}") from err
    parts = urlsplit(final)
    path = Path(parts.path)
    vod_dir = _hls_vod_dir(path)
    vod_id, title, owner, chapters = _safe_id(_hls_vod_id(path, vod_dir)), None, None, []
    if parts.scheme == "file":
        meta = _vod_json(vod_dir / "master.m3u8")
        if meta:
            vod_id = _safe_id(str(meta.get("vod_id", vod_id)))
            title = meta.get("title")
            own = meta.get("owner")
            owner = own.get("login") if isinstance(own, dict) else own
            chapters = _local_chapters(meta)
    if not media.segments:
        raise VodstreamError(f"{_short(url)}: the playlist lists no segments")
    return ResolvedVod(
        vod_id=vod_id,
        title=title,
        owner=owner,
        duration=media.duration,
        quality=chosen,
        segments=media.segments,
        variants=variants,
        chapters=chapters,
        source_url=media_url,
        kind="hls",
        ended=media.ended,
        init_url=media.init_url,
    )


def local_file_id(path: str | Path) -> str:
    """A local video file's VOD id: its stem (the display name) plus a digest of its absolute
    path, so ``A/game.mp4`` and ``B/game.mp4`` are two VODs (and the same file is one)."""
    import hashlib

    full = Path(path).expanduser().resolve()
    return f"{_safe_id(full.stem)}-{hashlib.sha256(str(full).encode()).hexdigest()[:8]}"


def _resolve_file(path: str) -> ResolvedVod:
    video = LocalVideo(path)
    segments = video.segments()
    if not segments:
        raise VodstreamError(f"{path}: no video segments found")
    duration = video.duration or segments[-1].end
    return ResolvedVod(
        vod_id=local_file_id(path),
        title=Path(path).name,
        owner=None,
        duration=float(duration),
        quality="file",
        segments=segments,
        variants=[],
        chapters=[],
        source_url=path,
        kind="file",
        local=video,
    )


async def _resolve_twitch(client: TwitchClient, vod_id: str, quality: str) -> ResolvedVod:
    token, info, chapters = await client.video(vod_id)
    if token is None:
        raise TwitchError(
            f"VOD {vod_id} not found: Twitch returned no access token "
            "(deleted, private, or published in the last ~30 minutes)"
        )
    master = await client.master_playlist(vod_id, token)
    try:
        variant = select_variant(master.variants, quality)
    except PlaylistError as err:
        raise TwitchError(f"VOD {vod_id}: {err}") from err
    media = await client.media_playlist(variant.url)
    if not media.segments:
        raise TwitchError(f"VOD {vod_id}: the {variant.name} playlist lists no segments")
    if not media.ended:
        log.warning("VOD is still recording; using the segments listed so far", vod_id=vod_id)
    return ResolvedVod(
        vod_id=vod_id,
        title=info.title if info else None,
        owner=info.owner if info else None,
        duration=media.duration,
        quality=variant.name,
        segments=media.segments,
        variants=master.variants,
        chapters=chapters,
        source_url=variant.url,
        kind="twitch",
        ended=media.ended,
        init_url=media.init_url,
    )


async def resolve_vod(
    vod: str,
    *,
    quality: str = "best",
    config: TwitchConfig | None = None,
    session: aiohttp.ClientSession | None = None,
) -> ResolvedVod:
    """Turn any VOD argument into its segment list at ``quality`` (see :func:`select_variant`)."""
    ref = parse_vod_input(vod)
    if ref.kind == "file":
        return await asyncio.to_thread(_resolve_file, ref.value)
    own = session is None
    sess = session or aiohttp.ClientSession()
    try:
        client = TwitchClient(sess, config or TwitchConfig.from_env())
        if ref.kind == "twitch":
            resolved = await _resolve_twitch(client, ref.value, quality)
        else:
            resolved = await _resolve_hls(client, ref.value, quality)
    finally:
        if own:
            await sess.close()
    log.info(
        "resolved VOD",
        vod_id=resolved.vod_id,
        kind=resolved.kind,
        quality=resolved.quality,
        segments=len(resolved.segments),
        duration=round(resolved.duration, 3),
    )
    return resolved
