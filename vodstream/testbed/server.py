"""A Twitch-compatible local server (aiohttp) for the demo, the tests and the benchmarks.

It serves every VOD under ``--root`` (``DIR/<vod_id>/master.m3u8``, ``<variant>/index-dvr.m3u8``,
segments, ``vod.json``; the layout ``vodstream synth`` writes) over the same protocol as Twitch:

- ``POST /gql``: ``PlaybackAccessToken`` (persisted or raw ``videoPlaybackAccessToken``),
  ``VideoMetadata``, ``VideoPlayer_ChapterSelectButtonVideo`` (or raw ``moments``); single or
  batched bodies; ``null`` token for unknown VODs; ``PersistedQueryNotFound`` for an unknown
  hash; 401 for a bad OAuth token; 400 without Client-ID.
- ``GET /vod/{id}.m3u8``, ``/vod/v2/{id}.m3u8``, ``/vod/{id}``: checks ``sig``/``token`` (or
  ``nauthsig``/``nauth``); 404 ``transcode_does_not_exist`` for unknown VODs; 403
  ``vod_manifest_restricted`` for sub-only VODs without entitlement. The master points at CDN
  paths on this server: ``/{sha1[:20]}_{login}_{id}_{ts}/{variant}/index-dvr.m3u8``.
- CDN paths: media playlists (``index-dvr.m3u8``, ``index-muted-XXXXXXXXXX.m3u8``) and
  segments (``N.ts``, ``N-muted.ts``, ``N-unmuted.ts``, ``init-0.mp4``, ``N.mp4``), always with
  ``Content-Length``; unknown keys get CloudFront's 403 AccessDenied XML.

``repeat=N`` serves each VOD N times back to back (segments renumbered, same bytes, an
``EXT-X-DISCONTINUITY`` at each restart). ``faults`` injects errors (see :mod:`vodstream.testbed.faults`).
Muted segments serve the same bytes as the originals.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web

from vodstream.errors import VodstreamError
from vodstream.sources.hls import PlaylistError, local_path, parse_master, parse_media
from vodstream.sources.twitch import CHAPTERS_HASH, METADATA_HASH, TOKEN_HASH
from vodstream.testbed.faults import FaultSpec, TokenBucket, parse_rate

__all__ = ["ServedVariant", "ServedVod", "ServerThread", "TwitchServer", "load_library", "serve_forever"]

log = structlog.get_logger(__name__)

ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
)
TOKEN_TTL = 20 * 3600
_M3U8 = "application/vnd.apple.mpegurl"


@dataclass(kw_only=True)
class ServedVariant:
    name: str  # group id ("chunked", "480p30")
    label: str  # NAME ("1080p60", "480p")
    width: int | None
    height: int | None
    fps: float | None
    bandwidth: int
    codecs: str
    directory: Path
    files: list[str]  # segment file names, playlist order
    durations: list[float]
    init: str | None = None  # fMP4 init file name

    @property
    def ext(self) -> str:
        return "mp4" if self.init or (self.files and self.files[0].endswith(".mp4")) else "ts"


@dataclass(kw_only=True)
class ServedVod:
    vod_id: str
    title: str
    login: str
    display_name: str
    created_at: str
    started: int  # unix start, part of the CDN path
    chapters: list[dict[str, Any]]
    variants: list[ServedVariant]
    sub_only: bool = False
    repeat: int = 1
    muted: set[int] = field(default_factory=set)
    muted_key: str = ""

    @property
    def path_key(self) -> str:
        base = f"{self.login}_{self.vod_id}_{self.started}"
        return f"{hashlib.sha1(base.encode()).hexdigest()[:20]}_{base}"

    @property
    def count(self) -> int:
        return len(self.variants[0].files) * self.repeat if self.variants else 0

    @property
    def duration(self) -> float:
        return sum(self.variants[0].durations) * self.repeat if self.variants else 0.0


def _load_vod(vod_dir: Path, repeat: int) -> ServedVod | None:
    master_path = vod_dir / "master.m3u8"
    if not master_path.is_file():
        return None
    try:
        meta = json.loads((vod_dir / "vod.json").read_text())
    except (OSError, ValueError):
        meta = {}
    try:
        master = parse_master(master_path.read_text(), master_path.as_uri())
    except PlaylistError as err:
        log.warning("skipping VOD with a bad master playlist", dir=str(vod_dir), error=str(err))
        return None
    meta_variants = {v.get("group_id") or v.get("name"): v for v in meta.get("variants") or []}
    variants = []
    for v in master.variants:
        media_path = local_path(v.url)
        try:
            media = parse_media(media_path.read_text(), media_path.as_uri())
        except (OSError, PlaylistError) as err:
            log.warning("skipping variant", dir=str(vod_dir), variant=v.name, error=str(err))
            continue
        mv = meta_variants.get(v.name, {})
        files = [local_path(s.url).name for s in media.segments]
        variants.append(
            ServedVariant(
                name=v.name,
                label=str(mv.get("name") or v.label),
                width=v.resolution[0] if v.resolution else mv.get("width"),
                height=v.resolution[1] if v.resolution else mv.get("height"),
                fps=v.fps or mv.get("fps"),
                bandwidth=v.bandwidth or int(mv.get("bandwidth") or 0),
                codecs=v.codecs or str(mv.get("codecs") or ""),
                directory=media_path.parent,
                files=files,
                durations=[s.duration for s in media.segments],
                init=local_path(media.init_url).name if media.init_url else None,
            )
        )
    if not variants:
        return None
    # the source ("chunked") first, as usher does
    variants.sort(key=lambda x: (x.name != "chunked", -(x.height or 0), -(x.fps or 0)))
    owner = meta.get("owner") or {}
    if isinstance(owner, str):
        owner = {"login": owner, "display_name": owner}
    created = str(meta.get("created_at") or "2024-01-01T00:00:00Z")
    try:
        started = int(datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp())
    except ValueError:
        started = 1704067200
    vod_id = str(meta.get("vod_id") or vod_dir.name)
    return ServedVod(
        vod_id=vod_id,
        title=str(meta.get("title") or vod_id),
        login=str(owner.get("login") or "vodstream"),
        display_name=str(owner.get("display_name") or owner.get("login") or "vodstream"),
        created_at=created,
        started=started,
        chapters=list(meta.get("chapters") or []),
        variants=variants,
        sub_only=bool(meta.get("sub_only")),
        repeat=max(1, repeat),
        muted_key=hashlib.sha1(vod_id.encode()).hexdigest()[:10].upper(),
    )


def load_library(root: Path, repeat: int = 1) -> dict[str, ServedVod]:
    """Every VOD under ``root`` (a VOD directory itself, or a directory of them)."""
    root = Path(root).resolve()  # the playlists are parsed against file:// URIs, which are absolute
    dirs = [root] if (root / "master.m3u8").is_file() else sorted(p for p in root.iterdir() if p.is_dir())
    vods = {}
    for d in dirs:
        vod = _load_vod(d, repeat)
        if vod is not None:
            vods[vod.vod_id] = vod
    return vods


def _ulid() -> str:
    return secrets.token_hex(13).upper()


class TwitchServer:
    """The aiohttp application and its state. ``app`` is ready to run."""

    def __init__(
        self,
        root: Path | str,
        *,
        faults: FaultSpec | str | None = None,
        repeat: int = 1,
        auth_tokens: set[str] | None = None,
        bandwidth: str | float | None = None,
    ) -> None:
        self.root = Path(root)
        # one link for every connection (segments and init sections): bytes per second
        rate = parse_rate(bandwidth) if isinstance(bandwidth, str) else bandwidth
        self.link = TokenBucket(rate) if rate else None
        if not self.root.is_dir():
            raise VodstreamError(f"--root {self.root} is not a directory")
        self.faults = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        self.vods = load_library(self.root, repeat)
        if not self.vods:
            raise VodstreamError(f"no VODs under {self.root} (expected DIR/<vod_id>/master.m3u8)")
        for vod in self.vods.values():
            vod.sub_only = vod.sub_only or vod.vod_id in self.faults.subonly
            vod.muted |= {i for i in self.faults.muted.get(vod.vod_id, set()) if i < vod.count}
        self.by_path = {v.path_key: v for v in self.vods.values()}
        self.auth_tokens = auth_tokens
        self.secret = secrets.token_bytes(32)
        self.stats: dict[str, int] = {"segments": 0, "bytes": 0, "faults": 0, "max_inflight": 0}
        self.inflight = 0
        self.requests: Counter[str] = Counter()  # CDN path -> requests seen (tests check resumes)
        self.app = web.Application(middlewares=[self._latency])
        self.app.router.add_post("/gql", self.gql)
        self.app.router.add_get("/vod/v2/{file}", self.usher)
        self.app.router.add_get("/vod/{file}", self.usher)
        self.app.router.add_get("/{key}/{variant}/{file}", self.cdn)

    # -- helpers ------------------------------------------------------------------------------

    @web.middleware
    async def _latency(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.endswith((".ts", ".mp4")):
            return await self._handle(request, handler)
        self.inflight += 1  # segment requests being answered right now
        self.stats["max_inflight"] = max(self.stats["max_inflight"], self.inflight)
        try:
            return await self._handle(request, handler)
        finally:
            self.inflight -= 1

    async def _handle(self, request: web.Request, handler: Any) -> web.StreamResponse:
        delay = self.faults.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        if self.faults.scope_all and not request.path.endswith((".ts", ".mp4")):
            fault = self.faults.decide(request.path, segment=False)
            if fault is not None and fault.kind == "status":
                self.stats["faults"] += 1
                return _status_fault(fault.status)
        return await handler(request)

    def _oauth_ok(self, token: str) -> bool:
        if self.auth_tokens is not None:
            return token in self.auth_tokens
        return re.fullmatch(r"[a-z0-9]{30}", token) is not None

    def _sign(self, value: str) -> str:
        return hmac.new(self.secret, value.encode(), hashlib.sha1).hexdigest()

    def _token(self, vod_id: str, user: str | None) -> dict[str, Any] | None:
        vod = self.vods.get(vod_id)
        if vod is None:
            return None
        forbidden = vod.sub_only and user is None
        value = json.dumps(
            {
                "authorization": {
                    "forbidden": forbidden,
                    "reason": "UNAUTHORIZED_ENTITLMENTS" if forbidden else "",
                },
                "chansub": {"restricted_bitrates": [v.name for v in vod.variants] if forbidden else []},
                "device_id": None,
                "expires": int(time.time()) + TOKEN_TTL,
                "https_required": False,
                "privileged": False,
                "user_id": int(user) if user else None,
                "version": 2,
                "vod_id": int(vod_id) if vod_id.isdigit() else vod_id,
            },
            separators=(",", ":"),
        )
        return {"value": value, "signature": self._sign(value), "__typename": "PlaybackAccessToken"}

    def _game(self, chapter: dict[str, Any] | None) -> dict[str, Any] | None:
        if not chapter:
            return None
        gid, name = chapter.get("game_id"), chapter.get("game_name") or "?"
        slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
        return {
            "id": gid,
            "slug": slug,
            "boxArtURL": f"https://static-cdn.jtvnw.net/ttv-boxart/{gid}-{{width}}x{{height}}.jpg",
            "name": name,
            "displayName": name,
            "__typename": "Game",
        }

    def _chapters(self, vod: ServedVod) -> list[dict[str, Any]]:
        """Chapters spread over the repeats, as GAME_CHANGE moments."""
        one = sum(vod.variants[0].durations)
        out = []
        for k in range(vod.repeat):
            for c in vod.chapters:
                out.append({**c, "start": float(c["start"]) + k * one, "end": float(c["end"]) + k * one})
        return out

    def _metadata(self, vod_id: str, base: str) -> dict[str, Any]:
        vod = self.vods.get(vod_id)
        if vod is None:
            return {"user": None, "currentUser": None, "video": None}
        owner = {
            "id": str(int(hashlib.sha1(vod.login.encode()).hexdigest()[:7], 16)),
            "login": vod.login,
            "displayName": vod.display_name,
            "__typename": "User",
        }
        return {
            "user": {"id": owner["id"], "stream": None, "__typename": "User"},
            "currentUser": None,
            "video": {
                "id": vod.vod_id,
                "title": vod.title,
                "description": None,
                "previewThumbnailURL": f"{base}/cf_vods/local/{vod.path_key}//thumb/thumb0-90x60.jpg",
                "createdAt": vod.created_at,
                "viewCount": 0,
                "publishedAt": vod.created_at,
                "lengthSeconds": math.ceil(vod.duration),
                "broadcastType": "ARCHIVE",
                "status": "RECORDED",
                "owner": owner,
                "game": self._game(vod.chapters[0] if vod.chapters else None),
                "__typename": "Video",
            },
        }

    def _moments(self, vod_id: str) -> dict[str, Any]:
        vod = self.vods.get(vod_id)
        if vod is None:
            return {"video": None}
        chapters = self._chapters(vod)
        edges = []
        if len(chapters) > 1:  # Twitch sends no moments for a single-game VOD
            for c in chapters:
                game = self._game(c)
                edges.append(
                    {
                        "node": {
                            "id": secrets.token_hex(16),
                            "durationMilliseconds": round((c["end"] - c["start"]) * 1000),
                            "positionMilliseconds": round(c["start"] * 1000),
                            "type": "GAME_CHANGE",
                            "description": c.get("game_name") or "?",
                            "subDescription": "",
                            "thumbnailURL": "",
                            "details": {
                                "game": {
                                    "id": game["id"],
                                    "displayName": game["displayName"],
                                    "boxArtURL": game["boxArtURL"],
                                    "__typename": "Game",
                                }
                                if game and game["id"]
                                else None,
                                "__typename": "GameChangeMomentDetails",
                            },
                            "video": {
                                "id": vod.vod_id,
                                "lengthSeconds": math.ceil(vod.duration),
                                "__typename": "Video",
                            },
                            "moments": {"edges": [], "__typename": "VideoMomentConnection"},
                            "__typename": "VideoMoment",
                        },
                        "__typename": "VideoMomentEdge",
                    }
                )
        return {
            "video": {
                "id": vod.vod_id,
                "lengthSeconds": math.ceil(vod.duration),
                "moments": {"edges": edges, "__typename": "VideoMomentConnection"},
                "__typename": "Video",
            }
        }

    # -- GQL ------------------------------------------------------------------------------------

    async def gql(self, request: web.Request) -> web.Response:
        client_id = request.headers.get("Client-ID") or request.headers.get("Client-Id")
        if not client_id:
            return web.json_response(
                {
                    "error": "Bad Request",
                    "status": 400,
                    "message": 'The "Client-ID" header is missing from the request.',
                },
                status=400,
            )
        user = None
        auth = request.headers.get("Authorization", "")
        if auth:
            token = auth.removeprefix("OAuth ").strip()
            if not auth.startswith("OAuth ") or not self._oauth_ok(token):
                return web.json_response(
                    {
                        "error": "Unauthorized",
                        "status": 401,
                        "message": 'The "Authorization" token is invalid.',
                    },
                    status=401,
                )
            user = str(int(hashlib.sha1(token.encode()).hexdigest()[:7], 16))
        try:
            body = json.loads(await request.read())
        except ValueError:
            return web.json_response(
                {"error": "Bad Request", "status": 400, "message": "invalid JSON body"}, status=400
            )
        batched = isinstance(body, list)
        ops = body if batched else [body]
        if not ops or len(ops) > 35 or not all(isinstance(o, dict) for o in ops):
            return web.json_response(
                {"error": "Bad Request", "status": 400, "message": "a batch holds 1 to 35 operations"},
                status=400,
            )
        base = f"{request.scheme}://{request.host}"
        answers = [
            self._operation(
                op,
                user,
                base,
                integrity_fail=self.faults.integrity and client_id == "kimne78kx3ncx6brgo4mv6wki5h1ko",
            )
            for op in ops
        ]
        return web.json_response(answers if batched else answers[0])

    def _operation(
        self, op: dict[str, Any], user: str | None, base: str, *, integrity_fail: bool
    ) -> dict[str, Any]:
        name = str(op.get("operationName") or "")
        variables = op.get("variables") or {}
        ext = {"durationMilliseconds": 3, "operationName": name, "requestID": _ulid()}
        if integrity_fail:
            return {"errors": [{"message": "failed integrity check"}], "extensions": ext}
        persisted = ((op.get("extensions") or {}).get("persistedQuery") or {}).get("sha256Hash")
        query = op.get("query")
        if persisted is not None:
            known = {
                "PlaybackAccessToken": TOKEN_HASH,
                "VideoMetadata": METADATA_HASH,
                "VideoPlayer_ChapterSelectButtonVideo": CHAPTERS_HASH,
            }
            if known.get(name) != persisted:
                return {"errors": [{"message": "PersistedQueryNotFound"}], "extensions": ext}
            if name == "PlaybackAccessToken":
                vid = str(variables.get("vodID", ""))
                return {"data": {"videoPlaybackAccessToken": self._token(vid, user)}, "extensions": ext}
            if name == "VideoMetadata":
                return {"data": self._metadata(str(variables.get("videoID", "")), base), "extensions": ext}
            return {"data": self._moments(str(variables.get("videoID", ""))), "extensions": ext}
        if isinstance(query, str):
            m = re.search(r'id:\s*"([^"]*)"', query)
            vid = m.group(1) if m else str(variables.get("vodID") or variables.get("videoID") or "")
            if "videoPlaybackAccessToken" in query:
                return {"data": {"videoPlaybackAccessToken": self._token(vid, user)}, "extensions": ext}
            if "moments" in query:
                return {"data": self._moments(vid), "extensions": ext}
            if re.search(r"\bvideo\s*\(", query):
                return {"data": {"video": self._metadata(vid, base)["video"]}, "extensions": ext}
            return {
                "errors": [{"message": "this server answers only VOD token, metadata and chapter queries"}],
                "extensions": ext,
            }
        return {"errors": [{"message": "no query"}], "extensions": ext}

    # -- usher ----------------------------------------------------------------------------------

    def _usher_error(self, request: web.Request, status: int, code: str, text: str) -> web.Response:
        return web.json_response(
            [{"url": str(request.url), "error": text, "error_code": code, "type": "error"}], status=status
        )

    async def usher(self, request: web.Request) -> web.Response:
        m = re.fullmatch(r"(\w+?)(\.m3u8)?", request.match_info["file"])
        vod = self.vods.get(m.group(1)) if m else None
        if vod is None:
            return self._usher_error(
                request, 404, "transcode_does_not_exist", "twirp error not_found: transcode does not exist"
            )
        q = request.query
        sig, value = q.get("sig") or q.get("nauthsig"), q.get("token") or q.get("nauth")
        if not sig or not value or not hmac.compare_digest(sig, self._sign(value)):
            return self._usher_error(request, 403, "unauthorized", "Unauthorized: bad or missing sig/token")
        token = json.loads(value)
        if str(token.get("vod_id")) != vod.vod_id or token.get("expires", 0) < time.time():
            return self._usher_error(
                request, 403, "unauthorized", "Unauthorized: token is for another VOD or expired"
            )
        if vod.sub_only and token.get("authorization", {}).get("forbidden"):
            return self._usher_error(request, 403, "vod_manifest_restricted", "Manifest is resticted")
        codecs = q.get("supported_codecs", "h264").split(",")
        v2 = request.path.startswith("/vod/v2/")
        base = f"{request.scheme}://{request.host}/{vod.path_key}"
        index = f"index-muted-{vod.muted_key}.m3u8" if vod.muted else "index-dvr.m3u8"
        lines = [
            "#EXTM3U",
            f'#EXT-X-TWITCH-INFO:ORIGIN="s3",B="false",REGION="LOCAL",USER-IP="{request.remote}",'
            f'SERVING-ID="{secrets.token_hex(16)}",CLUSTER="vodstream_local",USER-COUNTRY="ZZ",'
            'MANIFEST-CLUSTER="vodstream_local"',
        ]
        for var in vod.variants:
            codec = var.codecs.split(".")[0]
            if (codec in ("hev1", "hvc1") and "h265" not in codecs) or (
                codec == "av01" and "av1" not in codecs
            ):
                continue
            res = f",RESOLUTION={var.width}x{var.height}" if var.width and var.height else ""
            fps = f",FRAME-RATE={var.fps:.3f}" if var.fps else ""
            if v2:
                source = "source" if var.name in ("chunked", "audio_only") else "transcode"
                stable = var.label if var.name == "chunked" else var.name
                lines.append(
                    f'#EXT-X-STREAM-INF:BANDWIDTH={var.bandwidth},CODECS="{var.codecs}"{res}{fps},'
                    f'STABLE-VARIANT-ID="{stable}",IVS-NAME="{var.label}",IVS-GROUPS="landscape",'
                    f'IVS-VARIANT-SOURCE="{source}"'
                )
            else:
                auto = "NO" if var.name in ("chunked", "audio_only") else "YES"
                lines.append(
                    f'#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="{var.name}",NAME="{var.label}",'
                    f"AUTOSELECT={auto},DEFAULT={auto}"
                )
                lines.append(
                    f'#EXT-X-STREAM-INF:BANDWIDTH={var.bandwidth},CODECS="{var.codecs}"{res},'
                    f'VIDEO="{var.name}"{fps}'
                )
            lines.append(f"{base}/{var.name}/{index}")
        return web.Response(text="\n".join(lines) + "\n", content_type=_M3U8)

    # -- CDN ------------------------------------------------------------------------------------

    def _media_playlist(self, vod: ServedVod, var: ServedVariant, muted_names: str) -> str:
        lines = [
            "#EXTM3U",
            f"#EXT-X-VERSION:{6 if var.ext == 'mp4' else 3}",
            f"#EXT-X-TARGETDURATION:{math.ceil(max(var.durations))}",
            f"#ID3-EQUIV-TDTG:{vod.created_at.replace('Z', '')}",
            "#EXT-X-PLAYLIST-TYPE:EVENT",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-TWITCH-ELAPSED-SECS:0.000",
            f"#EXT-X-TWITCH-TOTAL-SECS:{sum(var.durations) * vod.repeat:.3f}",
        ]
        if var.init:
            lines.append('#EXT-X-MAP:URI="init-0.mp4"')
        n = len(var.files)
        for i in range(n * vod.repeat):
            if i and i % n == 0:
                lines.append("#EXT-X-DISCONTINUITY")
            lines.append(f"#EXTINF:{var.durations[i % n]:.3f},")
            suffix = muted_names if i in vod.muted else ""
            lines.append(f"{i}{suffix}.{var.ext}")
        lines.append("#EXT-X-ENDLIST")
        return "\n".join(lines) + "\n"

    def _denied(self) -> web.Response:
        return web.Response(status=403, body=ACCESS_DENIED, content_type="application/xml")

    async def cdn(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path] += 1
        vod = self.by_path.get(request.match_info["key"])
        var = (
            next((v for v in vod.variants if v.name == request.match_info["variant"]), None) if vod else None
        )
        if vod is None or var is None:
            return self._denied()
        name = request.match_info["file"]
        if name == "index-dvr.m3u8":
            return web.Response(text=self._media_playlist(vod, var, "-unmuted"), content_type=_M3U8)
        if name == f"index-muted-{vod.muted_key}.m3u8" and vod.muted:
            return web.Response(text=self._media_playlist(vod, var, "-muted"), content_type=_M3U8)
        if var.init and name == "init-0.mp4":
            return await self._send(request, var.directory / var.init, "video/mp4", name)
        m = re.fullmatch(r"(\d+)(-muted|-unmuted)?\.(ts|mp4)", name)
        if not m or m.group(3) != var.ext:
            return self._denied()
        i = int(m.group(1))
        if i >= vod.count or (m.group(2) and i not in vod.muted) or i in self.faults.deny:
            return self._denied()
        if m.group(2) == "-unmuted" and self.faults.unmuted403:
            return self._denied()
        path = var.directory / var.files[i % len(var.files)]
        return await self._send(
            request, path, "video/mp4" if var.ext == "mp4" else "video/MP2T", request.path
        )

    async def _send(self, request: web.Request, path: Path, ctype: str, key: str) -> web.StreamResponse:
        fault = self.faults.decide(key, segment=True)
        if fault is not None:
            self.stats["faults"] += 1
            log.debug("injecting fault", path=request.path, fault=fault.kind, status=fault.status)
        if fault is not None and fault.kind == "status":
            return _status_fault(fault.status)
        if fault is not None and fault.kind == "reset":
            _abort(request)
            return web.Response(status=500)  # never sent: the connection is gone
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError:
            return self._denied()
        self.stats["segments"] += 1
        self.stats["bytes"] += len(data)
        if fault is None and self.link is not None:
            return await self._send_limited(request, data, ctype)
        if fault is None:
            return web.Response(body=data, content_type=ctype)
        resp = web.StreamResponse(headers={"Content-Type": ctype})
        resp.content_length = len(data)
        await resp.prepare(request)
        if fault.kind == "trickle":
            for off in range(0, len(data), 16384):
                await resp.write(data[off : off + 16384])
                await asyncio.sleep(0.02)
            await resp.write_eof()
            return resp
        part = data[: max(1, len(data) // 2)]
        await resp.write(part)
        if fault.kind == "stall":
            await asyncio.sleep(self.faults.stalltime)
        _abort(request)
        return resp

    async def _send_limited(self, request: web.Request, data: bytes, ctype: str) -> web.StreamResponse:
        """The body through the shared link (``bandwidth``), in 64 KiB pieces."""
        assert self.link is not None
        resp = web.StreamResponse(headers={"Content-Type": ctype})
        resp.content_length = len(data)
        await resp.prepare(request)
        for off in range(0, len(data), 65536):
            piece = data[off : off + 65536]
            wait = self.link.reserve(len(piece))
            if wait > 0:
                await asyncio.sleep(wait)
            await resp.write(piece)
        await resp.write_eof()
        return resp


def _status_fault(status: int) -> web.Response:
    """An injected error answer; a 429 says when to come back, as rate limiters do."""
    headers = {"Retry-After": "1"} if status == 429 else None
    return web.Response(status=status, text=f"injected {status}\n", headers=headers)


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


class ServerThread:
    """Run a :class:`TwitchServer` on 127.0.0.1 in a background thread (tests, benchmarks)::

    with ServerThread(root, faults="500:0.2") as srv:
        url = srv.base_url     # "http://127.0.0.1:PORT"
    """

    def __init__(self, root: Path | str, *, host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> None:
        self.server = TwitchServer(root, **kwargs)
        self.host, self.port = host, port
        self.base_url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="TwitchServer", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        runner = web.AppRunner(self.server.app, access_log=None, handler_cancellation=True)
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, self.host, self.port)
            loop.run_until_complete(site.start())
            self.port = runner.addresses[0][1]
            self.base_url = f"http://{self.host}:{self.port}"
        except BaseException as err:  # surfaced by start()
            self._error = err
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def start(self) -> ServerThread:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def serve_forever(
    server: TwitchServer, host: str, port: int, on_ready: Callable[[str], None] | None = None
) -> None:
    """Run until cancelled; ``on_ready(url)`` once listening (the CLI prints it)."""
    runner = web.AppRunner(server.app, access_log=None, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        raise VodstreamError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    bound = runner.addresses[0][1]
    if on_ready is not None:
        on_ready(f"http://{host}:{bound}")
    for vod in server.vods.values():
        log.info(
            "serving VOD",
            vod_id=vod.vod_id,
            segments=vod.count,
            duration=round(vod.duration, 1),
            variants=[v.name for v in vod.variants],
            sub_only=vod.sub_only,
            muted=len(vod.muted),
        )
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def write_sample_vod(
    root: Path | str,
    vod_id: str = "100000001",
    *,
    segments: int = 6,
    segment_seconds: float = 1.0,
    fps: int = 10,
    size: tuple[int, int] = (160, 96),
    variants: int = 2,
    noise: bool = False,
    chapters: list[dict[str, Any]] | None = None,
    sub_only: bool = False,
    title: str | None = None,
    bitrate: int | None = None,
) -> Path:
    """Write a small real H.264/MPEG-TS VOD in the synth layout (for protocol tests and benchmarks).

    Every variant gets the same picture (scaled); each segment is its own TS file, starts on a
    keyframe and continues the timestamps. Returns ``root/<vod_id>``. :mod:`vodstream.testbed.synth`
    renders the real Apex-like VODs; this one only has to be real video.
    """
    import av
    import numpy as np

    out = Path(root) / vod_id
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(int(vod_id) % (2**32) if vod_id.isdigit() else 0)
    per_seg = max(1, round(segment_seconds * fps))
    master = ["#EXTM3U"]
    meta_variants = []
    for vi in range(variants):
        w, h = size[0] >> vi, size[1] >> vi
        w, h = max(16, w // 2 * 2), max(16, h // 2 * 2)
        name = "chunked" if vi == 0 else f"{h}p{fps}"
        vdir = out / name
        vdir.mkdir(exist_ok=True)
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{math.ceil(segment_seconds)}",
            "#EXT-X-PLAYLIST-TYPE:EVENT",
            "#EXT-X-MEDIA-SEQUENCE:0",
        ]
        total = 0
        for s in range(segments):
            path = vdir / f"{s}.ts"
            with av.open(str(path), "w", format="mpegts") as container:
                stream = container.add_stream("libx264", rate=fps)
                stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
                stream.options = {
                    "g": str(per_seg),
                    "keyint_min": str(per_seg),
                    "sc_threshold": "0",
                    "preset": "ultrafast",
                }
                if bitrate:
                    stream.bit_rate = bitrate
                for f in range(per_seg):
                    n = s * per_seg + f
                    if noise:
                        img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
                    else:
                        img = np.zeros((h, w, 3), np.uint8)
                        img[..., 0] = (n * 7) % 256
                        img[..., 1] = (s * 40) % 256
                        img[: h // 4, : (n % w) or 1, 2] = 255
                    frame = av.VideoFrame.from_ndarray(img, format="rgb24")
                    frame.pts = n
                    for pkt in stream.encode(frame):
                        container.mux(pkt)
                for pkt in stream.encode():
                    container.mux(pkt)
            total += path.stat().st_size
            lines += [f"#EXTINF:{per_seg / fps:.3f},", f"{s}.ts"]
        lines.append("#EXT-X-ENDLIST")
        (vdir / "index-dvr.m3u8").write_text("\n".join(lines) + "\n")
        bw = int(total * 8 / (segments * per_seg / fps))
        label = f"{h}p{fps}" if name == "chunked" else name
        master += [
            f'#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="{name}",NAME="{label}",AUTOSELECT=YES,DEFAULT=YES',
            f'#EXT-X-STREAM-INF:BANDWIDTH={bw},CODECS="avc1.42C00D",RESOLUTION={w}x{h},'
            f'VIDEO="{name}",FRAME-RATE={fps:.3f}',
            f"{name}/index-dvr.m3u8",
        ]
        meta_variants.append(
            {
                "name": label,
                "group_id": name,
                "width": w,
                "height": h,
                "fps": fps,
                "bandwidth": bw,
                "codecs": "avc1.42C00D",
            }
        )
    (out / "master.m3u8").write_text("\n".join(master) + "\n")
    duration = segments * per_seg / fps
    meta = {
        "vod_id": vod_id,
        "title": title or f"sample VOD {vod_id}",
        "owner": {"login": "samplestreamer", "display_name": "SampleStreamer"},
        "created_at": "2026-01-02T03:04:05Z",
        "duration": duration,
        "chapters": chapters
        if chapters is not None
        else [{"start": 0.0, "end": duration, "game_id": "511224", "game_name": "Apex Legends"}],
        "variants": meta_variants,
        "sub_only": sub_only,
    }
    (out / "vod.json").write_text(json.dumps(meta, indent=2))
    return out
