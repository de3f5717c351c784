"""The pairwise feature matrix: the chart's features as dimensions, each a few values; cases generated (by
`sequential_job.pairwise`) so that every pair of values of two dimensions appears in at least one case; each case
turned into chart values whose steps exercise every feature it holds and print a marker a test can check; and what
each case must do: run, or be refused by the chart naming a real Kubernetes or Helm limitation (`LIMITATIONS`, the one
home of the texts the chart's errors must contain).

    python -m sequential_job.combinations           # rewrite docs/combinations.md (`make docs`), print the count
    python -m sequential_job.combinations --check   # exit 1 when docs/combinations.md is stale
    python -m sequential_job.combinations --cases   # the cases as JSON, one per line

tests/test_combinations.py renders every case (`make test`); tests/e2e/test_combinations.py runs them (`make e2e`).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sequential_job import pairwise
from sequential_job.paths import ROOT

DOC = ROOT / "docs" / "combinations.md"

BUSYBOX = "busybox:1.36"
KUBECTL_IMAGE = "sequential-job.local/kubectl:1"  # busybox and the cluster's kubectl (scripts/cluster/images.sh)
APISERVER = ("127.0.0.1", "6443")  # the embedded cluster's API server listens on loopback only (scripts/cluster/lib.sh)
NEVER = "0 0 1 1 *"  # a CronJob case runs by hand, never on its schedule
SHARDS = ("alpha", "beta")
QUEUE = "batch"  # the LocalQueue a Kueue case submits to (the e2e suite makes it: tests/e2e/test_kueue.py)
WORK = "work"  # the user's emptyDir that stepDefaults.volumeMounts mounts in every step
ARGS = ("x", "hello")  # `sh -c script x hello` runs the script with $0=x and $1=hello
FILES_SCRIPT = "run.sh"
FILES_MOUNT = "/opt/matrix"
SIDECAR_PORT_BASE = 20000  # + 10 * case number (+ the pod's index): cases sharing the node's network never collide


class Plan:
    """Chart values under construction, and the markers each step's log must hold: a line per marker, where
    `{shard}` stands for the pod's own shard and `{files}` for the version of the files."""

    def __init__(self, case: Case, files_version: int):
        self.case = case
        self.files_version = files_version
        self.values: dict[str, Any] = {"stepDefaults": {"image": BUSYBOX}, "steps": []}
        self.markers: dict[str, list[str]] = {}

    def merge(self, fragment: Mapping[str, Any]) -> None:
        _deep_merge(self.values, fragment)

    def step(self, step: dict[str, Any], *markers: str) -> None:
        self.values["steps"].append(step)
        self.markers[step["name"]] = list(markers)

    @property
    def mount(self) -> str | None:
        """Where stepDefaults mounts the user's emptyDir in every step, if it does."""
        return {"none": None, "work": "/work", "steps": "/steps"}[self.case.choices["mounts"]]

    @property
    def sidecar_port(self) -> str:
        """The sidecar's port as a shell expression: the case's own, plus the pod's index (shards of a Volcano Job run
        at once, and a case with a ServiceAccount shares the node's network)."""
        base = SIDECAR_PORT_BASE + 10 * self.case.number
        return f"$(({base} + ${{JOB_COMPLETION_INDEX:-${{VC_TASK_INDEX:-0}}}}))"


def _deep_merge(into: dict[str, Any], fragment: Mapping[str, Any]) -> None:
    for key, value in fragment.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


# --- What each value of each dimension adds to the values. Steps are added in dimension order, between the first
# step (`prepare`) and the last (`finish`).


def _nothing(plan: Plan) -> None:
    pass


def _volcano(plan: Plan) -> None:
    plan.merge({"volcano": {"enabled": True}})


def _schedule(plan: Plan) -> None:
    plan.merge({"schedule": NEVER})


def _volcano_schedule(plan: Plan) -> None:
    plan.merge({"schedule": NEVER, "volcano": {"enabled": True}})


def _hook(plan: Plan) -> None:
    plan.merge({"hook": {"enabled": True}})


def _name_suffix(suffix: str) -> Callable[[Plan], None]:
    def apply(plan: Plan) -> None:
        plan.merge({"job": {"nameSuffix": suffix}})

    return apply


def _shards(plan: Plan) -> None:
    plan.merge({"shards": list(SHARDS)})
    # every script step gets its shard as $SHARD (the chart's preamble); this one shows it
    plan.step(
        {"name": "shard", "script": 'test -n "$SHARD" && echo "matrix:shard:$SHARD"'},
        "matrix:shard:{shard}",
    )


