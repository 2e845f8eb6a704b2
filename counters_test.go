package disruptor

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// counterOf finds one counter by owner and name.
func counterOf(cs []Counter, owner, name string) (int64, bool) {
	for _, c := range cs {
		if c.Owner == owner && c.Type.Name == name {
			return c.Value, true
		}
	}
	return 0, false
}

func TestCountersAgreeWithDelivery(t *testing.T) {
	ctx := context.Background()
	r, err := New[int64](8)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	gone, _ := r.NewConsumer("gone")
	if err := gone.Close(); err != nil {
		t.Fatal(err)
	}
	const n = 1000
	done := make(chan int)
	go func() {
		k := 0
		for {
			if _, err := c.Next(ctx); err == io.EOF {
				break
			}
			k++
		}
		done <- k
	}()
	for i := range n {
		ev, err := p.Claim(ctx)
		if err != nil {
			t.Fatal(err)
		}
		*ev = int64(i)
		p.Publish()
	}
	p.Close() // EOF closes the producer's record
	got := <-done
	cs := r.Counters()
	if v, ok := counterOf(cs, "c", "events_consumed"); !ok || v != int64(got) || got != n {
		t.Errorf("events_consumed = %d (found %v), delivered %d, want %d", v, ok, got, n)
	}
	if v, _ := counterOf(cs, "c", "consumer_position"); v != r.Cursor() {
		t.Errorf("consumer_position %d, cursor %d: final lag should be 0", v, r.Cursor())
	}
	if _, ok := counterOf(cs, "gone", "events_consumed"); ok {
		t.Error("a closed consumer's record is still listed")
	}
	if _, ok := counterOf(cs, "p", "events_published"); ok {
		t.Error("a closed producer's record is still listed")
	}
	if st := p.Stats(); st.Published != n || st.FullWaits == 0 {
		t.Errorf("producer stats %+v: want %d published and full waits on a ring of 8", st, n)
	}
	ids := map[int]bool{}
	for _, ct := range CounterTypes() {
		if ids[ct.ID] {
			t.Errorf("duplicate counter type id %d", ct.ID)
		}
		ids[ct.ID] = true
	}
}

func TestCountersOff(t *testing.T) {
	ctx := context.Background()
	r, _ := New[int64](8, WithCounters(false))
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	for range 100 {
		p.Claim(ctx)
		p.Publish()
		c.Next(ctx)
	}
	if v, ok := counterOf(r.Counters(), "c", "events_consumed"); !ok || v != 0 {
		t.Errorf("counters off: events_consumed = %d (listed %v), want 0 and listed", v, ok)
	}
}

// Readers never see a torn record: consumers register and leave in a loop,
// reusing each other's records with names of different lengths, while a
// reader checks that every record it reports is one owner's, whole.
func TestCountersNeverTorn(t *testing.T) {
	names := map[string]bool{}
	for i := range 4 {
		names[strings.Repeat(string(rune('a'+i)), 1+i*13)] = true // lengths 1, 14, 27, 40
	}
	perOwner := 0
	for _, ct := range CounterTypes() {
		if ct.Role == "consumer" {
			perOwner++
		}
	}
	perOwner++ // consumer_position
	for _, shared := range []bool{false, true} {
		var r *Ring[int64]
		var err error
		if shared {
			r, err = Create[int64]("torn", 8, WithDir(t.TempDir()), WithMaxConsumers(2))
		} else {
			r, err = New[int64](8, WithMaxConsumers(2))
		}
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(300 * time.Millisecond)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; time.Now().Before(deadline); i++ {
				for name := range names {
					c, err := r.NewConsumer(name)
					if err != nil {
						continue // both records in use by the other loop's turn
					}
					c.Close()
				}
			}
		}()
		reads := 0
		for time.Now().Before(deadline) {
			seen := map[string]int{}
			for _, c := range r.Counters() {
				if !names[c.Owner] || c.Type.Role != "consumer" {
					t.Fatalf("shared=%v: torn record: %+v", shared, c)
				}
				seen[c.Owner]++
			}
			for owner, n := range seen {
				if n != perOwner {
					t.Fatalf("shared=%v: %d counters for %q, want %d", shared, n, owner, perOwner)
				}
			}
			reads++
		}
		<-done
		if reads == 0 {
			t.Fatal("no reads")
		}
		r.Close()
	}
}
