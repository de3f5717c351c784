"""values/seed.yaml reproduces the seed's example field by field (tests/data/seed-job.yaml is the seed, transcribed)."""

import pytest
import yaml

from sequential_job.manifest import Manifest
from sequential_job.paths import SEED_JOB

SEED = yaml.safe_load(SEED_JOB.read_text())
SEED_POD = SEED["spec"]["template"]["spec"]
SEED_STEPS = SEED_POD["initContainers"] + SEED_POD["containers"]


def test_seed_is_a_batch_job(seed: Manifest) -> None:
    assert seed.kinds() == [("batch/v1", "Job")], seed.context()
    assert seed.workload()["metadata"]["name"].startswith(SEED["metadata"]["name"] + "-")


@pytest.mark.parametrize("field", ["backoffLimit", "ttlSecondsAfterFinished"])
def test_job_fields(seed: Manifest, field: str) -> None:
    assert seed.workload()["spec"][field] == SEED["spec"][field], f"Job spec.{field}"


@pytest.mark.parametrize("field", ["activeDeadlineSeconds", "restartPolicy", "volumes"])
def test_pod_fields(seed: Manifest, field: str) -> None:
    assert seed.pod_spec()[field] == SEED_POD[field], f"pod spec.{field}"


def test_deadline_is_spelled_right(seed: Manifest) -> None:
    spec = seed.pod_spec()
    assert "activeDeadlinesSeconds" not in spec
    assert spec["activeDeadlineSeconds"] == 60


def test_pod_security_context_keeps_seed_ids(seed: Manifest) -> None:
    context = seed.pod_spec()["securityContext"]
    for key, value in SEED_POD["securityContext"].items():
        assert context[key] == value, f"pod securityContext.{key}: {context.get(key)} != seed's {value}"


def test_step_names_and_split(seed: Manifest) -> None:
    spec = seed.pod_spec()
    assert [c["name"] for c in spec["initContainers"]] == ["job-1", "job-2"]
    assert [c["name"] for c in spec["containers"]] == ["job-3"]


@pytest.mark.parametrize("expected", SEED_STEPS, ids=[s["name"] for s in SEED_STEPS])
def test_step_matches_seed(seed: Manifest, expected: dict) -> None:
    step = seed.step(expected["name"])
    got = step.container
    for field in ("image", "command", "volumeMounts"):
        assert got.get(field) == expected[field], f"step {expected['name']}: {field} is {got.get(field)!r}"
    assert got.get("resources", {}) == expected.get("resources", {}), f"step {expected['name']}: resources"


def test_nested_mount_is_kept(seed: Manifest) -> None:
    mounts = seed.step("job-2").mount_paths()
    assert mounts == {"/srv/input/": "input", "/srv/input/output/": "output"}, f"job-2 mounts: {mounts}"


# What the chart adds to the seed's pod on purpose: its secure defaults (the seed's own ids win), no API token, and
# failed steps' last log lines in the pod status.
CHART_ADDS_TO_POD = {
    "automountServiceAccountToken": False,
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
}
CHART_ADDS_TO_STEP = {
    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    "terminationMessagePolicy": "FallbackToLogsOnError",
}


def test_pod_is_the_seed_plus_the_chart_defaults_and_nothing_else(seed: Manifest) -> None:
    expected = {**SEED_POD, **CHART_ADDS_TO_POD}
    expected["securityContext"] = {**SEED_POD["securityContext"], **CHART_ADDS_TO_POD["securityContext"]}
    expected["initContainers"] = [{**c, **CHART_ADDS_TO_STEP} for c in SEED_POD["initContainers"]]
    expected["containers"] = [{**c, **CHART_ADDS_TO_STEP} for c in SEED_POD["containers"]]
    got = seed.pod_spec()
    for field in sorted(set(expected) | set(got)):
        assert got.get(field) == expected.get(field), f"pod spec.{field}: {got.get(field)!r} != {expected.get(field)!r}"
