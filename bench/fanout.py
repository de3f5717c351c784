"""Fan-out on the cluster: what one Indexed Job saves over separate installs, and how many shards fit.

- `fanout`: wall time for 8 trivial 3-step chains, from the first `helm install` to the moment a watch sees the last
  Job Complete: as one release with 8 shards at parallelism 1, 2, 4 and 8, and as 8 separate releases of the chart
  installed one after another (each a one-pod Job; they run at once). The runners alternate within a repetition, so
  drift in the machine's load lands on all of them.
- `shardlimit`: for each shape of shard in bench/shards.py, the largest number `helm install` accepts, doubling then
  bisecting, with the chart's own size checks off and the Job suspended (no pods); what fails past it and
  whether anything was left in the namespace; the size of Helm's release record and of the ConfigMap in etcd at the
  largest; and how many the chart's default budget accepts.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from kubernetes import client

from bench import etcd
from bench.cluster import delete_namespace, new_namespace, wait_job
from bench.common import boottime, helm_install, load_average, write_values
from bench.shards import SHAPES, chart_accepts, default_budget, json_bytes, shard_list, trivial_chain
from bench.stats import Summary

CHAINS = 8
PARALLELISM = (1, 2, 4, 8)
REPETITIONS = 2
RELEASE = "shards"
# The chart's own checks off (its budget for Helm's record, its ConfigMap estimate), to find where the cluster stops.
NO_GUARD: dict[str, Any] = {"shardsMaxBytes": 0, "pod": {"maxObjectBytes": 0}}


# --- fanout: 8 chains as one Indexed Job against 8 installs --------------------------------------------------------


def run_indexed(parallelism: int, tmp: Path) -> dict[str, float]:
    ns = new_namespace(f"fanout-p{parallelism}")
    try:
        shards = [f"chain-{i}" for i in range(CHAINS)]
        values = write_values(tmp, f"p{parallelism}", trivial_chain(shards, job={"parallelism": parallelism}))
        start = boottime()
        helm_install(ns, "fan", values)
        submitted = boottime()
        if wait_job(ns, "fan-sequential-job-1", timeout=600) != "completed":
            raise RuntimeError(f"the fan-out at parallelism {parallelism} failed")
        return {"seconds": boottime() - start, "submit_seconds": submitted - start}
    finally:
        delete_namespace(ns)


def run_installs(tmp: Path) -> dict[str, float]:
    ns = new_namespace("fanout-installs")
    try:
        values = write_values(tmp, "one", trivial_chain())
        start = boottime()
        for i in range(CHAINS):
            helm_install(ns, f"chain-{i}", values)
        submitted = boottime()
        for i in range(CHAINS):
            if wait_job(ns, f"chain-{i}-sequential-job-1", timeout=600) != "completed":
                raise RuntimeError(f"release chain-{i} failed")
        return {"seconds": boottime() - start, "submit_seconds": submitted - start}
    finally:
        delete_namespace(ns)


def fanout(quick: bool, log=print) -> dict[str, Any]:
    runners = [f"parallelism {p}" for p in PARALLELISM] + [f"{CHAINS} installs"]
    samples: dict[str, list[dict[str, float]]] = {r: [] for r in runners}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmpdir:
        tmp = Path(tmpdir)
        for rep in range(1 if quick else REPETITIONS):
            order = runners if rep % 2 == 0 else runners[::-1]
            for runner in order:
                if runner.startswith("parallelism"):
                    sample = run_indexed(int(runner.split()[1]), tmp)
                else:
                    sample = run_installs(tmp)
                samples[runner].append(sample)
                log(f"  fanout: {runner}: {sample['seconds']:.1f} s (repetition {rep + 1})")
    return {
        "chains": CHAINS,
        "steps": 3,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "runners": {
            r: {
                "seconds": Summary.of([s["seconds"] for s in samples[r]]).as_dict(),
                "submit_seconds": Summary.of([s["submit_seconds"] for s in samples[r]]).as_dict(),
                "samples": samples[r],
            }
            for r in runners
        },
    }


# --- shardlimit: how many shards fit -------------------------------------------------------------------------------


def probe(shape: str, n: int, tmp: Path) -> dict[str, Any]:
    """`helm install` of n shards of this shape (the chart's budget off, the Job suspended) in a fresh namespace."""
    core = client.CoreV1Api()
    ns = new_namespace("shardlimit")
    shards = shard_list(shape, n)
    result: dict[str, Any] = {"n": n, "json_bytes": json_bytes(shards)}
    try:
        values = write_values(tmp, "limit", trivial_chain(shards, job={"suspend": True}, **NO_GUARD))
        proc = helm_install(ns, RELEASE, values, check=False)
        result["ok"] = proc.returncode == 0
        secrets = core.list_namespaced_secret(ns, label_selector="owner=helm").items
        if secrets:
            result["release_secret_bytes"] = sum(len(v) for v in (secrets[0].data or {}).values()) * 3 // 4
        if result["ok"]:
            result["configmap_bytes"] = etcd.stored_bytes("configmaps", ns, f"{RELEASE}-sequential-job-1-shards")
        else:
            result["message"] = proc.stderr.strip().splitlines()[-1].strip()[:600]
            configmaps = core.list_namespaced_config_map(ns).items
            left = [f"ConfigMap {c.metadata.name}" for c in configmaps if c.metadata.name.endswith("-shards")]
            left += [f"Job {j.metadata.name}" for j in client.BatchV1Api().list_namespaced_job(ns).items]
            result["objects_left"] = left
        return result
    finally:
        delete_namespace(ns)


def shardlimit(quick: bool, log=print) -> dict[str, Any]:
    budget = default_budget()
    shapes: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-shardlimit-") as tmpdir:
        tmp = Path(tmpdir)
        for shape in SHAPES:
            probes = []
            low, high = 0, None
            n = 4000
            # Double until an install fails, then bisect to within 2%.
            while high is None or (high - low) > max(50, low // 50):
                result = probe(shape, n, tmp)
                probes.append(result)
                log(f"  shardlimit: {shape}: {n} shards {'installed' if result['ok'] else 'refused'}")
                if result["ok"]:
                    low = n
                    n = n * 2 if high is None else (low + high) // 2
                else:
                    high = n
                    n = (low + high) // 2
                if n > 300_000:
                    break
            largest = max((p for p in probes if p["ok"]), key=lambda p: p["n"], default=None)
            smallest_failing = min((p for p in probes if not p["ok"]), key=lambda p: p["n"], default=None)
            shapes[shape] = {
                "largest_installed": largest,
                "smallest_refused": smallest_failing,
                "chart_default_accepts": chart_accepts(shape, budget, tmp),
                # Without the budget: where the chart's ConfigMap checks alone stop (near the cluster's own limit).
                "chart_unbudgeted_accepts": chart_accepts(shape, 0, tmp, start=largest["n"] if largest else 1000),
                "probes": probes,
            }
    return {"budget": budget, "shapes": shapes}
