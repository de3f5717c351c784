"""`helm install --wait --wait-for-jobs` under both helms: it returns once the chain has completed, and fails when a
step fails, telling so rather than running into its timeout. How soon each helm returns is `make bench`'s `wait`."""

from __future__ import annotations

from e2e.cluster import install, jobs, runs_by_name, the_pod
from sequential_job.values import chain

WAIT = ("--wait", "--wait-for-jobs", "--timeout", "5m")


def test_wait_returns_when_the_chain_completes(namespace: str, helm_name: str) -> None:
    values = chain(3)
    values["steps"][1]["script"] = "sleep 5; echo step-2"
    run = install(helm_name, "ok", namespace, values=values, extra_args=WAIT)
    (job,) = jobs(namespace, "ok")
    assert job.status.succeeded == 1, f"helm returned before the Job completed:\n{run.stdout}"
    assert runs_by_name(the_pod(namespace, "ok"))["step-3"].exit_code == 0


def test_wait_fails_when_a_step_fails(namespace: str, helm_name: str) -> None:
    values = chain(3)
    values["steps"][1]["script"] = "sleep 3; exit 3"
    run = install(helm_name, "bad", namespace, values=values, extra_args=WAIT, check=False)
    assert run.returncode != 0, f"`{helm_name} install --wait --wait-for-jobs` succeeded although step-2 failed"
    error = run.stderr.lower()
    assert "bad-sequential-job-1" in error and "fail" in error, run.describe()
    assert "timed out" not in error and "deadline" not in error, f"{helm_name} waited out its timeout:\n{run.stderr}"
    runs = runs_by_name(the_pod(namespace, "bad"))
    assert runs["step-2"].exit_code == 3 and runs["step-3"].started is None
