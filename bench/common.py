"""What every benchmark part shares: the helms, values files on disk, a clock the steps can read too, the machine."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sequential_job.helm import HELMS, HelmRun, install_args, run_helm, template_args, version
from sequential_job.paths import CHART
from sequential_job.render import values_yaml


def write_values(directory: Path, name: str, values: Mapping[str, Any]) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(values_yaml(values))
    return path


def helm_template(
    helm: str, values_file: Path, release: str = "bench", chart: Path = CHART, extra: tuple[str, ...] = ()
) -> HelmRun:
    """One `helm template` process (uncached, unlike sequential_job.render); `extra` adds helm flags."""
    args = template_args([values_file], release=release, chart=chart, flags=extra)
    return run_helm(helm, *args, check=False, timeout=600)


def helm_install(namespace: str, release: str, values_file: Path, check: bool = True) -> HelmRun:
    """`helm install` (Helm 4) of the chart with one values file; raises on failure when check is true."""
    return run_helm("helm", *install_args(release, [values_file], namespace=namespace), check=check, timeout=600)


def boottime() -> float:
    """Seconds since boot (CLOCK_BOOTTIME): the clock behind /proc/uptime, which the steps read inside containers."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    """The machine the figures come from: they mean little without it."""
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "helm": {h: version(h) for h in HELMS},
    }
