//go:build race

package main

// raceDetector says the tests run with -race, which makes the CPU-bound
// work of the big adversarial cases some ten times slower.
const raceDetector = true
