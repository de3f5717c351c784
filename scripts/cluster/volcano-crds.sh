#!/usr/bin/env bash
# Prints the directory holding Volcano's CRDs (config/crd: volcano/bases and jobflow/bases) for the pinned Volcano version, taken
# from its Go module through the Go module proxy (cached in the Go module cache after the first run).
set -euo pipefail
# The version scripts/cluster/volcano/go.mod builds, so the CRDs always match the binaries.
VOLCANO_VERSION=$(awk '$1=="require" && $2=="volcano.sh/volcano" {print $3}' "$(dirname "$0")/volcano/go.mod")
dir=$(go mod download -json "volcano.sh/volcano@$VOLCANO_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/config/crd/volcano/bases" ] || { echo "no CRDs in volcano.sh/volcano@$VOLCANO_VERSION ($dir)" >&2; exit 1; }
echo "$dir/config/crd"
