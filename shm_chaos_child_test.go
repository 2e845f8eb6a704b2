package disruptor

// The child roles of the chaos test (shm_chaos_test.go).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"
)

// xchaosN is the own sequence of event i of a producer's incarnation inc:
// each incarnation numbers its events afresh in a range of its own.
func xchaosN(inc, i int64) int64 { return inc<<32 | i }

// chaosProducer publishes until told to close, reporting after each
// publish the last own sequence published ("pub"). Told "hang", it claims,
// reports "claimed" and waits to be killed with the claim outstanding.
func (h *xhelper) chaosProducer(r *Ring[xev], rng *rand.Rand) int {
	s := &h.spec
	p, err := r.NewProducer(s.Name)
	if err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "ready"})
	ctx := context.Background()
	for i := int64(0); ; {
		select {
		case cmd := <-h.cmds:
			switch cmd {
			case "hang":
				return h.hang(p, rng)
			case "close":
				if err := p.Close(); err != nil {
					return h.fail(err)
				}
				h.emit(xmsg{Ev: "closed", N: xchaosN(s.Inc, i) - 1})
				return 0
			default:
				os.Exit(0) // the parent went away
			}
		default:
		}
		k := 1 + rng.Int64N(int64(max(1, s.Batch)))
		b, err := p.ClaimN(ctx, int(k))
		if err != nil {
			return h.fail(fmt.Errorf("producer %d: ClaimN(%d): %w", s.ID, k, err))
		}
		now := time.Now().UnixNano()
		for j := range b.Len() {
			n := xchaosN(s.Inc, i+int64(j))
			*b.At(j) = xev{P: s.ID, N: n, Sum: xsum(s.ID, n), At: now}
		}
		p.Publish()
		i += k
		h.emit(xmsg{Ev: "pub", P: s.ID, N: xchaosN(s.Inc, i) - 1, Seq: p.Sequence()})
		xgap(rng, s.GapUs, false)
	}
}

// chaosConsumer leases what is available, reports it ("seen", as runs of
// consecutive events of one producer) and only then releases it, so that
// nothing it released goes unreported if it is killed. It waits out
// ErrProducerGone (producers are restarted) and ends at io.EOF.
func (h *xhelper) chaosConsumer(r *Ring[xev]) int {
	s := &h.spec
	var opts []ConsumerOption
	if s.After != "" {
		opts = append(opts, AfterName(s.After))
	}
	c, err := r.NewConsumer(s.Name, opts...)
	if err != nil {
		return h.fail(err)
	}
	h.emit(xmsg{Ev: "ready", Start: c.Sequence() + 1})
	ctx := context.Background()
	var runs [][4]int64
	for {
		l, err := c.Lease(ctx, 256)
		switch {
		case errors.Is(err, ErrFlush):
			continue
		case err == io.EOF:
			h.emit(xmsg{Ev: "eof"})
			c.Detach() // its follower may still be reading
			return 0
		case errors.Is(err, ErrProducerGone):
			time.Sleep(5 * time.Millisecond)
			continue
		case err != nil:
			return h.fail(err)
		}
		runs = runs[:0]
		for seq, ev := range l.All() {
			if ev.Sum != xsum(ev.P, ev.N) || ev.P < 0 || ev.P >= xmaxProducers {
				return h.fail(fmt.Errorf("consumer %s: sequence %d holds no valid event (%d,%d,%#x)", s.Name, seq, ev.P, ev.N, ev.Sum))
			}
			if k := len(runs) - 1; k >= 0 && runs[k][0] == ev.P && runs[k][2]+1 == ev.N {
				runs[k][2] = ev.N
				continue
			}
			runs = append(runs, [4]int64{ev.P, ev.N, ev.N, seq})
		}
		if len(runs) > 0 {
			h.emit(xmsg{Ev: "seen", Runs: runs})
		}
		l.Release()
		if s.FailAt > 0 && c.Sequence() >= s.FailAt {
			return h.fail(fmt.Errorf("consumer %s: failing at sequence %d, as asked (FailAt %d)", s.Name, c.Sequence(), s.FailAt))
		}
	}
}