def files_content(version: int) -> dict[str, str]:
    """The files of a case: a script the `from-files` step runs; `version` changes its content (and output)."""
    return {FILES_SCRIPT: f"#!/bin/sh\necho matrix:files:v{version}\n"}


def _files(plan: Plan) -> None:
    plan.merge({"files": files_content(plan.files_version)})
    plan.step(
        {
            "name": "from-files",
            "command": ["sh", f"{FILES_MOUNT}/{FILES_SCRIPT}"],
            "volumeMounts": [{"name": "files", "mountPath": FILES_MOUNT}],
        },
        "matrix:files:v{files}",
    )


def _sidecar(plan: Plan) -> None:
    port = plan.sidecar_port
    url = f"http://127.0.0.1:{port}/page"
    plan.merge(
        {
            "sidecars": [
                {
                    "name": "web",
                    "before": "fetch",
                    # a shell as PID 1 ignores TERM unless it traps it: without the trap, the kubelet would wait out
                    # the grace period (30 s) before it KILLs the sidecar at the end of the chain
                    "script": "mkdir -p /tmp/www && echo matrix:served > /tmp/www/page || exit 1\n"
                    f'httpd -f -p "127.0.0.1:{port}" -h /tmp/www &\n'
                    "trap 'kill $!; exit 0' TERM\nwait",
                    "startupProbe": {
                        "exec": {"command": ["sh", "-c", f'wget -q -O /dev/null "{url}"']},
                        "periodSeconds": 1,
                        "failureThreshold": 60,
                    },
                }
            ]
        }
    )
    plan.step({"name": "fetch", "script": f'echo "matrix:fetch:$(wget -q -O - "{url}")"'}, "matrix:fetch:matrix:served")


def _wrapped_with_args(plan: Plan) -> None:
    """A script step the chart wraps (timeoutSeconds) with args: like `sh -c script x hello`, the script must get
    them as $0 and $1."""
    plan.step(
        {
            "name": "wrapped",
            "script": f'if [ "$0 $1" != "{" ".join(ARGS)}" ]; then echo "matrix:args: got \\$0=$0 \\$1=$1" >&2; '
            'exit 1; fi; echo "matrix:args:$0:$1"',
            "timeoutSeconds": 120,
            "args": list(ARGS),
        },
        f"matrix:args:{':'.join(ARGS)}",
    )


def _wrapped_command(plan: Plan) -> None:
    """A command step the chart wraps (timeoutSeconds) under its step runtime, with args: the command gets them after
    its own arguments, as it would unwrapped."""
    plan.step(
        {"name": "wrapped", "command": ["echo", "matrix:command"], "timeoutSeconds": 120, "args": list(ARGS)},
        f"matrix:command {' '.join(ARGS)}",
    )


def _retries(plan: Plan) -> None:
    """A step that fails its first attempt (a file in its container's /tmp remembers) and runs again in place."""
    plan.step(
        {
            "name": "retried",
            "script": "if [ ! -f /tmp/matrix-tried ]; then touch /tmp/matrix-tried; exit 3; fi; echo matrix:retried",
            "retries": {"limit": 2},
        },
        "matrix:retried",
    )


def _resume(plan: Plan) -> None:
    """resume.enabled: every step wrapped, a claim of the cluster's default class mounted at /steps/.resume."""
    plan.merge({"resume": {"enabled": True}})
    plan.step({"name": "resumable", "script": "test -d /steps/.resume && echo matrix:resume"}, "matrix:resume")


def _service_account(plan: Plan) -> None:
    """The chart's ServiceAccount, and a Role that lets it read pods: the step reads its own pod through the API with
    the mounted token. The embedded cluster's API server listens on the node's loopback only, so the pod shares the
    node's network."""
    host, port = APISERVER
    plan.merge(
        {
            "serviceAccount": {"create": True},
            "rbac": {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
            "pod": {"hostNetwork": True},
        }
    )
    plan.step(
        {
            "name": "api",
            "image": KUBECTL_IMAGE,
            "env": [
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "KUBERNETES_SERVICE_HOST", "value": host},
                {"name": "KUBERNETES_SERVICE_PORT", "value": port},
            ],
            "script": "test -s /var/run/secrets/kubernetes.io/serviceaccount/token && "
            "name=$(kubectl get pod \"$POD_NAME\" -o jsonpath='{.metadata.name}') && "
            'test "$name" = "$POD_NAME" && echo matrix:api:own-pod',
        },
        "matrix:api:own-pod",
    )


