"""Reading a release from the Kubernetes API: its pods, its Jobs and Volcano Jobs, its shards, a step's log."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from kubectl_sequential_job.chain import (
    RUNNING,
    VOLCANO,
    Workload,
    job_workload,
    selector,
    shards_config_map,
    summarise,
    vcjob_workload,
    workload_of,
)

# Where a pod finds its own namespace (the in-cluster configuration's counterpart of a kubeconfig context's).
SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


class ConfigError(Exception):
    """No usable kubeconfig (or in-cluster configuration), or no such context."""


def connect(kubeconfig: str | None, context: str | None) -> tuple[Any, str]:
    """An API client for the kubeconfig (default: $KUBECONFIG, else ~/.kube/config) and context (default: its
    current one), and the namespace that context names ("default" when it names none). Inside a pod with no
    kubeconfig: the pod's service account and namespace."""
    try:
        contexts, current = config.list_kube_config_contexts(config_file=kubeconfig)
    except config.ConfigException as e:
        if kubeconfig is None and context is None and config.incluster_config.SERVICE_HOST_ENV_NAME in os.environ:
            config.load_incluster_config()
            return client.ApiClient(), SERVICE_ACCOUNT_NAMESPACE.read_text().strip()
        raise ConfigError(f"no usable kubeconfig: {e}") from e
    chosen = current if context is None else next((c for c in contexts if c["name"] == context), None)
    if chosen is None:
        names = ", ".join(sorted(c["name"] for c in contexts))
        raise ConfigError(f"no context {context!r} in the kubeconfig (it has: {names})")
    try:
        api = config.new_client_from_config(config_file=kubeconfig, context=chosen["name"])
    except config.ConfigException as e:
        raise ConfigError(f"context {chosen['name']!r}: {e}") from e
    return api, chosen.get("context", {}).get("namespace") or "default"


@dataclass
class Cluster:
    """The three APIs a release's objects come from (real clients, or stand-ins in the tests)."""

    core: Any
    batch: Any
    custom: Any

    @classmethod
    def of(cls, api: Any) -> Cluster:
        return cls(client.CoreV1Api(api), client.BatchV1Api(api), client.CustomObjectsApi(api))

    def pods(self, namespace: str, release: str) -> list[Any]:
        """The release's pods, oldest first."""
        pods = self.core.list_namespaced_pod(namespace, label_selector=selector(release)).items
        return sorted(pods, key=lambda p: p.metadata.creation_timestamp)

    def workloads(self, namespace: str, release: str) -> list[Workload]:
        """The release's Jobs and Volcano Jobs (one per revision that is still there), oldest first."""
        jobs = self.batch.list_namespaced_job(namespace, label_selector=selector(release)).items
        found = [job_workload(job) for job in jobs]
        try:
            vcjobs = self.custom.list_namespaced_custom_object(
                *VOLCANO[:2], namespace, VOLCANO[2], label_selector=selector(release)
            )["items"]
        except ApiException as e:
            if e.status != 404:  # 404: Volcano's CRD is not installed
                raise
            vcjobs = []
        found += [vcjob_workload(job) for job in vcjobs]
        return sorted(found, key=lambda w: w.created)

    def outcome(self, namespace: str, release: str) -> str:
        return summarise(self.workloads(namespace, release))[0]

    def wait_until_finished(self, namespace: str, release: str, timeout: float) -> None:
        """Poll until the release's newest workload has completed or failed, or the timeout passes."""
        deadline = time.monotonic() + timeout
        while self.outcome(namespace, release) == RUNNING and time.monotonic() < deadline:
            time.sleep(1)

    def shard_inputs(self, namespace: str, config_map: str | None, warn: Callable[[str], None]) -> dict[str, str]:
        """The shards (index -> input) in the ConfigMap the pods mount as their shards volume; {} when they mount
        none. A ConfigMap that is gone is told to `warn`: the shards are then missing from the output."""
        if config_map is None:
            return {}
        try:
            return self.core.read_namespaced_config_map(config_map, namespace).data or {}
        except ApiException as e:
            if e.status != 404:
                raise
            warn(f"the shards ConfigMap {config_map} is not in namespace {namespace}: the shard inputs are not shown")
            return {}

    def log(self, pod: Any, container: str) -> str:
        try:
            return self.core.read_namespaced_pod_log(pod.metadata.name, pod.metadata.namespace, container=container)
        except ApiException as e:
            return f"(logs unavailable: {e.reason})\n"


def newest_pods(pods: list[Any], workload: Workload | None) -> list[Any]:
    """The pods of the newest workload (all pods when the release has no workload left)."""
    name = workload.name if workload else workload_of(pods[-1]) if pods else None
    return [p for p in pods if workload_of(p) == name]


def shards_config_map_of(workload: Workload | None, pods: list[Any]) -> str | None:
    """The shards ConfigMap's name: from the workload's pod template, else from the newest pod's volumes."""
    if workload is not None and workload.shards_config_map:
        return workload.shards_config_map
    return shards_config_map(pods[-1].spec.volumes) if pods else None
