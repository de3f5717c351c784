"""The chart through the clients users deploy and check it with, each the real, pinned tool (`make deps`):

- kustomize 5.8 `build --enable-helm`, helmfile `template` and `helm template --namespace`: every namespaced object
  lands in the namespace the client names, and the RoleBinding binds the ServiceAccount there. Since kustomize 5.8 a
  kustomization's own `namespace:` no longer rewrites what a chart renders (kubernetes-sigs/kustomize#6058), so the
  chart must set `metadata.namespace` itself.
- kubeconform `-strict` over every overlay in values/ at the oldest and the newest Kubernetes the chart claims, with
  schemas written locally (tests/harness/kubeconform.py), the Volcano kinds' from the pinned Volcano CRDs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.kubeconform import write_schemas
from harness.schemas import chart_kube_versions
from sequential_job import yamlio
from sequential_job.helm import helm_env
from sequential_job.overlays import Overlay
from sequential_job.paths import CHART, VALUES_DIR
from sequential_job.render import render
from sequential_job.tools import require_tool

TARGET = "target-ns"
RELEASE = "seed"
OLDEST, NEWEST = chart_kube_versions()
# Kinds without a namespace; every other kind the chart (or a client) renders must carry the target's.
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "CustomResourceDefinition"}
# On the seed: the chain's own ServiceAccount with a Role bound to it, a script from `files`, and two shards: every
# kind of object the chart adds beside the workload.
EVERY_OBJECT = {
    "serviceAccount": {"create": True},
    "rbac": {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]},
    "files": {"run.sh": "echo from a file\n"},
    "shards": ["a", "b"],
}
STACKS = {"seed": ("seed.yaml",), "seed+every-object": ("seed.yaml", "every-object.yaml")}


def run(args: list[str], cwd: Path | None = None) -> str:
    proc = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=helm_env(), timeout=120)
    assert proc.returncode == 0, f"`{' '.join(args)}` exited {proc.returncode}:\n{proc.stderr}{proc.stdout[-2000:]}"
    return proc.stdout


def objects_of(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yamlio.load_all(text) if doc]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chart in charts/ (kustomize's default chartHome, which must lie inside the kustomization's folder) and the
    values files."""
    base = tmp_path_factory.mktemp("clients")
    shutil.copytree(CHART, base / "charts" / CHART.name)
    shutil.copy(VALUES_DIR / "seed.yaml", base)
    (base / "every-object.yaml").write_text(yaml.safe_dump(EVERY_OBJECT))
    return base


def kustomize(workdir: Path, files: tuple[str, ...], helm: str) -> list[dict[str, Any]]:
    """`kustomize build --enable-helm` of a kustomization that names the target namespace twice, at its top (what
    kustomize before 5.8 applied to a chart's output too) and on the chart (what helm gets as `--namespace`)."""
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": TARGET,
        "helmCharts": [
            {
                "name": CHART.name,
                "releaseName": RELEASE,
                "namespace": TARGET,
                "valuesFile": files[0],
                "additionalValuesFiles": list(files[1:]),
            }
        ],
    }
    # One kustomization at a time in the work folder, whose charts/ holds the chart (tests in one process run in turn).
    (workdir / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    args = [require_tool("kustomize"), "build", "--enable-helm", "--helm-command", require_tool(helm), str(workdir)]
    return objects_of(run(args))


def helmfile(workdir: Path, files: tuple[str, ...], helm: str) -> list[dict[str, Any]]:
    """`helmfile template` of a release in the target namespace."""
    release = {
        "name": RELEASE,
        "namespace": TARGET,
        "chart": str(workdir / "charts" / CHART.name),
        "values": [str(workdir / f) for f in files],
    }
    path = workdir / "helmfile.yaml"
    path.write_text(yaml.safe_dump({"releases": [release]}, sort_keys=False))
    args = [require_tool("helmfile"), "--helm-binary", require_tool(helm), "--file", str(path), "template"]
    return objects_of(run(args))


def helm_template(workdir: Path, files: tuple[str, ...], helm: str) -> list[dict[str, Any]]:
    """`helm template --namespace`, what `helm template | kubectl apply -f -` applies."""
    return render([workdir / f for f in files], helm=helm, release=RELEASE, namespace=TARGET).objects


CLIENTS: dict[str, Callable[[Path, tuple[str, ...], str], list[dict[str, Any]]]] = {
    "kustomize": kustomize,
    "helmfile": helmfile,
    "helm-template": helm_template,
}


def describe(obj: dict[str, Any]) -> str:
    return f"{obj['kind']} {obj['metadata']['name']}"


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("client", CLIENTS)
def test_every_namespaced_object_lands_in_the_clients_namespace(
    workdir: Path, client: str, stack: str, helm_name: str
) -> None:
    objects = CLIENTS[client](workdir, STACKS[stack], helm_name)
    assert any(o["kind"] in ("Job", "CronJob") for o in objects), f"{client} rendered no workload: {objects}"
    misplaced = [
        f"{describe(o)}: metadata.namespace is {o['metadata'].get('namespace')!r}"
        for o in objects
        if o["kind"] not in CLUSTER_SCOPED and o["metadata"].get("namespace") != TARGET
    ]
    assert misplaced == [], f"{client} ({helm_name}) renders objects outside {TARGET!r}:\n" + "\n".join(misplaced)


@pytest.mark.parametrize("client", CLIENTS)
def test_the_rolebinding_binds_the_chains_service_account_in_the_clients_namespace(
    workdir: Path, client: str, helm_name: str
) -> None:
    objects = CLIENTS[client](workdir, STACKS["seed+every-object"], helm_name)
    kinds = sorted(describe(o) for o in objects)
    (account,) = [o for o in objects if o["kind"] == "ServiceAccount"] or [None]
    (binding,) = [o for o in objects if o["kind"] == "RoleBinding"] or [None]
    assert account and binding, f"{client}: expected one ServiceAccount and one RoleBinding, got {kinds}"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": TARGET}
    ], f"{client}: the RoleBinding's subjects are not the chain's ServiceAccount in {TARGET!r}"
    assert binding["metadata"].get("namespace") == account["metadata"].get("namespace") == TARGET, (
        f"{client}: the RoleBinding is in {binding['metadata'].get('namespace')!r} and the ServiceAccount in "
        f"{account['metadata'].get('namespace')!r}, not both in {TARGET!r}"
    )


