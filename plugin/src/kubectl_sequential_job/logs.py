"""`kubectl sequential-job logs`: each step's logs in execution order under a header with its start and finish time
and exit code, then the Job's (or Volcano Job's) final status. A fanned-out release prints a line per index and a
summary instead; `--index I` prints that index's pods (every attempt, oldest first)."""

from __future__ import annotations

import sys
from typing import IO, Any

from kubectl_sequential_job.chain import clock, index_states, index_summary, pod_index, progress, step_runs, summarise
from kubectl_sequential_job.cluster import Cluster, newest_pods, shards_config_map_of

# Exit codes of both commands.
EXIT = {"completed": 0, "failed": 1, "running": 2}
NOTHING_FOUND = 3


def print_pod(cluster: Cluster, pod: Any, out: IO[str]) -> None:
    runs = step_runs(pod)
    steps = [r for r in runs if not r.sidecar]
    reason = f" ({pod.status.reason})" if pod.status.reason else ""
    print(f"Pod {pod.metadata.name}: {pod.status.phase}{reason}", file=out)
    for run in runs:
        detail = f"exit {run.exit_code}" if run.exit_code is not None else run.state
        if run.reason and run.reason != "Completed":
            detail += f", {run.reason}"
        times = f"started {clock(run.started)} finished {clock(run.finished)} [{detail}]"
        if run.sidecar:
            print(f"\n== sidecar: {run.name} {times} ==", file=out)
        else:
            kind = "init container" if run.init else "container"
            print(f"\n== step {steps.index(run) + 1}/{len(steps)}: {run.name} ({kind}) {times} ==", file=out)
        if run.state in ("terminated", "running"):
            log = cluster.log(pod, run.name)
            print(log, end="" if log.endswith("\n") or not log else "\n", file=out)
            if run.message:
                # Kept in the pod's status, so it outlives the container's log file: a failed step's last lines
                # (terminationMessagePolicy) or a script step's results (the chart's wrapper writes them there).
                print(f"-- termination message of {run.name} --\n{run.message.rstrip()}", file=out)
        else:
            print("(did not run)", file=out)


def print_indexes(cluster: Cluster, pods: list[Any], width: int, shards: dict[str, str], out: IO[str]) -> None:
    """A line per index (its shard, its newest pod, how far the steps got), then a summary."""
    states = index_states(pods, width)
    for state in states:
        shard = shards.get(str(state.index))
        line = f"index {state.index}" + (f" {shard[:40]!r}" if shard is not None else "") + f": {state.phase}"
        if state.pod is not None:
            done = progress(step_runs(state.pod))
            line += f", {done.done}/{done.total} steps done"
            if done.failed:
                line += f", {done.current.name} exit {done.current.exit_code}"
            attempts = f", {state.attempts} attempts" if state.attempts > 1 else ""
            line += f" (pod {state.pod.metadata.name}{attempts})"
        print(line, file=out)
    print(f"\n{index_summary(states)}", file=out)
    print("the steps and logs of one index: kubectl sequential-job logs RELEASE --index INDEX", file=out)


def run(
    cluster: Cluster,
    namespace: str,
    release: str,
    index: int | None = None,
    wait: float = 0,
    out: IO[str] = sys.stdout,
    err: IO[str] = sys.stderr,
) -> int:
    """Print the release's steps (or indexes); the exit code: 0 completed, 1 failed, 2 not finished, 3 not found."""
    if wait:
        cluster.wait_until_finished(namespace, release, wait)
    pods = cluster.pods(namespace, release)
    if not pods:
        print(f"no pods found for release {release!r} in namespace {namespace!r}", file=err)
        return NOTHING_FOUND
    workloads = cluster.workloads(namespace, release)
    newest = workloads[-1] if workloads else None
    if index is not None:
        pods = [p for p in pods if pod_index(p) == index]
        if not pods:
            print(f"no pods of index {index} for release {release!r} in {namespace!r}", file=err)
            return NOTHING_FOUND
    if newest is not None and newest.width and index is None:
        pods = newest_pods(pods, newest)
        config_map = shards_config_map_of(newest, pods)
        shards = cluster.shard_inputs(namespace, config_map, lambda m: print(f"warning: {m}", file=err))
        print_indexes(cluster, pods, newest.width, shards, out)
        print(file=out)
    else:
        for pod in pods:
            print_pod(cluster, pod, out)
            print(file=out)
    outcome, summary = summarise(workloads)
    print(summary, file=out)
    return EXIT[outcome]
