"""Resource requests: Kubernetes quantities as numbers, and what the scheduler reserves for a pod."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sequential_job.manifest import is_sidecar

SUFFIXES = {
    "": 1,
    "m": Decimal("0.001"),
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}
QUANTITY = re.compile(r"^([+]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")


def quantity(value: Any) -> Decimal:
    """A Kubernetes resource quantity ("3", "100m", "64Mi", 2) as a number of cores or bytes."""
    match = QUANTITY.match(str(value))
    if not match or match.group(2) not in SUFFIXES:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    return Decimal(match.group(1)) * SUFFIXES[match.group(2)]


def request(container: dict[str, Any], resource: str) -> Decimal:
    return quantity(((container.get("resources") or {}).get("requests") or {}).get(resource, 0))


def pod_request(pod_spec: dict[str, Any], resource: str) -> Decimal:
    """What the scheduler reserves, by Kubernetes' formula: an init container needs its request plus the sidecars
    (restartPolicy Always) started before it, a sidecar adds to everything after it, and the regular containers need
    their sum plus every sidecar; the pod reserves the largest."""
    sidecars = Decimal(0)
    largest = Decimal(0)
    for container in pod_spec.get("initContainers", []):
        if is_sidecar(container):
            sidecars += request(container, resource)
            largest = max(largest, sidecars)
        else:
            largest = max(largest, request(container, resource) + sidecars)
    regular = sum((request(c, resource) for c in pod_spec.get("containers", [])), Decimal(0))
    return max(largest, regular + sidecars)


def all_at_once(pod_spec: dict[str, Any], resource: str) -> Decimal:
    """The sum over every container: what a runner that starts all steps (and sidecars) together reserves."""
    containers = pod_spec.get("initContainers", []) + pod_spec.get("containers", [])
    return sum((request(c, resource) for c in containers), Decimal(0))
