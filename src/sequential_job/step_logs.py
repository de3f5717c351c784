"""Show a sequential-job release's steps in execution order: each step's logs under a header with its start and
finish time and exit code, then the Job's (or Volcano Job's) final status. Works against any cluster.

    .venv/bin/python -m sequential_job.step_logs RELEASE [-n NAMESPACE] [--wait SECONDS]

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


def release_pods(core: client.CoreV1Api, namespace: str, release: str) -> list[Any]:
    pods = core.list_namespaced_pod(namespace, label_selector=selector(release)).items
    return sorted(pods, key=lambda p: p.metadata.creation_timestamp)


COMPLETED, FAILED, RUNNING = "completed", "failed", "running"
VOLCANO_OUTCOME = {"Completed": COMPLETED, "Failed": FAILED, "Terminated": FAILED, "Aborted": FAILED}


def workload_status(namespace: str, release: str) -> tuple[str, str]:
    """The newest workload's outcome (completed, failed or running) and a line per Job or Volcano Job."""
    lines = []
    outcome = None
    jobs = client.BatchV1Api().list_namespaced_job(namespace, label_selector=selector(release)).items
    for job in sorted(jobs, key=lambda j: j.metadata.creation_timestamp):
        true = {c.type for c in job.status.conditions or [] if c.status == "True"}
        conditions = [
            f"{c.type}={c.status}" + (f" ({c.reason})" if c.reason else "") for c in job.status.conditions or []
        ]
        s = job.status
        lines.append(
            f"Job {job.metadata.name}: {', '.join(conditions) or 'running'}; "
            f"succeeded={s.succeeded or 0} failed={s.failed or 0} active={s.active or 0}"
        )
        outcome = COMPLETED if "Complete" in true else FAILED if "Failed" in true else RUNNING
    try:
        vcjobs = client.CustomObjectsApi().list_namespaced_custom_object(
            *VOLCANO[:2], namespace, VOLCANO[2], label_selector=selector(release)
        )["items"]
    except ApiException as e:
        if e.status != 404:  # 404: Volcano's CRD is not installed
            raise
        vcjobs = []
    for job in sorted(vcjobs, key=lambda j: j["metadata"]["creationTimestamp"]):
        state = job.get("status", {}).get("state", {})
        lines.append(
            f"Volcano Job {job['metadata']['name']}: {state.get('phase', 'unknown')}"
            + (f" ({state['reason']})" if state.get("reason") else "")
        )
        outcome = VOLCANO_OUTCOME.get(state.get("phase", ""), RUNNING)
    if outcome is None:
        return RUNNING, f"no Job or Volcano Job found for release {release!r}"
    return outcome, "\n".join(lines)


def wait_until_finished(namespace: str, release: str, timeout: float) -> None:
    """Poll until the release's workload has completed or failed, or the timeout passes."""
    deadline = time.monotonic() + timeout
    while workload_status(namespace, release)[0] == RUNNING and time.monotonic() < deadline:
        time.sleep(1)


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
            if run.exit_code and run.message:
                # Kept in the pod's status (terminationMessagePolicy), so it outlives the container's log file.
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
    for pod in pods:
        print_pod(core, pod)
        print()
    outcome, summary = workload_status(namespace, args.release)
    print(summary)
    return {COMPLETED: 0, FAILED: 1, RUNNING: 2}[outcome]


if __name__ == "__main__":
    sys.exit(main())
