"""Part `scale`: fan-out at scale on simulated nodes, on the embedded control plane with KWOK=1.

The API server, etcd, controller manager, scheduler, Volcano and Kueue are the real ones; the nodes are played by kwok
(scripts/cluster/kwok-up.sh), whose stages (scripts/cluster/kwok/chain-stages.yaml) run each pod's steps one at a time,
STEP_SECONDS each, writing the pod's status as a kubelet would after every step. The bench creates the simulated nodes
(1 000; 100 with --quick), then for each number of shards (100, 1 000, 10 000; 500 with --quick) runs the same trivial
3-step chain five ways, each in a fresh namespace:

- indexed: one `helm install` with `shards` (an Indexed Job, every shard at once: `job.parallelism` = shards);
- indexed-qps: the same with kube-controller-manager's client allowed FAST_CONTROLLER_QPS requests a second instead of
  its default 20 (the controller is restarted for the run and back after it): the limit named, and lifted;
- volcano: the same as a Volcano Job, all shards ganged (`volcano.minAvailable` = shards);
- kueue: the Indexed Job submitted to a Kueue LocalQueue whose ClusterQueue's quota is exactly what the shards request;
- separate: one `helm install` per shard, each a one-pod Job, one after another (up to SEPARATE_UP_TO shards).

For each run: seconds from the first `helm install` until the last pod was created (the pods' creationTimestamp,
whole seconds) and until the workload is complete, pods created per second, the growth of etcd's database per shard
(compacted and defragmented before and after, so it counts what the run leaves stored: its pods, Jobs, events), and
the peak resident memory of the API server (its VmHWM, reset before the run) and of the other control-plane processes.
Then the cost of the one thing every pod does that the simulation cannot show (`mount`): on the real node, the time to
start a pod whose shards ConfigMap holds 1, 1 000 or 10 000 keys, as the chart mounts it today (one file per shard),
against the same shards in one key (one file).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bench import etcd
from bench.cluster import delete_namespace, job_outcome, new_namespace
from bench.common import helm_install, load_average, write_values
from bench.shards import SHORT, shard_list, trivial_chain
from sequential_job import kube_lists, local_addresses
from sequential_job.paths import CLUSTER_SCRIPTS
from sequential_job.tools import tool

STEP_SECONDS = 1
KWOK_POD_LOG = CLUSTER_SCRIPTS / "kwok" / "pod.log"  # what kwok serves as every simulated pod's log
STEP_DURATION_ANNOTATION = "step-duration.sequential-job.bench"  # read by scripts/cluster/kwok/chain-stages.yaml
KWOK_ANNOTATION = ("kwok.x-k8s.io/node", "fake")  # scripts/cluster/lib.sh's KWOK_NODE_ANNOTATION
NODE_LABEL = ("type", "kwok")
NODE_PREFIX = "kwok-node-"
# What each simulated node offers (about a cloud VM's), and what each shard's pod requests.
NODE_CAPACITY = {"cpu": "32", "memory": "256Gi", "pods": "110"}
REQUEST_MILLICPU = 100
REQUEST_MIB = 64
RUNNERS = ("indexed", "indexed-qps", "volcano", "kueue", "separate")
# The Job controller sends two requests per pod (create it; remove its tracking finalizer once it ends), at most
# --kube-api-qps a second (default 20, burst 30): indexed-qps runs it with this instead (burst 1.5 times), through
# scripts/cluster/components.sh's KCM_API_QPS.
FAST_CONTROLLER_QPS = 100
# Control-plane processes whose peak memory is recorded (.cluster/pids names).
PROCESSES = ("kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler", "vc-controller-manager",
             "vc-scheduler", "kueue", "kwok")  # fmt: skip


@dataclass(frozen=True)
class Plan:
    nodes: int
    sizes: tuple[int, ...]  # shards, for every runner but `separate`
    separate_sizes: tuple[int, ...]  # shards for `separate`, one `helm install` each: beyond these, not practical
    timeout: float  # seconds a run may take


FULL = Plan(nodes=1000, sizes=(100, 1000, 10000), separate_sizes=(100, 1000), timeout=1800)
QUICK = Plan(nodes=100, sizes=(500,), separate_sizes=(100,), timeout=900)
MOUNT_KEYS = (1, 1000, 10000)


def state() -> Path:
    path = os.environ.get("EMBEDDED_CLUSTER")
    if not path:
        raise SystemExit("the scale part needs the embedded cluster with KWOK=1 (make bench runs it so)")
    return Path(path)


# --- the simulated nodes -------------------------------------------------------------------------------------------


def node_body(name: str) -> client.V1Node:
    key, value = KWOK_ANNOTATION
    return client.V1Node(
        metadata=client.V1ObjectMeta(name=name, annotations={key: value}, labels={NODE_LABEL[0]: NODE_LABEL[1]}),
        spec=client.V1NodeSpec(taints=[client.V1Taint(key=key, value=value, effect="NoSchedule")]),
        status=client.V1NodeStatus(allocatable=NODE_CAPACITY, capacity=NODE_CAPACITY),
    )


def create_nodes(n: int, log: Callable[[str], None]) -> float:
    """Create n simulated nodes and wait until kwok has made them all Ready; returns the seconds it took."""
    core = client.CoreV1Api()
    start = time.monotonic()
    for i in range(n):
        try:
            core.create_node(node_body(f"{NODE_PREFIX}{i:04d}"))
        except ApiException as e:
            if e.status != 409:
                raise
    deadline = time.monotonic() + 600
    while True:
        ready = sum(1 for node in simulated_nodes() if node_ready(node))
        if ready >= n:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {ready} of {n} simulated nodes Ready after 600 s: is kwok running (KWOK=1)?")
        time.sleep(2)
    seconds = time.monotonic() - start
    log(f"  scale: {n} simulated nodes Ready in {seconds:.0f} s")
    return seconds


def simulated_nodes() -> list[dict[str, Any]]:
    return kube_lists.items(client.CoreV1Api().list_node, label_selector=f"{NODE_LABEL[0]}={NODE_LABEL[1]}")


def node_ready(node: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True" for c in node.get("status", {}).get("conditions", []))


def delete_nodes() -> None:
    client.CoreV1Api().delete_collection_node(label_selector=f"{NODE_LABEL[0]}={NODE_LABEL[1]}")


def timestamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# --- etcd and memory ---------------------------------------------------------------------------------------------


def etcd_call(path: str, body: dict[str, Any] | None = None, timeout: float = 300) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{etcd.ENDPOINT}{path}", data=json.dumps(body or {}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def etcd_compacted_size() -> int:
    """etcd's database size once every old revision is compacted away and the file defragmented: what is stored."""
    status = etcd_call("/v3/maintenance/status")
    revision = int(status["header"]["revision"])
    try:
        etcd_call("/v3/kv/compaction", {"revision": revision, "physical": True})
    except urllib.error.HTTPError as e:  # already compacted at that revision (by the API server)
        if e.code != 400:
            raise
    etcd_call("/v3/maintenance/defragment")
    return int(etcd_call("/v3/maintenance/status")["dbSize"])


