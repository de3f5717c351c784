"""Part 2, harness cost: the unit suite's wall time (serial, and as `make test` runs it), its test cases, and the helm
processes it starts against the distinct renders it needs (the harness caches renders, so each should start helm
once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import load_average
from bench.stats import Summary
from sequential_job.paths import ROOT

# xdist-2 is what `make test` runs (publishing tests grouped on one worker)
MODES = {"serial": ["-p", "no:xdist"], "xdist-2": ["-n", "2", "--dist", "loadgroup"]}
FULL = {"repetitions": 3}
QUICK = {"repetitions": 1}


def run_suite(mode: str) -> tuple[float, list[dict[str, Any]], str]:
    """One pytest run of the unit suite in a subprocess; returns its wall time, every process's counters, its tail."""
    with tempfile.TemporaryDirectory(prefix="bench-counters-") as tmp:
        env = dict(os.environ, BENCH_COUNTERS_DIR=tmp, PYTHONPATH=str(ROOT))  # so `-p bench.pytest_counters` loads
        cmd = [sys.executable, "-m", "pytest", "tests", "--ignore=tests/e2e", "-q", "-p", "bench.pytest_counters"]
        start = time.perf_counter()
        proc = subprocess.run([*cmd, *MODES[mode]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        elapsed = time.perf_counter() - start
        tail = "\n".join(proc.stdout.strip().splitlines()[-3:])
        if proc.returncode != 0:
            raise RuntimeError(f"the unit suite failed ({mode}), so its cost means nothing:\n{proc.stdout[-4000:]}")
        counters = [json.loads(p.read_text()) for p in sorted(Path(tmp).glob("*.json"))]
    return elapsed, counters, tail


def account(counters: list[dict[str, Any]]) -> dict[str, Any]:
    """Helm processes, distinct renders and test cases of one pytest run, over all its pytest processes."""
    main = next(c for c in counters if c["worker"] == "main")
    workers = [c for c in counters if c["worker"] != "main"] or [main]
    processes = [p for c in workers for p in c["processes"]]
    renders = [p for p in processes if p["origin"] == "render"]
    misses = sum(c["render_cache"]["misses"] for c in workers)
    # The same helm command line (and stdin) started more than once, within one process or across xdist workers.
    repeats = sum(n - 1 for n in Counter(p["digest"] for p in processes).values() if n > 1)
    repeated_renders = sum(n - 1 for n in Counter(p["digest"] for p in renders).values() if n > 1)
    return {
        "pytest_processes": len(counters),
        "test_cases": sum(main["outcomes"].values()),
        "outcomes": main["outcomes"],
        "helm_processes": len(processes),
        "helm_processes_by_binary": dict(Counter(p["helm"] for p in processes)),
        "helm_processes_by_command": dict(Counter(p["command"] for p in processes)),
        "helm_processes_by_origin": dict(Counter(p["origin"] for p in processes)),
        "render_cache_misses": misses,
        "render_cache_hits": sum(c["render_cache"]["hits"] for c in workers),
        "render_processes": len(renders),
        "distinct_renders": len({p["digest"] for p in renders}),
        "distinct_helm_commands": len({p["digest"] for p in processes}),
        "repeated_helm_processes": repeats,
        "repeated_render_processes": repeated_renders,
    }


def run(quick: bool, log=print) -> dict[str, Any]:
    reps = (QUICK if quick else FULL)["repetitions"]
    walls: dict[str, list[float]] = {m: [] for m in MODES}
    accounts: dict[str, dict[str, Any]] = {}
    load_before = load_average()
    for rep in range(reps):
        for mode in MODES if rep % 2 == 0 else reversed(list(MODES)):  # alternate which mode runs first
            elapsed, counters, tail = run_suite(mode)
            walls[mode].append(elapsed)
            accounts[mode] = account(counters)  # the counts do not vary between repetitions; keep the last
            log(f"  harness: {mode} run {rep + 1}/{reps}: {elapsed:.1f}s ({tail.splitlines()[-1] if tail else ''})")
    return {
        "repetitions": reps,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "wall_seconds": {m: Summary.of(walls[m]).as_dict() for m in MODES},
        "samples": walls,
        "counts": accounts,
    }
