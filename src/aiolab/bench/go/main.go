// Command gomillion is the Go side of the course's "a million coroutines" comparison
// (aiolab.bench, lesson 10, make bench): it starts n goroutines that each sleep for
// delay seconds, waits for all of them, and prints one JSON line with the same
// measurements the Python rungs report.
//
// All n goroutines are alive at the same moment, as the Python tasks are: each first
// waits at a gate that opens once the last one has been started, then sleeps. Without
// the gate, goroutines started early would finish (and free their stacks) while later
// ones are still being created, and fewer than n would ever exist at once.
//
//	go build -o gomillion . && ./gomillion -n 1000000 -delay 1
//
// Memory is read from the operating system (resident set size before the goroutines are
// started, right after, and the peak), as for the Python rungs; Go's own accounting of
// goroutine stacks is added as stack_inuse_alive.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	n := flag.Int("n", 1_000_000, "number of goroutines")
	delay := flag.Float64("delay", 1.0, "seconds each goroutine sleeps")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "gomillion: -n must be at least 1")
		os.Exit(2)
	}
	d := time.Duration(*delay * float64(time.Second))

	rssBefore := currentRSS()
	var wg sync.WaitGroup
	wg.Add(*n)
	gate := make(chan struct{})
	start := time.Now()
	for i := 0; i < *n; i++ {
		go func() {
			defer wg.Done()
			<-gate
			time.Sleep(d)
		}()
	}
	created := time.Since(start)
	rssAlive := currentRSS()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // stops the world briefly; part of the measured time
	stackAlive := ms.StackInuse
	close(gate) // every goroutine exists now: let them all sleep
	wg.Wait()
	wall := time.Since(start)

	out := map[string]any{
		"units":             *n,
		"ideal_s":           *delay,
		"wall_s":            wall.Seconds(),
		"create_s":          created.Seconds(),
		"start_s":           0.0,
		"rss_before":        rssBefore,
		"rss_alive":         rssAlive,
		"peak_rss":          peakRSS(),
		"stack_inuse_alive": stackAlive,
		"go":                runtime.Version(),
		"gomaxprocs":        runtime.GOMAXPROCS(0),
		"python":            "", // same keys as the Python rungs
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "gomillion:", err)
		os.Exit(1)
	}
}
