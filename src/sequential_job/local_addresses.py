"""No traffic leaves the machine: every address the embedded cluster's objects give (nodes, their kubelet endpoints,
pods) is on this machine, and every kubelet endpoint is served by a process here.

The API server contacts a node at its InternalIP and the port it advertises (logs, exec, port-forward, metrics
through the node proxy), and whatever talks to a pod does so at its podIP. An address is on this machine when the
kernel routes it locally (`ip route get`: a local address, this machine's own or loopback) or onto a bridge of the
cluster's own (the pods' network namespaces behind the nodes' CNI bridges, .cluster/nodes/*/cni/net.d). A real node
advertises the node address with its kubelet's port, a simulated one (kwok) the same address with kwok's port; kwok
gives its pods the node address too. Used by the end-to-end suite (tests/e2e/test_addresses.py) and the bench's
scale part on its simulated nodes.

    python -m sequential_job.local_addresses   # with KUBECONFIG and EMBEDDED_CLUSTER set (with-cluster.sh)
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sequential_job import kube_lists


@dataclass(frozen=True)
class Endpoint:
    what: str  # e.g. "node sequential-job-node InternalIP" or "pod ns/name podIP"
    address: str
    port: int | None = None  # a port a process must serve at the address (a kubelet's)


def cluster_bridges(state: Path) -> set[str]:
    """The CNI bridges of the embedded cluster's nodes, from their CNI configurations."""
    bridges = set()
    for conflist in state.glob("nodes/*/cni/net.d/*.conflist"):
        for plugin in json.loads(conflist.read_text()).get("plugins", []):
            if plugin.get("type") == "bridge" and plugin.get("bridge"):
                bridges.add(plugin["bridge"])
    return bridges


def route(address: str) -> dict[str, Any]:
    """How the kernel would send a packet to the address (`ip -j route get`)."""
    done = subprocess.run(["ip", "-j", "route", "get", address], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip()}
    routes = json.loads(done.stdout)
    return routes[0] if routes else {}


def stays_here(address: str, bridges: set[str]) -> str | None:
    """None when a packet to the address stays on this machine, else why not."""
    found = route(address)
    if "error" in found:
        return f"no route: {found['error']}"
    if found.get("type") == "local" or found.get("dev") == "lo":
        return None
    if found.get("dev") in bridges and not found.get("gateway"):
        return None
    via = f" via {found['gateway']}" if found.get("gateway") else ""
    return f"routed out of the machine: dev {found.get('dev')}{via}"


def served(address: str, port: int, timeout: float = 3) -> bool:
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def endpoints(nodes: Iterable[dict[str, Any]], pods: Iterable[dict[str, Any]]) -> Iterator[Endpoint]:
    """The addresses nodes and pods give (as the API returns them, plain dicts). A node's Hostname address is a name
    the API server does not use here (it prefers InternalIP, --kubelet-preferred-address-types)."""
    for node in nodes:
        name = node["metadata"]["name"]
        status = node.get("status", {})
        port = status.get("daemonEndpoints", {}).get("kubeletEndpoint", {}).get("Port")
        for entry in status.get("addresses", []):
            if entry["type"] in ("InternalIP", "ExternalIP"):
                yield Endpoint(
                    f"node {name} {entry['type']}", entry["address"], port if entry["type"] == "InternalIP" else None
                )
    for pod in pods:
        where = f"pod {pod['metadata']['namespace']}/{pod['metadata']['name']}"
        status = pod.get("status", {})
        for key in ("hostIPs", "podIPs"):
            for entry in status.get(key) or []:
                yield Endpoint(f"{where} {key[:-1]}", entry["ip"])


def problems(found: Iterable[Endpoint], bridges: set[str]) -> list[str]:
    """What does not stay on this machine, or advertises a port no process here serves. Each distinct address and
    port is checked once."""
    out = []
    checked: dict[str, str | None] = {}
    served_ports: dict[tuple[str, int], bool] = {}
    for e in found:
        if e.address not in checked:
            checked[e.address] = stays_here(e.address, bridges)
        if why := checked[e.address]:
            out.append(f"{e.what} {e.address}: {why}")
            continue
        if e.port is not None:
            key = (e.address, e.port)
            if key not in served_ports:
                served_ports[key] = served(e.address, e.port)
            if not served_ports[key]:
                out.append(f"{e.what} {e.address}: nothing serves port {e.port} there")
    return out


def check(state: Path) -> tuple[int, list[str]]:
    """Every endpoint of the cluster in $KUBECONFIG, checked: (how many, the problems)."""
    from kubernetes import client, config  # only where a cluster is checked

    config.load_kube_config()
    core = client.CoreV1Api()
    found = list(endpoints(kube_lists.items(core.list_node), kube_lists.items(core.list_pod_for_all_namespaces)))
    return len(found), problems(found, cluster_bridges(state))


def main() -> int:
    state = os.environ.get("EMBEDDED_CLUSTER")
    if not state:
        print(
            "run it on the embedded cluster: scripts/cluster/with-cluster.sh python -m sequential_job.local_addresses"
        )
        return 2
    count, found = check(Path(state))
    for problem in found:
        print(problem)
    print(f"{count} addresses of nodes and pods, {len(found)} leaving the machine or not served")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
