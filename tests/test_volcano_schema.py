"""Our Volcano Job JSON Schema (tests/schemas/) agrees with the real CRD of the pinned Volcano version: every field
the chart can emit exists in the CRD's openAPIV3Schema with the same type."""

from __future__ import annotations

from typing import Any

from harness.schemas import crd_schema, unknown_fields, volcano_job_schema
from sequential_job.render import render
from sequential_job.values import chain


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref:
        return resolve(volcano_job_schema()["definitions"][ref.rsplit("/", 1)[1]])
    return node


def compare(ours: dict[str, Any], theirs: dict[str, Any], path: str, problems: list[str]) -> None:
    ours = resolve(ours)
    if "type" in ours and ours["type"] != theirs.get("type"):
        problems.append(f"{path}: ours is {ours['type']}, the CRD's is {theirs.get('type')}")
        return
    if "enum" in ours and "enum" in theirs and not set(ours["enum"]) <= set(theirs["enum"]):
        problems.append(f"{path}: values {sorted(set(ours['enum']) - set(theirs['enum']))} are not in the CRD's enum")
    for key, sub in ours.get("properties", {}).items():
        if key not in theirs.get("properties", {}):
            problems.append(f"{path}.{key}: not in the CRD")
            continue
        compare(sub, theirs["properties"][key], f"{path}.{key}", problems)
    if isinstance(ours.get("items"), dict):
        compare(ours["items"], theirs.get("items", {}), f"{path}[]", problems)
    if isinstance(ours.get("additionalProperties"), dict):
        compare(ours["additionalProperties"], theirs.get("additionalProperties", {}), f"{path}{{}}", problems)


def test_spec_matches_the_crd() -> None:
    problems: list[str] = []
    compare(volcano_job_schema()["properties"]["spec"], crd_schema()["properties"]["spec"], "spec", problems)
    assert problems == [], "our Volcano Job schema disagrees with the CRD:\n" + "\n".join(problems)


def test_metadata_is_plain_object_meta() -> None:
    # The CRD leaves metadata to the API server's ObjectMeta; ours only narrows it to what the chart sets.
    assert crd_schema()["properties"]["metadata"]["type"] == volcano_job_schema()["properties"]["metadata"]["type"]


def test_comparison_finds_a_wrong_type() -> None:
    """The check itself can fail: a field typed wrongly on purpose is reported."""
    wrong = {"type": "object", "properties": {"maxRetry": {"type": "string"}, "nosuchfield": {"type": "string"}}}
    problems: list[str] = []
    compare(wrong, crd_schema()["properties"]["spec"], "spec", problems)
    assert problems == ["spec.maxRetry: ours is string, the CRD's is integer", "spec.nosuchfield: not in the CRD"]


def test_the_volcano_cronjob_renders_only_fields_of_its_crd() -> None:
    """Volcano's CronJob (schedule with volcano.enabled) around the Volcano Job spec this schema checks."""
    settings = {"timeZone": "UTC", "concurrencyPolicy": "Replace", "startingDeadlineSeconds": 10, "suspend": True}
    settings |= {"successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 1}
    values = chain(2, schedule="@hourly", cronJob=settings, volcano={"enabled": True, "maxRetry": 1})
    cron = render(values=values).workload()
    assert cron["kind"] == "CronJob"
    spec = crd_schema("batch.volcano.sh_cronjobs.yaml")["properties"]["spec"]
    assert unknown_fields(cron["spec"], spec, "spec") == []
    # The CRD's jobTemplate.spec is the Volcano JobSpec: the same as the Job CRD's.
    assert spec["properties"]["jobTemplate"]["properties"]["spec"] == crd_schema()["properties"]["spec"]
    assert unknown_fields({"bogus": 1, "suspend": True}, spec, "spec") == ["spec.bogus: not in the CRD"]
