"""Helpers for the end-to-end suite: install releases with the real helm, wait on real Jobs, read real pods."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from kubernetes import client

from kubectl_sequential_job.chain import RUNNING, selector, step_runs
from kubectl_sequential_job.cluster import Cluster
from sequential_job.helm import HelmRun, install_args, run_helm
from sequential_job.render import values_yaml
from sequential_job.tools import tool

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float, what: str, interval: float = 1.0) -> T:
    """Poll probe until it returns something truthy; fail naming `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def helm(helm_name: str, *args: str, stdin: str | None = None, check: bool = True) -> HelmRun:
    return run_helm(helm_name, *args, stdin=stdin, check=check, timeout=300)


def install(
    helm_name: str,
    release: str,
    namespace: str,
    files: Sequence[str | os.PathLike[str]] = (),
    values: Mapping[str, Any] | None = None,
    command: str = "install",
    check: bool = True,
    extra_args: Sequence[str] = (),
) -> HelmRun:
    """`helm install` (or `upgrade`) the chart; values files first, then `values` on stdin, then extra_args."""
    stdin = None if values is None else values_yaml(values)
    args = install_args(release, files, stdin is not None, namespace=namespace, command=command, flags=extra_args)
    return helm(helm_name, *args, stdin=stdin, check=check)


def server_version() -> tuple[int, int]:
    """The cluster's Kubernetes (major, minor), for the features that exist only from some version on."""
    info = client.VersionApi().get_code()
    return int(info.major), int(info.minor.rstrip("+"))


def jobs(namespace: str, release: str) -> list[Any]:
    return client.BatchV1Api().list_namespaced_job(namespace, label_selector=selector(release)).items


def pods(namespace: str, release: str) -> list[Any]:
    items = client.CoreV1Api().list_namespaced_pod(namespace, label_selector=selector(release)).items
    return sorted(items, key=lambda p: p.metadata.creation_timestamp)


def finished(namespace: str, release: str) -> Callable[[], str | None]:
    """A probe: "completed" or "failed" once the release's newest workload has finished, else None."""

    def probe() -> str | None:
        outcome = Cluster.of(None).outcome(namespace, release)
        return None if outcome == RUNNING else outcome

    return probe


def wait_finished(namespace: str, release: str, timeout: float = 120) -> str:
    """Wait until the release's newest workload has completed or failed; returns "completed" or "failed"."""
    return eventually(finished(namespace, release), timeout, f"release {release} in {namespace} to finish")


def logs(pod: Any, container: str) -> str:
    return client.CoreV1Api().read_namespaced_pod_log(pod.metadata.name, pod.metadata.namespace, container=container)


def the_pod(namespace: str, release: str) -> Any:
    found = pods(namespace, release)
    assert len(found) == 1, f"expected one pod for {release}, found {[p.metadata.name for p in found]}"
    return found[0]


def runs_by_name(pod: Any) -> dict[str, Any]:
    return {r.name: r for r in step_runs(pod)}


def events(namespace: str, name: str) -> list[Any]:
    return client.CoreV1Api().list_namespaced_event(namespace, field_selector=f"involvedObject.name={name}").items


def kubectl(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool("kubectl"), *args], input=stdin, capture_output=True, text=True, timeout=120)


def vcjobs(namespace: str, release: str) -> list[dict[str, Any]]:
    """The release's Volcano Jobs (batch.volcano.sh/v1alpha1), oldest first."""
    items = client.CustomObjectsApi().list_namespaced_custom_object(
        "batch.volcano.sh", "v1alpha1", namespace, "jobs", label_selector=selector(release)
    )["items"]
    return sorted(items, key=lambda j: j["metadata"]["creationTimestamp"])


def vcjob_phase(job: dict[str, Any]) -> str:
    return job.get("status", {}).get("state", {}).get("phase", "")
