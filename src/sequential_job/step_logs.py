"""Show a sequential-job release's steps in execution order: each step's logs under a header with its start and
finish time and exit code, then the Job's (or Volcano Job's) final status. Works against any cluster.

    .venv/bin/python -m sequential_job.step_logs RELEASE [-n NAMESPACE] [--wait SECONDS] [--index INDEX]

A release that fans out over shards runs one pod per index: for it, the script prints a line per index (its shard,
its pod's phase and how far its steps got) and a summary of the succeeded and failed indexes instead of every pod's
logs; `--index INDEX` prints the steps and logs of that index's pods (every attempt, oldest first).

Exit status: 0 when the Job completed, 1 when it failed, 2 when it has not finished, 3 when nothing was found.
It finds the release's pods by the chart's `app.kubernetes.io/instance` label, reads the order from the pod spec
(init containers, then the container) and the times from the kubelet's container statuses.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

VOLCANO = ("batch.volcano.sh", "v1alpha1", "jobs")
# Where a fanned-out pod's index is: a batch/v1 Indexed Job's annotation, or the one Volcano's job controller sets.
INDEX_ANNOTATIONS = ("batch.kubernetes.io/job-completion-index", "volcano.sh/task-index")


@dataclass
class StepRun:
    """What the kubelet reports about one step of one pod."""

    index: int
    name: str
    init: bool
    state: str  # "terminated", "running", "waiting" or "not started"
    started: datetime | None
    finished: datetime | None
    exit_code: int | None
    reason: str | None
    message: str | None = None  # the termination message: a failed step's last log lines, by the chart's default


def selector(release: str) -> str:
    return f"app.kubernetes.io/instance={release},app.kubernetes.io/component=sequential-job"


def step_runs(pod: Any) -> list[StepRun]:
    """The pod's steps in execution order with their kubelet status."""
    statuses = {s.name: s for s in (pod.status.init_container_statuses or []) + (pod.status.container_statuses or [])}
    containers = [(c, True) for c in pod.spec.init_containers or []] + [(c, False) for c in pod.spec.containers]
    runs = []
    for index, (container, init) in enumerate(containers):
        status = statuses.get(container.name)
        state = status.state if status else None
        if state and state.terminated:
            t = state.terminated
            runs.append(
                StepRun(
                    index,
                    container.name,
                    init,
                    "terminated",
                    t.started_at,
                    t.finished_at,
                    t.exit_code,
                    t.reason,
                    t.message,
                )
            )
        elif state and state.running:
            runs.append(StepRun(index, container.name, init, "running", state.running.started_at, None, None, None))
        elif state and state.waiting:
            runs.append(StepRun(index, container.name, init, "waiting", None, None, None, state.waiting.reason))
        else:
            runs.append(StepRun(index, container.name, init, "not started", None, None, None, None))
    return runs


def pod_index(pod: Any) -> int | None:
    """The pod's index in its Indexed Job or Volcano task, or None."""
    annotations = pod.metadata.annotations or {}
    for key in INDEX_ANNOTATIONS:
        if key in annotations:
            return int(annotations[key])
    return None


def index_ranges(indexes: list[int]) -> str:
    """[0, 1, 2, 4, 5] -> "0-2,4,5": the notation of a Job's status.completedIndexes (two neighbours are written as
    two indexes, longer runs as first-last)."""
    runs: list[list[int]] = []
    for index in sorted(set(indexes)):
        if runs and runs[-1][1] == index - 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return ",".join(str(a) if a == b else f"{a},{b}" if b == a + 1 else f"{a}-{b}" for a, b in runs) or "none"


@dataclass
class IndexState:
    """Where one index of a fanned-out release stands: its newest pod and how many pods it took."""

    index: int
    attempts: int
    phase: str  # the newest pod's phase; "NotStarted" when the index has no pod yet
    pod: Any | None


def index_states(pods: list[Any], total: int) -> list[IndexState]:
    """One state per index 0..total-1 (and any index a pod has beyond), from the pods oldest first."""
    by_index: dict[int, list[Any]] = {}
    for pod in pods:
        index = pod_index(pod)
        if index is not None:
            by_index.setdefault(index, []).append(pod)
    states = []
    for index in range(max([total, *(i + 1 for i in by_index)])):
        attempts = by_index.get(index, [])
        newest = attempts[-1] if attempts else None
        phase = newest.status.phase if newest else "NotStarted"
        states.append(IndexState(index, len(attempts), phase or "Pending", newest))
    return states


