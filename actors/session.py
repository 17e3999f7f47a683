"""Starting and joining Ray: the embedded default or a cluster (``--address``).

The one place that calls ``ray.init``; :func:`ray_session` shuts down only what it started.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ray
import structlog

import actors
import vodstream

__all__ = ["OBJECT_STORE_BYTES", "client_mode", "ray_session"]

log = structlog.get_logger(__name__)

OBJECT_STORE_BYTES = 256 * 1024 * 1024


def client_mode() -> bool:
    """True when this driver talks to the cluster through Ray Client (``ray://``)."""
    return bool(ray.util.client.ray.is_connected())


@contextmanager
def ray_session(
    address: str | None = None, *, num_cpus: int | None = None, ship_code: bool = False, verbose: bool = False
) -> Iterator[None]:
    """Connect to ``address`` (a cluster) or start the embedded default; shut down what we started.

    An already-initialised Ray (a test fixture, a notebook) is used as is.
    """
    if ray.is_initialized():
        yield
        return
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "logging_level": logging.DEBUG if verbose else logging.ERROR,
        "log_to_driver": verbose,
        "namespace": "vodstream",
    }
    if ship_code:
        mods = [Path(vodstream.__file__).parent, Path(actors.__file__).parent]
        models = Path(vodstream.__file__).parent.parent / "models"
        if models.is_dir():
            mods.append(models)
        kwargs["runtime_env"] = {"py_modules": [str(m) for m in mods]}
    _driver_messages_off_stdout(verbose)
    if address:
        log.info("connecting to Ray", address=address)
        ray.init(address=address, **kwargs)
    else:
        cpus = num_cpus or os.cpu_count() or 2
        # "local": always our own embedded Ray, even when a `ray start` cluster runs on this machine
        # (plain ray.init() would join it, and then refuses num_cpus)
        ray.init(address="local", num_cpus=cpus, object_store_memory=OBJECT_STORE_BYTES, **kwargs)
    if verbose:
        _worker_logs_to_stderr()
    try:
        yield
    finally:
        ray.shutdown()


_RAY_PRINT: dict[str, Any] = {}  # Ray's own print_to_stdstream, kept once


def _driver_messages_off_stdout(verbose: bool) -> None:
    """Ray's error listener prints the cluster's error messages ("an actor died", "a worker was
    killed") on the driver's stdout, log_to_driver or not. stdout carries results only: with ``-v``
    they go to stderr, otherwise they are dropped (vodstream reports the failures it handles)."""
    try:
        from ray._private import worker as ray_worker

        original = _RAY_PRINT.setdefault("print", ray_worker.print_to_stdstream)
    except (ImportError, AttributeError):  # another Ray layout: leave its printing alone
        return

    def to_stderr(data: dict[str, Any], ignore_prefix: bool) -> None:
        if verbose:
            original({**data, "is_err": True}, ignore_prefix)

    ray_worker.print_to_stdstream = to_stderr


def _worker_logs_to_stderr() -> None:
    """Ray prints the workers' stdout lines on the driver's stdout (coloured); stdout carries
    results only, so with ``-v`` every worker line goes to stderr, plain, with its actor's name."""
    try:
        from ray._private import worker as ray_worker

        dispatcher = ray_worker.global_worker_stdstream_dispatcher
    except (ImportError, AttributeError):  # another Ray layout: leave its printing alone
        return

    def to_stderr(data: dict[str, Any]) -> None:
        if data.get("pid") == "autoscaler":
            return  # the embedded cluster's status chatter
        who = data.get("actor_name") or data.get("task_name") or "ray"
        for line in data.get("lines") or []:
            sys.stderr.write(f"({who} pid={data.get('pid')}) {line}\n")

    dispatcher.remove_handler("ray_print_logs")
    dispatcher.add_handler("ray_print_logs", to_stderr)
