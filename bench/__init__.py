"""Benchmarks for the sequential-job chart: `make bench` (see bench/run.py and the README's "Benchmarks" section).

Importing the package puts tests/ (the harness) and scripts/ (step_logs) on sys.path, as pytest's `pythonpath` does.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT / "tests", ROOT / "scripts"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
