#!/usr/bin/env bash
# add-version.sh vX.Y.Z: writes the wrapper module scripts/cluster/kubernetes/X.Y/ that builds Kubernetes vX.Y.Z from
# the Go module proxy (a maintainer's tool: run it once per version, review, commit the three files it writes).
#
# k8s.io/kubernetes replaces each of its staging modules (k8s.io/api, client-go, ...) with a local path, which
# `go install module@version` refuses. The wrapper requires k8s.io/kubernetes and points every staging module at its
# published release v0.Y.Z instead; the list is read from the `=> ./staging/` lines of the proxy's go.mod for vX.Y.Z,
# and the wrapper keeps that go.mod's `go` line. `go mod tidy` then fills in go.sum.
set -euo pipefail
version=${1:-}
[[ "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "usage: add-version.sh v1.MINOR.PATCH" >&2; exit 2; }
minor=${BASH_REMATCH[1]} patch=${BASH_REMATCH[2]}
dir="$(cd "$(dirname "$0")" && pwd)/1.$minor"
[ ! -e "$dir/go.mod" ] || { echo "$dir/go.mod exists; remove the directory to regenerate it" >&2; exit 1; }

upstream=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
[ -f "$upstream" ] || { echo "the module proxy did not give k8s.io/kubernetes@$version" >&2; exit 1; }
go_line=$(awk '$1=="go" {print $2; exit}' "$upstream")
staging=$(awk '$2=="=>" && $3 ~ /^\.\/staging\// {print $1}' "$upstream" | sort -u)
[ -n "$staging" ] || { echo "no staging replaces in $upstream" >&2; exit 1; }

mkdir -p "$dir"
{
  echo "// Builds Kubernetes $version's server binaries and kubectl from the Go module proxy (scripts/cluster/build.sh)."
  echo "// k8s.io/kubernetes replaces each staging module with a local path, which \`go install mod@version\` refuses;"
  echo "// this module requires it and points every staging module at its published v0.$minor.$patch release instead."
  echo "// Written by scripts/cluster/kubernetes/add-version.sh."
  echo "module sequential-job/cluster/kubernetes/1.$minor"
  echo
  echo "go $go_line"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  echo "replace ("
  for m in $staging; do printf '\t%s => %s v0.%s.%s\n' "$m" "$m" "$minor" "$patch"; done
  echo ")"
} >"$dir/go.mod"
cat >"$dir/tools.go" <<'GO'
//go:build tools

// Package tools pins the Kubernetes commands this module builds, so `go mod tidy` keeps their dependencies.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
(cd "$dir" && GOFLAGS=-mod=mod go mod tidy)
echo "wrote ${dir#"$PWD"/}: go.mod, go.sum, tools.go ($(echo "$staging" | wc -l) staging modules at v0.$minor.$patch)"
