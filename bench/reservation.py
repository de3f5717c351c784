"""Part 5, reservation: per overlay in values/, the pod's effective CPU and memory request under the chart's chaining
(init containers run one at a time; a sidecar's request adds to every step it runs beside: Kubernetes' own formula)
against the sum over all containers (what a runner that starts every step as a regular container of the pod
reserves)."""

from __future__ import annotations

from typing import Any

from sequential_job.overlays import discover_overlays
from sequential_job.render import render
from sequential_job.requests import all_at_once, pod_request, request

RESOURCES = ("cpu", "memory")


def run(quick: bool = False, log=print) -> dict[str, Any]:
    overlays = {}
    for overlay in discover_overlays():
        manifest = render(overlay.files)
        spec = manifest.pod_spec()
        steps, sidecars = manifest.steps(), manifest.sidecars()
        row: dict[str, Any] = {"files": [f.name for f in overlay.files], "steps": len(steps), "sidecars": len(sidecars)}
        for resource in RESOURCES:
            chained, summed = pod_request(spec, resource), all_at_once(spec, resource)
            row[resource] = {
                "per_step": [float(request(s.container, resource)) for s in steps],
                "per_sidecar": [float(request(c, resource)) for c in sidecars],
                "chained": float(chained),  # what the scheduler reserves for this pod
                "all_at_once": float(summed),  # every step and sidecar a regular container
                "ratio": float(summed / chained) if chained else None,
            }
        overlays[overlay.name] = row
        log(f"  reservation: {overlay.name} ({len(steps)} steps, {len(sidecars)} sidecars)")
    return {"overlays": overlays}
