"""`kubectl sequential-job status`: where a release's chain is, as a table: each step's state, start time and how long
it ran (or has been running), the current step highlighted; for a fanned-out release, a line per index with how many
of its steps are done. `--watch` redraws it until the Job (or Volcano Job) ends.

The current step is highlighted with ANSI colour when the output is a terminal, and marked with `>` otherwise (and
when NO_COLOR is set), so that a log of the output still says which step it was.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Any

from kubectl_sequential_job.chain import (
    RUNNING,
    StepRun,
    Workload,
    clock,
    duration,
    index_states,
    index_summary,
    progress,
    step_runs,
)
from kubectl_sequential_job.cluster import Cluster, newest_pods, shards_config_map_of
from kubectl_sequential_job.logs import EXIT, NOTHING_FOUND

BOLD, RED, CYAN, RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[0m"
# Home the cursor and clear the screen: how a terminal frame replaces the one before (as watch(1) does).
CLEAR = "\x1b[H\x1b[2J"


@dataclass(frozen=True)
class Style:
    """How a highlighted row looks: ANSI colour on a terminal, a `>` in the first column elsewhere."""

    ansi: bool

    def row(self, text: str, current: bool = False, failed: bool = False) -> str:
        if not current:
            return f"  {text}"
        if self.ansi:
            return f"  {BOLD}{RED if failed else CYAN}{text}{RESET}"
        return f"> {text}"


@dataclass
class Snapshot:
    """What the API said about a release at one moment: its newest workload, that workload's pods (oldest first),
    the shards they read, and anything to warn about."""

    namespace: str
    release: str
    workload: Workload | None
    pods: list[Any]
    shards: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.workload.outcome if self.workload else RUNNING


def snapshot(cluster: Cluster, namespace: str, release: str) -> Snapshot:
    workloads = cluster.workloads(namespace, release)
    workload = workloads[-1] if workloads else None
    pods = newest_pods(cluster.pods(namespace, release), workload)
    snap = Snapshot(namespace, release, workload, pods)
    if workload is not None and workload.width:
        config_map = shards_config_map_of(workload, pods)
        snap.shards = cluster.shard_inputs(namespace, config_map, snap.warnings.append)
    return snap


def elapsed(started: datetime | None, finished: datetime | None, now: datetime) -> str:
    return duration(((finished or now) - started).total_seconds()) if started else "-"


def table(rows: list[list[str]]) -> list[str]:
    """Rows of cells as left-aligned columns (the last column unpadded)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def span(runs: list[StepRun]) -> tuple[datetime | None, datetime | None]:
    """When the steps ran: the first one's start and the last one's finish (None while one has not finished);
    sidecars apart, which Kubernetes stops only after the last step, however long that takes."""
    steps = [r for r in runs if not r.sidecar]
    first = next((r.started for r in steps if r.started), None)
    return first, steps[-1].finished if steps and steps[-1].state == "terminated" else None


def step_state(run: StepRun) -> str:
    if run.state == "terminated":
        # A sidecar ends when Kubernetes stops it after the last step: its exit code (often 137 or 143) is no failure.
        word = "stopped" if run.sidecar else "done" if run.exit_code == 0 else "failed"
        return f"{word} (exit {run.exit_code}" + (f", {run.reason})" if run.reason not in (None, "Completed") else ")")
    if run.state == "waiting":
        return f"waiting ({run.reason})" if run.reason else "waiting"
    return run.state


def pod_lines(pod: Any, now: datetime, style: Style) -> list[str]:
    """The steps of one pod: a header, then a row per container with the current step highlighted."""
    runs = step_runs(pod)
    at = progress(runs)
    reason = f" ({pod.status.reason})" if pod.status.reason else ""
    lines = [f"pod {pod.metadata.name}: {pod.status.phase}{reason}, {at.done} of {at.total} steps done"]
    rows = [["#", "STEP", "STATE", "STARTED", "ELAPSED"]]
    number = 0
    for run in runs:
        if not run.sidecar:
            number += 1
        name = f"{run.name} (sidecar)" if run.sidecar else run.name
        rows.append(
            [
                "-" if run.sidecar else str(number),
                name,
                step_state(run),
                clock(run.started),
                elapsed(run.started, run.finished, now),
            ]
        )
    formatted = table(rows)
    lines.append(style.row(formatted[0]))
    for run, text in zip(runs, formatted[1:], strict=True):
        current = at.current is run
        lines.append(style.row(text, current=current, failed=current and run.failed))
    return lines


