package disruptor

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// followPair makes a ring, a second handle of it, a consumer "up" on the
// first and a consumer "down" following it on the second.
func followPair(t *testing.T) (path string, r1, r2 *Ring[int64], up, down *Consumer[int64]) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "ring")
	r1, err := Create[int64](path, 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r1.Close() })
	r2, err = Attach[int64](path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r2.Close() })
	if up, err = r1.NewConsumer("up"); err != nil {
		t.Fatal(err)
	}
	if down, err = r2.NewConsumer("down", AfterName("up")); err != nil {
		t.Fatal(err)
	}
	return path, r1, r2, up, down
}

// Two handles of one ring behave as two processes do: their locks and
// their registrations are separate; only the mapping is shared.
func TestSharedFollowersAcrossHandles(t *testing.T) {
	path, r1, r2, up, down := followPair(t)
	if err := up.Close(); !errors.Is(err, ErrHasDependents) {
		t.Fatalf("Close of a consumer another handle follows = %v, want ErrHasDependents", err)
	}
	if in, err := Inspect(path); err != nil {
		t.Fatal(err)
	} else if d, ok := consumerInfo(in, "down"); !ok || len(d.Follows) != 1 || d.Follows[0] != "up" {
		t.Fatalf("Inspect: down follows %q, want [up] (%+v)", d.Follows, in.Consumers)
	}
	// A detached follower still follows: it may resume.
	if err := down.Detach(); err != nil {
		t.Fatal(err)
	}
	if err := up.Close(); !errors.Is(err, ErrHasDependents) {
		t.Fatalf("Close of a consumer a detached consumer follows = %v, want ErrHasDependents", err)
	}
	down, err := r2.NewConsumer("down", AfterName("up"))
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Close(); err != nil {
		t.Fatal(err)
	}
	if err := up.Close(); err != nil {
		t.Fatalf("Close once the follower closed = %v", err)
	}
	if n := r1.eng.Recs[0].Followers.Load(); n != 0 {
		t.Fatalf("up's record keeps %d followers after its follower closed", n)
	}
}

// A follower whose upstream's record was freed under it (as an operator's
// eviction does) is told, not left waiting, and the record is not reused
// while it is followed.
func TestSharedFollowerNoticesUpstreamGone(t *testing.T) {
	_, r1, _, up, down := followPair(t)
	i := findConsumer(&r1.eng, "up")
	up.Detach()
	r1.eng.Leave(&r1.eng.Recs[i]) // freed behind the follower's back
	other, err := r1.NewConsumer("other")
	if err != nil {
		t.Fatal(err)
	}
	if j := recIndex(&r1.eng, other.rec); j == i {
		t.Fatalf("a new consumer took record %d, which a follower still refers to", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := r1.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := p.Claim(ctx)
	*ev = 1
	p.Publish()
	if _, err := down.Next(ctx); !errors.Is(err, ErrUpstreamGone) {
		t.Fatalf("follower of a freed record: Next = %v, want ErrUpstreamGone", err)
	}
}
