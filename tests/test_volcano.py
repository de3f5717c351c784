"""The Volcano toggle renders the same chain as one Volcano Job, with the same pod template as Job mode."""

import pytest

from harness import Manifest, render, render_error, thaw
from harness.paths import VALUES_DIR
from harness.values import chain


def test_volcano_replaces_the_batch_job(seed_volcano: Manifest) -> None:
    assert seed_volcano.kinds() == [("batch.volcano.sh/v1alpha1", "Job")], seed_volcano.context()


def test_volcano_spec_from_seed(seed_volcano: Manifest) -> None:
    spec = seed_volcano.workload()["spec"]
    assert (spec["schedulerName"], spec["queue"], spec["minAvailable"]) == ("volcano", "default", 1)
    assert len(spec["tasks"]) == 1, f"expected one task, got {len(spec['tasks'])}"
    task = spec["tasks"][0]
    assert (task["name"], task["replicas"]) == ("task-1", 1)


def test_volcano_template_equals_job_template(seed: Manifest, seed_volcano: Manifest) -> None:
    assert thaw(seed_volcano.pod_template()) == thaw(seed.pod_template()), "Volcano task template drifted from Job's"


def test_volcano_keeps_seed_last_step_name(seed_volcano: Manifest) -> None:
    # The seed's Volcano example called it job-done but read logs from job-3; the chart keeps job-3.
    assert seed_volcano.step_names() == ["job-1", "job-2", "job-3"]


def test_volcano_options_render() -> None:
    values = chain(
        2,
        volcano={
            "enabled": True,
            "queue": "batch",
            "schedulerName": "volcano-2",
            "taskName": "chain",
            "maxRetry": 0,
            "priorityClassName": "high",
            "policies": [{"event": "PodFailed", "action": "AbortJob"}],
            "plugins": {"env": [], "svc": []},
        },
        job={"ttlSecondsAfterFinished": 0},
    )
    spec = thaw(render(values=values).workload()["spec"])
    assert spec["queue"] == "batch" and spec["schedulerName"] == "volcano-2"
    assert spec["maxRetry"] == 0, "maxRetry 0 must be rendered, not dropped as empty"
    assert spec["ttlSecondsAfterFinished"] == 0
    assert spec["priorityClassName"] == "high"
    assert spec["policies"] == [{"event": "PodFailed", "action": "AbortJob"}]
    assert spec["plugins"] == {"env": [], "svc": []}
    assert spec["tasks"][0]["name"] == "chain"


@pytest.mark.parametrize(
    "job, named",
    [({"activeDeadlineSeconds": 30}, "job.activeDeadlineSeconds"), ({"backoffLimit": 2}, "job.backoffLimit")],
)
def test_job_only_fields_are_refused_in_volcano_mode(job: dict, named: str) -> None:
    run = render_error([VALUES_DIR / "seed.yaml", VALUES_DIR / "volcano.yaml"], {"job": job})
    assert named in run.stderr, run.describe()
