"""The log reader's old name: `python -m sequential_job.step_logs RELEASE [...]` is `kubectl sequential-job logs
RELEASE [...]`, the kubectl plugin (plugin/, package kubectl_sequential_job), which the dev venv has installed."""

from __future__ import annotations

import sys

from kubectl_sequential_job.cli import main

if __name__ == "__main__":
    sys.exit(main(["logs", *sys.argv[1:]]))
