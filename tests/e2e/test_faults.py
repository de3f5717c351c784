"""What a running chain survives: each fault is injected while the middle step of a 3-step chain runs.

Every step first appends its name to /work/runs on the pod's emptyDir, so the file tells which steps ran, and which ran
twice, in each pod. The middle step then waits for /work/go, which the test creates (`kubectl exec`) once the fault
is over, so the fault always lands inside that step whatever the machine's speed. The test reads the file on the
node (the emptyDir's host directory under .cluster/kubelet) while each pod runs, since the kubelet removes a finished
pod's emptyDir; the last step prints it, which is what counts for a pod that got that far.

Components are restarted with scripts/cluster/restart.sh, which stops one by its pid and starts it again through
the same start function up.sh used. These tests change the cluster for everyone on it, so `make e2e` runs them
alone, after the rest of the suite, and only on the embedded cluster (marker `faults`).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from e2e.cluster import (
    eventually,
    finished,
    install,
    kubectl,
    logs,
    pods,
    runs_by_name,
    vcjob_phase,
    vcjobs,
    wait_finished,
)
from sequential_job.paths import CLUSTER_BIN, CLUSTER_SCRIPTS
from sequential_job.values import IMAGE

pytestmark = pytest.mark.faults

RESTART = CLUSTER_SCRIPTS / "restart.sh"
NODE = "sequential-job-node"
# The middle step gives up after this long without /work/go, so a test that lost track of it fails instead of hanging.
RELEASE_TIMEOUT = 300


@pytest.fixture(scope="module")
def state() -> Path:
    """The embedded cluster's state folder (with-cluster.sh exports it); these tests need its processes and files."""
    path = os.environ.get("EMBEDDED_CLUSTER")
    if not path:
        pytest.fail(
            "the fault tests restart the embedded cluster's components: run them with `make e2e`, "
            "not on CLUSTER=existing"
        )
    return Path(path)


def fault_chain(backoff_limit: int | None = 0, resume: bool = False, **extra: Any) -> dict[str, Any]:
    def record(name: str) -> str:
        return f'echo "{name}" >>/work/runs'

    wait = f"t=0; until [ -e /work/go ]; do sleep 0.2; t=$((t+1)); [ $t -lt {RELEASE_TIMEOUT * 5} ] || exit 9; done"
    return {
        "steps": [
            {"name": "step-1", "image": IMAGE, "script": record("step-1")},
            {"name": "step-2", "image": IMAGE, "script": f"{record('step-2')}; {wait}"},
            {"name": "step-3", "image": IMAGE, "script": f"{record('step-3')}; cat /work/runs"},
        ],
        "volumes": [{"name": "work", "emptyDir": {}}],
        "stepDefaults": {"volumeMounts": [{"name": "work", "mountPath": "/work"}]},
        **({} if backoff_limit is None else {"job": {"backoffLimit": backoff_limit}}),
        # resume keeps each step's success on a claim; `work` stays an emptyDir, so each pod's runs file is its own
        **({"resume": {"enabled": True}} if resume else {}),
        **extra,
    }


def runs_file(state: Path, pod: Any) -> list[str]:
    """The steps that ran in this pod so far, in order, from its emptyDir on the node ([] once the kubelet has
    cleaned up the volumes of a finished or deleted pod, so the tests read it while the pod runs)."""
    path = state / "kubelet" / "pods" / pod.metadata.uid / "volumes" / "kubernetes.io~empty-dir" / "work" / "runs"
    try:
        return path.read_text().split()
    except FileNotFoundError:
        return []


def running_step(pod: Any) -> str | None:
    running = [r.name for r in runs_by_name(pod).values() if r.state == "running"]
    return running[0] if running else None


def middle_step_running(namespace: str, release: str) -> Any:
    def probe() -> Any:
        found = [p for p in pods(namespace, release) if running_step(p) == "step-2"]
        return found[0] if found else None

    return eventually(probe, 120, f"step-2 of {release} to run", interval=0.5)


