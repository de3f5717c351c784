"""What a sequential-job release is made of, read from the objects the Kubernetes API returns: its Jobs (or Volcano
Jobs), their pods, and each pod's steps in execution order with what the kubelet reports about them. Nothing here
calls the API, so all of it can be tried on objects built by hand.

The chart runs steps 1..n-1 as init containers and step n as the container; a sidecar is an init container with
restartPolicy Always (a native sidecar), which runs beside the steps and is not one of them; nor is the step runtime,
the init container that first installs the chart's wrapper when a step needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# What the chart puts on every object of a release, and what this tool finds them by.
INSTANCE_LABEL = "app.kubernetes.io/instance"
COMPONENT_LABEL = "app.kubernetes.io/component"
COMPONENT = "sequential-job"
# The pod volume that mounts a fanned-out release's shards ConfigMap (whose name depends on job.nameSuffix).
SHARDS_VOLUME = "shards"
# Where a fanned-out pod's index is: a batch/v1 Indexed Job's annotation, or the one Volcano's job controller sets.
INDEX_ANNOTATIONS = ("batch.kubernetes.io/job-completion-index", "volcano.sh/task-index")
# The label each Job controller puts on its pods: the name of the Job (or Volcano Job).
WORKLOAD_LABELS = ("job-name", "volcano.sh/job-name")
VOLCANO = ("batch.volcano.sh", "v1alpha1", "jobs")
# The init container that installs the step runtime (the chart's constants, runtimeContainer).
RUNTIME_CONTAINER = "sequential-job-runtime"

COMPLETED, FAILED, RUNNING = "completed", "failed", "running"
VOLCANO_OUTCOME = {"Completed": COMPLETED, "Failed": FAILED, "Terminated": FAILED, "Aborted": FAILED}


def selector(release: str) -> str:
    """The label selector of a release's Jobs, Volcano Jobs and pods."""
    return f"{INSTANCE_LABEL}={release},{COMPONENT_LABEL}={COMPONENT}"


@dataclass
class StepRun:
    """What the kubelet reports about one container of one pod: a step, or a sidecar beside the steps."""

    index: int  # the container's position in the pod (init containers first)
    name: str
    init: bool
    state: str  # "terminated", "running", "waiting" or "not started"
    started: datetime | None
    finished: datetime | None
    exit_code: int | None
    reason: str | None
    message: str | None = None  # the termination message: a failed step's last log lines, by the chart's default
    sidecar: bool = False

    @property
    def succeeded(self) -> bool:
        return self.state == "terminated" and self.exit_code == 0

    @property
    def failed(self) -> bool:
        return self.state == "terminated" and self.exit_code not in (None, 0)


def is_sidecar(container: Any) -> bool:
    return getattr(container, "restart_policy", None) == "Always"


def step_runs(pod: Any) -> list[StepRun]:
    """The pod's containers in execution order (init containers, then the container) with their kubelet status."""
    statuses = {s.name: s for s in (pod.status.init_container_statuses or []) + (pod.status.container_statuses or [])}
    inits = [c for c in pod.spec.init_containers or [] if c.name != RUNTIME_CONTAINER]
    containers = [(c, True) for c in inits] + [(c, False) for c in pod.spec.containers]
    runs = []
    for index, (container, init) in enumerate(containers):
        status = statuses.get(container.name)
        state = status.state if status else None
        sidecar = init and is_sidecar(container)
        if state and state.terminated:
            t = state.terminated
            run = StepRun(index, container.name, init, "terminated", t.started_at, t.finished_at, t.exit_code, t.reason)
            run.message = t.message
        elif state and state.running:
            run = StepRun(index, container.name, init, "running", state.running.started_at, None, None, None)
        elif state and state.waiting:
            run = StepRun(index, container.name, init, "waiting", None, None, None, state.waiting.reason)
        else:
            run = StepRun(index, container.name, init, "not started", None, None, None, None)
        run.sidecar = sidecar
        runs.append(run)
    return runs