def _kueue(plan: Plan) -> None:
    # Kueue admits the pod's request against a ClusterQueue's quota of cpu
    plan.merge({"kueue": {"queueName": QUEUE}, "stepDefaults": {"resources": {"requests": {"cpu": "10m"}}}})


def _mounts(plan: Plan) -> None:
    plan.merge(
        {
            "volumes": [{"name": WORK, "emptyDir": {}}],
            "stepDefaults": {"volumeMounts": [{"name": WORK, "mountPath": plan.mount}]},
        }
    )


def _on_failure(plan: Plan) -> None:
    plan.merge({"pod": {"restartPolicy": "OnFailure"}})


@dataclass(frozen=True)
class Value:
    name: str
    doc: str
    apply: Callable[[Plan], None] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Dimension:
    name: str
    doc: str
    values: tuple[Value, ...]

    def value(self, name: str) -> Value:
        return next(v for v in self.values if v.name == name)


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "kind",
        "the workload",
        (
            Value("job", "a batch/v1 Job", _nothing),
            Value("volcano-job", "a Volcano Job (`volcano.enabled`)", _volcano),
            Value("cronjob", "a batch/v1 CronJob (`schedule`)", _schedule),
            Value("volcano-cronjob", "a Volcano CronJob (`schedule`, `volcano.enabled`)", _volcano_schedule),
            Value("hook", "a Helm hook Job (`hook.enabled`)", _hook),
        ),
    ),
    Dimension(
        "nameSuffix",
        "`job.nameSuffix`",
        (
            Value("unset", "the chart's default", _nothing),
            Value("revision", "`revision`", _name_suffix("revision")),
            Value("hash", "`hash`", _name_suffix("hash")),
            Value("none", "`none`", _name_suffix("none")),
        ),
    ),
    Dimension(
        "shards",
        "`shards`",
        (
            Value("none", "no shards", _nothing),
            Value("few", f"{len(SHARDS)} shards; a step prints its `$SHARD`", _shards),
        ),
    ),
    Dimension(
        "files",
        "`files`",
        (
            Value("none", "no files", _nothing),
            Value("script", f"a step runs `{FILES_SCRIPT}` from the `files` volume", _files),
        ),
    ),
    Dimension(
        "sidecar",
        "`sidecars`",
        (
            Value("none", "no sidecar", _nothing),
            Value("one", "an httpd sidecar (with a startupProbe) that a later step fetches a page from", _sidecar),
        ),
    ),
    Dimension(
        "wrapped",
        "a step the chart wraps, with `args`",
        (
            Value("none", "no wrapped step", _nothing),
            Value(
                "args",
                f"a `script` step with `timeoutSeconds` and `args: [{', '.join(ARGS)}]` that checks it gets them as "
                "`$0 $1`",
                _wrapped_with_args,
            ),
            Value(
                "command",
                f"a `command` step with `timeoutSeconds` and `args: [{', '.join(ARGS)}]`, run under the step runtime",
                _wrapped_command,
            ),
            Value("retries", "a step that fails its first attempt and runs again in place (`retries`)", _retries),
        ),
    ),
    Dimension(
        "resume",
        "`resume.enabled`",
        (
            Value("off", "no resume", _nothing),
            Value("on", "`resume.enabled`: a claim of the default StorageClass, every step wrapped", _resume),
        ),
    ),
    Dimension(
        "rbac",
        "a ServiceAccount with RBAC",
        (
            Value("none", "the namespace's default account, no token", _nothing),
            Value(
                "create",
                "`serviceAccount.create` and `rbac.rules` (get pods); a step reads its own pod with the mounted token",
                _service_account,
            ),
        ),
    ),
    Dimension(
        "kueue",
        "Kueue",
        (
            Value("none", "not queued", _nothing),
            Value("queue", f"`kueue.queueName: {QUEUE}`, 10m of cpu a container", _kueue),
        ),
    ),
    Dimension(
        "mounts",
        "`stepDefaults.volumeMounts`",
        (
            Value("none", "none", _nothing),
            Value("work", f"the emptyDir `{WORK}` at `/work` in every step (and sidecar)", _mounts),
            Value("steps", f"the emptyDir `{WORK}` at `/steps` in every step (and sidecar)", _mounts),
        ),
    ),
    Dimension(
        "restartPolicy",
        "`pod.restartPolicy`",
        (
            Value("Never", "`Never`", _nothing),
            Value("OnFailure", "`OnFailure`", _on_failure),
        ),
    ),
)
DIMENSION = {d.name: d for d in DIMENSIONS}