@dataclass
class Result:
    outcome: str  # "completed" or "failed"
    runs: list[list[str]]  # per pod, oldest first: the steps that ran in it, in order
    exit_codes: list[dict[str, int | None]]  # per pod: each step's exit code (None: did not finish)
    disruptions: list[str | None]  # per pod: the reason of its DisruptionTarget condition, if it got one

    def __str__(self) -> str:
        return (
            f"outcome {self.outcome}, runs per pod {self.runs}, exit codes per pod {self.exit_codes}, "
            f"DisruptionTarget per pod {self.disruptions}"
        )


class Chain:
    """Watches one release's pods: lets each waiting step-2 go on, and keeps the last runs file seen of every pod."""

    def __init__(self, state: Path, namespace: str, release: str) -> None:
        self.state, self.namespace, self.release = state, namespace, release
        self.runs: dict[str, list[str]] = {}  # pod uid -> steps run, in pod creation order
        self.disruptions: dict[str, str] = {}  # pod uid -> reason of its DisruptionTarget condition
        self.released: set[str] = set()

    def look(self) -> list[Any]:
        found = pods(self.namespace, self.release)
        for pod in found:
            lines = runs_file(self.state, pod)
            if len(lines) >= len(self.runs.get(pod.metadata.uid, [])):
                self.runs[pod.metadata.uid] = lines
            for c in pod.status.conditions or []:
                if c.type == "DisruptionTarget" and c.status == "True":
                    self.disruptions[pod.metadata.uid] = c.reason
        return found

    def during(self, fault: Callable[[], None]) -> None:
        """Inject the fault, watching the pods meanwhile: a drain returns only once the evicted pod is gone, and its
        DisruptionTarget condition is seen only while it is there."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            injected = pool.submit(fault)
            while not injected.done():
                self.try_look()
                time.sleep(0.2)
            injected.result()

    def try_look(self) -> list[Any] | None:
        """look(), or None while the API server cannot answer (it, or etcd, is the fault)."""
        try:
            return self.look()
        except (ApiException, urllib3.exceptions.HTTPError):
            return None

    def release_until(self, outcome_probe: Callable[[], str | None], timeout: float) -> str:
        """Until the workload finishes, let every waiting step-2 go on; return the outcome."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                outcome = outcome_probe()
            except (ApiException, urllib3.exceptions.HTTPError):
                outcome = None  # the API server is still coming back
            found = self.try_look()
            if outcome:
                return outcome
            if found is None:
                time.sleep(0.5)
                continue
            for pod in found:
                # A pod being deleted is not let go on: its kubelet could still start the next step before it acts
                # on the deletion (seen on 1.29 and 1.37), which would blur what the deletion itself does.
                if pod.metadata.deletion_timestamp:
                    continue
                key = f"{pod.metadata.uid}/{runs_by_name(pod)['step-2'].started}"
                if running_step(pod) == "step-2" and key not in self.released:
                    name = pod.metadata.name
                    done = kubectl("exec", "-n", self.namespace, name, "-c", "step-2", "--", "touch", "/work/go")
                    if done.returncode == 0:
                        self.released.add(key)
            time.sleep(0.5)
        raise AssertionError(f"{self.release} did not finish within {timeout:.0f}s of the fault")

    def result(self, outcome: str) -> Result:
        """Per pod, oldest first: the steps it ran (the last step's log, which prints the file, when it got that far;
        else the file as last seen) and each step's exit code (pods that are gone have none)."""
        current = {p.metadata.uid: p for p in pods(self.namespace, self.release)}
        runs, codes = [], []
        for uid, seen in self.runs.items():
            pod = current.get(uid)
            steps = runs_by_name(pod) if pod else {}
            if pod and steps["step-3"].exit_code is not None:
                seen = logs(pod, "step-3").split()
            runs.append(seen)
            codes.append({name: r.exit_code for name, r in steps.items()})
        return Result(outcome, runs, codes, [self.disruptions.get(uid) for uid in self.runs])


@pytest.fixture
def chain_run(state: Path, namespace: str) -> Iterator[Callable[..., Result]]:
    """run(fault, backoff_limit=0, resume=False): install the chain, inject `fault(pod)` while step-2 runs, wait for
    the outcome."""

    def run(fault: Callable[[Any], None], backoff_limit: int = 0, resume: bool = False, timeout: float = 240) -> Result:
        install("helm", "chain", namespace, values=fault_chain(backoff_limit, resume))
        chain = Chain(state, namespace, "chain")
        pod = middle_step_running(namespace, "chain")
        chain.look()
        assert chain.runs[pod.metadata.uid] == ["step-1", "step-2"], f"before the fault: {chain.runs}"
        chain.during(lambda: fault(pod))
        return chain.result(chain.release_until(finished(namespace, "chain"), timeout))

    yield run


