"""Retry the step, not the chain (issue 20), on a real cluster, in two parts.

runtime: what the step runtime adds. The same chain of n trivial steps twice, alternating: plain (`[sh, -c, script]`)
and wrapped (every step with a timeout, so a first init container installs the static busybox and every step runs
under the wrapper). From the steps' own /proc/uptime stamps (bench.handoff): the median hand-off from one step's end to
the next one's start, and the time from `helm install` to the first step's start (which includes the runtime's
init container).

failure: a chain of n steps of d seconds that fails once, at step n-1, three ways side by side: `job.backoffLimit: 1`
alone (a new pod runs every step again), `retries: {limit: 1}` on every step (the step runs again in place), and
`resume.enabled` with `backoffLimit: 1` (a new pod skips the steps the first completed). The failing step knows it
failed before by a file on a claim of its own that outlives the pod. Measured: from `helm install` to the Job
Complete, and how many step runs it took. Needs a default StorageClass (the embedded cluster's local-path).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from kubernetes import client

from bench.cluster import delete_namespace, new_namespace, wait_job
from bench.common import boottime, helm_install, load_average, write_values
from bench.handoff import IMAGE, analyse, kubelet_times, parse_stamps, pod_values
from bench.stats import Summary
from sequential_job.manifest import RUNTIME_CONTAINER

RUNTIME = {"full": {"steps": 10, "repetitions": 3}, "quick": {"steps": 3, "repetitions": 1}}
FAILURE = {"full": {"steps": 10, "seconds": 10}, "quick": {"steps": 4, "seconds": 2}}
WAYS = ("backoffLimit", "retries", "resume")
JOB = "chain-sequential-job-1"


def run_chain(values: dict[str, Any], tmp: Path, prefix: str, timeout: float) -> tuple[str, float, float, Any]:
    """Install the chain in a namespace of its own and wait for its Job: (namespace, submitted, done, newest pod)."""
    namespace = new_namespace(prefix)
    path = write_values(tmp, prefix, values)
    submitted = boottime()
    helm_install(namespace, "chain", path)
    outcome = wait_job(namespace, JOB, timeout=timeout)
    done = boottime()
    if outcome != "completed":
        raise RuntimeError(f"{prefix}: the chain {outcome}")
    pods = client.CoreV1Api().list_namespaced_pod(namespace, label_selector=f"job-name={JOB}").items
    return namespace, submitted, done, sorted(pods, key=lambda p: p.metadata.creation_timestamp)


def runtime_run(n: int, wrapped: bool, tmp: Path) -> dict[str, Any]:
    values = pod_values(n)
    if wrapped:
        values["stepDefaults"]["timeoutSeconds"] = 3600
    kind = "wrapped" if wrapped else "plain"
    namespace, submitted, done, pods = run_chain(values, tmp, f"runtime-{kind}", 120 + 10 * n)
    try:
        (pod,) = pods
        has_runtime = any(c.name == RUNTIME_CONTAINER for c in pod.spec.init_containers or [])
        if has_runtime != wrapped:
            raise RuntimeError(f"expected the runtime container {'in' if wrapped else 'not in'} the pod")
        log = client.CoreV1Api().read_namespaced_pod_log(pod.metadata.name, namespace, container=f"step-{n}")
        result = analyse(n, parse_stamps(log), kubelet_times([pod]))
        result.update(submitted=submitted, done=done)
        return result
    finally:
        delete_namespace(namespace)


def runtime(quick: bool, log=print) -> dict[str, Any]:
    plan = RUNTIME["quick" if quick else "full"]
    n, reps = plan["steps"], plan["repetitions"]
    samples: dict[str, list[dict[str, Any]]] = {"plain": [], "wrapped": []}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as tmpdir:
        for rep in range(reps):
            for kind in ("plain", "wrapped") if rep % 2 == 0 else ("wrapped", "plain"):
                result = runtime_run(n, kind == "wrapped", Path(tmpdir))
                samples[kind].append(result)
                log(f"  runtime: {kind} rep {rep + 1}/{reps}: median gap {Summary.of(result['gaps']).median:.2f}s")
    return {
        "steps": n,
        "repetitions": reps,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "kinds": {
            kind: {
                "gap_seconds": Summary.of([g for r in runs for g in r["gaps"]]).as_dict(),
                "first_start_seconds": Summary.of([r["first_start"] - r["submitted"] for r in runs]).as_dict(),
                "total_seconds": Summary.of([r["done"] - r["submitted"] for r in runs]).as_dict(),
            }
            for kind, runs in samples.items()
        },
    }


def failing_chain(way: str, n: int, seconds: int) -> dict[str, Any]:
    """n steps of `seconds` each; step n-1 fails the first time it runs (a file on the flag claim remembers)."""
    steps = []
    for i in range(1, n + 1):
        script = f"echo step-{i} >> /runs/log; sleep {seconds}"
        step: dict[str, Any] = {"name": f"step-{i}", "image": IMAGE, "script": script}
        if i == n - 1:
            step["script"] += "; [ -f /runs/failed ] || { touch /runs/failed; exit 1; }"
        steps.append(step)
    steps[-1]["script"] += "; cat /runs/log"
    flag = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "runs"}}
    flag["spec"] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "16Mi"}}}
    values: dict[str, Any] = {
        "steps": steps,
        "volumes": [{"name": "runs", "persistentVolumeClaim": {"claimName": "runs"}}],
        "stepDefaults": {"volumeMounts": [{"name": "runs", "mountPath": "/runs"}]},
        "extraObjects": [flag],
        "job": {"backoffLimit": 0 if way == "retries" else 1},
    }
    if way == "retries":
        values["stepDefaults"]["retries"] = {"limit": 1}
    if way == "resume":
        values["resume"] = {"enabled": True}
    return values


def failure(quick: bool, log=print) -> dict[str, Any]:
    plan = FAILURE["quick" if quick else "full"]
    n, seconds = plan["steps"], plan["seconds"]
    results: dict[str, Any] = {}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-failure-") as tmpdir:
        for way in WAYS:
            started = time.monotonic()
            values = failing_chain(way, n, seconds)
            namespace, submitted, done, pods = run_chain(values, Path(tmpdir), f"failure-{way.lower()}", 600)
            try:
                core = client.CoreV1Api()
                runs = core.read_namespaced_pod_log(pods[-1].metadata.name, namespace, container=f"step-{n}")
                step_runs = sum(1 for line in runs.splitlines() if line.startswith("step-"))
                results[way] = {"total_seconds": done - submitted, "pods": len(pods), "step_runs": step_runs}
                log(
                    f"  failure: {way}: {done - submitted:.1f}s, {len(pods)} pod(s), {step_runs} step runs"
                    f" ({time.monotonic() - started:.0f}s with clean-up)"
                )
            finally:
                delete_namespace(namespace)
    return {
        "steps": n,
        "step_seconds": seconds,
        "fails_at": n - 1,
        "floor_seconds": n * seconds,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "ways": results,
    }
