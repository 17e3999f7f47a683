"""Ray's cluster error messages never reach stdout (stdout carries results only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ray._private import worker as ray_worker

from actors import session

RAYLET_LINE = {
    "lines": ["A worker died or was killed while executing a task"],
    "pid": "raylet",
    "is_err": False,
}


@pytest.fixture
def restore_ray_print() -> Iterator[None]:
    before = ray_worker.print_to_stdstream
    yield
    ray_worker.print_to_stdstream = before


def test_raylet_messages_go_to_stderr_with_verbose(
    restore_ray_print: None, capsys: pytest.CaptureFixture[str]
) -> None:
    session._driver_messages_off_stdout(verbose=True)
    ray_worker.print_to_stdstream(dict(RAYLET_LINE), ignore_prefix=False)
    out, err = capsys.readouterr()
    assert out == ""
    assert "worker died" in err


def test_raylet_messages_are_dropped_without_verbose(
    restore_ray_print: None, capsys: pytest.CaptureFixture[str]
) -> None:
    session._driver_messages_off_stdout(verbose=False)
    ray_worker.print_to_stdstream(dict(RAYLET_LINE), ignore_prefix=False)
    assert capsys.readouterr() == ("", "")


def test_without_the_reroute_ray_prints_them_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    # what the reroute is for: Ray's own printer sends the error listener's lines to stdout
    original = session._RAY_PRINT.get("print", ray_worker.print_to_stdstream)
    original(dict(RAYLET_LINE), ignore_prefix=False)
    assert "worker died" in capsys.readouterr().out
