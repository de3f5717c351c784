"""Validate rendered objects: Kubernetes kinds with kubernetes-validate (strict), the Volcano Job with our schema."""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils

from sequential_job import yamlio
from sequential_job.chart import oldest_kubernetes
from sequential_job.cluster_versions import newest_kubernetes
from sequential_job.manifest import VOLCANO_JOB
from sequential_job.paths import VOLCANO_CRDS

# JSON Schemas of our own for kinds kubernetes-validate does not know (the Volcano Job).
SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def chart_kube_versions() -> tuple[str, str]:
    """The two ends the end-to-end suite proves on a real cluster, as schema versions: the oldest Kubernetes that
    Chart.yaml's kubeVersion admits (`make e2e-matrix` runs it) and the embedded cluster's default, the newest that
    runs here (what `make e2e` runs)."""
    oldest, newest = oldest_kubernetes(), newest_kubernetes()
    known = kubernetes_validate.utils.all_versions()
    for version in (oldest, newest):
        assert version in known, f"kubernetes-validate has no schemas for Kubernetes {version} (it has {known})"
    return oldest, newest


@functools.cache
def volcano_job_schema() -> dict[str, Any]:
    return json.loads((SCHEMAS / "volcano-job-v1alpha1.schema.json").read_text())


def validate_kubernetes(obj: Mapping[str, Any], version: str) -> None:
    """Strict OpenAPI validation of a core Kubernetes object (unknown fields are errors)."""
    kubernetes_validate.validate(obj, version, strict=True)


def validate_object(obj: Mapping[str, Any], version: str) -> list[str]:
    """Every problem found in one rendered object, as readable lines (empty when it is valid)."""
    plain = obj
    where = f"{plain.get('kind')} {plain.get('metadata', {}).get('name')}"
    problems: list[str] = []
    if (plain.get("apiVersion"), plain.get("kind")) == VOLCANO_JOB:
        validator = jsonschema.Draft7Validator(volcano_job_schema())
        for error in validator.iter_errors(plain):
            problems.append(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        # Each task's pod template is a Kubernetes PodTemplateSpec: check it as a v1 PodTemplate.
        for i, task in enumerate(plain.get("spec", {}).get("tasks", [])):
            wrapper = {
                "apiVersion": "v1",
                "kind": "PodTemplate",
                "metadata": {"name": "t"},
                "template": task["template"],
            }
            try:
                validate_kubernetes(wrapper, version)
            except kubernetes_validate.ValidationError as e:
                problems.append(f"{where}: spec/tasks/{i}/template: {e}")
        return problems
    try:
        validate_kubernetes(plain, version)
    except kubernetes_validate.ValidationError as e:
        problems.append(f"{where} (Kubernetes {version}): {e}")
    return problems


@functools.cache
def crd_schema(file: str = "batch.volcano.sh_jobs.yaml") -> dict[str, Any]:
    proc = subprocess.run(["bash", str(VOLCANO_CRDS)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"could not fetch Volcano's CRDs:\n{proc.stderr}"
    crd = yamlio.load((Path(proc.stdout.strip()) / "volcano" / "bases" / file).read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]
    return version["schema"]["openAPIV3Schema"]


def unknown_fields(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    """Fields of a rendered value that a CRD's structural schema does not have (the API server would drop them)."""
    if isinstance(value, dict) and "properties" in schema:
        problems = []
        for key, sub in value.items():
            if key not in schema["properties"]:
                problems.append(f"{path}.{key}: not in the CRD")
            else:
                problems += unknown_fields(sub, schema["properties"][key], f"{path}.{key}")
        return problems
    if isinstance(value, list) and "items" in schema:
        return [p for i, v in enumerate(value) for p in unknown_fields(v, schema["items"], f"{path}[{i}]")]
    return []


def schema_nodes(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in a JSON (schema) document, with its JSON pointer, depth first."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from schema_nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schema_nodes(value, f"{path}/{i}")


def types_of(node: dict[str, Any]) -> list[str]:
    """A schema's `type`, always as a list."""
    types = node.get("type", [])
    return [types] if isinstance(types, str) else list(types)