def etcd_size_in_use() -> int:
    return int(etcd_call("/v3/maintenance/status")["dbSizeInUse"])


def api_requests() -> dict[str, int]:
    """The API server's request counts so far (`apiserver_request_total`, summed over codes and scopes) by
    "VERB resource[/subresource]", and the requests its priority and fairness rejected ("rejected")."""
    done = subprocess.run([tool("kubectl"), "get", "--raw", "/metrics"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"kubectl get --raw /metrics: {done.stderr.strip()}")
    counts: dict[str, int] = {}
    for line in done.stdout.splitlines():
        if line.startswith("apiserver_request_total{"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
            key = f"{labels.get('verb')} {labels.get('resource')}"
            key += f"/{labels['subresource']}" if labels.get("subresource") else ""
            counts[key] = counts.get(key, 0) + int(float(line.rsplit(" ", 1)[1]))
        elif line.startswith("apiserver_flowcontrol_rejected_requests_total{"):
            counts["rejected"] = counts.get("rejected", 0) + int(float(line.rsplit(" ", 1)[1]))
    return counts


class Peaks:
    """Peak resident memory of the control plane's processes over a stretch of time: each process's high-water mark
    (VmHWM) is reset at the start (/proc/PID/clear_refs) and read at the end."""

    def __init__(self) -> None:
        self.pids: dict[str, int] = {}
        for name in PROCESSES:
            pidfile = state() / "pids" / f"{name}.pid"
            if pidfile.exists():
                self.pids[name] = int(pidfile.read_text())

    def reset(self) -> dict[str, float]:
        """Reset the high-water marks; returns each process's resident memory now, MiB (the start of the run)."""
        for pid in self.pids.values():
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        return self.read_mib("VmRSS:")

    def read_mib(self, field: str = "VmHWM:") -> dict[str, float]:
        values = {}
        for name, pid in self.pids.items():
            status = Path(f"/proc/{pid}/status")
            if not status.exists():  # restarted meanwhile: its figure is lost
                continue
            for line in status.read_text().splitlines():
                if line.startswith(field):
                    values[name] = round(int(line.split()[1]) / 1024, 1)
        return values


# --- the runs ----------------------------------------------------------------------------------------------------


def values(shards: list[str] | None, **extra: Any) -> dict[str, Any]:
    """The trivial chain on the simulated nodes, each pod requesting REQUEST_*, each step lasting STEP_SECONDS."""
    key, value = KWOK_ANNOTATION
    pod = {
        "nodeSelector": {NODE_LABEL[0]: NODE_LABEL[1]},
        "tolerations": [{"key": key, "operator": "Equal", "value": value, "effect": "NoSchedule"}],
        "annotations": {STEP_DURATION_ANNOTATION: f"{STEP_SECONDS}s"},
    }
    requests = {"cpu": f"{REQUEST_MILLICPU}m", "memory": f"{REQUEST_MIB}Mi"}
    return trivial_chain(shards, pod=pod, stepDefaults={"resources": {"requests": requests}}, **extra)


def kueue_queue(namespace: str, shards: int) -> None:
    """A ClusterQueue whose quota is exactly what the shards request, and a LocalQueue `bench` for it."""
    custom = client.CustomObjectsApi()
    group, version = "kueue.x-k8s.io", "v1beta2"
    try:
        custom.create_cluster_custom_object(
            group, version, "resourceflavors",
            {"apiVersion": f"{group}/{version}", "kind": "ResourceFlavor", "metadata": {"name": "bench"}},
        )  # fmt: skip
    except ApiException as e:
        if e.status != 409:
            raise
    quota = [
        {"name": "cpu", "nominalQuota": f"{shards * REQUEST_MILLICPU}m"},
        {"name": "memory", "nominalQuota": f"{shards * REQUEST_MIB}Mi"},
    ]
    cluster_queue = {
        "apiVersion": f"{group}/{version}",
        "kind": "ClusterQueue",
        "metadata": {"name": namespace},
        "spec": {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
            "resourceGroups": [
                {"coveredResources": ["cpu", "memory"], "flavors": [{"name": "bench", "resources": quota}]}
            ],
        },
    }
    custom.create_cluster_custom_object(group, version, "clusterqueues", cluster_queue)
    local = {
        "apiVersion": f"{group}/{version}",
        "kind": "LocalQueue",
        "metadata": {"name": "bench", "namespace": namespace},
        "spec": {"clusterQueue": namespace},
    }
    custom.create_namespaced_custom_object(group, version, namespace, "localqueues", local)


def delete_kueue_queue(namespace: str) -> None:
    try:
        client.CustomObjectsApi().delete_cluster_custom_object("kueue.x-k8s.io", "v1beta2", "clusterqueues", namespace)
    except ApiException as e:
        if e.status != 404:
            raise


def workload_done(runner: str, namespace: str, n: int) -> Callable[[], str | None]:
    """A probe: "completed" or "failed" once the run's workload has finished, else None."""
    batch = client.BatchV1Api()

    def job_probe() -> str | None:
        found = batch.list_namespaced_job(namespace).items
        return job_outcome(found[0]) if found else None

    def volcano_probe() -> str | None:
        found = client.CustomObjectsApi().list_namespaced_custom_object(
            "batch.volcano.sh", "v1alpha1", namespace, "jobs"
        )
        phase = found["items"][0].get("status", {}).get("state", {}).get("phase", "") if found["items"] else ""
        return {"Completed": "completed", "Failed": "failed", "Aborted": "failed"}.get(phase)

    def separate_probe() -> str | None:
        outcomes = [job_outcome_raw(j) for j in kube_lists.items(batch.list_namespaced_job, namespace)]
        if len(outcomes) < n or None in outcomes:
            return None
        return "failed" if "failed" in outcomes else "completed"

    probes = {"indexed": job_probe, "indexed-qps": job_probe, "kueue": job_probe, "volcano": volcano_probe}
    return probes.get(runner, separate_probe)


def job_outcome_raw(job: dict[str, Any]) -> str | None:
    for c in job.get("status", {}).get("conditions", []):
        if c["status"] == "True" and c["type"] in ("Complete", "Failed"):
            return "completed" if c["type"] == "Complete" else "failed"
    return None


def controller_qps(qps: int | None, log: Callable[[str], None]) -> None:
    """Restart kube-controller-manager with --kube-api-qps qps (None: its default) and wait until it answers."""
    env = {k: v for k, v in os.environ.items() if k != "KCM_API_QPS"} | ({"KCM_API_QPS": str(qps)} if qps else {})
    subprocess.run(["bash", str(CLUSTER_SCRIPTS / "restart.sh"), "kube-controller-manager"], env=env, check=True)
    log(f"  scale: kube-controller-manager restarted with --kube-api-qps {qps or 'default (20)'}")


def measure(runner: str, n: int, plan: Plan, tmp: Path, log: Callable[[str], None]) -> dict[str, Any]:
    """One run; the error it ended with as its outcome if it did not finish (the other runs' figures still count)."""
    try:
        if runner == "indexed-qps":
            controller_qps(FAST_CONTROLLER_QPS, log)
        return run(runner, n, plan, tmp, log)
    except (TimeoutError, RuntimeError, ApiException, subprocess.CalledProcessError) as e:
        log(f"  scale: {runner} {n}: {e}")
        return {"outcome": f"error: {e}"[:300]}
    finally:
        if runner == "indexed-qps":
            controller_qps(None, log)


def run(runner: str, n: int, plan: Plan, tmp: Path, log: Callable[[str], None]) -> dict[str, Any]:
    namespace = new_namespace(f"scale-{runner}-{n}")
    peaks = Peaks()
    try:
        before = etcd_compacted_size()
        shards = shard_list(SHORT, n)
        if runner == "separate":
            values_file = write_values(tmp, "one", values(None))
        elif runner == "volcano":
            values_file = write_values(tmp, runner, values(shards, volcano={"enabled": True, "minAvailable": n}))
        else:
            extra: dict[str, Any] = {"job": {"parallelism": n}}
            if runner == "kueue":
                kueue_queue(namespace, n)
                extra["kueue"] = {"queueName": "bench"}
            values_file = write_values(tmp, runner, values(shards, **extra))
        requests_before = api_requests()
        rss_before = peaks.reset()
        start = time.time()
        if runner == "separate":
            for i in range(n):
                helm_install(namespace, f"c{i}", values_file)
        else:
            helm_install(namespace, "fan", values_file)
        submitted = time.time()
        done = workload_done(runner, namespace, n)
        deadline = time.monotonic() + plan.timeout
        outcome = None
        while not (outcome := transient(done)):
            if time.monotonic() > deadline:
                break
            time.sleep(1)
        finished = time.time() if outcome else None
        memory = peaks.read_mib()
        requests = {k: v - requests_before.get(k, 0) for k, v in api_requests().items()}
        in_use = etcd_size_in_use()
        pods = retrying(lambda: kube_lists.items(client.CoreV1Api().list_namespaced_pod, namespace))
        if not outcome:  # what the control plane got done in the time it had
            succeeded = sum(1 for p in pods if p.get("status", {}).get("phase") == "Succeeded")
            outcome = f"not finished after {plan.timeout:.0f} s: {len(pods)} pods created, {succeeded} succeeded"
        created = sorted(timestamp(p["metadata"]["creationTimestamp"]) for p in pods)
        checked = retrying(lambda: check_addresses(pods))
        after = etcd_compacted_size()
        result = {
            "shards": n,
            "outcome": outcome,
            "pods": len(pods),
            "submit_seconds": round(submitted - start, 2),
            # creationTimestamp has whole seconds: the last pod was created within the second it names.
            "created_seconds": round(created[-1] + 1 - start, 1) if created else None,
            "complete_seconds": round(finished - start, 1) if finished else None,
            "etcd_bytes_per_shard": round((after - before) / n),
            "etcd_in_use_bytes_per_shard_at_end": round((in_use - before) / n),
            "peak_mib": memory,
            "rss_before_mib": rss_before,
            # the API server's requests during the run, by verb, resource and subresource (its own count)
            "api_requests": {k: v for k, v in sorted(requests.items(), key=lambda kv: -kv[1]) if v},
            "addresses_checked": checked,
        }
        if created:
            result["pods_per_second"] = round(len(pods) / max(created[-1] + 1 - start, 1), 1)
        log(
            f"  scale: {runner} {n}: {outcome}, pods created by {result['created_seconds']} s, complete at "
            f"{result['complete_seconds']} s, {result.get('pods_per_second')} pods/s, "
            f"etcd +{result['etcd_bytes_per_shard']} B/shard, API server peak {memory.get('kube-apiserver')} MiB"
        )
        return result
    finally:
        try:
            clean(namespace, runner)
        except Exception as e:  # the figures are taken: a control plane too loaded to clean up must not lose them
            log(f"  scale: {runner} {n}: cleaning {namespace} failed, the next run may see its pods: {e}"[:500])


TRANSIENT = (429, 500, 502, 503, 504)  # an API server too busy to answer in time: ask again


def transient(probe: Callable[[], str | None]) -> str | None:
    """A probe's answer, or None (not yet) when the API server was too busy to give one."""
    try:
        return probe()
    except ApiException as e:
        if e.status not in TRANSIENT:
            raise
        return None


def retrying(call: Callable[[], Any], attempts: int = 5) -> Any:
    """call(), asked again (2 s apart) while the API server is too busy to answer."""
    for attempt in range(attempts):
        try:
            return call()
        except ApiException as e:
            if e.status not in TRANSIENT or attempt == attempts - 1:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def check_addresses(pods: list[dict[str, Any]]) -> int:
    """No traffic leaves the machine (sequential_job.local_addresses): every node's and pod's address is here and
    every kubelet endpoint, kwok's included, is served; and a simulated pod's log comes from kwok, at the address its
    node advertises. Returns how many addresses were checked; raises on any problem."""
    found = list(local_addresses.endpoints(kube_lists.items(client.CoreV1Api().list_node), pods))
    problems = local_addresses.problems(found, local_addresses.cluster_bridges(state()))
    if problems:
        raise RuntimeError("addresses that leave the machine or are not served:\n" + "\n".join(problems[:20]))
    pod = pods[0]
    text = client.CoreV1Api().read_namespaced_pod_log(
        pod["metadata"]["name"], pod["metadata"]["namespace"], container=pod["spec"]["containers"][0]["name"]
    )
    # The file is in the CRI's log format (time, stream, tag, message); the API returns the message.
    if text.strip() != KWOK_POD_LOG.read_text().split(" ", 3)[3].strip():
        raise RuntimeError(f"the log of a simulated pod is not kwok's ({KWOK_POD_LOG}): {text[:200]!r}")
    return len(found)


def clean(namespace: str, runner: str) -> None:
    """Delete the run's objects: the workloads first (orphaning their pods), then every pod at once (the namespace
    controller would delete them one by one at its 20 requests a second), then the namespace."""
    orphan = client.V1DeleteOptions(propagation_policy="Orphan")
    try:
        client.BatchV1Api().delete_collection_namespaced_job(namespace, body=orphan)
        if runner == "volcano":
            client.CustomObjectsApi().delete_collection_namespaced_custom_object(
                "batch.volcano.sh", "v1alpha1", namespace, "jobs"
            )
    except ApiException as e:
        if e.status != 404:
            raise
    delete_namespace(namespace, timeout=1800, force_pods=True)
    if runner == "kueue":
        delete_kueue_queue(namespace)


# --- mount: what every pod's kubelet writes for the shards ConfigMap ----------------------------------------------


def mount(log: Callable[[str], None]) -> dict[str, Any]:
    """On the real node: a one-step pod that mounts a ConfigMap of K shards, one key per shard (what the chart mounts
    today) against all K in one key; the seconds from the pod's binding to its step running (the kubelet's volume
    setup is most of it), the files and bytes written into the pod's volume, measured on the node."""
    core = client.CoreV1Api()
    namespace = new_namespace("scale-mount")
    results: dict[str, Any] = {}
    try:
        for keys in MOUNT_KEYS:
            shards = shard_list(SHORT, keys)
            for layout in ("one key per shard", "one key"):
                data = {str(i): s for i, s in enumerate(shards)} if layout == "one key per shard" else {
                    "shards": "\n".join(shards)
                }  # fmt: skip
                name = f"m{keys}-{'keys' if layout == 'one key per shard' else 'one'}"
                core.create_namespaced_config_map(
                    namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data=data, immutable=True)
                )
                samples = [mount_once(namespace, name, i) for i in range(3)]
                seconds = sorted(s["seconds"] for s in samples)
                results.setdefault(str(keys), {})[layout] = {
                    "seconds_median": round(seconds[1], 2),
                    "seconds": [round(s, 2) for s in seconds],
                    "files": samples[0]["files"],
                    "bytes": samples[0]["bytes"],
                }
                log(f"  scale: mount {keys} shards, {layout}: {seconds[1]:.2f} s, {samples[0]['files']} files")
    finally:
        delete_namespace(namespace)
    return {"keys": list(MOUNT_KEYS), "shape": SHORT, "layouts": results}


def mount_once(namespace: str, configmap: str, i: int) -> dict[str, Any]:
    core = client.CoreV1Api()
    name = f"{configmap}-{i}"
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1PodSpec(
            restart_policy="Never",
            node_name="sequential-job-node",
            containers=[
                client.V1Container(
                    name="step", image="busybox:1.36", command=["sh", "-c", "sleep 30"],
                    volume_mounts=[client.V1VolumeMount(name="shards", mount_path="/shards", read_only=True)],
                )
            ],
            volumes=[client.V1Volume(name="shards", config_map=client.V1ConfigMapVolumeSource(name=configmap))],
        ),
    )  # fmt: skip
    start = time.monotonic()
    created = core.create_namespaced_pod(namespace, pod)
    while True:
        p = core.read_namespaced_pod(name, namespace)
        statuses = p.status.container_statuses or []
        if statuses and statuses[0].state.running:
            break
        if time.monotonic() - start > 120:
            raise TimeoutError(f"pod {name} not running after 120 s")
        time.sleep(0.05)
    seconds = time.monotonic() - start
    volume = state() / "nodes" / "sequential-job-node" / "kubelet" / "pods" / created.metadata.uid / "volumes"
    volume = volume / "kubernetes.io~configmap" / "shards"
    files = [f for f in volume.rglob("*") if f.is_file() and not f.is_symlink()]
    written = sum(f.stat().st_size for f in files)
    core.delete_namespaced_pod(name, namespace, grace_period_seconds=0)
    return {"seconds": seconds, "files": len(files), "bytes": written}


