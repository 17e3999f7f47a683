"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
APEX_REAL = SHARED / "fixtures" / "apex-real"
TWITCH_FIXTURES = SHARED / "fixtures" / "twitch"


@pytest.fixture(scope="session")
def apex_real() -> Path:
    """The real Apex frames (evaluation only). Skips where ../shared is absent."""
    if not APEX_REAL.is_dir():
        pytest.skip("../shared/fixtures/apex-real is not present")
    return APEX_REAL


@pytest.fixture(scope="session")
def twitch_fixtures() -> Path:
    if not TWITCH_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/twitch is not present")
    return TWITCH_FIXTURES


@pytest.fixture(scope="session")
def synth_test_vod(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``test`` preset rendered once per session: DIR/<vod_id>/ in Twitch layout.

    76 s, 1280x720p30 (chunked) + 852x480p30, 3 matches (starts mid-match, a whole match with
    spectating, ends mid-match); ``truth.json`` and ``vod.json`` inside. Treat it as read-only.
    """
    from vodstream.testbed import synth

    return synth.synthesize(synth.preset("test"), tmp_path_factory.mktemp("synth_test_vod"))


@pytest.fixture(scope="session")
def synth_vod(synth_test_vod: Path) -> Path:
    """The synthetic test VOD directory, under the name the Ray tests use."""
    return Path(synth_test_vod)


@pytest.fixture(scope="module")
def ray_local():
    """One embedded Ray per test module (2 CPUs, a small object store, quiet workers)."""
    import logging

    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=200 * 1024 * 1024,
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    yield
    ray.shutdown()


@pytest.fixture(autouse=True)
def _keep_logging_config():
    """cli.main() configures structlog for the process (stderr = pytest's capture file then);
    put the previous configuration back so later tests never log to a closed file."""
    import structlog

    saved = structlog.get_config()
    yield
    structlog.configure(**saved)
