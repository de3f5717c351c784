"""kubeconform without the network: the JSON Schemas it would download, written locally from what the project pins.

kubeconform fetches its schemas at run time from a URL template (`-schema-location`), which cannot work here. The
same schemas come with the pinned kubernetes-validate package (openapi2jsonschema's layout: `<kind>-<group>-<version>
.json` beside a `_definitions.json`), and the Volcano kinds' from the CRDs of the pinned Volcano module (as
scripts/cluster/volcano-crds.sh finds them). `write_schemas` lays both out the way kubeconform's template expects.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate

from sequential_job import yamlio
from sequential_job.paths import ROOT

# Where kubeconform looks for each kind, under the folder write_schemas fills.
LOCATION = "{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
# kubernetes-validate's references point at its own URL space; kubeconform resolves them against the file instead.
DEFINITIONS_REF = "/api/_definitions.json#"
VOLCANO_CRDS = ("batch.volcano.sh_jobs.yaml", "batch.volcano.sh_cronjobs.yaml")


def _kubernetes_schemas(version: str) -> Path:
    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{version}-local-strict"


def _local(text: str) -> str:
    """A kubernetes-validate schema whose references resolve to the files beside it (no `$id`, relative `$ref`)."""
    schema = json.loads(text.replace(f'"{DEFINITIONS_REF}', '"_definitions.json#'))
    schema.pop("$id", None)
    return json.dumps(schema)


def _strict(schema: Any) -> Any:
    """A CRD's OpenAPI v3 schema as strict JSON Schema: objects with properties refuse others (as the API server's
    strict field validation does), `nullable` admits null."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _strict(value) for key, value in schema.items()}
    if (
        "properties" in result
        and "additionalProperties" not in result
        and not result.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    if result.pop("nullable", False) and isinstance(result.get("type"), str):
        result["type"] = [result["type"], "null"]
    return result


def volcano_crds() -> Path:
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "cluster" / "volcano-crds.sh")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"could not fetch Volcano's CRDs:\n{proc.stderr}"
    return Path(proc.stdout.strip()) / "volcano" / "bases"


def _crd_schemas(crd_file: Path) -> dict[str, Any]:
    """File name (as kubeconform asks for it) -> strict schema, for each version the CRD serves."""
    crd = yamlio.load(crd_file.read_text())
    kind = crd["spec"]["names"]["kind"].lower()
    group = crd["spec"]["group"].split(".")[0]
    return {
        f"{kind}-{group}-{version['name']}.json": _strict(version["schema"]["openAPIV3Schema"])
        for version in crd["spec"]["versions"]
        if version.get("served")
    }


def write_schemas(folder: Path, versions: tuple[str, ...]) -> str:
    """Writes the schemas of `versions` (X.Y.Z) under `folder`; returns kubeconform's `-schema-location` for them."""
    crds: dict[str, Any] = {}
    for name in VOLCANO_CRDS:
        crds.update(_crd_schemas(volcano_crds() / name))
    for version in versions:
        target = folder / f"v{version}-standalone-strict"
        target.mkdir(parents=True, exist_ok=True)
        for source in _kubernetes_schemas(version).glob("*.json"):
            (target / source.name).write_text(_local(source.read_text()))
        for name, schema in crds.items():
            assert not (target / name).exists(), f"{name}: a Volcano kind and a Kubernetes kind share a schema file"
            (target / name).write_text(json.dumps(schema))
    return str(folder / LOCATION)
