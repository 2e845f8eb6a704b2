package bench

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// The floor: the workloads of unicast, unicast-batch and pingpong done with
// raw atomics and no library, to show what the hardware allows. Each runs on
// two goroutines that busy-poll (the run's goroutine produces or pings, one
// more consumes or echoes), over a plain []int64 of the ring's capacity, and
// checks every payload like the other implementations.
//
// Invariants of a stream (unicast, unicast-batch):
//   - published (written by the producer only) is how many events the slots
//     hold: the producer writes slots[i&mask], then stores published = i+1
//     (or the end of its block of 16); the store synchronizes before the
//     consumer's load that sees it, so the slot's value is visible. Every
//     word is stored with a release store (engine.StoreRelease: on amd64 a
//     plain MOV, which is all the hardware needs, where atomic.Store is an
//     XCHG that drains the store buffer), the store the ring publishes with.
//   - consumed (written by the consumer only) is how many events it has read;
//     the producer writes slot i only once i < consumed + len(slots), so a
//     slot is never overwritten before it is read.
//   - Each word has its own 128-byte line (two 64-byte lines, for the
//     adjacent-line prefetcher): the producer's stores do not evict the
//     consumer's word, nor the slots.
//
// The consumer reads once at least min(floorBatch, remaining, capacity) are
// ready, so a cache line moves once per batch rather than once per event
// (PERF.md: 5-6 ns/event against 17-19 right behind the producer); a bounded
// spin reads whatever is ready when fewer arrive, so nothing can stall.

const (
	floorBatch = 64      // the consumer waits for this many events before it reads
	floorSpins = 256     // polls it waits for them before reading fewer
	floorYield = 1 << 10 // idle polls between looks at the deadline (and a yield)
	floorSleep = 1 << 16 // idle polls after which a poller sleeps between polls
)

// word is an int64 on a 128-byte line of its own.
type word struct {
	_ [128]byte
	v atomic.Int64
	_ [120]byte
}

// idler is one wait of a busy poller, made afresh for each wait: every
// floorYield idle polls it yields the processor (with fewer processors than
// pollers the peer must get to run) and checks the run's deadline, so a lost
// peer fails the run rather than hanging it. After floorSleep idle polls
// (tens of microseconds: the peer is not running, the machine's other work
// took its core) it sleeps between polls, handing this core over so the
// peer can run; without that, one preempted poller costs a whole time slice
// of the other's spinning, and the floor's mean is its worst moments'.
type idler struct {
	e *env
	n int
}

func (w *idler) idle() error {
	if w.n++; w.n%floorYield == 0 {
		if w.n >= floorSleep {
			time.Sleep(time.Microsecond)
		} else {
			runtime.Gosched()
		}
		if err := w.e.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// floorStream is the floor of a stream whose producer publishes every per
// events (1: unicast; claimBatch: unicast-batch).
func floorStream(e *env, per int64) error {
	slots := make([]int64, e.ring)
	mask := int64(e.ring - 1)
	per = min(per, int64(e.ring))
	var published, consumed word
	chk := &seqCheck{check{name: "consumer"}}
	var cr crew
	cr.start(func() error {
		for next := int64(0); next < e.events; {
			want := min(floorBatch, e.events-next, int64(e.ring))
			avail := published.v.Load()
			w := idler{e: e}
			for spins := 0; avail-next < want && (avail == next || spins < floorSpins); spins++ {
				if err := w.idle(); err != nil {
					return fmt.Errorf("consumer: waiting for event %d: %w", next, err)
				}
				avail = published.v.Load()
			}
			for ; next < avail; next++ {
				chk.see(slots[next&mask])
			}
			engine.StoreRelease(&consumed.v, next)
		}
		return nil
	})
	e.timer.Start()
	err := func() error {
		limit := int64(e.ring) // events the producer may write before it looks at consumed again
		for i := int64(0); i < e.events; {
			n := min(per, e.events-i)
			for w := (idler{e: e}); i+n > limit; {
				if err := w.idle(); err != nil {
					return fmt.Errorf("producer: waiting for room for event %d: %w", i, err)
				}
				limit = consumed.v.Load() + int64(e.ring)
			}
			for j := i; j < i+n; j++ {
				slots[j&mask] = e.value(j)
			}
			i += n
			engine.StoreRelease(&published.v, i)
		}
		return nil
	}()
	errs := errors.Join(err, cr.wait())
	e.timer.Stop()
	if errs != nil {
		return errs
	}
	return chk.result(e.events)
}

func unicastFloor(e *env) error      { return floorStream(e, 1) }
func unicastBatchFloor(e *env) error { return floorStream(e, claimBatch) }

// pingpongFloor is pingpong over two lines, one per direction, each holding
// a round number and a payload: a side writes the payload, then stores the
// round (which synchronizes before the other side's load that sees it).
func pingpongFloor(e *env) error {
	type line struct {
		_     [128]byte
		round atomic.Int64
		val   int64
		_     [112]byte
	}
	var ping, pong line
	pinger, ponger := &seqCheck{check{name: "ping"}}, &seqCheck{check{name: "pong"}}
	var cr crew
	cr.start(func() error {
		for r := int64(1); r <= e.events; r++ {
			for w := (idler{e: e}); ping.round.Load() != r; {
				if err := w.idle(); err != nil {
					return fmt.Errorf("pong: waiting for round %d: %w", r, err)
				}
			}
			v := ping.val
			ponger.see(v)
			pong.val = v
			engine.StoreRelease(&pong.round, r)
		}
		return nil
	})
	e.timer.Start()
	err := func() error {
		for i := range e.events {
			t0 := time.Now()
			ping.val = e.value(i)
			engine.StoreRelease(&ping.round, i+1)
			for w := (idler{e: e}); pong.round.Load() != i+1; {
				if err := w.idle(); err != nil {
					return fmt.Errorf("ping: waiting for echo %d: %w", i, err)
				}
			}
			e.record(time.Since(t0))
			pinger.see(pong.val)
		}
		return nil
	}()
	errs := errors.Join(err, cr.wait())
	e.timer.Stop()
	if errs != nil {
		return errs
	}
	return errors.Join(pinger.result(e.events), ponger.result(e.events))
}
