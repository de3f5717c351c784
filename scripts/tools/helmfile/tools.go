//go:build tools

// Package tools pins helmfile so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/helmfile/helmfile"
