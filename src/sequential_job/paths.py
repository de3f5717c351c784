"""Where things are: the repository, the chart, the overlays, and the tools `make deps` and the cluster install."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "sequential-job"
VALUES_DIR = ROOT / "values"
README = ROOT / "README.md"
DOCS = ROOT / "docs"  # one Markdown file per topic, linked from the README
TOOLS = ROOT / ".tools"
TOOLS_BIN = TOOLS / "bin"

# Each tool: the environment variable that overrides it, and where `make deps` (or the cluster build) puts it.
_TOOLS = {
    "helm": ("HELM", TOOLS_BIN / "helm"),
    "helm3": ("HELM3", TOOLS_BIN / "helm3"),
    "helm-docs": ("HELM_DOCS", TOOLS_BIN / "helm-docs"),
    "kube-score": ("KUBE_SCORE", TOOLS_BIN / "kube-score"),
    "oras": ("ORAS", TOOLS_BIN / "oras"),
    "kustomize": ("KUSTOMIZE", TOOLS_BIN / "kustomize"),
    "helmfile": ("HELMFILE", TOOLS_BIN / "helmfile"),
    "kubeconform": ("KUBECONFORM", TOOLS_BIN / "kubeconform"),
    "kubectl": ("KUBECTL", None),  # the default cluster version's, see _default_kubectl
}


def _default_kubectl() -> Path:
    """The kubectl the cluster build puts beside the default Kubernetes (scripts/cluster/lib.sh's KBIN)."""
    from sequential_job.cluster_versions import default_minor, release  # it imports this module

    return TOOLS / "cluster" / release(default_minor()) / "bin" / "kubectl"


def tool(name: str) -> str:
    """The path of a tool: its environment variable (HELM, HELM3, ...) if set, else where the project installs it."""
    variable, default = _TOOLS[name]
    return os.environ.get(variable) or str(default or _default_kubectl())


def require_tool(name: str) -> str:
    """Like tool(), but fails with the fix when the tool is not there."""
    path = tool(name)
    if not (shutil.which(path) or Path(path).is_file()):
        variable = _TOOLS[name][0]
        raise FileNotFoundError(f"{name} not found at {path}: run `make deps` or set {variable}=/path/to/{name}")
    return path
