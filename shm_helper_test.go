package disruptor

// Machinery of the cross-process tests (shm_*_test.go).
//
// A child process is this test binary re-executed with
// -test.run=^TestHelperProcess$ and the environment variable envShmHelper
// holding its role and parameters (a JSON helperSpec). It reports on its
// stdout, one "SHM {json}" line per message (xmsg), and takes commands on
// its stdin, one word a line ("go", "detach", "close", "exit"). It kills
// itself when the parent dies (Pdeathsig) and at its own deadline, so a
// failed run leaves no process behind; rings live in t.TempDir(), so it
// leaves no file behind either.
//
// The race detector cannot see the mapping, so the oracle is exact
// delivery: every event carries its producer's id, that producer's own
// sequence and a checksum; every consumer checks per-producer FIFO without
// gaps, checksums, that ring sequences only increase (skipping nothing but
// the EOF markers of producers that closed early), and folds what it saw into
// an order-sensitive digest that every broadcast consumer starting at the
// same place must share.

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

const envShmHelper = "DISRUPTOR_SHM_HELPER"

// xev is the event of the cross-process tests.
type xev struct {
	P, N  int64  // producer id, that producer's own sequence
	Sum   uint64 // xsum(P, N)
	Stamp uint64 // written in place by a stage-1 consumer: xstamp(P, N)
	At    int64  // unix nanoseconds when the producer published it
}

func xsum(p, n int64) uint64 { return mix64(uint64(p)<<48 ^ uint64(n) ^ 0x2545f4914f6cdd1d) }

// xstamp never matches the stamp of the event a slot held before.
func xstamp(p, n int64) uint64 { return mix64(xsum(p, n)+0x9e3779b97f4a7c15) | 1 }

const xmaxProducers = 4

// xcheck is one consumer's exact-delivery oracle. A consumer that resumes
// or starts late begins anywhere; from there, everything must follow.
type xcheck struct {
	Count   int64                `json:"count"`
	First   int64                `json:"first"` // first sequence seen (-1: none)
	Last    int64                `json:"last"`
	Skipped int64                `json:"skipped"` // sequences passed over between data events
	Digest  uint64               `json:"digest"`
	PerP    [xmaxProducers]int64 `json:"per_p"`   // events seen of each producer
	FirstN  [xmaxProducers]int64 `json:"first_n"` // first own sequence seen of each producer (-1: none)
	NextN   [xmaxProducers]int64 `json:"-"`
	Stamped bool                 `json:"-"` // events must carry stage 1's stamp
	MaxLat  int64                `json:"max_lat_ns"`
	Late    int64                `json:"late"` // events that took longer than xlateLimit
	Err     string               `json:"err,omitempty"`
	lat     bool                 // measure latency
	called  int64                // unix nanoseconds when the read that returned the event began
	queued  int64                // the reader's run delay then
	sched   *xsched              // the reader's thread, if lat
	seen    [xmaxProducers]bool  // FirstN valid
}

// startRead notes when a read begins, for the latency of what it returns.
func (k *xcheck) startRead() {
	if k.lat {
		k.called, k.queued = time.Now().UnixNano(), k.sched.delay()
	}
}

// xsched reads how long one thread has spent runnable but waiting for a
// processor. Its user locks its goroutine to the thread that made it.
type xsched struct {
	f   *os.File
	buf [256]byte
}

// newXsched locks the calling goroutine to its thread and opens that
// thread's schedstat (nil if the kernel has none).
func newXsched() *xsched {
	runtime.LockOSThread()
	f, err := os.Open("/proc/thread-self/schedstat")
	if err != nil {
		return nil
	}
	return &xsched{f: f}
}

// delay is the thread's run_delay in nanoseconds (0 if unknown).
func (q *xsched) delay() int64 {
	if q == nil {
		return 0
	}
	n, _ := q.f.ReadAt(q.buf[:], 0)
	f := strings.Fields(string(q.buf[:n]))
	if len(f) < 2 {
		return 0
	}
	v, _ := strconv.ParseInt(f[1], 10, 64)
	return v
}

// xlateLimit is the longest a reader may wait for a published event in
// the lost-wake-up hunt: a deadline, not a speed target. A lost wake-up
// costs a parked waiter a whole watchPark (a second). The reader's own time
// off the processor is not counted (see xsched), but the publisher's is:
// on a 2-core VM whose processors other processes saturate, that alone was
// seen to pass 100 ms.
const xlateLimit = 100 * time.Millisecond

func newXcheck() *xcheck {
	k := &xcheck{First: -1, Last: -1, Digest: 0xcbf29ce484222325}
	for i := range k.FirstN {
		k.FirstN[i] = -1
	}
	return k
}

func (k *xcheck) fail(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if k.Err == "" {
		k.Err = err.Error()
	}
	return err
}

