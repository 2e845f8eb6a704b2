package disruptor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/disruptor-go/disruptor"
)

// One producer, one consumer: claim a slot, fill it in place, publish it;
// read events in order until every producer has closed.
func Example() {
	r, _ := disruptor.New[int](8)
	p, _ := r.NewProducer("numbers")
	c, _ := r.NewConsumer("printer")

	go func() {
		ctx := context.Background()
		for i := 1; i <= 5; i++ {
			ev, err := p.Claim(ctx) // waits while the ring is full
			if err != nil {
				return
			}
			*ev = i * i
			p.Publish()
		}
		p.Close() // the producer's EOF
	}()

	for {
		ev, err := c.Next(context.Background())
		if err == io.EOF {
			break
		}
		fmt.Println(*ev)
	}
	// Output:
	// 1
	// 4
	// 9
	// 16
	// 25
}

// ClaimN claims a run of slots published together; Batch hands a consumer
// every event it has, marking the last one of the run.
func ExampleProducer_ClaimN() {
	ctx := context.Background()
	r, _ := disruptor.New[string](16)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")

	b, _ := p.ClaimN(ctx, 3)
	for i, word := range []string{"one", "two", "three"} {
		*b.At(i) = word
	}
	p.Publish()

	n, _ := c.Batch(ctx, func(ev *string, seq int64, endOfBatch bool) error {
		fmt.Println(seq, *ev, endOfBatch)
		return nil
	})
	fmt.Println(n, "events")
	// Output:
	// 0 one false
	// 1 two false
	// 2 three true
	// 3 events
}

// Several producers publish concurrently; each closes on its own, and the
// consumer sees io.EOF only after the last one closed and every event
// before it was read.
func ExampleWithMultiProducer() {
	type event struct{ producer, n int }
	r, _ := disruptor.New[event](8, disruptor.WithMultiProducer())
	c, _ := r.NewConsumer("c")
	var ps []*disruptor.Producer[event]
	for i := range 3 {
		p, _ := r.NewProducer(fmt.Sprint("p", i)) // make them all before any closes
		ps = append(ps, p)
	}
	for i, p := range ps {
		go func() {
			for n := range 100 {
				ev, _ := p.Claim(context.Background())
				*ev = event{i, n}
				p.Publish()
			}
			p.Close()
		}()
	}

	counts := map[int]int{}
	next := map[int]int{} // each producer's events arrive in its own order
	inOrder := true
	for ev, err := c.Next(context.Background()); err != io.EOF; ev, err = c.Next(context.Background()) {
		counts[ev.producer]++
		inOrder = inOrder && ev.n == next[ev.producer]
		next[ev.producer]++
	}
	fmt.Println(counts, inOrder)
	// Output:
	// map[0:100 1:100 2:100] true
}

// After makes a consumer follow others: here a stage that reads an event
// only after the stage before it has updated it in place.
func ExampleAfter() {
	type order struct {
		qty   int
		price int
		total int
	}
	r, _ := disruptor.New[order](4)
	p, _ := r.NewProducer("orders")
	pricer, _ := r.NewConsumer("pricer")
	totaler, _ := r.NewConsumer("totaler", disruptor.After(pricer))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the first stage: sets the price
		defer wg.Done()
		for _, ev := range pricer.Events(context.Background()) {
			ev.price = 10
		}
	}()
	go func() {
		for _, q := range []int{1, 2, 3} {
			ev, _ := p.Claim(context.Background())
			*ev = order{qty: q}
			p.Publish()
		}
		p.Close()
	}()
	for _, ev := range totaler.Events(context.Background()) {
		ev.total = ev.qty * ev.price // the price is always there
		fmt.Println(ev.qty, ev.price, ev.total)
	}
	wg.Wait()
	// Output:
	// 1 10 10
	// 2 10 20
	// 3 10 30
}

// A work group shares the stream among its members: each event goes to
// exactly one of them.
func ExampleRing_NewWorkGroup() {
	r, _ := disruptor.New[int](16)
	p, _ := r.NewProducer("jobs")
	g, _ := r.NewWorkGroup("workers", 3)

	var mu sync.Mutex
	handled := map[int]int{}
	var wg sync.WaitGroup
	for i := range g.Len() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, job := range g.Member(i).Events(context.Background()) {
				mu.Lock()
				handled[*job]++
				mu.Unlock()
			}
		}()
	}
	for job := range 1000 {
		ev, _ := p.Claim(context.Background())
		*ev = job
		p.Publish()
	}
	p.Close()
	wg.Wait() // every member saw EOF

	once := true
	for job := range 1000 {
		once = once && handled[job] == 1
	}
	fmt.Println(len(handled), "jobs, each handled once:", once)
	// Output:
	// 1000 jobs, each handled once: true
}

