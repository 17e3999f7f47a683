"""Helpers for the Twitch client/server/fetch/download tests: small real VODs in the synth layout.

``make_vod`` encodes real H.264 (+AAC) segments with tests.media and lays them out like
``vodstream synth`` does (master.m3u8 with relative URIs, <variant>/index-dvr.m3u8 + N.ts or
init-0.mp4 + N.mp4, vod.json), so ``vodstream serve`` serves them as Twitch VODs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tests.media import encode_segments

APEX = "511224"


def make_vod(
    root: Path,
    vod_id: str,
    *,
    kind: str = "ts",
    n: int = 6,
    seconds: float = 1.0,
    fps: float = 10.0,
    audio: bool = True,
    chapters: list[dict[str, Any]] | None = None,
    sub_only: bool = False,
    sizes: tuple[tuple[int, int], ...] = ((160, 96), (96, 64)),
    seed: int = 0,
) -> Path:
    out = root / vod_id
    out.mkdir(parents=True)
    master = ["#EXTM3U"]
    meta_variants = []
    for vi, (w, h) in enumerate(sizes):
        name = "chunked" if vi == 0 else f"{h}p{int(fps)}"
        segs = encode_segments(
            width=w,
            height=h,
            fps=fps,
            segment_seconds=seconds,
            n_segments=n,
            gop_seconds=seconds,
            audio=audio,
            kind=kind,
            seed=seed + vi,
        )
        vdir = out / name
        vdir.mkdir()
        lines = [
            "#EXTM3U",
            f"#EXT-X-VERSION:{6 if kind == 'fmp4' else 3}",
            f"#EXT-X-TARGETDURATION:{math.ceil(seconds)}",
            "#EXT-X-PLAYLIST-TYPE:EVENT",
        ]
        ext = "mp4" if kind == "fmp4" else "ts"
        if kind == "fmp4":
            (vdir / "init-0.mp4").write_bytes(segs[0].init or b"")
            lines.append('#EXT-X-MAP:URI="init-0.mp4"')
        for i, s in enumerate(segs):
            (vdir / f"{i}.{ext}").write_bytes(s.data)
            lines += [f"#EXTINF:{s.duration:.3f},", f"{i}.{ext}"]
        lines.append("#EXT-X-ENDLIST")
        (vdir / "index-dvr.m3u8").write_text("\n".join(lines) + "\n")
        label = f"{h}p{int(fps)}"
        codecs = "avc1.42C00D,mp4a.40.2" if audio else "avc1.42C00D"
        master += [
            f'#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="{name}",NAME="{label}",AUTOSELECT=YES,DEFAULT=YES',
            f'#EXT-X-STREAM-INF:BANDWIDTH={100000 >> vi},CODECS="{codecs}",RESOLUTION={w}x{h},'
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
                "bandwidth": 100000 >> vi,
                "codecs": codecs,
            }
        )
    (out / "master.m3u8").write_text("\n".join(master) + "\n")
    duration = n * seconds
    meta = {
        "vod_id": vod_id,
        "title": f"test VOD {vod_id}",
        "owner": {"login": "teststreamer", "display_name": "TestStreamer"},
        "created_at": "2026-01-02T03:04:05Z",
        "duration": duration,
        "chapters": chapters
        if chapters is not None
        else [{"start": 0.0, "end": duration, "game_id": APEX, "game_name": "Apex Legends"}],
        "variants": meta_variants,
        "sub_only": sub_only,
    }
    (out / "vod.json").write_text(json.dumps(meta))
    return out


def variant_bytes(vod_dir: Path, variant: str = "chunked") -> bytes:
    """The served segments of one variant, concatenated in playlist order (the expected .ts)."""
    lines = (vod_dir / variant / "index-dvr.m3u8").read_text().splitlines()
    names = [ln for ln in lines if ln and not ln.startswith("#")]
    return b"".join((vod_dir / variant / n).read_bytes() for n in names)


class RawServer:
    """A real aiohttp server on 127.0.0.1 that answers fixed bytes per path (hostile or broken
    playlists and segments), streamed without Content-Length. ``with RawServer(routes) as base:``"""

    def __init__(self, routes: dict[str, bytes]) -> None:
        self.routes = routes

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        body = self.routes.get(request.path)
        if body is None:
            return web.Response(status=404)
        resp = web.StreamResponse(headers={"Content-Type": "application/vnd.apple.mpegurl"})
        await resp.prepare(request)
        for i in range(0, len(body), 1 << 20):
            await resp.write(body[i : i + (1 << 20)])
        await resp.write_eof()
        return resp

    def __enter__(self) -> str:
        import asyncio
        import threading

        from aiohttp import web

        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get("/{name:.*}", self._handle)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = self._runner.addresses[0][1]
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()
