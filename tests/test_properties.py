"""Properties of the chart over generated values (hypothesis), under both helms, against a small model of its
contract: steps keep their order, env merges by name, mounts and resources merge as documented, script becomes
command; the render passes strict schema validation, Helm 3 renders what Helm 4 does, and a typo planted at a
place the chart owns is refused with its key named.

The example budget is fixed and the examples derandomized, so CI runs the same cases every time; set
HYPOTHESIS_PROFILE=deep for a longer, random search.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harness.schemas import chart_kube_versions, validate_object
from sequential_job.render import render, render_error

_, NEWEST = chart_kube_versions()
settings.register_profile(
    "ci", max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHELL = "sh"  # the chart's default stepDefaults.shell
VOLUMES = ("work", "cache", "out")
# Strings YAML, Helm and Go templates could misread: quotes, template and shell syntax, words YAML 1.1 reads as
# booleans, numbers or null, indicators, unicode. (Characters YAML cannot carry at all are refused by the chart;
# tests/test_bad_input.py covers those.)
TRICKY = [
    "'",
    '"',
    "\\",
    "{{ .Values.steps }}",
    "{{",
    "}}",
    "$(HOME)",
    "$$(x)",
    "${HOME}",
    "$",
    "on",
    "off",
    "yes",
    "no",
    "y",
    "n",
    "true",
    "False",
    "null",
    "~",
    "1e3",
    "0x1F",
    "0o17",
    "012",
    "1_000",
    ".inf",
    "-",
    "- a",
    ": b",
    "#c",
    "&anchor",
    "*alias",
    "!tag",
    "%",
    "@",
    "`",
    "|",
    ">",
    "a\nb",
    " lead",
    "trail ",
    "\t",
    "é",
    "日本",
    "😀",
    "\u2028",
]
# What the chart refuses in any string (sequential-job.yamlProblems): NUL, which no process takes in an argument, and
# what YAML cannot carry.
YAML_UNSAFE = "\x00" + "".join(chr(c) for c in range(0x7F, 0xA0)) + "\ufeff\ufffe\uffff"
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters=YAML_UNSAFE), max_size=12),
)
LABEL = st.from_regex(r"\A[a-z]([-a-z0-9]{0,10}[a-z0-9])?\Z")
ENV_NAME = st.from_regex(r"\A[A-Z_][A-Z0-9_]{0,8}\Z")
CPU = st.sampled_from(["100m", "250m", "1", "2", "1500m", "0.5"])
MEMORY = st.sampled_from(["64Mi", "1Gi", "512M", "1e9"])


def env_lists(max_size: int = 4) -> st.SearchStrategy[list[dict[str, str]]]:
    return st.lists(
        st.builds(lambda n, v: {"name": n, "value": v}, ENV_NAME, TEXT),
        max_size=max_size,
        unique_by=lambda e: e["name"],
    )


def mount_lists() -> st.SearchStrategy[list[dict[str, str]]]:
    return st.lists(
        st.builds(lambda v, p: {"name": v, "mountPath": f"/{p}"}, st.sampled_from(VOLUMES), LABEL),
        max_size=3,
        unique_by=lambda m: m["mountPath"],
    )


def resources() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={"cpu": CPU, "memory": MEMORY}).map(
        lambda r: {"requests": r} if r else {}
    )


@st.composite
def chart_values(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(LABEL, min_size=1, max_size=6, unique=True))
    default_image = draw(st.one_of(st.none(), st.sampled_from(["busybox:1.36", "alpine:3.11"])))
    steps = []
    for name in names:
        step: dict[str, Any] = {"name": name}
        if default_image is None or draw(st.booleans()):
            step["image"] = draw(st.sampled_from(["busybox:1.36", "alpine:3.20", "registry.local/x:1"]))
        if draw(st.booleans()):
            step["script"] = draw(TEXT.filter(bool))
        elif draw(st.booleans()):
            step["command"] = draw(st.lists(TEXT, min_size=1, max_size=3))
        for key, strategy in (("env", env_lists()), ("volumeMounts", mount_lists()), ("resources", resources())):
            value = draw(strategy)
            if value:
                step[key] = value
        steps.append(step)
    defaults: dict[str, Any] = {
        key: value
        for key, value in {
            "image": default_image,
            "env": draw(env_lists()),
            "volumeMounts": draw(mount_lists()),
            "resources": draw(resources()),
        }.items()
        if value
    }
    overrides = {}
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))):
        override = {
            key: value for key, value in {"env": draw(env_lists(2)), "resources": draw(resources())}.items() if value
        }
        if override:
            overrides[name] = override
    values: dict[str, Any] = {"steps": steps, "volumes": [{"name": v, "emptyDir": {}} for v in VOLUMES]}
    if defaults:
        values["stepDefaults"] = defaults
    if overrides:
        values["stepOverrides"] = overrides
    return values


# The model: what docs/values.md says each step becomes.


def merge_env(base: list[dict[str, Any]], over: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """base's variables in order, each replaced by over's of the same name, then over's others in order."""
    by_name = {e["name"]: e for e in over}
    base_names = {e["name"] for e in base}
    return [by_name.get(e["name"], e) for e in base] + [e for e in over if e["name"] not in base_names]


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        merged[key] = deep_merge(merged[key], value) if isinstance(value, dict) and key in merged else value
    return merged


