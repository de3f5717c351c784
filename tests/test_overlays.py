"""Checks every overlay must pass: every file in values/, or those given with --overlay (`make check VALUES=...`)."""

import pytest

from harness.schemas import chart_kube_versions, validate_object
from sequential_job.helm import lint_args, run_helm
from sequential_job.manifest import Manifest
from sequential_job.overlays import Overlay
from sequential_job.render import render

OLDEST, NEWEST = chart_kube_versions()


def test_renders_one_workload_and_at_most_its_shards(rendered: Manifest) -> None:
    """One Job or Volcano Job, plus the ConfigMap of shards its pod mounts when the overlay fans out."""
    workload = rendered.workload()
    shards = [v["configMap"]["name"] for v in rendered.pod_spec().get("volumes", ()) if v["name"] == "shards"]
    others = [(o["kind"], o["metadata"]["name"]) for o in rendered.objects if o is not workload]
    assert others == [("ConfigMap", name) for name in shards], f"expected the workload and its shards: {others}"


def test_steps_are_unique_and_split_correctly(rendered: Manifest) -> None:
    names = rendered.step_names()
    assert len(names) == len(set(names)), f"duplicate step names: {names}"
    steps = rendered.steps()
    assert all(s.init for s in steps[:-1]) and not steps[-1].init, "only the last step may be a regular container"
    assert len(rendered.pod_spec()["containers"]) == 1, "the pod must have exactly one regular container"


def test_default_container_is_last_step(rendered: Manifest) -> None:
    annotations = rendered.pod_template()["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/default-container"] == rendered.step_names()[-1]


@pytest.mark.parametrize("kube_version", [OLDEST, NEWEST])
def test_strict_schema_validation(overlay: Overlay, kube_version: str) -> None:
    manifest = render(overlay.files, kube_version=kube_version)
    problems = [p for obj in manifest.objects for p in validate_object(obj, kube_version)]
    assert problems == [], "\n".join(problems)


def test_helm3_and_helm4_render_identically(overlay: Overlay) -> None:
    helm4 = render(overlay.files, helm="helm")
    helm3 = render(overlay.files, helm="helm3")
    assert helm3.objects == helm4.objects, f"{overlay.name}: Helm 3 and Helm 4 disagree"


def test_lint_strict(overlay: Overlay, helm_name: str) -> None:
    run = run_helm(helm_name, *lint_args(overlay.files), check=False)
    assert run.returncode == 0, run.describe() + "\n" + run.stdout
    assert "[WARNING]" not in run.stdout and "[ERROR]" not in run.stdout, run.stdout
