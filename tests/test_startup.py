"""Start-up cost: what each process of a run imports (issue 16: imports only where needed).

The driver plans the run (CLI, ``--model`` check, the weights' fingerprint for ``--resume``,
the actor graph's module) and never loads a network, so it must not import torch (~3 s of
CPU on the 2-core reference machine); the decoder and the fetcher do not need torch either.
Each check runs in a fresh interpreter so that nothing imported by the test session counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.subproc import python_stdout

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "sklearn", "scipy", "tesserocr", "pytesseract")


def _imported_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = python_stdout(probe)
    mods = json.loads(out.strip().splitlines()[-1])
    return [m for m in HEAVY if m in mods]


def test_driver_plans_a_run_without_torch() -> None:
    code = (
        "from vodstream.cli.app import build_parser\n"
        "build_parser()\n"
        "from vodstream.cli.commands.run import check_model\n"
        "from models.weights import DEFAULT_WEIGHTS, reader_weights\n"
        "check_model(DEFAULT_WEIGHTS.parent)\n"
        "import hashlib\n"
        "for f in reader_weights(None): hashlib.sha256(f.read_bytes())\n"
        "import actors.pipeline\n"
    )
    assert _imported_after(code) == []


@pytest.mark.parametrize(
    "code",
    [
        "import actors.decoder, vodstream.media.decode",
        "import actors.fetcher, vodstream.sources.fetch",
        "import actors.tracker, vodstream.matches.tracker",
    ],
)
def test_stage_workers_import_only_what_they_use(code: str) -> None:
    assert _imported_after(code) == []


def test_models_net_still_exports_the_weight_paths() -> None:
    from models import net, weights

    assert net.reader_weights is weights.reader_weights
    assert net.DEFAULT_WEIGHTS == weights.DEFAULT_WEIGHTS and net.BOX_WEIGHTS == weights.BOX_WEIGHTS
