"""The schema carries the API's own bounds: every int32/int64 field gets that format's range (a generator rule, not a
list), keys are constrained without `propertyNames` (whose error path Helm's library picks at random), and the cron
schedule, time zone and ConfigMap key syntaxes are the schema's; the time zone names are a generated template.

Each bad value must fail naming its path, under Helm 4 and Helm 3. Issue 17's own ones (the first group) rendered with
exit 0 before, or, for a bad files key, failed at a path that changed from run to run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.schemas import schema_nodes, types_of
from sequential_job import schema as values_schema
from sequential_job.helm import HELMS, run_helm, template_args
from sequential_job.paths import CHART
from sequential_job.render import render, render_error, values_yaml

SCHEMA: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
SOURCE = values_schema.load_source()
KUBE = values_schema.kubernetes_definitions(values_schema.definitions_version(SOURCE))
INT32_MAX, INT64_BOUND = 2**31 - 1, values_schema.INT64_BOUND
STEP = {"name": "one", "image": "alpine:3.11", "script": "true"}


def steps(*extra: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"steps": [STEP, *extra], **top}


def scheduled(schedule: str = "@daily", **cron_job: Any) -> dict[str, Any]:
    return steps(schedule=schedule, **({"cronJob": cron_job} if cron_job else {}))


# (case id, values, text helm's error must contain). The first group is issue 17's own list.
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("backoff-limit-int32-overflow", steps(job={"backoffLimit": 3_000_000_000}), "at '/job/backoffLimit': maximum"),
    (
        "timeout-past-int64",
        steps({"name": "two", "image": "x:1", "script": "ls", "timeoutSeconds": 2**63}),
        "at '/steps/1/timeoutSeconds': maximum",
    ),
    ("files-key-dot", steps(files={".": "x"}), "at '/files': additional properties '.' not allowed"),
    ("files-key-dot-dot", steps(files={"..": "x"}), "at '/files': additional properties '..' not allowed"),
    ("files-key-dot-dot-data", steps(files={"..data": "x"}), "at '/files': additional properties '..data' not allowed"),
    ("files-key-slash", steps(files={"a/b": "x"}), "at '/files': additional properties 'a/b' not allowed"),
    ("schedule-every-bad-unit", steps(schedule="@every 5x"), "at '/schedule': '@every 5x' does not match pattern"),
    # One of each bound kind: the definitions' int32 and int64, both ends; IntOrString's int32; the chart's own.
    ("int32-below", steps(pod={"priority": -(2**31) - 1}), "at '/pod/priority': minimum"),
    (
        "int64-kubernetes-max",
        steps(pod={"terminationGracePeriodSeconds": 2**63 - 1}),
        "at '/pod/terminationGracePeriodSeconds': maximum",
    ),
    (
        "int64-kubernetes-min",
        steps(stepDefaults={"securityContext": {"runAsUser": -(2**63)}}),
        "at '/stepDefaults/securityContext/runAsUser': minimum",
    ),
    (
        "int-or-string-int32",
        steps(stepDefaults={"livenessProbe": {"httpGet": {"port": 3_000_000_000}}}),
        "at '/stepDefaults/livenessProbe/httpGet/port': maximum",
    ),
    ("timeout-over-int32", steps(stepDefaults={"timeoutSeconds": INT32_MAX + 1}), "/stepDefaults/timeoutSeconds'"),
    ("hook-weight-int32", steps(hook={"weight": INT32_MAX + 1}), "at '/hook/weight': maximum"),
    ("max-object-bytes-int64", steps(pod={"maxObjectBytes": 2**63}), "at '/pod/maxObjectBytes': maximum"),
    ("shards-max-bytes-int64", steps(shardsMaxBytes=10**19), "at '/shardsMaxBytes': maximum"),
    ("volcano-min-available-int32", steps(volcano={"minAvailable": 2**32}), "at '/volcano/minAvailable': maximum"),
    (
        "volcano-exit-code-int32",
        steps(volcano={"policies": [{"exitCode": -(2**31) - 1, "action": "AbortJob"}]}),
        "at '/volcano/policies/0/exitCode': minimum",
    ),
    # Keys, without propertyNames.
    ("files-key-too-long", steps(files={"a" * 254: "x"}), "at '/files': additional properties 'aaaa"),
    ("files-key-dot-dot-prefix", steps(files={"...": "x"}), "at '/files': additional properties '...' not allowed"),
    (
        "step-override-key-not-a-name",
        {"steps": [STEP], "stepOverrides": {"One": {"image": "x:1"}}},
        "at '/stepOverrides': additional properties 'One' not allowed",
    ),
    # Syntax: the schedule's shape and the time zone's.
    ("schedule-macro-with-space", steps(schedule="@daily "), "at '/schedule': '@daily ' does not match pattern"),
    ("schedule-four-fields", steps(schedule="0 3 * *"), "at '/schedule': '0 3 * *' does not match pattern"),
    ("time-zone-dot-dot", scheduled(timeZone="../etc/passwd"), "at '/cronJob/timeZone': '../etc/passwd' does not"),
    ("time-zone-space", scheduled(timeZone="Europe/Berlin "), "at '/cronJob/timeZone': 'Europe/Berlin ' does not"),
    ("time-zone-long-part", scheduled(timeZone="America/Buenos_Aires_City"), "at '/cronJob/timeZone'"),
    ("time-zone-leading-dash", scheduled(timeZone="-UTC"), "at '/cronJob/timeZone': '-UTC' does not match pattern"),
]


@pytest.mark.parametrize("helm", HELMS)
@pytest.mark.parametrize("case_id, values, message", CASES, ids=[c[0] for c in CASES])
def test_out_of_bounds_value_is_named(case_id: str, values: dict[str, Any], message: str, helm: str) -> None:
    run = render_error(values=values, helm=helm)
    assert message in run.stderr, f"{case_id}: expected {message!r} in helm's error\n{run.describe()}"


def test_a_bad_files_key_is_reported_at_files_every_time(helm_name: str) -> None:
    """propertyNames made Helm name a random sibling ('/rbac', '/steps', ...) for a bad `files` key: twenty runs named
    thirteen paths. Now it is /files in every run."""
    errors = {render_error(values=steps(files={"a/b": "x"}), helm=helm_name).stderr for _ in range(5)}
    paths = {line for e in errors for line in e.splitlines() if line.startswith("- at ")}
    assert paths == {"- at '/files': additional properties 'a/b' not allowed"}, errors


# Values at the edge of each range, and syntaxes Kubernetes accepts, render as written: (id, values, where the
# rendered workload has it, the value).
ACCEPTED: list[tuple[str, dict[str, Any], str, Any]] = [
    ("backoff-limit-int32-max", steps(job={"backoffLimit": INT32_MAX}), "spec.backoffLimit", INT32_MAX),
    (
        # the largest int64 a Helm value keeps: Helm's float64 writes it as 9223372036854775000
        "termination-grace-int64-max",
        steps(pod={"terminationGracePeriodSeconds": INT64_BOUND}),
        "spec.template.spec.terminationGracePeriodSeconds",
        INT64_BOUND,
    ),
    ("schedule-fields", scheduled(" */5 1-3 ? JAN,feb MON-FRI "), "spec.schedule", " */5 1-3 ? JAN,feb MON-FRI "),
    ("schedule-every", scheduled("@every 1h30.5m"), "spec.schedule", "@every 1h30.5m"),
    ("schedule-every-fraction", scheduled("@every .5s"), "spec.schedule", "@every .5s"),
    ("schedule-every-signed", scheduled("@every -5m"), "spec.schedule", "@every -5m"),
    ("schedule-every-zero", scheduled("@every 0"), "spec.schedule", "@every 0"),
    ("schedule-midnight", scheduled("@midnight"), "spec.schedule", "@midnight"),
    (
        "time-zone-three-parts",
        scheduled(timeZone="America/Argentina/ComodRivadavia"),
        "spec.timeZone",
        "America/Argentina/ComodRivadavia",
    ),
    ("time-zone-offset", scheduled(timeZone="Etc/GMT+5"), "spec.timeZone", "Etc/GMT+5"),
]


@pytest.mark.parametrize("case_id, values, where, value", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_valid_edge_value_renders(case_id: str, values: dict[str, Any], where: str, value: Any, helm_name: str) -> None:
    got: Any = render(values=values, helm=helm_name).workload()
    for key in where.split("."):
        got = got[key]
    assert got == value, f"{case_id}: wrote {value!r}, rendered {got!r} at {where}"


@pytest.mark.parametrize(
    "key", [".env", "a..b", "run_script-2.sh", "a" * 253, "." + "a" * 252], ids=lambda k: f"{k[:16]}({len(k)})"
)
def test_files_key_kubernetes_accepts_renders(key: str, helm_name: str) -> None:
    manifest = render(values=steps(files={key: "x"}), helm=helm_name)
    config_maps = [o for o in manifest.objects if o["kind"] == "ConfigMap"]
    assert [list(c["data"]) for c in config_maps] == [[key]]


# --- The generator's rule, and the property that every int32/int64 field of the embedded definitions got it.


def integer_format_paths(node: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, format) of every schema with an int32 or int64 format under `node`."""
    found = []
    if isinstance(node, dict):
        if node.get("format") in values_schema.INTEGER_FORMATS:
            found.append((path, node["format"]))
        for key, value in node.items():
            found += integer_format_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += integer_format_paths(value, (*path, i))
    return found


