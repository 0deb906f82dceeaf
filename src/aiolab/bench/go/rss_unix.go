//go:build linux || darwin

package main

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// currentRSS is the resident set size now, in bytes (Linux: /proc/self/statm; elsewhere
// the peak so far, the closest the OS offers without cgo).
func currentRSS() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return peakRSS()
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		return peakRSS()
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return peakRSS()
	}
	return pages * int64(os.Getpagesize())
}

// peakRSS is the peak resident set size so far, in bytes. On Linux it is VmHWM from
// /proc/self/status, which starts afresh when the program starts; getrusage's ru_maxrss
// would include the parent's peak (Linux carries it across fork and exec). On macOS
// ru_maxrss is what there is (in bytes there, in KiB on Linux).
func peakRSS() int64 {
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fields := strings.Fields(line)
				if len(fields) >= 2 {
					if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
						return kb * 1024
					}
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
