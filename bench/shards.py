"""Part `shards`: `helm template` wall time and rendered size for 10, 1 000 and 10 000 shards of a trivial 3-step
chain, Helm 4 and Helm 3 interleaved in a shuffled order per repetition; and the shard shapes and values the cluster
parts (bench/fanout.py) share.
"""

from __future__ import annotations

import json
import random
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.common import HELMS, helm_template, load_average, write_values
from bench.render_scaling import timed_renders
from bench.stats import Summary
from sequential_job.paths import VALUES_YAML
from sequential_job.values import IMAGE

SIZES = {"full": {"sizes": (10, 1000, 10000), "repetitions": 5}, "quick": {"sizes": (10, 1000), "repetitions": 2}}
PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "
# Shapes of shard: name -> the i-th shard, drawn from a generator seeded by the shape (so every n shares a prefix).
SHAPES: dict[str, Callable[[random.Random, int], str]] = {
    "date (10 chars)": lambda rng, i: f"d{i:09d}",
    "path (35 chars)": lambda rng, i: f"s3://bucket/day={i:06d}/part.parquet",
    "hex id (32 chars)": lambda rng, i: f"{rng.getrandbits(128):032x}",
    "printable (64 chars)": lambda rng, i: "".join(rng.choice(PRINTABLE) for _ in range(64)),
}
SHORT = "date (10 chars)"  # the shape the render part uses


def trivial_chain(shards: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """Three trivial steps (echo), fanned out over `shards` when given."""
    steps = [{"name": f"step-{i}", "image": IMAGE, "script": f"echo step-{i}"} for i in (1, 2, 3)]
    return {"steps": steps, **({"shards": shards} if shards else {}), **extra}


def shard_list(shape: str, n: int) -> list[str]:
    """The first n shards of a shape (the same prefix for every n)."""
    rng = random.Random(shape)
    return [SHAPES[shape](rng, i) for i in range(n)]


def json_bytes(shards: list[str]) -> int:
    """Their size as Helm's toJson writes them (Go escapes <, > and & as \\u003c and so on)."""
    text = json.dumps(shards, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode()) + 5 * sum(text.count(c) for c in "<>&")


def default_budget() -> int:
    return int(yaml.safe_load(VALUES_YAML.read_text())["shardsMaxBytes"])


def estimate(shape: str, budget: int) -> int:
    """How many shards of this shape fit the budget, by their JSON size."""
    shards = shard_list(shape, budget // 3 + 2)  # a shard is at least 3 bytes of JSON
    low, high = 0, len(shards)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if json_bytes(shards[:mid]) <= budget else (low, mid)
    return low


def chart_accepts(shape: str, budget: int, tmp: Path, start: int | None = None) -> int:
    """The most shards of this shape the chart accepts with this budget (0: off, so only its ConfigMap checks count),
    by `helm template`: from `start` (by default the budget's estimate), halving or doubling to a refused and an
    accepted number, then bisecting between them."""

    def accepted(n: int) -> bool:
        values = write_values(tmp, "budget", trivial_chain(shard_list(shape, n), shardsMaxBytes=budget))
        return helm_template("helm", values).returncode == 0

    n = max(1, estimate(shape, budget) if start is None else start)
    low, high = (n, None) if accepted(n) else (0, n)
    while high is None:
        high = None if accepted(2 * low) else 2 * low
        low = low if high else 2 * low
    while low == 0 and not accepted(high // 2):
        high //= 2
    low = max(low, high // 2)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if accepted(mid) else (low, mid)
    return low


def run(quick: bool, log=print) -> dict[str, Any]:
    plan = SIZES["quick" if quick else "full"]
    sizes, reps = plan["sizes"], plan["repetitions"]
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        files = {n: write_values(Path(tmp), f"shards-{n}", trivial_chain(shard_list(SHORT, n))) for n in sizes}
        times, output = timed_renders(files, reps, seed=12, what="shards", log=log)  # 12: issue 12
    return {
        "sizes": list(sizes),
        "repetitions": reps,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "shard": shard_list(SHORT, 1)[0],
        "output_bytes": {str(n): output["helm"][n] for n in sizes},
        "helms": {h: {str(n): Summary.of(times[h][n]).as_dict() for n in sizes} for h in HELMS},
        "samples": {h: {str(n): times[h][n] for n in sizes} for h in HELMS},
    }
