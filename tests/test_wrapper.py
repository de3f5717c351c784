"""The wrapper a step runs inside (timeouts, retries, onError, resume), run as rendered by the local static busybox.

The chart's runtime container copies busybox and the wrapper into /steps/.runtime; here both go into a temporary folder
that stands for /steps (every /steps in the wrapper and the step's command is rewritten to it), and the step's command
runs as the container would run it. Processes are checked through /proc: what the wrapper leaves running is what a
retry or the next step would run beside.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from sequential_job.manifest import RUNTIME_CONTAINER
from sequential_job.render import render

BUSYBOX = shutil.which("busybox") or "/bin/busybox"  # Debian's busybox-static (make deps installs it)
STEPS = re.compile(r"(?<![\w}])/steps")  # the chart's /steps where a path starts (not the progress' own steps/)


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, killed and not yet reaped by init, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


class Wrapped:
    """Step `name` of a chain rendered from `values`, ready to run in `tmp` as its container would."""

    def __init__(self, values: dict[str, Any], name: str, tmp: Path) -> None:
        assert Path(BUSYBOX).exists(), f"no busybox at {BUSYBOX}: make deps installs Debian's busybox-static"
        spec = render(values=values).workload()["spec"]["template"]["spec"]
        containers = {c["name"]: c for c in spec.get("initContainers", []) + spec["containers"]}
        assert RUNTIME_CONTAINER in containers, f"no runtime container: {sorted(containers)}"
        self.steps = tmp / "steps"
        runtime = self.steps / ".runtime"
        runtime.mkdir(parents=True)
        (runtime / "wrapper").write_text(STEPS.sub(str(self.steps), containers[RUNTIME_CONTAINER]["command"][-1]))
        shutil.copy(BUSYBOX, runtime / "busybox")
        step = containers[name]
        self.command = [STEPS.sub(str(self.steps), c) for c in step["command"] + step.get("args", [])]
        self.env = {"PATH": "/usr/bin:/bin", "SEQUENTIAL_JOB_RUN": "run-1", "TMP": str(tmp), "HOSTNAME": "pod-1"}

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command, env=self.env, stderr=subprocess.PIPE, text=True)

    def run(self) -> tuple[int, str]:
        done = subprocess.run(self.command, env=self.env, stderr=subprocess.PIPE, text=True, timeout=60)
        return done.returncode, done.stderr

    def attempts(self, name: str) -> list[str]:
        path = self.steps / name / "attempts"
        return path.read_text().splitlines() if path.exists() else []

    def done(self, name: str) -> bool:
        return (self.steps / ".resume" / "run-1" / "0" / "steps" / name / "done").exists()


def chain(first: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "steps": [{"name": "a", "image": "alpine:3", **first}, {"name": "b", "image": "alpine:3", "script": "true"}],
        **extra,
    }


def wait_for(path: Path, seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} not written within {seconds}s"
        time.sleep(0.05)
    return path.read_text()


def test_a_timeout_stops_what_the_step_started(tmp_path: Path) -> None:
    """The step's shell starts a background sleep; when the timeout stops the step, the sleep goes with it."""
    # (its output elsewhere: a leftover holding the step's stderr would keep the test waiting until it ends)
    script = 'sleep 30 >/dev/null 2>&1 & echo $! >>"$TMP/pids"; sleep 31 >/dev/null 2>&1'
    step = Wrapped(chain({"script": script, "timeoutSeconds": 1}), "a", tmp_path)
    code, err = step.run()
    assert code == 124, f"step a: exit {code}, wanted 124 (timed out): {err}"
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    time.sleep(0.5)
    assert not [p for p in pids if alive(p)], f"step a timed out, but what it started still runs: {pids}"


def test_a_retry_runs_alone(tmp_path: Path) -> None:
    """Each timed-out attempt's processes are gone before the next attempt starts: never two attempts at once."""
    # the pids of the sleeps still running (a killed one not yet reaped is a zombie, state Z: not running)
    state = 's=$(cut -d" " -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo $p'
    running = f'for p in $(cat "$TMP/pids"); do {state}; done >>"$TMP/seen"'
    script = f'sleep 30 >/dev/null 2>&1 & echo $! >>"$TMP/pids"; {running}; sleep 31 >/dev/null 2>&1'
    step = Wrapped(chain({"script": script, "timeoutSeconds": 1, "retries": {"limit": 1}}), "a", tmp_path)
    code, err = step.run()
    assert code == 124, err
    assert step.attempts("a") == ["1 124", "2 124"], err
    first, _ = (tmp_path / "pids").read_text().split()
    seen_by_second = (tmp_path / "seen").read_text().split()[1:]
    assert first not in seen_by_second, f"attempt 2 of step a saw attempt 1's sleep ({first}) still running"


def test_retries_count_the_attempts(tmp_path: Path) -> None:
    """Fails twice, then succeeds: three attempts, their exit codes kept in order."""
    script = 'n=$(cat "$TMP/n" 2>/dev/null || echo 0); echo $((n + 1)) >"$TMP/n"; [ "$n" -ge 2 ] || exit 7'
    step = Wrapped(chain({"script": script, "retries": {"limit": 2}}), "a", tmp_path)
    code, err = step.run()
    assert code == 0, err
    assert step.attempts("a") == ["1 7", "2 7", "3 0"], err


@pytest.mark.parametrize("on_error", ["stopAndFail", "continue"])
def test_the_pods_term_ends_the_step_without_a_retry_or_a_record(tmp_path: Path, on_error: str) -> None:
    """TERM to the wrapper (the kubelet stopping the pod: a delete, an eviction, a drain) stops the step and ends it:
    not run again though retries are left, not turned into success by onError: continue, and not recorded as done,
    so that resume runs it again in the next pod."""
    script = 'echo $$ >"$TMP/started"; sleep 30'
    values = chain({"script": script, "retries": {"limit": 2}, "onError": on_error}, resume={"enabled": True})
    step = Wrapped(values, "a", tmp_path)
    process = step.start()
    wait_for(tmp_path / "started")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 143, f"step a: exit {process.returncode} after TERM, wanted 143: {err}"
    assert step.attempts("a") == ["1 143"], f"step a ran again after the pod's TERM: {step.attempts('a')}; {err}"
    assert not step.done("a"), f"step a, stopped by the pod's TERM, was recorded as done for resume: {err}"


def test_a_step_that_completes_is_recorded_for_resume(tmp_path: Path) -> None:
    """The counterpart: a failure under onError: continue that ran to its end is recorded, and skipped next time."""
    values = chain({"script": "exit 3", "onError": "continue"}, resume={"enabled": True})
    step = Wrapped(values, "a", tmp_path)
    code, err = step.run()
    assert code == 0, err
    assert step.done("a"), f"step a was not recorded as done: {err}"
    code, err = step.run()
    assert code == 0 and "skipping it" in err, f"step a ran again: {err}"
    assert os.path.exists(step.steps / "a" / "exitCode")
