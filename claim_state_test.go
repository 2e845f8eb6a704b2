package disruptor

// A claim's state across the fast and slow paths: each producer mode
// (single, single with publication times, multi) takes the same sequence
// of claims, publications, skips and marks, and must answer the caller's
// sequencing errors with the same panics, deliver exactly what was
// published, and count it exactly.

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestClaimStateAcrossModes(t *testing.T) {
	modes := []struct {
		name string
		opts []Option
	}{
		{"single", nil},
		{"single/publish-times", []Option{WithPublishTimes()}},
		{"multi", []Option{WithMultiProducer()}},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			r, err := New[int64](16, m.opts...)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := r.NewConsumer("c")
			p, _ := r.NewProducer("p")
			ctx := context.Background()
			mustPanic := func(what, want string, f func()) {
				t.Helper()
				defer func() {
					t.Helper()
					v := recover()
					if s, _ := v.(string); !strings.Contains(s, want) {
						t.Errorf("%s: recovered %v, want a panic saying %q", what, v, want)
					}
				}()
				f()
			}
			claim := func(v int64) {
				t.Helper()
				ev, err := p.Claim(ctx)
				if err != nil {
					t.Fatal(err)
				}
				*ev = v
			}

			mustPanic("Publish before any claim", "without a claim", p.Publish)
			claim(1)
			mustPanic("a second Claim", "neither published nor skipped", func() { p.Claim(ctx) })
			mustPanic("ClaimN while holding", "neither published nor skipped", func() { p.ClaimN(ctx, 2) })
			p.Publish()
			mustPanic("a second Publish", "without a claim", p.Publish)
			mustPanic("Skip after Publish", "without a claim", p.Skip)

			b, err := p.ClaimN(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			for i := range b.Len() {
				*b.At(i) = int64(2 + i)
			}
			p.Publish()
			claim(-1)
			p.Skip()
			claim(5)
			p.SetMark(77) // staged while the claim is held: its Publish carries it
			p.Publish()
			if mk, ok := p.Mark(); !ok || mk != 77 {
				t.Errorf("Mark() = %d, %v after the marked Publish, want 77, true", mk, ok)
			}
			claim(6)
			p.Publish()
			mustPanic("Publish after the marked run", "without a claim", p.Publish)

			var got []int64
			for len(got) < 6 {
				ev, err := c.Next(ctx)
				if err != nil {
					t.Fatalf("Next after %v: %v", got, err)
				}
				got = append(got, *ev)
			}
			if want := []int64{1, 2, 3, 4, 5, 6}; !slices.Equal(got, want) {
				t.Errorf("read %v, want %v", got, want)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			s := p.Stats()
			if s.Claims != 6 || s.Published != 6 || s.Batches != 1 || s.Skips != 1 || s.EOFs != 1 {
				t.Errorf("stats %+v, want 6 claims, 6 published, 1 batch, 1 skip, 1 EOF", s)
			}
		})
	}
}
