"""helm upgrade, rollback and uninstall, and ttlSecondsAfterFinished, on a real cluster."""

from __future__ import annotations

from e2e.cluster import eventually, helm, install, jobs, pods, the_pod, wait_finished
from sequential_job.values import chain


def job_names(namespace: str, release: str) -> list[str]:
    return sorted(j.metadata.name for j in jobs(namespace, release))


def step_names(namespace: str, release: str) -> list[str]:
    pod = the_pod(namespace, release)
    return [c.name for c in (pod.spec.init_containers or []) + pod.spec.containers]


def test_upgrade_rollback_uninstall(namespace: str, helm_name: str) -> None:
    install(helm_name, "life", namespace, values=chain(2))
    assert wait_finished(namespace, "life") == "completed"
    assert job_names(namespace, "life") == ["life-sequential-job-1"]

    # Job templates are immutable: the upgrade creates revision 2's Job and Helm deletes revision 1's.
    install(helm_name, "life", namespace, values=chain(3), command="upgrade")
    eventually(lambda: job_names(namespace, "life") == ["life-sequential-job-2"], 60, "only revision 2's Job")
    eventually(lambda: len(pods(namespace, "life")) == 1, 60, "revision 1's pod to be garbage-collected")
    assert wait_finished(namespace, "life") == "completed"
    assert step_names(namespace, "life") == ["step-1", "step-2", "step-3"]

    # A rollback re-applies revision 1's stored manifest, so revision 1's Job comes back under its own name.
    helm(helm_name, "rollback", "life", "1", "-n", namespace)
    eventually(lambda: job_names(namespace, "life") == ["life-sequential-job-1"], 60, "revision 1's Job again")
    eventually(lambda: len(pods(namespace, "life")) == 1, 60, "revision 2's pod to be garbage-collected")
    assert wait_finished(namespace, "life") == "completed"
    assert step_names(namespace, "life") == ["step-1", "step-2"], "rollback must restore revision 1's steps"

    helm(helm_name, "uninstall", "life", "-n", namespace, "--wait")
    eventually(lambda: not jobs(namespace, "life") and not pods(namespace, "life"), 60, "no Job or pod left")


def test_ttl_deletes_the_job_and_upgrade_still_works(namespace: str, helm_name: str) -> None:
    install(helm_name, "ttl", namespace, values=chain(1, job={"ttlSecondsAfterFinished": 1}))
    eventually(lambda: job_names(namespace, "ttl") == ["ttl-sequential-job-1"], 30, "the Job to be created")
    eventually(lambda: not jobs(namespace, "ttl"), 90, "the TTL controller to delete the finished Job")
    install(helm_name, "ttl", namespace, values=chain(2, job={"ttlSecondsAfterFinished": 300}), command="upgrade")
    assert job_names(namespace, "ttl") == ["ttl-sequential-job-2"]
    assert wait_finished(namespace, "ttl") == "completed"