// Skip turns a claim into a hole that consumers pass over; Flush tells
// consumers to finish partial work; Close is the producer's EOF.
func ExampleProducer_Flush() {
	ctx := context.Background()
	r, _ := disruptor.New[string](8)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")

	put := func(s string) {
		ev, _ := p.Claim(ctx)
		*ev = s
		p.Publish()
	}
	put("a")
	p.Claim(ctx)
	p.Skip() // changed our mind: a hole
	put("b")
	p.Flush(ctx)
	put("c")
	p.Close()

	for {
		ev, err := c.Next(ctx)
		switch {
		case errors.Is(err, disruptor.ErrFlush):
			fmt.Println("flush")
			continue
		case err == io.EOF:
			fmt.Println("EOF")
			fmt.Println(c.Stats().Holes, "hole passed over")
			return
		}
		fmt.Println(*ev)
	}
	// Output:
	// a
	// b
	// flush
	// c
	// EOF
	// 1 hole passed over
}

// A lease holds a run of events in place: producers keep off their slots
// until it is released.
func ExampleConsumer_Lease() {
	ctx := context.Background()
	r, _ := disruptor.New[int](4)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	for i := range 4 {
		ev, _ := p.TryClaim()
		*ev = 100 + i
		p.Publish()
	}

	l, _ := c.Lease(ctx, 2)
	for seq, ev := range l.All() {
		fmt.Println(seq, *ev)
	}
	_, err := p.TryClaim()
	fmt.Println("claim while leased:", err)
	l.Release()
	_, err = p.TryClaim()
	fmt.Println("claim after release:", err)
	// Output:
	// 0 100
	// 1 101
	// claim while leased: disruptor: ring full
	// claim after release: <nil>
}

// Events is an iterator: range over a consumer's events until EOF.
func ExampleConsumer_Events() {
	ctx := context.Background()
	r, _ := disruptor.New[rune](8)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	go func() {
		for _, ch := range "hello" {
			ev, _ := p.Claim(ctx)
			*ev = ch
			p.Publish()
		}
		p.Flush(ctx) // Events passes over flushes
		p.Close()
	}()
	var out []string
	for seq, ev := range c.Events(ctx) {
		out = append(out, fmt.Sprint(seq, string(*ev)))
	}
	fmt.Println(strings.Join(out, " "))
	fmt.Println("error:", c.Err())
	// Output:
	// 0h 1e 2l 3l 4o
	// error: <nil>
}

// A wait strategy says what producers and consumers do while they cannot
// proceed. Spinning ones burn a core per waiter; Block parks waiters and is
// the default's schedule; the ring reports which one it uses.
func ExampleWithWaitStrategy() {
	for _, w := range []disruptor.WaitStrategy{
		disruptor.BusySpin(),
		disruptor.SpinPause(),
		disruptor.Sleep(time.Millisecond),
	} {
		fmt.Println(w)
	}

	r, _ := disruptor.New[int](8, disruptor.WithWaitStrategy(disruptor.Sleep(50*time.Microsecond)))
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	go func() {
		time.Sleep(time.Millisecond) // the consumer waits, polling every 50µs
		ev, _ := p.Claim(context.Background())
		*ev = 42
		p.Publish()
	}()
	ev, _ := c.Next(context.Background())
	fmt.Println(*ev, "after waiting with", r.WaitStrategy())
	// Output:
	// spin
	// spin-pause
	// sleep(spins=0,yields=0,sleep=1ms..1ms)
	// 42 after waiting with sleep(spins=0,yields=0,sleep=50µs..50µs)
}

// Report prints every producer's and consumer's counters.
func ExampleRing_Report() {
	ctx := context.Background()
	r, _ := disruptor.New[int](8)
	p, _ := r.NewProducer("source")
	c, _ := r.NewConsumer("sink")
	for i := range 3 {
		ev, _ := p.Claim(ctx)
		*ev = i
		p.Publish()
		c.Next(ctx)
	}
	p.Close()
	c.Next(ctx) // io.EOF
	r.Report(os.Stdout)
	// Output:
	// ring  size 8  cursor 3
	//   producer  events     bytes  full   claims  batches    skips  flushes   eofs    parks  unparks    yields  idle
	//     source       3        24     0        4        0        0        0      1        0        0         0     0
	//   consumer  events   batches  idle  lag max    holes  flushes     eofs  parks  unparks   yields  position
	//       sink       3         4     0        1        0        0        1      0        0        0         3
}

// A consumer that starts after every producer closed returns io.EOF at
// once; with FollowStreams it waits for the next producer instead.
func ExampleFollowStreams() {
	r, _ := disruptor.New[int](8, disruptor.WithMultiProducer())
	p, _ := r.NewProducer("first")
	p.Close() // the stream ends

	late, _ := r.NewConsumer("late", disruptor.StartAtLatest())
	_, err := late.Next(context.Background())
	fmt.Println("late:", err)

	tail, _ := r.NewConsumer("tail", disruptor.StartAtLatest(), disruptor.FollowStreams())
	next, _ := r.NewProducer("next")
	ev, _ := next.Claim(context.Background())
	*ev = 42
	next.Publish()
	got, _ := tail.Next(context.Background())
	fmt.Println("tail:", *got)
	// Output:
	// late: EOF
	// tail: 42
}
