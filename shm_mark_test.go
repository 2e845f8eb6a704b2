package disruptor

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/engine"
)

// markProducer publishes forever (until it is killed), each publication
// marked with its last sequence, in claims of 1..spec.Batch slots. It first
// reports the mark it took over ("ready", Seq; N is 1 if there was one).
func (h *xhelper) markProducer(r *Ring[xev], rng *rand.Rand) int {
	s := &h.spec
	p, err := r.NewProducer(s.Name)
	if err != nil {
		return h.fail(err)
	}
	m, ok := p.Mark()
	h.emit(xmsg{Ev: "ready", Seq: int64(m), N: int64(boolWord(ok))})
	for i := 0; ; i++ {
		n := 1 + rng.IntN(max(s.Batch, 1))
		b, err := p.ClaimN(context.Background(), n)
		if err != nil {
			return h.fail(err)
		}
		for k := range b.Len() {
			*b.At(k) = xev{N: b.Seq(k), Sum: xsum(0, b.Seq(k))}
		}
		p.SetMark(uint64(b.Seq(n - 1)))
		if !r.MultiProducer() && rng.IntN(16) == 0 {
			p.Skip() // a marked hole is a publication too (in a multi-producer ring, heal makes holes too)
		} else {
			p.Publish()
		}
		if i == 64 {
			h.emit(xmsg{Ev: "pub", Seq: b.Seq(n - 1)})
		}
	}
}

// A producer killed (SIGKILL) at random points while it publishes marked
// claims leaves a mark that is exactly that of its last publication: the
// ring's highest published sequence; the producer that takes its entry over
// reads the same.
func TestShmMarkExactAfterKill(t *testing.T) {
	for _, multi := range []bool{false, true} {
		name := "single"
		if multi {
			name = "multi"
		}
		t.Run(name, func(t *testing.T) {
			x := newXT(t, 60*time.Second)
			var opts []Option
			if multi {
				opts = append(opts, WithMultiProducer())
			}
			r := x.create(64, opts...)
			kills := int(xscaled(20, 500))
			batch := 8
			if multi {
				batch = 1 // a multi-producer batch is published slot by slot (see SetMark)
			}
			var want int64 = -1
			for k := 0; k <= kills; k++ {
				c := x.child("marker", helperSpec{Role: "mark-producer", Batch: batch})
				m := c.next("ready")
				if k == 0 {
					if m.N != 0 {
						x.failf("a new producer has a mark: %d", m.Seq)
					}
				} else if m.N != 1 || m.Seq != want {
					x.failf("kill %d: the restarted producer took over mark %d (set %d), want %d", k, m.Seq, m.N, want)
				}
				if k == kills {
					c.kill()
					break
				}
				c.next("pub")
				time.Sleep(time.Duration(x.rng.IntN(3000)) * time.Microsecond)
				c.kill()
				got, ok, err := r.ProducerMark("marker")
				if err != nil || !ok {
					x.failf("kill %d: ProducerMark: %d, %v, %v", k, got, ok, err)
				}
				want = lastPublished(r)
				if int64(got) != want {
					x.failf("kill %d: mark %d, but the ring's last publication ends at %d (cursor %d)", k, got, want, r.eng.Ctl.Cursor.Load())
				}
			}
		})
	}
}

// lastPublished is the highest sequence a producer published (in a
// multi-producer ring, where the producer publishes no holes, the highest
// data: ProducerMark healed its unpublished claim into a hole).
func lastPublished(r *Ring[xev]) int64 {
	e := &r.eng
	top := e.Ctl.Cursor.Load()
	if !e.Multi {
		return top
	}
	for s := top; s > top-e.Size; s-- {
		if e.Avail[s&e.Mask].Load() == s && e.KindAt(s) == engine.KindData {
			return s
		}
	}
	return -1
}
