"""Every path a user types works in every form: relative, absolute, ``~``, ``.``, with spaces.

The CLI resolves path options once, at the edge (vodstream.cli.app.resolve_paths); these tests run
the real commands from a temporary working directory whose name holds a space.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from media import encode_file

from tests.twitch_helpers import make_vod
from vodstream.cli.app import COMMANDS, build_parser, resolve_paths

REPO = Path(__file__).resolve().parents[1]


def cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "vodstream", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    d = tmp_path / "my work dir"
    d.mkdir()
    return d


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _argv(command: str, p: argparse.ArgumentParser, target: argparse.Action, value: str) -> list[str]:
    """argv for ``command`` giving ``value`` to ``target`` and a plain value to every other
    required argument (a relative path where it is a path, else a VOD id)."""
    argv = [command]
    for a in p._actions:
        if a is target or not (a.required or not a.option_strings) or a.nargs == 0:
            continue
        if isinstance(a, argparse._SubParsersAction) or a.dest == "help":
            continue
        filler = "other/rel" if a.type is Path else "123"
        argv += [a.option_strings[0], filler] if a.option_strings else [filler]
    argv += [target.option_strings[0], value] if target.option_strings else [value]
    return argv


def test_every_path_option_of_every_command_is_made_absolute(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    parser = build_parser()
    subs = _subparsers(parser)
    assert set(subs) == set(COMMANDS)
    forms = {
        "rel dir/x": tmp_path / "rel dir" / "x",
        ".": tmp_path,
        "~/a b": tmp_path / "home" / "a b",
        "./sub/../y": tmp_path / "y",
        str(tmp_path / "abs"): tmp_path / "abs",
    }
    checked = 0
    for command, p in subs.items():
        exclusive = {a for g in p._mutually_exclusive_groups for a in g._group_actions}
        for target in (a for a in p._actions if a.type is Path):
            for given, want in forms.items():
                argv = _argv(command, p, target, given)
                if target in exclusive:  # e.g. synth --script instead of --preset
                    argv = [x for x in argv if x != "--preset"]
                args = resolve_paths(parser.parse_args(argv))
                expected = [want] if isinstance(target, argparse._AppendAction) else want  # train --labels
                assert getattr(args, target.dest) == expected, (command, target.dest, given)
                assert all(v.is_absolute() for v in vars(args).values() if isinstance(v, Path)), argv
                checked += 1
    assert checked >= 10 * len(forms), checked  # run/analyze --out, serve --root, clip REPORT, ...


def test_serve_a_relative_root_with_spaces(cwd: Path) -> None:
    make_vod(cwd / "served vods", "2100001", n=2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vodstream", "serve", "--root", "served vods", "--port", "0"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        m = re.fullmatch(r"serving (http://127\.0\.0\.1:\d+)", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        # a client fetches the whole VOD through GQL, usher and the CDN paths
        (cwd / "got it").mkdir()
        got = cli("download", "2100001", "-o", "got it/vod.ts", "--twitch-base", m.group(1), cwd=cwd)
        assert got.returncode == 0, got.stderr
        assert (cwd / "got it" / "vod.ts").stat().st_size > 1000
    finally:
        proc.terminate()
        proc.wait(10)


def test_download_a_relative_local_file_to_a_tilde_path(cwd: Path) -> None:
    (cwd / "my clips").mkdir()
    encode_file(cwd / "my clips" / "game one.mp4", seconds=3.0, gop_seconds=1.0)
    home = cwd.parent / "home dir"
    (home / "out dir").mkdir(parents=True)
    got = cli(
        "download", "my clips/game one.mp4", "-o", "~/out dir/game.ts", cwd=cwd, env={"HOME": str(home)}
    )
    assert got.returncode == 0, got.stderr
    out = home / "out dir" / "game.ts"
    assert out.is_file() and out.stat().st_size > 1000
    # relative output, "." in the path, the VOD given as ./file
    got = cli("download", "./my clips/game one.mp4", "-o", "./sub/../game2.ts", cwd=cwd)
    assert got.returncode == 0, got.stderr
    assert (cwd / "game2.ts").is_file()


def test_clip_a_relative_report_to_a_relative_output(cwd: Path, synth_test_vod: Path) -> None:
    """`clip` takes a report folder and -o relative to the cwd (its VOD a relative local file)."""
    import shutil

    shutil.copytree(synth_test_vod, cwd / "vod dir")
    truth = json.loads((cwd / "vod dir" / "truth.json").read_text())
    m = truth["matches"][1]
    report_dir = cwd / "res dir" / "r"
    report_dir.mkdir(parents=True)
    report = {
        "vod_id": truth["vod_id"],
        "duration": truth["duration"],
        "best": 0,
        "source": str(cwd / "vod dir"),
        "matches": [{"start": m["start"], "end": m["end"], "kills": 1}],
    }
    (report_dir / "report.json").write_text(json.dumps(report))
    got = cli("clip", "res dir/r", "-o", "clips out/best.mp4", cwd=cwd)
    assert got.returncode == 0, got.stderr
    assert (cwd / "clips out" / "best.mp4").stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.ray
def test_make_demo_twice_from_a_path_with_a_space(tmp_path: Path) -> None:
    """The README's first command, from a folder whose name holds a space, twice in a row.

    ``make demo`` runs against a copy of this checkout with the test's own interpreter standing
    in for the virtual environment (no install), on the quick ``test`` preset: the first run
    renders the VOD, the second reuses it and says so; both get the best match right."""
    import shutil

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    clone = tmp_path / "a clone"
    shutil.copytree(
        REPO,
        clone,
        ignore=shutil.ignore_patterns(
            ".venv", "demo-out", "data", ".git", "__pycache__", "*.egg-info", "benchmarks"
        ),
    )
    venv = clone / ".venv"
    (venv / "bin").mkdir(parents=True)
    wrapper = venv / "bin" / "python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    (venv / ".installed").touch()
    env = {**os.environ, "PYTHONPATH": str(clone), "VODSTREAM_DATA_DIR": str(tmp_path / "data")}
    runs = []
    for _ in range(2):
        got = subprocess.run(
            ["make", "demo", "DEMO_ARGS=--preset test"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert got.returncode == 0, got.stdout[-2000:] + got.stderr[-3000:]
        runs.append(got)
    # stderr is not a terminal here, so the phase lines come as JSON events
    assert "rendering the 1.3-minute test VOD" in runs[0].stderr
    assert "reusing the demo VOD already rendered in" in runs[1].stderr
    for got in runs:
        assert "starting Ray" in got.stderr and "clipping the best match" in got.stderr
        assert "best match right" in got.stdout, got.stdout[-1500:]
        assert "best match clip:" in got.stdout
    clips = list((clone / "demo-out" / "results").glob("*/*.mp4"))
    assert clips and all(c.stat().st_size > 10_000 for c in clips)