@dataclass
class Progress:
    """How far one pod's steps got: `done` of `total` steps exited 0; `current` is the step the chain is at (the
    running one, the one waiting to start, or the one that failed), None once every step has succeeded."""

    done: int
    total: int
    current: StepRun | None

    @property
    def failed(self) -> bool:
        return self.current is not None and self.current.failed

    @property
    def position(self) -> int:
        """The current step's number among the steps, 1-based (total + 1 when every step is done)."""
        return self.done + 1


def progress(runs: list[StepRun]) -> Progress:
    steps = [r for r in runs if not r.sidecar]
    done = 0
    for run in steps:
        if not run.succeeded:
            return Progress(done, len(steps), run)
        done += 1
    return Progress(done, len(steps), None)


def pod_index(pod: Any) -> int | None:
    """The pod's index in its Indexed Job or Volcano task, or None."""
    annotations = pod.metadata.annotations or {}
    for key in INDEX_ANNOTATIONS:
        if key in annotations:
            return int(annotations[key])
    return None


def workload_of(pod: Any) -> str | None:
    """The name of the Job or Volcano Job that created the pod."""
    labels = pod.metadata.labels or {}
    return next((labels[key] for key in WORKLOAD_LABELS if key in labels), None)


def index_ranges(indexes: list[int]) -> str:
    """[0, 1, 2, 4, 5] -> "0-2,4,5": the notation of a Job's status.completedIndexes (two neighbours are written as
    two indexes, longer runs as first-last)."""
    runs: list[list[int]] = []
    for index in sorted(set(indexes)):
        if runs and runs[-1][1] == index - 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return ",".join(str(a) if a == b else f"{a},{b}" if b == a + 1 else f"{a}-{b}" for a, b in runs) or "none"


@dataclass
class IndexState:
    """Where one index of a fanned-out release stands: its newest pod and how many pods it took."""

    index: int
    attempts: int
    phase: str  # the newest pod's phase; "NotStarted" when the index has no pod yet
    pod: Any | None


def index_states(pods: list[Any], total: int) -> list[IndexState]:
    """One state per index 0..total-1 (and any index a pod has beyond), from the pods oldest first."""
    by_index: dict[int, list[Any]] = {}
    for pod in pods:
        index = pod_index(pod)
        if index is not None:
            by_index.setdefault(index, []).append(pod)
    states = []
    for index in range(max([total, *(i + 1 for i in by_index)])):
        attempts = by_index.get(index, [])
        newest = attempts[-1] if attempts else None
        phase = newest.status.phase if newest else "NotStarted"
        states.append(IndexState(index, len(attempts), phase or "Pending", newest))
    return states


PHASE_ORDER = ["Succeeded", "Failed", "Running", "Pending", "NotStarted"]


def index_summary(states: list[IndexState]) -> str:
    """ "indexes: 5 succeeded (0-2,4,5), 1 failed (3), ..." over every phase present."""
    by_phase: dict[str, list[int]] = {}
    for state in states:
        by_phase.setdefault(state.phase, []).append(state.index)
    order = PHASE_ORDER
    phases = sorted(by_phase, key=lambda p: (order.index(p) if p in order else len(order), p))
    words = {"NotStarted": "not started"}
    return "indexes: " + ", ".join(
        f"{len(by_phase[p])} {words.get(p, p.lower())} ({index_ranges(by_phase[p])})" for p in phases
    )


@dataclass
class Workload:
    """One Job or Volcano Job of the release, as this tool reports it."""

    kind: str  # "Job" or "Volcano Job"
    name: str
    created: datetime
    outcome: str  # completed, failed or running
    line: str  # its status in one line
    width: int  # how many indexes it fans out over; 0 when it runs one pod
    steps: int  # how many steps its pod runs (sidecars not counted)
    shards_config_map: str | None  # the ConfigMap its pods mount as the shards volume, if any
    suspended: bool = False  # a Job held back (by Kueue, until it admits the workload)


