"""The tools the project runs and where they are: each one's environment variable (HELM, HELM3, ...) when set, else
where `make deps` (or the embedded cluster's build) installs it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sequential_job.cluster_versions import default_minor, release
from sequential_job.paths import CLUSTER_TOOLS, TOOLS_BIN

# Each tool: the environment variable that overrides it, and where the project puts it (None: see _default).
_TOOLS: dict[str, tuple[str, Path | None]] = {
    "helm": ("HELM", TOOLS_BIN / "helm"),
    "helm3": ("HELM3", TOOLS_BIN / "helm3"),
    "helm-docs": ("HELM_DOCS", TOOLS_BIN / "helm-docs"),
    "kube-score": ("KUBE_SCORE", TOOLS_BIN / "kube-score"),
    "oras": ("ORAS", TOOLS_BIN / "oras"),
    "kustomize": ("KUSTOMIZE", TOOLS_BIN / "kustomize"),
    "helmfile": ("HELMFILE", TOOLS_BIN / "helmfile"),
    "kubeconform": ("KUBECONFORM", TOOLS_BIN / "kubeconform"),
    "kubectl": ("KUBECTL", None),  # the default cluster version's
}


def _default(name: str) -> Path:
    default = _TOOLS[name][1]
    if default is not None:
        return default
    # kubectl: the one the cluster build puts beside the default Kubernetes (scripts/cluster/lib.sh's KBIN)
    return CLUSTER_TOOLS / release(default_minor()) / "bin" / "kubectl"


def tool(name: str) -> str:
    """The path of a tool: its environment variable if set, else where the project installs it."""
    return os.environ.get(_TOOLS[name][0]) or str(_default(name))


def require_tool(name: str) -> str:
    """Like tool(), but fails with the fix when the tool is not there."""
    path = tool(name)
    if not (shutil.which(path) or Path(path).is_file()):
        variable = _TOOLS[name][0]
        raise FileNotFoundError(f"{name} not found at {path}: run `make deps` or set {variable}=/path/to/{name}")
    return path
