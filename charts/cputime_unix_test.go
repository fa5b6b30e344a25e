//go:build unix

package charts

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter starts measuring CPU time; its result, called after the
// benchmark's loop, reports cpu-ns/op. On a machine shared with other
// work, the wall time per op grows with the load while the CPU time stays
// close to what the work costs (it includes the garbage collector's share
// and any other goroutine of the process).
func cpuMeter() func(*testing.B) {
	start := cpuTime()
	return func(b *testing.B) {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
