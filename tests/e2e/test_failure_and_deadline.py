"""A failing step stops the chain; the pod deadline ends a step that runs too long."""

from __future__ import annotations

from e2e.cluster import install, jobs, pods, runs_by_name, the_pod, wait_finished
from sequential_job.values import chain


def test_failing_middle_step_stops_the_chain(namespace: str, helm_name: str) -> None:
    values = chain(3)
    values["steps"][1]["script"] = "echo about to fail; exit 3"
    install(helm_name, "fail", namespace, values=values)
    assert wait_finished(namespace, "fail") == "failed"
    assert len(pods(namespace, "fail")) == 1, "backoffLimit 0: the failed pod must not be retried"
    runs = runs_by_name(the_pod(namespace, "fail"))
    assert runs["step-1"].exit_code == 0
    assert runs["step-2"].exit_code == 3, f"step-2: {runs['step-2']}"
    assert runs["step-3"].started is None, f"step-3 must never start after step-2 failed: {runs['step-3']}"
    job = jobs(namespace, "fail")[0]
    assert {c.type for c in job.status.conditions if c.status == "True"} >= {"Failed"}


def test_pod_deadline_ends_a_slow_step(namespace: str, helm_name: str) -> None:
    values = chain(2, pod={"activeDeadlineSeconds": 5})
    values["steps"][0]["script"] = "sleep 60"
    install(helm_name, "slow", namespace, values=values)
    assert wait_finished(namespace, "slow", timeout=90) == "failed"
    pod = the_pod(namespace, "slow")
    assert pod.status.reason == "DeadlineExceeded", f"pod status: {pod.status.phase} {pod.status.reason}"
    assert runs_by_name(pod)["step-2"].started is None
