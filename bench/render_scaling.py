"""Part 1, render scaling: `helm template` wall time and output size for chains of n trivial steps, Helm 4 and Helm 3
measured in the same run, interleaved, several repetitions each."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import HELMS, helm_template, load_average, write_values
from bench.stats import Line, Summary
from sequential_job.values import chain

FULL = {"sizes": (1, 10, 50, 200, 500), "repetitions": 7}
QUICK = {"sizes": (1, 10, 50), "repetitions": 3}


def timed_renders(
    files: dict[int, Path], reps: int, seed: int, what: str, log=print
) -> tuple[dict[str, dict[int, list[float]]], dict[str, dict[int, int]]]:
    """`helm template` of each values file (keyed by its size) with each helm, `reps` times: the wall times and the
    output bytes (which must not change between repetitions), per helm and size."""
    times: dict[str, dict[int, list[float]]] = {h: {n: [] for n in files} for h in HELMS}
    sizes_out: dict[str, dict[int, int]] = {h: {} for h in HELMS}
    first = next(iter(files.values()))
    for helm in HELMS:  # warm the page cache and helm's own start-up once, not measured
        helm_template(helm, first)
    rng = random.Random(seed)  # a fixed seed, so the order is reproducible
    for rep in range(reps):
        # Every (size, helm) pair once per repetition, in a shuffled order: drift in the machine's load lands on
        # both helms and all sizes alike instead of on whichever ran last.
        order = [(n, h) for n in files for h in HELMS]
        rng.shuffle(order)
        for n, helm in order:
            start = time.perf_counter()
            proc = helm_template(helm, files[n])
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                raise RuntimeError(f"{helm} template of {n} {what} failed:\n{proc.stderr}")
            times[helm][n].append(elapsed)
            size = len(proc.stdout.encode())
            if sizes_out[helm].setdefault(n, size) != size:
                raise RuntimeError(f"{helm} rendered {n} {what} to {size} bytes, before {sizes_out[helm][n]}")
        log(f"  {what}: repetition {rep + 1}/{reps} done")
    return times, sizes_out


def run(quick: bool, log=print) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    sizes, reps = plan["sizes"], plan["repetitions"]
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        files = {n: write_values(Path(tmp), f"chain-{n}", chain(n)) for n in sizes}
        times, sizes_out = timed_renders(files, reps, seed=6, what="steps", log=log)  # 6: issue 6
    results: dict[str, Any] = {
        "sizes": list(sizes),
        "repetitions": reps,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "helms": {},
    }
    for helm in HELMS:
        summaries = {n: Summary.of(times[helm][n]) for n in sizes}
        medians = [summaries[n].median for n in sizes]
        fit = Line.fit(list(sizes), medians)
        size_fit = Line.fit(list(sizes), [sizes_out[helm][n] for n in sizes])
        first, last = sizes[0], sizes[-1]
        mid = sizes[-2]
        ref = 50 if 50 in sizes and last != 50 else mid
        results["helms"][helm] = {
            "seconds": {str(n): summaries[n].as_dict() for n in sizes},
            "samples": {str(n): times[helm][n] for n in sizes},
            "output_bytes": {str(n): sizes_out[helm][n] for n in sizes},
            "time_fit": fit.as_dict(),
            "bytes_fit": size_fit.as_dict(),
            # Time per added step over the lower and the upper part of the range: equal when growth is linear.
            "marginal_seconds_per_step": {
                f"{first}-{mid}": (summaries[mid].median - summaries[first].median) / (mid - first),
                f"{mid}-{last}": (summaries[last].median - summaries[mid].median) / (last - mid),
            },
            # t(500)/t(50): 10 would be pure proportionality; helm's fixed start-up cost keeps it below that.
            "ratio": {
                "of": [last, ref],
                "time": summaries[last].median / summaries[ref].median,
                "bytes": sizes_out[helm][last] / sizes_out[helm][ref],
            },
        }
    return results
