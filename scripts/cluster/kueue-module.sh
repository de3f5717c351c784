#!/usr/bin/env bash
# Prints the directory of the pinned Kueue module (KUEUE_VERSION in lib.sh), which holds its CRDs
# (config/components/crd/bases) and webhook configurations (config/components/webhook/manifests.yaml), taken through
# the Go module proxy (cached in the Go module cache after the first run), so they always match the binary.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dir=$(go mod download -json "sigs.k8s.io/kueue@$KUEUE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/config/components/crd/bases" ] || die "no CRDs in sigs.k8s.io/kueue@$KUEUE_VERSION ($dir)"
echo "$dir"
