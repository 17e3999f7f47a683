"""Load: N VODs in one `vodstream analyze` through the local Twitch server; right results, bounded memory.

Renders the ``test`` preset once, serves it under N VOD ids (the same bytes, each its own VOD to
the client and the server), runs ``vodstream analyze ID1 ... IDN`` in a child process and samples
the summed PSS of the whole process tree (driver, raylet, GCS, every Ray worker). Every report is
scored against the truth; memory is compared with a one-VOD run of the same command.

    python benchmarks/load.py [--vods 8] [--runs 1]

Prints a table and writes benchmarks/out/load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline_bench import analyze_cmd, measured_run


def make_library(work: Path, n: int) -> tuple[Path, list[str], dict[str, Any]]:
    """One rendered VOD served as ``n`` VODs: copies whose vod.json/truth.json carry new ids."""
    from vodstream.testbed import synth

    lib = work / "lib"
    first = Path(synth.synthesize(synth.preset("test"), lib))
    truth = json.loads((first / "truth.json").read_text())
    ids = [str(truth["vod_id"])]
    for i in range(1, n):
        vid = str(int(truth["vod_id"]) + 1000 + i)
        dst = lib / vid
        shutil.copytree(first, dst)
        for name in ("vod.json", "truth.json"):
            d = json.loads((dst / name).read_text())
            d["vod_id"] = vid
            (dst / name).write_text(json.dumps(d))
        ids.append(vid)
    return lib, ids, truth


def run_once(lib: Path, ids: list[str], work: Path) -> dict[str, Any]:
    from vodstream.report.document import compare_to_truth
    from vodstream.testbed.server import ServerThread

    out = Path(tempfile.mkdtemp(dir=work, prefix="out-"))
    with ServerThread(lib) as srv:
        m = measured_run(analyze_cmd("analyze", ids, out, srv.base_url))
        proc, wall, peak = m.proc, m.wall_s, m.peak_mib
        err = proc.stderr
    right = 0
    hours = 0.0
    for vid in ids:
        try:
            report = json.loads((out / vid / "report.json").read_text())
        except (OSError, ValueError):
            continue
        truth = json.loads((lib / vid / "truth.json").read_text())
        c = compare_to_truth(truth, report)
        right += int(
            c["found"] == c["want"] and not c["extra"] and c["kills_ok"] == c["found"] and c["best_ok"]
        )
        hours += float(report.get("analysed_hours") or 0.0)
    shutil.rmtree(out, ignore_errors=True)
    return {
        "vods": len(ids),
        "exit": proc.returncode,
        "wall_s": wall,
        "peak_pss_mib": peak,
        "right": right,
        "vod_hours": hours,
        "stderr_tail": err.strip().splitlines()[-1:],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vods", type=int, default=8)
    ap.add_argument("--runs", type=int, default=1, help="runs per row (median reported)")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "out" / "load.json")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="vodstream-load-") as tmp:
        work = Path(tmp)
        lib, ids, _ = make_library(work, args.vods)
        for n in (1, args.vods):
            runs = [run_once(lib, ids[:n], work) for _ in range(args.runs)]
            rows.append(
                {
                    "vods": n,
                    "exit": max(r["exit"] for r in runs),
                    "right": min(r["right"] for r in runs),
                    "wall_s": statistics.median(r["wall_s"] for r in runs),
                    "peak_pss_mib": statistics.median(r["peak_pss_mib"] for r in runs),
                    "vod_hours": runs[0]["vod_hours"],
                    "stderr_tail": runs[-1]["stderr_tail"],
                }
            )
    print(
        f"{'VODs':>4}  {'exit':>4}  {'right':>5}  {'wall s':>7}  {'VOD-h/wall-h':>12}  {'peak PSS MiB':>12}"
    )
    for r in rows:
        rate = r["vod_hours"] / (r["wall_s"] / 3600) if r["wall_s"] else 0.0
        print(
            f"{r['vods']:>4}  {r['exit']:>4}  {r['right']:>2}/{r['vods']:<2}  {r['wall_s']:>7.1f}  "
            f"{rate:>12.1f}  {r['peak_pss_mib']:>12.0f}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"meta": {"cpus": os.cpu_count(), "runs": args.runs}, "rows": rows}, indent=1)
    )
    return 0 if all(r["right"] == r["vods"] and r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
