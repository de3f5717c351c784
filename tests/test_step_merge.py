"""stepDefaults and stepOverrides merge into each step as values.yaml documents."""

from typing import Any

from harness import render, thaw

BASE: dict[str, Any] = {
    "volumes": [{"name": "work", "emptyDir": {}}, {"name": "cache", "emptyDir": {}}],
    "steps": [
        {
            "name": "fetch",
            "image": "alpine:3.11",
            "script": "echo fetch",
            "env": [{"name": "A", "value": "step"}, {"name": "ONLY_STEP", "value": "1"}],
            "resources": {"requests": {"cpu": "500m"}},
            "volumeMounts": [{"name": "work", "mountPath": "/work"}],
        },
        {"name": "build", "command": ["make"], "args": ["all"]},
        {"name": "publish", "image": "alpine:3.12", "securityContext": {"readOnlyRootFilesystem": True}},
    ],
    "stepDefaults": {
        "image": "busybox:1.36",
        "imagePullPolicy": "IfNotPresent",
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
        "env": [{"name": "A", "value": "default"}, {"name": "B", "value": "default"}],
        "volumeMounts": [{"name": "cache", "mountPath": "/cache"}, {"name": "cache", "mountPath": "/work"}],
    },
}


def containers(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s.name: thaw(s.container) for s in render(values=values).steps()}


def test_default_image_fills_steps_without_one() -> None:
    c = containers(BASE)
    assert c["build"]["image"] == "busybox:1.36"
    assert c["fetch"]["image"] == "alpine:3.11", "a step's own image wins over stepDefaults.image"


def test_default_pull_policy() -> None:
    assert {c["imagePullPolicy"] for c in containers(BASE).values()} == {"IfNotPresent"}


def test_env_merges_by_name_step_wins() -> None:
    env = containers(BASE)["fetch"]["env"]
    assert env == [
        {"name": "A", "value": "step"},
        {"name": "B", "value": "default"},
        {"name": "ONLY_STEP", "value": "1"},
    ], f"fetch env: {env}"
    assert containers(BASE)["build"]["env"] == [{"name": "A", "value": "default"}, {"name": "B", "value": "default"}]


def test_resources_deep_merge() -> None:
    c = containers(BASE)
    assert c["fetch"]["resources"] == {"requests": {"cpu": "500m", "memory": "64Mi"}}
    assert c["build"]["resources"] == {"requests": {"cpu": "100m", "memory": "64Mi"}}


def test_security_context_deep_merges_over_restricted_default() -> None:
    ctx = containers(BASE)["publish"]["securityContext"]
    assert ctx == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True}


def test_default_mounts_added_after_own_unless_path_taken() -> None:
    c = containers(BASE)
    assert c["fetch"]["volumeMounts"] == [
        {"name": "work", "mountPath": "/work"},
        {"name": "cache", "mountPath": "/cache"},
    ]
    assert c["build"]["volumeMounts"] == [
        {"name": "cache", "mountPath": "/cache"},
        {"name": "cache", "mountPath": "/work"},
    ]


def test_command_and_args_pass_through() -> None:
    build = containers(BASE)["build"]
    assert (build["command"], build["args"]) == (["make"], ["all"])


def test_script_uses_default_shell() -> None:
    values = {**BASE, "stepDefaults": {**BASE["stepDefaults"], "shell": "/bin/bash"}}
    assert containers(values)["fetch"]["command"] == ["/bin/bash", "-c", "echo fetch"]


def test_override_changes_only_its_step() -> None:
    values = {
        **BASE,
        "stepOverrides": {
            "build": {"image": "busybox:1.37", "resources": {"limits": {"memory": "1Gi"}}},
        },
    }
    c = containers(values)
    assert c["build"]["image"] == "busybox:1.37"
    assert c["build"]["resources"] == {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "1Gi"}}
    assert c["fetch"] == containers(BASE)["fetch"], "an override of build must not touch fetch"


def test_override_deep_merges_maps_and_replaces_lists() -> None:
    values = {
        **BASE,
        "stepOverrides": {
            "fetch": {
                "resources": {"requests": {"cpu": "2"}},
                "volumeMounts": [{"name": "cache", "mountPath": "/data"}],
                "script": "echo changed",
            }
        },
    }
    fetch = containers(values)["fetch"]
    assert fetch["resources"] == {"requests": {"cpu": "2", "memory": "64Mi"}}
    assert fetch["volumeMounts"] == [
        {"name": "cache", "mountPath": "/data"},
        {"name": "cache", "mountPath": "/cache"},
        {"name": "cache", "mountPath": "/work"},
    ], "an override's volumeMounts replace the step's list; stepDefaults mounts are then added"
    assert fetch["command"] == ["sh", "-c", "echo changed"]


def test_override_env_merges_by_name() -> None:
    values = {
        **BASE,
        "stepOverrides": {"fetch": {"env": [{"name": "ONLY_STEP", "value": "2"}, {"name": "C", "value": "x"}]}},
    }
    assert containers(values)["fetch"]["env"] == [
        {"name": "A", "value": "step"},
        {"name": "B", "value": "default"},
        {"name": "ONLY_STEP", "value": "2"},
        {"name": "C", "value": "x"},
    ]


def test_override_can_set_false() -> None:
    values = {**BASE, "stepOverrides": {"publish": {"securityContext": {"readOnlyRootFilesystem": False}}}}
    assert containers(values)["publish"]["securityContext"]["readOnlyRootFilesystem"] is False
