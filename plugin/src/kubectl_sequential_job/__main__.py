"""`python -m kubectl_sequential_job logs|status RELEASE`: the plugin without kubectl."""

from kubectl_sequential_job.cli import entry_point

entry_point()
