"""Secure by default: the real Pod Security admission admits the chart's defaults under "restricted"."""

from __future__ import annotations

from e2e.cluster import events, eventually, install, jobs, pods, wait_finished
from sequential_job.values import chain


def test_defaults_are_admitted_and_run(restricted: str, helm_name: str) -> None:
    install(helm_name, "secure", restricted, values=chain(2))
    assert wait_finished(restricted, "secure") == "completed"


def test_seed_identity_is_admitted(restricted: str) -> None:
    values = chain(2, pod={"securityContext": {"runAsUser": 2000, "runAsGroup": 2000, "fsGroup": 2000}})
    install("helm", "seedids", restricted, values=values)
    assert wait_finished(restricted, "seedids") == "completed"


def test_privileged_step_is_refused(restricted: str, helm_name: str) -> None:
    values = chain(2)
    values["steps"][1]["securityContext"] = {"privileged": True, "allowPrivilegeEscalation": True}
    install(helm_name, "priv", restricted, values=values)
    job_name = jobs(restricted, "priv")[0].metadata.name

    def refusal() -> str | None:
        for event in events(restricted, job_name):
            if event.reason == "FailedCreate" and "violates PodSecurity" in event.message:
                return event.message
        return None

    message = eventually(refusal, 60, "the Job controller's FailedCreate event from Pod Security admission")
    assert 'violates PodSecurity "restricted:latest"' in message, message
    assert "privileged" in message and "step-2" in message, message
    assert pods(restricted, "priv") == [], "no pod may exist for a refused template"
