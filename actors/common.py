"""Helpers shared by the actor wrappers: thread pinning and the small control-plane records.

Every stage actor returns two refs where it produces bulk data: a tiny *meta* dict the driver
reads (ok/error, counts) and the *data* ref that goes straight to the next actor. Bulk bytes and
pixels therefore never pass through the driver.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["Located", "actor_class", "error_text", "pin_threads"]

_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_threads(n: int = 1) -> None:
    """Keep one actor from oversubscribing the cores: OpenCV, torch and BLAS use ``n`` threads."""
    for var in _THREAD_VARS:
        os.environ[var] = str(n)
    # numpy's BLAS was loaded (with a thread per core) before the variables above were set: the
    # scorer's networks are numpy matrix products (vodstream.readers.cnn)
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    threadpool_limits(n)
    try:
        import cv2

        cv2.setNumThreads(n)
    except ImportError:  # pragma: no cover - cv2 is a dependency
        pass
    torch = sys.modules.get("torch")  # only where torch was imported (no stage actor imports it)
    if torch is not None:
        torch.set_num_threads(n)
        if torch.get_num_interop_threads() != n:
            try:
                torch.set_num_interop_threads(n)
            except RuntimeError:  # already set once in this process
                pass


class Located:
    """``where()``: the (node id, pid) an actor runs in (tests, diagnostics)."""

    def where(self) -> tuple[str, int]:
        import ray

        return ray.get_runtime_context().get_node_id(), os.getpid()


def actor_class(cls: type) -> Any:
    """A ``@ray.remote`` class as what it is at run time: a Ray actor class (``.remote``,
    ``.options``). mypy does not apply class decorators, so it would see the plain class."""
    return cls


def error_text(err: BaseException) -> str:
    """One line naming an error, for gaps in the report."""
    msg = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {msg}" if msg else type(err).__name__


def meta(ok: bool, **fields: Any) -> dict[str, Any]:
    return {"ok": ok, **fields}
