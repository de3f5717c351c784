"""Bad values are stopped at render time, by values.schema.json or a template `fail`, with a message naming them."""

from pathlib import Path
from typing import Any

import pytest

from sequential_job.helm import run_helm
from sequential_job.paths import CHART, VALUES_DIR
from sequential_job.render import render, render_error
from sequential_job.values import chain

SEED = VALUES_DIR / "seed.yaml"
OK_STEP = {"name": "one", "image": "alpine:3.11", "script": "true"}


def steps(*extra: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"steps": [OK_STEP, *extra], **top}


# (case id, values layered on the given base files, text helm's error must contain, base files)
CASES: list[tuple[str, dict[str, Any], str, tuple]] = [
    ("seed-typo-at-pod", {"pod": {"activeDeadlinesSeconds": 60}}, "activeDeadlinesSeconds", (SEED,)),
    ("seed-typo-at-job", {"job": {"activeDeadlinesSeconds": 60}}, "activeDeadlinesSeconds", (SEED,)),
    ("unknown-top-level-key", steps(step=[]), "'step' not allowed", ()),
    ("no-steps", {"steps": []}, "at '/steps': minItems", ()),
    ("steps-as-map", {"steps": {"name": "one"}}, "at '/steps'", ()),
    ("step-without-name", {"steps": [{"image": "alpine:3.11"}]}, "missing property 'name'", ()),
    ("step-name-uppercase", {"steps": [{"name": "Job1", "image": "alpine:3.11"}]}, "Job1", ()),
    ("step-name-too-long", {"steps": [{"name": "a" * 64, "image": "x:1"}]}, "/steps/0/name", ()),
    ("unknown-step-field", steps({"name": "two", "image": "x:1", "cmd": ["ls"]}), "'cmd' not allowed", ()),
    (
        "duplicate-step-name",
        steps({"name": "one", "image": "x:1"}),
        'steps[1] (one): step name "one" is already used by steps[0]',
        (),
    ),
    (
        "script-and-command",
        steps({"name": "two", "image": "x:1", "script": "ls", "command": ["ls"]}),
        "steps[1] (two): sets both script and command",
        (),
    ),
    ("no-image-no-default", steps({"name": "two", "script": "ls"}), "steps[1] (two): has no image", ()),
    (
        "mount-undeclared-volume",
        steps({"name": "two", "image": "x:1", "volumeMounts": [{"name": "inptu", "mountPath": "/in"}]}),
        'steps[1] (two): volumeMounts[0] mounts volume "inptu"',
        (),
    ),
    (
        "seed-mount-typo",
        {"stepOverrides": {"job-3": {"volumeMounts": [{"name": "outptu", "mountPath": "/srv/output/"}]}}},
        'steps[2] (job-3): volumeMounts[0] mounts volume "outptu"',
        (SEED,),
    ),
    (
        "default-mount-undeclared",
        steps(stepDefaults={"volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}),
        'stepDefaults.volumeMounts[0]: mounts volume "tmp"',
        (),
    ),
    (
        "override-unknown-step",
        {"stepOverrides": {"job-4": {"image": "x:1"}}},
        'stepOverrides.job-4: there is no step named "job-4"',
        (SEED,),
    ),
    ("override-renames-step", {"stepOverrides": {"job-2": {"name": "other"}}}, "'name' not allowed", (SEED,)),
    (
        "override-unknown-field",
        {"stepOverrides": {"job-2": {"requests": {"cpu": 1}}}},
        "'requests' not allowed",
        (SEED,),
    ),
    (
        "override-adds-command-to-script",
        {"stepOverrides": {"job-2": {"command": ["ls"]}}},
        "steps[1] (job-2): sets both script and command",
        (SEED,),
    ),
    ("bad-restart-policy", steps(pod={"restartPolicy": "Always"}), "/pod/restartPolicy", ()),
    (
        "bad-pull-policy",
        steps({"name": "two", "image": "x:1", "imagePullPolicy": "Sometimes"}),
        "/steps/1/imagePullPolicy",
        (),
    ),
    ("negative-backoff", steps(job={"backoffLimit": -1}), "/job/backoffLimit", ()),
    ("string-deadline", steps(pod={"activeDeadlineSeconds": "60s"}), "/pod/activeDeadlineSeconds", ()),
    (
        "bad-cpu-quantity",
        steps({"name": "two", "image": "x:1", "resources": {"requests": {"cpu": "3 cores"}}}),
        "/steps/1/resources/requests/cpu",
        (),
    ),
    (
        "resources-typo",
        steps({"name": "two", "image": "x:1", "resources": {"request": {"cpu": 1}}}),
        "'request' not allowed",
        (),
    ),
    (
        "security-context-typo",
        steps({"name": "two", "image": "x:1", "securityContext": {"runAsUsr": 1}}),
        "'runAsUsr' not allowed",
        (),
    ),
    ("volume-without-name", steps(volumes=[{"emptyDir": {}}]), "/volumes/0", ()),
    ("volcano-typo", {"volcano": {"enabled": True, "queu": "x"}}, "'queu' not allowed", (SEED,)),
    ("volcano-min-available-2", {"volcano": {"enabled": True, "minAvailable": 2}}, "/volcano/minAvailable", (SEED,)),
    (
        "volcano-bad-policy-action",
        {"volcano": {"enabled": True, "policies": [{"event": "PodFailed", "action": "Explode"}]}},
        "/volcano/policies/0/action",
        (SEED,),
    ),
    ("env-without-name", steps({"name": "two", "image": "x:1", "env": [{"value": "x"}]}), "/steps/1/env/0", ()),
    (
        "pod-over-max-object-bytes",
        steps({"name": "two", "image": "x:1"}, pod={"maxObjectBytes": 10000}),
        "steps: 2 steps make a pod of about",
        (),
    ),
    ("max-object-bytes-negative", steps(pod={"maxObjectBytes": -1}), "/pod/maxObjectBytes", ()),
    # Inside pass-through Kubernetes fields, at depth 2 and more: the generated schema names the full path.
    (
        "pod-topology-spread-typo",
        steps(pod={"topologySpreadConstraints": [{"maxSkw": 1, "topologyKey": "zone", "whenUnsatisfiable": "x"}]}),
        "at '/pod/topologySpreadConstraints/0': additional properties 'maxSkw' not allowed",
        (),
    ),
    (
        "step-capabilities-typo",
        steps({"name": "two", "image": "x:1", "securityContext": {"capabilities": {"drp": ["ALL"]}}}),
        "at '/steps/1/securityContext/capabilities': additional properties 'drp' not allowed",
        (),
    ),
    (
        "default-resources-typo",
        steps(stepDefaults={"resources": {"limts": {"cpu": 1}}}),
        "at '/stepDefaults/resources': additional properties 'limts' not allowed",
        (),
    ),
    (
        "override-secret-key-ref-typo",
        {"stepOverrides": {"job-2": {"env": [{"name": "T", "valueFrom": {"secretKeyRf": {"name": "s", "key": "k"}}}]}}},
        "at '/stepOverrides/job-2/env/0/valueFrom': additional properties 'secretKeyRf' not allowed",
        (SEED,),
    ),
    (
        "node-affinity-operator-typo",
        steps(
            pod={
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operatr": "In"}]}]
                        }
                    }
                }
            }
        ),
        "at '/pod/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/"
        "matchExpressions/0': additional properties 'operatr' not allowed",
        (),
    ),
    (
        "port-typo",
        steps({"name": "two", "image": "x:1", "ports": [{"containerPrt": 80}]}),
        "at '/steps/1/ports/0': additional properties 'containerPrt' not allowed",
        (),
    ),
    (
        "probe-http-get-typo",
        steps({"name": "two", "image": "x:1", "livenessProbe": {"httpGet": {"prt": 80}}}),
        "at '/steps/1/livenessProbe/httpGet': additional properties 'prt' not allowed",
        (),
    ),
    (
        "lifecycle-exec-typo",
        steps({"name": "two", "image": "x:1", "lifecycle": {"preStop": {"exec": {"comand": ["true"]}}}}),
        "at '/steps/1/lifecycle/preStop/exec': additional properties 'comand' not allowed",
        (),
    ),
    (
        "dns-nameservers-not-a-list",
        steps(pod={"dnsConfig": {"nameservers": "1.1.1.1"}}),
        "/pod/dnsConfig/nameservers",
        (),
    ),
    (
        "empty-dir-size-typo",
        steps(volumes=[{"name": "v", "emptyDir": {"sizeLimt": "1Gi"}}]),
        "at '/volumes/0/emptyDir': additional properties 'sizeLimt' not allowed",
        (),
    ),
    (
        "toleration-effect-typo",
        steps(pod={"tolerations": [{"key": "k", "efect": "NoSchedule"}]}),
        "at '/pod/tolerations/0': additional properties 'efect' not allowed",
        (),
    ),
    (
        "default-field-ref-typo",
        steps(stepDefaults={"env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPth": "metadata.name"}}}]}),
        "at '/stepDefaults/env/0/valueFrom/fieldRef': additional properties 'fieldPth' not allowed",
        (),
    ),
    (
        "pod-seccomp-typo",
        steps(pod={"securityContext": {"seccompProfile": {"typ": "RuntimeDefault"}}}),
        "at '/pod/securityContext/seccompProfile': additional properties 'typ' not allowed",
        (),
    ),
    (
        "host-alias-typo",
        steps(pod={"hostAliases": [{"ip": "10.0.0.1", "hostnams": ["a"]}]}),
        "at '/pod/hostAliases/0': additional properties 'hostnams' not allowed",
        (),
    ),
    (
        "limits-quantity",
        steps({"name": "two", "image": "x:1", "resources": {"limits": {"memory": "1 GB"}}}),
        "/steps/1/resources/limits/memory",
        (),
    ),
    (
        "termination-policy",
        steps(stepDefaults={"terminationMessagePolicy": "Logs"}),
        "/stepDefaults/terminationMessagePolicy",
        (),
    ),
    # Platforms: job.nameSuffix, schedule and cronJob, kueue, hook.
    ("name-suffix-unknown", steps(job={"nameSuffix": "date"}), "/job/nameSuffix", ()),
    ("schedule-six-fields", steps(schedule="0 0 3 * * *"), "/schedule", ()),
    ("schedule-time-zone-prefix", steps(schedule="TZ=UTC 0 3 * * *"), "/schedule", ()),
    ("cronjob-policy-typo", steps(schedule="@daily", cronJob={"concurrencyPolicy": "Never"}), "/cronJob", ()),
    ("cronjob-unknown-field", steps(schedule="@daily", cronJob={"jobTemplate": {}}), "'jobTemplate' not allowed", ()),
    ("cronjob-negative-history", steps(schedule="@daily", cronJob={"failedJobsHistoryLimit": -1}), "/cronJob", ()),
    ("kueue-queue-not-a-label", steps(kueue={"queueName": "team a"}), "/kueue/queueName", ()),
    ("kueue-typo", steps(kueue={"queue": "a"}), "'queue' not allowed", ()),
    ("hook-event-typo", steps(hook={"enabled": True, "events": ["pre-instal"]}), "/hook/events/0", ()),
    ("hook-no-events", steps(hook={"enabled": True, "events": []}), "/hook/events", ()),
    ("hook-delete-policy-typo", steps(hook={"deletePolicy": ["on-success"]}), "/hook/deletePolicy/0", ()),
    (
        "kueue-with-volcano",
        steps(kueue={"queueName": "q"}, volcano={"enabled": True}),
        "kueue.queueName: Kueue queues batch/v1 Jobs",
        (),
    ),
    (
        "kueue-priority-with-volcano",
        steps(kueue={"priorityClass": "p"}, volcano={"enabled": True}),
        "kueue.priorityClass: Kueue queues batch/v1 Jobs",
        (),
    ),
    (
        "hook-with-volcano",
        steps(hook={"enabled": True}, volcano={"enabled": True}),
        "hook.enabled: Helm waits only for batch/v1 Job (and Pod) hooks",
        (),
    ),
    (
        "hook-with-schedule",
        steps(hook={"enabled": True}, schedule="@daily"),
        'hook.enabled: a hook runs once at a release event, a CronJob (schedule "@daily")',
        (),
    ),
    (
        "name-suffix-with-schedule",
        steps(job={"nameSuffix": "hash"}, schedule="@daily"),
        "job.nameSuffix: hash has no effect with schedule",
        (),
    ),
    (
        "cronjob-setting-without-schedule",
        steps(cronJob={"timeZone": "UTC"}),
        "cronJob.timeZone: applies only to a CronJob; set schedule",
        (),
    ),
    # Template checks that only the rendered chain can answer.
    (
        "probe-on-an-init-step",
        steps(
            {"name": "two", "image": "x:1"}, stepOverrides={"one": {"readinessProbe": {"exec": {"command": ["true"]}}}}
        ),
        "steps[0] (one).readinessProbe: steps 1..n-1 run as init containers",
        (),
    ),
    (
        "lifecycle-from-step-defaults",
        steps(
            {"name": "two", "image": "x:1"}, stepDefaults={"lifecycle": {"preStop": {"exec": {"command": ["true"]}}}}
        ),
        "steps[0] (one).lifecycle: steps 1..n-1 run as init containers",
        (),
    ),
    (
        "restart-always",
        steps({"name": "two", "image": "x:1", "restartPolicy": "Always"}),
        "steps[1] (two).restartPolicy: Always would never let the step finish",
        (),
    ),
    (
        "unserialisable-env-value",
        steps({"name": "two", "image": "x:1", "env": [{"name": "V", "value": "a\ufffeb"}]}),
        'steps[1].env[0].value: contains the character "\\ufffe", which YAML cannot carry',
        (),
    ),
    (
        "unserialisable-label-key",
        steps(pod={"labels": {"team\u0085": "a"}}),
        'pod.labels["team\\u0085"]: the key contains the character "\\u0085"',
        (),
    ),
    (
        "mount-without-path",
        steps(
            {"name": "two", "image": "x:1", "volumeMounts": [{"name": "v"}]}, volumes=[{"name": "v", "emptyDir": {}}]
        ),
        "missing property 'mountPath'",
        (),
    ),
]


