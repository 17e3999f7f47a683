"""The labelling page in a real browser: Playwright for Python driving Debian's Chromium.

`python -m vodstream label FOLDER --port 0` runs as a subprocess (the real CLI and aiohttp
server); the test labels by mouse and keyboard, saves, and checks labels.json. It skips only
where Chromium is not installed (.ci/run installs it with apt).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.labelcrops import make_crop_folder

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    for cand in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and Path(cand).is_file():
            return cand
    pytest.skip("Chromium is not installed here (Debian: apt-get install -y chromium; .ci/run does it)")


@pytest.fixture
def label_server(tmp_path):
    index, truth = make_crop_folder(tmp_path / "crops")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vodstream", "-q", "label", str(index.folder), "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout], daemon=True).start()
    url = None
    try:
        while url is None:
            line = lines.get(timeout=60)
            if line.startswith("labelling page: "):
                url = line.split()[2]
        assert url.startswith("http://127.0.0.1:")
        yield url, index, truth
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_label_a_range_by_keyboard_and_mouse_and_save(label_server, tmp_path):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install '.[test]')"
    )
    url, index, truth = label_server
    n = len(truth)
    assert n == 29
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            cells = page.locator(".cell")
            assert cells.count() == n
            cell = lambda i: page.locator(f".cell[data-frame='{i}']")  # noqa: E731
            # each crop shows the reader's answer and confidence
            c4 = index.crops[4]
            assert cell(4).locator(".reader").inner_text() == f"{c4.reading} \u00b7 {c4.confidence:.2f}"

            # least sure first: N puts the cursor on the crop the reader was least sure of
            page.keyboard.press("n")
            order = sorted(
                range(n),
                key=lambda i: (-1 if index.crops[i].reading is None else index.crops[i].confidence, i),
            )
            assert page.locator(".cell.cursor").get_attribute("data-frame") == str(order[0])

            def type_value(text: str) -> None:
                page.keyboard.type(text)
                page.keyboard.press("Enter")

            # a typed value applies to the following crops until the next change
            cell(0).click()
            type_value("0")
            assert [cell(i).get_attribute("data-label") for i in (0, 1, 20, 28)] == ["0", "0", "0", "0"]
            cell(4).click()
            type_value("1")
            assert [cell(i).get_attribute("data-label") for i in (3, 4, 28)] == ["0", "1", "1"]
            # a range by keyboard: 9..12 (shift+arrows); the crop after it keeps what it had
            cell(9).click()
            for _ in range(3):
                page.keyboard.press("Shift+ArrowRight")
            assert page.locator(".cell.sel").count() == 4
            type_value("2")
            assert [cell(i).get_attribute("data-label") for i in (8, 9, 12, 13)] == ["1", "2", "2", "1"]
            # a range by mouse: click 13, shift-click 16
            cell(13).click()
            cell(16).click(modifiers=["Shift"])
            assert page.locator(".cell.sel").count() == 4
            type_value("3")
            assert [cell(i).get_attribute("data-label") for i in (13, 16, 17)] == ["3", "3", "1"]
            # the remaining changes, one click and a number each (two digits included)
            for i, v in ((17, "5"), (21, "6"), (24, "10"), (27, "11")):
                cell(i).click()
                type_value(v)
            # unreadable: the last crop, by keyboard; then undo and redo it with the button
            cell(28).click()
            page.keyboard.press("u")
            assert cell(28).get_attribute("data-label") == "x"
            page.click("#unreadable")
            assert cell(28).get_attribute("data-label") == "11"
            page.keyboard.press("u")
            # Delete clears a range (the crops after it keep their labels); R takes the reader's answers
            cell(0).click()
            page.keyboard.press("Shift+ArrowRight")
            page.keyboard.press("Shift+ArrowRight")
            page.keyboard.press("Delete")
            assert [cell(i).get_attribute("data-label") for i in (0, 2, 3)] == ["", "", "0"]
            page.keyboard.press("r")
            assert [cell(i).get_attribute("data-label") for i in (0, 2, 3)] == [
                str(index.crops[0].reading),
                str(index.crops[2].reading),
                "0",
            ]
            page.click("#save")
            page.wait_for_function("document.getElementById('status').textContent.startsWith('saved')")
            assert f"saved {n} labels" in page.locator("#status").inner_text()
            shot = tmp_path / "label-page.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000

            saved = json.loads((index.folder / "labels.json").read_text())
            assert saved["vod_id"] == index.vod_id
            got = [(x["frame_num"], x["label"]) for x in saved["labels"]]
            assert got == [(i, truth[i]) for i in range(28)] + [(28, None)]
            for x in saved["labels"]:
                c = index.crops[x["frame_num"]]
                assert (x["vod_id"], x["vod_time"], x["crop"]) == (index.vod_id, c.vod_time, c.crop)

            # reloading shows the saved labels
            page.reload()
            page.wait_for_selector("body[data-ready='1']")
            assert [cell(i).get_attribute("data-label") for i in (0, 13, 26, 28)] == ["0", "3", "10", "x"]
            assert errors == []
            assert all(r.startswith(url) for r in requests), [r for r in requests if not r.startswith(url)]
        finally:
            browser.close()
