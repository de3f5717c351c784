"""`shards` fan the chain out: an Indexed Job (or a Volcano task with one replica per shard) whose every step reads its
own index's input, from a ConfigMap the chart renders, and script steps as $SHARD."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from harness.volcano import without_webhook_defaults
from sequential_job.manifest import Manifest
from sequential_job.paths import DOCS
from sequential_job.render import render
from sequential_job.values import chain, fanout

SHARDS = ["alpha", "beta gamma", "delta/δ", "4", "yes", "last shard"]
# Strings that YAML or a shell would turn into something else if the chart were careless.
TRICKY = ["", "0755", "true", "null", "1.5", "~", "a: b", "- x", "#c", "line 1\nline 2", "  padded  ", "'\"\\$(x)"]
PREAMBLE = 'SHARD="$(cat "/shards/${JOB_COMPLETION_INDEX:-$VC_TASK_INDEX}")" || exit; export SHARD\n'


def shards_configmap(manifest: Manifest) -> dict[str, Any]:
    (cm,) = manifest.of_kind("v1", "ConfigMap")
    return cm


def test_shards_make_an_indexed_job_with_one_completion_each() -> None:
    manifest = render(values=fanout(SHARDS, job={"parallelism": 2}))
    spec = manifest.workload()["spec"]
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == ("Indexed", 6, 2)
    assert spec["backoffLimit"] == 0


def test_the_configmap_holds_one_key_per_index_and_is_mounted_read_only_in_every_step() -> None:
    manifest = render(values=fanout(SHARDS), release="days")
    cm = shards_configmap(manifest)
    assert cm["metadata"]["name"] == "days-sequential-job-1-shards"
    assert cm["immutable"] is True
    assert cm["data"] == {str(i): s for i, s in enumerate(SHARDS)}
    assert manifest.volumes()["shards"] == {"name": "shards", "configMap": {"name": "days-sequential-job-1-shards"}}
    for step in manifest.steps():
        assert step.mounts[-1] == {"name": "shards", "mountPath": "/shards", "readOnly": True}, step.name


def test_shards_that_yaml_or_a_shell_could_mangle_arrive_unchanged(helm_name: str) -> None:
    cm = shards_configmap(render(values=fanout(TRICKY), helm=helm_name))
    assert [cm["data"][str(i)] for i in range(len(TRICKY))] == TRICKY


def test_script_steps_read_their_shard_into_SHARD_and_other_steps_are_left_alone() -> None:
    values = chain(3, shards=SHARDS)
    values["steps"][1] = {"name": "step-2", "image": "x", "command": ["cat", "/shards/$(JOB_COMPLETION_INDEX)"]}
    steps = render(values=values).steps()
    assert (steps[0].container["command"]) == ["sh", "-c", PREAMBLE + "echo step-1"]
    assert (steps[1].container["command"]) == ["cat", "/shards/$(JOB_COMPLETION_INDEX)"]
    assert (steps[2].container["command"]) == ["sh", "-c", PREAMBLE + "echo step-3"]


def test_without_shards_nothing_changes() -> None:
    manifest = render(values=chain(2))
    assert manifest.kinds() == [("batch/v1", "Job")]
    spec = manifest.workload()["spec"]
    assert "completionMode" not in spec and "completions" not in spec
    assert "volumes" not in manifest.pod_spec()
    assert (manifest.steps()[0].container["command"]) == ["sh", "-c", "echo step-1"]


@pytest.mark.parametrize(
    "job, expected",
    [
        ({}, 0),
        ({"backoffLimit": 2}, 2),
        ({"backoffLimitPerIndex": 1}, None),  # Kubernetes' own default then: no Job-wide limit
        ({"backoffLimitPerIndex": 1, "backoffLimit": 5}, 5),
    ],
)
def test_backoff_limit_is_0_unless_each_index_has_its_own(job: dict, expected: int | None) -> None:
    spec = render(values=fanout(SHARDS, job=job)).workload()["spec"]
    assert spec.get("backoffLimit") == expected


def test_volcano_runs_one_replica_per_shard_with_the_same_pod_template() -> None:
    values = fanout(SHARDS, volcano={"enabled": True, "minAvailable": 6, "plugins": {"svc": []}})
    volcano = render(values=values)
    spec = volcano.workload()["spec"]
    task = spec["tasks"][0]
    assert (task["replicas"], task["minAvailable"], spec["minAvailable"]) == (6, 6, 6)
    assert (spec["plugins"]) == {"svc": [], "env": []}, "the env plugin gives each pod its index as VC_TASK_INDEX"
    assert shards_configmap(volcano) == shards_configmap(render(values=fanout(SHARDS)))
    assert without_webhook_defaults(volcano.pod_template()) == render(values=fanout(SHARDS)).pod_template()


def test_volcano_keeps_the_users_own_env_plugin_arguments() -> None:
    values = fanout(SHARDS, volcano={"enabled": True, "plugins": {"env": ["--x"]}})
    assert (render(values=values).workload()["spec"]["plugins"]) == {"env": ["--x"]}


def test_volcano_without_shards_is_one_replica_and_no_plugin() -> None:
    spec = render(values=chain(2, volcano={"enabled": True})).workload()["spec"]
    assert (spec["tasks"][0]["replicas"], spec["tasks"][0]["minAvailable"]) == (1, 1)
    assert "plugins" not in spec


def test_ten_thousand_short_shards_render() -> None:
    shards = [f"d{i:09d}" for i in range(10000)]
    manifest = render(values=fanout(shards))
    assert manifest.workload()["spec"]["completions"] == 10000
    assert len(shards_configmap(manifest)["data"]) == 10000


def test_the_documented_example_fans_out_with_per_index_failures() -> None:
    page = (DOCS / "fan-out.md").read_text()
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    manifest = render(values=yaml.safe_load(example))
    spec = manifest.workload()["spec"]
    got = (spec["completions"], spec["parallelism"], spec["backoffLimitPerIndex"], spec["maxFailedIndexes"])
    assert got == (6, 2, 0, 1)
    assert "backoffLimit" not in spec, "with backoffLimitPerIndex, a Job-wide limit would fail the Job at one index"
    assert manifest.step_names() == ["fetch", "count", "report"]
