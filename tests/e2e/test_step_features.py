"""What a step can have beyond a container, on a real cluster: sidecars, the Job's reaction to exit codes, script
timeouts and error rules, results between steps, files, and a ServiceAccount of its own."""

from __future__ import annotations

import subprocess
import sys

from kubernetes import client

from e2e.cluster import eventually, install, jobs, logs, pods, runs_by_name, server_version, the_pod, wait_finished
from sequential_job.values import chain

BUSYBOX = "busybox:1.36"
KUBECTL_IMAGE = "sequential-job.local/kubectl:1"  # scripts/cluster/images.sh
APISERVER_PORT = 6443  # scripts/cluster/lib.sh


def sidecar_chain(failing_step: str | None = None) -> dict:
    """Three steps; a busybox httpd sidecar serving /srv/www from just before the second; steps 2 and 3 read it."""
    values = {
        "stepDefaults": {"image": BUSYBOX},
        "volumes": [{"name": "www", "emptyDir": {}}],
        "steps": [
            {
                "name": "write",
                "script": "echo served > /srv/www/page",
                "volumeMounts": [{"name": "www", "mountPath": "/srv/www"}],
            },
            {"name": "fetch-1", "script": "wget -q -O - http://127.0.0.1:8080/page"},
            {"name": "fetch-2", "script": "wget -q -O - http://127.0.0.1:8080/page"},
        ],
        "sidecars": [
            {
                "name": "web",
                "before": "fetch-1",
                "script": "httpd -f -p 8080 -h /srv/www",
                "volumeMounts": [{"name": "www", "mountPath": "/srv/www"}],
                "startupProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 1},
            }
        ],
    }
    if failing_step:
        next(s for s in values["steps"] if s["name"] == failing_step)["script"] = "echo failing; exit 7"
    return values


def test_a_sidecar_serves_later_steps_and_stops_with_the_chain(namespace: str, helm_name: str) -> None:
    install(helm_name, "side", namespace, values=sidecar_chain())
    assert wait_finished(namespace, "side", timeout=180) == "completed"
    pod = the_pod(namespace, "side")
    for step in ("fetch-1", "fetch-2"):
        assert logs(pod, step).strip() == "served", f"{step} did not get the sidecar's page"
    web = next(s for s in pod.status.init_container_statuses if s.name == "web")
    write = runs_by_name(pod)["write"]
    assert web.state.terminated is not None, f"the sidecar is still running after the chain ended: {web.state}"
    started = web.state.terminated.started_at
    assert started >= write.finished, f"the sidecar placed before fetch-1 started at {started}, during write"


def test_a_failing_step_still_fails_the_job_beside_a_sidecar(namespace: str) -> None:
    install("helm", "sidefail", namespace, values=sidecar_chain(failing_step="fetch-1"))
    assert wait_finished(namespace, "sidefail", timeout=180) == "failed"
    runs = runs_by_name(the_pod(namespace, "sidefail"))
    assert runs["fetch-1"].exit_code == 7 and runs["fetch-2"].started is None, runs


def failure_rules(script: str, **job) -> dict:
    values = chain(3, job={"backoffLimit": 2, **job})
    values["steps"][1]["script"] = script
    values["steps"][1]["onExitCodes"] = [{"action": "FailJob", "values": [42]}, {"action": "Ignore", "values": [75]}]
    return values


def test_exit_code_42_fails_the_job_at_once(namespace: str) -> None:
    install("helm", "fail42", namespace, values=failure_rules("exit 42"))
    assert wait_finished(namespace, "fail42", timeout=120) == "failed"
    job = jobs(namespace, "fail42")[0]
    reasons = {c.reason for c in job.status.conditions or [] if c.type == "Failed" and c.status == "True"}
    assert reasons == {"PodFailurePolicy"}, f"Job failed for {reasons}, not its pod failure policy"
    assert len(pods(namespace, "fail42")) == 1, "FailJob must not retry"


def test_other_exit_codes_are_retried_until_the_backoff_limit(namespace: str) -> None:
    install("helm", "fail1", namespace, values=failure_rules("exit 1"))
    assert wait_finished(namespace, "fail1", timeout=240) == "failed"
    job = jobs(namespace, "fail1")[0]
    assert job.status.failed == 3 and len(pods(namespace, "fail1")) == 3, "backoffLimit 2: three pods, three failures"


def test_an_ignored_exit_code_replaces_the_pod_without_counting(namespace: str) -> None:
    install("helm", "ignore", namespace, values=failure_rules("exit 75"))

    def replaced() -> bool:
        return len(pods(namespace, "ignore")) >= 3

    eventually(replaced, 180, "the pod exiting 75 to be replaced twice")
    job = jobs(namespace, "ignore")[0]
    assert not job.status.failed, f"Ignore must not count: status.failed is {job.status.failed}"
    assert all(p.status.phase == "Failed" for p in pods(namespace, "ignore")[:-1])


