package disruptor

import (
	"context"
	"testing"
	"time"
)

// TestSharedSlowHandlerBeats: a shared consumer handling a backlog at 25 ms
// an event keeps its heartbeat fresh: seen from inside the handler, the
// last beat is never older than StallAfter/2. Unpaced, it took the backlog
// 64 events (1.6 s) at a time and beat once per batch, and a consumer
// handling 30 ms an event looked stalled. Both ways of reading are paced.
func TestSharedSlowHandlerBeats(t *testing.T) {
	const n, each = 60, 25 * time.Millisecond
	reads := map[string]func(context.Context, *Consumer[int], func(v int)) error{
		"batch": func(ctx context.Context, c *Consumer[int], see func(int)) error {
			for got := 0; got < n; {
				k, err := c.Batch(ctx, func(ev *int, _ int64, _ bool) error { see(*ev); return nil })
				if err != nil {
					return err
				}
				got += k
			}
			return nil
		},
		"next": func(ctx context.Context, c *Consumer[int], see func(int)) error {
			for range n {
				ev, err := c.Next(ctx)
				if err != nil {
					return err
				}
				see(*ev)
			}
			return nil
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testDeadline())
			defer cancel()
			r, err := Create[int](t.TempDir()+"/ring", 256)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			p, c := pair(t, r)
			for i := range n {
				if err := p.Put(ctx, i); err != nil {
					t.Fatal(err)
				}
			}
			var stalest time.Duration
			want := 0
			err = read(ctx, c, func(v int) {
				if v != want {
					t.Fatalf("read %d, want %d", v, want)
				}
				want++
				stalest = max(stalest, time.Since(time.Unix(0, c.rec.Beat.Load())))
				time.Sleep(each)
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("stalest heartbeat seen: %v (events of %v; run limit now %d)", stalest.Round(time.Millisecond), each, c.runMax)
			if stalest > StallAfter/2 {
				t.Errorf("the heartbeat went %v without a beat while the consumer handled events, want at most %v", stalest, StallAfter/2)
			}
		})
	}
}
