"""The whole pod and container API: values.schema.json is what `make schema` generates, strict at every depth, and
every PodSpec and Container field the chart does not own is accepted and rendered as written, through a step, an
override and stepDefaults alike. The fields come from the Kubernetes definitions, not from a list in this file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.samples import Sampler, contains, kubernetes_fields, kubernetes_sampler, prune
from harness.schemas import chart_kube_versions, schema_nodes, types_of, validate_object
from sequential_job import schema as values_schema
from sequential_job.manifest import Manifest
from sequential_job.paths import VALUES_SCHEMA
from sequential_job.render import render, render_error

OLDEST, NEWEST = chart_kube_versions()
SCHEMA: dict[str, Any] = json.loads(VALUES_SCHEMA.read_text())
SOURCE = values_schema.load_source()
KUBE = values_schema.kubernetes_definitions(values_schema.definitions_version(SOURCE))
POD_FIELDS, OWNED_POD_FIELDS = kubernetes_fields("pod")
CONTAINER_FIELDS = [f for f in KUBE["io.k8s.api.core.v1.Container"]["properties"] if f != "name"]
# Kubernetes refuses these on init containers that are not sidecars, so only the last step may set them.
REGULAR_CONTAINER_ONLY = {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"}
ROUTES = ("step", "override", "default")

SAMPLER = Sampler(SCHEMA["definitions"])


def samples(fields: list[str], schemas: dict[str, Any]) -> dict[str, Any]:
    values = {f: SAMPLER.sample(schemas[f]) for f in fields}
    if "restartPolicy" in values:
        values["restartPolicy"] = (
            "Never"  # Always would make a step a sidecar, which the chart refuses (test_bad_input)
        )
    return values


POD = samples(POD_FIELDS, SCHEMA["properties"]["pod"]["properties"])
CONTAINER = samples(CONTAINER_FIELDS, SCHEMA["definitions"]["step"]["properties"])
INIT_CONTAINER = {f: v for f, v in CONTAINER.items() if f not in REGULAR_CONTAINER_ONLY}
# Every sampled mount and device names the one volume the samples use.
VOLUMES = [{"name": CONTAINER["volumeMounts"][0]["name"], "emptyDir": {}}]


def route_values(route: str, pod: dict[str, Any], init: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
    """Values that give the first step `init`'s fields and the last step `last`'s, the way `route` says."""
    if route == "step":
        steps = [{"name": "first", **init}, {"name": "last", **last}]
        return {"steps": steps, "pod": pod, "volumes": VOLUMES}
    if route == "override":
        steps = [{"name": "first", "image": "busybox:1.36"}, {"name": "last", "image": "busybox:1.36"}]
        return {"steps": steps, "stepOverrides": {"first": init, "last": last}, "pod": pod, "volumes": VOLUMES}
    # stepDefaults reach every step, so a one-step chain (its only step is the regular container) takes them all.
    return {"steps": [{"name": "last"}], "stepDefaults": last, "pod": pod, "volumes": VOLUMES}


def rendered(route: str, helm: str) -> Manifest:
    return render(values=route_values(route, POD, INIT_CONTAINER, CONTAINER), helm=helm)


@pytest.mark.parametrize("name", [p.name for p in values_schema.outputs()])
def test_schema_is_what_make_schema_generates(name: str) -> None:
    """values.schema.json (with values.yaml's comments as descriptions) and the time zone list it goes with."""
    path, text = next((p, t) for p, t in values_schema.outputs().items() if p.name == name)
    problems = values_schema.stale(path, text)
    assert problems == [], "\n".join(problems)


def test_every_object_is_strict() -> None:
    """Every object schema refuses unknown keys (maps say what their values are); open are only Helm's `global`,
    extraObjects (any Kubernetes object, as given) and the free-form FieldsV1 of managedFields."""
    open_objects = [
        path
        for path, node in schema_nodes(SCHEMA)
        if ("object" in types_of(node) or "properties" in node)
        and "$ref" not in node
        and "additionalProperties" not in node
    ]
    assert open_objects == [
        "/properties/global",
        "/properties/extraObjects/items",
        "/properties/extraObjects/items/properties/metadata",
        "/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
    ]


@pytest.mark.parametrize("where", ["pod", "step", "stepOverride", "stepDefaults"])
def test_fields_keep_their_descriptions(where: str) -> None:
    """So an editor with yaml-language-server explains each field on hover."""
    node = SCHEMA["properties"][where] if where in SCHEMA["properties"] else SCHEMA["definitions"][where]
    undescribed = [f for f, s in node["properties"].items() if "description" not in s | SAMPLER.resolve(s)]
    assert undescribed == [], f"{where}: fields without a description: {undescribed}"


def test_the_definitions_are_the_newest_the_chart_is_checked_against() -> None:
    assert values_schema.definitions_version(SOURCE) == NEWEST


@pytest.mark.parametrize("field", POD_FIELDS)
def test_pod_field_is_rendered_as_written(field: str, helm_name: str) -> None:
    spec = rendered("step", helm_name).pod_spec()
    assert field in spec, f"pod.{field} is missing from the rendered pod spec"
    got = spec[field]
    assert contains(got, POD[field]), f"pod.{field}: wrote {POD[field]!r}, rendered {got!r}"


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("field", CONTAINER_FIELDS)
def test_container_field_is_rendered_as_written(field: str, route: str, helm_name: str) -> None:
    steps = rendered(route, helm_name).steps()
    checked = [(steps[-1], CONTAINER)] + ([(steps[0], INIT_CONTAINER)] if route != "default" else [])
    for step, written in checked:
        if field not in written:
            continue
        got = step.container.get(field)
        assert contains(got, written[field]), (
            f"{route} route, step {step.name}.{field}: wrote {written[field]!r}, got {got!r}"
        )


@pytest.mark.parametrize("route", ROUTES)
def test_every_field_passes_strict_validation_at_the_newest_version(route: str) -> None:
    manifest = rendered(route, "helm")
    problems = [p for obj in manifest.objects for p in validate_object(obj, NEWEST)]
    assert problems == [], "\n".join(problems)


def test_the_fields_the_oldest_version_knows_pass_strict_validation_there() -> None:
    old = kubernetes_sampler(OLDEST)

    def pruned(value: dict[str, Any], definition: str) -> dict[str, Any]:
        return prune(value, {"$ref": f"#/$defs/{definition}"}, old)

    pod = pruned(POD, "io.k8s.api.core.v1.PodSpec")
    init = pruned(INIT_CONTAINER, "io.k8s.api.core.v1.Container")
    last = pruned(CONTAINER, "io.k8s.api.core.v1.Container")
    assert len(pod) > 25 and len(last) > 18, f"too little of the sample survived pruning to {OLDEST}: {pod} {last}"
    manifest = render(values=route_values("step", pod, init, last), kube_version=OLDEST)
    problems = [p for obj in manifest.objects for p in validate_object(obj, OLDEST)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("field", OWNED_POD_FIELDS)
def test_pod_fields_the_chart_owns_are_refused(field: str) -> None:
    run = render_error(values={"steps": [{"name": "a", "image": "x"}], "pod": {field: []}})
    assert f"additional properties '{field}' not allowed" in run.stderr and "'/pod'" in run.stderr, run.describe()
