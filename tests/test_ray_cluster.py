"""The same job on a 2-node Ray cluster (``ray.cluster_utils.Cluster``) through ``--address``.

Each node has one CPU, so the decoder and the scorer land on different nodes; the clipper is
pinned to the driver's node and the clip and reports land here.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.raytools import clip_facts, compare, make_library

pytestmark = [pytest.mark.ray, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster():
    import ray
    from ray.cluster_utils import Cluster

    if ray.is_initialized():  # another module's shared Ray must not leak into this one
        ray.shutdown()
    c = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False, "object_store_memory": 150 * 1024 * 1024},
    )
    c.add_node(num_cpus=1, object_store_memory=150 * 1024 * 1024)
    c.wait_for_nodes()
    yield c
    if ray.is_initialized():
        ray.shutdown()
    c.shutdown()


def test_run_on_a_two_node_cluster(
    cluster: Any, synth_vod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ray

    from vodstream.cli.app import main
    from vodstream.testbed.server import ServerThread

    ids = make_library(synth_vod, tmp_path / "lib")
    truth = json.loads((synth_vod / "truth.json").read_text())
    out = tmp_path / "out"
    with ServerThread(tmp_path / "lib") as srv:
        rc = main(
            [
                "-q",
                "run",
                ids[0],
                "--out",
                str(out),
                "--address",
                cluster.address,
                "--twitch-base",
                srv.base_url,
                "--data-dir",
                str(tmp_path / "data"),
                "--no-progress",
            ]
        )
    assert rc == 0
    assert not ray.is_initialized()  # the run disconnected from the cluster it joined
    stdout = capsys.readouterr().out
    rep = json.loads((out / ids[0] / "report.json").read_text())
    assert rep["settings"]["address"] == cluster.address
    assert rep["settings"]["ray_nodes"] == 2  # decoder and scorer on different nodes
    got = compare(truth, rep)
    assert got["found"] == got["want"] and got["extra"] == 0 and got["kills_ok"] == got["found"], got
    clip = out / ids[0] / rep["clips"][0]
    assert clip_facts(clip)["frames"] > 0
    assert str(clip) in stdout
    logging.getLogger(__name__).debug("cluster report timings %s", rep["timings"])
