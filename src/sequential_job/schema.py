"""Write the chart's values.schema.json from its hand-written source, values.yaml's comments and the Kubernetes
OpenAPI definitions, and the list of time zone names its templates check cronJob.timeZone against.

`make schema` runs this (`python -m sequential_job.schema`); `--check` exits 1 when a committed file differs from
what it would write, naming each value whose description differs. The source,
charts/sequential-job/values.schema.source.yaml, says what the chart owns and which Kubernetes definitions to take
(its header lists what the generator understands beyond JSON Schema); the definitions come from the pinned
kubernetes-validate package's strict set for `x-kubernetes-definitions`, embedded under `definitions` with everything
they reach. Each value's description is its `# --` comment in values.yaml, as helm-docs reads it for the values
tables, so the tables and an editor's hover say the same. The time zones come from the pinned tzdata package (the
IANA database), written as a named template into charts/sequential-job/templates/_timezones.tpl: a schema `enum` of
some 600 names would print them all in its error.
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import importlib.resources
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import tzdata
import yaml

from sequential_job import docs
from sequential_job.paths import CHART, ROOT

SOURCE = CHART / "values.schema.source.yaml"
OUTPUT = CHART / "values.schema.json"
VALUES = CHART / "values.yaml"
# A helm-docs template that prints its rows for values.yaml (key, description, ...) as JSON.
DESCRIPTIONS_TEMPLATE = ROOT / "scripts" / "values-descriptions.gotmpl"
TIME_ZONES = CHART / "templates" / "_timezones.tpl"
TIME_ZONES_TEMPLATE = "sequential-job.timeZones"
DEFS = "definitions"
DEFS_PREFIX = f"#/{DEFS}/"
KUBE_PREFIX = "#/$defs/"  # how kubernetes-validate's definitions refer to each other
# Generator directives in the source; none of them reaches the output.
FIELDS, REFINE, VERSION, SHARED = "x-kubernetes-fields", "x-refine", "x-kubernetes-definitions", "x-shared"
# The range of each integer format, as the API server's Go types hold it: a value outside is refused there, so the
# schema refuses it first. Helm reads values as float64 and hands them to its validator as the shortest decimal that
# reads back as the same float64: 2^63 - 1 arrives as 9223372036854775808 (which a template's int64 turns negative),
# the largest float64 below 2^63 as 9223372036854775000. So that is the int64 bound a Helm value can keep (on both
# sides); it also makes Helm's error show two different numbers, where 2^63 - 1 would show two equal-looking ones.
INT64_BOUND = 9_223_372_036_854_775_000
INTEGER_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-INT64_BOUND, INT64_BOUND)}
# Helm's JSON Schema library reports a propertyNames failure at a path that changes from run to run (an unrelated
# sibling's), so keys are constrained with patternProperties and `additionalProperties: false` instead.
FORBIDDEN_KEYWORDS = ("propertyNames",)


def load_source() -> dict[str, Any]:
    return yaml.safe_load(SOURCE.read_text())


def load_values() -> dict[str, Any]:
    return yaml.safe_load(VALUES.read_text())


def value_descriptions() -> dict[str, str]:
    """Each value's description, keyed like `job.nameSuffix`: its `# --` comment in values.yaml as helm-docs reads it
    (the lines joined, without a `(type)` prefix or the `# @default --` line); empty for a value without one."""
    proc = docs.helm_docs(f"--template-files={DESCRIPTIONS_TEMPLATE}")
    if proc.returncode != 0:
        raise SystemExit(f"helm-docs failed (exit {proc.returncode}):\n{proc.stderr}")
    return {row["Key"]: row["Description"] or row["AutoDescription"] for row in json.loads(proc.stdout)}


def definitions_version(source: dict[str, Any] | None = None) -> str:
    """The Kubernetes version whose definitions the schema embeds."""
    return str((source or load_source())[VERSION])


def kubernetes_definitions(version: str) -> dict[str, Any]:
    """Every definition of the strict set kubernetes-validate ships for `version` (e.g. "1.37.0")."""
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{version}-local-strict"
    path = root / "_definitions.json"
    if not path.is_file():
        raise SystemExit(f"kubernetes-validate has no strict definitions for Kubernetes {version} ({path})")
    return json.loads(path.read_text())["$defs"]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _refs(node: Any) -> set[str]:
    """The definitions `node` refers to (a reference into a definition, `Def/properties/x`, counts as `Def`)."""
    refs = (str(d.get("$ref", "")) for d in _walk(node))
    return {r[len(DEFS_PREFIX) :].split("/")[0] for r in refs if r.startswith(DEFS_PREFIX)}


def _clean(definition: dict[str, Any]) -> dict[str, Any]:
    """Point references at our `definitions`, drop the x-kubernetes-* annotations (merge strategies, not constraints)
    and turn oneOf into anyOf: the definitions write quantities and int-or-strings as oneOf of nullable types, which a
    null would match twice."""
    cleaned = copy.deepcopy(definition)
    for node in _walk(cleaned):
        if str(node.get("$ref", "")).startswith(KUBE_PREFIX):
            node["$ref"] = DEFS_PREFIX + node["$ref"][len(KUBE_PREFIX) :]
        for key in [k for k in node if k.startswith("x-kubernetes-")]:
            del node[key]
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
    return cleaned


def _refine(kube: dict[str, Any], refinements: dict[str, Any]) -> None:
    for target, extra in refinements.items():
        if target in kube:
            kube[target] = {k: v for k, v in kube[target].items() if k == "description"} | extra
            continue
        name, _, field = target.rpartition(".")
        properties = kube.get(name, {}).get("properties", {})
        if field not in properties:
            raise SystemExit(f"{SOURCE.name}: {REFINE}.{target} names no Kubernetes definition or field")
        properties[field].update(extra)


def _bound_integers(node: Any) -> None:
    """Give every integer with an int32 or int64 format that format's minimum and maximum, keeping a tighter one."""
    for schema in _walk(node):
        bounds = INTEGER_FORMATS.get(schema["format"]) if isinstance(schema.get("format"), str) else None
        if bounds is None:
            continue
        types = schema.get("type")
        if "integer" not in ([types] if isinstance(types, str) else types or []):
            raise SystemExit(
                f"{SOURCE.name}: format {schema['format']} on a schema whose type is not integer: {schema}"
            )
        low, high = bounds
        schema["minimum"] = max(schema.get("minimum", low), low)
        schema["maximum"] = min(schema.get("maximum", high), high)


