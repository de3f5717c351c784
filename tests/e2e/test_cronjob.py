"""Scheduled chains on a real cluster: the CronJob's Job runs the chain, a `* * * * *` schedule starts one within a
minute, Forbid keeps a run from overlapping the previous one, and Volcano's CronJob starts Volcano Jobs."""

from __future__ import annotations

import time

from kubernetes import client

from e2e.cluster import eventually, install, jobs, kubectl, logs, pods, runs_by_name, vcjob_phase, vcjobs
from sequential_job.values import chain

# Far from now: a run is started by hand (`kubectl create job --from=cronjob/...`), never by the schedule.
NEVER = "0 0 1 1 *"
EVERY_MINUTE = "* * * * *"


def cronjob(namespace: str, name: str) -> client.V1CronJob:
    return client.BatchV1Api().read_namespaced_cron_job(name, namespace)


def test_a_job_created_from_the_cronjob_runs_the_chain(namespace: str, helm_name: str) -> None:
    install(helm_name, "cron", namespace, values=chain(3, schedule=NEVER))
    assert cronjob(namespace, "cron-sequential-job").spec.concurrency_policy == "Forbid"
    created = kubectl("create", "job", "-n", namespace, "--from=cronjob/cron-sequential-job", "cron-now")
    assert created.returncode == 0, created.stderr

    def finished() -> client.V1Job | None:
        job = client.BatchV1Api().read_namespaced_job("cron-now", namespace)
        return job if job.status.succeeded or job.status.failed else None

    job = eventually(finished, 120, "the Job created from the CronJob to finish")
    assert job.status.succeeded == 1, job.status
    (pod,) = pods(namespace, "cron")
    runs = runs_by_name(pod)
    assert [r.exit_code for r in runs.values()] == [0, 0, 0]
    assert runs["step-1"].finished <= runs["step-2"].started and runs["step-2"].finished <= runs["step-3"].started
    assert logs(pod, "step-3").strip() == "step-3"


def test_every_minute_starts_a_run_and_forbid_keeps_the_next_from_overlapping(namespace: str) -> None:
    values = chain(2, schedule=EVERY_MINUTE)
    values["steps"][0]["script"] = "sleep 100"  # outlasts the next scheduled time
    install("helm", "minutely", namespace, values=values)
    (first,) = eventually(lambda: jobs(namespace, "minutely"), 70, "the schedule to start a Job within 70 s")
    # The next scheduled time passes while the first run is still in its 100 s step.
    time.sleep(70)
    assert [j.metadata.name for j in jobs(namespace, "minutely")] == [first.metadata.name], (
        "Forbid: no second run may start while the first runs"
    )
    assert client.BatchV1Api().read_namespaced_job(first.metadata.name, namespace).status.active == 1
    cron = cronjob(namespace, "minutely-sequential-job")
    assert [a.name for a in cron.status.active or []] == [first.metadata.name]


def test_volcano_cronjob_starts_volcano_jobs(namespace: str) -> None:
    install("helm", "vcron", namespace, values=chain(2, schedule=EVERY_MINUTE, volcano={"enabled": True}))
    cron = client.CustomObjectsApi().get_namespaced_custom_object(
        "batch.volcano.sh", "v1alpha1", namespace, "cronjobs", "vcron-sequential-job"
    )
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    (job, *_) = eventually(lambda: vcjobs(namespace, "vcron"), 75, "Volcano's CronJob to start a Volcano Job")
    done = eventually(
        lambda: next((j for j in vcjobs(namespace, "vcron") if vcjob_phase(j) in ("Completed", "Failed")), None),
        120,
        "the first Volcano Job to finish",
    )
    assert vcjob_phase(done) == "Completed", done["status"]
    assert done["metadata"]["name"].startswith("vcron-sequential-job-"), done["metadata"]["name"]
    assert [t["template"]["spec"]["containers"][0]["name"] for t in job["spec"]["tasks"]] == ["step-2"]
