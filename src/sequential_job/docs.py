"""Keep the generated docs equal to what helm-docs renders from the `# --` comments in values.yaml:

- the values table in docs/values.md (between its markers, see doc_sections), and
- the chart's own README (charts/sequential-job/README.md from its README.md.gotmpl), which Artifact Hub shows.

python -m sequential_job.docs          # rewrite both (`make docs`)
python -m sequential_job.docs --check  # exit 1 when either is stale
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from sequential_job.doc_sections import VALUES_TABLE
from sequential_job.paths import CHART, ROOT
from sequential_job.tools import tool

CHART_README = CHART / "README.md"


def helm_docs(*template_args: str) -> subprocess.CompletedProcess[str]:
    """helm-docs over the chart, rendering to stdout, values in file order."""
    args = ["--dry-run", "--log-level=error", "--sort-values-order=file", "--chart-search-root=charts", *template_args]
    return subprocess.run([tool("helm-docs"), *args], cwd=ROOT, capture_output=True, text=True)


def generated_table() -> str:
    """The table helm-docs renders; fails when a value has no `# --` comment (an empty description)."""
    proc = helm_docs(f"--template-files={ROOT / 'scripts' / 'values-table.gotmpl'}")
    if proc.returncode != 0:
        sys.exit(f"helm-docs failed (exit {proc.returncode}):\n{proc.stderr}")
    table = proc.stdout.strip()
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| Key ")]
    if not rows:
        sys.exit(f"helm-docs rendered no values table:\n{proc.stdout}{proc.stderr}")
    undocumented = [row.split("|")[1].strip() for row in rows if row.rstrip().endswith("|  |")]
    if undocumented:
        sys.exit(f"values without a `# --` comment in values.yaml: {', '.join(undocumented)}")
    return table


def generated_chart_readme() -> str:
    """The chart's README as helm-docs renders it from the chart's README.md.gotmpl."""
    proc = helm_docs("--skip-version-footer", "--template-files=README.md.gotmpl")
    if proc.returncode != 0 or not proc.stdout.startswith("# "):
        sys.exit(f"helm-docs did not render the chart README (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when either is stale")
    args = parser.parse_args()
    table = generated_table() + "\n"
    chart_readme = generated_chart_readme()
    if args.check:
        stale = []
        if VALUES_TABLE.read() != table:
            stale.append(f"{VALUES_TABLE.path.relative_to(ROOT)}'s values table")
        if not CHART_README.is_file() or CHART_README.read_text() != chart_readme:
            stale.append(str(CHART_README.relative_to(ROOT)))
        if stale:
            print(f"stale: {' and '.join(stale)}: run `make docs`", file=sys.stderr)
            return 1
        return 0
    VALUES_TABLE.write(table)
    CHART_README.write_text(chart_readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