@pytest.mark.parametrize("client", ["kustomize", "helmfile"])
def test_the_clients_render_the_objects_helm_template_does(workdir: Path, client: str, helm_name: str) -> None:
    """The same objects, field for field, but where the client adds or moves namespace metadata."""

    def comparable(objects: list[dict[str, Any]]) -> list[str]:
        plain = []
        for obj in objects:
            copy = json.loads(json.dumps(obj))
            copy["metadata"].pop("namespace", None)
            plain.append(json.dumps(copy, sort_keys=True))
        return sorted(plain)

    files = STACKS["seed+every-object"]
    expected = comparable(helm_template(workdir, files, helm_name))
    assert comparable(CLIENTS[client](workdir, files, helm_name)) == expected


@pytest.fixture(scope="module")
def schema_location(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_schemas(tmp_path_factory.mktemp("kubeconform-schemas"), (OLDEST, NEWEST))


def kubeconform(objects: list[dict[str, Any]], kube_version: str, schema_location: str) -> None:
    """`kubeconform -strict` of the objects, with no kind skipped: a kind without a schema is an error too."""
    args = [require_tool("kubeconform"), "-strict", "-summary", "-output", "json"]
    args += ["-schema-location", schema_location, "-kubernetes-version", kube_version, "-"]
    proc = subprocess.run(args, input=yaml.safe_dump_all(objects), capture_output=True, text=True, timeout=60)
    report = json.loads(proc.stdout or "{}")
    problems = [f"{r['kind']} {r['name']}: {r['status']}: {r.get('msg', '')}" for r in report.get("resources", ())]
    assert proc.returncode == 0 and problems == [], f"kubeconform (exit {proc.returncode}):\n" + "\n".join(
        problems or [proc.stderr]
    )
    assert report["summary"] == {"valid": len(objects), "invalid": 0, "errors": 0, "skipped": 0}, report["summary"]


@pytest.mark.parametrize("kube_version", [OLDEST, NEWEST])
def test_kubeconform_strict(overlay: Overlay, kube_version: str, schema_location: str) -> None:
    kubeconform(render(overlay.files, kube_version=kube_version).objects, kube_version, schema_location)


@pytest.mark.parametrize("kube_version", [OLDEST, NEWEST])
def test_kubeconform_strict_on_every_object(workdir: Path, kube_version: str, schema_location: str) -> None:
    """The objects no overlay in values/ renders: ServiceAccount, Role, RoleBinding, the files and shards ConfigMaps."""
    files = [workdir / f for f in STACKS["seed+every-object"]]
    objects = render(files, kube_version=kube_version, namespace=TARGET).objects
    assert len(objects) == 6, [describe(o) for o in objects]
    kubeconform(objects, kube_version, schema_location)
