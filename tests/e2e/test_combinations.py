"""The pairwise feature matrix on a real cluster (sequential_job.combinations, docs/combinations.md): every case the
chart must accept passes the API server's own validation (a server-side dry run, which checks what an OpenAPI schema
cannot: mount paths unique in a container, ...), and is installed and runs to its end, every step printing its
marker. How a case runs depends on its workload:

- a Job or a Volcano Job: `helm install`, then the workload completes;
- a hook: `helm install` and then `helm upgrade` with a new version of the files, each holding the release until the
  hook Job completed, which ran the version of the files of its own revision;
- a CronJob: `helm install`, then `kubectl create job --from=cronjob/<name>` (its schedule never comes);
- a Volcano CronJob: `helm install`, then a Volcano Job made from its jobTemplate through the API (kubectl's
  `create job --from` knows only batch/v1 CronJobs, and Volcano has no equivalent);
- job.nameSuffix hash, besides: `helm template | kubectl apply` twice, the second time "unchanged", then, when the
  case has files, once more with their content changed, which creates a new Job that runs the new files.

A case with Kueue submits to a LocalQueue of its namespace (tests/e2e/test_kueue.py's). Cases alternate between Helm 4
(odd numbers) and Helm 3 (even ones).

The limitations the chart refuses are shown for real too (`test_limitation_is_real`): what the API server, Helm or
Kueue does with the combination, on objects the chart renders for an accepted neighbour, changed by hand.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from e2e.cluster import helm, install, jobs, kubectl, logs, pods, vcjob_phase, vcjobs, wait_finished
from e2e.conftest import delete_namespace, new_namespace
from kubectl_sequential_job.chain import pod_index, selector, summarise, workload_of
from kubectl_sequential_job.cluster import Cluster
from kubectl_sequential_job.logs import print_pod
from sequential_job import combinations as matrix
from sequential_job.helm import run_helm, template_args
from sequential_job.manifest import VOLCANO_JOB
from sequential_job.render import render, values_yaml

ACCEPTED = [c for c in matrix.cases() if c.accepted]
IDS = [c.id for c in ACCEPTED]
FINISH_TIMEOUT = 180  # seconds: a case's chain takes 10 to 40 s here
HOOK_TIMEOUT = "150s"  # helm's --timeout for a hook (its default, 5 minutes, only makes a broken case slower)
VOLCANO_CRONJOBS = ("batch.volcano.sh", "v1alpha1", "cronjobs")
NOISE = {"MissingClusterDNS"}  # warnings every pod of the embedded cluster gets (it runs no DNS)


def helm_for(case: matrix.Case) -> str:
    return "helm" if case.number % 2 else "helm3"


@pytest.fixture(scope="module")
def dry_run_namespace() -> Iterator[str]:
    name = new_namespace("matrix-dry-run")
    yield name
    delete_namespace(name)


@pytest.mark.parametrize("case", ACCEPTED, ids=IDS)
def test_case_passes_the_api_servers_validation(case: matrix.Case, dry_run_namespace: str) -> None:
    objects = render(values=case.values(), namespace=dry_run_namespace).objects
    manifest = "\n---\n".join(yaml.safe_dump(o) for o in objects)
    result = kubectl(
        "apply", "-n", dry_run_namespace, "--dry-run=server", "--validate=strict", "-f", "-", stdin=manifest
    )
    assert result.returncode == 0, f"the API server refused it:\n{result.stderr}"


@pytest.mark.parametrize("case", ACCEPTED, ids=IDS)
def test_case_runs_to_its_end(case: matrix.Case, namespace: str, request: pytest.FixtureRequest) -> None:
    if case.has("kueue", "queue"):
        queue, _ = request.getfixturevalue("local_queue")
        assert queue == matrix.QUEUE, f"the Kueue cases submit to {matrix.QUEUE}, the LocalQueue is {queue}"
    RUNS[case.kind](case, namespace)
    if case.has("nameSuffix", "hash"):
        template_and_apply_twice(case, namespace)


# --- How each kind of workload runs


def run_installed(case: matrix.Case, namespace: str) -> None:
    install(helm_for(case), case.release, namespace, values=case.values())
    check_finished(case, namespace, case.release)


def run_hook(case: matrix.Case, namespace: str) -> None:
    for command, version in (("install", 1), ("upgrade", 2)):
        run = install(
            helm_for(case),
            case.release,
            namespace,
            values=case.values(files_version=version),
            command=command,
            check=False,
            extra_args=["--timeout", HOOK_TIMEOUT],
        )
        assert run.returncode == 0, f"helm {command}: {run.describe()}\n{report(namespace, case.release)}"
        check_finished(case, namespace, case.release, files_version=version)


def run_cronjob(case: matrix.Case, namespace: str) -> None:
    install(helm_for(case), case.release, namespace, values=case.values())
    (cron,) = client.BatchV1Api().list_namespaced_cron_job(namespace, label_selector=selector(case.release)).items
    created = kubectl("create", "job", "-n", namespace, f"--from=cronjob/{cron.metadata.name}", f"{case.release}-run")
    assert created.returncode == 0, created.stderr
    check_finished(case, namespace, case.release)


def run_volcano_cronjob(case: matrix.Case, namespace: str) -> None:
    install(helm_for(case), case.release, namespace, values=case.values())
    api = client.CustomObjectsApi()
    (cron,) = api.list_namespaced_custom_object(
        *VOLCANO_CRONJOBS[:2], namespace, VOLCANO_CRONJOBS[2], label_selector=selector(case.release)
    )["items"]
    template = cron["spec"]["jobTemplate"]
    metadata = {**template.get("metadata", {}), "name": f"{case.release}-run"}
    job = {"apiVersion": VOLCANO_JOB[0], "kind": VOLCANO_JOB[1], "metadata": metadata, "spec": template["spec"]}
    api.create_namespaced_custom_object("batch.volcano.sh", "v1alpha1", namespace, "jobs", job)
    check_finished(case, namespace, case.release)


RUNS = {
    "job": run_installed,
    "volcano-job": run_installed,
    "hook": run_hook,
    "cronjob": run_cronjob,
    "volcano-cronjob": run_volcano_cronjob,
}


def template_and_apply(case: matrix.Case, namespace: str, release: str, files_version: int) -> str:
    """`helm template | kubectl apply -f -`, as Argo CD and Kustomize deploy; kubectl's output."""
    args = template_args(stdin=True, release=release, namespace=namespace)
    manifest = run_helm("helm", *args, stdin=values_yaml(case.values(files_version=files_version))).stdout
    applied = kubectl("apply", "-n", namespace, "-f", "-", stdin=manifest)
    assert applied.returncode == 0, f"kubectl apply: {applied.stdout}{applied.stderr}"
    return applied.stdout