def headline(snap: Snapshot, now: datetime) -> str:
    w = snap.workload
    assert w is not None
    where = f"{w.kind} {w.name} (namespace {snap.namespace})"
    if w.suspended and not snap.pods:
        return f"{where}: suspended, waiting to be admitted (Kueue); no pod yet"
    if w.width:
        return f"{where}: {w.outcome}, {w.width} indexes"
    if not snap.pods:
        return f"{where}: {w.outcome}, no pod yet"
    runs = step_runs(snap.pods[-1])
    at = progress(runs)
    first, last = span(runs)
    if at.current is None:
        return f"{where}: {w.outcome}, {at.total} of {at.total} steps done in {elapsed(first, last, now)}"
    if at.failed:
        return (
            f"{where}: {w.outcome}, step {at.position} of {at.total} ({at.current.name}) exited {at.current.exit_code}"
        )
    ran = f"; the chain has run {elapsed(first, None, now)}" if first else ""
    return f"{where}: {w.outcome}, at step {at.position} of {at.total} ({at.current.name}){ran}"


def index_lines(snap: Snapshot, now: datetime, style: Style) -> list[str]:
    """A row per index: its shard, phase, k of n steps done, its current step, start and elapsed time, its pod."""
    w = snap.workload
    assert w is not None
    states = index_states(snap.pods, w.width)
    rows = [["INDEX", "SHARD", "PHASE", "STEPS DONE", "STEP", "STARTED", "ELAPSED", "POD"]]
    marks = []
    for state in states:
        shard = snap.shards.get(str(state.index))
        shard_cell = repr(shard[:40]) if shard is not None else "-"
        if state.pod is None:
            rows.append([str(state.index), shard_cell, state.phase, f"0 of {w.steps}", "-", "-", "-", "-"])
            marks.append((False, False))
            continue
        runs = step_runs(state.pod)
        at = progress(runs)
        first, last = span(runs)
        if at.failed:  # the index ended at its failed step
            last = at.current.finished
        step = f"{at.current.name} {step_state(at.current)}" if at.current else "-"
        pod = state.pod.metadata.name + (f" ({state.attempts} attempts)" if state.attempts > 1 else "")
        rows.append(
            [
                str(state.index),
                shard_cell,
                state.phase,
                f"{at.done} of {at.total}",
                step,
                clock(first),
                elapsed(first, last, now),
                pod,
            ]
        )
        failed = at.failed or state.phase == "Failed"
        marks.append((state.phase == "Running" or failed, failed))
    formatted = table(rows)
    lines = [style.row(formatted[0])]
    lines += [style.row(text, current=c, failed=f) for text, (c, f) in zip(formatted[1:], marks, strict=True)]
    lines.append(index_summary(states))
    return lines


def render(snap: Snapshot, now: datetime, style: Style) -> list[str]:
    """The frame for one snapshot (times in UTC, as the API gives them)."""
    w = snap.workload
    assert w is not None
    lines = [headline(snap, now)]
    if w.width:
        lines += index_lines(snap, now, style)
    elif snap.pods:
        if len(snap.pods) > 1:
            earlier = ", ".join(f"{p.metadata.name} {p.status.phase}" for p in snap.pods[:-1])
            lines.append(f"attempt {len(snap.pods)} (earlier: {earlier})")
        lines += pod_lines(snap.pods[-1], now, style)
    lines.append(w.line)
    return lines


def signature(snap: Snapshot) -> tuple:
    """What a new frame must differ in to be printed when the output is not a terminal: states, not clocks."""
    pods = tuple(
        (p.metadata.name, p.status.phase, tuple((r.name, r.state, r.exit_code, r.reason) for r in step_runs(p)))
        for p in snap.pods
    )
    w = snap.workload
    return (w.name, w.line, w.suspended, pods, tuple(sorted(snap.shards.items()))) if w else (None, pods)


def run(
    cluster: Cluster,
    namespace: str,
    release: str,
    watch: bool = False,
    interval: float = 1.0,
    timeout: float = 0,
    out: IO[str] = sys.stdout,
    err: IO[str] = sys.stderr,
    ansi: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Print the release's status (once, or until it ends with watch); the exit code as `logs`'s."""
    style = Style(ansi)
    deadline = time.monotonic() + timeout if timeout else None
    shown: tuple | None = None
    warned: set[str] = set()
    while True:
        snap = snapshot(cluster, namespace, release)
        if snap.workload is None:
            print(f"no Job or Volcano Job found for release {release!r} in namespace {namespace!r}", file=err)
            return NOTHING_FOUND
        for warning in snap.warnings:
            if warning not in warned:
                warned.add(warning)
                print(f"warning: {warning}", file=err)
        finished = snap.outcome != RUNNING
        frame = render(snap, now(), style)
        if not watch:
            print("\n".join(frame), file=out)
            return EXIT[snap.outcome]
        if ansi:
            out.write(CLEAR + "\n".join(frame) + "\n")
            out.flush()
        elif signature(snap) != shown:
            print(("\n" if shown is not None else "") + "\n".join(frame), file=out, flush=True)
            shown = signature(snap)
        if finished:
            return EXIT[snap.outcome]
        if deadline is not None and time.monotonic() >= deadline:
            print(f"status --watch: the release has not finished after {timeout:g}s", file=err)
            return EXIT[RUNNING]
        sleep(interval)
