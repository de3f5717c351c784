"""The embedded cluster's Kubernetes versions: one wrapper module per minor under scripts/cluster/kubernetes/, and the
default (`make e2e`), the newest that runs here. The oldest the chart claims is Chart.yaml's (sequential_job.chart)."""

from __future__ import annotations

import re

from sequential_job.paths import KUBERNETES_MODULES


def minors() -> list[str]:
    """Every minor version with a wrapper module, oldest first ("1.29", ..., "1.37")."""
    found = [p.name for p in KUBERNETES_MODULES.glob("1.*") if (p / "go.mod").exists()]
    return sorted(found, key=lambda minor: int(minor.split(".")[1]))


def default_minor() -> str:
    """The minor `make e2e` and `make cluster-up` run without K8S= (scripts/cluster/kubernetes/default)."""
    minor = (KUBERNETES_MODULES / "default").read_text().strip()
    if not re.fullmatch(r"1\.\d+", minor):
        raise ValueError(f"scripts/cluster/kubernetes/default holds {minor!r}, not a minor version like 1.37")
    return minor


def release(minor: str) -> str:
    """The k8s.io/kubernetes release the minor's wrapper module builds, e.g. v1.37.2."""
    gomod = KUBERNETES_MODULES / minor / "go.mod"
    if not gomod.exists():
        raise ValueError(f"no Kubernetes {minor} here (scripts/cluster/kubernetes/{minor}/go.mod): {minors()}")
    match = re.search(r"^require k8s\.io/kubernetes (v\S+)$", gomod.read_text(), re.MULTILINE)
    if not match:
        raise ValueError(f"{gomod} requires no k8s.io/kubernetes version")
    return match.group(1)


def newest_kubernetes() -> str:
    """The default cluster's version as X.Y.0, the form schema sets are named by."""
    return f"{default_minor()}.0"
