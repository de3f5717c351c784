"""Cluster part `wait`: how long `helm install --wait --wait-for-jobs` takes to return after the chain has finished,
under Helm 4 and Helm 3, when it completed and when a step failed.

Each run installs a chain of three trivial steps (the second sleeps 2 s, and exits 3 in the failing case) into a
namespace of its own and notes the time helm returns. The chain's end is the Job's completionTime when it completed
and the failed step's finishedAt when it failed (both from the API server, whole seconds, the same machine's clock).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kubernetes import client

from bench.cluster import delete_namespace, new_namespace
from bench.common import write_values
from bench.stats import Summary
from kubectl_sequential_job.chain import selector, step_runs
from sequential_job.helm import HELMS, install_args, run_helm
from sequential_job.values import chain

FULL = {"repetitions": 3}
QUICK = {"repetitions": 1}
OUTCOMES = ("completed", "failed")
TIMEOUT = "5m"
WAIT = ("--wait", "--wait-for-jobs", "--timeout", TIMEOUT)


def chain_values(outcome: str) -> dict[str, Any]:
    values = chain(3)
    values["steps"][1]["script"] = "sleep 2; exit 3" if outcome == "failed" else "sleep 2"
    return values


def measure(helm: str, outcome: str, directory: Path) -> dict[str, Any]:
    """One `helm install --wait --wait-for-jobs`: seconds from the chain's end until helm returned, and its exit."""
    namespace = new_namespace(f"bench-wait-{helm}")
    try:
        values = write_values(directory, f"{helm}-{outcome}", chain_values(outcome))
        started = time.monotonic()
        args = install_args("w", [values], namespace=namespace, flags=WAIT)
        proc = run_helm(helm, *args, check=False, timeout=600)
        returned = datetime.now(UTC)
        took = time.monotonic() - started
        (job,) = client.BatchV1Api().list_namespaced_job(namespace, label_selector=selector("w")).items
        if outcome == "completed":
            ended = job.status.completion_time
        else:
            (pod,) = client.CoreV1Api().list_namespaced_pod(namespace, label_selector=selector("w")).items
            ended = next(r.finished for r in step_runs(pod) if r.name == "step-2")
        if ended is None:
            raise RuntimeError(f"{helm} {outcome}: helm returned before the chain ended:\n{proc.stderr}")
        return {
            "after_end_seconds": round((returned - ended).total_seconds(), 1),
            "install_seconds": round(took, 1),
            "exit_code": proc.returncode,
            "error": proc.stderr.strip().splitlines()[-1] if proc.returncode else "",
        }
    finally:
        delete_namespace(namespace)


def run(quick: bool, log: Callable[[str], None]) -> dict[str, Any]:
    settings = QUICK if quick else FULL
    results: dict[str, Any] = {"repetitions": settings["repetitions"], "timeout": TIMEOUT, "helms": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for helm in HELMS:
            cells = results["helms"].setdefault(helm, {})
            for outcome in OUTCOMES:
                runs = []
                for i in range(settings["repetitions"]):
                    runs.append(measure(helm, outcome, Path(tmp)))
                    log(f"wait: {helm} {outcome} run {i + 1}: {runs[-1]}")
                cells[outcome] = {
                    "runs": runs,
                    "after_end_seconds": Summary.of([r["after_end_seconds"] for r in runs]).as_dict(),
                    "exit_codes": sorted({r["exit_code"] for r in runs}),
                }
    return results
