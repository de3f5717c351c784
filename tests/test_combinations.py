"""The pairwise feature matrix (sequential_job.combinations, docs/combinations.md) at render time: the generated cases
hold every pair of values; every case the chart must accept renders under both helms, passes strict validation at
the oldest and newest Kubernetes the chart claims and is wired soundly; every other case, and every probe of a
combination outside the dimensions, is refused naming its limitation. tests/e2e/test_combinations.py runs them."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

from harness.schemas import chart_kube_versions, crd_schema, unknown_fields, validate_object
from sequential_job import combinations as matrix
from sequential_job import pairwise
from sequential_job.manifest import VOLCANO_CRON_JOB, VOLCANO_JOB, Manifest
from sequential_job.paths import README
from sequential_job.render import render, render_error

OLDEST, NEWEST = chart_kube_versions()
# Not "default": an object that leaves its namespace to whoever applies it shows up as one without it.
NAMESPACE = "matrix-ns"
CASES = matrix.cases()
ACCEPTED = [c for c in CASES if c.accepted]
REFUSED = [c for c in CASES if not c.accepted]
HASHED = [c for c in ACCEPTED if c.has("nameSuffix", "hash")]
HOOKS = [c for c in ACCEPTED if c.kind == "hook"]
DIMENSIONS = matrix.pairwise_dimensions()


def ids(cases: list[matrix.Case]) -> list[str]:
    return [c.id for c in cases]


def rendered(case: matrix.Case, kube_version: str = NEWEST, helm: str = "helm", **changes: Any) -> Manifest:
    return render(values=case.values(**changes), helm=helm, kube_version=kube_version, namespace=NAMESPACE)


def excluded(choices: dict[str, str]) -> bool:
    return bool(matrix.limitations_hit(choices))


# --- The generator and the cases it makes


def test_every_pair_of_values_is_in_some_case() -> None:
    missing = pairwise.uncovered([c.choices for c in CASES], DIMENSIONS)
    assert missing == [], f"pairs no case holds: {missing}"


def test_every_pair_no_limitation_forbids_is_in_a_case_the_chart_must_accept() -> None:
    missing = pairwise.uncovered([c.choices for c in ACCEPTED], DIMENSIONS, excluded)
    assert missing == [], f"allowed pairs only refused cases hold (so nothing proves they work together): {missing}"


def test_each_refused_case_hits_one_limitation_and_no_accepted_case_any() -> None:
    assert [c.id for c in ACCEPTED if matrix.limitations_hit(c.choices)] == []
    assert {c.id: len(c.refused_by) for c in REFUSED} == {c.id: 1 for c in REFUSED}
    in_matrix = [lim.key for lim in matrix.LIMITATIONS if lim.when]
    assert sorted({c.refused_by[0].key for c in REFUSED}) == sorted(in_matrix), "a limitation no case checks"


def test_the_coverage_check_finds_a_missing_pair() -> None:
    """The check itself can fail: without the first accepted case, the pairs only it holds are reported."""
    first, rest = ACCEPTED[0], ACCEPTED[1:]
    missing = pairwise.uncovered([c.choices for c in rest], DIMENSIONS, excluded)
    assert missing, "every pair of the first case is held by another one too: drop another case"
    assert all(pair in pairwise.pairs_of(first.choices, DIMENSIONS) for pair in missing), missing


def test_the_generator_covers_a_small_space_with_few_cases() -> None:
    dims = [("a", ["0", "1"]), ("b", ["0", "1"]), ("c", ["0", "1"]), ("d", ["0", "1", "2"])]
    cases = pairwise.generate(dims)
    assert pairwise.uncovered(cases, dims) == []
    assert 6 <= len(cases) <= 8, cases  # 3 x 2 pairs of (d, a) need 6; the full product is 24


def test_the_generator_keeps_to_its_constraints() -> None:
    dims = [("a", ["0", "1"]), ("b", ["0", "1"]), ("c", ["0", "1"])]

    def forbidden(choices: dict[str, str]) -> bool:
        return choices.get("a") == "1" and choices.get("b") == "1"

    cases = pairwise.generate(dims, forbidden)
    assert not any(forbidden(c) for c in cases), cases
    assert pairwise.uncovered(cases, dims, forbidden) == []
    assert pairwise.excluded_pairs(dims, forbidden) == [(("a", "1"), ("b", "1"))]
    with pytest.raises(ValueError, match="no value of 'c' is allowed"):
        pairwise.generate(dims, lambda choices: "c" in choices)


def test_the_generator_is_deterministic() -> None:
    """The same cases, in the same order, in this process and in others with other hash seeds."""
    here = [c.as_json() for c in CASES]
    assert matrix.cases() == CASES
    for seed in ("0", "1", "4242"):
        proc = subprocess.run(
            [sys.executable, "-m", "sequential_job.combinations", "--cases"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        assert proc.stdout.splitlines() == here, f"PYTHONHASHSEED={seed} made other cases"


def test_the_limitations_are_complete() -> None:
    dimensions = dict(DIMENSIONS)
    for lim in matrix.LIMITATIONS:
        assert bool(lim.when) != (lim.probe is not None), f"{lim.key}: set either `when` or `probe`"
        assert lim.error and all(lim.error), f"{lim.key}: no text the chart's error must contain"
        assert lim.link.startswith("https://") and lim.reason and lim.combination, lim.key
        for dimension, values in lim.when.items():
            assert values <= set(dimensions.get(dimension, ())), f"{lim.key}: {dimension}={sorted(values)}"
    assert len({lim.key for lim in matrix.LIMITATIONS}) == len(matrix.LIMITATIONS)


def test_every_case_has_a_release_and_id_of_its_own() -> None:
    assert len({c.release for c in CASES}) == len({c.id for c in CASES}) == len(CASES)


def test_docs_combinations_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sequential_job.combinations", "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr or proc.stdout


def test_the_readme_states_the_matrix_as_it_is() -> None:
    everything = matrix.cases()
    accepted = sum(1 for c in everything if c.accepted)
    readme = " ".join(README.read_text().split())
    stated = (
        f"lists {len(matrix.DIMENSIONS)} dimensions and {len(everything)} generated cases (every pair of values in at "
        f"least one; {accepted} the chart must accept and the embedded cluster run, {len(everything) - accepted} it "
        "must refuse)"
    )
    assert stated in readme, f"the README's case count is stale: it should say `{stated}`"


# --- Each case against the chart


@pytest.mark.parametrize("kube_version", [OLDEST, NEWEST])
@pytest.mark.parametrize("case", ACCEPTED, ids=ids(ACCEPTED))
def test_accepted_case_passes_strict_validation(case: matrix.Case, kube_version: str) -> None:
    manifest = rendered(case, kube_version)
    problems = [p for obj in manifest.objects for p in validation_problems(obj, kube_version)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("case", ACCEPTED, ids=ids(ACCEPTED))
def test_accepted_case_renders_the_same_under_helm3(case: matrix.Case) -> None:
    assert rendered(case, helm="helm3").objects == rendered(case).objects, "Helm 3 and Helm 4 disagree"


@pytest.mark.parametrize("case", ACCEPTED, ids=ids(ACCEPTED))
def test_accepted_case_is_wired_soundly(case: matrix.Case) -> None:
    problems = wiring_problems(case, rendered(case))
    assert problems == [], "\n".join(problems)


def test_the_wiring_check_finds_broken_wiring() -> None:
    """The check itself can fail: a mount of an undeclared volume, and two mounts at one path, are reported."""
    case = ACCEPTED[0]
    manifest = rendered(case)
    broken = Manifest(copy.deepcopy(manifest.objects))
    step = broken.pod_spec()["containers"][0]
    step["volumeMounts"] = [{"name": "nowhere", "mountPath": "/a"}, {"name": "nowhere", "mountPath": "/a/"}]
    problems = wiring_problems(case, broken)
    assert any("mounts 'nowhere', which the pod does not declare" in p for p in problems), problems
    assert any("2 mounts at /a" in p for p in problems), problems


@pytest.mark.parametrize("case", ACCEPTED, ids=ids(ACCEPTED))
def test_accepted_case_puts_every_object_in_the_release_namespace(case: matrix.Case) -> None:
    """Each object names the release's namespace, as its RoleBinding's subject does: kustomize (5.8+) and `kubectl
    apply` would otherwise put it in the current namespace."""
    wrong = [
        f"{o['kind']} {o['metadata']['name']}: {o['metadata'].get('namespace')!r}"
        for o in rendered(case).objects
        if o["metadata"].get("namespace") != NAMESPACE
    ]
    assert wrong == [], f"objects whose metadata.namespace is not {NAMESPACE!r}: {wrong}"


@pytest.mark.parametrize("case", HOOKS, ids=ids(HOOKS))
def test_hook_case_makes_what_its_job_needs_hooks_before_it(case: matrix.Case) -> None:
    """Helm applies a release's own objects only after its pre-install and pre-upgrade hooks: everything the hook Job
    needs (its files and shards, its ServiceAccount and RBAC) must be a hook of the same events, created before it (a
    lower weight)."""
    manifest = rendered(case)
    job = manifest.workload()
    annotations = job["metadata"].get("annotations", {})
    events = set(annotations.get("helm.sh/hook", "").split(","))
    weight = int(annotations.get("helm.sh/hook-weight", "0"))
    problems = []
    for obj in [o for o in manifest.objects if o is not job]:
        theirs = obj["metadata"].get("annotations") or {}
        where = f"{obj['kind']} {obj['metadata']['name']}"
        if not events <= set(theirs.get("helm.sh/hook", "").split(",")):
            problems.append(f"{where}: not a hook of {','.join(sorted(events))} ({theirs.get('helm.sh/hook', 'none')})")
        elif int(theirs.get("helm.sh/hook-weight", "0")) >= weight:
            problems.append(f"{where}: its hook weight is not below the Job's {weight}")
    assert problems == [], "Helm creates these only after the hook Job ran:\n" + "\n".join(problems)


@pytest.mark.parametrize("case", REFUSED, ids=ids(REFUSED))
def test_refused_case_names_its_limitation(case: matrix.Case, helm_name: str) -> None:
    (limitation,) = case.refused_by
    run = render_error(values=case.values(), helm=helm_name)
    missing = [text for text in limitation.error if text not in run.stderr]
    assert missing == [], f"{limitation.combination}: the error lacks {missing}:\n{run.stderr}"


@pytest.mark.parametrize("limitation", matrix.probes(), ids=[lim.key for lim in matrix.probes()])
def test_probe_is_refused_naming_its_limitation(limitation: matrix.Limitation, helm_name: str) -> None:
    run = render_error(values=matrix.probe_values(limitation), helm=helm_name)
    missing = [text for text in limitation.error if text not in run.stderr]
    assert missing == [], f"{limitation.combination}: the error lacks {missing}:\n{run.stderr}"


@pytest.mark.parametrize("case", HASHED, ids=ids(HASHED))
def test_hash_name_changes_with_what_runs_and_only_with_it(case: matrix.Case) -> None:
    """job.nameSuffix hash: a new name when a re-run would do something else (the content of the files it runs), the
    same name when only labels or the time Kubernetes keeps the finished Job change."""

    def name(values: dict[str, Any]) -> str:
        return render(values=values, namespace=NAMESPACE).workload()["metadata"]["name"]

    base = name(case.values())
    problems = []
    if case.has("files", "script"):
        if name(case.values(files_version=2)) == base:
            problems.append(f"the files' content changed, the name stayed {base}: an apply would not run the new one")
    for change in ({"labels": {"matrix": "relabelled"}}, {"ttlSecondsAfterFinished": 600}):
        values = case.values()
        values.setdefault("job", {}).update(change)
        if (changed := name(values)) != base:
            problems.append(f"job {change} renamed {base} to {changed}: an apply would re-run the same chain")
    assert problems == [], "\n".join(problems)


# --- Checks


def validation_problems(obj: dict[str, Any], version: str) -> list[str]:
    """Strict validation, also of a Volcano CronJob: its jobTemplate as a Volcano Job, its own fields by its CRD."""
    if (obj["apiVersion"], obj["kind"]) != VOLCANO_CRON_JOB:
        return validate_object(obj, version)
    template = obj["spec"]["jobTemplate"]
    metadata = {"name": obj["metadata"]["name"], **template.get("metadata", {})}
    job = {"apiVersion": VOLCANO_JOB[0], "kind": VOLCANO_JOB[1], "metadata": metadata, "spec": template["spec"]}
    problems = validate_object(job, version)
    own = {k: v for k, v in obj["spec"].items() if k != "jobTemplate"}
    cron_spec = crd_schema("batch.volcano.sh_cronjobs.yaml")["properties"]["spec"]
    return problems + [f"Volcano CronJob: {p}" for p in unknown_fields(own, cron_spec, "spec")]


def wiring_problems(case: matrix.Case, manifest: Manifest) -> list[str]:
    """What the API server, the kubelet or Helm would trip over that a schema cannot see, as readable lines."""
    problems: list[str] = []
    objects = {(o["kind"], o["metadata"]["name"]): o for o in manifest.objects}
    for (kind, name), obj in objects.items():
        limit = 52 if kind == "CronJob" else 63  # a CronJob's Jobs are named <name>-<11 characters>
        if len(name) > limit:
            problems.append(f"{kind} {name}: the name is longer than {limit} characters")
        long = [k for k, v in (obj["metadata"].get("labels") or {}).items() if len(str(v)) > 63]
        if long:
            problems.append(f"{kind} {name}: label values longer than 63 characters: {long}")

    pod = manifest.pod_spec()
    volumes = [v["name"] for v in pod.get("volumes", [])]
    if len(set(volumes)) != len(volumes):
        problems.append(f"the pod declares a volume twice: {volumes}")
    containers = pod.get("initContainers", []) + pod["containers"]
    names = Counter(c["name"] for c in containers)
    if any(n > 1 for n in names.values()):
        problems.append(f"container names repeat: {[n for n, count in names.items() if count > 1]}")
    for container in containers:
        mounts = container.get("volumeMounts", [])
        for m in mounts:
            if m["name"] not in volumes:
                problems.append(f"container {container['name']}: mounts {m['name']!r}, which the pod does not declare")
        paths = Counter(m["mountPath"].rstrip("/") for m in mounts)
        for path, count in paths.items():
            if count > 1:
                problems.append(f"container {container['name']}: {count} mounts at {path} (the API server refuses it)")
    for volume in pod.get("volumes", []):
        if "configMap" in volume and ("ConfigMap", volume["configMap"]["name"]) not in objects:
            problems.append(f"volume {volume['name']}: ConfigMap {volume['configMap']['name']} is not in the release")

    account = pod.get("serviceAccountName")
    if case.has("rbac", "create"):
        if ("ServiceAccount", account) not in objects:
            problems.append(f"the pod runs as ServiceAccount {account!r}, which the release does not create")
        for binding in [o for (kind, _), o in objects.items() if kind == "RoleBinding"]:
            if ("Role", binding["roleRef"]["name"]) not in objects:
                problems.append(f"RoleBinding {binding['metadata']['name']}: no Role {binding['roleRef']['name']}")
            for subject in binding["subjects"]:
                if (subject["name"], subject.get("namespace")) != (account, NAMESPACE):
                    problems.append(f"RoleBinding subject {subject} is not the pod's {account} in {NAMESPACE}")

    workload = manifest.workload()
    job_metadata = (
        workload["spec"]["jobTemplate"]["metadata"] if workload["kind"] == "CronJob" else workload["metadata"]
    )
    if case.has("kueue", "queue"):
        queue = (job_metadata.get("labels") or {}).get("kueue.x-k8s.io/queue-name")
        if queue != matrix.QUEUE:
            problems.append(f"the Job's kueue.x-k8s.io/queue-name label is {queue!r}, not {matrix.QUEUE!r}")
    return problems
