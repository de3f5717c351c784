"""chart-testing's own install check, the one chart repositories run in CI: `ct install` installs the chart once per
values file in charts/sequential-job/ci/ (each in a namespace of its own), waits until its Jobs have completed, runs
`helm test` and uninstalls it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sequential_job.paths import CHART, ROOT, TOOLS_BIN
from sequential_job.tools import tool


def test_ct_install_passes_for_every_ci_values_file() -> None:
    values_files = sorted(p.name for p in (CHART / "ci").glob("*-values.yaml"))
    assert values_files, "no ci values files"
    # ct runs `helm` and `kubectl` from PATH: the project's Helm 4 and the cluster's kubectl.
    path = os.pathsep.join([str(TOOLS_BIN), str(Path(tool("kubectl")).parent), os.environ["PATH"]])
    proc = subprocess.run(
        [
            str(TOOLS_BIN / "ct"),
            "install",
            "--config",
            str(ROOT / "ct.yaml"),
            "--charts",
            str(CHART.relative_to(ROOT)),
            # ct passes --helm-extra-args to `helm install`, `test` and `uninstall`, --helm-extra-set-args to the
            # install alone (uninstall has no --wait-for-jobs)
            "--helm-extra-args",
            "--timeout 300s",
            "--helm-extra-set-args",
            "--wait-for-jobs",
        ],
        cwd=ROOT,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"ct install failed:\n{output}"
    for name in values_files:
        assert f"ci/{name}" in output, f"ct install did not install with ci/{name}:\n{output}"
    assert "All charts installed successfully" in output, output
