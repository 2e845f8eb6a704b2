package disruptor_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/disruptor-go/disruptor"
)

// TryClaim never waits: on a full ring it returns ErrFull at once, and the
// caller decides what to do, here drop the event and count it. TryNext is
// its consumer's counterpart, with ErrEmpty.
func ExampleProducer_TryClaim() {
	r, _ := disruptor.New[int](4)
	p, _ := r.NewProducer("sensor")
	c, _ := r.NewConsumer("logger")

	dropped := 0
	offer := func(v int) {
		ev, err := p.TryClaim()
		if errors.Is(err, disruptor.ErrFull) {
			dropped++
			return
		}
		*ev = v
		p.Publish()
	}
	drain := func() {
		for {
			ev, err := c.TryNext()
			if err != nil { // ErrEmpty: and what was read is released
				fmt.Println(err)
				return
			}
			fmt.Print(*ev, " ")
		}
	}
	for v := range 6 {
		offer(v)
	}
	fmt.Println("dropped", dropped)
	drain()
	offer(6) // room again
	drain()
	fmt.Println("dropped", dropped)
	// Output:
	// dropped 2
	// 0 1 2 3 disruptor: no event available
	// 6 disruptor: no event available
	// dropped 2
}

// Halt stops a ring at once: a call that would have to wait returns
// ErrHalted, while events already available can still be read.
func ExampleRing_Halt() {
	ctx := context.Background()
	r, _ := disruptor.New[int](2)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	for v := range 2 {
		ev, _ := p.Claim(ctx)
		*ev = v
		p.Publish()
	}

	claimed := make(chan error)
	go func() {
		_, err := p.Claim(ctx) // the ring is full: it waits, until the halt
		claimed <- err
	}()
	r.Halt()
	fmt.Println("claim:", <-claimed)
	for {
		ev, err := c.Next(ctx)
		if err != nil {
			fmt.Println("next:", err)
			break
		}
		fmt.Println("read", *ev)
	}
	fmt.Println("halted:", r.Halted())
	// Output:
	// claim: disruptor: ring halted
	// read 0
	// read 1
	// next: disruptor: ring halted
	// halted: true
}

// Shutdown stops a graph whose producers never close: it waits until every
// stage has handled what was published, then takes the stages off the
// ring, which no longer gates the producer.
func ExampleGraph_Shutdown() {
	r, _ := disruptor.New[Order](8)
	g := disruptor.NewGraph(r)
	priced, totalled := 0, 0
	g.Handle("price", func(o *Order, _ int64, _ bool) error {
		o.Price = 10
		priced++
		return nil
	})
	g.Handle("total", func(o *Order, _ int64, _ bool) error {
		o.Total = o.Qty * o.Price
		totalled++
		return nil
	}, "price")
	if err := g.Start(); err != nil {
		panic(err)
	}
	p, _ := r.NewProducer("orders")
	for i := 1; i <= 100; i++ {
		o, _ := p.Claim(context.Background())
		*o = Order{ID: i, Qty: i}
		p.Publish()
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := g.Shutdown(ctx) // no EOF: the producer goes on
	fmt.Println("shutdown:", err, "priced:", priced, "totalled:", totalled)
	fmt.Println("consumers left:", r.Consumers())
	for range 2 * r.Size() { // nobody gates the producer any more
		if _, err := p.TryClaim(); err != nil {
			fmt.Println(err)
			return
		}
		p.Publish()
	}
	fmt.Println("published on, ungated; halted:", r.Halted())
	// Output:
	// shutdown: <nil> priced: 100 totalled: 100
	// consumers left: 0
	// published on, ungated; halted: false
}

// Halt stops a graph at once, here from its own handler on a poison event:
// no handler is called again, and Wait returns ErrHalted.
func ExampleGraph_Halt() {
	r, _ := disruptor.New[Order](16)
	g := disruptor.NewGraph(r)
	var seen []int
	g.Handle("check", func(o *Order, _ int64, _ bool) error {
		seen = append(seen, o.ID)
		if o.Qty < 0 {
			g.Halt() // a handler may halt its graph; it may not Wait
		}
		return nil
	})
	if err := g.Start(); err != nil {
		panic(err)
	}
	p, _ := r.NewProducer("orders")
	for i := 1; i <= 6; i++ {
		o, _ := p.Claim(context.Background())
		*o = Order{ID: i, Qty: i}
		if i == 3 {
			o.Qty = -1
		}
		p.Publish()
	}
	err := g.Wait()
	fmt.Println("seen:", seen)
	fmt.Println("wait:", err, errors.Is(err, disruptor.ErrHalted))
	// Output:
	// seen: [1 2 3]
	// wait: disruptor: ring halted true
}

// A handler's panic is recovered into a *PanicError: one line for logs,
// the stack in its Stack field (and after the line with %+v).
func ExamplePanicError() {
	r, _ := disruptor.New[Order](8)
	g := disruptor.NewGraph(r)
	g.Handle("divide", func(o *Order, _ int64, _ bool) error {
		o.Price = 100 / (o.Qty - 2) // panics on the second order
		return nil
	})
	if err := g.Start(); err != nil {
		panic(err)
	}
	publishOrders(r, 3)
	err := g.Wait()

	var pe *disruptor.PanicError
	if errors.As(err, &pe) {
		fmt.Println("stage:", pe.Stage)
		fmt.Println("value:", pe.Value)
		fmt.Println("has a stack:", len(pe.Stack) > 0)
	}
	fmt.Println(err)
	// Output:
	// stage: divide
	// value: runtime error: integer divide by zero
	// has a stack: true
	// disruptor: stage "divide" at sequence 1: handler "divide" panicked: runtime error: integer divide by zero
}

// A lease hands out its events as at most two plain slices: the second
// when the run wraps around the ring's end.
func ExampleLease_Slices() {
	ctx := context.Background()
	r, _ := disruptor.New[int](8)
	p, _ := r.NewProducer("p")
	c, _ := r.NewConsumer("c")
	publish := func(vs ...int) {
		b, _ := p.ClaimN(ctx, len(vs))
		for i, v := range vs {
			*b.At(i) = v
		}
		p.Publish()
	}
	publish(0, 1, 2, 3, 4, 5)
	for _, err := c.TryNext(); err == nil; _, err = c.TryNext() {
	}
	publish(6, 7, 8) // slots 6, 7 and 0: the run wraps

	l, _ := c.Lease(ctx, 3)
	first, a, b := l.Slices()
	fmt.Println("from", first, a, b)
	sum := 0
	for _, s := range [][]int{a, b} {
		for _, v := range s {
			sum += v
		}
	}
	l.Release()
	fmt.Println("sum", sum)
	// Output:
	// from 6 [6 7] [8]
	// sum 21
}
