"""No traffic leaves the machine: every address the cluster's nodes and pods give is on this machine, and every
kubelet endpoint is served here (sequential_job.local_addresses). Checked with a chain running on each of the two
nodes, so that both nodes' kubelets and both bridges' pods are in it (marker `nodes`, with the two-node tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e.cluster import eventually, install, pods
from sequential_job.local_addresses import check
from sequential_job.values import chain

pytestmark = pytest.mark.nodes


def test_every_address_stays_on_this_machine(namespace: str) -> None:
    state = os.environ.get("EMBEDDED_CLUSTER")
    if not state:
        pytest.fail("the address check reads the embedded cluster's CNI configuration: run it with `make e2e`")
    spread = {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/instance": "here"}},
    }
    values = chain(1, shards=["a", "b"], job={"parallelism": 2}, pod={"topologySpreadConstraints": [spread]})
    values["steps"][0]["script"] = "sleep 60"
    install("helm", "here", namespace, values=values)

    def running() -> list | None:
        found = pods(namespace, "here")
        return found if len(found) == 2 and all(p.status.phase == "Running" for p in found) else None

    found = eventually(running, 120, "both pods to run")
    assert len({p.spec.node_name for p in found}) == 2, [p.spec.node_name for p in found]
    count, problems = check(Path(state))
    assert problems == [], problems
    # Two nodes (an InternalIP each) and two pods (a hostIP and a podIP each), at least.
    assert count >= 2 + 2 * 2, count
