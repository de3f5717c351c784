//go:build tools

// Package tools pins the Volcano commands this module builds, so `go mod tidy` keeps their dependencies.
package tools

import (
	_ "volcano.sh/volcano/cmd/controller-manager"
	_ "volcano.sh/volcano/cmd/scheduler"
	_ "volcano.sh/volcano/cmd/webhook-manager"
)
