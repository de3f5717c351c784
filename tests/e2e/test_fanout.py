"""Fan-out on a real cluster: one Indexed Job (or Volcano Job) runs the chain once per shard, in parallel, and a
failed shard does not fail the others."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from typing import Any

from kubernetes import client

from e2e.cluster import (
    eventually,
    install,
    jobs,
    kubectl,
    logs,
    pods,
    runs_by_name,
    server_version,
    vcjob_phase,
    vcjobs,
    wait_finished,
)
from sequential_job.values import fanout

# Six shards with what trips shells and YAML: a space, a slash, non-ASCII, a number, a YAML boolean.
SHARDS = ["alpha", "beta gamma", "delta/δ", "4", "yes", "last shard"]
INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
VOLCANO_INDEX = "volcano.sh/task-index"
TERMINAL = {"Completed", "Failed", "Aborted", "Terminated"}


def pod_index(pod: Any, annotation: str = INDEX_ANNOTATION) -> int:
    return int(pod.metadata.annotations[annotation])


def printed(pod_list: list[Any], annotation: str = INDEX_ANNOTATION) -> dict[int, str]:
    """index -> what the pod's last step printed, for the pods whose last step ran."""
    return {pod_index(p, annotation): logs(p, "print") for p in pod_list if runs_by_name(p)["print"].exit_code == 0}


def span(pod: Any) -> tuple[datetime, datetime]:
    """When the pod's first step started and its last step finished (the kubelet's times, whole seconds)."""
    runs = list(runs_by_name(pod).values())
    return runs[0].started, runs[-1].finished


def most_at_once(spans: list[tuple[datetime, datetime]]) -> int:
    """The largest number of the [start, end) spans that overlap."""
    return max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)


def notes_command(stdout: str, starts_with: str) -> list[str]:
    """The kubectl command on the line of NOTES.txt (in helm's output) that starts with `starts_with`."""
    line = next(line.strip() for line in stdout.splitlines() if line.strip().startswith(starts_with))
    return shlex.split(line)[1:]  # without "kubectl"


