"""The generated docs are current: the README's values table and the chart's own README come from helm-docs."""

import subprocess
import sys

import yaml

from sequential_job import chart, docs
from sequential_job.paths import README, VALUES_YAML
from sequential_job.render import render


def test_readme_values_table_is_current() -> None:
    proc = subprocess.run([sys.executable, "-m", "sequential_job.docs", "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr or proc.stdout


def test_values_table_covers_every_top_level_value() -> None:
    readme = README.read_text()
    keys = [row.split("|")[1].strip() for row in readme.splitlines() if row.startswith("| ") and "|" in row[2:]]
    values = yaml.safe_load(VALUES_YAML.read_text())
    missing = [k for k in values if not any(key == k or key.startswith(k + ".") for key in keys)]
    assert missing == [], f"values missing from the README's values table: {missing}"


def test_chart_readme_is_what_helm_docs_generates() -> None:
    """charts/sequential-job/README.md (Artifact Hub shows it) is README.md.gotmpl as helm-docs renders it."""
    expected = docs.generated_chart_readme()
    assert docs.CHART_README.is_file(), "charts/sequential-job/README.md is missing: run `make docs`"
    actual = docs.CHART_README.read_text()
    assert actual == expected, "charts/sequential-job/README.md is stale: run `make docs`"


def test_chart_readme_documents_every_value_and_the_version() -> None:
    readme = docs.CHART_README.read_text()
    meta = chart.metadata()
    assert f"--version {meta['version']}" in readme
    assert docs.generated_table() in readme, "the chart README's values table differs from the README's"


def test_chart_readme_example_renders_in_order() -> None:
    readme = docs.CHART_README.read_text()
    example = readme.split("## Example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    manifest = render(values=yaml.safe_load(example))
    assert manifest.step_names() == ["fetch", "build", "report"]
    assert manifest.undeclared_mounts() == []
