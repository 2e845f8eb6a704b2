package disruptor

import (
	"context"
	"strings"
	"testing"
	"time"
)

// With WithUntetherAfter, a producer stops waiting for a consumer that
// stalled; the consumer, coming back under its name, is told it was left
// behind, and registering once more starts afresh.
func TestSharedProcUntether(t *testing.T) {
	x := newXT(t, 60*time.Second)
	r := x.create(16, WithUntetherAfter(StallAfter))
	c := x.child("c", helperSpec{Role: "consumer", Stall: 5})
	c.next("ready")
	p, err := r.NewProducer("p")
	if err != nil {
		x.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(x.ctx, 30*time.Second)
	defer cancel()
	t0 := time.Now()
	for i := range int64(200) {
		ev, err := p.Claim(ctx)
		if err != nil {
			x.Fatalf("claim %d, %v after the consumer stalled: %v", i, time.Since(t0), err)
		}
		*ev = xev{P: 0, N: i, Sum: xsum(0, i)}
		p.Publish()
		if i == 4 {
			c.next("stalled")
			t0 = time.Now()
		}
	}
	if d := time.Since(t0); d < StallAfter/2 || d > StallAfter+5*time.Second {
		x.Errorf("the producer went on %v after the consumer stalled; want about StallAfter (%v)", d, StallAfter)
	}
	c.send("detach")
	c.next("detached")
	back := x.child("back", helperSpec{Role: "consumer", Name: "c"})
	back.waitExit()
	errs := back.all("error")
	if len(errs) != 1 || !strings.Contains(errs[0].Err, ErrUntethered.Error()) {
		x.Fatalf("the evicted consumer coming back reported %+v, want ErrUntethered", errs)
	}
	again := x.child("again", helperSpec{Role: "consumer", Name: "c", Progress: true})
	again.next("ready")
	p.Close()
	if m := again.next("done"); m.Check.Err != "" {
		x.Fatalf("registering afresh: %s", m.Check.Err)
	}
}
