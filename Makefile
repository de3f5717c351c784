# sequential-job: `make demo` runs the seed example on a cluster of its own; `make test` runs the whole suite. Each
# target installs what it needs into the repo (.tools/, .venv/) first; `make deps` installs every tool.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
HELM ?= $(ROOT)/.tools/bin/helm
HELM3 ?= $(ROOT)/.tools/bin/helm3
export HELM HELM3
# Helm's plugins, cache, config and data stay inside .tools/, never in the user's home.
export HELM_PLUGINS := $(ROOT)/.tools/helm/plugins
export HELM_CACHE_HOME := $(ROOT)/.tools/helm/cache
export HELM_CONFIG_HOME := $(ROOT)/.tools/helm/config
export HELM_DATA_HOME := $(ROOT)/.tools/helm/data

CHART := charts/sequential-job
# `make check VALUES="a.yaml b.yaml"`; `base.yaml,overlay.yaml` checks that stack as one overlay.
VALUES ?=

# The embedded cluster's Kubernetes: K8S=<minor> (one of scripts/cluster/kubernetes/1.*; default: the newest that runs
# here, scripts/cluster/kubernetes/default). CONTAINERD=2 runs containerd 2 instead of Debian's 1.6; EVENTED_PLEG=1
# turns on the kubelet's EventedPLEG feature gate (and needs containerd 2). Builds are cached per version.
K8S ?=
CONTAINERD ?=
EVENTED_PLEG ?=
export K8S CONTAINERD EVENTED_PLEG
# What the cluster adds to Kubernetes (built by cluster-deps, started by cluster-up): VOLCANO=1 Volcano, KUEUE=1 Kueue,
# CRICTL=1 crictl (the fault tests'), KWOK=1 kwok (simulated nodes: make bench's scale part). `make e2e` sets the
# first three; `make demo` needs none. NODES=<n> starts n real nodes on this machine (default 1; up to 4, from
# Kubernetes 1.30): `make e2e` adds the second one itself for the two-node tests.
VOLCANO ?=
KUEUE ?=
CRICTL ?=
KWOK ?=
NODES ?=
export VOLCANO KUEUE CRICTL KWOK NODES

.PHONY: help bench-scale-add deps demo-deps test check lint schema docs render package publish clean cluster-deps cluster-up cluster-down demo e2e \
	e2e-matrix bench

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps: ## install every tool: Helm 4 and 3, helm-unittest, helm-docs, ct, kube-score, ORAS, kustomize, helmfile, kubeconform, the venv, Debian packages
	@bash scripts/install-tools.sh

demo-deps: ## install only what make demo runs: Helm 4 and a venv with the Kubernetes client
	@bash scripts/install-tools.sh demo

test: deps ## the whole unit suite: pytest, helm-unittest through it, the generated files' checks
	$(PY) -m pytest -n 2 --dist loadgroup tests --ignore=tests/e2e

check: deps ## run the generic overlay checks on VALUES (default: every file in values/)
	$(PY) -m pytest -n 2 tests/test_overlays.py $(foreach v,$(VALUES),--overlay=$(v))

# Every bash script git tracks: the *.sh files (lib.sh and components.sh are sourced and have no #! line) and the
# files whose #! line names bash (.ci/run). .shellcheckrc says how shellcheck finds what they source.
BASH_SCRIPTS = $(sort $(shell git ls-files '*.sh'; git grep -lE '^#!(/usr/bin/env bash|/bin/bash)'))

# `helm lint --strict` of every overlay under both helms is part of `make test` (tests/test_overlays.py).
lint: deps ## ruff, shellcheck, yamllint, chart-testing's ct lint, kube-score on every rendered overlay
	@bash scripts/deb-packages.sh shellcheck
	$(VENV)/bin/ruff check src tests bench plugin
	$(VENV)/bin/ruff format --check src tests bench plugin
	shellcheck $(BASH_SCRIPTS)
	$(VENV)/bin/yamllint --strict .
	PATH="$(VENV)/bin:$(ROOT)/.tools/bin:$$PATH" ct lint --config ct.yaml --charts $(CHART)
	$(PY) -m sequential_job.kube_lint

schema: deps ## regenerate values.schema.json (from values.schema.source.yaml, values.yaml's comments and the Kubernetes definitions) and templates/_timezones.tpl (tzdata)
	$(PY) -m sequential_job.schema

