#!/usr/bin/env bash
# Installs every tool the project needs into the repository, pinned and idempotently (a second run only checks
# stamps and exits in seconds):
#   .tools/bin/helm, helm3   Helm 4 and Helm 3 (latest 3.x)
#   .tools/helm/plugins/unittest  the helm-unittest plugin
#   .tools/bin/helm-docs     generates the README's values table from values.yaml comments
#   .tools/bin/ct            chart-testing (`ct lint`)
#   .tools/bin/kube-score    the Kubernetes security linter `make lint` runs on every rendered overlay
#   .tools/bin/oras          pushes artifacthub-repo.yml to an OCI registry for `make publish`
#   .venv/                   Python packages from requirements.txt, and the project's own package (src/) editable
#   Debian packages          gnupg, docker-registry, git (scripts/deb-packages.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

say() { printf '[deps] %s\n' "$*"; }

bash "$ROOT/scripts/deb-packages.sh" gnupg docker-registry git

# What to build: name, version, output, how. `install PKG` is `go install PKG@version`; `module DIR PKG` builds PKG
# through our tools module DIR (for modules with `replace` directives, which `go install` refuses, or whose version
# list the proxy here refuses). Keep the versions of tools modules in step with their go.mod.
HELM_UNITTEST=github.com/helm-unittest/helm-unittest
TOOL_TABLE=(
  "helm          v4.3.2   $BIN/helm                         install helm.sh/helm/v4/cmd/helm"
  "helm3         v3.22.0  $BIN/helm3                        install helm.sh/helm/v3/cmd/helm"
  "helm-unittest v1.1.2   $TOOLS/helm/plugins/unittest/untt module  scripts/tools/helm-unittest $HELM_UNITTEST/cmd/helm-unittest"
  "helm-docs     v1.14.2  $BIN/helm-docs                    install github.com/norwoodj/helm-docs/cmd/helm-docs"
  "ct            v3.14.0  $BIN/ct                           module  scripts/tools/chart-testing github.com/helm/chart-testing/v3/ct"
  "kube-score    v1.20.0  $BIN/kube-score                   install github.com/zegl/kube-score/cmd/kube-score"
  "oras          v1.3.6   $BIN/oras                         install oras.land/oras/cmd/oras"
)

# ldflags NAME VERSION: the version stamps upstream's release builds set, so `NAME version` tells the truth.
ldflags() {
  local name=$1 version=$2 flags="-s -w"
  case $name in
    helm | helm3)
      local mod=helm.sh/helm/${version%%.*}
      flags="$flags -X $mod/internal/version.version=$version -X $mod/internal/version.metadata="
      flags="$flags -X $mod/internal/version.gitTreeState=clean"
      if [ "$name" = helm3 ]; then
        # Helm 3 takes its default Kubernetes version from ldflags (client-go 0.N => 1.N).
        local gomod minor
        gomod=$(go mod download -json "$mod@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
        minor=$(awk '$1=="k8s.io/client-go"{split($2,v,"."); print v[2]}' "$gomod")
        [ -n "$minor" ] || { echo "cannot read the k8s.io/client-go version of $mod@$version from $gomod" >&2; exit 1; }
        for pkg in pkg/chartutil pkg/lint/rules; do
          flags="$flags -X $mod/$pkg.k8sVersionMajor=1 -X $mod/$pkg.k8sVersionMinor=$minor"
        done
      fi
      ;;
    helm-unittest) flags="$flags -X $HELM_UNITTEST/internal/build.version=${version#v}" ;;
    ct) flags="$flags -X github.com/helm/chart-testing/v3/ct/cmd.Version=$version" ;;
    kube-score) flags="$flags -X main.version=$version" ;;
  esac
  echo "$flags"
}

# build_tool NAME VERSION OUTPUT install PKG | module DIR PKG: build unless OUTPUT exists and its stamp says VERSION.
build_tool() {
  local name=$1 version=$2 out=$3 how=$4 stamp="$TOOLS/$1.stamp"
  if [ -e "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    say "$name $version already built"
    return
  fi
  say "building $name $version"
  local start=$SECONDS tmp
  tmp=$(mktemp -d)
  mkdir -p "$(dirname "$out")"
  if [ "$how" = install ]; then
    GOBIN="$tmp" go install -trimpath -ldflags "$(ldflags "$name" "$version")" "$5@$version"
    mv "$tmp"/* "$out"
  else
    (cd "$ROOT/$5" && go build -trimpath -ldflags "$(ldflags "$name" "$version")" -o "$out" "$6")
  fi
  rmdir "$tmp"
  printf '%s' "$version" >"$stamp"
  say "built $name $version in $((SECONDS - start))s"
}

for row in "${TOOL_TABLE[@]}"; do
  # shellcheck disable=SC2086  # the row's fields are split on purpose
  build_tool $row
done

# Our own plugin.yaml for helm-unittest: the upstream one runs an install hook that downloads a release binary.
unittest_version=$(cat "$TOOLS/helm-unittest.stamp")
cat >"$TOOLS/helm/plugins/unittest/plugin.yaml" <<YAML
name: "unittest"
version: "${unittest_version#v}"
usage: "unittest for helm charts"
description: "helm-unittest, built from the Go module proxy by scripts/install-tools.sh"
ignoreFlags: false
command: "\$HELM_PLUGIN_DIR/untt"
YAML

# Python: a venv in the repo, the packages pinned in requirements.txt, and src/ installed editable.
req_hash=$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ -x "$ROOT/.venv/bin/python" ] && [ "$(cat "$TOOLS/venv.stamp" 2>/dev/null)" = "$req_hash" ]; then
  say "python venv up to date"
else
  say "installing python packages into .venv"
  [ -x "$ROOT/.venv/bin/python" ] || python3 -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT" -e "$ROOT/plugin"
  printf '%s' "$req_hash" >"$TOOLS/venv.stamp"
fi
say "tools ready in .tools/ and .venv/"
