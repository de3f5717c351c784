"""Cluster helpers for the benchmark parts that need Kubernetes (handoff, scale limit): namespaces that are gone
before the next measurement starts, and waiting on a Job without polling delay."""

from __future__ import annotations

import time
import uuid
from typing import Any

from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException


def connect() -> None:
    config.load_kube_config()


def new_namespace(prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    client.CoreV1Api().create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    # The service account controller creates `default` shortly after; pods cannot be created before it exists.
    deadline = time.monotonic() + 60
    while True:
        try:
            client.CoreV1Api().read_namespaced_service_account("default", name)
            return name
        except ApiException as e:
            if e.status != 404 or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def delete_namespace(name: str, timeout: float = 300, force_pods: bool = False) -> None:
    """Delete the namespace and wait until it is gone, so its pods' teardown does not load the next measurement.

    force_pods deletes its pods with no grace period first: a pod whose status the API server refuses (too large)
    cannot finish a graceful deletion, because the kubelet never gets to record that its containers stopped.
    """
    core = client.CoreV1Api()
    if force_pods:
        try:
            core.delete_collection_namespaced_pod(name, grace_period_seconds=0)
        except ApiException as e:
            if e.status != 404:
                raise
    try:
        core.delete_namespace(name, propagation_policy="Background")
    except ApiException as e:
        if e.status != 404:
            raise
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            core.read_namespace(name)
        except ApiException as e:
            if e.status == 404:
                return
            raise
        time.sleep(0.5)
    raise TimeoutError(f"namespace {name} still exists after {timeout:.0f}s")


def job_outcome(job: Any) -> str | None:
    """ "completed", "failed", or None while the Job runs (as `kubectl wait --for=condition=complete` sees it)."""
    for c in (job.status and job.status.conditions) or []:
        if c.status == "True" and c.type == "Complete":
            return "completed"
        if c.status == "True" and c.type == "Failed":
            return "failed"
    return None


def wait_job(namespace: str, name: str, timeout: float) -> str:
    """Wait for the Job's outcome through a watch, so the moment it completes is seen without a polling interval."""
    batch = client.BatchV1Api()
    deadline = time.monotonic() + timeout
    while True:
        try:
            job = batch.read_namespaced_job(name, namespace)
        except ApiException as e:
            if e.status != 404:
                raise
            job, version = None, None
        else:
            if outcome := job_outcome(job):
                return outcome
            version = job.metadata.resource_version
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"Job {namespace}/{name} did not finish in {timeout:.0f}s")
        stream = watch.Watch().stream(
            batch.list_namespaced_job,
            namespace,
            field_selector=f"metadata.name={name}",
            resource_version=version,
            timeout_seconds=max(1, int(remaining)),
        )
        for event in stream:
            if outcome := job_outcome(event["object"]):
                return outcome
        # The watch ended (timeout or a dropped connection): read again and watch on.
