"""Where things are in the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "sequential-job"
VALUES_DIR = ROOT / "values"
TOOLS_BIN = ROOT / ".tools" / "bin"
SCHEMAS = ROOT / "tests" / "schemas"
