"""Where things are: the repository's files and folders that more than one module (or test, or benchmark) reads.
Only locations: which tool runs from where is sequential_job.tools."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CHANGELOG = ROOT / "CHANGELOG.md"
ARTIFACTHUB_REPO = ROOT / "artifacthub-repo.yml"
DIST = ROOT / "dist"

CHART = ROOT / "charts" / "sequential-job"
CHART_YAML = CHART / "Chart.yaml"
VALUES_YAML = CHART / "values.yaml"
VALUES_SCHEMA = CHART / "values.schema.json"

VALUES_DIR = ROOT / "values"
DOCS = ROOT / "docs"  # one Markdown file per topic, linked from the README
# The seed example: the chain the chart began from, as values (and, in the tests, as the Job it was written as).
SEED_VALUES = VALUES_DIR / "seed.yaml"
# The kubectl plugin's own distribution (plugin/pyproject.toml), built into a wheel by `make package`.
PLUGIN = ROOT / "plugin"

SCRIPTS = ROOT / "scripts"
CLUSTER_SCRIPTS = SCRIPTS / "cluster"
KUBERNETES_MODULES = CLUSTER_SCRIPTS / "kubernetes"
VOLCANO_CRDS = CLUSTER_SCRIPTS / "volcano-crds.sh"

TEST_DATA = ROOT / "tests" / "data"
SEED_JOB = TEST_DATA / "seed-job.yaml"

TOOLS = ROOT / ".tools"
TOOLS_BIN = TOOLS / "bin"
# The embedded cluster's builds: Kubernetes per version in CLUSTER_TOOLS/<release>/bin (scripts/cluster/lib.sh's
# KBIN), the rest (containerd, crictl, etcd, ...) in CLUSTER_TOOLS/bin (its CBIN).
CLUSTER_TOOLS = TOOLS / "cluster"
CLUSTER_BIN = CLUSTER_TOOLS / "bin"
