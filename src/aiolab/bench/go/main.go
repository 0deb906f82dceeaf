// Command gomillion is the Go side of the course's "a million coroutines" comparison
// (aiolab.bench, lesson 10, make bench). It runs the same workload as the Python rungs
// it is paired with, in one of three modes, and prints one JSON line with the same
// measurements the Python rungs report:
//
//	-mode timer   n goroutines that each sleep delay seconds (time.Sleep: a timer each),
//	              like Python's plain rung (asyncio.sleep in every task);
//	-mode shared  n goroutines that all wait on one channel, closed by a single timer
//	              (time.AfterFunc) delay seconds after the last one started, like Python's
//	              "one shared timer" rung (every task awaits one Future, one call_later);
//	-mode pool    n jobs of -job-delay seconds each (a time.Sleep) through -workers
//	              goroutines that take them from one channel, like Python's worker pool
//	              (an asyncio.Queue and N/100 worker tasks; the caller passes the same
//	              workers and job delay as that rung gets).
//
// In every mode all the goroutines are alive at the same moment, as the Python tasks are:
// timer and pool goroutines first wait at a gate that opens once the last one has been
// started; shared goroutines cannot end before the one timer, which is armed only then.
// Without the gate, goroutines started early would finish (and free their stacks) while
// later ones are still being created, and fewer than n would ever exist at once.
//
//	go build -o gomillion . && ./gomillion -n 1000000 -delay 1 -mode shared
//
// Memory is read from the operating system (resident set size before the goroutines are
// started, right after, and the peak), as for the Python rungs; Go's own accounting of
// goroutine stacks is added as stack_inuse_alive.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"time"
)

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func main() {
	n := flag.Int("n", 1_000_000, "number of goroutines (pool: jobs)")
	delay := flag.Float64("delay", 1.0, "seconds each goroutine waits (timer, shared)")
	mode := flag.String("mode", "timer", "timer, shared or pool")
	workers := flag.Int("workers", 0, "pool: worker goroutines (default n/100, at least 1)")
	jobDelay := flag.Float64("job-delay", 0, "pool: seconds each job waits "+
		"(default: delay / the rounds the workers need)")
	flag.Parse()
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "gomillion: -n must be at least 1")
		os.Exit(2)
	}
	if *mode != "timer" && *mode != "shared" && *mode != "pool" {
		fmt.Fprintf(os.Stderr, "gomillion: -mode must be timer, shared or pool, not %q\n", *mode)
		os.Exit(2)
	}
	if *mode == "pool" {
		if *workers < 1 {
			*workers = int(math.Max(1, math.Ceil(float64(*n)/100)))
		}
		if *jobDelay <= 0 {
			*jobDelay = *delay / math.Ceil(float64(*n)/float64(*workers))
		}
	}
	d := seconds(*delay)

	rssBefore := currentRSS()
	var wg sync.WaitGroup
	gate := make(chan struct{})
	wake := make(chan struct{})
	ideal := *delay
	var done []bool // pool: which jobs ran
	start := time.Now()
	switch *mode {
	case "timer": // a timer per goroutine
		wg.Add(*n)
		for i := 0; i < *n; i++ {
			go func() {
				defer wg.Done()
				<-gate
				time.Sleep(d)
			}()
		}
	case "shared": // one timer for all: they wait for one channel to close
		wg.Add(*n)
		for i := 0; i < *n; i++ {
			go func() {
				defer wg.Done()
				<-wake
			}()
		}
	case "pool": // n jobs through a few workers, fed by one channel
		jd := seconds(*jobDelay)
		jobs := make(chan int, *n)
		for i := 0; i < *n; i++ {
			jobs <- i
		}
		close(jobs)
		done = make([]bool, *n)
		wg.Add(*workers)
		for w := 0; w < *workers; w++ {
			go func() {
				defer wg.Done()
				<-gate
				for job := range jobs {
					time.Sleep(jd) // the job: one wait
					done[job] = true
				}
			}()
		}
		ideal = math.Ceil(float64(*n)/float64(*workers)) * *jobDelay
	}
	created := time.Since(start)
	rssAlive := currentRSS()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms) // stops the world briefly; part of the measured time
	stackAlive := ms.StackInuse
	close(gate) // every goroutine exists now: let them all wait
	if *mode == "shared" {
		time.AfterFunc(d, func() { close(wake) }) // the one timer
	}
	wg.Wait()
	wall := time.Since(start)
	for _, ok := range done {
		if !ok {
			fmt.Fprintln(os.Stderr, "gomillion: the pool left jobs undone")
			os.Exit(1)
		}
	}

	out := map[string]any{
		"mode":              *mode,
		"units":             *n,
		"ideal_s":           ideal,
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
	if *mode == "pool" {
		out["workers"] = *workers
		out["job_delay"] = *jobDelay
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "gomillion:", err)
		os.Exit(1)
	}
}