def index_summary(states: list[IndexState]) -> str:
    """ "indexes: 5 succeeded (0-2,4,5), 1 failed (3), ..." over every phase present."""
    by_phase: dict[str, list[int]] = {}
    for state in states:
        by_phase.setdefault(state.phase, []).append(state.index)
    order = ["Succeeded", "Failed", "Running", "Pending", "NotStarted"]
    phases = sorted(by_phase, key=lambda p: (order.index(p) if p in order else len(order), p))
    words = {"NotStarted": "not started"}
    return "indexes: " + ", ".join(
        f"{len(by_phase[p])} {words.get(p, p.lower())} ({index_ranges(by_phase[p])})" for p in phases
    )


def release_pods(core: client.CoreV1Api, namespace: str, release: str) -> list[Any]:
    pods = core.list_namespaced_pod(namespace, label_selector=selector(release)).items
    return sorted(pods, key=lambda p: p.metadata.creation_timestamp)


COMPLETED, FAILED, RUNNING = "completed", "failed", "running"
VOLCANO_OUTCOME = {"Completed": COMPLETED, "Failed": FAILED, "Terminated": FAILED, "Aborted": FAILED}


@dataclass
class Workload:
    """One Job or Volcano Job of the release, as this script reports it."""

    created: datetime
    outcome: str  # completed, failed or running
    line: str
    width: int  # how many indexes it fans out over; 0 when it runs one pod


def release_workloads(namespace: str, release: str) -> list[Workload]:
    """The release's Jobs and Volcano Jobs (one per revision that is still there), oldest first."""
    found = []
    jobs = client.BatchV1Api().list_namespaced_job(namespace, label_selector=selector(release)).items
    for job in jobs:
        true = {c.type for c in job.status.conditions or [] if c.status == "True"}
        conditions = [
            f"{c.type}={c.status}" + (f" ({c.reason})" if c.reason else "") for c in job.status.conditions or []
        ]
        s = job.status
        indexed = job.spec.completion_mode == "Indexed"
        indexes = f" completedIndexes={s.completed_indexes or '-'} failedIndexes={s.failed_indexes or '-'}"
        line = (
            f"Job {job.metadata.name}: {', '.join(conditions) or 'running'}; "
            f"succeeded={s.succeeded or 0} failed={s.failed or 0} active={s.active or 0}{indexes if indexed else ''}"
        )
        outcome = COMPLETED if "Complete" in true else FAILED if "Failed" in true else RUNNING
        width = (job.spec.completions or 0) if indexed else 0
        found.append(Workload(job.metadata.creation_timestamp, outcome, line, width))
    try:
        vcjobs = client.CustomObjectsApi().list_namespaced_custom_object(
            *VOLCANO[:2], namespace, VOLCANO[2], label_selector=selector(release)
        )["items"]
    except ApiException as e:
        if e.status != 404:  # 404: Volcano's CRD is not installed
            raise
        vcjobs = []
    for job in vcjobs:
        status = job.get("status", {})
        state = status.get("state", {})
        line = (
            f"Volcano Job {job['metadata']['name']}: {state.get('phase', 'unknown')}"
            + (f" ({state['reason']})" if state.get("reason") else "")
            + f"; succeeded={status.get('succeeded', 0)} failed={status.get('failed', 0)}"
        )
        replicas = sum(t.get("replicas", 0) for t in job["spec"].get("tasks", []))
        created = datetime.fromisoformat(job["metadata"]["creationTimestamp"])
        outcome = VOLCANO_OUTCOME.get(state.get("phase", ""), RUNNING)
        found.append(Workload(created, outcome, line, replicas if replicas > 1 else 0))
    return sorted(found, key=lambda w: w.created)


def summarise(workloads: list[Workload]) -> tuple[str, str]:
    """The newest workload's outcome (completed, failed or running) and a line per Job or Volcano Job."""
    if not workloads:
        return RUNNING, "no Job or Volcano Job found for the release"
    return workloads[-1].outcome, "\n".join(w.line for w in workloads)


def workload_status(namespace: str, release: str) -> tuple[str, str]:
    return summarise(release_workloads(namespace, release))


def wait_until_finished(namespace: str, release: str, timeout: float) -> None:
    """Poll until the release's workload has completed or failed, or the timeout passes."""
    deadline = time.monotonic() + timeout
    while workload_status(namespace, release)[0] == RUNNING and time.monotonic() < deadline:
        time.sleep(1)


def workload_of(pod: Any) -> str | None:
    """The name of the Job or Volcano Job that created the pod."""
    labels = pod.metadata.labels or {}
    return labels.get("job-name") or labels.get("volcano.sh/job-name")


