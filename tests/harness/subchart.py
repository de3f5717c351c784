"""tests/data/parent-chart: an application chart that depends on this chart twice (aliases `migrate`, `backfill`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from sequential_job.helm import run_helm
from sequential_job.paths import CHART, TEST_DATA

PARENT = TEST_DATA / "parent-chart"


def build_parent_chart(helm: str, where: Path) -> Path:
    """A copy of the parent chart in `where`, its dependencies built by this helm (`helm dependency build`) from this
    repository's chart; the copy's file:// paths are made absolute, since the relative ones hold only in place."""
    chart = where / "app"
    shutil.copytree(PARENT, chart)
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    for dependency in meta["dependencies"]:
        dependency["repository"] = f"file://{CHART}"
    (chart / "Chart.yaml").write_text(yaml.safe_dump(meta))
    run_helm(helm, "dependency", "build", str(chart))
    return chart
