"""Secure by default: the real Pod Security admission admits the chart's defaults under "restricted"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from e2e.cluster import events, eventually, install, jobs, pods, wait_finished
from e2e.conftest import delete_namespace, new_namespace
from sequential_job.values import chain

RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}


@pytest.fixture
def restricted_namespace(request: pytest.FixtureRequest) -> Iterator[str]:
    name = new_namespace(f"restricted-{request.node.name}", labels=RESTRICTED)
    yield name
    delete_namespace(name)


def test_defaults_are_admitted_and_run(restricted_namespace: str, helm_name: str) -> None:
    install(helm_name, "secure", restricted_namespace, values=chain(2))
    assert wait_finished(restricted_namespace, "secure") == "completed"


def test_seed_identity_is_admitted(restricted_namespace: str) -> None:
    values = chain(2, pod={"securityContext": {"runAsUser": 2000, "runAsGroup": 2000, "fsGroup": 2000}})
    install("helm", "seedids", restricted_namespace, values=values)
    assert wait_finished(restricted_namespace, "seedids") == "completed"


def test_privileged_step_is_refused(restricted_namespace: str, helm_name: str) -> None:
    values = chain(2)
    values["steps"][1]["securityContext"] = {"privileged": True, "allowPrivilegeEscalation": True}
    install(helm_name, "priv", restricted_namespace, values=values)
    job_name = jobs(restricted_namespace, "priv")[0].metadata.name

    def refusal() -> str | None:
        for event in events(restricted_namespace, job_name):
            if event.reason == "FailedCreate" and "violates PodSecurity" in event.message:
                return event.message
        return None

    message = eventually(refusal, 60, "the Job controller's FailedCreate event from Pod Security admission")
    assert 'violates PodSecurity "restricted:latest"' in message, message
    assert "privileged" in message and "step-2" in message, message
    assert pods(restricted_namespace, "priv") == [], "no pod may exist for a refused template"
