"""Part 3, step handoff on a real cluster: how long it takes from the end of step i to the start of step i+1.

Two runners of the same trivial steps, measured in the same run, alternating:

- `pod`:  the chart, one pod, steps 1..n-1 as init containers (`helm install` of n steps);
- `jobs`: one pod per step, a chain of batch/v1 Jobs, each created (by this script, through the API) when the
  previous Job is Complete, as a workflow runner that starts one pod per step would. Each Job's pod template is the
  chart's own one-step pod (rendered by helm), so the pods differ in nothing but the number of containers.

Every step reads /proc/uptime (the kernel's boot-time clock, centisecond resolution, the same clock on the host and in
every container; busybox's `date` has no %N) when it starts and again when it ends: the pod's steps append the two
stamps to a shared emptyDir that the last step prints, the Jobs' steps print them to their own logs. The kubelet's
container status times (startedAt, finishedAt; whole seconds) are read as well. The floor is the sum of the steps'
own durations, end stamp minus start stamp; the total runs from just before submitting (`helm install` starts, or
the first Job is created) to the moment a watch sees the (last) Job Complete.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client

from bench.cluster import delete_namespace, new_namespace, wait_job
from bench.common import boottime, helm_template, load_average, write_values
from bench.stats import Summary
from kubectl_sequential_job.chain import step_runs
from sequential_job.helm import install_args, run_helm

IMAGE = "busybox:1.36"
FULL = {"sizes": (3, 10, 30), "repetitions": 2}
QUICK = {"sizes": (3,), "repetitions": 1}
RUNNERS = ("pod", "jobs")
STAMP = re.compile(r"^(step-\d+) (start|end) (\d+\.\d+)$", re.MULTILINE)


def stamp_script(name: str, redirect: str) -> str:
    """A trivial step: two reads of /proc/uptime by the shell itself (no process started), each written out."""
    return (
        f'read u _ </proc/uptime; echo "{name} start $u"{redirect}; '
        f'read u _ </proc/uptime; echo "{name} end $u"{redirect}'
    )


def pod_values(n: int) -> dict[str, Any]:
    steps = []
    for i in range(1, n + 1):
        script = stamp_script(f"step-{i}", " >>/stamps/t")
        if i == n:
            script += "; cat /stamps/t"
        steps.append({"name": f"step-{i}", "image": IMAGE, "script": script})
    return {
        "steps": steps,
        "volumes": [{"name": "stamps", "emptyDir": {}}],
        "stepDefaults": {"volumeMounts": [{"name": "stamps", "mountPath": "/stamps"}]},
    }


def one_step_job(tmp: Path) -> dict[str, Any]:
    """The Job the chart renders for a single step: the template of every Job in the `jobs` chain."""
    values = write_values(tmp, "one-step", {"steps": [{"name": "step", "image": IMAGE, "script": "true"}]})
    proc = helm_template("helm", values, release="chain")
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    (job,) = [d for d in yaml.safe_load_all(proc.stdout) if d and d.get("kind") == "Job"]
    return job


def parse_stamps(text: str) -> dict[str, dict[str, float]]:
    stamps: dict[str, dict[str, float]] = {}
    for name, which, value in STAMP.findall(text):
        stamps.setdefault(name, {})[which] = float(value)
    return stamps


def kubelet_times(pods: list[Any]) -> list[tuple[float, float]]:
    """(started, finished) of every step in order, from the kubelet's container statuses (whole seconds)."""
    times = []
    for pod in pods:
        for run in step_runs(pod):
            if run.started is None or run.finished is None:
                raise RuntimeError(f"step {run.name} of pod {pod.metadata.name} did not run: {run.state}")
            times.append((run.started.timestamp(), run.finished.timestamp()))
    return times


def analyse(n: int, stamps: dict[str, dict[str, float]], kubelet: list[tuple[float, float]]) -> dict[str, Any]:
    names = [f"step-{i}" for i in range(1, n + 1)]
    missing = [s for s in names if set(stamps.get(s, {})) != {"start", "end"}]
    if missing:
        raise RuntimeError(f"no start/end stamps from {missing}")
    starts = [stamps[s]["start"] for s in names]
    ends = [stamps[s]["end"] for s in names]
    return {
        "gaps": [starts[i + 1] - ends[i] for i in range(n - 1)],
        "durations": [e - s for s, e in zip(starts, ends, strict=True)],
        "first_start": starts[0],
        "last_end": ends[-1],
        "kubelet_gaps": [kubelet[i + 1][0] - kubelet[i][1] for i in range(n - 1)],
        "kubelet_durations": [f - s for s, f in kubelet],
    }


def run_pod(n: int, tmp: Path) -> dict[str, Any]:
    """The chart: `helm install` of n stamping steps, then wait for the Job."""
    ns = new_namespace(f"handoff-pod-{n}")
    try:
        values = write_values(tmp, f"pod-{n}", pod_values(n))
        submitted = boottime()
        proc = run_helm("helm", *install_args("chain", [values], namespace=ns), check=False, timeout=300)
        installed = boottime()
        if proc.returncode != 0:
            raise RuntimeError(f"helm install of {n} steps failed:\n{proc.stderr}")
        job_name = "chain-sequential-job-1"
        outcome = wait_job(ns, job_name, timeout=60 + 10 * n)
        done = boottime()
        if outcome != "completed":
            raise RuntimeError(f"the {n}-step chain {outcome}")
        (pod,) = client.CoreV1Api().list_namespaced_pod(ns, label_selector=f"job-name={job_name}").items
        log = client.CoreV1Api().read_namespaced_pod_log(pod.metadata.name, ns, container=f"step-{n}")
        result = analyse(n, parse_stamps(log), kubelet_times([pod]))
        result.update(submitted=submitted, submit_seconds=installed - submitted, done=done)
        return result
    finally:
        delete_namespace(ns)