@dataclass(frozen=True)
class Limitation:
    """A combination the chart must refuse, because Kubernetes or Helm cannot do it. `when` names it in the matrix's
    terms (dimension -> the values that hit it); a combination of settings the dimensions do not hold has `probe`
    instead, values that hit it (added to a one-step chain). The chart's error must contain every text in `error`
    (the path of the value it blames first)."""

    key: str
    combination: str
    error: tuple[str, ...]
    reason: str
    link: str
    when: Mapping[str, frozenset[str]] = field(default_factory=dict)
    probe: Mapping[str, Any] | None = None
    # what tests/e2e/test_combinations.py shows the cluster (or Helm) do with the combination, the chart's refusal
    # aside; empty when only the source says so
    evidence: str = ""

    def hits(self, choices: Mapping[str, str]) -> bool:
        """Whether these (possibly partial) choices hold the combination: every dimension of `when` chosen, each
        with one of its values."""
        return bool(self.when) and all(choices.get(d) in values for d, values in self.when.items())


LIMITATIONS: tuple[Limitation, ...] = (
    Limitation(
        "schedule-names-its-jobs",
        "`job.nameSuffix` with `schedule` (a CronJob or a Volcano CronJob)",
        ("job.nameSuffix", "schedule"),
        "A CronJob names each Job it creates itself, `<cronjob name>-<scheduled time in minutes>`; the chart cannot "
        "name them.",
        "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#writing-a-cronjob-spec",
        when={"kind": frozenset({"cronjob", "volcano-cronjob"}), "nameSuffix": frozenset({"revision", "hash", "none"})},
    ),
    Limitation(
        "kueue-volcano",
        "`kueue.queueName` with `volcano.enabled`",
        ("kueue.queueName", "Volcano"),
        "Kueue admits batch/v1 Jobs (and JobSets, Kubeflow and Ray jobs, plain pods), not Volcano Jobs, which Volcano "
        "queues itself (`volcano.queue`).",
        "https://github.com/kubernetes-sigs/kueue/blob/v0.17.0/config/components/manager/controller_manager_config.yaml#L46-L61",
        when={"kind": frozenset({"volcano-job", "volcano-cronjob"}), "kueue": frozenset({"queue"})},
        evidence="a Volcano Job labelled for a LocalQueue that does not exist runs at once, and Kueue makes no "
        "Workload for it",
    ),
    Limitation(
        "steps-mount-wrapped",
        "`stepDefaults.volumeMounts` at `/steps` with a wrapped step (`timeoutSeconds`, `onError`, `results` or "
        "`retries`)",
        ("stepDefaults.volumeMounts[0]", "/steps"),
        "A wrapped step's exit code and results go to the chart's own volume at `/steps` in every step, and "
        "Kubernetes refuses two mounts at one path in a container (`mountPath: must be unique`).",
        "https://github.com/kubernetes/kubernetes/blob/v1.37.2/pkg/apis/core/validation/validation.go#L3193",
        when={"mounts": frozenset({"steps"}), "wrapped": frozenset({"args", "command", "retries"})},
        evidence="the API server refuses a wrapped step's pod with a second mount at /steps (server-side dry run)",
    ),
    Limitation(
        "steps-mount-resume",
        "`stepDefaults.volumeMounts` at `/steps` with `resume.enabled` (which wraps every step)",
        ("stepDefaults.volumeMounts[0]", "/steps"),
        "Resume wraps every step, so each records its progress under the chart's own volume at `/steps`, and "
        "Kubernetes refuses two mounts at one path in a container (`mountPath: must be unique`).",
        "https://github.com/kubernetes/kubernetes/blob/v1.37.2/pkg/apis/core/validation/validation.go#L3193",
        when={"mounts": frozenset({"steps"}), "resume": frozenset({"on"})},
    ),
    Limitation(
        "resume-volcano",
        "`resume.enabled` with `volcano.enabled`",
        ("resume.enabled", "Volcano"),
        "Resume keeps each run's progress apart by its Job's uid, which the batch/v1 Job controller puts on every "
        "pod (`batch.kubernetes.io/controller-uid`); a Volcano Job's pods carry its name only, so a new Volcano Job "
        "of the same name would skip the steps an old one completed.",
        "https://github.com/volcano-sh/apis/blob/v1.14.0/pkg/apis/batch/v1alpha1/labels.go",
        when={"kind": frozenset({"volcano-job", "volcano-cronjob"}), "resume": frozenset({"on"})},
    ),
    Limitation(
        "resume-hook",
        "`resume.enabled` with `hook.enabled`",
        ("resume.enabled", "hook mode"),
        "Helm makes a hook's objects again at every release event, deleting the previous ones first, and waits for "
        "each deletion; a claim stays in use while a pod that mounted it exists, even a completed one (Kubernetes' "
        "PVC protection), and Helm deletes the previous hook Job only after the claim, whose hook weight is lower: "
        "the upgrade would hang until its timeout.",
        "https://github.com/kubernetes/kubernetes/blob/v1.37.2/pkg/controller/volume/pvcprotection/pvc_protection_controller.go#L457",
        when={"kind": frozenset({"hook"}), "resume": frozenset({"on"})},
    ),
    Limitation(
        "hook-volcano",
        "`hook.enabled` with `volcano.enabled`",
        ("hook.enabled", "volcano.enabled"),
        "Helm waits for a hook only when it is a batch/v1 Job or a Pod: Helm 4 counts any other kind ready once "
        "created, so a Volcano Job hook would not hold back the release; Helm 3 takes it for a batch/v1 Job (both "
        "are kind Job) and fails the release (`expected ... to be a *batch.Job`).",
        "https://helm.sh/docs/topics/charts_hooks/#hooks-and-the-release-lifecycle",
        probe={"hook": {"enabled": True}, "volcano": {"enabled": True}},
        evidence="`helm install` of a Volcano Job hook whose step sleeps returns before the Volcano Job completes "
        "(Helm 4), or fails (Helm 3)",
    ),
    Limitation(
        "hook-schedule",
        "`hook.enabled` with `schedule`",
        ("hook.enabled", "schedule"),
        "A hook runs once at a release event and Helm waits for it; a CronJob hook is ready as soon as it exists, and "
        "its runs come later, on its schedule.",
        "https://helm.sh/docs/topics/charts_hooks/#hooks-and-the-release-lifecycle",
        probe={"hook": {"enabled": True}, "schedule": NEVER},
        evidence="`helm install` of a CronJob hook returns with no Job having run",
    ),
    Limitation(
        "on-failure-pod-failure-policy",
        "`pod.restartPolicy: OnFailure` with a pod failure policy (`onExitCodes`, `job.podFailurePolicy` or "
        "`job.ignoreDisruptions`)",
        ("pod.restartPolicy", "OnFailure"),
        "Kubernetes applies a Job's pod failure policy only to pods with `restartPolicy: Never` (the API server "
        "refuses the Job otherwise).",
        "https://github.com/kubernetes/kubernetes/blob/v1.37.2/pkg/apis/batch/validation/validation.go#L310",
        probe={"pod": {"restartPolicy": "OnFailure"}, "job": {"ignoreDisruptions": True}},
        evidence="the API server refuses a Job with a pod failure policy and restartPolicy OnFailure (server-side "
        "dry run)",
    ),
    Limitation(
        "volcano-on-exit-codes",
        "`onExitCodes` with `volcano.enabled`",
        ("onExitCodes", "Volcano"),
        "A Volcano Job has no pod failure policy; it reacts to exit codes through its own `policies` "
        "(`volcano.policies`).",
        "https://github.com/volcano-sh/volcano/blob/v1.14.1/config/crd/volcano/bases/batch.volcano.sh_jobs.yaml#L84",
        probe={"volcano": {"enabled": True}, "steps": [{"onExitCodes": [{"action": "FailJob", "values": [3]}]}]},
        evidence="the API server refuses a Volcano Job with a podFailurePolicy: the field does not exist "
        "(server-side dry run)",
    ),
)


