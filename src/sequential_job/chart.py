"""Facts Chart.yaml states: the chart's version and the oldest Kubernetes it claims."""

from __future__ import annotations

import re

import yaml

from sequential_job.paths import CHART_YAML


def metadata() -> dict:
    return yaml.safe_load(CHART_YAML.read_text())


def oldest_kubernetes() -> str:
    """The oldest Kubernetes version Chart.yaml's kubeVersion admits, as X.Y.0."""
    constraint = metadata()["kubeVersion"]
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)\.\d+(-0)?", constraint.strip())
    if not match:
        raise ValueError(f"Chart.yaml kubeVersion {constraint!r} is not of the form '>=X.Y.Z-0'")
    return f"{match.group(1)}.{match.group(2)}.0"
