"""The README's values table is the one helm-docs generates from values.yaml, and it documents every value."""

import subprocess
import sys

import yaml

from harness.paths import CHART, ROOT


def test_readme_values_table_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "values_table.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr or proc.stdout


def test_values_table_covers_every_top_level_value() -> None:
    readme = (ROOT / "README.md").read_text()
    keys = [row.split("|")[1].strip() for row in readme.splitlines() if row.startswith("| ") and "|" in row[2:]]
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    missing = [k for k in values if not any(key == k or key.startswith(k + ".") for key in keys)]
    assert missing == [], f"values missing from the README's values table: {missing}"