# --- the part ----------------------------------------------------------------------------------------------------


def limits() -> dict[str, Any]:
    """The rate limits of the clients that create, bind and update the pods (their defaults, as the embedded cluster
    runs them)."""
    return {
        "kube-controller-manager (Job controller) QPS/burst": "20/30",
        "kube-controller-manager in indexed-qps": f"{FAST_CONTROLLER_QPS}/{FAST_CONTROLLER_QPS * 3 // 2}",
        "kube-scheduler QPS/burst": "50/100",
        "vc-controller-manager QPS/burst": "50/100",
        "vc-scheduler QPS/burst": "2000/2000",
        "kwok": "unlimited",
    }


def run_all(quick: bool, log: Callable[[str], None] = print) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    state()
    load_before = load_average()
    nodes_seconds = create_nodes(plan.nodes, log)
    runs: dict[str, dict[str, Any]] = {r: {} for r in RUNNERS}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmpdir:
            for n in sorted(set(plan.sizes) | set(plan.separate_sizes)):
                for runner in RUNNERS:
                    if n not in (plan.separate_sizes if runner == "separate" else plan.sizes):
                        continue
                    runs[runner][str(n)] = measure(runner, n, plan, Path(tmpdir), log)
    finally:
        delete_nodes()
    return {
        "nodes": plan.nodes,
        "sizes": list(plan.sizes),
        "separate_sizes": list(plan.separate_sizes),
        "steps": 3,
        "step_seconds": STEP_SECONDS,
        "request": {"cpu_m": REQUEST_MILLICPU, "memory_mib": REQUEST_MIB},
        "node_capacity": NODE_CAPACITY,
        "nodes_ready_seconds": round(nodes_seconds, 1),
        "client_limits": limits(),
        "fast_controller_qps": FAST_CONTROLLER_QPS,
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "runs": runs,
        "mount": mount(log),
    }