def template_and_apply_twice(case: matrix.Case, namespace: str) -> None:
    """job.nameSuffix hash: an unchanged chain applied again is the same Job, left alone; changed files are a new Job
    that runs them."""
    release = f"{case.release}a"  # beside the installed release, whose objects Helm owns
    template_and_apply(case, namespace, release, 1)
    (first,) = workload_names(namespace, release)
    check_finished(case, namespace, release)
    again = template_and_apply(case, namespace, release, 1)
    assert any(line.endswith(f"/{first} unchanged") for line in again.splitlines()), again
    assert workload_names(namespace, release) == [first], "re-applying an unchanged chain made another Job"
    if case.has("files", "script"):
        changed = template_and_apply(case, namespace, release, 2)
        names = workload_names(namespace, release)
        assert len(names) == 2 and first in names, (
            f"after changing the files' content, the Jobs are {names}: the chain with the new files did not become "
            f"a new Job, so it never runs (kubectl apply: {changed.strip()})"
        )
        check_finished(case, namespace, release, files_version=2)


def workload_names(namespace: str, release: str) -> list[str]:
    jobs = client.BatchV1Api().list_namespaced_job(namespace, label_selector=selector(release)).items
    return [j.metadata.name for j in jobs] + [j["metadata"]["name"] for j in vcjobs(namespace, release)]


# --- What a finished case must show