# The chart's own stepDefaults (values.yaml), under whatever the values add.
CHART_DEFAULTS = {
    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    "terminationMessagePolicy": "FallbackToLogsOnError",
}


def expected_containers(values: dict[str, Any]) -> list[dict[str, Any]]:
    defaults = values.get("stepDefaults", {})
    overrides = values.get("stepOverrides", {})
    containers = []
    for declared in values["steps"]:
        override = overrides.get(declared["name"], {})
        step = deep_merge(declared, {k: v for k, v in override.items() if k != "env"})
        if "env" in override:
            step["env"] = merge_env(step.get("env", []), override["env"])
        container: dict[str, Any] = dict(CHART_DEFAULTS)
        container["image"] = step.get("image") or defaults["image"]
        if "script" in step:
            container["command"] = [SHELL, "-c", step["script"]]
        elif "command" in step:
            container["command"] = step["command"]
        container["name"] = step["name"]
        env = merge_env(defaults.get("env", []), step.get("env", []))
        own_paths = {m["mountPath"] for m in step.get("volumeMounts", [])}
        mounts = step.get("volumeMounts", []) + [
            m for m in defaults.get("volumeMounts", []) if m["mountPath"] not in own_paths
        ]
        resources = deep_merge(defaults.get("resources", {}), step.get("resources", {}))
        for key, value in (("env", env), ("volumeMounts", mounts), ("resources", resources)):
            if value:
                container[key] = value
        containers.append(container)
    return containers


@given(chart_values())
def test_every_step_renders_as_the_contract_says_under_both_helms(values: dict[str, Any]) -> None:
    helm4 = render(values=values, helm="helm")
    helm3 = render(values=values, helm="helm3")
    assert helm3.objects == helm4.objects, "Helm 3 and Helm 4 render these values differently"
    expected = expected_containers(values)
    steps = helm4.steps()
    assert [s.name for s in steps] == [c["name"] for c in expected], "steps are out of order"
    assert [s.init for s in steps] == [True] * (len(steps) - 1) + [False], "only the last step may be the container"
    for step, want in zip(steps, expected, strict=True):
        for field in sorted(set(want) | set(step.container)):
            assert step.container.get(field) == want.get(field), f"step {step.name}: {field}"
    problems = [p for obj in helm4.objects for p in validate_object(obj, NEWEST)]
    assert problems == [], "\n".join(problems)


# Places the chart owns, each a path to a map and keys it knows; a typo of a key must be refused, naming it.
OWNED = {
    (): ["steps", "stepDefaults", "stepOverrides", "volumes", "job", "pod", "volcano", "nameOverride"],
    ("stepDefaults",): ["shell", "image", "env", "volumeMounts", "terminationMessagePolicy"],
    ("job",): ["backoffLimit", "ttlSecondsAfterFinished", "activeDeadlineSeconds", "labels", "annotations"],
    ("pod",): ["maxObjectBytes", "restartPolicy", "labels", "annotations", "securityContext"],
    ("volcano",): ["enabled", "queue", "minAvailable", "taskName", "maxRetry", "policies"],
}
KNOWN = {k for keys in OWNED.values() for k in keys} | {"fullnameOverride", "global", "serviceAccountName"}


@st.composite
def typos(draw: st.DrawFn) -> tuple[tuple[str, ...], str]:
    """A place the chart owns and a misspelling of one of its keys: a letter dropped, doubled or swapped."""
    where = draw(st.sampled_from(sorted(OWNED)))
    key = draw(st.sampled_from(OWNED[where]))
    i = draw(st.integers(0, len(key) - 2))
    kind = draw(st.sampled_from(["drop", "double", "swap"]))
    typo = {
        "drop": key[:i] + key[i + 1 :],
        "double": key[: i + 1] + key[i] + key[i + 1 :],
        "swap": key[:i] + key[i + 1] + key[i] + key[i + 2 :],
    }[kind]
    return where, typo


@given(chart_values(), typos())
def test_a_typo_where_the_chart_owns_the_keys_is_refused_by_name(
    values: dict[str, Any], typo: tuple[tuple[str, ...], str]
) -> None:
    where, key = typo
    assume(key not in KNOWN)  # "swap" of a doubled letter gives the key back; that is no typo
    target = values
    for part in where:
        target = target.setdefault(part, {})
    target[key] = 1
    run = render_error(values=values)
    pointer = "/" + "/".join(where) if where else ""
    assert f"at '{pointer}'" in run.stderr and f"'{key}' not allowed" in run.stderr, run.describe()
