"""Benchmarks for the sequential-job chart: `make bench` (see bench/run.py and docs/benchmarks.md).
They build on the project's package, sequential_job; nothing here imports the tests."""
