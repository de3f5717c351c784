"""Plain pods for the end-to-end tests that check the cluster itself rather than the chart (test_storage.py,
test_images.py): restricted Pod Security's settings for a non-root pod, and running a pod to its end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubernetes import client

from e2e.cluster import eventually
from sequential_job.values import IMAGE

# The non-root identity the chart's step runtime runs as.
UID = 65532
POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": UID,
    "runAsGroup": UID,
    "fsGroup": UID,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}


def container(
    name: str, script: str, mounts: Sequence[dict[str, Any]] = (), env: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """A container of the busybox image running `script` under `sh -c` with `set -eu`."""
    return {
        "name": name,
        "image": IMAGE,
        "command": ["sh", "-c", f"set -eu\n{script}"],
        "env": list(env),
        "volumeMounts": list(mounts),
        "securityContext": CONTAINER_SECURITY,
    }


def pod_spec(
    containers: Sequence[dict[str, Any]], volumes: Sequence[dict[str, Any]] = (), init: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """A pod that runs once, as UID under restricted Pod Security."""
    return {
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": 5,
        "automountServiceAccountToken": False,
        "securityContext": POD_SECURITY,
        "initContainers": list(init),
        "containers": list(containers),
        "volumes": list(volumes),
    }


def create_pod(namespace: str, name: str, spec: dict[str, Any]) -> None:
    client.CoreV1Api().create_namespaced_pod(
        namespace, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}
    )


def wait_pod(namespace: str, name: str, timeout: float = 120) -> Any:
    """The pod once it has succeeded or failed."""

    def finished() -> Any:
        pod = client.CoreV1Api().read_namespaced_pod(name, namespace)
        return pod if pod.status.phase in ("Succeeded", "Failed") else None

    return eventually(finished, timeout, f"pod {name} in {namespace} to finish", interval=0.5)


def run_pod(namespace: str, name: str, spec: dict[str, Any], timeout: float = 120) -> Any:
    """Create a pod and wait until it has succeeded; fail with its containers' states and logs if it fails."""
    create_pod(namespace, name, spec)
    pod = wait_pod(namespace, name, timeout)
    assert pod.status.phase == "Succeeded", describe(pod)
    return pod


def describe(pod: Any) -> str:
    """The pod's phase and every container's state and log, for a failure message."""
    lines = [f"pod {pod.metadata.name}: {pod.status.phase}"]
    for status in (pod.status.init_container_statuses or []) + (pod.status.container_statuses or []):
        lines.append(f"  {status.name}: {status.state}")
        try:
            lines.append(log(pod, status.name))
        except client.ApiException as e:
            lines.append(f"  (no log: {e.reason})")
    return "\n".join(lines)


def log(pod: Any, container: str) -> str:
    return client.CoreV1Api().read_namespaced_pod_log(pod.metadata.name, pod.metadata.namespace, container=container)