docs: deps ## regenerate the values table in docs/values.md, charts/sequential-job/README.md (helm-docs) and docs/combinations.md
	$(PY) -m sequential_job.docs
	$(PY) -m sequential_job.combinations

render: deps ## print the seed example as the chart renders it (add EXTRA="-f values/volcano.yaml")
	$(HELM) template seed $(CHART) -f values/seed.yaml $(EXTRA)

# Publishing is configured by environment variables (src/sequential_job/publish.py, docs/publishing.md):
# SIGN_KEY, SIGN_KEYRING, SIGN_PASSPHRASE_FILE, SIGN_KEY_URL; REPO_URL, REPO_DIR; OCI_REGISTRY, OCI_PLAIN_HTTP.
package: deps ## dist/: the chart's .tgz (signed, with its .prov, when SIGN_KEY is set) and the kubectl plugin's wheel
	$(PY) -m sequential_job.publish package

# Registry logins are the user's own (`helm registry login`), not the ones in .tools/helm/config.
publish: deps ## package, then update the classic repository (REPO_URL, REPO_DIR) and/or push to OCI_REGISTRY
	HELM_REGISTRY_CONFIG="$${HELM_REGISTRY_CONFIG:-$${XDG_CONFIG_HOME:-$$HOME/.config}/helm/registry/config.json}" \
	  $(PY) -m sequential_job.publish publish

cluster-deps: ## install containerd, runc, CNI plugins (Debian), build Kubernetes (K8S=<minor>), etcd, the local images (and VOLCANO=1, KUEUE=1, CRICTL=1, KWOK=1)
	@bash scripts/cluster/host-packages.sh
	@bash scripts/cluster/build.sh
	@bash scripts/cluster/images.sh build

cluster-up: cluster-deps ## start the embedded cluster (K8S=<minor>, NODES=<n>, VOLCANO=1, KUEUE=1, EVENTED_PLEG=1; KUBECONFIG=.cluster/admin.kubeconfig)
	@bash scripts/cluster/up.sh

cluster-down: ## stop every process cluster-up started, unmount and remove .cluster/
	@bash scripts/cluster/down.sh

# CLUSTER=existing uses the cluster in $$KUBECONFIG instead of the embedded one; KEEP=1 leaves the embedded one up.
CLUSTER_DEPS := $(if $(filter existing,$(CLUSTER)),,cluster-deps)

demo: demo-deps $(CLUSTER_DEPS) ## install the seed example on a real cluster and print its steps' logs in order
	@bash scripts/cluster/with-cluster.sh bash scripts/demo.sh

# E2E_ARGS: pytest's arguments for the suite (scripts/e2e.sh has the default). E2E_NODES=1 adds the two-node tests:
# a second node joins the cluster for them (from Kubernetes 1.30). make e2e-matrix sets it; CI's make e2e does not,
# since they would take its cold run past 50 minutes (docs/cluster.md).
E2E_NODES ?=
export E2E_ARGS E2E_NODES
# The suite runs Volcano's and Kueue's tests, and the fault tests use crictl: the cluster is built and started with
# all three (a sub-make, so that the build sees them even when another goal already built cluster-deps without).
E2E_CLUSTER := VOLCANO=1 KUEUE=1 CRICTL=1
e2e: deps ## the end-to-end suite against a real cluster (K8S=<minor>), under Helm 4 and Helm 3, then the fault tests (E2E_NODES=1: and the two-node tests)
ifneq ($(CLUSTER),existing)
	@$(MAKE) --no-print-directory cluster-deps $(E2E_CLUSTER)
endif
	@$(E2E_CLUSTER) bash scripts/cluster/with-cluster.sh bash scripts/e2e.sh

# STORAGE=1 adds StorageClasses with a dynamic provisioner to the embedded cluster (built by cluster-deps, started by
# cluster-up; docs/cluster.md#storage): the suite's storage tests need them.
STORAGE ?=
export STORAGE
E2E_CLUSTER += STORAGE=1

# Both ends of the Kubernetes versions the chart claims, one after the other, with the two-node tests where the version
# allows them (1.30 on); writes the table in docs/cluster.md.
e2e-matrix: deps ## make e2e E2E_NODES=1 on the oldest Kubernetes the chart claims and on the newest, and the table of both in docs/cluster.md
	$(PY) -m sequential_job.e2e_matrix

