"""The check that no traffic leaves the machine (sequential_job.local_addresses), on this machine's own routes:
it passes what stays here and names what would not."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from sequential_job.local_addresses import Endpoint, endpoints, problems


@pytest.fixture
def listening() -> Iterator[int]:
    """A port a process here serves on 127.0.0.1."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_loopback_served_passes(listening: int) -> None:
    assert problems([Endpoint("kubelet", "127.0.0.1", listening)], set()) == []


def test_a_port_nothing_serves_is_named() -> None:
    port = free_port()
    assert problems([Endpoint("kubelet", "127.0.0.1", port)], set()) == [
        f"kubelet 127.0.0.1: nothing serves port {port} there"
    ]


def test_an_address_elsewhere_is_named() -> None:
    """A public address leaves by the default route (or has no route, on a machine without one): named either way."""
    found = problems([Endpoint("pod x/y podIP", "198.51.100.7")], set())
    assert len(found) == 1 and found[0].startswith("pod x/y podIP 198.51.100.7: "), found
    assert "routed out of the machine" in found[0] or "no route" in found[0], found


def test_endpoints_reads_nodes_and_pods() -> None:
    node = {
        "metadata": {"name": "n1"},
        "status": {
            "addresses": [{"type": "InternalIP", "address": "192.0.2.2"}, {"type": "Hostname", "address": "n1"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        },
    }
    pod = {
        "metadata": {"namespace": "ns", "name": "p"},
        "status": {"hostIPs": [{"ip": "192.0.2.2"}], "podIPs": [{"ip": "10.88.0.4"}]},
    }
    assert list(endpoints([node], [pod])) == [
        Endpoint("node n1 InternalIP", "192.0.2.2", 10250),
        Endpoint("pod ns/p hostIP", "192.0.2.2"),
        Endpoint("pod ns/p podIP", "10.88.0.4"),
    ]
