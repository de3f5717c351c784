"""Bad values are stopped at render time, by values.schema.json or a template `fail`, with a message naming them."""

from pathlib import Path
from typing import Any

import pytest

from sequential_job.helm import install_args, lint_args, run_helm, template_args
from sequential_job.paths import SEED_VALUES
from sequential_job.render import render, render_error
from sequential_job.values import chain, fanout

SEED = SEED_VALUES
SIX = ["a", "b", "c", "d", "e", "f"]
EXIT_CODES_OF_TOW = {"containerName": "tow", "operator": "In", "values": [1]}
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
        'steps[1] (one): the name "one" is already used by steps[0] (one)',
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
        'steps[1] (two).volumeMounts[0]: mounts volume "inptu"',
        (),
    ),
    (
        "seed-mount-typo",
        {"stepOverrides": {"job-3": {"volumeMounts": [{"name": "outptu", "mountPath": "/srv/output/"}]}}},
        'stepOverrides.job-3.volumeMounts[0]: mounts volume "outptu"',
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
    (
        "volcano-min-available-2",
        {"volcano": {"enabled": True, "minAvailable": 2}},
        "volcano.minAvailable: 2 is more than the 1 pod the Volcano Job runs",
        (SEED,),
    ),
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
    # The JobSpec under job, and shards (fan-out): what the schema sees, then the combinations Kubernetes refuses.
    ("job-owned-selector", steps(job={"selector": {"matchLabels": {"a": "b"}}}), "'selector' not allowed", ()),
    ("job-owned-template", steps(job={"template": {}}), "'template' not allowed", ()),
    ("job-completion-mode-typo", steps(job={"completionMode": "indexed"}), "/job/completionMode", ()),
    ("job-negative-parallelism", steps(job={"parallelism": -1}), "/job/parallelism", ()),
    (
        "job-success-policy-typo",
        fanout(SIX, job={"successPolicy": {"rules": [{"succededCount": 1}]}}),
        "at '/job/successPolicy/rules/0': additional properties 'succededCount' not allowed",
        (),
    ),
    (
        "job-succeeded-indexes-syntax",
        fanout(SIX, job={"successPolicy": {"rules": [{"succeededIndexes": "0..2"}]}}),
        "/job/successPolicy/rules/0/succeededIndexes",
        (),
    ),
    ("shards-not-strings", steps(shards=[1, 2]), "/shards/0", ()),
    ("shards-as-one-string", steps(shards="a,b"), "/shards", ()),
    ("shards-max-bytes-negative", steps(shardsMaxBytes=-1), "/shardsMaxBytes", ()),
    (
        "backoff-limit-per-index-without-indexed",
        steps(job={"backoffLimitPerIndex": 1}),
        "job.backoffLimitPerIndex: works only in an Indexed Job",
        (),
    ),
    (
        "max-failed-indexes-without-per-index-limit",
        fanout(SIX, job={"maxFailedIndexes": 1}),
        "job.maxFailedIndexes: 1 needs job.backoffLimitPerIndex",
        (),
    ),
    (
        "max-failed-indexes-over-completions",
        fanout(SIX, job={"backoffLimitPerIndex": 0, "maxFailedIndexes": 7}),
        "job.maxFailedIndexes: 7 is more than the 6 completions",
        (),
    ),
    (
        "indexed-without-completions",
        steps(job={"completionMode": "Indexed"}),
        "job.completionMode: Indexed needs job.completions",
        (),
    ),
    (
        "indexed-parallelism-over-the-limit",
        steps(job={"completionMode": "Indexed", "completions": 2, "parallelism": 100001}),
        "job.parallelism: 100001 is more than the 100000 pods an Indexed Job may run at once",
        (),
    ),
    (
        "completions-contradict-shards",
        fanout(SIX, job={"completions": 5}),
        "job.completions: 5, but shards make one completion for each of their 6 entries",
        (),
    ),
    (
        "non-indexed-with-shards",
        fanout(SIX, job={"completionMode": "NonIndexed"}),
        "job.completionMode: NonIndexed contradicts shards",
        (),
    ),
    (
        "success-policy-without-indexed",
        steps(job={"successPolicy": {"rules": [{"succeededCount": 1}]}}),
        "job.successPolicy: works only in an Indexed Job",
        (),
    ),
    (
        "success-policy-without-rules",
        fanout(SIX, job={"successPolicy": {"rules": []}}),
        "job.successPolicy.rules: needs at least one rule",
        (),
    ),
    (
        "success-policy-empty-rule",
        fanout(SIX, job={"successPolicy": {"rules": [{}]}}),
        "job.successPolicy.rules[0]: sets neither succeededCount nor succeededIndexes",
        (),
    ),
    (
        "succeeded-index-out-of-range",
        fanout(SIX, job={"successPolicy": {"rules": [{"succeededIndexes": "0,6"}]}}),
        "job.successPolicy.rules[0].succeededIndexes: index 6 is out of range: the Job's indexes are 0 to 5",
        (),
    ),
    (
        "succeeded-indexes-out-of-order",
        fanout(SIX, job={"successPolicy": {"rules": [{"succeededIndexes": "3,1-2"}]}}),
        'job.successPolicy.rules[0].succeededIndexes: "3,1-2" is not in increasing order',
        (),
    ),
    (
        "succeeded-indexes-empty-range",
        fanout(SIX, job={"successPolicy": {"rules": [{"succeededIndexes": "0,2-2"}]}}),
        'job.successPolicy.rules[0].succeededIndexes: "0,2-2" is not in increasing order',
        (),
    ),
    (
        "succeeded-count-over-completions",
        fanout(SIX, job={"successPolicy": {"rules": [{"succeededCount": 7}]}}),
        "job.successPolicy.rules[0].succeededCount: 7 is more than the 6 completions",
        (),
    ),
    (
        "succeeded-count-over-named-indexes",
        fanout(SIX, job={"successPolicy": {"rules": [{"succeededIndexes": "0,4", "succeededCount": 3}]}}),
        "job.successPolicy.rules[0].succeededCount: 3 is more than the 2 indexes succeededIndexes names",
        (),
    ),
    (
        "pod-failure-policy-on-failure",
        steps(
            job={"podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "X"}]}]}},
            pod={"restartPolicy": "OnFailure"},
        ),
        "pod.restartPolicy: OnFailure cannot go with onExitCodes, job.podFailurePolicy or job.ignoreDisruptions",
        (),
    ),
    (
        "fail-index-without-per-index-limit",
        fanout(SIX, job={"podFailurePolicy": {"rules": [{"action": "FailIndex", "onPodConditions": [{"type": "X"}]}]}}),
        "job.podFailurePolicy.rules[0].action: FailIndex needs job.backoffLimitPerIndex",
        (),
    ),
    (
        "replacement-policy-with-failure-policy",
        steps(
            job={
                "podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "X"}]}]},
                "podReplacementPolicy": "TerminatingOrFailed",
            }
        ),
        "job.podReplacementPolicy: a pod failure policy (from onExitCodes, job.podFailurePolicy or "
        "job.ignoreDisruptions) needs Failed",
        (),
    ),
    (
        "failure-policy-unknown-step",
        steps(job={"podFailurePolicy": {"rules": [{"action": "Ignore", "onExitCodes": EXIT_CODES_OF_TOW}]}}),
        'job.podFailurePolicy.rules[0].onExitCodes.containerName: there is no step or sidecar named "tow"',
        (),
    ),
    (
        "shards-volume-name-taken",
        fanout(SIX, volumes=[{"name": "shards", "emptyDir": {}}]),
        'volumes[0]: the chart adds a volume named "shards" (for shards), so the values cannot declare one',
        (),
    ),
    (
        "step-mounts-over-the-shards",
        fanout(SIX, stepOverrides={"copy": {"volumeMounts": [{"name": "work", "mountPath": "/shards/"}]}}),
        'stepOverrides.copy.volumeMounts[0]: mounts volume "work" at /shards/, where the chart mounts the shards',
        (),
    ),
    (
        "volcano-parallelism",
        fanout(SIX, job={"parallelism": 2}, volcano={"enabled": True}),
        "job.parallelism: 2 has no effect on a Volcano Job",
        (),
    ),
    (
        "volcano-min-available-over-shards",
        fanout(SIX, volcano={"enabled": True, "minAvailable": 7}),
        "volcano.minAvailable: 7 is more than the 6 pods the Volcano Job runs (one per shard); at most 6",
        (),
    ),
    (
        "shards-over-the-budget",
        fanout([f"s3://bucket/day={i:06d}/part.parquet" for i in range(9000)]),
        "shards: 9000 shards are 342001 bytes as JSON, over shardsMaxBytes 327680",
        (),
    ),
    (
        "shards-over-a-configmap",
        fanout(["x" * 1000] * 1100, shardsMaxBytes=0),
        "shards: 1100 shards hold 1100000 bytes, more than the 1048576 (1 MiB) a ConfigMap may hold",
        (),
    ),
    (
        "shards-configmap-over-max-object-bytes",
        fanout(SIX * 100, shardsMaxBytes=0, pod={"maxObjectBytes": 8000}),
        "shards: 600 shards make a ConfigMap of about",
        (),
    ),
    (
        "unserialisable-shard",
        fanout(["ok", "bad\u0085"]),
        'shards[1]: contains the character "\\u0085", which YAML cannot carry',
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
        "stepOverrides.one.readinessProbe: steps 1..n-1 run as init containers",
        (),
    ),
    (
        "lifecycle-from-step-defaults",
        steps(
            {"name": "two", "image": "x:1"}, stepDefaults={"lifecycle": {"preStop": {"exec": {"command": ["true"]}}}}
        ),
        "stepDefaults.lifecycle (applied to steps[0] (one)): steps 1..n-1 run as init containers",
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
    # Beyond the chain: sidecars, step rules, results, the ServiceAccount and files.
    ("sidecar-typo", steps(sidecars=[{"name": "s", "image": "x:1", "befor": "one"}]), "'befor' not allowed", ()),
    (
        "sidecar-before-unknown-step",
        steps(sidecars=[{"name": "s", "image": "x:1", "before": "nine"}]),
        'sidecars[0] (s).before: there is no step named "nine"',
        (),
    ),
    (
        "sidecar-name-taken",
        steps(sidecars=[{"name": "one", "image": "x:1"}]),
        'sidecars[0] (one): the name "one" is already used',
        (),
    ),
    (
        "timeout-on-a-step-that-runs-its-entrypoint",
        steps({"name": "two", "image": "x:1", "args": ["9"], "timeoutSeconds": 5}),
        "steps[1] (two).timeoutSeconds: runs the step inside the chart's wrapper, and steps[1] (two) sets neither",
        (),
    ),
    (
        "on-error-typo",
        steps({"name": "two", "image": "x:1", "script": "ls", "onError": "ignore"}),
        "/steps/1/onError",
        (),
    ),
    (
        "exit-code-zero",
        steps({"name": "two", "image": "x:1", "onExitCodes": [{"action": "FailJob", "values": [0]}]}),
        "/steps/1/onExitCodes/0/values/0",
        (),
    ),
    (
        "exit-code-action",
        steps({"name": "two", "image": "x:1", "onExitCodes": [{"action": "Fail", "values": [3]}]}),
        "/steps/1/onExitCodes/0/action",
        (),
    ),
    (
        "exit-codes-with-on-failure",
        steps(
            {"name": "two", "image": "x:1", "onExitCodes": [{"action": "FailJob", "values": [3]}]},
            pod={"restartPolicy": "OnFailure"},
        ),
        "pod.restartPolicy: OnFailure cannot go with onExitCodes",
        (),
    ),
    (
        "exit-codes-in-volcano-mode",
        {
            "volcano": {"enabled": True},
            "stepOverrides": {"job-2": {"onExitCodes": [{"action": "FailJob", "values": [3]}]}},
        },
        "a Volcano Job has no pod failure policy; use volcano.policies",
        (SEED,),
    ),
    (
        "result-name",
        steps({"name": "two", "image": "x:1", "script": "ls", "results": ["my-result"]}),
        "/steps/1/results/0",
        (),
    ),
    (
        "from-step-later",
        steps(
            {"name": "two", "image": "x:1", "env": [{"name": "V", "fromStep": {"step": "three", "result": "R"}}]},
            {"name": "three", "image": "x:1", "script": "ls", "results": ["R"]},
        ),
        'steps[1] (two).env[0].fromStep: "three" is not a step that has finished when steps[1] (two) starts',
        (),
    ),
    (
        "from-step-undeclared-result",
        steps(
            {"name": "two", "image": "x:1", "script": "ls", "results": ["R"]},
            {"name": "three", "image": "x:1", "env": [{"name": "V", "fromStep": {"step": "two", "result": "S"}}]},
        ),
        'steps[2] (three).env[0].fromStep: step "two" declares no result "S" (its results: R)',
        (),
    ),
    (
        "from-step-typo",
        steps(stepDefaults={"env": [{"name": "V", "fromStep": {"stp": "one", "result": "R"}}]}),
        "at '/stepDefaults/env/0/fromStep': additional properties 'stp' not allowed",
        (),
    ),
    ("files-key", steps(files={"run script.sh": "ls"}), "at '/files': additional properties 'run script.sh'", ()),
    (
        "rbac-rule-typo",
        steps(serviceAccount={"create": True}, rbac={"rules": [{"verb": ["list"]}]}),
        "/rbac/rules/0",
        (),
    ),
    (
        "rbac-without-account",
        steps(rbac={"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]}),
        "rbac.rules: the Role needs a ServiceAccount",
        (),
    ),
    (
        "extra-object-without-kind",
        steps(extraObjects=[{"apiVersion": "v1", "metadata": {"name": "x"}}]),
        "/extraObjects/0",
        (),
    ),
    (
        "steps-volume-taken",
        steps(
            {"name": "two", "image": "x:1", "script": "ls", "onError": "continue"},
            volumes=[{"name": "steps", "emptyDir": {}}],
        ),
        'volumes[0]: the chart adds a volume named "steps"',
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
    # Values the API server or Linux refuses, which rendered with exit 0 before the chart checked them.
    (
        "nul-byte-in-a-script",
        steps({"name": "two", "image": "x:1", "script": "echo a\x00b"}),
        'steps[1].script: contains the character "\\x00", which no process can take in an argument',
        (),
    ),
    (
        "script-longer-than-one-argument",
        steps({"name": "two", "image": "x:1", "script": "#" * 131072}),
        "steps[1] (two).script: 131072 bytes as one argument of the step's process, more than the 131071 Linux allows",
        (),
    ),
    (
        "wrapped-script-longer-than-one-argument",
        steps({"name": "two", "image": "x:1", "script": "#" * 131072, "timeoutSeconds": 5}),
        "steps[1] (two).script: 131072 bytes as one argument",
        (),
    ),
    (
        "env-longer-than-one-environment-string",
        steps(stepDefaults={"env": [{"name": "BIG", "value": "x" * 131068}]}),
        "stepDefaults.env[0] (applied to steps[0] (one)): the variable is 131072 bytes",
        (),
    ),
    (
        "failure-policy-names-a-sidecar-that-is-not-there",
        steps(
            sidecars=[{"name": "sc", "image": "x:1"}],
            job={"podFailurePolicy": {"rules": [{"action": "Ignore", "onExitCodes": EXIT_CODES_OF_TOW}]}},
        ),
        'there is no step or sidecar named "tow" (steps and sidecars: one, sc)',
        (),
    ),
]

# Every case under Helm 4; under Helm 3, every fourth, spread over the list. Both helms validate values with the same
# JSON Schema library and run the same template functions, so the sample shows Helm 3 names what Helm 4 names, and the
# suite stays fast (each case is a helm process).
HELM_CASES = [(h, case) for i, case in enumerate(CASES) for h in ("helm", "helm3") if h == "helm" or i % 4 == 0]


@pytest.mark.parametrize("helm, case", HELM_CASES, ids=[f"{h}-{c[0]}" for h, c in HELM_CASES])
def test_bad_input_is_named(helm: str, case: tuple) -> None:
    case_id, values, message, base = case
    run = render_error(base, values, helm=helm)
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
        'steps[1] (one): the name "one" is already used by steps[0] (one)',
        "steps[2] (two): has no image",
    ]
    missing = [e for e in expected if e not in run.stderr]
    assert missing == [], f"not reported: {missing}\n{run.describe()}"


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\t", "\x1b", "é", "😀", "\u00a0"])
def test_unusual_characters_that_yaml_carries_render_unchanged(character: str, helm_name: str) -> None:
    """On one line and on several (where YAML's block scalars read U+2028 and U+2029 as line breaks), in a script, an
    env value, a shard and a file."""
    for value in (f"a{character}b", f"a{character}b\nc\n"):
        values = {
            "steps": [{**OK_STEP, "script": value}],
            "stepDefaults": {"env": [{"name": "V", "value": value}]},
            "shards": [value],
            "files": {"f": value},
        }
        manifest = render(values=values, helm=helm_name)
        container = manifest.steps()[0].container
        data = {o["metadata"]["name"]: o["data"] for o in manifest.of_kind("v1", "ConfigMap")}
        shards, files = (data[manifest.volumes()[v]["configMap"]["name"]] for v in ("shards", "files"))
        got = {"script": container["command"][2], "env": container["env"][0]["value"], "shard": shards["0"]}
        got["file"] = files["f"]
        assert got["env"] == got["shard"] == got["file"] == value, f"{value!r} rendered as {got}"
        assert got["script"].endswith(f"\n{value}"), f"script {value!r} rendered as {got['script']!r}"


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
    files = [SEED, typo]
    args = {
        "template": template_args(files, release="x"),
        "lint": lint_args(files),
        "install": install_args("x", files, flags=["--dry-run=client"]),
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
