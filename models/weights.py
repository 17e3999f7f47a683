"""Where the kill-reader weights live, without importing torch.

The driver (``vodstream run`` / ``analyze``) checks ``--model`` and fingerprints the weights for
``--resume`` before any network is loaded; it never loads a network itself (the scorer actors
do), so it needs these paths but not torch (~3 s of start-up on a 2-core machine).
:mod:`models.net` re-exports them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BOX_WEIGHTS", "DEFAULT_WEIGHTS", "reader_weights"]

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "digits.pt"
BOX_WEIGHTS = Path(__file__).resolve().parent / "scorebox.pt"


def reader_weights(path: Path | str | None) -> tuple[Path, Path]:
    """The (digit CNN, score-box reader) weights a ``--model PATH`` names.

    PATH is a folder written by ``vodstream train --labels`` (``digits.pt``, and ``scorebox.pt``
    when the box reader was fine-tuned too) or a digit CNN ``.pt`` file; whatever it does not
    hold comes from the shipped weights. None: both shipped. FileNotFoundError when PATH is
    missing or a folder without ``digits.pt``.
    """
    if path is None:
        return DEFAULT_WEIGHTS, BOX_WEIGHTS
    p = Path(path)
    if p.is_dir():
        if not (p / DEFAULT_WEIGHTS.name).is_file():
            raise FileNotFoundError(f"{p} holds no {DEFAULT_WEIGHTS.name} (not a model folder)")
        box = p / BOX_WEIGHTS.name
        return p / DEFAULT_WEIGHTS.name, box if box.is_file() else BOX_WEIGHTS
    if not p.is_file():
        raise FileNotFoundError(f"no weights at {p}")
    return p, BOX_WEIGHTS