def step_logs(release: str, namespace: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sequential_job.step_logs", release, "-n", namespace, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def test_six_shards_two_at_a_time(namespace: str, helm_name: str) -> None:
    run = install(helm_name, "six", namespace, values=fanout(SHARDS, job={"parallelism": 2}))
    assert wait_finished(namespace, "six", timeout=240) == "completed"
    job = jobs(namespace, "six")[0]
    assert (job.status.succeeded, job.status.completed_indexes) == (6, "0-5"), job.status
    found = pods(namespace, "six")
    assert sorted(pod_index(p) for p in found) == list(range(6)), "one pod per index, none retried"
    out = printed(found)
    assert out == dict(enumerate(SHARDS)), f"each pod's last step must print its own shard: {out}"
    assert Counter(out.values()) == Counter(SHARDS), "each shard printed exactly once"
    assert most_at_once([span(p) for p in found]) == 2, f"parallelism 2: {[span(p) for p in found]}"
    # NOTES.txt's per-index and summary commands work as printed.
    per_index = kubectl(*notes_command(run.stdout, "kubectl get pods"))
    assert per_index.returncode == 0 and per_index.stdout.count("Completed") == 6, per_index.stdout + per_index.stderr
    assert "JOB-COMPLETION-INDEX" in per_index.stdout, per_index.stdout
    summary = kubectl(*notes_command(run.stdout, "kubectl get job"))
    assert "succeeded indexes: 0-5\n" in summary.stdout, summary.stdout + summary.stderr


def test_a_failing_shard_does_not_fail_the_others(namespace: str) -> None:
    values = fanout(SHARDS, job={"parallelism": 3, "backoffLimitPerIndex": 0, "maxFailedIndexes": 1})
    values["steps"][1]["script"] = '[ "$SHARD" != "4" ] || exit 3; ' + values["steps"][1]["script"]
    install("helm", "one-bad", namespace, values=values)
    assert wait_finished(namespace, "one-bad", timeout=240) == "failed"
    job = jobs(namespace, "one-bad")[0]
    status = job.status
    assert (status.failed_indexes, status.completed_indexes, status.succeeded) == ("3", "0-2,4,5", 5), status
    failed = [c for c in status.conditions if c.type == "Failed" and c.status == "True"]
    assert failed and failed[0].reason == "FailedIndexes", status.conditions
    found = pods(namespace, "one-bad")
    assert [pod_index(p) for p in found].count(3) == 1, "backoffLimitPerIndex 0: index 3 is not retried"
    bad = next(p for p in found if pod_index(p) == 3)
    runs = runs_by_name(bad)
    assert runs["copy"].exit_code == 3 and runs["print"].started is None, runs
    assert printed(found) == {i: s for i, s in enumerate(SHARDS) if i != 3}
    # step_logs.py: a line per index and the summary; --index 3 shows that index's steps.
    shown = step_logs("one-bad", namespace)
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert "indexes: 5 succeeded (0-2,4,5), 1 failed (3)" in shown.stdout, shown.stdout
    assert "index 3 '4': Failed, 1/3 steps done, copy exit 3" in shown.stdout, shown.stdout
    one = step_logs("one-bad", namespace, "--index", "3")
    assert one.returncode == 1, one.stdout + one.stderr
    assert "== step 2/3: copy (init container)" in one.stdout and "[exit 3, Error]" in one.stdout, one.stdout
    assert one.stdout.split("== step 3/3: print (container)", 1)[1].split("\n", 2)[1] == "(did not run)", one.stdout


def test_success_policy_ends_the_job_once_index_0_succeeded(namespace: str) -> None:
    values = fanout(
        SHARDS[:4],
        job={"parallelism": 4, "successPolicy": {"rules": [{"succeededIndexes": "0"}]}},
        pod={"terminationGracePeriodSeconds": 1},
    )
    values["steps"][0]["script"] = '[ "$JOB_COMPLETION_INDEX" = 0 ] || sleep 600; ' + values["steps"][0]["script"]
    if server_version() < (1, 31):  # successPolicy is on by default from 1.31: before, the chart refuses it by name
        run = install("helm", "first", namespace, values=values, check=False)
        assert run.returncode != 0 and "job.successPolicy: needs Kubernetes 1.31 or later" in run.stderr, run.describe()
        return
    start = time.monotonic()
    install("helm", "first", namespace, values=values)
    assert wait_finished(namespace, "first", timeout=180) == "completed"
    elapsed = time.monotonic() - start
    status = jobs(namespace, "first")[0].status
    met = [c for c in status.conditions if c.type == "SuccessCriteriaMet" and c.status == "True"]
    assert met and met[0].reason == "SuccessPolicy", status.conditions
    assert (status.completed_indexes, status.succeeded) == ("0", 1), status
    assert elapsed < 180, "the other indexes sleep 600 s; the Job must not have waited for them"


def wait_vcjob(namespace: str, release: str, timeout: float = 240) -> dict:
    def probe() -> dict | None:
        found = vcjobs(namespace, release)
        return found[-1] if found and vcjob_phase(found[-1]) in TERMINAL else None

    return eventually(probe, timeout, f"Volcano Job of {release} to finish", interval=1)


def scheduled_at(pod: Any) -> datetime:
    return next(c.last_transition_time for c in pod.status.conditions if c.type == "PodScheduled")


def test_volcano_gang_of_all_shards_starts_together(namespace: str) -> None:
    """The same values as the batch/v1 runs, in Volcano mode with minAvailable = the number of shards."""
    values = fanout(SHARDS, volcano={"enabled": True, "minAvailable": len(SHARDS)})
    values["stepDefaults"]["resources"] = {"requests": {"cpu": "10m"}}
    install("helm", "gang", namespace, values=values)
    job = wait_vcjob(namespace, "gang")
    assert vcjob_phase(job) == "Completed", job["status"]
    found = pods(namespace, "gang")
    assert sorted(pod_index(p, VOLCANO_INDEX) for p in found) == list(range(6)), [p.metadata.name for p in found]
    assert printed(found, VOLCANO_INDEX) == dict(enumerate(SHARDS)), "VC_TASK_INDEX picks each pod's own shard"
    times = sorted(scheduled_at(p) for p in found)
    assert (times[-1] - times[0]).total_seconds() <= 2, f"gang of 6: scheduled at {times}"


def test_volcano_keeps_a_gang_that_does_not_fit_pending(namespace: str) -> None:
    """Six shards of 1 CPU each on a 2-CPU node: with minAvailable 6 none starts; with 1, some do."""
    big = fanout(SHARDS, volcano={"enabled": True, "minAvailable": len(SHARDS)})
    big["stepDefaults"]["resources"] = {"requests": {"cpu": "1"}}
    install("helm", "toobig", namespace, values=big)
    time.sleep(20)
    job = vcjobs(namespace, "toobig")[-1]
    scheduled = [p.metadata.name for p in pods(namespace, "toobig") if p.spec.node_name]
    groups = client.CustomObjectsApi().list_namespaced_custom_object(
        "scheduling.volcano.sh", "v1beta1", namespace, "podgroups"
    )["items"]
    assert scheduled == [] and vcjob_phase(job) == "Pending", (scheduled, job.get("status"), groups)
    # The node could run some of them: without the gang, Volcano starts what fits.
    some = {**big, "volcano": {"enabled": True, "minAvailable": 1}}
    install("helm", "some", namespace, values=some)
    eventually(lambda: [p for p in pods(namespace, "some") if p.spec.node_name], 90, "a pod of the non-gang Job")
    assert [p.metadata.name for p in pods(namespace, "toobig") if p.spec.node_name] == []
