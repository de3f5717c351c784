"""What only more than one node shows: shards spread over the nodes, and a Volcano gang that fits only across them.

These need two Ready nodes (`make e2e` adds the embedded cluster's second one for them: scripts/cluster/node-up.sh 2;
or start it with NODES=2) and run alone on the cluster, after the rest (marker `nodes`), since they fill both nodes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from kubernetes import client

from e2e.cluster import eventually, install, pods, vcjob_phase, vcjobs, wait_finished
from sequential_job.values import chain

pytestmark = pytest.mark.nodes

HOSTNAME = "kubernetes.io/hostname"
SHARDS = ["a", "b", "c", "d"]


@pytest.fixture(scope="module")
def nodes() -> list[str]:
    """The names of the cluster's Ready nodes that take pods (two or more), sorted."""
    ready = []
    for node in client.CoreV1Api().list_node().items:
        schedulable = not node.spec.unschedulable and not [
            t for t in node.spec.taints or [] if t.effect != "PreferNoSchedule"
        ]
        if schedulable and any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or []):
            ready.append(node.metadata.name)
    if len(ready) < 2:
        pytest.fail(
            f"these tests need two Ready nodes that take pods, found {ready}: start the embedded cluster with "
            "NODES=2, or add a node with scripts/cluster/node-up.sh 2"
        )
    return sorted(ready)


def placement(namespace: str, release: str) -> Counter[str]:
    return Counter(p.spec.node_name for p in pods(namespace, release))


def on_two(nodes: list[str], preferred: str | None = None) -> dict[str, Any]:
    """Node affinity: only the first two nodes (should the cluster have more), and a strong preference for one of
    them, which the scheduler follows unless a hard rule says otherwise."""
    two = {"matchExpressions": [{"key": HOSTNAME, "operator": "In", "values": nodes[:2]}]}
    affinity: dict[str, Any] = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [two]}}
    if preferred:
        one = {"matchExpressions": [{"key": HOSTNAME, "operator": "In", "values": [preferred]}]}
        affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [{"weight": 100, "preference": one}]
    return {"nodeAffinity": affinity}


def test_preference_alone_puts_every_shard_on_one_node(nodes: list[str], namespace: str) -> None:
    """The control for the spread below: with nothing else, the preference puts all four shards on the first node."""
    pod = {"affinity": on_two(nodes, preferred=nodes[0])}
    install("helm", "packed", namespace, values=chain(2, shards=SHARDS, job={"parallelism": 4}, pod=pod))
    assert wait_finished(namespace, "packed", timeout=180) == "completed"
    assert placement(namespace, "packed") == {nodes[0]: 4}


def test_topology_spread_puts_the_shards_on_every_node(nodes: list[str], namespace: str) -> None:
    """pod.topologySpreadConstraints (at most one more shard on a node than on another, a hard rule) overrides the
    same preference: two shards on each node."""
    spread = {
        "maxSkew": 1,
        "topologyKey": HOSTNAME,
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app.kubernetes.io/instance": "spread"}},
    }
    pod = {"affinity": on_two(nodes, preferred=nodes[0]), "topologySpreadConstraints": [spread]}
    install("helm", "spread", namespace, values=chain(2, shards=SHARDS, job={"parallelism": 4}, pod=pod))
    assert wait_finished(namespace, "spread", timeout=180) == "completed"
    assert placement(namespace, "spread") == {nodes[0]: 2, nodes[1]: 2}


def cpu_of(node: str) -> int:
    """The node's allocatable CPUs, in millicores."""
    quantity = client.CoreV1Api().read_node(node).status.allocatable["cpu"]
    return int(quantity[:-1]) if quantity.endswith("m") else int(quantity) * 1000


def volcano_gang(nodes: list[str], shards: int) -> dict[str, Any]:
    """A Volcano Job of `shards` shards on the first two nodes, all ganged (minAvailable = shards), each pod
    requesting 60% of the smaller node's CPUs: one fits on a node, two do not."""
    request = min(cpu_of(n) for n in nodes[:2]) * 6 // 10
    return chain(
        2,
        shards=[f"s{i}" for i in range(shards)],
        volcano={"enabled": True, "minAvailable": shards},
        stepDefaults={"resources": {"requests": {"cpu": f"{request}m"}}},
        pod={"affinity": on_two(nodes)},
    )


def test_volcano_gang_fits_only_across_both_nodes(nodes: list[str], namespace: str) -> None:
    """Two shards that each need more than half a node: one per node, both placed together by Volcano's gang."""
    install("helm", "gang", namespace, values=volcano_gang(nodes, 2))

    def done() -> dict | None:
        found = vcjobs(namespace, "gang")
        return found[-1] if found and vcjob_phase(found[-1]) in {"Completed", "Failed", "Aborted"} else None

    job = eventually(done, 180, "the Volcano Job of gang to finish")
    assert vcjob_phase(job) == "Completed", job["status"]
    on_nodes = placement(namespace, "gang")
    assert on_nodes == {nodes[0]: 1, nodes[1]: 1}, on_nodes


def test_volcano_gang_that_does_not_fit_starts_no_pod(nodes: list[str], namespace: str) -> None:
    """Three such shards, all ganged: only two fit on the two nodes, so Volcano binds none (the control for the test
    above: the gang is all or nothing, not first come, first placed)."""
    install("helm", "toobig", namespace, values=volcano_gang(nodes, 3))

    def unschedulable() -> dict | None:
        groups = client.CustomObjectsApi().list_namespaced_custom_object(
            "scheduling.volcano.sh", "v1beta1", namespace, "podgroups"
        )["items"]
        for group in groups:
            for c in group.get("status", {}).get("conditions", []):
                if c.get("type") == "Unschedulable" and c.get("status") == "True":
                    return group
        return None

    group = eventually(unschedulable, 120, "Volcano to find the gang unschedulable", interval=1)
    assert group["spec"]["minMember"] == 3, group
    bound = [p.metadata.name for p in pods(namespace, "toobig") if p.spec.node_name]
    assert bound == [], f"pods bound although the gang does not fit: {bound}"