def shards_config_map(volumes: list[Any]) -> str | None:
    """The ConfigMap of the `shards` volume among a pod spec's volumes (API objects), or None."""
    for volume in volumes or []:
        if volume.name == SHARDS_VOLUME and volume.config_map is not None:
            return volume.config_map.name
    return None


def count_steps(inits: list[tuple[str, str | None]], containers: int) -> int:
    """A pod template's steps: its init containers ((name, restartPolicy)) that are neither sidecars nor the step
    runtime, and its containers."""
    return sum(1 for name, policy in inits if policy != "Always" and name != RUNTIME_CONTAINER) + containers


def job_workload(job: Any) -> Workload:
    """A batch/v1 Job (an API object) of the release."""
    s = job.status
    true = {c.type for c in s.conditions or [] if c.status == "True"}
    conditions = [f"{c.type}={c.status}" + (f" ({c.reason})" if c.reason else "") for c in s.conditions or []]
    indexed = job.spec.completion_mode == "Indexed"
    indexes = f" completedIndexes={s.completed_indexes or '-'} failedIndexes={s.failed_indexes or '-'}"
    line = (
        f"Job {job.metadata.name}: {', '.join(conditions) or 'running'}; "
        f"succeeded={s.succeeded or 0} failed={s.failed or 0} active={s.active or 0}{indexes if indexed else ''}"
    )
    outcome = COMPLETED if "Complete" in true else FAILED if "Failed" in true else RUNNING
    pod = job.spec.template.spec
    return Workload(
        kind="Job",
        name=job.metadata.name,
        created=job.metadata.creation_timestamp,
        outcome=outcome,
        line=line,
        width=(job.spec.completions or 0) if indexed else 0,
        steps=count_steps([(c.name, c.restart_policy) for c in pod.init_containers or []], len(pod.containers)),
        shards_config_map=shards_config_map(pod.volumes),
        suspended=bool(job.spec.suspend) and outcome == RUNNING,
    )


def vcjob_workload(job: dict[str, Any]) -> Workload:
    """A Volcano Job (batch.volcano.sh/v1alpha1, as the API's JSON) of the release."""
    status = job.get("status", {})
    state = status.get("state", {})
    line = (
        f"Volcano Job {job['metadata']['name']}: {state.get('phase', 'unknown')}"
        + (f" ({state['reason']})" if state.get("reason") else "")
        + f"; succeeded={status.get('succeeded', 0)} failed={status.get('failed', 0)}"
    )
    tasks = job["spec"].get("tasks", [])
    replicas = sum(t.get("replicas", 0) for t in tasks)
    pod = tasks[0].get("template", {}).get("spec", {}) if tasks else {}
    volumes = pod.get("volumes", [])
    config_map = next(
        (v["configMap"]["name"] for v in volumes if v["name"] == SHARDS_VOLUME and "configMap" in v), None
    )
    return Workload(
        kind="Volcano Job",
        name=job["metadata"]["name"],
        created=datetime.fromisoformat(job["metadata"]["creationTimestamp"].replace("Z", "+00:00")),
        outcome=VOLCANO_OUTCOME.get(state.get("phase", ""), RUNNING),
        line=line,
        width=replicas if replicas > 1 else 0,
        steps=count_steps(
            [(c["name"], c.get("restartPolicy")) for c in pod.get("initContainers", [])], len(pod.get("containers", []))
        ),
        shards_config_map=config_map,
    )


def summarise(workloads: list[Workload]) -> tuple[str, str]:
    """The newest workload's outcome (completed, failed or running) and a line per Job or Volcano Job."""
    if not workloads:
        return RUNNING, "no Job or Volcano Job found for the release"
    return workloads[-1].outcome, "\n".join(w.line for w in workloads)


def clock(t: datetime | None) -> str:
    """A time of day as the API gives it (UTC), or "-"."""
    return t.strftime("%H:%M:%S") if t else "-"


def duration(seconds: float | None) -> str:
    """45 -> "45s", 187 -> "3m07s", 7380 -> "2h03m", 273600 -> "3d04h"; None -> "-"."""
    if seconds is None:
        return "-"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"
