#!/usr/bin/env bash
# install-tools.sh [demo]: installs the tools the project needs into the repository, pinned and idempotently (a second
# run only checks stamps and exits in seconds). `make deps` (and so `make test`, `make lint`, ...) installs everything;
# `install-tools.sh demo` (`make demo`) only what the demo runs: Helm 4 and the venv's Kubernetes client.
#   .tools/bin/helm              Helm 4                                                       (demo)
#   .venv/                       requirements-demo.txt (the demo) or requirements.txt (all),  (demo)
#                                and the project's own package (src/) editable
#   .tools/bin/helm3             Helm 3 (latest 3.x)
#   .tools/helm/plugins/unittest the helm-unittest plugin
#   .tools/bin/helm-docs         generates the README's values table from values.yaml comments
#   .tools/bin/ct                chart-testing (`ct lint`)
#   .tools/bin/kube-score        the Kubernetes security linter `make lint` runs on every rendered overlay
#   .tools/bin/oras              pushes artifacthub-repo.yml to an OCI registry for `make publish`
#   .tools/bin/kustomize         kustomize 5.8 (`build --enable-helm`), helmfile and kubeconform: the clients users
#   .tools/bin/helmfile          deploy or check the chart with (tests/test_clients.py)
#   .tools/bin/kubeconform
#   Debian packages              gnupg, docker-registry, git, busybox-static (scripts/deb-packages.sh)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

say() { printf '[deps] %s\n' "$*"; }

case "${1:-all}" in
  all) SCOPE=all ;;
  demo) SCOPE=demo ;;
  *) echo "usage: install-tools.sh [demo]: '$1' is not a scope" >&2; exit 2 ;;
esac

[ "$SCOPE" = demo ] || bash "$ROOT/scripts/deb-packages.sh" gnupg docker-registry git busybox-static

# What to build: name, version, scope, Go toolchain, output, how. Scope `demo`: `make demo` builds it too; `all`: only
# `make deps`. The toolchain is the GOTOOLCHAIN the build runs with (`-`: this machine's Go; a newer one comes through
# the Go module proxy). `install PKG` is `go install PKG@version`; `module DIR PKG` builds PKG through our tools module
# DIR (for modules with `replace` directives, which `go install` refuses, or whose version list the proxy here
# refuses). Keep the versions of tools modules in step with their go.mod.
HELM_UNITTEST=github.com/helm-unittest/helm-unittest
TOOL_TABLE=(
  "helm          v4.3.2   demo -         $BIN/helm        install helm.sh/helm/v4/cmd/helm"
  "helm3         v3.22.0  all  -         $BIN/helm3       install helm.sh/helm/v3/cmd/helm"
  "helm-unittest v1.1.2   all  -         $TOOLS/helm/plugins/unittest/untt module scripts/tools/helm-unittest $HELM_UNITTEST/cmd/helm-unittest"
  "helm-docs     v1.14.2  all  -         $BIN/helm-docs   install github.com/norwoodj/helm-docs/cmd/helm-docs"
  "ct            v3.14.0  all  -         $BIN/ct          module  scripts/tools/chart-testing github.com/helm/chart-testing/v3/ct"
  "kube-score    v1.20.0  all  -         $BIN/kube-score  install github.com/zegl/kube-score/cmd/kube-score"
  "oras          v1.3.6   all  -         $BIN/oras        install oras.land/oras/cmd/oras"
  "kustomize     v5.8.3   all  go1.27.3  $BIN/kustomize   install sigs.k8s.io/kustomize/kustomize/v5"
  "helmfile      v1.8.0   all  -         $BIN/helmfile    module  scripts/tools/helmfile github.com/helmfile/helmfile"
  "kubeconform   v0.8.0   all  -         $BIN/kubeconform install github.com/yannh/kubeconform/cmd/kubeconform"
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
    kube-score | kubeconform) flags="$flags -X main.version=$version" ;;
    helmfile) flags="$flags -X go.szostok.io/version.version=$version" ;;
  esac
  echo "$flags"
}

# build_tool NAME VERSION SCOPE TOOLCHAIN OUTPUT install PKG | module DIR PKG: build unless OUTPUT exists and its
# stamp says VERSION; a tool of scope `all` only when installing everything.
build_tool() {
  local name=$1 version=$2 scope=$3 toolchain=$4 out=$5 how=$6 stamp="$TOOLS/$1.stamp"
  shift 6
  [ "$SCOPE" = all ] || [ "$scope" = "$SCOPE" ] || return 0
  if [ -e "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
    say "$name $version already built"
    return
  fi
  say "building $name $version"
  local start=$SECONDS tmp
  tmp=$(mktemp -d)
  mkdir -p "$(dirname "$out")"
  [ "$toolchain" != - ] || toolchain=local
  if [ "$how" = install ]; then
    GOTOOLCHAIN=$toolchain GOBIN="$tmp" go install -trimpath -ldflags "$(ldflags "$name" "$version")" "$1@$version"
    mv "$tmp"/* "$out"
  else
    (cd "$ROOT/$1" && GOTOOLCHAIN=$toolchain go build -trimpath -ldflags "$(ldflags "$name" "$version")" -o "$out" "$2")
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
if [ "$SCOPE" = all ]; then
  unittest_version=$(cat "$TOOLS/helm-unittest.stamp")
  cat >"$TOOLS/helm/plugins/unittest/plugin.yaml" <<YAML
name: "unittest"
version: "${unittest_version#v}"
usage: "unittest for helm charts"
description: "helm-unittest, built from the Go module proxy by scripts/install-tools.sh"
ignoreFlags: false
command: "\$HELM_PLUGIN_DIR/untt"
YAML
fi

# Python: a venv in the repo with the packages pinned in requirements-demo.txt (what the demo runs) or requirements.txt
# (which includes it: everything), and src/ and the kubectl plugin (plugin/) installed editable. Each stamp is the
# hash of the files it was installed from; a full install satisfies the demo's too.
venv_hash() { cat "$@" "$ROOT/pyproject.toml" "$ROOT/plugin/pyproject.toml" | sha256sum | cut -d' ' -f1; }
full_hash=$(venv_hash "$ROOT/requirements.txt" "$ROOT/requirements-demo.txt")
demo_hash=$(venv_hash "$ROOT/requirements-demo.txt")
# The stamps live in the venv itself: a checkout's venv is its own even where checkouts share .tools/.
venv_current() { [ -x "$ROOT/.venv/bin/python" ] && [ "$(cat "$ROOT/.venv/$1" 2>/dev/null)" = "$2" ]; }
if venv_current venv.stamp "$full_hash" || { [ "$SCOPE" = demo ] && venv_current venv-demo.stamp "$demo_hash"; }; then
  say "python venv up to date"
else
  requirements=$([ "$SCOPE" = demo ] && echo requirements-demo.txt || echo requirements.txt)
  say "installing python packages from $requirements into .venv"
  start=$SECONDS
  [ -x "$ROOT/.venv/bin/python" ] || python3 -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/$requirements"
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT" -e "$ROOT/plugin"
  printf '%s' "$demo_hash" >"$ROOT/.venv/venv-demo.stamp"
  [ "$SCOPE" = demo ] || printf '%s' "$full_hash" >"$ROOT/.venv/venv.stamp"
  say "installed python packages from $requirements in $((SECONDS - start))s"
fi
say "tools ready in .tools/ and .venv/"