def _expand_fields(node: dict[str, Any], kube: dict[str, Any]) -> None:
    """An object with x-kubernetes-fields takes that definition's fields (but `except`), then its own, and no other."""
    spec = node.pop(FIELDS)
    definition = kube.get(spec["of"])
    if definition is None:
        raise SystemExit(f"{SOURCE.name}: {FIELDS} names an unknown Kubernetes definition {spec['of']!r}")
    excluded = set(spec.get("except", ()))
    unknown = excluded - set(definition["properties"])
    if unknown:
        raise SystemExit(f"{SOURCE.name}: {FIELDS} of {spec['of']} excepts fields it does not have: {sorted(unknown)}")
    own = node.pop("properties", {})
    # Kubernetes' fields in their order, the source's own in their place or after them. Each field refers to the one
    # embedded definition rather than copying it: Helm compiles the schema on every render, and the Container's
    # fields appear in four places (a step, an override, stepDefaults, a sidecar).
    fields = f"{DEFS_PREFIX}{spec['of']}/properties/"
    properties = {k: own.get(k, {"$ref": fields + k}) for k in definition["properties"] if k not in excluded}
    expanded = {
        "description": node.pop("description", definition.get("description")),
        "type": "object",
        "additionalProperties": False,
        **node,
        "properties": properties | own,
    }
    node.clear()
    node.update(expanded)


