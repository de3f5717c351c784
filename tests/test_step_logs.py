"""The kubectl plugin's view of a fanned-out release, on pods built here: an index per pod, a state per index (the
newest pod of each, retries counted, indexes without a pod included) and the summary line. The end-to-end suite runs
the script itself against real pods (tests/e2e/test_fanout.py)."""

from __future__ import annotations

import pytest
from kubernetes.client import V1ObjectMeta, V1Pod, V1PodStatus

from kubectl_sequential_job.chain import INDEX_ANNOTATIONS, index_ranges, index_states, index_summary, pod_index


def pod(name: str, phase: str, index: int | None, annotation: str = INDEX_ANNOTATIONS[0]) -> V1Pod:
    annotations = {} if index is None else {annotation: str(index)}
    return V1Pod(metadata=V1ObjectMeta(name=name, annotations=annotations), status=V1PodStatus(phase=phase))


@pytest.mark.parametrize(
    "indexes, expected",
    [
        ([], "none"),
        ([3], "3"),
        ([0, 1, 2, 4, 5], "0-2,4,5"),
        ([5, 1, 0, 1], "0,1,5"),
        ([0, 2, 4], "0,2,4"),
        ([7, 8, 9], "7-9"),
    ],
)
def test_index_ranges_use_kubernetes_notation(indexes: list[int], expected: str) -> None:
    assert index_ranges(indexes) == expected


def test_the_index_comes_from_either_workload_kind() -> None:
    assert pod_index(pod("a", "Running", 4)) == 4
    assert pod_index(pod("b", "Running", 2, annotation="volcano.sh/task-index")) == 2
    assert pod_index(pod("c", "Running", None)) is None


def test_each_index_takes_its_newest_pod_and_counts_the_attempts() -> None:
    pods = [  # oldest first, as Cluster.pods sorts them
        pod("p0", "Succeeded", 0),
        pod("p1a", "Failed", 1),
        pod("p1b", "Running", 1),
        pod("p3", "Failed", 3),
    ]
    states = index_states(pods, total=5)
    assert [(s.index, s.phase, s.attempts) for s in states] == [
        (0, "Succeeded", 1),
        (1, "Running", 2),
        (2, "NotStarted", 0),
        (3, "Failed", 1),
        (4, "NotStarted", 0),
    ]
    assert states[1].pod.metadata.name == "p1b"


def test_the_summary_counts_every_phase_in_order() -> None:
    pods = [pod(f"p{i}", "Succeeded", i) for i in (0, 1, 2, 4, 5)] + [pod("p3", "Failed", 3)]
    assert index_summary(index_states(pods, total=7)) == (
        "indexes: 5 succeeded (0-2,4,5), 1 failed (3), 1 not started (6)"
    )
