"""`make e2e-matrix`: `make e2e` on each Kubernetes version given (by default the oldest the chart claims, then the
newest, the embedded cluster's default), one after the other, then the table of the results in docs/cluster.md
(doc_sections.E2E_MATRIX), dated.

    python -m sequential_job.e2e_matrix [MINOR...]

Each run is a whole `make e2e K8S=<minor> E2E_NODES=1`: build (cached), cluster up, the suite, the fault tests, the
two-node tests (from 1.30; CI's `make e2e` leaves them out), cluster down.
Exits 1 if any run failed (the table is written either way, so a failure is on record too).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from sequential_job.chart import oldest_kubernetes
from sequential_job.cluster_versions import default_minor, release
from sequential_job.doc_sections import E2E_MATRIX
from sequential_job.paths import ROOT


def junit_counts(path: Path) -> dict[str, int] | None:
    """passed, failed (failures and errors) and skipped of a JUnit XML file; None if the part wrote none."""
    if not path.exists():
        return None
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    failed = counts["failures"] + counts["errors"]
    return {"passed": counts["tests"] - failed - counts["skipped"], "failed": failed, "skipped": counts["skipped"]}


def describe(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "did not run"
    text = f"{counts['passed']} passed"
    if counts["failed"]:
        text += f", {counts['failed']} failed"
    if counts["skipped"]:
        text += f", {counts['skipped']} skipped"
    return text


LOCK_WAIT = re.compile(r"got the cluster lock after waiting (\d+)s")


def run(minor: str) -> dict[str, object]:
    """One `make e2e K8S=<minor>`, its output passed through; the time excludes waiting for another run's cluster."""
    with tempfile.TemporaryDirectory(prefix=f"e2e-{minor}-") as junit:
        print(f"== make e2e K8S={minor}", flush=True)
        start = time.monotonic()
        waited = 0
        with subprocess.Popen(
            ["make", "e2e", f"K8S={minor}", f"E2E_JUNIT_DIR={junit}", "E2E_NODES=1"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                print(line, end="", flush=True)
                if match := LOCK_WAIT.search(line):
                    waited += int(match.group(1))
        minutes = (time.monotonic() - start - waited) / 60
        return {
            "minor": minor,
            "version": release(minor),
            "ok": proc.returncode == 0,
            "suite": junit_counts(Path(junit) / "suite.xml"),
            "faults": junit_counts(Path(junit) / "faults.xml"),
            "nodes": junit_counts(Path(junit) / "nodes.xml"),
            "minutes": minutes,
        }


def table(results: list[dict[str, object]], started: str) -> str:
    lines = [
        f"Last `make e2e-matrix`: {started}, on this machine ({machine()}, Debian's containerd "
        f"{containerd_version()}). Each row is a whole `make e2e K8S=<minor> E2E_NODES=1`: cluster "
        "up, suite, fault tests, two-node tests (from 1.30), cluster down with nothing left behind.",
        "",
        "| Kubernetes | result | suite | fault tests | two-node tests | minutes (builds cached, lock waits excluded) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['version']} | {'passed' if r['ok'] else '**failed**'} | {describe(r['suite'])} "
            f"| {describe(r['faults'])} | {describe(r.get('nodes'))} | {r['minutes']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def machine() -> str:
    """The facts of the host that shape the cluster: its CPUs and its cgroup version (v2 has cgroup.controllers)."""
    cgroup = "v2" if Path("/sys/fs/cgroup/cgroup.controllers").exists() else "v1"
    return f"{os.cpu_count()} CPUs, cgroup {cgroup}"


def containerd_version() -> str:
    try:
        out = subprocess.run(["containerd", "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "(not installed)"
    return out.split()[2] if len(out.split()) > 2 else out.strip()


def main() -> int:
    minors = sys.argv[1:] or [oldest_kubernetes().rsplit(".", 1)[0], default_minor()]
    for minor in minors:
        try:
            release(minor)  # refuse an unknown version before the first long run
        except ValueError as e:
            raise SystemExit(str(e)) from None
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = [run(minor) for minor in minors]
    text = table(results, started)
    E2E_MATRIX.write(text)
    print(text)
    print(f"{E2E_MATRIX.path.relative_to(ROOT)}: e2e matrix table updated")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