# The Kubernetes definitions the schema embeds that declare int32/int64 fields.
EMBEDDED = sorted(n for n in SCHEMA["definitions"] if n in KUBE and integer_format_paths(KUBE[n]))


def test_the_schema_embeds_kubernetes_integer_fields() -> None:
    """So the property below has something to check: the pod, container and job APIs have dozens of them."""
    assert sum(len(integer_format_paths(KUBE[name])) for name in EMBEDDED) >= 50, EMBEDDED


@pytest.mark.parametrize("name", EMBEDDED)
def test_every_integer_field_of_an_embedded_definition_is_bounded(name: str) -> None:
    """Each int32/int64 field the Kubernetes definition declares has, in the generated schema, a minimum and a
    maximum inside its format's range (a tighter one where the source refines it)."""
    problems = []
    for path, fmt in integer_format_paths(KUBE[name]):
        node: Any = SCHEMA["definitions"][name]
        for key in path:  # the generator writes the definitions' oneOf as anyOf
            node = node["anyOf" if key == "oneOf" else key]
        low, high = values_schema.INTEGER_FORMATS[fmt]
        if not (low <= node.get("minimum", low - 1) and node.get("maximum", high + 1) <= high):
            problems.append(
                f"{'/'.join(map(str, path))} ({fmt}): minimum {node.get('minimum')}, maximum {node.get('maximum')}"
            )
    assert problems == [], f"{name}: unbounded integer fields:\n" + "\n".join(problems)