def test_a_script_timeout_stops_the_step_well_before_the_deadline(namespace: str) -> None:
    values = chain(3, pod={"activeDeadlineSeconds": 120})
    values["steps"][1].update(script="echo working; sleep 60", timeoutSeconds=3)
    install("helm", "timeout", namespace, values=values)
    assert wait_finished(namespace, "timeout", timeout=60) == "failed"
    pod = the_pod(namespace, "timeout")
    assert pod.status.reason != "DeadlineExceeded", "the pod deadline, not the step's timeout, ended it"
    runs = runs_by_name(pod)
    assert runs["step-2"].exit_code == 124, runs["step-2"]
    assert (runs["step-2"].finished - runs["step-2"].started).total_seconds() < 15
    assert "timed out after 3s" in (runs["step-2"].message or ""), runs["step-2"].message


def test_on_error_continue_lets_the_next_step_read_the_exit_code(namespace: str) -> None:
    values = chain(3)
    values["steps"][1].update(script="echo trying; exit 5", onError="continue")
    values["steps"][2]["script"] = 'echo "step-2 exited $(cat /steps/step-2/exitCode)"'
    install("helm", "cont", namespace, values=values)
    assert wait_finished(namespace, "cont") == "completed"
    assert logs(the_pod(namespace, "cont"), "step-3").strip() == "step-2 exited 5"


def results_values() -> dict:
    values = chain(3)
    values["steps"][0].update(
        script="printf 'v1.2.3' > /steps/step-1/results/VERSION; echo ok > /steps/step-1/results/STATUS",
        results=["VERSION", "STATUS"],
    )
    values["steps"][2].update(
        script='echo "version $VERSION, status $STATUS"',
        env=[
            {"name": "VERSION", "fromStep": {"step": "step-1", "result": "VERSION"}},
            {"name": "STATUS", "fromStep": {"step": "step-1", "result": "STATUS"}},
        ],
    )
    return values


def test_a_later_step_reads_an_earlier_steps_results(namespace: str) -> None:
    """Env files (KEP-3721) are on by default from Kubernetes 1.35; on an older cluster the chart refuses, naming it."""
    major, minor = server_version()
    if (major, minor) < (1, 35):
        run = install("helm", "results", namespace, values=results_values(), check=False)
        assert run.returncode != 0 and "reading a result needs Kubernetes 1.35 or later" in run.stderr, run.describe()
        return
    install("helm", "results", namespace, values=results_values())
    assert wait_finished(namespace, "results") == "completed"
    assert logs(the_pod(namespace, "results"), "step-3").strip() == "version v1.2.3, status ok"
    shown = subprocess.run(
        [sys.executable, "-m", "sequential_job.step_logs", "results", "-n", namespace],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "VERSION=v1.2.3" in shown.stdout and "STATUS=ok" in shown.stdout, shown.stdout


def test_a_step_runs_a_script_from_files(namespace: str) -> None:
    script = "".join(f"echo line {i}\n" for i in range(400))  # a script too long to want inline
    values = chain(2, files={"run.sh": script})
    values["steps"][1] = {
        "name": "step-2",
        "image": BUSYBOX,
        "command": ["sh", "/scripts/run.sh"],
        "volumeMounts": [{"name": "files", "mountPath": "/scripts"}],
    }
    install("helm", "files", namespace, values=values)
    assert wait_finished(namespace, "files") == "completed"
    out = logs(the_pod(namespace, "files"), "step-2").splitlines()
    assert out[0] == "line 0" and out[-1] == "line 399" and len(out) == 400


def api_values(create: bool) -> dict:
    """A step that lists the namespace's pods with kubectl. The embedded cluster has no kube-proxy and its API server
    listens on 127.0.0.1, so the pod shares the node's network and is pointed there."""
    values = chain(1, pod={"hostNetwork": True})
    values["steps"][0] = {
        "name": "list",
        "image": KUBECTL_IMAGE,
        "env": [
            {"name": "KUBERNETES_SERVICE_HOST", "value": "127.0.0.1"},
            {"name": "KUBERNETES_SERVICE_PORT", "value": str(APISERVER_PORT)},
        ],
        "script": "ls /var/run/secrets/kubernetes.io/serviceaccount/token && kubectl get pods -o name",
    }
    if create:
        values |= {
            "serviceAccount": {"create": True},
            "rbac": {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]},
        }
    return values


def test_a_step_with_its_service_account_lists_pods(namespace: str) -> None:
    install("helm", "api", namespace, values=api_values(create=True))
    assert wait_finished(namespace, "api", timeout=120) == "completed"
    pod = the_pod(namespace, "api")
    assert f"pod/{pod.metadata.name}" in logs(pod, "list"), logs(pod, "list")
    assert pod.spec.service_account_name == "api-sequential-job"


def test_without_a_service_account_of_its_own_no_token_is_mounted(namespace: str) -> None:
    install("helm", "noapi", namespace, values=api_values(create=False))
    assert wait_finished(namespace, "noapi", timeout=120) == "failed"
    pod = the_pod(namespace, "noapi")
    assert "No such file" in (runs_by_name(pod)["list"].message or ""), runs_by_name(pod)["list"].message


def test_extra_objects_are_created_with_the_release(namespace: str) -> None:
    extra = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "extra"}, "data": {"a": "b"}}
    install("helm", "extra", namespace, values=chain(1, extraObjects=[extra]))
    assert client.CoreV1Api().read_namespaced_config_map("extra", namespace).data == {"a": "b"}
