"""The seed on a real cluster, under Helm 4 and Helm 3: the steps run in order and hand files to each other."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from kubernetes import client

from e2e.cluster import events, eventually, install, jobs, logs, pods, runs_by_name, the_pod, wait_finished
from e2e.conftest import delete_namespace, new_namespace
from sequential_job.paths import SEED_VALUES, VALUES_DIR

SEED = SEED_VALUES
# The seed's job-2 requests 3 CPUs; values/dev.yaml (layered on seed.yaml) lowers it to 100m.
SEED_ON_SMALL_NODE = (SEED, VALUES_DIR / "dev.yaml")
DATE_LINE = re.compile(r"^(job-\d) (\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \w+ \d{4})$")


@pytest.fixture(scope="module", params=["helm", "helm3"])
def seed_run(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Install the seed once per helm and wait for the Job; tests read the finished pod."""
    helm_name = request.param
    ns = new_namespace(f"seed-{helm_name}")
    install(helm_name, "seed", ns, SEED_ON_SMALL_NODE)
    outcome = wait_finished(ns, "seed", timeout=180)
    pod = the_pod(ns, "seed")
    run = {
        "helm": helm_name,
        "namespace": ns,
        "outcome": outcome,
        "pod": pod,
        "runs": runs_by_name(pod),
        "logs": {name: logs(pod, name) for name in ("job-1", "job-2", "job-3")},
    }
    yield run
    delete_namespace(ns)


def test_job_completes(seed_run: dict[str, Any]) -> None:
    assert seed_run["outcome"] == "completed", f"seed Job under {seed_run['helm']}: {seed_run['outcome']}"
    job = jobs(seed_run["namespace"], "seed")[0]
    assert job.status.succeeded == 1


def test_steps_ran_one_after_another(seed_run: dict[str, Any]) -> None:
    runs = seed_run["runs"]
    for earlier, later in (("job-1", "job-2"), ("job-2", "job-3")):
        a, b = runs[earlier], runs[later]
        assert a.exit_code == 0 and b.exit_code == 0, f"{earlier} exit {a.exit_code}, {later} exit {b.exit_code}"
        assert a.finished <= b.started, f"{later} started {b.started} before {earlier} finished {a.finished}"


def timestamped(log: str, step: str) -> list[datetime]:
    stamps = []
    for line in log.splitlines():
        match = DATE_LINE.match(line)
        if match and match.group(1) == step:
            stamps.append(datetime.strptime(match.group(2), "%a %b %d %H:%M:%S %Z %Y"))
    return stamps


@pytest.mark.parametrize("step", ["job-1", "job-2"])
def test_steps_log_three_timestamped_lines(seed_run: dict[str, Any], step: str) -> None:
    stamps = timestamped(seed_run["logs"][step], step)
    assert len(stamps) == 3, f"{step} should log three '{step} <date>' lines:\n{seed_run['logs'][step]}"
    assert stamps == sorted(stamps)


def test_job2_starts_after_job1_by_its_own_clock(seed_run: dict[str, Any]) -> None:
    last_job1 = timestamped(seed_run["logs"]["job-1"], "job-1")[-1]
    first_job2 = timestamped(seed_run["logs"]["job-2"], "job-2")[0]
    assert first_job2 > last_job1, f"job-2 printed {first_job2} but job-1 was still printing at {last_job1}"


def test_files_travel_between_steps(seed_run: dict[str, Any]) -> None:
    assert seed_run["logs"]["job-2"].splitlines()[-1] == "code", "job-2 should print the code job-1 wrote"
    assert seed_run["logs"]["job-3"].splitlines() == ["job-1 and job-2 completed", "artifact"]


def test_unchanged_seed_needs_three_cpus(namespace: str) -> None:
    """The seed as written asks 3 CPUs for job-2, so the whole pod needs 3 CPUs to schedule."""
    node = client.CoreV1Api().list_node().items[0]
    cpus = int(node.status.allocatable["cpu"])
    install("helm", "seed", namespace, [SEED])
    if cpus >= 3:
        assert wait_finished(namespace, "seed", timeout=180) == "completed"
        return

    def unschedulable() -> str | None:
        found = pods(namespace, "seed")
        if not found:
            return None
        for event in events(namespace, found[0].metadata.name):
            if event.reason == "FailedScheduling" and "Insufficient cpu" in event.message:
                return event.message
        return None

    message = eventually(unschedulable, 60, "a FailedScheduling event for the seed's 3-CPU request")
    assert "Insufficient cpu" in message
    assert pods(namespace, "seed")[0].status.phase == "Pending"