def _value_properties(
    schema: dict[str, Any], values: dict[str, Any], key_prefix: str = "", pointer: str = ""
) -> Iterator[tuple[str, str, dict[str, Any], str]]:
    """Each key values.yaml sets, as (its name like `job.nameSuffix`, the JSON pointer of its property in `schema`,
    the `properties` that hold it or would, its key there): the top-level keys, and those inside every value whose
    schema declares properties of its own (job, pod, stepDefaults, ...), not inside a Kubernetes field or a map
    (pod.securityContext, job.labels), which the schema takes whole."""
    properties = schema.get("properties", {})
    for key, value in values.items():
        path, at = f"{key_prefix}{key}", f"{pointer}/properties/{key.replace('~', '~0').replace('/', '~1')}"
        yield path, at, properties, key
        node = properties.get(key)
        if isinstance(value, dict) and isinstance(node, dict) and "properties" in node:
            yield from _value_properties(node, value, f"{path}.", at)


def _refuse_source_descriptions(schema: dict[str, Any], values: dict[str, Any]) -> None:
    """A value values.yaml sets is described there only, so the source may not describe it a second time."""
    described = [
        path for path, _, props, key in _value_properties(schema, values) if "description" in props.get(key, {})
    ]
    if described:
        raise SystemExit(
            f"{SOURCE.name} describes {', '.join(described)}, which {VALUES.name} sets: a value's description is "
            f"its `# --` comment in {VALUES.name} only. Move the text there and remove the `description` here."
        )


def _describe_values(schema: dict[str, Any], values: dict[str, Any], descriptions: dict[str, str]) -> None:
    """Give the property of every value values.yaml sets its `# --` comment as description (first, for people
    reading the JSON), in a copy of the node: YAML anchors make one node serve several properties."""
    problems, seen = [], set()
    for path, _, properties, key in _value_properties(schema, values):
        seen.add(path)
        if key not in properties:
            problems.append(f"{VALUES.name} sets {path}, which the schema does not declare")
        elif not descriptions.get(path):
            problems.append(f"{VALUES.name}: {path} has no `# --` comment (its description)")
        else:
            node = {k: v for k, v in properties[key].items() if k != "description"}
            properties[key] = {"description": descriptions[path], **node}
    # helm-docs also reads a comment on a key inside a value the schema takes whole, which no property can carry.
    unplaced = sorted(path for path, text in descriptions.items() if text and path not in seen)
    problems += [
        f"{VALUES.name} describes {path}, inside a value the schema takes whole (a Kubernetes field or a map): "
        f"describe it in its parent's `# --` comment"
        for path in unplaced
    ]
    if problems:
        raise SystemExit("\n".join(problems))