def check_finished(case: matrix.Case, namespace: str, release: str, files_version: int = 1) -> None:
    """The release's newest workload completed, one pod a shard, and every step of every pod printed its markers."""
    outcome = wait_finished(namespace, release, timeout=FINISH_TIMEOUT)
    assert outcome == "completed", f"the workload {outcome}:\n{report(namespace, release)}"
    found = pods(namespace, release)
    newest = workload_of(found[-1])
    found = [p for p in found if workload_of(p) == newest and p.status.phase == "Succeeded"]
    sharded = case.has("shards", "few")
    assert len(found) == (len(matrix.SHARDS) if sharded else 1), f"succeeded pods of {newest}: {len(found)}"
    missing = []
    for pod in found:
        shard = matrix.SHARDS[pod_index(pod)] if sharded else ""
        for step, lines in case.markers(shard, files_version).items():
            printed = logs(pod, step).splitlines()
            missing += [f"{pod.metadata.name} {step}: {line!r}" for line in lines if line not in printed]
    assert missing == [], "steps that did not print their marker:\n" + "\n".join(missing) + report(namespace, release)
    if sharded:
        shown = step_logs(release, namespace)
        expected = [f"index {i} {shard!r}: Succeeded" for i, shard in enumerate(matrix.SHARDS)]
        absent = [line for line in expected if line not in shown]
        assert absent == [], f"kubectl sequential-job logs does not show each index's shard {absent}:\n{shown}"


def step_logs(release: str, namespace: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "kubectl_sequential_job", "logs", release, "-n", namespace],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    return proc.stdout + proc.stderr


def report(namespace: str, release: str) -> str:
    """What a failed case's pods did (the kubectl plugin's view), and the namespace's warning events."""
    out = io.StringIO()
    core = client.CoreV1Api()
    cluster = Cluster.of(None)
    for pod in pods(namespace, release):
        print_pod(cluster, pod, out=out)
    print(summarise(cluster.workloads(namespace, release))[1], file=out)
    warnings: list[Any] = [
        e
        for e in core.list_namespaced_event(namespace).items
        if e.type == "Warning" and e.reason not in NOISE and e.involved_object.kind != "PodGroup"
    ]
    for event in warnings:
        print(f"event {event.involved_object.kind}/{event.involved_object.name}: {event.message}", file=out)
    return "\n" + out.getvalue()


# --- The limitations are real


