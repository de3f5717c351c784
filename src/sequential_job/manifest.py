"""The chart's rendered objects as plain data, and how to read them: the workload, its pod, the steps in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubectl_sequential_job.chain import RUNTIME_CONTAINER  # tests/test_release_objects.py holds it to the chart's
from sequential_job import yamlio

if TYPE_CHECKING:
    from sequential_job.helm import HelmRun

JOB = ("batch/v1", "Job")
VOLCANO_JOB = ("batch.volcano.sh/v1alpha1", "Job")
CRON_JOB = ("batch/v1", "CronJob")
VOLCANO_CRON_JOB = ("batch.volcano.sh/v1alpha1", "CronJob")
WORKLOADS = (JOB, VOLCANO_JOB, CRON_JOB, VOLCANO_CRON_JOB)


@dataclass(frozen=True)
class Step:
    """One step as it runs: its position, whether it is an init container, and its container spec."""

    index: int
    init: bool
    container: dict[str, Any]

    @property
    def name(self) -> str:
        return self.container["name"]

    @property
    def mounts(self) -> list[dict[str, Any]]:
        return self.container.get("volumeMounts", [])

    def mount_paths(self) -> dict[str, str]:
        """mountPath -> volume name."""
        return {m["mountPath"]: m["name"] for m in self.mounts}


@dataclass(frozen=True)
class Manifest:
    """Every object `helm template` rendered, as plain dicts and lists; `source` is the helm run behind them."""

    objects: list[dict[str, Any]]
    source: HelmRun | None = None

    @classmethod
    def parse(cls, text: str, source: HelmRun | None = None) -> Manifest:
        return cls([d for d in yamlio.load_all(text) if d], source)

    def context(self) -> str:
        """The helm command that produced this manifest, and its stderr, for assertion messages."""
        return self.source.describe() if self.source else "(no helm run)"

    def of_kind(self, api_version: str, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o.get("apiVersion") == api_version and o.get("kind") == kind]

    def kinds(self) -> list[tuple[str, str]]:
        return [(o["apiVersion"], o["kind"]) for o in self.objects]

    def workload(self) -> dict[str, Any]:
        """The single Job, Volcano Job, CronJob or Volcano CronJob; fails if there is not exactly one."""
        found = [o for kind in WORKLOADS for o in self.of_kind(*kind)]
        assert len(found) == 1, (
            f"expected exactly one Job, CronJob or Volcano one, found {self.kinds()}\n{self.context()}"
        )
        return found[0]

    @property
    def is_volcano(self) -> bool:
        return self.workload()["apiVersion"] == VOLCANO_JOB[0]

    def job_spec(self) -> dict[str, Any]:
        """The spec of the Job that runs: the workload's own, or a CronJob's jobTemplate's."""
        w = self.workload()
        return w["spec"]["jobTemplate"]["spec"] if w["kind"] == "CronJob" else w["spec"]

    def pod_template(self) -> dict[str, Any]:
        spec = self.job_spec()
        if self.is_volcano:
            tasks = spec["tasks"]
            assert len(tasks) == 1, f"expected one Volcano task, found {len(tasks)}"
            return tasks[0]["template"]
        return spec["template"]

    def pod_spec(self) -> dict[str, Any]:
        return self.pod_template()["spec"]

    def steps(self) -> list[Step]:
        """Steps in execution order: the init containers that are neither sidecars nor the step runtime, then the
        regular container(s)."""
        spec = self.pod_spec()
        inits = [c for c in spec.get("initContainers", []) if not is_sidecar(c) and c["name"] != RUNTIME_CONTAINER]
        mains = spec.get("containers", [])
        return [Step(i, True, c) for i, c in enumerate(inits)] + [
            Step(len(inits) + i, False, c) for i, c in enumerate(mains)
        ]

    def runtime(self) -> dict[str, Any] | None:
        """The step runtime's init container, if a step is wrapped."""
        found = [c for c in self.pod_spec().get("initContainers", []) if c["name"] == RUNTIME_CONTAINER]
        return found[0] if found else None

    def sidecars(self) -> list[dict[str, Any]]:
        """The native sidecars: init containers with restartPolicy Always, in the order they start."""
        return [c for c in self.pod_spec().get("initContainers", []) if is_sidecar(c)]

    def step(self, name: str) -> Step:
        for s in self.steps():
            if s.name == name:
                return s
        raise KeyError(f"no step named {name!r}; steps are {[s.name for s in self.steps()]}")

    def step_names(self) -> list[str]:
        return [s.name for s in self.steps()]

    def volumes(self) -> dict[str, dict[str, Any]]:
        return {v["name"]: v for v in self.pod_spec().get("volumes", [])}

    def volume_graph(self) -> dict[str, list[tuple[str, str]]]:
        """volume name -> [(step name, mountPath), ...] in execution order: who can hand files to whom."""
        graph: dict[str, list[tuple[str, str]]] = {name: [] for name in self.volumes()}
        for s in self.steps():
            for m in s.mounts:
                graph.setdefault(m["name"], []).append((s.name, m["mountPath"]))
        return graph

    def undeclared_mounts(self) -> list[str]:
        """Descriptions of mounts that name a volume the pod does not declare (empty when wiring is sound)."""
        declared = self.volumes()
        return [
            f"step {s.name}: volumeMounts[{j}] names volume {m['name']!r} at {m['mountPath']}"
            for s in self.steps()
            for j, m in enumerate(s.mounts)
            if m["name"] not in declared
        ]


def is_sidecar(container: dict[str, Any]) -> bool:
    return container.get("restartPolicy") == "Always"


def volume_path_for(step: Step, container_path: str) -> tuple[str, str] | None:
    """Which volume, and which path inside it, a step sees at container_path (the deepest mount wins)."""
    best: tuple[str, str] | None = None
    best_len = -1
    for mount in step.mounts:
        root = mount["mountPath"].rstrip("/")
        if container_path == root or container_path.startswith(root + "/"):
            if len(root) > best_len:
                best_len = len(root)
                best = (mount["name"], container_path[len(root) :].lstrip("/"))
    return best