def limitations_hit(choices: Mapping[str, str]) -> list[Limitation]:
    return [limitation for limitation in LIMITATIONS if limitation.hits(choices)]


@dataclass(frozen=True)
class Case:
    """One combination: its number (from 1), a value for every dimension, and the limitations it hits (none for a
    case the chart must accept and the cluster must run)."""

    number: int
    choices: Mapping[str, str]
    refused_by: tuple[Limitation, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.refused_by

    @property
    def kind(self) -> str:
        return self.choices["kind"]

    @property
    def id(self) -> str:
        """c07-hook-hash-few-script...: the number, then every value that is not its dimension's first."""
        shown = [self.kind] + [
            v if d != "mounts" else f"mount-{v}"
            for d, v in self.choices.items()
            if d != "kind" and v != DIMENSION[d].values[0].name
        ]
        return f"c{self.number:02d}-" + "-".join(shown).lower()

    @property
    def release(self) -> str:
        """A short release name of its own (the e2e suite installs each case in a namespace of its own)."""
        return f"m{self.number:02d}"

    def as_json(self) -> str:
        """The case in one line of JSON (`--cases` prints them)."""
        refused = [limitation.key for limitation in self.refused_by]
        return json.dumps({"number": self.number, "choices": dict(self.choices), "refused_by": refused})

    def has(self, dimension: str, value: str) -> bool:
        return self.choices[dimension] == value

    def plan(self, files_version: int = 1) -> Plan:
        plan = Plan(self, files_version)
        prepare = "echo matrix:prepare"
        finish = "echo matrix:finish"
        finish_markers = ["matrix:finish"]
        if plan.mount:
            prepare += f" && echo handed-over > {plan.mount}/handoff"
            finish += f' && echo "matrix:handoff:$(cat {plan.mount}/handoff)"'
            finish_markers.append("matrix:handoff:handed-over")
        plan.step({"name": "prepare", "script": prepare}, "matrix:prepare")
        for dimension in DIMENSIONS:
            dimension.value(self.choices[dimension.name]).apply(plan)
        plan.step({"name": "finish", "script": finish}, *finish_markers)
        return plan

    def values(self, files_version: int = 1) -> dict[str, Any]:
        """The chart values of this case; `files_version` changes the content of its files (if it has any)."""
        return self.plan(files_version).values

    def markers(self, shard: str = "", files_version: int = 1) -> dict[str, list[str]]:
        """Step name -> the lines its log must hold, in the pod that ran `shard` (with shards)."""
        return {
            step: [m.format(shard=shard, files=files_version) for m in lines]
            for step, lines in self.plan(files_version).markers.items()
        }


def _excluded(choices: Mapping[str, str]) -> bool:
    return bool(limitations_hit(choices))


def pairwise_dimensions() -> list[tuple[str, list[str]]]:
    return [(d.name, [v.name for v in d.values]) for d in DIMENSIONS]


def cases() -> list[Case]:
    """Every case: first those the chart must accept (a covering array of every pair no limitation forbids), then
    one for each pair a limitation forbids, its other dimensions at their first value (so that it is refused for
    that one reason)."""
    dimensions = pairwise_dimensions()
    accepted = pairwise.generate(dimensions, _excluded)
    refused = []
    for (d1, v1), (d2, v2) in pairwise.excluded_pairs(dimensions, _excluded):
        choices = {name: values[0] for name, values in dimensions}
        choices |= {d1: v1, d2: v2}
        refused.append(choices)
    found = [Case(i, c) for i, c in enumerate(accepted, 1)]
    found += [Case(i, c, tuple(limitations_hit(c))) for i, c in enumerate(refused, len(found) + 1)]
    return found


def probes() -> list[Limitation]:
    """The limitations outside the dimensions, each checked by its own probe."""
    return [limitation for limitation in LIMITATIONS if limitation.probe is not None]


def probe_values(limitation: Limitation) -> dict[str, Any]:
    """A one-step chain plus the limitation's probe (its steps, if any, replace the chain's)."""
    values: dict[str, Any] = {"stepDefaults": {"image": BUSYBOX}, "steps": [{"name": "only", "script": "exit 3"}]}
    probe = dict(limitation.probe or {})
    for step in probe.pop("steps", []):
        values["steps"] = [{**values["steps"][0], **step}]
    _deep_merge(values, probe)
    return values


# --- docs/combinations.md


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]