def run_jobs(n: int, template: dict[str, Any]) -> dict[str, Any]:
    """One pod per step: Job i+1 is created when a watch sees Job i Complete."""
    ns = new_namespace(f"handoff-jobs-{n}")
    batch, core = client.BatchV1Api(), client.CoreV1Api()
    try:
        bodies = []
        for i in range(1, n + 1):
            job = copy.deepcopy(template)
            job["metadata"]["name"] = f"chain-{i}"
            container = job["spec"]["template"]["spec"]["containers"][0]
            container["name"] = f"step-{i}"
            container["command"] = ["sh", "-c", stamp_script(f"step-{i}", "")]
            job["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/default-container"] = f"step-{i}"
            bodies.append(job)
        submitted = boottime()
        completed_seen = []
        for i, body in enumerate(bodies, start=1):
            batch.create_namespaced_job(ns, body)
            outcome = wait_job(ns, f"chain-{i}", timeout=120)
            completed_seen.append(boottime())
            if outcome != "completed":
                raise RuntimeError(f"Job chain-{i} {outcome}")
        done = completed_seen[-1]
        pods, logs = [], []
        for i in range(1, n + 1):
            (pod,) = core.list_namespaced_pod(ns, label_selector=f"job-name=chain-{i}").items
            pods.append(pod)
            logs.append(core.read_namespaced_pod_log(pod.metadata.name, ns, container=f"step-{i}"))
        result = analyse(n, parse_stamps("\n".join(logs)), kubelet_times(pods))
        ends = [parse_stamps(log)[f"step-{i}"]["end"] for i, log in enumerate(logs, start=1)]
        starts = [parse_stamps(log)[f"step-{i}"]["start"] for i, log in enumerate(logs, start=1)]
        # The two halves of a gap: step i's end until the watch sees Job i Complete, then until step i+1 starts.
        result["gap_to_complete_seen"] = [completed_seen[i] - ends[i] for i in range(n - 1)]
        result["gap_complete_seen_to_next_start"] = [starts[i + 1] - completed_seen[i] for i in range(n - 1)]
        result.update(submitted=submitted, submit_seconds=0.0, done=done)
        return result
    finally:
        delete_namespace(ns)


def summarise(runs: list[dict[str, Any]], n: int) -> dict[str, Any]:
    gaps = [g for r in runs for g in r["gaps"]]
    kubelet_gaps = [g for r in runs for g in r["kubelet_gaps"]]
    totals = [r["done"] - r["submitted"] for r in runs]
    floors = [sum(r["durations"]) for r in runs]
    out = {
        "runs": len(runs),
        "gap_seconds": Summary.of(gaps).as_dict() if gaps else None,
        "kubelet_gap_seconds": Summary.of(kubelet_gaps).as_dict() if kubelet_gaps else None,
        "total_seconds": Summary.of(totals).as_dict(),
        "floor_seconds": Summary.of(floors).as_dict(),
        "first_start_seconds": Summary.of([r["first_start"] - r["submitted"] for r in runs]).as_dict(),
        "overhead_per_step_seconds": Summary.of([(t - f) / n for t, f in zip(totals, floors, strict=True)]).as_dict(),
        "samples": runs,
    }
    if "gap_to_complete_seen" in runs[0] and n > 1:
        out["gap_to_complete_seen_seconds"] = Summary.of([g for r in runs for g in r["gap_to_complete_seen"]]).as_dict()
        out["gap_complete_seen_to_next_start_seconds"] = Summary.of(
            [g for r in runs for g in r["gap_complete_seen_to_next_start"]]
        ).as_dict()
    return out


def cluster_info() -> dict[str, Any]:
    """What the measured cluster runs: the kubelet's and runtime's versions from the node, and whether the kubelet's
    EventedPLEG feature gate is on (the embedded cluster records it in its state folder)."""
    (node,) = client.CoreV1Api().list_node().items
    info = node.status.node_info
    state = os.environ.get("EMBEDDED_CLUSTER")
    evented = Path(state, "evented-pleg").read_text().strip() == "1" if state else None
    return {"kubelet": info.kubelet_version, "runtime": info.container_runtime_version, "evented_pleg": evented}


def run(quick: bool, log=print) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    cluster = cluster_info()
    log(f"  handoff on kubelet {cluster['kubelet']}, {cluster['runtime']}, EventedPLEG {cluster['evented_pleg']}")
    sizes, reps = plan["sizes"], plan["repetitions"]
    samples: dict[str, dict[int, list[dict[str, Any]]]] = {r: {n: [] for n in sizes} for r in RUNNERS}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-handoff-") as tmpdir:
        tmp = Path(tmpdir)
        template = one_step_job(tmp)
        for rep in range(reps):
            for n in sizes:
                for runner in RUNNERS if (rep + sizes.index(n)) % 2 == 0 else reversed(RUNNERS):
                    start = time.monotonic()
                    result = run_pod(n, tmp) if runner == "pod" else run_jobs(n, template)
                    samples[runner][n].append(result)
                    total = result["done"] - result["submitted"]
                    log(
                        f"  handoff: {runner} n={n} rep {rep + 1}/{reps}: total {total:.1f}s,"
                        f" median gap {Summary.of(result['gaps'] or [0]).median:.2f}s"
                        f" ({time.monotonic() - start:.0f}s with namespace clean-up)"
                    )
    return {
        "cluster": cluster,
        "sizes": list(sizes),
        "repetitions": reps,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "clock": "/proc/uptime in every step (centiseconds); kubelet container status times (seconds)",
        "runners": {r: {str(n): summarise(samples[r][n], n) for n in sizes} for r in RUNNERS},
    }
