"""The release's objects in combination (sequential-job.release): every object in the release's namespace, hook mode
making everything the Job needs a hook before it, hash names that change exactly when a re-run would differ, and the
README's advice about ttl kept by its own examples."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sequential_job import yamlio
from sequential_job.helm import run_helm, template_args
from sequential_job.manifest import RUNTIME_CONTAINER, Manifest
from sequential_job.overlays import Overlay
from sequential_job.paths import CHART, VALUES_DIR
from sequential_job.render import render, values_yaml

STEP = {"name": "run", "image": "busybox:1.36", "command": ["sh", "/files/run.sh"]}
WITH_EVERYTHING: dict[str, Any] = {
    "steps": [{**STEP, "volumeMounts": [{"name": "files", "mountPath": "/files"}]}],
    "files": {"run.sh": "echo one\n"},
    "shards": ["a", "b"],
    "serviceAccount": {"create": True},
    "rbac": {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
}


def configmap_name(manifest: Manifest, role: str) -> str:
    """The name of the files or shards ConfigMap, as the pod's volume of that name refers to it."""
    return manifest.volumes()[role]["configMap"]["name"]


@pytest.mark.parametrize(
    "extra",
    [{}, {"volcano": {"enabled": True}}, {"schedule": "0 3 * * *"}, {"hook": {"enabled": True}}],
    ids=["job", "volcano", "cronjob", "hook"],
)
def test_every_object_is_in_the_release_namespace(extra: dict[str, Any]) -> None:
    """kustomize 5.8 no longer applies its `namespace:` to helm output: the chart must set it on every object."""
    manifest = render(values={**WITH_EVERYTHING, **extra}, namespace="batch")
    for obj in manifest.objects:
        where = f"{obj['kind']} {obj['metadata']['name']}"
        assert obj["metadata"].get("namespace") == "batch", f"{where} does not set metadata.namespace: batch"
    binding = manifest.of_kind("rbac.authorization.k8s.io/v1", "RoleBinding")[0]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "test-sequential-job", "namespace": "batch"}]


def test_hook_mode_makes_what_the_job_needs_a_hook_before_it() -> None:
    """A pre-install chain whose script comes from files needs the ConfigMap (and its ServiceAccount, Role and
    RoleBinding) before Helm creates the Job: hooks of the same events, lower weight, re-created at every event."""
    hook = {"enabled": True, "events": ["pre-install", "pre-upgrade"], "weight": 5, "deletePolicy": ["hook-succeeded"]}
    manifest = render(values={**WITH_EVERYTHING, "hook": hook})
    job = manifest.workload()
    assert job["metadata"]["annotations"] == {
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-weight": "5",
        "helm.sh/hook-delete-policy": "hook-succeeded",
    }
    others = [o for o in manifest.objects if o is not job]
    assert sorted(o["kind"] for o in others) == ["ConfigMap", "ConfigMap", "Role", "RoleBinding", "ServiceAccount"]
    for obj in others:
        assert obj["metadata"].get("annotations") == {
            "helm.sh/hook": "pre-install,pre-upgrade",
            "helm.sh/hook-weight": "4",
            "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
        }, f"{obj['kind']} {obj['metadata']['name']} is not a hook before the Job"


def test_helm_lists_every_object_of_a_hook_release_under_hooks(tmp_path: Path) -> None:
    """`helm install --dry-run=client` puts hooks under HOOKS and the release's objects under MANIFEST: in hook mode
    the manifest is empty, so nothing the Job needs is created after it."""
    values = tmp_path / "values.yaml"
    values.write_text(values_yaml({**WITH_EVERYTHING, "hook": {"enabled": True}}))
    run = run_helm("helm", "install", "x", str(CHART), "-f", str(values), "--dry-run=client", "--namespace", "batch")
    hooks, _, manifest = run.stdout.partition("MANIFEST:")
    hooked = [d["kind"] for d in yamlio.load_all(hooks.partition("HOOKS:")[2]) if d]
    assert sorted(hooked) == ["ConfigMap", "ConfigMap", "Job", "Role", "RoleBinding", "ServiceAccount"], run.stdout
    assert not [d for d in yamlio.load_all(manifest.partition("NOTES:")[0]) if d], run.stdout


def workload_name(values: dict[str, Any], chart: Path = CHART) -> str:
    if chart == CHART:
        return render(values=values).workload()["metadata"]["name"]
    run = run_helm("helm", *template_args(chart=chart, stdin=True), stdin=values_yaml(values))
    return Manifest.parse(run.stdout).workload()["metadata"]["name"]


HASHED = {**WITH_EVERYTHING, "job": {"nameSuffix": "hash", "ttlSecondsAfterFinished": 600}}


