//go:build !unix

package charts

import "testing"

// cpuMeter reports nothing where getrusage is missing.
func cpuMeter() func(*testing.B) { return func(*testing.B) {} }