def shard_inputs(core: client.CoreV1Api, workload: str, namespace: str) -> dict[str, str]:
    """The workload's shards (index -> input), from the chart's ConfigMap; {} when there is none."""
    try:
        return core.read_namespaced_config_map(f"{workload}-shards", namespace).data or {}
    except ApiException as e:
        if e.status != 404:
            raise
        return {}


def print_indexes(core: client.CoreV1Api, pods: list[Any], width: int, out=sys.stdout) -> None:
    """A line per index of the newest workload (its shard, its newest pod, how far the steps got), then a summary."""
    workload = workload_of(pods[-1])
    newest = [p for p in pods if workload_of(p) == workload]
    shards = shard_inputs(core, workload, pods[-1].metadata.namespace) if workload else {}
    states = index_states(newest, width)
    for state in states:
        shard = shards.get(str(state.index))
        line = f"index {state.index}" + (f" {shard[:40]!r}" if shard is not None else "") + f": {state.phase}"
        if state.pod is not None:
            runs = step_runs(state.pod)
            done = sum(1 for r in runs if r.state == "terminated" and r.exit_code == 0)
            line += f", {done}/{len(runs)} steps done"
            failed = next((r for r in runs if r.exit_code not in (None, 0)), None)
            if failed:
                line += f", {failed.name} exit {failed.exit_code}"
            attempts = f", {state.attempts} attempts" if state.attempts > 1 else ""
            line += f" (pod {state.pod.metadata.name}{attempts})"
        print(line, file=out)
    print(f"\n{index_summary(states)}", file=out)
    print("the steps and logs of one index: python -m sequential_job.step_logs RELEASE --index INDEX", file=out)


def clock(t: datetime | None) -> str:
    return t.strftime("%H:%M:%S") if t else "-"


def print_pod(core: client.CoreV1Api, pod: Any, out=sys.stdout) -> None:
    runs = step_runs(pod)
    print(
        f"Pod {pod.metadata.name}: {pod.status.phase}" + (f" ({pod.status.reason})" if pod.status.reason else ""),
        file=out,
    )
    for run in runs:
        kind = "init container" if run.init else "container"
        detail = f"exit {run.exit_code}" if run.exit_code is not None else run.state
        if run.reason and run.reason != "Completed":
            detail += f", {run.reason}"
        print(
            f"\n== step {run.index + 1}/{len(runs)}: {run.name} ({kind}) "
            f"started {clock(run.started)} finished {clock(run.finished)} [{detail}] ==",
            file=out,
        )
        if run.state in ("terminated", "running"):
            try:
                log = core.read_namespaced_pod_log(pod.metadata.name, pod.metadata.namespace, container=run.name)
            except ApiException as e:
                log = f"(logs unavailable: {e.reason})\n"
            print(log, end="" if log.endswith("\n") or not log else "\n", file=out)
            if run.message:
                # Kept in the pod's status, so it outlives the container's log file: a failed step's last lines
                # (terminationMessagePolicy) or a script step's results (the chart's wrapper writes them there).
                print(f"-- termination message of {run.name} --\n{run.message.rstrip()}", file=out)
        else:
            print("(did not run)", file=out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("release", help="the Helm release name")
    parser.add_argument("-n", "--namespace", default=None, help="namespace (default: the kubeconfig's)")
    parser.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait up to SECONDS for the release's pod to finish first",
    )
    parser.add_argument(
        "--index",
        type=int,
        default=None,
        metavar="INDEX",
        help="a fanned-out release: print the steps and logs of this index's pods only",
    )
    parser.add_argument("--kubeconfig", default=None, help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    args = parser.parse_args()

    config.load_kube_config(config_file=args.kubeconfig)
    namespace = args.namespace or config.list_kube_config_contexts(config_file=args.kubeconfig)[1]["context"].get(
        "namespace", "default"
    )
    core = client.CoreV1Api()
    if args.wait:
        wait_until_finished(namespace, args.release, args.wait)
    pods = release_pods(core, namespace, args.release)
    if not pods:
        print(f"no pods found for release {args.release!r} in namespace {namespace!r}", file=sys.stderr)
        return 3
    workloads = release_workloads(namespace, args.release)
    width = workloads[-1].width if workloads else 0
    if args.index is not None:
        pods = [p for p in pods if pod_index(p) == args.index]
        if not pods:
            print(f"no pods of index {args.index} for release {args.release!r} in {namespace!r}", file=sys.stderr)
            return 3
    if width and args.index is None:
        print_indexes(core, pods, width)
        print()
    else:
        for pod in pods:
            print_pod(core, pod)
            print()
    outcome, summary = summarise(workloads)
    print(summary)
    return {COMPLETED: 0, FAILED: 1, RUNNING: 2}[outcome]


if __name__ == "__main__":
    sys.exit(main())
