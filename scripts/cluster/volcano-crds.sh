#!/usr/bin/env bash
# Prints the directory holding Volcano's CRDs (config/crd/volcano/bases) for the pinned Volcano version, taken
# from its Go module through the Go module proxy (cached in the Go module cache after the first run).
set -euo pipefail
VOLCANO_VERSION=v1.14.1
dir=$(go mod download -json "volcano.sh/volcano@$VOLCANO_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/config/crd/volcano/bases" ] || { echo "no CRDs in volcano.sh/volcano@$VOLCANO_VERSION ($dir)" >&2; exit 1; }
echo "$dir/config/crd/volcano/bases"
