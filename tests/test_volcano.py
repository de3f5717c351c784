"""The Volcano toggle renders the same chain as one Volcano Job, with the same pod template as Job mode."""

from harness.volcano import without_webhook_defaults
from sequential_job.manifest import Manifest


def test_volcano_replaces_the_batch_job(seed_volcano: Manifest) -> None:
    assert seed_volcano.kinds() == [("batch.volcano.sh/v1alpha1", "Job")], seed_volcano.context()


def test_volcano_spec_from_seed(seed_volcano: Manifest) -> None:
    spec = seed_volcano.workload()["spec"]
    assert (spec["schedulerName"], spec["queue"], spec["minAvailable"]) == ("volcano", "default", 1)
    assert len(spec["tasks"]) == 1, f"expected one task, got {len(spec['tasks'])}"
    task = spec["tasks"][0]
    assert (task["name"], task["replicas"]) == ("task-1", 1)


def test_volcano_template_equals_job_template(seed: Manifest, seed_volcano: Manifest) -> None:
    volcano = without_webhook_defaults(seed_volcano.pod_template())
    assert volcano == seed.pod_template(), "Volcano task template drifted from Job's"


def test_volcano_keeps_seed_last_step_name(seed_volcano: Manifest) -> None:
    # The seed's Volcano example called it job-done but read logs from job-3; the chart keeps job-3.
    assert seed_volcano.step_names() == ["job-1", "job-2", "job-3"]
