//go:build tools

// Pins the Pulumi CLI's main package so `go build` can build it from the module proxy.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
