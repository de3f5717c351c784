#!/usr/bin/env bash
# Installs every tool the project needs into the repository, pinned and idempotently:
#   .tools/bin/helm   Helm 4, built from the Go module proxy
#   .tools/bin/helm3  Helm 3 (latest 3.x), built from the Go module proxy
#   .tools/helm/plugins/unittest  the helm-unittest plugin, built through scripts/tools/helm-unittest
#   .tools/bin/helm-docs  helm-docs, built from the Go module proxy
#   .tools/bin/ct     chart-testing (`ct lint`), built through scripts/tools/chart-testing
#   .tools/bin/kube-score  kube-score, the Kubernetes security linter `make lint` runs on every rendered overlay
#   .tools/bin/oras   ORAS, which pushes artifacthub-repo.yml to an OCI registry for `make publish`
#   .venv/            Python packages from requirements.txt (yamllint and yamale for ct among them)
#   Debian packages   gnupg, docker-registry, git (scripts/deb-packages.sh)
# A second run only checks stamps and exits in seconds.
set -euo pipefail

HELM4_VERSION=v4.3.2
HELM3_VERSION=v3.22.0
HELM_UNITTEST_VERSION=v1.1.2   # keep in step with scripts/tools/helm-unittest/go.mod
HELM_DOCS_VERSION=v1.14.2      # generates the README values table from values.yaml comments
CT_VERSION=v3.14.0             # keep in step with scripts/tools/chart-testing/go.mod
KUBE_SCORE_VERSION=v1.20.0
ORAS_VERSION=v1.3.6

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
PLUGIN_DIR="$TOOLS/helm/plugins/unittest"
mkdir -p "$BIN" "$PLUGIN_DIR"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

say() { printf '[deps] %s\n' "$*"; }

bash "$ROOT/scripts/deb-packages.sh" gnupg docker-registry git

# stamp NAME VALUE: true when .tools/NAME.stamp already records VALUE and OUTPUT exists.
stamped() { [ -e "$3" ] && [ "$(cat "$TOOLS/$1.stamp" 2>/dev/null)" = "$2" ]; }
stamp() { printf '%s' "$2" >"$TOOLS/$1.stamp"; }

