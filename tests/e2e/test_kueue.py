"""Kueue on the embedded cluster (`make e2e` starts it): the chain's Job is queued, admitted for the pod's effective
request (the largest step, not the sum of the steps), held suspended with no pod while the quota is short, and run
once it is raised."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from e2e.cluster import eventually, install, jobs, pods, wait_finished
from e2e.conftest import KUEUE, custom
from sequential_job.paths import SEED_VALUES, VALUES_DIR
from sequential_job.values import chain


def set_quota(cluster_queue: str, cpu: str) -> None:
    body = custom().get_cluster_custom_object(*KUEUE, "clusterqueues", cluster_queue)
    body["spec"]["resourceGroups"][0]["flavors"][0]["resources"][0]["nominalQuota"] = cpu
    custom().replace_cluster_custom_object(*KUEUE, "clusterqueues", cluster_queue, body)


def workload_of(namespace: str, job_name: str) -> dict[str, Any] | None:
    items = custom().list_namespaced_custom_object(*KUEUE, namespace, "workloads")["items"]
    owned = [w for w in items if any(o["name"] == job_name for o in w["metadata"].get("ownerReferences", []))]
    return owned[0] if owned else None


def condition(workload: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((c for c in workload.get("status", {}).get("conditions", []) if c["type"] == kind), {})


def cpu_chain(cpus: list[str], queue: str) -> dict:
    values = chain(len(cpus), kueue={"queueName": queue})
    for step, cpu in zip(values["steps"], cpus, strict=True):
        step["resources"] = {"requests": {"cpu": cpu}}
    return values


def test_three_one_cpu_steps_fit_one_cpu_of_quota(namespace: str, local_queue: tuple[str, str]) -> None:
    queue, cluster_queue = local_queue
    install("helm", "fits", namespace, values=cpu_chain(["1", "1", "1"], queue))
    (job,) = jobs(namespace, "fits")
    assert job.metadata.labels["kueue.x-k8s.io/queue-name"] == queue
    assert wait_finished(namespace, "fits", timeout=180) == "completed"
    workload = workload_of(namespace, job.metadata.name)
    assert workload, f"no Kueue Workload for Job {job.metadata.name}"
    admission = workload["status"]["admission"]
    assert admission["clusterQueue"] == cluster_queue
    (assignment,) = admission["podSetAssignments"]
    # The pod's effective request: its init containers run one at a time, so 1 CPU, not 3.
    assert assignment["resourceUsage"]["cpu"] == "1", assignment


def test_a_step_over_the_quota_waits_suspended_until_the_quota_is_raised(
    namespace: str, local_queue: tuple[str, str]
) -> None:
    queue, cluster_queue = local_queue
    install("helm", "big", namespace, values=cpu_chain(["500m", "2", "500m"], queue))
    (job,) = jobs(namespace, "big")

    def pending() -> dict[str, Any] | None:
        workload = workload_of(namespace, job.metadata.name)
        return workload if workload and condition(workload, "QuotaReserved").get("status") == "False" else None

    workload = eventually(pending, 60, "Kueue to find the Workload over its quota")
    assert "cpu" in condition(workload, "QuotaReserved")["message"], condition(workload, "QuotaReserved")
    assert client.BatchV1Api().read_namespaced_job(job.metadata.name, namespace).spec.suspend is True
    assert pods(namespace, "big") == [], "a queued chain must not have a pod"

    set_quota(cluster_queue, "2")
    assert wait_finished(namespace, "big", timeout=240) == "completed"
    admitted = workload_of(namespace, job.metadata.name)
    assert admitted["status"]["admission"]["podSetAssignments"][0]["resourceUsage"]["cpu"] == "2"


def test_the_seed_waits_in_the_queue_instead_of_pending(namespace: str, local_queue: tuple[str, str]) -> None:
    """values/kueue.yaml: the seed's 3-CPU step against 1 CPU of quota is held by Kueue, not left Pending on a node."""
    install("helm", "seed", namespace, [SEED_VALUES, VALUES_DIR / "kueue.yaml"])
    (job,) = jobs(namespace, "seed")

    def pending() -> dict[str, Any] | None:
        workload = workload_of(namespace, job.metadata.name)
        return workload if workload and condition(workload, "QuotaReserved").get("status") == "False" else None

    workload = eventually(pending, 60, "Kueue to hold the seed's Workload")
    assert (
        workload["spec"]["podSets"][0]["template"]["spec"]["initContainers"][1]["resources"]["requests"]["cpu"] == "3"
    )
    assert pods(namespace, "seed") == []
