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