# build_helm MAJOR VERSION OUTPUT: `go install` Helm from the module proxy with the
# ldflags upstream's Makefile sets, so `helm version` and the default kube version are right.
build_helm() {
  local major=$1 version=$2 out=$3 mod="helm.sh/helm/$1"
  if stamped "helm-$major" "$version" "$out"; then say "helm $version already built"; return; fi
  say "building helm $version (first time: a few minutes)"
  local start=$SECONDS tmp
  tmp=$(mktemp -d)
  local ldflags="-s -w -X $mod/internal/version.version=$version -X $mod/internal/version.metadata= -X $mod/internal/version.gitTreeState=clean"
  if [ "$major" = v3 ]; then
    # Helm 3 takes its default Kubernetes version from ldflags (client-go 0.N => 1.N).
    local gomod minor
    gomod=$(go mod download -json "$mod@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
    minor=$(awk '$1=="k8s.io/client-go"{split($2,v,"."); print v[2]}' "$gomod")
    [ -n "$minor" ] || { echo "cannot read the k8s.io/client-go version of $mod@$version from $gomod" >&2; exit 1; }
    ldflags="$ldflags -X $mod/pkg/chartutil.k8sVersionMajor=1 -X $mod/pkg/chartutil.k8sVersionMinor=$minor"
    ldflags="$ldflags -X $mod/pkg/lint/rules.k8sVersionMajor=1 -X $mod/pkg/lint/rules.k8sVersionMinor=$minor"
  fi
  GOBIN="$tmp" go install -trimpath -ldflags "$ldflags" "$mod/cmd/helm@$version"
  mv "$tmp/helm" "$out"
  rmdir "$tmp"
  stamp "helm-$major" "$version"
  say "built $("$out" version --short) in $((SECONDS - start))s"
}

build_helm v4 "$HELM4_VERSION" "$BIN/helm"
build_helm v3 "$HELM3_VERSION" "$BIN/helm3"

# helm-unittest: its go.mod has a `replace`, so it is built through our tools module.
if stamped helm-unittest "$HELM_UNITTEST_VERSION" "$PLUGIN_DIR/untt"; then
  say "helm-unittest $HELM_UNITTEST_VERSION already built"
else
  say "building helm-unittest $HELM_UNITTEST_VERSION"
  start=$SECONDS
  (cd "$ROOT/scripts/tools/helm-unittest" && go build -trimpath \
    -ldflags "-s -w -X github.com/helm-unittest/helm-unittest/internal/build.version=${HELM_UNITTEST_VERSION#v}" \
    -o "$PLUGIN_DIR/untt" github.com/helm-unittest/helm-unittest/cmd/helm-unittest)
  # Our own plugin.yaml: the upstream one runs an install hook that downloads a release binary.
  cat >"$PLUGIN_DIR/plugin.yaml" <<YAML
name: "unittest"
version: "${HELM_UNITTEST_VERSION#v}"
usage: "unittest for helm charts"
description: "helm-unittest, built from the Go module proxy by scripts/install-tools.sh"
ignoreFlags: false
command: "\$HELM_PLUGIN_DIR/untt"
YAML
  stamp helm-unittest "$HELM_UNITTEST_VERSION"
  say "built helm-unittest in $((SECONDS - start))s"
fi

if stamped helm-docs "$HELM_DOCS_VERSION" "$BIN/helm-docs"; then
  say "helm-docs $HELM_DOCS_VERSION already built"
else
  say "building helm-docs $HELM_DOCS_VERSION"
  start=$SECONDS
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "github.com/norwoodj/helm-docs/cmd/helm-docs@$HELM_DOCS_VERSION"
  stamp helm-docs "$HELM_DOCS_VERSION"
  say "built helm-docs in $((SECONDS - start))s"
fi

# chart-testing: `go install .../ct@version` asks the proxy for the module's version list, which it refuses here,
# so ct is built through our tools module, which requires the exact version.
if stamped ct "$CT_VERSION" "$BIN/ct"; then
  say "ct $CT_VERSION already built"
else
  say "building ct $CT_VERSION"
  start=$SECONDS
  (cd "$ROOT/scripts/tools/chart-testing" && go build -trimpath \
    -ldflags "-s -w -X github.com/helm/chart-testing/v3/ct/cmd.Version=$CT_VERSION" \
    -o "$BIN/ct" github.com/helm/chart-testing/v3/ct)
  stamp ct "$CT_VERSION"
  say "built ct in $((SECONDS - start))s"
fi

# kube-score stands in for kube-linter, which the Go module proxy does not serve (golang.stackrox.io/kube-linter).
if stamped kube-score "$KUBE_SCORE_VERSION" "$BIN/kube-score"; then
  say "kube-score $KUBE_SCORE_VERSION already built"
else
  say "building kube-score $KUBE_SCORE_VERSION"
  start=$SECONDS
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w -X main.version=$KUBE_SCORE_VERSION" \
    "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
  stamp kube-score "$KUBE_SCORE_VERSION"
  say "built kube-score in $((SECONDS - start))s"
fi

if stamped oras "$ORAS_VERSION" "$BIN/oras"; then
  say "oras $ORAS_VERSION already built"
else
  say "building oras $ORAS_VERSION"
  start=$SECONDS
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "oras.land/oras/cmd/oras@$ORAS_VERSION"
  stamp oras "$ORAS_VERSION"
  say "built oras in $((SECONDS - start))s"
fi

# Python: a venv in the repo, packages pinned in requirements.txt.
req_hash=$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)
if stamped venv "$req_hash" "$ROOT/.venv/bin/python"; then
  say "python venv up to date"
else
  say "installing python packages into .venv"
  [ -x "$ROOT/.venv/bin/python" ] || python3 -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
  stamp venv "$req_hash"
fi
say "tools ready in .tools/ and .venv/"
