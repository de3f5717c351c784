"""Benchmarks for the sequential-job chart: `make bench` (see bench/run.py and the README's "Benchmarks" section).
They build on the project's package, sequential_job; nothing here imports the tests."""