def one_step(script: str = "true", step: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
    """Values of a one-step chain: the step runs `script` and has the keys of `step`; `values` are added."""
    only = {"name": "only", "script": script, **(step or {})}
    return {"stepDefaults": {"image": matrix.BUSYBOX}, "steps": [only], **values}


def dry_run(namespace: str, *objects: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    manifest = "\n---\n".join(yaml.safe_dump(o) for o in objects)
    return kubectl("apply", "-n", namespace, "--dry-run=server", "--validate=strict", "-f", "-", stdin=manifest)


def second_mount_at_steps(namespace: str, tmp_path: Path) -> None:
    manifest = render(values=one_step(step={"timeoutSeconds": 60}), namespace=namespace)
    pod = manifest.pod_spec()
    assert {"name": "steps", "mountPath": "/steps"} in pod["containers"][0]["volumeMounts"], "no wrapped step?"
    pod["volumes"].append({"name": "mine", "emptyDir": {}})
    pod["containers"][0]["volumeMounts"].append({"name": "mine", "mountPath": "/steps"})
    refused = dry_run(namespace, manifest.workload())
    assert refused.returncode != 0 and "must be unique" in refused.stderr, refused.stdout + refused.stderr


def pod_failure_policy_on_failure(namespace: str, tmp_path: Path) -> None:
    manifest = render(values=one_step(job={"ignoreDisruptions": True}), namespace=namespace)
    assert dry_run(namespace, manifest.workload()).returncode == 0, "the Job with restartPolicy Never is refused"
    manifest.pod_spec()["restartPolicy"] = "OnFailure"
    refused = dry_run(namespace, manifest.workload())
    expected = 'only "Never" is supported when podFailurePolicy is specified'
    assert refused.returncode != 0 and expected in refused.stderr, refused.stdout + refused.stderr


def volcano_pod_failure_policy(namespace: str, tmp_path: Path) -> None:
    job = render(values=one_step(volcano={"enabled": True}), namespace=namespace).workload()
    job["spec"]["podFailurePolicy"] = {
        "rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [3]}}]
    }
    refused = dry_run(namespace, job)
    assert refused.returncode != 0 and 'unknown field "spec.podFailurePolicy"' in refused.stderr, refused.stderr


def hook_chart(tmp_path: Path, obj: dict[str, Any]) -> Path:
    """A chart of one object, made a pre-install hook."""
    chart = tmp_path / "hook-chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: hook-chart\nversion: 0.1.0\n")
    obj["metadata"].setdefault("annotations", {})["helm.sh/hook"] = "pre-install"
    (chart / "templates" / "hook.yaml").write_text(yaml.safe_dump(obj))
    return chart


def volcano_hook_is_not_waited_for(namespace: str, tmp_path: Path) -> None:
    """Helm 4 counts a hook of a kind other than batch/v1 Job or Pod ready once created, so the release goes on while
    the hook has not run; Helm 3 takes a Job of another API group for a batch/v1 Job, and fails the release."""
    outcomes = {}
    for helm_name in ("helm", "helm3"):
        release = f"vhook-{helm_name}"
        values = one_step("sleep 30", volcano={"enabled": True})
        job = render(values=values, release=release, namespace=namespace).workload()
        chart = hook_chart(tmp_path / helm_name, job)
        run = helm(helm_name, "install", release, str(chart), "-n", namespace, "--timeout", "120s", check=False)
        (created,) = vcjobs(namespace, release)
        outcomes[helm_name] = (run.returncode, vcjob_phase(created), run.stderr.strip()[-200:])
    assert outcomes["helm"][:2] != (0, "Completed") and outcomes["helm"][0] == 0, outcomes
    assert outcomes["helm3"][0] != 0 and "to be a *batch.Job" in outcomes["helm3"][2], outcomes


def cronjob_hook_runs_nothing(namespace: str, tmp_path: Path) -> None:
    release = "chook"
    cron = render(values=one_step(schedule=matrix.NEVER), release=release, namespace=namespace).workload()
    helm("helm", "install", release, str(hook_chart(tmp_path, cron)), "-n", namespace, "--timeout", "120s")
    assert client.BatchV1Api().read_namespaced_cron_job(cron["metadata"]["name"], namespace)
    assert jobs(namespace, release) == [], "a Job ran"


def kueue_leaves_volcano_jobs_alone(namespace: str, tmp_path: Path) -> None:
    """The queue label that holds a batch/v1 Job (suspended until Kueue admits it) does nothing to a Volcano Job."""
    label = {"kueue.x-k8s.io/queue-name": "no-such-queue"}
    batch = render(
        values=one_step(kueue={"queueName": label["kueue.x-k8s.io/queue-name"]}), release="kbatch", namespace=namespace
    ).workload()
    volcano = render(values=one_step(volcano={"enabled": True}), release="kvolcano", namespace=namespace).workload()
    volcano["metadata"]["labels"].update(label)
    for obj in (batch, volcano):
        created = kubectl("create", "-n", namespace, "-f", "-", stdin=yaml.safe_dump(obj))
        assert created.returncode == 0, created.stderr
    assert wait_finished(namespace, "kvolcano", timeout=FINISH_TIMEOUT) == "completed"
    (held,) = jobs(namespace, "kbatch")
    assert held.spec.suspend is True and not pods(namespace, "kbatch"), "Kueue does not hold the labelled batch Job"
    workloads = client.CustomObjectsApi().list_namespaced_custom_object(
        "kueue.x-k8s.io", "v1beta2", namespace, "workloads"
    )
    owners = [o["name"] for w in workloads["items"] for o in w["metadata"].get("ownerReferences", [])]
    assert volcano["metadata"]["name"] not in owners, owners


EVIDENCE: dict[str, Callable[[str, Path], None]] = {
    "steps-mount-wrapped": second_mount_at_steps,
    "on-failure-pod-failure-policy": pod_failure_policy_on_failure,
    "volcano-on-exit-codes": volcano_pod_failure_policy,
    "hook-volcano": volcano_hook_is_not_waited_for,
    "hook-schedule": cronjob_hook_runs_nothing,
    "kueue-volcano": kueue_leaves_volcano_jobs_alone,
}
SHOWN = [lim for lim in matrix.LIMITATIONS if lim.evidence]


def test_every_limitation_with_evidence_is_shown() -> None:
    assert sorted(EVIDENCE) == sorted(lim.key for lim in SHOWN)


@pytest.mark.parametrize("limitation", SHOWN, ids=[lim.key for lim in SHOWN])
def test_limitation_is_real(limitation: matrix.Limitation, namespace: str, tmp_path: Path) -> None:
    """What the cluster does with the combination (`evidence`), the chart's refusal aside."""
    EVIDENCE[limitation.key](namespace, tmp_path)
