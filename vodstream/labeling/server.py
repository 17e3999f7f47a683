"""The labelling page's local server (aiohttp, bound to 127.0.0.1 only).

Routes (the page is plain HTML/JS/CSS shipped in ``vodstream/labeling/page/``; nothing is loaded
from the internet):

- ``GET /``                      the page; ``GET /static/{file}`` its script and style sheet
- ``GET /crops/{file}``          a crop PNG named in the index
- ``GET /api/crops``             the index (VOD, crops in time order with the reader's answer
                                 and confidence) and the labels saved so far
- ``PUT /api/labels``            ``{"vod_id": .., "labels": [{"frame_num": .., "label": ..}]}``:
                                 checked against the index and written to ``labels.json``
                                 (400 with ``{"error": ..}`` when it does not fit the crops)
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from vodstream.errors import VodstreamError
from vodstream.labeling.labels import LABELS_NAME, CropIndex, LabelsError, parse_labels, save_labels

__all__ = ["HOST", "PAGE_DIR", "check_port", "make_app", "serve"]

HOST = "127.0.0.1"
PAGE_DIR = Path(__file__).resolve().parent / "page"
_STATIC = {"app.js": "text/javascript", "style.css": "text/css"}
MAX_BODY = 16 * 1024 * 1024


def make_app(index: CropIndex) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    crops = {c.crop for c in index.crops}

    async def page(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(
            PAGE_DIR / "index.html",
            headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
        )

    async def static(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in _STATIC:
            raise web.HTTPNotFound()
        return web.FileResponse(
            PAGE_DIR / name, headers={"Content-Type": _STATIC[name], "Cache-Control": "no-store"}
        )

    async def crop(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in crops:
            raise web.HTTPNotFound()
        return web.FileResponse(
            index.folder / name, headers={"Content-Type": "image/png", "Cache-Control": "max-age=3600"}
        )

    async def api_crops(_request: web.Request) -> web.Response:
        doc = index.to_json()
        saved = index.folder / LABELS_NAME
        labels: dict[int, int | None] = {}
        if saved.is_file():
            try:
                labels = parse_labels(json.loads(saved.read_text(encoding="utf-8")), index, what=str(saved))
            except (LabelsError, ValueError) as err:
                return web.json_response({"error": str(err)}, status=409)
        doc["labels"] = [{"frame_num": k, "label": v} for k, v in sorted(labels.items())]
        return web.json_response(doc, headers={"Cache-Control": "no-store"})

    async def api_labels(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"error": "the body is not JSON"}, status=400)
        try:
            labels = parse_labels(body, index, what="the labels sent")
        except LabelsError as err:
            return web.json_response({"error": str(err)}, status=400)
        path = await asyncio.to_thread(save_labels, index, labels)
        return web.json_response({"saved": len(labels), "path": str(path)})

    async def favicon(_request: web.Request) -> web.Response:
        return web.Response(status=204)

    app.router.add_get("/", page)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/crops/{name}", crop)
    app.router.add_get("/api/crops", api_crops)
    app.router.add_put("/api/labels", api_labels)
    return app


def check_port(port: int) -> None:
    """Fail early (before minutes of sampling) when ``port`` on 127.0.0.1 is taken."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError as err:
            raise VodstreamError(_port_message(port, err)) from None


def _port_message(port: int, err: OSError) -> str:
    if err.errno == errno.EADDRINUSE:
        return f"port {port} on {HOST} is in use; pick another with --port (or --port 0 for any free one)"
    return f"cannot listen on {HOST}:{port}: {err.strerror or err}"


def serve(index: CropIndex, port: int, *, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the page until interrupted; ``on_ready(url)`` once it listens."""

    async def main() -> None:
        runner = web.AppRunner(make_app(index), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, HOST, port, reuse_address=False)
        try:
            await site.start()
        except OSError as err:
            await runner.cleanup()
            raise VodstreamError(_port_message(port, err)) from None
        try:
            bound = runner.addresses[0][1]
            if on_ready is not None:
                on_ready(f"http://{HOST}:{bound}/")
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
