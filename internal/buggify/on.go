//go:build disruptor_buggify

package buggify

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Enabled reports whether the points fire: the build has the tag
// disruptor_buggify.
const Enabled = true

// point is one point's state: its decision counter and how often it fired.
type point struct {
	calls atomic.Uint64
	fired atomic.Uint64
	key   uint64 // the seed mixed with the point's number
	rate  uint64 // fires when a decision's hash is below this (out of 1<<32); 0: never
	_     [32]byte
}

var (
	seed   uint64
	points [NumPoints]point
)

// The rates a point may be given by a seed, out of 1<<32: a seed turns a
// quarter of the points off and gives each of the others one of these.
var rates = [...]uint64{1 << 31, 1 << 29, 1 << 27, 1 << 25} // 1/2, 1/8, 1/32, 1/128

func init() {
	v := strings.TrimSpace(os.Getenv(SeedEnv))
	if v == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic("buggify: no random seed: " + err.Error())
		}
		v = strconv.FormatUint(binary.LittleEndian.Uint64(b[:])>>1, 10) // fits an int64 too
		os.Setenv(SeedEnv, v)                                           // child processes replay it
	}
	s, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		panic(fmt.Sprintf("buggify: %s=%q is not an unsigned integer: %v", SeedEnv, v, err))
	}
	configure(s)
	if err := only(os.Getenv(PointsEnv)); err != nil {
		panic("buggify: " + err.Error())
	}
}

// only turns points off by name: list is empty (all stay as the seed set
// them), a comma-separated list of points to keep (the others are turned
// off), or of points prefixed with "-" to turn off. A kept point the seed
// turned off fires at the lowest rate.
func only(list string) error {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	keep := make(map[Point]bool)
	drop := make(map[Point]bool)
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		name, off := strings.CutPrefix(f, "-")
		p := Point(0)
		for p < NumPoints && !strings.EqualFold(names[p], name) {
			p++
		}
		if p == NumPoints {
			return fmt.Errorf("%s: no point named %q (see Report for the names)", PointsEnv, name)
		}
		if off {
			drop[p] = true
		} else {
			keep[p] = true
		}
	}
	for i := range points {
		p := &points[i]
		switch {
		case drop[Point(i)] || len(keep) > 0 && !keep[Point(i)]:
			p.rate = 0
		case keep[Point(i)] && p.rate == 0:
			p.rate = rates[len(rates)-1]
		}
	}
	return nil
}

// configure sets every point's key and rate from seed s, and zeroes its
// counters. TryFull is never turned on by a seed: it breaks the contract
// that TryClaim fails exactly when the ring is full, which tests assert;
// naming it in PointsEnv turns it on.
func configure(s uint64) {
	seed = s
	for i := range points {
		p := &points[i]
		p.calls.Store(0)
		p.fired.Store(0)
		p.key = mix(s ^ (uint64(i)+1)*0x9e3779b97f4a7c15)
		p.rate = 0
		if h := mix(p.key); h&3 != 0 && Point(i) != TryFull {
			p.rate = rates[(h>>2)%uint64(len(rates))]
		}
	}
}

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Seed is the seed of this run.
func Seed() uint64 { return seed }

// roll takes point p's next decision: whether it fires, and a hash to draw
// what it does from.
func roll(p Point) (bool, uint64) {
	pt := &points[p]
	n := pt.calls.Add(1)
	h := mix(pt.key + n*0xd6e8feb86659fd93)
	if h&(1<<32-1) >= pt.rate {
		return false, 0
	}
	pt.fired.Add(1)
	return true, h >> 32
}

// Fire reports whether point p fires this time.
func Fire(p Point) bool {
	f, _ := roll(p)
	return f
}

// Pause, when point p fires, lets other goroutines run: it yields, or spins
// yielding for a few microseconds, or (rarely) sleeps a few microseconds.
func Pause(p Point) {
	f, h := roll(p)
	if !f {
		return
	}
	switch k := h & 15; {
	case k < 12:
		runtime.Gosched()
	case k < 15:
		d := time.Duration(1+(h>>4)%8) * time.Microsecond
		for t0 := time.Now(); time.Since(t0) < d; {
			runtime.Gosched()
		}
	default:
		time.Sleep(time.Duration(1+(h>>4)%16) * time.Microsecond)
	}
}

// Delay, when point p fires, sleeps 20 to 320 microseconds: a participant
// that lags far behind the others, not one merely descheduled.
func Delay(p Point) {
	if f, h := roll(p); f {
		time.Sleep(time.Duration(20+(h>>4)%300) * time.Microsecond)
	}
}

// Cut is n, or, when point p fires and n > 1, a number in [1, n): how many
// of n things to take.
func Cut(p Point, n int64) int64 {
	if n <= 1 {
		return n
	}
	f, h := roll(p)
	if !f {
		return n
	}
	return 1 + int64(h%uint64(n-1))
}

// Shorter is d, or, when point p fires, a few microseconds: how long to
// wait.
func Shorter(p Point, d time.Duration) time.Duration {
	f, h := roll(p)
	if !f {
		return d
	}
	return min(d, time.Duration(1+h%16)*time.Microsecond)
}

// Report describes the seed and every point: its rate, and how often it
// was reached and fired.
func Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "buggify seed %d (%s=%d replays it)\n", seed, SeedEnv, seed)
	for i := range points {
		p := &points[i]
		rate := "off"
		if p.rate != 0 {
			rate = fmt.Sprintf("1/%d", (1<<32)/p.rate)
		}
		fmt.Fprintf(&b, "  %-13s %-6s reached %9d fired %8d\n", Point(i), rate, p.calls.Load(), p.fired.Load())
	}
	return b.String()
}