@pytest.mark.parametrize("case_id, values, message, base", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_named(case_id: str, values: dict, message: str, base: tuple, helm_name: str) -> None:
    run = render_error(base, values, helm=helm_name)
    assert message in run.stderr, f"{case_id}: expected {message!r} in helm's error\n{run.describe()}"


def test_there_are_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20


def test_every_template_problem_is_reported_at_once(helm_name: str) -> None:
    """A values file with three problems only the templates can see fails once, naming all three."""
    values = steps(
        {"name": "one", "image": "x:1"},
        {"name": "two", "script": "ls"},
        stepOverrides={"three": {"image": "x:1"}},
    )
    run = render_error(values=values, helm=helm_name)
    expected = [
        "3 problems in the values:",
        'stepOverrides.three: there is no step named "three"',
        'steps[1] (one): step name "one" is already used by steps[0]',
        "steps[2] (two): has no image",
    ]
    missing = [e for e in expected if e not in run.stderr]
    assert missing == [], f"not reported: {missing}\n{run.describe()}"


@pytest.mark.parametrize("character", ["\u2028", "\t", "\x1b", "é", "😀", "\u00a0"])
def test_unusual_characters_that_yaml_carries_render_unchanged(character: str, helm_name: str) -> None:
    value = f"a{character}b"
    manifest = render(
        values={"steps": [OK_STEP], "stepDefaults": {"env": [{"name": "V", "value": value}]}}, helm=helm_name
    )
    got = manifest.steps()[0].container["env"][0]["value"]
    assert got == value, f"env value {value!r} rendered as {got!r}"


# `helm install --dry-run=client` renders offline under Helm 4; Helm 3 still asks the cluster for its version first,
# so Helm 3's install is checked against a real API server by the end-to-end suite, not here.
TYPO_COMMANDS = [
    (h, c) for h in ("helm", "helm3") for c in ("template", "lint", "install") if (h, c) != ("helm3", "install")
]


@pytest.mark.parametrize("level", ["job", "pod"])
@pytest.mark.parametrize("helm, command", TYPO_COMMANDS, ids=[f"{h}-{c}" for h, c in TYPO_COMMANDS])
def test_seed_typo_stops_every_command(level: str, helm: str, command: str, tmp_path: Path) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text(f"{level}:\n  activeDeadlinesSeconds: 60\n")
    files = ["-f", str(SEED), "-f", str(typo)]
    args = {
        "template": ["template", "x", str(CHART), *files],
        "lint": ["lint", "--strict", str(CHART), *files],
        "install": ["install", "x", str(CHART), "--dry-run=client", *files],
    }[command]
    run = run_helm(helm, *args, check=False)
    output = run.stdout + run.stderr
    assert run.returncode != 0, f"`{helm} {command}` accepted {level}.activeDeadlinesSeconds:\n{output}"
    assert "activeDeadlinesSeconds" in output and f"/{level}" in output, (
        f"`{helm} {command}` does not name {level}.activeDeadlinesSeconds:\n{output}"
    )


def big_chain(n: int, script_bytes: int) -> dict[str, Any]:
    values = chain(n)
    for step in values["steps"]:
        step["script"] += " # " + "x" * script_bytes
    return values


def test_a_chain_too_big_for_etcd_names_its_steps_and_the_limit(helm_name: str) -> None:
    """200 steps of 8 KiB scripts make a pod of about 1.8 MB: it would start, but outgrow etcd's 1.5 MiB as it runs."""
    run = render_error(values=big_chain(200, 8192), helm=helm_name)
    for expected in ("steps: 200 steps make a pod of about", "over pod.maxObjectBytes 1572864", "steps like these fit"):
        assert expected in run.stderr, f"expected {expected!r} in helm's error\n{run.describe()}"
    fit = int(run.stderr.split("About ")[1].split(" steps like these fit")[0])
    assert 150 <= fit < 200, f"about {fit} of these 8 KiB steps should fit in 1.5 MiB\n{run.describe()}"


def test_max_object_bytes_zero_turns_the_size_check_off(helm_name: str) -> None:
    """The two steps that pod.maxObjectBytes 10000 refuses (a case above) render with 0."""
    manifest = render(values=steps({"name": "two", "image": "x:1"}, pod={"maxObjectBytes": 0}), helm=helm_name)
    assert manifest.step_names() == ["one", "two"]
