"""A pytest plugin for the harness-cost benchmark: `pytest -p bench.pytest_counters` with BENCH_COUNTERS_DIR set.

Every pytest process (the main one, and each pytest-xdist worker) writes <BENCH_COUNTERS_DIR>/<worker>.json when
its session ends: the tests it collected and their outcomes, the render cache's hits and misses, and one record per
helm process, told by sequential_job.helm's listener hook: which helm, which subcommand, who started it (`render`,
`render_error` or a test calling `run_helm`), and a digest of its arguments and stdin, so that the benchmark can
tell a distinct render from a repeated one. Without BENCH_COUNTERS_DIR it does nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from sequential_job import helm, render
from sequential_job.helm import HelmRun

_processes: list[dict[str, str]] = []
_outcomes: Counter[str] = Counter()


def _enabled() -> bool:
    return bool(os.environ.get("BENCH_COUNTERS_DIR"))


def _count(run: HelmRun, cached: bool) -> None:
    if cached:
        return
    digest = hashlib.sha256(json.dumps([run.args, run.stdin]).encode()).hexdigest()[:16]
    command = run.args[1] if len(run.args) > 1 else ""
    _processes.append({"helm": run.helm, "command": command, "origin": run.origin, "digest": digest})


def pytest_configure(config: pytest.Config) -> None:
    if _enabled():
        helm.LISTENERS.append(_count)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.outcome] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _enabled():
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    cache = render.cache_info()
    record = {
        "worker": worker,
        "exitstatus": int(exitstatus),
        "tests_collected": session.testscollected,
        "outcomes": dict(_outcomes),
        "render_cache": {"hits": cache.hits, "misses": cache.misses, "size": cache.currsize},
        "processes": _processes,
    }
    out = Path(os.environ["BENCH_COUNTERS_DIR"]) / f"{worker}.json"
    out.write_text(json.dumps(record))
