"""What the tests, the benchmarks and the scripts of the sequential-job chart share: where things are, the one way
to run helm, renders of the chart as plain data, overlay stacks, and the step-log reader. Installed editable into
.venv by `make deps`; nothing here imports the tests."""
