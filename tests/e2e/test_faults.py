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
    jobs,
    kubectl,
    logs,
    pods,
    runs_by_name,
    vcjob_phase,
    vcjobs,
    wait_finished,
)
from e2e.conftest import delete_namespace, new_namespace
from sequential_job.paths import CLUSTER_BIN, CLUSTER_SCRIPTS
from sequential_job.values import IMAGE

pytestmark = pytest.mark.faults

RESTART = CLUSTER_SCRIPTS / "restart.sh"
NODE = "sequential-job-node"  # node 1 (scripts/cluster/lib.sh's node_vars)
SECOND_NODE = "sequential-job-node-2"
HOSTNAME_LABEL = "kubernetes.io/hostname"
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


def fault_chain(
    backoff_limit: int | None = 0,
    resume: bool | dict[str, Any] = False,
    job: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The 3-step chain whose step-2 waits for /work/go; `job` adds to the job settings (backoffLimit unless None),
    `resume` (True, or settings beside `enabled`) keeps its progress on a claim."""

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
        "job": {**({} if backoff_limit is None else {"backoffLimit": backoff_limit}), **(job or {})},
        # resume keeps each step's success on a claim; `work` stays an emptyDir, so each pod's runs file is its own
        **({"resume": {"enabled": True, **(resume if isinstance(resume, dict) else {})}} if resume else {}),
        **extra,
    }


def runs_file(state: Path, pod: Any) -> list[str]:
    """The steps that ran in this pod so far, in order, from its emptyDir on its node ([] before it is scheduled, and
    once the kubelet has cleaned up the volumes of a finished or deleted pod, so the tests read it while the pod
    runs). Each node's folder is linked as .cluster/nodes/<node name> (scripts/cluster/node-up.sh)."""
    if not pod.spec.node_name:
        return []
    kubelet = state / "nodes" / pod.spec.node_name / "kubelet"
    path = kubelet / "pods" / pod.metadata.uid / "volumes" / "kubernetes.io~empty-dir" / "work" / "runs"
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
            if found is not None:
                self.release_waiting(found)
            time.sleep(0.5)
        raise AssertionError(f"{self.release} did not finish within {timeout:.0f}s of the fault")

    def release_waiting(self, found: list[Any]) -> None:
        """Let the step-2 of each of these pods go on, once, where it waits."""
        for pod in found:
            # A pod being deleted is not let go on: its kubelet could still start the next step before it acts on the
            # deletion (seen on 1.29 and 1.37), which would blur what the deletion itself does.
            if pod.metadata.deletion_timestamp:
                continue
            key = f"{pod.metadata.uid}/{runs_by_name(pod)['step-2'].started}"
            if running_step(pod) == "step-2" and key not in self.released:
                name = pod.metadata.name
                done = kubectl("exec", "-n", self.namespace, name, "-c", "step-2", "--", "touch", "/work/go")
                if done.returncode == 0:
                    self.released.add(key)

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
    the outcome. The chain is pinned to node 1, whose components these tests restart (and whose cordon leaves the
    replacement nowhere to go), on a cluster of any number of nodes."""

    def run(fault: Callable[[Any], None], backoff_limit: int = 0, resume: bool = False, timeout: float = 240) -> Result:
        pinned = {"nodeSelector": {HOSTNAME_LABEL: NODE}}
        install("helm", "chain", namespace, values=fault_chain(backoff_limit, resume, pod=pinned))
        chain = Chain(state, namespace, "chain")
        pod = middle_step_running(namespace, "chain")
        chain.look()
        assert chain.runs[pod.metadata.uid] == ["step-1", "step-2"], f"before the fault: {chain.runs}"
        chain.during(lambda: fault(pod))
        return chain.result(chain.release_until(finished(namespace, "chain"), timeout))

    yield run


def restart(component: str, action: str = "restart") -> None:
    """restart.sh: restart the component, or only stop it, or start a stopped one."""
    args = [component] if action == "restart" else [action, component]
    done = subprocess.run(["bash", str(RESTART), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"restart.sh {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


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


# --- Two nodes: what a lost or drained node does to a chain when another node remains ------------------------------
#
# Three releases run on the second node side by side, one for each way a Job can take a pod lost to the node:
# `ignoreDisruptions` (with backoffLimit 0), backoffLimit 0, and backoffLimit 1. One fault hits all three at once. These
# need a second node (`make e2e` adds it for them: scripts/cluster/node-up.sh 2; or NODES=2) and stop its kubelet, so
# they run after the rest, alone on the cluster (marker `nodes`).

# The taint manager evicts a pod from an unreachable or not-ready node once its toleration of that taint runs out
# (300 s unless the pod says otherwise); these pods say 5 s.
TOLERATION_SECONDS = 5
TOLERATE_NODE_LOSS = [
    {
        "key": f"node.kubernetes.io/{t}",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": TOLERATION_SECONDS,
    }
    for t in ("unreachable", "not-ready")
]
OUT_OF_SERVICE = "node.kubernetes.io/out-of-service"
POLICIES: dict[str, dict[str, Any]] = {
    "ignore": {"backoff_limit": 0, "job": {"ignoreDisruptions": True}},
    "no-retry": {"backoff_limit": 0},
    "retry": {"backoff_limit": 1},
    # The claim on the class whose volumes every node mounts (docs/cluster.md#storage), so the replacement on the
    # other node finds the progress the lost one kept.
    "resume": {
        "backoff_limit": 0,
        "job": {"ignoreDisruptions": True},
        "resume": {"storageClassName": "local-path-shared"},
    },
}
RERUN = [["step-1", "step-2"], ["step-1", "step-2", "step-3"]]


@dataclass
class PodSeen:
    """One pod of a release as seen at some moment."""

    name: str
    node: str | None
    terminating: bool
    phase: str

    @classmethod
    def of(cls, pod: Any) -> PodSeen:
        return cls(pod.metadata.name, pod.spec.node_name, pod.metadata.deletion_timestamp is not None, pod.status.phase)


@dataclass
class NodeFault:
    """What one fault of the second node did to each release."""

    results: dict[str, Result]  # release -> outcome and steps run per pod
    pods: dict[str, list[PodSeen]]  # release -> its pods, oldest first, at the end
    seen: dict[str, dict[str, list[PodSeen]]]  # moment -> release -> its pods then
    conditions: dict[str, dict[str, list[str]]]  # moment -> release -> the Job's true conditions then
    failed: dict[str, int]  # release -> the Job's status.failed at the end
    reasons: dict[str, str | None]  # release -> the reason of the Job's Failed condition, if it failed
    seconds: dict[str, float]  # moment -> seconds after the fault

    def __str__(self) -> str:
        return (
            f"results {self.results}, pods {self.pods}, seen {self.seen}, conditions {self.conditions}, "
            f"failed {self.failed}, times {self.seconds}"
        )


def kubectl_ok(*args: str) -> None:
    done = kubectl(*args)
    assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stdout}\n{done.stderr}"


def node_ready(name: str) -> bool:
    node = client.CoreV1Api().read_node(name)
    return any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or [])


@pytest.fixture(scope="module")
def second_node() -> str:
    """The cluster's second node, Ready (NODES=2 or node-up.sh 2; `make e2e` adds it before these tests)."""
    names = [n.metadata.name for n in client.CoreV1Api().list_node().items]
    if SECOND_NODE not in names or not node_ready(SECOND_NODE):
        pytest.fail(
            f"these tests need a second Ready node {SECOND_NODE} (nodes: {names}): start the cluster with NODES=2, "
            "or add it with scripts/cluster/node-up.sh 2"
        )
    return SECOND_NODE


def release_all(chains: dict[str, Chain], namespace: str, timeout: float) -> dict[str, str]:
    """Until every release has finished, let each waiting step-2 go on; return each release's outcome."""
    outcomes: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(outcomes) < len(chains):
        if time.monotonic() > deadline:
            raise AssertionError(f"not finished within {timeout:.0f}s: {sorted(set(chains) - set(outcomes))}")
        for release, chain in chains.items():
            if release in outcomes:
                continue
            found = chain.try_look()
            if outcome := finished(namespace, release)():
                outcomes[release] = outcome
            elif found is not None:
                chain.release_waiting(found)
        time.sleep(0.5)
    return outcomes


def on_second_node(state: Path, namespace: str) -> dict[str, Chain]:
    """Install the releases (POLICIES) while node 1 is cordoned, so that they run on the second node, and wait until
    step-2 of each runs there; then uncordon node 1, where the replacements may go."""
    kubectl_ok("cordon", NODE)
    try:
        for release, policy in POLICIES.items():
            pod = {"tolerations": TOLERATE_NODE_LOSS}
            values = fault_chain(policy["backoff_limit"], policy.get("resume", False), policy.get("job"), pod=pod)
            install("helm", release, namespace, values=values)
        chains = {release: Chain(state, namespace, release) for release in POLICIES}
        for release, chain in chains.items():
            try:
                pod = middle_step_running(namespace, release)
            except AssertionError as e:
                raise AssertionError(f"{e}; {scheduling(namespace)}") from e
            assert pod.spec.node_name == SECOND_NODE, f"{release} runs on {pod.spec.node_name}"
            chain.look()
            assert chain.runs[pod.metadata.uid] == ["step-1", "step-2"], f"{release} before the fault: {chain.runs}"
    finally:
        kubectl_ok("uncordon", NODE)
    return chains


def job_conditions(namespace: str, release: str) -> list[str]:
    """The types of the release's Job's true conditions, sorted."""
    found = jobs(namespace, release)
    return sorted(c.type for c in (found[0].status.conditions or []) if c.status == "True") if found else []


def scheduling(namespace: str) -> str:
    """Why the namespace's pods are where they are (or nowhere), and what the nodes allow: for a failure message."""
    core = client.CoreV1Api()
    lines = []
    for node in core.list_node().items:
        taints = [f"{t.key}:{t.effect}" for t in node.spec.taints or []]
        ready = [c.status for c in node.status.conditions or [] if c.type == "Ready"]
        lines.append(
            f"node {node.metadata.name}: Ready {ready}, unschedulable {node.spec.unschedulable}, taints {taints}"
        )
    for pod in core.list_namespaced_pod(namespace).items:
        scheduled = [
            f"{c.status} {c.reason} {c.message}" for c in pod.status.conditions or [] if c.type == "PodScheduled"
        ]
        lines.append(f"pod {pod.metadata.name} on {pod.spec.node_name}: {pod.status.phase}, scheduled {scheduled}")
    return "; ".join(lines)


def snapshot(namespace: str) -> dict[str, list[PodSeen]]:
    return {release: [PodSeen.of(p) for p in pods(namespace, release)] for release in POLICIES}


def node_fault(namespace: str, chains: dict[str, Chain], outcomes: dict[str, str], **kw: Any) -> NodeFault:
    failed, reasons = {}, {}
    for release in POLICIES:
        job = jobs(namespace, release)[0]
        failed[release] = job.status.failed or 0
        conditions = [c for c in job.status.conditions or [] if c.type == "Failed" and c.status == "True"]
        reasons[release] = conditions[0].reason if conditions else None
    return NodeFault(
        results={r: chains[r].result(outcomes[r]) for r in POLICIES},
        pods=snapshot(namespace),
        failed=failed,
        reasons=reasons,
        **kw,
    )


@pytest.fixture(scope="module")
def node_lost(state: Path, second_node: str) -> NodeFault:
    """The second node's kubelet stops while step-2 of the releases runs there (its containers keep running, as
    on a node cut off from the network). The node controller marks it unreachable after its grace period (50 s), the
    taint manager evicts the pods 5 s later; once the node is known to be down, the test taints it out-of-service
    (what an administrator or a cloud's node controller does), so that the pod garbage collector marks its pods
    Failed and deletes them. The node is back, Ready and untainted, before the fixture returns what happened (so
    that the next fault starts from two good nodes)."""
    namespace = new_namespace("node-lost")
    core = client.CoreV1Api()
    try:
        chains = on_second_node(state, namespace)
        lost = time.monotonic()
        restart(f"kubelet{second_node.removeprefix(NODE)}", "stop")
        seconds: dict[str, float] = {}

        def evicted() -> bool:
            for chain in chains.values():
                chain.try_look()
            return all(any(p.metadata.deletion_timestamp for p in pods(namespace, r)) for r in POLICIES)

        eventually(evicted, 240, "the taint manager to evict the lost node's pods", interval=0.5)
        seconds["evicted"] = time.monotonic() - lost
        # How long after the node was tainted unreachable each pod was evicted (both times in whole seconds).
        tainted = [t.time_added for t in core.read_node(second_node).spec.taints or [] if t.effect == "NoExecute"]
        assert tainted, f"{second_node} has no NoExecute taint: {core.read_node(second_node).spec.taints}"
        for release in POLICIES:
            pod = pods(namespace, release)[0]
            evicted_at = [c.last_transition_time for c in pod.status.conditions or [] if c.type == "DisruptionTarget"]
            seconds[f"tolerated {release}"] = (evicted_at[0] - min(tainted)).total_seconds() if evicted_at else -1

        # What each Job does while its pod is terminating on the lost node: the one without retries decides to fail
        # (FailureTarget), the retrying one replaces the pod at once, and the replacement runs to the end.
        def reacted() -> bool:
            for chain in chains.values():
                if found := chain.try_look():
                    chain.release_waiting(found)
            decided = "FailureTarget" in job_conditions(namespace, "no-retry")
            return decided and "SuccessCriteriaMet" in job_conditions(namespace, "retry")

        eventually(reacted, 120, "the Jobs to act on their lost pods", interval=0.5)
        seen = {"before out-of-service": snapshot(namespace)}
        conditions = {"before out-of-service": {r: job_conditions(namespace, r) for r in POLICIES}}
        seconds["out-of-service"] = time.monotonic() - lost
        kubectl_ok("taint", "node", second_node, f"{OUT_OF_SERVICE}=nodeshutdown:NoExecute")
        outcomes = release_all(chains, namespace, 300)
        seconds["finished"] = time.monotonic() - lost
        return node_fault(namespace, chains, outcomes, seen=seen, conditions=conditions, seconds=seconds)
    finally:
        kubectl("taint", "node", second_node, f"{OUT_OF_SERVICE}-")
        if not (state / "pids" / f"kubelet{second_node.removeprefix(NODE)}.pid").exists():
            restart(f"kubelet{second_node.removeprefix(NODE)}", "start")

        def untainted() -> bool:
            return not core.read_node(second_node).spec.taints

        eventually(untainted, 120, f"{second_node} to be Ready and untainted again")
        delete_namespace(namespace)


@pytest.mark.nodes
def test_node_lost_ignore_disruptions_reruns_every_step_on_the_other_node(node_lost: NodeFault) -> None:
    """job.ignoreDisruptions: the replacement waits until the lost pod is known to have stopped (Failed), then runs
    every step again on the other node, and the Job completes with backoffLimit 0 untouched."""
    result = node_lost.results["ignore"]
    assert result.outcome == "completed", node_lost
    assert result.runs == RERUN, node_lost
    assert result.disruptions[0] == "DeletionByTaintManager", node_lost
    assert node_lost.failed["ignore"] == 0, node_lost
    assert [p.node for p in node_lost.pods["ignore"]] == [NODE], node_lost
    # While its pod was only terminating (the node could still be running it), no replacement.
    before = node_lost.seen["before out-of-service"]["ignore"]
    assert [(p.node, p.terminating) for p in before] == [(SECOND_NODE, True)], node_lost
    assert node_lost.conditions["before out-of-service"]["ignore"] == [], node_lost


@pytest.mark.nodes
def test_node_lost_without_a_retry_fails_the_job(node_lost: NodeFault) -> None:
    """backoffLimit 0 without ignoreDisruptions: the evicted pod counts as failed as soon as it is terminating."""
    result = node_lost.results["no-retry"]
    assert result.outcome == "failed", node_lost
    assert result.runs == [["step-1", "step-2"]], node_lost
    assert node_lost.reasons["no-retry"] == "BackoffLimitExceeded", node_lost
    # Until the lost pod is known to have stopped, the Job has decided to fail but does not say Failed.
    assert node_lost.conditions["before out-of-service"]["no-retry"] == ["FailureTarget"], node_lost


@pytest.mark.nodes
def test_node_lost_with_a_retry_replaces_the_pod_at_once(node_lost: NodeFault) -> None:
    """backoffLimit 1: the replacement starts on the other node while the lost pod is still terminating (its step-2
    may still be running on the lost node), runs every step again, and the Job completes having spent its retry."""
    result = node_lost.results["retry"]
    assert result.outcome == "completed", node_lost
    assert result.runs == RERUN, node_lost
    assert node_lost.failed["retry"] == 1, node_lost
    before = node_lost.seen["before out-of-service"]["retry"]
    assert [(p.node, p.terminating, p.phase) for p in before] == [
        (SECOND_NODE, True, "Pending"),  # (a pod is Pending while its init containers, steps 1 to n-1, run)
        (NODE, False, "Succeeded"),
    ], node_lost
    # Its replacement has succeeded, but while the lost pod may still be running the Job does not say Complete.
    assert node_lost.conditions["before out-of-service"]["retry"] == ["SuccessCriteriaMet"], node_lost


@pytest.mark.nodes
def test_node_lost_eviction_waits_for_the_tolerations(node_lost: NodeFault) -> None:
    """The pods' tolerations of the unreachable taint (5 s), not the 300 s Kubernetes gives a pod that says nothing,
    decide when the taint manager evicts them after the node controller taints the node."""
    for release in POLICIES:
        tolerated = node_lost.seconds[f"tolerated {release}"]
        assert TOLERATION_SECONDS - 1 <= tolerated <= TOLERATION_SECONDS + 10, (release, node_lost)


@pytest.fixture(scope="module")
def node_drained(state: Path, second_node: str) -> NodeFault:
    """`kubectl drain` of the second node while step-2 of the releases runs there; node 1 takes the
    replacements. The node is uncordoned before the fixture returns what happened."""
    namespace = new_namespace("node-drained")
    try:
        chains = on_second_node(state, namespace)
        drained = time.monotonic()
        selector = f"app.kubernetes.io/instance in ({','.join(POLICIES)})"
        drain_args = ["--ignore-daemonsets", "--delete-emptydir-data", "--grace-period=5", "--timeout=90s"]

        def drain() -> None:
            kubectl_ok("drain", second_node, *drain_args, f"--pod-selector={selector}")

        with ThreadPoolExecutor(max_workers=1) as pool:
            done = pool.submit(drain)
            while not done.done():
                for chain in chains.values():
                    chain.try_look()
                time.sleep(0.2)
            done.result()
        seconds = {"drained": time.monotonic() - drained}
        outcomes = release_all(chains, namespace, 300)
        seconds["finished"] = time.monotonic() - drained
        return node_fault(namespace, chains, outcomes, seen={}, conditions={}, seconds=seconds)
    finally:
        kubectl("uncordon", second_node)
        delete_namespace(namespace)


@pytest.mark.nodes
def test_node_drained_ignore_disruptions_reruns_every_step_on_the_other_node(node_drained: NodeFault) -> None:
    result = node_drained.results["ignore"]
    assert result.outcome == "completed", node_drained
    assert result.runs == RERUN, node_drained
    assert result.disruptions[0] == "EvictionByEvictionAPI", node_drained
    assert node_drained.failed["ignore"] == 0, node_drained
    assert [p.node for p in node_drained.pods["ignore"]] == [NODE], node_drained


@pytest.mark.nodes
def test_node_drained_without_a_retry_fails_the_job(node_drained: NodeFault) -> None:
    result = node_drained.results["no-retry"]
    assert result.outcome == "failed", node_drained
    assert result.runs == [["step-1", "step-2"]], node_drained
    assert node_drained.reasons["no-retry"] == "BackoffLimitExceeded", node_drained


@pytest.mark.nodes
def test_node_drained_with_a_retry_reruns_every_step_on_the_other_node(node_drained: NodeFault) -> None:
    """Unlike on one node, the replacement need not wait for an uncordon: the other node takes it at once."""
    result = node_drained.results["retry"]
    assert result.outcome == "completed", node_drained
    assert result.runs == RERUN, node_drained
    assert node_drained.failed["retry"] == 1, node_drained
    assert [p.node for p in node_drained.pods["retry"]] == [NODE], node_drained


@pytest.mark.nodes
@pytest.mark.parametrize(
    ("fault", "disruption"), [("node_lost", "DeletionByTaintManager"), ("node_drained", "EvictionByEvictionAPI")]
)
def test_resume_continues_at_the_lost_step_on_the_other_node(
    request: pytest.FixtureRequest, fault: str, disruption: str
) -> None:
    """resume on a claim both nodes mount, with job.ignoreDisruptions: the replacement on the other node skips step-1,
    which the lost pod completed, and runs from step-2, where it was lost; backoffLimit 0 untouched."""
    seen: NodeFault = request.getfixturevalue(fault)
    result = seen.results["resume"]
    assert result.outcome == "completed", seen
    assert result.runs == RESUMED, seen
    assert result.disruptions[0] == disruption, seen
    assert seen.failed["resume"] == 0, seen
    assert [p.node for p in seen.pods["resume"]] == [NODE], seen
