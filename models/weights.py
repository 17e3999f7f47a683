"""Where the kill-reader weights live, without importing torch.

The driver (``vodstream run`` / ``analyze``) checks ``--model`` and fingerprints the weights for
``--resume`` before any network is loaded; it never loads a network itself (the scorer actors
do), so it needs these paths but not torch (~3 s of start-up on a 2-core machine).
:mod:`models.net` re-exports them.
"""

from __future__ import annotations

import collections
import functools
import io
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "BOX_FIRST",
    "BOX_SECOND",
    "BOX_WEIGHTS",
    "DEFAULT_WEIGHTS",
    "FINDER_WEIGHTS",
    "SKULL_WEIGHTS",
    "finder_files",
    "model_files",
    "read_weights",
    "reader_weights",
    "second_opinion_file",
]

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "digits.pt"
# the score-box reader's outputs: 10 logits for the first digit, then 11 for the second (10 = none)
BOX_FIRST, BOX_SECOND = 10, 11
BOX_WEIGHTS = Path(__file__).resolve().parent / "scorebox.pt"
# the kill-box detector (models.net.FinderNet; training: models/finder.py)
FINDER_WEIGHTS = Path(__file__).resolve().parent / "finder.pt"
# the skull check (a two-class models.net.DigitNet; training: models/skullcheck.py)
SKULL_WEIGHTS = Path(__file__).resolve().parent / "skullcheck.pt"


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


def second_opinion_file(path: Path | str, meta: dict[str, Any]) -> Path | None:
    """The second-opinion detector a detector file's ``meta`` names (``meta["second_opinion"]``:
    a file beside ``path``; ``python -m models.finder --second-opinion``), or None."""
    name = meta.get("second_opinion")
    return Path(path).with_name(str(name)) if name else None


def finder_files(path: Path | str | None = None) -> tuple[Path, ...]:
    """The detector file ``path`` (None: the shipped :data:`FINDER_WEIGHTS`) and its second opinion
    (:func:`second_opinion_file`) where its meta names one; () when ``path`` is absent. The meta is
    read once per file version (the run's model fingerprint asks for every VOD)."""
    p = Path(FINDER_WEIGHTS if path is None else path)
    if not p.is_file():
        return ()
    st = p.stat()
    return _finder_files(str(p), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _finder_files(path: str, _size: int, _mtime_ns: int) -> tuple[Path, ...]:
    p = Path(path)
    second = second_opinion_file(p, read_weights(p)["meta"])
    return (p,) if second is None else (p, second)


def model_files(path: Path | str | None = None) -> tuple[Path, ...]:
    """Every weight file the kill reader loads for ``--model path`` (None: the shipped ones): the
    readers' (:func:`reader_weights`), then the detector and its second opinion
    (:func:`finder_files`), then the skull check. FileNotFoundError, naming the file, where one of
    them is missing (a broken install): the run stops before it starts, not in a scorer."""
    files = (*reader_weights(path), *finder_files(), SKULL_WEIGHTS)
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(
                f"model file {f} is missing (reinstall vodstream, or restore it: git checkout -- models/)"
            )
    return files


# -- reading the weight files without torch ----------------------------------------------------
# ``models.net.save_model`` writes ``torch.save({"arch", "state", "meta"})``: a zip holding a
# pickle whose tensors point at raw little-endian storages beside it. The scorer reads them here
# so that it never imports torch (~1.1 s of CPU and ~250 MB per process); models.net reads the
# same files with torch for training and evaluation.

_STORAGE_DTYPES = {
    "HalfStorage": "<f2",
    "FloatStorage": "<f4",
    "DoubleStorage": "<f8",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}


def _rebuild_tensor(
    storage: Any, offset: int, size: tuple[int, ...], stride: tuple[int, ...], *_: Any
) -> np.ndarray:
    flat: np.ndarray = storage
    if not size:
        return np.array(flat[offset])
    step = flat.itemsize
    view = np.lib.stride_tricks.as_strided(flat[offset:], shape=size, strides=[s * step for s in stride])
    return np.array(view)  # own copy, C order


class _WeightsUnpickler(pickle.Unpickler):
    """Only what ``save_model`` writes: dicts, numbers, strings, lists and tensors."""

    def __init__(self, data: bytes, storages: Callable[[str, str], np.ndarray]) -> None:
        super().__init__(io.BytesIO(data))
        self._storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _STORAGE_DTYPES[name]
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError(f"unexpected object in a weight file: {module}.{name}")

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) >= 3 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected storage reference {pid!r}")
        dtype = pid[1] if isinstance(pid[1], str) else None
        if dtype is None:
            raise pickle.UnpicklingError(f"unexpected storage type {pid[1]!r}")
        return self._storages(str(pid[2]), dtype)


def read_weights(path: Path | str) -> dict[str, Any]:
    """A weight file written by ``models.net.save_model``, read without torch: ``{"arch": dict,
    "state": {name: numpy array (float weights as float32)}, "meta": dict}``. ValueError when the
    file is not such a zip (e.g. an old pickle-only file: load it with ``models.net`` instead)."""
    path = Path(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise ValueError(f"{path} is not a weight file written by save_model: {err}") from err
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise ValueError(f"{path} is not a weight file written by save_model (no single data.pkl)")
        prefix = pkl[0][: -len("data.pkl")]
        order = zf.read(prefix + "byteorder").decode().strip() if prefix + "byteorder" in names else "little"
        if order != "little":
            raise ValueError(f"{path}: {order}-endian storages are not supported")

        def storage(key: str, dtype: str) -> np.ndarray:
            return np.frombuffer(zf.read(f"{prefix}data/{key}"), dtype=dtype)

        blob = _WeightsUnpickler(zf.read(pkl[0]), storage).load()
    if not isinstance(blob, dict) or "arch" not in blob or "state" not in blob:
        raise ValueError(f"{path} is not a weight file written by save_model (no arch/state)")
    state = {
        k: v.astype(np.float32) if v.dtype.kind == "f" else v
        for k, v in blob["state"].items()
        if isinstance(v, np.ndarray)
    }
    return {"arch": dict(blob["arch"]), "state": state, "meta": blob.get("meta", {})}
