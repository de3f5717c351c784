"""Each value is described once, by its `# --` comment in values.yaml: values.schema.json carries that text (what an
editor shows on hover), the schema's source may not describe the value again, and a hand edit of either side fails
with a message that names the value and the fix. Every property the chart declares has a description."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from harness.samples import Sampler
from sequential_job import schema as values_schema

SCHEMA: dict[str, Any] = json.loads(values_schema.OUTPUT.read_text())
SOURCE = values_schema.load_source()
KUBE = values_schema.kubernetes_definitions(values_schema.definitions_version(SOURCE))
VALUES = values_schema.load_values()
DESCRIPTIONS = values_schema.value_descriptions()
SAMPLER = Sampler(SCHEMA["definitions"])
KEY_LINE = re.compile(r"^( *)([A-Za-z][A-Za-z0-9_-]*):")


def comments_in_values_yaml() -> dict[str, str]:
    """Each key's `# --` comment block read straight from values.yaml, as a person reads it: the lines from the last
    `# --` above the key, joined, without a leading `(type)` or the `# @default --` line."""
    found: dict[str, str] = {}
    path: list[tuple[int, str]] = []
    block: list[str] = []
    for line in values_schema.VALUES.read_text().splitlines():
        if line.lstrip().startswith("#"):
            block.append(line.strip())
            continue
        match = KEY_LINE.match(line)
        if match:
            indent, key = len(match[1]), match[2]
            path = [(i, k) for i, k in path if i < indent] + [(indent, key)]
            starts = [i for i, text in enumerate(block) if text.startswith("# --")]
            if starts:
                lines = [t for t in block[starts[-1] :] if not t.startswith("# @default")]
                text = " ".join(t.removeprefix("#").strip() for t in lines).removeprefix("--").strip()
                found[".".join(k for _, k in path)] = re.sub(r"^\((\w+)\) ", "", text)
        block = []
    return found


def described_values(schema: dict[str, Any]) -> dict[str, str | None]:
    return {
        key: properties.get(prop, {}).get("description")
        for key, _, properties, prop in values_schema._value_properties(schema, VALUES)
    }


def test_each_value_is_described_by_its_values_yaml_comment() -> None:
    comments = comments_in_values_yaml()
    described = described_values(SCHEMA)
    assert "job.nameSuffix" in described and "stepDefaults.env" in described and "volcano" in described
    differing = {key: text for key, text in described.items() if text != comments.get(key)}
    assert differing == {}, f"schema descriptions that are not the values.yaml comment: {differing}"


def test_no_helm_docs_annotation_reaches_a_description() -> None:
    described = described_values(SCHEMA)
    leaked = {k: t for k, t in described.items() if t is None or "@default" in t or re.match(r"\(\w+\)", t)}
    assert leaked == {}
    # values.yaml does annotate these: the annotations go to the values table only
    assert described["job.nameSuffix"].startswith("How the Job's name ends")
    assert described["job.backoffLimit"].startswith("Retries of a failed pod")


def test_every_property_the_chart_declares_has_a_description() -> None:
    """Its own, or the one of the definition it refers to (a Kubernetes field keeps Kubernetes' text)."""
    undescribed = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if "description" not in prop and "description" not in SAMPLER.resolve(prop):
                    undescribed.append(f"{where}/properties/{name}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(SCHEMA["properties"], "#/properties")
    for name, definition in SCHEMA["definitions"].items():
        if name not in KUBE:
            walk(definition, f"#/definitions/{name}")
    assert undescribed == [], f"properties without a description: {undescribed}"


def test_a_hand_edited_schema_description_is_named() -> None:
    committed = json.loads(values_schema.OUTPUT.read_text())
    committed["properties"]["job"]["properties"]["nameSuffix"]["description"] = "edited by hand"
    committed["properties"]["stepDefaults"]["properties"]["env"].pop("description")
    problems = values_schema.described_drift(json.dumps(committed), values_schema.OUTPUT.read_text(), VALUES)
    assert len(problems) == 2, problems
    assert "stepDefaults.env's description" in problems[0] and "job.nameSuffix's description" in problems[1]
    assert all("edit that comment (never values.schema.json), then run `make schema`" in p for p in problems)


def test_an_edited_values_yaml_comment_is_named_until_make_schema() -> None:
    descriptions = DESCRIPTIONS | {"pod.restartPolicy": "A new comment."}
    regenerated = json.dumps(values_schema.generate(SOURCE, KUBE, VALUES, descriptions))
    problems = values_schema.described_drift(values_schema.OUTPUT.read_text(), regenerated, VALUES)
    assert len(problems) == 1 and "pod.restartPolicy's description" in problems[0], problems


@pytest.mark.parametrize(
    "where, key",
    [
        (("properties", "job", "properties", "nameSuffix"), "job.nameSuffix"),
        (("properties", "kueue"), "kueue"),
        (("properties", "stepDefaults", "properties", "shell"), "stepDefaults.shell"),
    ],
)
def test_the_source_may_not_describe_a_value_again(where: tuple[str, ...], key: str) -> None:
    source = copy.deepcopy(SOURCE)
    node = source
    for part in where:
        node = node[part]
    node["description"] = "a second description"
    with pytest.raises(SystemExit, match=rf"describes {re.escape(key)}, which values.yaml sets"):
        values_schema.generate(source, KUBE, VALUES, DESCRIPTIONS)


def test_a_value_without_a_comment_is_refused() -> None:
    """Also under a documented parent, where helm-docs leaves an uncommented key out of the table without a word."""
    descriptions = {k: v for k, v in DESCRIPTIONS.items() if k != "job.ignoreDisruptions"}
    with pytest.raises(SystemExit, match=r"values.yaml: job.ignoreDisruptions has no `# --` comment"):
        values_schema.generate(SOURCE, KUBE, VALUES, descriptions)


def test_a_comment_inside_a_kubernetes_field_is_refused() -> None:
    descriptions = DESCRIPTIONS | {"pod.securityContext.runAsUser": "The uid."}
    with pytest.raises(SystemExit, match=r"describes pod.securityContext.runAsUser, inside a value the schema takes"):
        values_schema.generate(SOURCE, KUBE, VALUES, descriptions)


def test_a_value_the_schema_does_not_declare_is_refused() -> None:
    values = VALUES | {"kueue": VALUES["kueue"] | {"cohort": ""}}
    with pytest.raises(SystemExit, match=r"values.yaml sets kueue.cohort, which the schema does not declare"):
        values_schema.generate(SOURCE, KUBE, values, DESCRIPTIONS | {"kueue.cohort": "A cohort."})