def summary(found: list[Case] | None = None) -> str:
    found = cases() if found is None else found
    accepted = sum(1 for c in found if c.accepted)
    return (
        f"{len(found)} cases over {len(DIMENSIONS)} dimensions: {accepted} the chart must accept and the cluster run, "
        f"{len(found) - accepted} it must refuse"
    )


def document() -> str:
    found = cases()
    lines = [
        "# Feature combinations",
        "",
        "<!-- generated by `make docs` (python -m sequential_job.combinations) from "
        "src/sequential_job/combinations.py; "
        "tests/test_combinations.py fails when it is stale -->",
        "",
        "The chart's features, each proven on its own elsewhere, are combined here in pairs: every value of every "
        "dimension below meets every value of every other dimension in at least one case. The cases are generated "
        "(a greedy pairwise covering array, `src/sequential_job/pairwise.py`), not listed by hand, so a new value or "
        "dimension gets its pairs without anyone choosing them. Every case the chart must accept renders under Helm 4 "
        "and Helm 3 and passes strict validation at the oldest and newest Kubernetes the chart claims "
        "(`tests/test_combinations.py`, part of `make test`), and runs to its end on the embedded cluster "
        "(`tests/e2e/test_combinations.py`, part of `make e2e`); every other case must be refused by the chart, "
        "naming the limitation below.",
        "",
        f"**{summary(found)}.** (The full product of the dimensions would be {_product()} cases.)",
        "",
        "## Dimensions",
        "",
        *_table(
            ["dimension", "values"],
            [[f"`{d.name}`: {d.doc}", "; ".join(f"`{v.name}`: {v.doc}" for v in d.values)] for d in DIMENSIONS],
        ),
        "",
        "Each step of a case prints a marker the end-to-end test checks: a wrapped step that got its `args` as `$0 "
        "$1`, the script from `files` (its version), the page the sidecar served, a step's `$SHARD`, the step that "
        "read its own pod through the API with the ServiceAccount's token, and the file the first step handed the "
        "last through the `stepDefaults` mount.",
        "",
        "## Refused combinations",
        "",
        "The chart must refuse these before anything reaches a cluster, with an error that contains each of the texts "
        "given (the values' path first). Those that pair values of the dimensions above are checked by the cases "
        "that hold them; the others combine settings outside the dimensions, and each is checked by a one-step chain "
        "of its own (a probe). The end-to-end suite also shows most of them for real, the chart's refusal aside: "
        "what the cluster or Helm does with the combination.",
        "",
        *_table(
            ["combination", "the error contains", "why", "source", "checked by", "shown on the cluster"],
            [
                [
                    lim.combination,
                    ", ".join(f"`{t}`" for t in lim.error),
                    lim.reason,
                    f"[{_link_title(lim.link)}]({lim.link})",
                    ", ".join(f"`c{c.number:02d}`" for c in found if lim in c.refused_by) or "a probe",
                    lim.evidence or "-",
                ]
                for lim in LIMITATIONS
            ],
        ),
        "",
        "## Cases",
        "",
        *_table(
            ["case", *[d.name for d in DIMENSIONS], "expected"],
            [
                [
                    f"`c{c.number:02d}`",
                    *[c.choices[d.name] for d in DIMENSIONS],
                    "runs" if c.accepted else "refused: " + ", ".join(lim.key for lim in c.refused_by),
                ]
                for c in found
            ],
        ),
        "",
        "## Running it",
        "",
        "```sh",
        ".venv/bin/python -m pytest tests/test_combinations.py -n 2   # renders, validation, wiring",
        "VOLCANO=1 KUEUE=1 bash scripts/cluster/with-cluster.sh .venv/bin/python -m pytest \\",
        "  tests/e2e/test_combinations.py -n 3                          # on the embedded cluster",
        "```",
        "",
        "A test's id is the case's number and its values that are not their dimension's first, e.g. "
        f"`{max(found, key=lambda c: len(c.id)).id}`.",
        "",
    ]
    return "\n".join(lines)


def _product() -> int:
    total = 1
    for d in DIMENSIONS:
        total *= len(d.values)
    return total


def _link_title(link: str) -> str:
    if "github.com" in link:
        repo = link.split("github.com/", 1)[1].split("/")
        return f"{repo[0]}/{repo[1]}: {repo[-1].split('#')[0]}"
    return link.split("//", 1)[1].split("/", 1)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when docs/combinations.md is stale")
    parser.add_argument("--cases", action="store_true", help="print the cases as JSON, one per line")
    args = parser.parse_args()
    if args.cases:
        for case in cases():
            print(case.as_json())
        return 0
    text = document()
    if args.check:
        if not DOC.is_file() or DOC.read_text() != text:
            print(f"stale: {DOC.relative_to(ROOT)}: run `make docs`", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
    print(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
