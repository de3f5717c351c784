"""A pytest plugin for the harness-cost benchmark: `pytest -p bench.pytest_counters` with BENCH_COUNTERS_DIR set.

Every pytest process (the main one, and each pytest-xdist worker) writes <BENCH_COUNTERS_DIR>/<worker>.json when
its session ends: the tests it collected and their outcomes, the harness's own helm counters (`helm_invocations()`
and the render cache's `cache_info()`), and one record per helm process: which helm, which subcommand, who started
it (`_render_cached`, `render_error` or a test calling `run_helm`), and a digest of its arguments and stdin, so
that the benchmark can tell a distinct render from a repeated one. Without BENCH_COUNTERS_DIR it does nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

_processes: list[dict[str, str]] = []
_outcomes: Counter[str] = Counter()


def _enabled() -> bool:
    return bool(os.environ.get("BENCH_COUNTERS_DIR"))


def pytest_configure(config: pytest.Config) -> None:
    if not _enabled():
        return
    # Imported here, not at the top: pytest puts tests/ on sys.path (pyproject's `pythonpath`) after loading -p plugins.
    import harness
    import harness.helm as helm_module

    original = helm_module.run_helm

    def counted_run_helm(helm: str, *args: str, stdin: str | None = None, **kwargs: Any):
        digest = hashlib.sha256(json.dumps([helm, args, stdin]).encode()).hexdigest()[:16]
        origin = sys._getframe(1).f_code.co_name
        _processes.append({"helm": helm, "command": args[0] if args else "", "origin": origin, "digest": digest})
        return original(helm, *args, stdin=stdin, **kwargs)

    # The harness's render paths look run_helm up in harness.helm; tests import it from harness when collected.
    helm_module.run_helm = counted_run_helm
    harness.run_helm = counted_run_helm


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.outcome] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _enabled():
        return
    from harness.helm import _render_cached, helm_invocations

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    cache = _render_cached.cache_info()
    record = {
        "worker": worker,
        "exitstatus": int(exitstatus),
        "tests_collected": session.testscollected,
        "outcomes": dict(_outcomes),
        "helm_invocations": helm_invocations(),
        "render_cache": {"hits": cache.hits, "misses": cache.misses, "size": cache.currsize},
        "processes": _processes,
    }
    out = Path(os.environ["BENCH_COUNTERS_DIR"]) / f"{worker}.json"
    out.write_text(json.dumps(record))
