//go:build !linux && !darwin

package main

// On other systems the benchmark reports no memory figures (0).
func currentRSS() int64 { return 0 }
func peakRSS() int64    { return 0 }