// see checks the event at seq and folds it in.
func (k *xcheck) see(seq int64, ev *xev) error {
	if k.Err != "" {
		return errors.New(k.Err)
	}
	switch {
	case k.Count > 0 && seq <= k.Last:
		return k.fail("sequence %d after %d", seq, k.Last)
	case ev.P < 0 || ev.P >= xmaxProducers:
		return k.fail("sequence %d: producer id %d out of range", seq, ev.P)
	case ev.Sum != xsum(ev.P, ev.N):
		return k.fail("sequence %d: checksum %#x is not that of (%d,%d)", seq, ev.Sum, ev.P, ev.N)
	case k.seen[ev.P] && ev.N != k.NextN[ev.P]:
		return k.fail("sequence %d: producer %d's event %d, want %d (gap or reorder)", seq, ev.P, ev.N, k.NextN[ev.P])
	case k.Stamped && ev.Stamp != xstamp(ev.P, ev.N):
		return k.fail("sequence %d: event (%d,%d) lacks stage 1's stamp (%#x): read before stage 1 released it", seq, ev.P, ev.N, ev.Stamp)
	}
	if k.Count == 0 {
		k.First = seq
	} else {
		k.Skipped += seq - k.Last - 1
	}
	if !k.seen[ev.P] {
		k.seen[ev.P], k.FirstN[ev.P] = true, ev.N
	}
	k.NextN[ev.P] = ev.N + 1
	k.PerP[ev.P]++
	k.Count++
	k.Last = seq
	k.Digest = (k.Digest ^ mix64(uint64(seq)) ^ ev.Sum) * 0x100000001b3
	if k.lat && ev.At != 0 {
		// How long the reader waited for the event: since its publication,
		// or since the read began if it was published before (then the
		// reader itself was late, by its own pauses).
		// The time the thread spent runnable but kept off the processor
		// by other processes is no wake-up's doing: it does not count.
		d := time.Now().UnixNano() - max(ev.At, k.called)
		d = min(d, d-(k.sched.delay()-k.queued))
		k.MaxLat = max(k.MaxLat, d)
		if d > int64(xlateLimit) {
			k.Late++
		}
	}
	return nil
}

// xdigest is the digest of a single producer's events [from, to] at the
// sequences equal to their own numbers.
func xdigest(from, to int64) uint64 {
	k := newXcheck()
	for s := from; s <= to; s++ {
		ev := xev{P: 0, N: s, Sum: xsum(0, s)}
		k.see(s, &ev)
	}
	return k.Digest
}

// helperSpec is a child's role and parameters.
type helperSpec struct {
	Role     string        `json:"role"` // producer, consumer, group, graph (graph_shared_test.go), ...
	Path     string        `json:"path"`
	Path2    string        `json:"path2"` // ping, pong: the ring of the replies
	Name     string        `json:"name"`
	ID       int64         `json:"id"`        // producer id
	N        int64         `json:"n"`         // events to publish
	Seed     uint64        `json:"seed"`      // of the child's random choices
	Block1h  bool          `json:"block1h"`   // wait with BlockTimeout(1h), not the default
	WaitGo   bool          `json:"wait_go"`   // producer, consumer: start on "go"
	Batch    int           `json:"batch"`     // producer: claim up to this many at once
	GapUs    int           `json:"gap_us"`    // random pauses between events, up to this many µs
	SpinUs   int           `json:"spin_us"`   // consumer: busy work of up to this many µs an event
	SpinGaps bool          `json:"spin_gaps"` // pause by spinning, not sleeping
	Hold     bool          `json:"hold"`      // producer: do not Close; wait for "close"
	Progress bool          `json:"progress"`  // report every event
	Latest   bool          `json:"latest"`    // consumer: StartAtLatest
	After    string        `json:"after"`     // consumer: AfterName
	Stamp    bool          `json:"stamp"`     // consumer: stamp events in place (stage 1)
	Stamped  bool          `json:"stamped"`   // consumer: events must carry the stamp (stage 2)
	Stall    int64         `json:"stall"`     // consumer: stop reading after this many events
	Members  int           `json:"members"`   // group: members
	Evict    bool          `json:"evict"`     // attach WithEvictDead
	Latency  bool          `json:"latency"`   // consumer: measure publish-to-delivery time
	Deadline time.Duration `json:"deadline"`  // the child gives up after this long
	TryAfter bool          `json:"try_after"` // consumer: TryNext once after a failure
	HangAt   int64         `json:"hang_at"`   // producer: after this many events, claim and hang unpublished
	Inc      int64         `json:"inc"`       // chaos producer: its incarnation
	Persist  bool          `json:"persist"`   // consumer, group: wait out ErrProducerGone
	Guard    bool          `json:"guard"`     // producer, consumer: run the loop under Ring.Guard
	FailAt   int64         `json:"fail_at"`   // chaos consumer: fail once it released this far (the driver's self-test)
}

// xmsg is one message of a child.
type xmsg struct {
	Ev     string  `json:"ev"` // ready, got, pub, stalled, done, detached, closed, error
	PID    int     `json:"pid,omitempty"`
	Seq    int64   `json:"seq"`
	P      int64   `json:"p"`
	N      int64   `json:"n"`
	Member int     `json:"member"`
	Start  int64   `json:"start"` // consumer: first sequence it reads
	Err    string  `json:"err,omitempty"`
	Gone   bool    `json:"gone,omitempty"`  // errors.Is(Err, ErrProducerGone)
	Trunc  bool    `json:"trunc,omitempty"` // errors.Is(Err, ErrTruncated)
	After  string  `json:"after,omitempty"`
	Check  *xcheck `json:"check,omitempty"`
	Counts []int64 `json:"counts,omitempty"`
	Wall   int64   `json:"wall"` // unix nanoseconds when sent
	// Runs are what a chaos consumer saw: (producer, first own sequence,
	// last own sequence, ring sequence of the first).
	Runs [][4]int64 `json:"runs,omitempty"`

	MaxWait time.Duration `json:"max_wait,omitempty"` // producer: the longest claim
	Parks   int64         `json:"parks,omitempty"`    // times the sender parked

	Untethered bool `json:"untethered,omitempty"` // errors.Is(Err, ErrUntethered)
}