# `make bench` measures everything (some three and a half hours, most of it the cluster parts, the scale part above all) and
# commits nothing: it rewrites bench/results.json, bench/figures/ and the tables in docs/benchmarks.md. The
# handoff part runs twice on the newest Kubernetes (or K8S=): on the default cluster (Debian's containerd, the
# kubelet's generic PLEG) and on one with EVENTED_PLEG=1 (containerd 2, EventedPLEG), so the table sets them side by
# side. The cluster parts run with STORAGE=1: the failure part keeps a file on a claim, and resume's progress.
# The scale part (bench/scale.py) runs on a cluster of its own with Volcano, Kueue and kwok's simulated nodes;
# not on CLUSTER=existing (BENCH_SCALE= leaves it out). The last step writes the tables and figures from
# bench/results.json.
# `make bench QUICK=1` (CI) measures the parts that need no cluster with fewer sizes and repetitions, and the scale
# part on 100 simulated nodes with 500 shards, into bench/quick/ (ignored by git), so the scripts cannot rot.
BENCH_QUICK := $(filter-out 0 no false,$(QUICK))
BENCH_CLUSTER_PARTS ?= handoff,limit,verify,fanout,shardlimit,wait,runtime,failure
comma := ,
# (not on CLUSTER=existing, whose kubelet the bench cannot reconfigure)
BENCH_EVENTED := $(if $(filter existing,$(CLUSTER)),,$(filter handoff,$(subst $(comma), ,$(BENCH_CLUSTER_PARTS))))
BENCH_SCALE ?= $(if $(filter existing,$(CLUSTER)),,scale)
SCALE_CLUSTER := VOLCANO=1 KUEUE=1 KWOK=1

bench: deps $(CLUSTER_DEPS) ## benchmarks: table, bench/results.json, bench/figures/*.png (QUICK=1: CI's short run)
ifeq ($(BENCH_QUICK),)
	$(PY) -m bench.run --parts render,schema,harness,reservation,shards --out bench
	@$(MAKE) --no-print-directory cluster-deps STORAGE=1
	@EVENTED_PLEG=0 CONTAINERD= STORAGE=1 bash scripts/cluster/with-cluster.sh $(PY) -m bench.run \
	  --parts $(BENCH_CLUSTER_PARTS) --out bench --merge
ifneq ($(BENCH_EVENTED),)
	@$(MAKE) --no-print-directory cluster-deps EVENTED_PLEG=1
	@EVENTED_PLEG=1 bash scripts/cluster/with-cluster.sh $(PY) -m bench.run --parts handoff-evented --out bench --merge
endif
ifneq ($(BENCH_SCALE),)
	@$(MAKE) --no-print-directory cluster-deps $(SCALE_CLUSTER)
	@$(SCALE_CLUSTER) EVENTED_PLEG=0 CONTAINERD= bash scripts/cluster/with-cluster.sh $(PY) -m bench.run --parts scale \
	  --out bench --merge
endif
	$(PY) -m bench.run --parts '' --out bench --merge --write-docs
else
	$(PY) -m bench.run --quick --parts render,schema,harness,reservation,shards --out bench/quick
ifneq ($(BENCH_SCALE),)
	@$(MAKE) --no-print-directory cluster-deps $(SCALE_CLUSTER)
	@$(SCALE_CLUSTER) EVENTED_PLEG=0 CONTAINERD= bash scripts/cluster/with-cluster.sh $(PY) -m bench.run --quick \
	  --parts scale --out bench/quick --merge
endif
endif

# A full scale run takes hours, 10 000 shards up to half an hour a runner: `make bench-scale-add
# RUNS="volcano:10000 kueue:10000"` measures those runs alone into bench/results.json's scale part (each noted with
# when it was measured) and rewrites the tables.
bench-scale-add: deps ## measure scale runs (RUNS="runner:shards ...") into bench/results.json and the docs
	@test -n "$(RUNS)" || { echo 'RUNS="runner:shards ..." is needed, e.g. RUNS="volcano:10000"' >&2; exit 2; }
	@$(MAKE) --no-print-directory cluster-deps $(SCALE_CLUSTER)
	@$(SCALE_CLUSTER) EVENTED_PLEG=0 CONTAINERD= bash scripts/cluster/with-cluster.sh $(PY) -m bench.scale --add $(RUNS)
	$(PY) -m bench.run --parts '' --out bench --merge --write-docs

clean: ## remove everything make deps installed and the test caches
	rm -rf .tools .venv .pytest_cache .ruff_cache dist
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
