"""Pipeline throughput and memory on the embedded default: VOD-hours analysed per wall-hour, peak memory.

Serves a synthetic VOD with the local Twitch-compatible server (``--repeat`` turns one VOD into a
VOD N times as long), runs ``vodstream analyze`` on it in a child process (the embedded
``ray.init()`` default, exactly what a user runs) and samples the memory of the whole process tree
(driver, raylet, GCS, every worker) from /proc: PSS, so pages shared through the object store are
counted once. Memory must not grow with VOD length: compare the rows for repeat 1 and repeat N.

    python benchmarks/pipeline_bench.py [--vod-dir DIR] [--repeat 1,4] [--runs 3]

Prints a table (medians over --runs) and writes benchmarks/out/pipeline_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _children(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            f = fh.read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return -1


def children_cpu() -> float:
    """CPU seconds of this process's reaped children (a floor for a tree the probe sampled)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class TreeProbe(threading.Thread):
    """Samples a process tree: the peak of its summed PSS and the CPU seconds of every process seen."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_kib = 0
        self.ticks: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = _children(self.pid)
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in pids))
            for p in pids:
                t = _cpu_ticks(p)
                if t >= 0:
                    self.ticks[p] = max(self.ticks.get(p, 0), t)
            self._halt.wait(self.every)

    @property
    def cpu_s(self) -> float:
        return sum(self.ticks.values()) / TICK

    def stop(self) -> float:
        """Stop sampling; the peak summed PSS in MiB."""
        self._halt.set()
        self.join()
        return self.peak_kib / 1024


@dataclass
class Measured:
    """One command run under a :class:`TreeProbe`."""

    proc: subprocess.CompletedProcess[str]
    wall_s: float
    peak_mib: float  # summed PSS of the whole process tree (Ray workers included)
    cpu_s: float


def measured_run(cmd: list[str]) -> Measured:
    """Run ``cmd`` from the repository root under a :class:`TreeProbe`."""
    cpu0 = children_cpu()
    t0 = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    probe = TreeProbe(proc.pid)
    probe.start()
    out, err = proc.communicate()
    wall = time.monotonic() - t0
    peak = probe.stop()
    cpu = max(probe.cpu_s, children_cpu() - cpu0)
    return Measured(subprocess.CompletedProcess(cmd, proc.returncode, out, err), wall, peak, cpu)


def analyze_cmd(command: str, ids: list[str], out: str | Path, base_url: str, *extra: str) -> list[str]:
    """``python -m vodstream -q COMMAND IDS`` against a local server, quiet, without catalogue."""
    return [
        sys.executable,
        "-m",
        "vodstream",
        "-q",
        command,
        *ids,
        "--out",
        str(out),
        "--twitch-base",
        base_url,
        "--no-catalog",
        "--no-progress",
        *extra,
    ]


def _make_vod(where: Path, preset: str) -> Path:
    from vodstream.testbed import synth

    script = synth.preset(preset)
    return Path(synth.synthesize(script, where))


def run_once(
    vod_dir: Path, repeat: int, extra: list[str], keep: dict[str, Any] | None = None
) -> dict[str, float]:
    from vodstream.testbed.server import ServerThread

    vod_id = json.loads((vod_dir / "vod.json").read_text()).get("vod_id", vod_dir.name)
    with ServerThread(vod_dir.parent, repeat=repeat) as srv, tempfile.TemporaryDirectory() as tmp:
        m = measured_run(analyze_cmd("analyze", [str(vod_id)], tmp, srv.base_url, *extra))
        proc, wall, peak = m.proc, m.wall_s, m.peak_mib
        if proc.returncode != 0:
            raise SystemExit(f"analyze failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        report = json.loads((Path(tmp) / str(vod_id) / "report.json").read_text())
    if keep is not None:
        keep["report"] = report
    hours = report["analysed_hours"]
    t = report["timings"]
    return {
        "vod_hours": hours,
        "wall_s": wall,
        "analyse_s": t["analyse_all_s"],
        "startup_s": t["actors_start_s"],
        "vod_h_per_wall_h": hours / (wall / 3600),
        "vod_h_per_analyse_h": hours / (t["analyse_all_s"] / 3600),
        "peak_pss_mib": peak,
        "matches": len(report["matches"]),
        "segments": report["segments"]["apex"],
    }


def quality_sweep(vod_dirs: list[Path], qualities: list[str]) -> list[dict[str, Any]]:
    """Analyse each VOD at each variant; score every report against the VOD's truth.json."""
    from vodstream.report.document import compare_to_truth

    rows = []
    for vod_dir in vod_dirs:
        truth = json.loads((vod_dir / "truth.json").read_text())
        for q in qualities:
            keep: dict[str, Any] = {}
            r = run_once(vod_dir, 1, ["--analyze-quality", q], keep)
            c = compare_to_truth(truth, keep["report"])
            rows.append(
                {
                    "vod": vod_dir.name,
                    "quality": keep["report"]["settings"]["analyze_quality"],
                    "asked": q,
                    "analyse_s": r["analyse_s"],
                    **c,
                }
            )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vod-dir", type=Path, default=None, help="a synth VOD dir (default: render --preset)")
    ap.add_argument("--preset", default="test", help="synth preset to render when --vod-dir is not given")
    ap.add_argument("--repeat", default="1,4", help="comma list of server repeat factors (VOD length x N)")
    ap.add_argument("--runs", type=int, default=3, help="runs per row (median reported)")
    ap.add_argument("--analyze-quality", default=None)
    ap.add_argument("--args", default="", help="more `vodstream analyze` options, e.g. '--decoders 2'")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "pipeline_bench.json")
    ap.add_argument(
        "--quality-sweep",
        default=None,
        metavar="Q1,Q2",
        help="instead: accuracy vs truth.json per analysis variant (e.g. chunked,720p30,480p30); "
        "--vod-dir may then be given several times",
    )
    ap.add_argument("--more-vods", type=Path, nargs="*", default=[], help="more VOD dirs for --quality-sweep")
    args = ap.parse_args()
    if args.quality_sweep:
        dirs = [d for d in [args.vod_dir, *args.more_vods] if d]
        rows = quality_sweep(dirs, args.quality_sweep.split(","))
        print(
            f"{'vod':<12} {'variant':<8} {'matches':>7} {'extra':>5} {'bounds':>6} {'kills':>5} "
            f"{'place':>5} {'best':>5} {'analyse s':>9}"
        )
        for r in rows:
            print(
                f"{r['vod']:<12} {r['quality']:<8} {r['found']:>3}/{r['want']:<3} {r['extra']:>5} "
                f"{r['bounds_ok']:>6} {r['kills_ok']:>5} {r['placement_ok']:>3}/{r['placed']:<1} "
                f"{'ok' if r['best_ok'] else 'WRONG':>5} {r['analyse_s']:>9.1f}"
            )
        out = args.out.with_name("pipeline_quality_sweep.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"wrote {out}")
        return 0
    extra = ["--analyze-quality", args.analyze_quality] if args.analyze_quality else []
    extra += args.args.split()
    with tempfile.TemporaryDirectory() as tmp:
        vod_dir = args.vod_dir or _make_vod(Path(tmp) / "lib", args.preset)
        rows = []
        for rep in [int(x) for x in args.repeat.split(",")]:
            runs = [run_once(vod_dir, rep, extra) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            med["repeat"] = rep
            med["runs"] = len(runs)
            rows.append(med)
    cpu = os.cpu_count()
    print(
        f"vodstream analyze {' '.join(extra)}, embedded Ray default, {cpu} CPUs; "
        f"medians of {args.runs} run(s)"
    )
    print(
        f"{'repeat':>6} {'VOD h':>7} {'segs':>5} {'wall s':>7} {'start s':>7} {'analyse s':>9} "
        f"{'VODh/wall-h':>11} {'VODh/analyse-h':>14} {'peak PSS MiB':>12}"
    )
    for r in rows:
        print(
            f"{r['repeat']:>6} {r['vod_hours']:>7.3f} {r['segments']:>5.0f} {r['wall_s']:>7.1f} "
            f"{r['startup_s']:>7.1f} {r['analyse_s']:>9.1f} {r['vod_h_per_wall_h']:>11.1f} "
            f"{r['vod_h_per_analyse_h']:>14.1f} {r['peak_pss_mib']:>12.0f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cpus": cpu, "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
