"""The kubectl plugin of the sequential-job Helm chart: `kubectl sequential-job logs|status RELEASE`."""