@pytest.mark.parametrize(
    "change",
    [
        {"files": {"run.sh": "echo two\n"}},
        {"shards": ["a", "c"]},
        {"job": {"nameSuffix": "hash", "ttlSecondsAfterFinished": 600, "backoffLimit": 2}},
        {"pod": {"activeDeadlineSeconds": 60}},
        {"steps": [{**HASHED["steps"][0], "args": ["x"]}]},
    ],
    ids=["file-content", "shards", "backoff", "pod-deadline", "args"],
)
def test_hash_names_change_with_what_runs(change: dict[str, Any]) -> None:
    assert workload_name({**HASHED, **change}) != workload_name(HASHED), f"{change} kept the Job's name"


@pytest.mark.parametrize(
    "change",
    [
        {"job": {"nameSuffix": "hash", "ttlSecondsAfterFinished": 60}},
        {"job": {"nameSuffix": "hash", "ttlSecondsAfterFinished": 600, "suspend": True}},
        {"job": {"nameSuffix": "hash", "ttlSecondsAfterFinished": 600, "labels": {"team": "a"}}},
        {"job": {"nameSuffix": "hash", "ttlSecondsAfterFinished": 600, "annotations": {"owner": "b"}}},
        {"serviceAccount": {"create": True, "annotations": {"iam": "role"}}},
    ],
    ids=["ttl", "suspend", "job-labels", "job-annotations", "serviceaccount-annotations"],
)
def test_hash_names_stay_when_nothing_that_runs_changes(change: dict[str, Any]) -> None:
    assert workload_name({**HASHED, **change}) == workload_name(HASHED), f"{change} renamed the Job"


def test_hash_names_stay_when_only_the_chart_version_changes(tmp_path: Path) -> None:
    """The pod template carries no chart version: a chart bump that changes nothing else re-runs nothing."""
    bumped = tmp_path / "sequential-job"
    shutil.copytree(CHART, bumped)
    chart_yaml = bumped / "Chart.yaml"
    chart_yaml.write_text(chart_yaml.read_text().replace("\nversion: ", "\nversion: 99.0.0-was-", 1))
    assert workload_name(HASHED, chart=bumped) == workload_name(HASHED)
    pod_labels = render(values=HASHED).pod_template()["metadata"]["labels"]
    assert "helm.sh/chart" not in pod_labels, f"the pod template carries the chart version: {pod_labels}"


def test_with_hash_names_a_job_never_sees_its_files_change_under_it() -> None:
    """New file content is a new ConfigMap (and so a new pod template and Job); the old Job keeps its own."""
    before, after = render(values=HASHED), render(values={**HASHED, "files": {"run.sh": "echo two\n"}})
    files = [configmap_name(m, "files") for m in (before, after)]
    assert files[0] != files[1], "the files ConfigMap kept its name when its content changed"


@pytest.mark.parametrize("suffix", ["revision", "none"])
def test_files_configmap_is_named_like_a_revisions_job_or_by_content(suffix: str) -> None:
    manifest = render(values={**WITH_EVERYTHING, "job": {"nameSuffix": suffix}})
    files = configmap_name(manifest, "files")
    if suffix == "revision":
        assert files == f"{manifest.workload()['metadata']['name']}-files"
    else:
        assert files.startswith("test-sequential-job-files-") and len(files.rsplit("-", 1)[1]) == 10


def test_a_wrapped_step_hands_its_args_to_the_script() -> None:
    """Kubernetes appends args after the command: the wrapper takes a fixed number of parameters and passes the rest
    on, so a script gets `$0 $1` and a command its args after its own, as without a wrapper."""
    script = {"name": "echo", "image": "busybox:1.36", "script": 'echo "$0 $1"', "args": ["x", "hello"]}
    command = {"name": "echo", "image": "busybox:1.36", "command": ["echo", "-n"], "args": ["x", "hello"]}
    for plain in (script, command):
        wrapped = {**plain, "timeoutSeconds": 10, "results": ["R"]}
        for step in (plain, wrapped):
            assert render(values={"steps": [step]}).steps()[0].container["args"] == ["x", "hello"]
        manifest = render(values={"steps": [wrapped]})
        got = manifest.steps()[0].container["command"]
        runtime = ["/steps/.runtime/busybox", "sh", "/steps/.runtime/wrapper"]
        params = ["echo", "10", "stopAndFail", "0", "", "0", "0", "1", "R", "/dev/termination-log"]
        tail = ["script", "sh", 'echo "$0 $1"'] if "script" in plain else ["exec", "echo", "-n"]
        assert got == runtime + params + tail, got
        assert manifest.runtime()["name"] == RUNTIME_CONTAINER, "the runtime container is not named as manifest says"


@pytest.mark.parametrize("name", ["gitops.yaml", "nightly.yaml"])
def test_gitops_and_cronjob_examples_set_no_ttl(name: str) -> None:
    """The README's advice: with Argo CD a ttl makes self-heal re-create and re-run a finished Job (argo-cd#8586); on
    a CronJob it pre-empts the history limits. Its own examples follow it, whatever their base sets."""
    overlay = Overlay.from_arg(str(VALUES_DIR / name))
    job = render(overlay.files).job_spec()
    assert "ttlSecondsAfterFinished" not in job, f"{overlay.name} keeps ttlSecondsAfterFinished: {job}"
