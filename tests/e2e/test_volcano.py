"""The Volcano toggle for real: Volcano's scheduler, controller-manager and webhooks run the chain on the cluster."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from e2e.cluster import eventually, helm, install, logs, pods, runs_by_name, the_pod, vcjob_phase, vcjobs
from sequential_job.paths import SEED_VALUES, VALUES_DIR
from sequential_job.values import chain

# seed.yaml + dev.yaml (job-2 requests 100m instead of 3 CPUs on this 2-CPU node) + volcano.yaml.
SEED_VOLCANO = (SEED_VALUES, VALUES_DIR / "dev.yaml", VALUES_DIR / "volcano.yaml")
TERMINAL = {"Completed", "Failed", "Aborted", "Terminated"}


def volcano_chain(n: int, **volcano: object) -> dict:
    return chain(n, volcano={"enabled": True, **volcano})


def wait_phase(namespace: str, release: str, phases: set[str], timeout: float = 120) -> dict:
    def probe() -> dict | None:
        found = vcjobs(namespace, release)
        return found[-1] if found and vcjob_phase(found[-1]) in phases else None

    return eventually(probe, timeout, f"Volcano Job of {release} to reach one of {sorted(phases)}", interval=0.5)


def phase_history(job: dict) -> list[str]:
    """The phases the Job went through, in order, from its status conditions."""
    conditions = sorted(job["status"].get("conditions", []), key=lambda c: c.get("lastTransitionTime", ""))
    history: list[str] = []
    for c in conditions:
        if not history or history[-1] != c["status"]:
            history.append(c["status"])
    return history


def test_seed_volcano_runs_in_order(namespace: str, helm_name: str) -> None:
    install(helm_name, "seed", namespace, SEED_VOLCANO)
    job = wait_phase(namespace, "seed", TERMINAL)
    assert vcjob_phase(job) == "Completed", f"Volcano Job ended {vcjob_phase(job)}: {job['status']}"
    history = phase_history(job)
    assert [p for p in history if p in ("Pending", "Running", "Completed")] == ["Pending", "Running", "Completed"], (
        f"phases: {history}"
    )
    pod = the_pod(namespace, "seed")
    assert pod.spec.scheduler_name == "volcano"
    runs = runs_by_name(pod)
    assert runs["job-1"].finished <= runs["job-2"].started and runs["job-2"].finished <= runs["job-3"].started
    assert logs(pod, "job-2").splitlines()[-1] == "code"
    assert logs(pod, "job-3").splitlines() == ["job-1 and job-2 completed", "artifact"]


def failing(n: int, **volcano: object) -> dict:
    values = volcano_chain(n, **volcano)
    values["steps"][1]["script"] = "exit 3"
    return values


def test_failing_step_default_policy(namespace: str) -> None:
    """No policies: the failed pod is not restarted and the Job ends Failed (documented in docs/volcano.md)."""
    install("helm", "fail", namespace, values=failing(3))
    job = wait_phase(namespace, "fail", TERMINAL)
    assert vcjob_phase(job) == "Failed", f"default policy ended the Job {vcjob_phase(job)}: {job['status']}"
    runs = runs_by_name(pods(namespace, "fail")[-1])
    assert runs["step-2"].exit_code == 3 and runs["step-3"].started is None


def test_failing_step_abort_policy(namespace: str) -> None:
    install("helm", "abort", namespace, values=failing(3, policies=[{"event": "PodFailed", "action": "AbortJob"}]))
    job = wait_phase(namespace, "abort", TERMINAL)
    assert vcjob_phase(job) == "Aborted", f"AbortJob policy ended the Job {vcjob_phase(job)}: {job['status']}"


def test_max_retry_limits_restarts(namespace: str) -> None:
    values = failing(2, maxRetry=2, policies=[{"event": "PodFailed", "action": "RestartJob"}])
    install("helm", "retry", namespace, values=values)
    job = wait_phase(namespace, "retry", {"Failed", "Completed", "Aborted", "Terminated"}, timeout=180)
    assert vcjob_phase(job) == "Failed", f"after maxRetry the Job ended {vcjob_phase(job)}: {job['status']}"
    assert job["status"].get("retryCount") == 2, f"retryCount {job['status'].get('retryCount')} != maxRetry 2"


QUEUE = "sequential-job-e2e"


@pytest.fixture
def research_queue() -> str:
    """A non-default Queue. Volcano deletes only closed queues, so it is kept and reused across runs."""
    api = client.CustomObjectsApi()
    body = {
        "apiVersion": "scheduling.volcano.sh/v1beta1",
        "kind": "Queue",
        "metadata": {"name": QUEUE},
        "spec": {"weight": 1, "reclaimable": True},
    }
    try:
        api.create_cluster_custom_object("scheduling.volcano.sh", "v1beta1", "queues", body)
    except ApiException as e:
        if e.status != 409:
            raise

    def is_open() -> bool:
        queue = api.get_cluster_custom_object("scheduling.volcano.sh", "v1beta1", "queues", QUEUE)
        return queue.get("status", {}).get("state") == "Open"

    eventually(is_open, 30, f"queue {QUEUE} to open")
    return QUEUE


def test_non_default_queue_is_honoured(namespace: str, research_queue: str) -> None:
    install("helm", "queued", namespace, values=volcano_chain(2, queue=research_queue))
    job = wait_phase(namespace, "queued", TERMINAL)
    assert vcjob_phase(job) == "Completed"
    assert job["spec"]["queue"] == research_queue
    # Volcano's job controller stamps the queue on the pods it creates (its PodGroup is gone once the Job completes).
    pod = the_pod(namespace, "queued")
    assert pod.metadata.annotations.get("volcano.sh/queue-name") == research_queue, pod.metadata.annotations


def test_volcano_upgrade_and_uninstall(namespace: str, helm_name: str) -> None:
    install(helm_name, "life", namespace, values=volcano_chain(2))
    assert vcjob_phase(wait_phase(namespace, "life", TERMINAL)) == "Completed"
    install(helm_name, "life", namespace, values=volcano_chain(3), command="upgrade")
    eventually(
        lambda: [j["metadata"]["name"] for j in vcjobs(namespace, "life")] == ["life-sequential-job-2"],
        60,
        "only revision 2's Volcano Job",
    )
    assert vcjob_phase(wait_phase(namespace, "life", TERMINAL)) == "Completed"
    pod = pods(namespace, "life")[-1]
    assert [c.name for c in pod.spec.init_containers + pod.spec.containers] == ["step-1", "step-2", "step-3"]
    helm(helm_name, "uninstall", "life", "-n", namespace, "--wait")
    eventually(lambda: not vcjobs(namespace, "life") and not pods(namespace, "life"), 90, "no Volcano Job or pod")