def restart(component: str) -> None:
    done = subprocess.run(["bash", str(RESTART), component], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"restart.sh {component} failed:\n{done.stdout}\n{done.stderr}"


ONCE = [["step-1", "step-2", "step-3"]]


@pytest.mark.parametrize("component", ["kubelet", "containerd", "kube-apiserver", "etcd", "kube-controller-manager"])
def test_component_restart_mid_chain(chain_run: Callable[..., Result], component: str) -> None:
    """The chain completes in the same pod and no step runs twice: the containers outlive their managers."""
    result = chain_run(lambda pod: restart(component))
    assert result.outcome == "completed", result
    assert result.runs == ONCE, result


def crictl(state: Path, *args: str) -> str:
    done = subprocess.run(
        [
            str(CLUSTER_BIN / "crictl"),
            "--runtime-endpoint",
            f"unix://{state}/containerd/containerd.sock",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"crictl {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def stop_sandbox(state: Path, pod: Any) -> None:
    """Stop the pod's sandbox through the CRI, as a crashed or restarted runtime that lost it would."""
    sandbox = crictl(state, "pods", "--name", pod.metadata.name, "--namespace", pod.metadata.namespace, "-q")
    assert sandbox, f"no sandbox for {pod.metadata.name}"
    crictl(state, "stopp", sandbox.split()[0])


def test_sandbox_stopped_fails_the_job(chain_run: Callable[..., Result], state: Path) -> None:
    """The running step is killed (137); with backoffLimit 0 the Job fails and the last step never starts."""
    result = chain_run(lambda pod: stop_sandbox(state, pod))
    assert result.outcome == "failed", result
    assert result.runs == [["step-1", "step-2"]], result
    assert result.exit_codes[0]["step-2"] == 137 and result.exit_codes[0]["step-3"] is None, result
    assert result.disruptions == [None], f"a pod failure policy that ignores disruptions would not cover it: {result}"


def test_sandbox_stopped_with_a_retry_reruns_every_step(chain_run: Callable[..., Result], state: Path) -> None:
    """With backoffLimit 1 the Job's replacement pod starts over from the first step."""
    result = chain_run(lambda pod: stop_sandbox(state, pod), backoff_limit=1)
    assert result.outcome == "completed", result
    assert result.runs == [["step-1", "step-2"], ["step-1", "step-2", "step-3"]], result


# With resume, the replacement pod skips what the lost pod completed: step-1 records no run, step-2 runs again.
RESUMED = [["step-1", "step-2"], ["step-2", "step-3"]]


def test_sandbox_stopped_with_resume_resumes_at_the_lost_step(chain_run: Callable[..., Result], state: Path) -> None:
    result = chain_run(lambda pod: stop_sandbox(state, pod), backoff_limit=1, resume=True)
    assert result.outcome == "completed", result
    assert result.runs == RESUMED, result


def delete_pod(pod: Any) -> None:
    client.CoreV1Api().delete_namespaced_pod(pod.metadata.name, pod.metadata.namespace, grace_period_seconds=5)


def test_pod_deleted_fails_the_job(chain_run: Callable[..., Result]) -> None:
    """A deleted pod counts as a failed one: with backoffLimit 0 the Job fails. A plain delete is no disruption."""
    result = chain_run(delete_pod)
    assert result.outcome == "failed", result
    assert result.runs == [["step-1", "step-2"]], result
    assert result.disruptions == [None], result


def test_pod_deleted_with_a_retry_reruns_every_step(chain_run: Callable[..., Result]) -> None:
    result = chain_run(delete_pod, backoff_limit=1)
    assert result.outcome == "completed", result
    assert result.runs == [["step-1", "step-2"], ["step-1", "step-2", "step-3"]], result


def test_pod_deleted_with_resume_resumes_at_the_lost_step(chain_run: Callable[..., Result]) -> None:
    result = chain_run(delete_pod, backoff_limit=1, resume=True)
    assert result.outcome == "completed", result
    assert result.runs == RESUMED, result


@pytest.fixture
def uncordon() -> Iterator[None]:
    """Whatever happens, the node is schedulable again after the test."""
    yield
    done = kubectl("uncordon", NODE)
    assert done.returncode == 0, done.stderr


@pytest.mark.usefixtures("uncordon")
def test_node_cordoned_chain_completes(chain_run: Callable[..., Result]) -> None:
    """Cordoning only stops new pods: the running chain completes and nothing re-runs."""

    def cordon(pod: Any) -> None:
        done = kubectl("cordon", NODE)
        assert done.returncode == 0, done.stderr

    result = chain_run(cordon)
    assert result.outcome == "completed", result
    assert result.runs == ONCE, result


def drain(pod: Any) -> None:
    done = kubectl(
        "drain",
        NODE,
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--grace-period=5",
        "--timeout=90s",
        f"--pod-selector=batch.kubernetes.io/job-name={pod.metadata.labels['batch.kubernetes.io/job-name']}",
    )
    assert done.returncode == 0, f"kubectl drain: {done.stdout}\n{done.stderr}"


@pytest.mark.usefixtures("uncordon")
def test_node_drained_fails_the_job(chain_run: Callable[..., Result]) -> None:
    """Draining evicts the pod (a disruption: DisruptionTarget, EvictionByEvictionAPI); with backoffLimit 0 that is
    the Job's one failure."""
    result = chain_run(drain)
    assert result.outcome == "failed", result
    assert result.runs == [["step-1", "step-2"]], result
    assert result.disruptions == ["EvictionByEvictionAPI"], result


def drain_then_uncordon(namespace: str) -> Callable[[Any], None]:
    """A fault: drain the pod's node, wait until the replacement pod is unschedulable there, uncordon the node."""

    def fault(pod: Any) -> None:
        drain(pod)

        def replacement_unschedulable() -> bool:
            for p in pods(namespace, "chain"):
                for c in p.status.conditions or []:
                    if c.type == "PodScheduled" and c.status == "False" and c.reason == "Unschedulable":
                        return True
            return False

        eventually(replacement_unschedulable, 60, "the replacement pod to be unschedulable on the cordoned node")
        done = kubectl("uncordon", NODE)
        assert done.returncode == 0, done.stderr

    return fault


@pytest.mark.usefixtures("uncordon")
def test_node_drained_with_a_retry_waits_then_reruns_every_step(
    chain_run: Callable[..., Result], namespace: str
) -> None:
    """With backoffLimit 1 the replacement pod waits, unschedulable, until the node is uncordoned, then starts over."""
    result = chain_run(drain_then_uncordon(namespace), backoff_limit=1)
    assert result.outcome == "completed", result
    assert result.runs == [["step-1", "step-2"], ["step-1", "step-2", "step-3"]], result


@pytest.mark.usefixtures("uncordon")
def test_node_drained_with_resume_resumes_at_the_lost_step(chain_run: Callable[..., Result], namespace: str) -> None:
    result = chain_run(drain_then_uncordon(namespace), backoff_limit=1, resume=True)
    assert result.outcome == "completed", result
    assert result.runs == RESUMED, result


def test_volcano_controller_restart_mid_chain(state: Path, namespace: str) -> None:
    """Volcano mode: restarting vc-controller-manager while step-2 runs; the Volcano Job completes, nothing re-runs."""
    install("helm", "chain", namespace, values=fault_chain(None, volcano={"enabled": True}))
    chain = Chain(state, namespace, "chain")
    middle_step_running(namespace, "chain")
    chain.look()
    chain.during(lambda: restart("vc-controller-manager"))

    def finished() -> str | None:
        jobs = vcjobs(namespace, "chain")
        phase = vcjob_phase(jobs[-1]) if jobs else ""
        return {"Completed": "completed", "Failed": "failed", "Aborted": "failed", "Terminated": "failed"}.get(phase)

    result = chain.result(chain.release_until(finished, 240))
    assert result.outcome == "completed", result
    assert result.runs == ONCE, result
    assert wait_finished(namespace, "chain") == "completed"