def generate(
    source: dict[str, Any],
    kube_definitions: dict[str, Any],
    values: dict[str, Any] | None = None,
    descriptions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The values schema: the source with its directives carried out and the Kubernetes definitions it reaches; with
    `values` (values.yaml) and their `descriptions` (value_descriptions()), each value described by its comment."""
    schema = copy.deepcopy(source)
    version = definitions_version(schema)
    kube = {name: _clean(d) for name, d in kube_definitions.items()}
    _refine(kube, schema.pop(REFINE, {}))
    schema.pop(VERSION)
    schema.pop(SHARED, None)  # its anchors were resolved when the YAML was read
    own_defs: dict[str, Any] = schema.pop(DEFS, {})
    if values is not None:
        _refuse_source_descriptions(schema, values)
    for node in [n for n in _walk([schema, own_defs]) if FIELDS in n]:
        _expand_fields(node, kube)
    if values is not None:
        _describe_values(schema, values, descriptions or {})

    embedded: dict[str, Any] = {}
    pending = _refs([schema, own_defs]) - set(own_defs)
    while pending:
        name = pending.pop()
        if name not in kube:
            raise SystemExit(f"{SOURCE.name}: $ref to {DEFS_PREFIX}{name}, which is neither ours nor Kubernetes'")
        embedded[name] = kube[name]
        pending |= _refs(kube[name]) - set(embedded) - set(own_defs)

    _bound_integers([schema, own_defs, embedded])
    forbidden = {k for n in _walk([schema, own_defs, embedded]) for k in FORBIDDEN_KEYWORDS if k in n}
    if forbidden:
        raise SystemExit(f"{SOURCE.name}: the schema uses {sorted(forbidden)}; see FORBIDDEN_KEYWORDS")

    package = importlib.metadata.version("kubernetes-validate")
    comment = (
        f"Generated by `make schema` from values.schema.source.yaml, values.yaml's `# --` comments (the values' "
        f"descriptions) and the Kubernetes {version} definitions (kubernetes-validate {package}). Do not edit."
    )
    head = {"$schema": schema.pop("$schema"), "$comment": comment}
    return head | schema | {DEFS: own_defs | dict(sorted(embedded.items()))}


def render() -> str:
    source = load_source()
    kube = kubernetes_definitions(definitions_version(source))
    schema = generate(source, kube, load_values(), value_descriptions())
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _at(document: Any, pointer: str) -> Any:
    """The node at a JSON pointer, or None."""
    for part in pointer.split("/")[1:]:
        if not isinstance(document, dict):
            return None
        document = document.get(part.replace("~1", "/").replace("~0", "~"))
    return document


def described_drift(committed: str, generated: str, values: dict[str, Any]) -> list[str]:
    """Each value of `values` whose description in the `committed` values.schema.json is not the one in the
    `generated` one (its `# --` comment in values.yaml), as a message that names it and says how to fix it."""
    current, wanted = json.loads(committed), json.loads(generated)
    return [
        f"{OUTPUT.relative_to(ROOT)}: {key}'s description is not its `# --` comment in {VALUES.name}, where values "
        f"are described: edit that comment (never {OUTPUT.name}), then run `make schema`"
        for key, pointer, properties, prop in _value_properties(wanted, values)
        if _at(current, f"{pointer}/description") != properties.get(prop, {}).get("description")
    ]


def stale(path: Path, text: str) -> list[str]:
    """Why the file at `path` is not `text`, what `make schema` writes there (nothing when it is): for
    values.schema.json, each value whose description differs, else that the file is stale."""
    if path.is_file() and path.read_text() == text:
        return []
    stale_file = f"{path.relative_to(ROOT)} is stale: run `make schema`"
    if path != OUTPUT or not path.is_file():
        return [stale_file]
    try:
        return described_drift(path.read_text(), text, load_values()) or [stale_file]
    except json.JSONDecodeError as e:
        return [f"{stale_file} (it is not JSON: {e})"]


def time_zones() -> list[str]:
    """Every zone name of the tzdata package's IANA database (its `zones` file: zones and their backward links),
    sorted. Go's time.LoadLocation, which CronJob validation calls, knows the same names (its zoneinfo.zip, which
    kube-apiserver embeds, or the host's /usr/share/zoneinfo)."""
    return sorted((importlib.resources.files(tzdata) / "zones").read_text().split())


def render_time_zones() -> str:
    """The named template `sequential-job.timeZones`: the zone names as a JSON list, for `fromJsonArray`."""
    package = importlib.metadata.version("tzdata")
    comment = (
        f"Generated by `make schema` from tzdata {package} (IANA {tzdata.IANA_VERSION}): the time zone names "
        "cronJob.timeZone may take. Do not edit."
    )
    names = json.dumps(time_zones(), separators=(",", ":"))
    return f'{{{{- /* {comment} */ -}}}}\n{{{{- define "{TIME_ZONES_TEMPLATE}" -}}}}{names}{{{{- end }}}}\n'


def outputs() -> dict[Path, str]:
    """Every file `make schema` writes, with its content."""
    return {OUTPUT: render(), TIME_ZONES: render_time_zones()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is not what would be written")
    args = parser.parse_args(argv)
    files = outputs()
    if args.check:
        problems = [problem for path, text in files.items() for problem in stale(path, text)]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for path, text in files.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
