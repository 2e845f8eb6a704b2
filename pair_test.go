package disruptor

import "testing"

// pair makes producer "p" and consumer "c" on r, or fails the test.
func pair[E any](t testing.TB, r *Ring[E]) (*Producer[E], *Consumer[E]) {
	t.Helper()
	p, err := r.NewProducer("p")
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.NewConsumer("c")
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}
