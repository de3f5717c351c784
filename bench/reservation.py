"""Part 5, reservation: per overlay in values/, the pod's effective CPU and memory request under the chart's chaining
(init containers run one at a time and there is one regular container, so the largest single step) against the sum
over all steps (what a runner that starts every step as a regular container of the pod reserves)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sequential_job.overlays import discover_overlays
from sequential_job.render import render

RESOURCES = ("cpu", "memory")
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


def requests_of(container: Any) -> dict[str, Decimal]:
    requests = (container.get("resources") or {}).get("requests") or {}
    return {r: quantity(requests[r]) for r in RESOURCES if r in requests}


def run(quick: bool = False, log=print) -> dict[str, Any]:
    overlays = {}
    for overlay in discover_overlays():
        manifest = render(overlay.files)
        steps = manifest.steps()
        per_step = [requests_of(s.container) for s in steps]
        row: dict[str, Any] = {"files": [f.name for f in overlay.files], "steps": len(steps)}
        for resource in RESOURCES:
            values = [r.get(resource, Decimal(0)) for r in per_step]
            chained, summed = max(values), sum(values)
            row[resource] = {
                "per_step": [float(v) for v in values],
                "chained": float(chained),  # max over steps: what the scheduler reserves for this pod
                "all_at_once": float(summed),  # sum over steps: every step a regular container
                "ratio": float(summed / chained) if chained else None,
            }
        overlays[overlay.name] = row
        log(f"  reservation: {overlay.name} ({len(steps)} steps)")
    return {"overlays": overlays}
