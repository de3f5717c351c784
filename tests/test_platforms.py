"""The ways platforms run Jobs, as rendered: GitOps-safe names (job.nameSuffix), a CronJob (schedule), Kueue's labels,
Helm hook mode, and the problems each combination that cannot work is refused with."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from harness.schemas import chart_kube_versions, validate_object
from harness.subchart import build_parent_chart
from sequential_job.helm import run_helm, template_args
from sequential_job.manifest import CRON_JOB, JOB, VOLCANO_CRON_JOB, VOLCANO_JOB, Manifest
from sequential_job.render import render
from sequential_job.values import chain

OLDEST, NEWEST = chart_kube_versions()


def name_of(values: dict, **kwargs: object) -> str:
    return render(values=values, **kwargs).workload()["metadata"]["name"]


# --- job.nameSuffix


def hashed(n: int = 2, **extra: object) -> dict:
    values = chain(n, **extra)
    values.setdefault("job", {})["nameSuffix"] = "hash"
    return values


def test_revision_is_the_default_suffix() -> None:
    assert name_of(chain(2)) == "test-sequential-job-1"


def test_none_leaves_the_fullname() -> None:
    assert name_of(chain(2, job={"nameSuffix": "none"})) == "test-sequential-job"


def test_hash_is_stable_for_the_same_chain() -> None:
    first = name_of(hashed())
    assert re.fullmatch(r"test-sequential-job-[0-9a-f]{10}", first), first
    # Another render, another release revision Helm would not know under `helm template`: the same name.
    assert name_of(hashed(), helm="helm3") == first


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda v: v["steps"][0].update(image="busybox:1.37"), id="a step's image"),
        pytest.param(lambda v: v["steps"][1].update(script="echo other"), id="a step's script"),
        pytest.param(lambda v: v["steps"].append({"name": "step-3", "image": "x:1"}), id="one more step"),
        pytest.param(lambda v: v.update(stepDefaults={"env": [{"name": "A", "value": "1"}]}), id="stepDefaults"),
        pytest.param(lambda v: v.update(pod={"activeDeadlineSeconds": 60}), id="the pod's deadline"),
        pytest.param(lambda v: v["job"].update(backoffLimit=1), id="the Job's retries"),
        pytest.param(lambda v: v["job"].update(activeDeadlineSeconds=60), id="the Job's deadline"),
    ],
)
def test_hash_changes_with_what_runs(change) -> None:
    values = hashed()
    changed = copy.deepcopy(values)
    change(changed)
    assert name_of(changed) != name_of(values)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"labels": {"team": "a"}}, id="job.labels"),
        pytest.param({"annotations": {"owner": "a"}}, id="job.annotations"),
    ],
)
def test_hash_ignores_metadata_a_patch_can_change(change: dict) -> None:
    """Labels and annotations of the Job are mutable, so changing them must not re-run the chain."""
    values = hashed()
    changed = copy.deepcopy(values)
    changed["job"].update(change)
    changed["kueue"] = {"queueName": "team-a"}
    assert name_of(changed) == name_of(values)


def test_hash_of_a_volcano_job_follows_its_spec() -> None:
    values = hashed(volcano={"enabled": True})
    other = hashed(volcano={"enabled": True, "queue": "other"})
    assert render(values=values).workload()["apiVersion"] == VOLCANO_JOB[0]
    assert name_of(values) != name_of(other)
    assert re.fullmatch(r"test-sequential-job-[0-9a-f]{10}", name_of(values))


def test_a_long_fullname_keeps_the_whole_hash() -> None:
    name = name_of(hashed(fullnameOverride="x" * 63))
    assert len(name) == 63 and re.fullmatch(r"x{52}-[0-9a-f]{10}", name), name


# --- schedule


def scheduled(**extra: object) -> dict:
    return chain(3, schedule="0 3 * * *", **extra)


def test_schedule_renders_a_cronjob_around_the_jobs_own_spec() -> None:
    cron = render(values=scheduled())
    job = render(values=chain(3))
    assert cron.kinds() == [CRON_JOB], cron.context()
    spec = cron.workload()["spec"]
    assert spec["schedule"] == "0 3 * * *" and spec["concurrencyPolicy"] == "Forbid"
    assert spec["jobTemplate"]["spec"] == job.workload()["spec"], "the CronJob's Job drifted from the Job"
    assert spec["jobTemplate"]["metadata"]["labels"] == job.workload()["metadata"]["labels"]


def test_volcano_schedule_renders_a_volcano_cronjob_around_the_volcano_jobs_spec() -> None:
    volcano = {"enabled": True, "queue": "research", "policies": [{"event": "PodFailed", "action": "AbortJob"}]}
    cron = render(values=scheduled(volcano=volcano))
    job = render(values=chain(3, volcano=volcano))
    assert cron.kinds() == [VOLCANO_CRON_JOB], cron.context()
    assert cron.workload()["spec"]["jobTemplate"]["spec"] == job.workload()["spec"]


@pytest.mark.parametrize("kube_version", [OLDEST, NEWEST])
def test_cronjob_settings_pass_strict_validation(kube_version: str) -> None:
    settings = {
        "timeZone": "Europe/Berlin",
        "concurrencyPolicy": "Replace",
        "startingDeadlineSeconds": 0,
        "successfulJobsHistoryLimit": 5,
        "failedJobsHistoryLimit": 0,
        "suspend": True,
    }
    manifest = render(values=scheduled(cronJob=settings), kube_version=kube_version)
    spec = manifest.workload()["spec"]
    assert {k: spec[k] for k in settings} == settings
    problems = [p for o in manifest.objects for p in validate_object(o, kube_version)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("schedule", ["@daily", "@every 1h", "*/5 * * * *", "0 3 * * 1-5"])
def test_schedules_kubernetes_accepts_render(schedule: str) -> None:
    assert render(values=chain(1, schedule=schedule)).workload()["spec"]["schedule"] == schedule


def test_nothing_but_the_cronjob_is_rendered_with_kueue_labels_on_its_jobs() -> None:
    cron = render(values=scheduled(kueue={"queueName": "team-a"})).workload()
    assert cron["spec"]["jobTemplate"]["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "team-a"
    assert "kueue.x-k8s.io/queue-name" not in cron["metadata"]["labels"]


# --- Kueue


def test_kueue_labels_the_job_and_leaves_suspend_to_kueue() -> None:
    job = render(values=chain(2, kueue={"queueName": "team-a", "priorityClass": "high"})).workload()
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "team-a"
    assert job["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "high"
    assert "suspend" not in job["spec"], "Kueue's webhook suspends the Job; the chart must not"


def test_no_kueue_labels_by_default() -> None:
    labels = render(values=chain(2)).workload()["metadata"]["labels"]
    assert not [k for k in labels if k.startswith("kueue.x-k8s.io/")], labels


# --- hooks


def test_hook_mode_annotates_the_job_and_drops_the_revision() -> None:
    job = render(values=chain(2, hook={"enabled": True})).workload()
    assert job["kind"] == JOB[1] and job["metadata"]["name"] == "test-sequential-job"
    assert job["metadata"]["annotations"] == {
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-weight": "0",
        "helm.sh/hook-delete-policy": "before-hook-creation",
    }


def test_no_hook_annotations_by_default() -> None:
    assert "annotations" not in render(values=chain(2)).workload()["metadata"]


def test_two_aliases_of_the_chart_in_a_parent_render_two_hook_chains(tmp_path: Path, helm_name: str) -> None:
    """tests/data/parent-chart (the end-to-end suite installs it) depends on the chart as `migrate` and `backfill`."""
    chart = build_parent_chart(helm_name, tmp_path)
    objects = Manifest.parse(run_helm(helm_name, *template_args(release="app", chart=chart)).stdout).objects
    hooks = {o["metadata"]["name"]: o["metadata"]["annotations"] for o in objects if o["kind"] == "Job"}
    assert sorted(hooks) == ["app-backfill", "app-migrate"], sorted(hooks)
    assert hooks["app-migrate"]["helm.sh/hook-weight"] == "0" and hooks["app-backfill"]["helm.sh/hook-weight"] == "1"
    assert [o["kind"] for o in objects if o["kind"] != "Job"] == ["ConfigMap"]
