"""The whole JobSpec API under `job`: every field the chart does not own (the list read from the Kubernetes
definitions, not typed in here) is rendered as written into the batch/v1 Job and passes strict validation, and in
Volcano mode every one of them but ttlSecondsAfterFinished is refused by name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.samples import Sampler, contains, kubernetes_fields, kubernetes_sampler, prune
from harness.schemas import chart_kube_versions, validate_object
from sequential_job.manifest import Manifest
from sequential_job.paths import VALUES_SCHEMA
from sequential_job.render import render, render_error
from sequential_job.values import chain

OLDEST, NEWEST = chart_kube_versions()
SCHEMA: dict[str, Any] = json.loads(VALUES_SCHEMA.read_text())
JOB_FIELDS, OWNED = kubernetes_fields("job")
# Volcano has its own ttlSecondsAfterFinished; everything else is a batch/v1 Job's own.
VOLCANO_TOO = {"ttlSecondsAfterFinished"}

# A value from each field's definition, then the fields whose values must agree with each other to be a Job Kubernetes
# accepts (the templates check these combinations; tests/test_bad_input.py has the ones they refuse).
CONSISTENT = {
    "completionMode": "Indexed",
    "completions": 3,
    "parallelism": 2,
    "backoffLimitPerIndex": 1,
    "maxFailedIndexes": 1,
    "successPolicy": {"rules": [{"succeededIndexes": "0-1", "succeededCount": 1}]},
    "podFailurePolicy": {
        "rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]
    },
    "podReplacementPolicy": "Failed",
    "managedBy": "kubernetes.io/job-controller",
    "suspend": True,
}
SAMPLER = Sampler(SCHEMA["definitions"])
JOB = {f: SAMPLER.sample(SCHEMA["properties"]["job"]["properties"][f]) for f in JOB_FIELDS} | CONSISTENT


def rendered(job: dict[str, Any], helm: str = "helm", kube_version: str | None = None) -> Manifest:
    return render(values=chain(2, job=job), helm=helm, kube_version=kube_version)


def test_the_consistent_values_are_jobspec_fields() -> None:
    assert set(CONSISTENT) <= set(JOB_FIELDS), set(CONSISTENT) - set(JOB_FIELDS)


def test_the_fields_the_chart_owns_are_the_pod_template_and_its_selector() -> None:
    assert sorted(OWNED) == ["manualSelector", "selector", "template"]


@pytest.mark.parametrize("field", JOB_FIELDS)
def test_job_field_is_rendered_as_written(field: str, helm_name: str) -> None:
    spec = rendered(JOB, helm_name).workload()["spec"]
    assert field in spec, f"job.{field} is missing from the rendered Job spec"
    assert contains((spec[field]), JOB[field]), f"job.{field}: wrote {JOB[field]!r}, rendered {spec[field]!r}"


def test_every_job_field_passes_strict_validation_at_the_newest_version() -> None:
    manifest = rendered(JOB)
    problems = [p for obj in manifest.objects for p in validate_object(obj, NEWEST)]
    assert problems == [], "\n".join(problems)


def test_the_job_fields_the_oldest_version_knows_pass_strict_validation_there() -> None:
    job = prune(JOB, {"$ref": "#/$defs/io.k8s.api.batch.v1.JobSpec"}, kubernetes_sampler(OLDEST))
    assert len(job) >= 8, f"too little of the sample survived pruning to {OLDEST}: {job}"
    manifest = rendered(job, kube_version=OLDEST)
    problems = [p for obj in manifest.objects for p in validate_object(obj, OLDEST)]
    assert problems == [], "\n".join(problems)


def test_volcano_mode_refuses_every_batch_job_field_by_name() -> None:
    values = chain(2, job=JOB, volcano={"enabled": True})
    run = render_error(values=values)
    refused = [f for f in JOB_FIELDS if f"\n  - job.{f}: " in run.stderr]
    assert refused == [f for f in JOB_FIELDS if f not in VOLCANO_TOO], run.describe()
    assert "has no effect on a Volcano Job" in run.stderr


def test_volcano_mode_takes_ttl_seconds_after_finished_and_a_backoff_limit_of_0() -> None:
    values = chain(2, job={"ttlSecondsAfterFinished": 60, "backoffLimit": 0}, volcano={"enabled": True})
    assert render(values=values).workload()["spec"]["ttlSecondsAfterFinished"] == 60