def add_runs(pairs: list[tuple[str, int]], results_path: Path, log: Callable[[str], None] = print) -> None:
    """Measure (runner, shards) pairs into the scale part of a full run's results.json, beside its other runs: a run
    at 10 000 shards takes up to half an hour, so one that failed or was left out can be measured on its own."""
    results = json.loads(results_path.read_text())
    scale = results.get("scale")
    if not scale or results.get("meta", {}).get("quick"):
        raise SystemExit(f"{results_path} holds no full run's scale part to add to")
    plan = FULL
    for runner, n in pairs:
        if runner not in RUNNERS or n not in (plan.separate_sizes if runner == "separate" else plan.sizes):
            raise SystemExit(f"--add {runner}:{n}: not a run of the full plan ({', '.join(RUNNERS)}; {plan.sizes})")
    state()
    scale.update(client_limits=limits(), fast_controller_qps=FAST_CONTROLLER_QPS)
    create_nodes(plan.nodes, log)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmpdir:
            for runner, n in pairs:
                measured = measure(runner, n, plan, Path(tmpdir), log)
                measured["measured"] = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
                scale["runs"].setdefault(runner, {})[str(n)] = measured
                results_path.write_text(json.dumps(results, indent=1) + "\n")  # a later run's failure keeps this
    finally:
        delete_nodes()


if __name__ == "__main__":
    import argparse

    from bench.cluster import connect
    from sequential_job.paths import ROOT

    parser = argparse.ArgumentParser(description=add_runs.__doc__)
    parser.add_argument("--add", nargs="+", required=True, metavar="RUNNER:SHARDS", help="e.g. volcano:10000")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    pairs = [(runner, n) for runner, _, n in (a.partition(":") for a in args.add)]
    if bad := [f"{runner}:{n}" for runner, n in pairs if not n.isdigit()]:
        parser.error(f"--add takes RUNNER:SHARDS, e.g. volcano:10000, not {', '.join(bad)}")
    connect()
    add_runs([(runner, int(n)) for runner, n in pairs], args.results)
