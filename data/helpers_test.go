package data

import "testing"

// mustReference loads the embedded reference lists or stops the test.
func mustReference(tb testing.TB) *Reference {
	tb.Helper()
	ref, err := LoadReference()
	if err != nil {
		tb.Fatalf("LoadReference: %v", err)
	}
	return ref
}
