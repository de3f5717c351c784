"""What every benchmark part shares: the helms, values files on disk, a clock the steps can read too, the machine."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from harness.helm import helm_binaries, helm_env
from harness.paths import CHART, ROOT

HELMS = ("helm", "helm3")


def helm_version(helm: str) -> str:
    proc = subprocess.run(
        [helm_binaries()[helm], "version", "--short"], capture_output=True, text=True, env=helm_env(), check=True
    )
    return proc.stdout.strip()


def write_values(directory: Path, name: str, values: Mapping[str, Any]) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(dict(values), sort_keys=False))
    return path


def helm_template(
    helm: str, values_file: Path, release: str = "bench", chart: Path = CHART, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """One `helm template` process (uncached, unlike the harness's render); `extra` adds helm flags."""
    return subprocess.run(
        [helm_binaries()[helm], "template", release, str(chart), "-f", str(values_file), *extra],
        capture_output=True,
        text=True,
        env=helm_env(),
        cwd=ROOT,
        timeout=600,
    )


def helm_install(
    namespace: str, release: str, values_file: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`helm install` (Helm 4) of the chart with one values file; raises on failure when check is true."""
    proc = subprocess.run(
        [helm_binaries()["helm"], "install", release, str(CHART), "-n", namespace, "-f", str(values_file)],
        capture_output=True,
        text=True,
        env=helm_env(),
        cwd=ROOT,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"helm install {release} failed:\n{proc.stderr}")
    return proc


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
        "helm": {h: helm_version(h) for h in HELMS},
    }
