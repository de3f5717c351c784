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


@pytest.fixture
def namespace(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace per test, named after it, deleted afterwards."""
    name = new_namespace(request.node.name)
    yield name
    delete_namespace(name)
