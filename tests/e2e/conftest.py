"""The end-to-end suite runs against the cluster in $KUBECONFIG: `make e2e` brings up the embedded one."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client, config


@pytest.fixture(scope="session", autouse=True)
def kube() -> None:
    if not os.environ.get("KUBECONFIG"):
        pytest.fail("the end-to-end suite needs a cluster: run it with `make e2e` (or CLUSTER=existing make e2e)")
    config.load_kube_config()


def new_namespace(prefix: str, labels: dict[str, str] | None = None) -> str:
    name = f"{re.sub(r'[^a-z0-9-]', '-', prefix.lower())[:40].strip('-')}-{uuid.uuid4().hex[:6]}"
    client.CoreV1Api().create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels=labels)))
    return name


def delete_namespace(name: str) -> None:
    client.CoreV1Api().delete_namespace(name, propagation_policy="Background")


# The labels of a namespace that enforces restricted Pod Security.
RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
}


@pytest.fixture
def restricted(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace that enforces restricted Pod Security, as the chart's users may have, deleted afterwards."""
    name = new_namespace(request.node.name, labels=RESTRICTED)
    yield name
    delete_namespace(name)


@pytest.fixture
def namespace(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace per test, named after it, deleted afterwards."""
    name = new_namespace(request.node.name)
    yield name
    delete_namespace(name)


# Kueue (`make e2e` starts it): a queue of a test's own, for the Kueue tests and the feature matrix's Kueue cases.
KUEUE = ("kueue.x-k8s.io", "v1beta2")
FLAVOR = "sequential-job-e2e"


def custom() -> client.CustomObjectsApi:
    return client.CustomObjectsApi()


@pytest.fixture
def local_queue(namespace: str) -> Iterator[tuple[str, str]]:
    """A ClusterQueue of this test's own with 1 CPU of quota, and a LocalQueue `batch` in the namespace pointing at
    it. Yields (local queue, cluster queue); the ClusterQueue is deleted afterwards."""
    try:
        custom().create_cluster_custom_object(
            *KUEUE,
            "resourceflavors",
            {"apiVersion": "/".join(KUEUE), "kind": "ResourceFlavor", "metadata": {"name": FLAVOR}},
        )
    except client.exceptions.ApiException as e:
        if e.status != 409:  # kept and shared across tests and runs
            raise
    cluster_queue = f"e2e-{uuid.uuid4().hex[:8]}"
    custom().create_cluster_custom_object(
        *KUEUE,
        "clusterqueues",
        {
            "apiVersion": "/".join(KUEUE),
            "kind": "ClusterQueue",
            "metadata": {"name": cluster_queue},
            "spec": {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
                "resourceGroups": [
                    {
                        "coveredResources": ["cpu"],
                        "flavors": [{"name": FLAVOR, "resources": [{"name": "cpu", "nominalQuota": "1"}]}],
                    }
                ],
            },
        },
    )
    custom().create_namespaced_custom_object(
        *KUEUE,
        namespace,
        "localqueues",
        {
            "apiVersion": "/".join(KUEUE),
            "kind": "LocalQueue",
            "metadata": {"name": "batch"},
            "spec": {"clusterQueue": cluster_queue},
        },
    )
    yield "batch", cluster_queue
    custom().delete_cluster_custom_object(*KUEUE, "clusterqueues", cluster_queue)