def test_every_integer_in_the_schema_has_both_bounds() -> None:
    """The chart's own integers too (timeoutSeconds, hook.weight, shardsMaxBytes, ...): none is left unbounded."""
    unbounded = [
        path
        for path, node in schema_nodes(SCHEMA)
        if "integer" in types_of(node) and ("minimum" not in node or "maximum" not in node)
    ]
    assert unbounded == []


def test_the_generator_bounds_formats_and_keeps_tighter_bounds() -> None:
    source = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "x-kubernetes-definitions": "0.0.0",
        "properties": {"t": {"$ref": "#/definitions/T"}, "own": {"type": "integer", "format": "int32", "minimum": 1}},
        "x-refine": {"T.refined": {"minimum": 0}},
    }
    kube = {
        "T": {
            "type": "object",
            "properties": {
                "plain": {"type": "integer", "format": "int32"},
                "refined": {"type": ["integer", "null"], "format": "int32"},
                "tight": {"type": "integer", "format": "int64", "maximum": 10},
                "number": {"type": "number", "format": "double"},
            },
        }
    }
    schema = values_schema.generate(source, kube)
    fields = schema["definitions"]["T"]["properties"]
    bounds = {k: (v.get("minimum"), v.get("maximum")) for k, v in fields.items()}
    assert bounds == {
        "plain": (-(2**31), INT32_MAX),
        "refined": (0, INT32_MAX),
        "tight": (-INT64_BOUND, 10),
        "number": (None, None),
    }
    assert (schema["properties"]["own"]["minimum"], schema["properties"]["own"]["maximum"]) == (1, INT32_MAX)


def test_the_generator_refuses_property_names() -> None:
    source = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "x-kubernetes-definitions": "0.0.0",
        "properties": {"m": {"type": "object", "propertyNames": {"pattern": "^a$"}}},
    }
    with pytest.raises(SystemExit, match="propertyNames"):
        values_schema.generate(source, {})


def test_the_generator_refuses_an_integer_format_on_a_non_integer() -> None:
    source = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "x-kubernetes-definitions": "0.0.0",
        "properties": {"s": {"type": "string", "format": "int64"}},
    }
    with pytest.raises(SystemExit, match="int64"):
        values_schema.generate(source, {})


# --- Time zones: the generated list, and the schema's syntax, agree; Helm reads the list as the templates will.


def test_the_time_zone_list_is_the_iana_database() -> None:
    zones = values_schema.time_zones()
    assert len(zones) > 500 and zones == sorted(set(zones))
    assert {"UTC", "Etc/UTC", "Europe/Berlin", "America/Argentina/ComodRivadavia"} <= set(zones)
    assert not {"Local", "localtime", "Mars/Olympus_Mons", "posixrules"} & set(zones)


def test_the_schema_syntax_admits_every_listed_time_zone() -> None:
    cron_job = SCHEMA["definitions"]["io.k8s.api.batch.v1.CronJobSpec"]
    pattern = re.compile(cron_job["properties"]["timeZone"]["pattern"])
    refused = [z for z in values_schema.time_zones() if not pattern.search(z)]
    assert refused == []


def test_helm_reads_the_time_zone_template_as_a_list(tmp_path: Path, helm_name: str) -> None:
    """`include "sequential-job.timeZones" . | fromJsonArray` in a template of the chart gives the list, under both
    helms (a probe template in a copy of the chart prints it)."""
    chart = tmp_path / CHART.name
    shutil.copytree(CHART, chart, ignore=shutil.ignore_patterns("tests", "ci"))
    probe = (
        'zones: {{ include "sequential-job.timeZones" . | fromJsonArray | toJson | quote }}\n'
        'berlin: {{ has "Europe/Berlin" (include "sequential-job.timeZones" . | fromJsonArray) }}\n'
        'mars: {{ has "Mars/Olympus_Mons" (include "sequential-job.timeZones" . | fromJsonArray) }}\n'
    )
    (chart / "templates" / "zz-probe.yaml").write_text(probe)
    args = template_args(stdin=True, chart=chart)
    run = run_helm(helm_name, *args, "--show-only", "templates/zz-probe.yaml", stdin=values_yaml(steps()))
    printed = yaml.safe_load(run.stdout)
    assert json.loads(printed["zones"]) == values_schema.time_zones()
    assert (printed["berlin"], printed["mars"]) == (True, False)
