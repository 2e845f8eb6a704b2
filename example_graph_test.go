package disruptor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/disruptor-go/disruptor"
)

// Order is the event of the graph examples: stages fill in its fields in
// place.
type Order struct {
	ID       int
	Qty      int
	Price    int // set by "price"
	Discount int // set by "discount"
	Total    int // set by "total"
}

// publishOrders publishes n orders and closes the producer: the graph's
// stages then end at EOF and Wait returns nil.
func publishOrders(r *disruptor.Ring[Order], n int) {
	p, err := r.NewProducer("orders")
	if err != nil {
		panic(err)
	}
	for i := 1; i <= n; i++ {
		o, err := p.Claim(context.Background())
		if err != nil {
			panic(err)
		}
		*o = Order{ID: i, Qty: i}
		p.Publish()
	}
	p.Close()
}

// A pipeline, LMAX's handleEventsWith(price).then(total).then(print): each
// stage sees every event after the stage before it.
func ExampleGraph_pipeline() {
	r, _ := disruptor.New[Order](8)
	g := disruptor.NewGraph(r)
	g.Handle("price", func(o *Order, _ int64, _ bool) error {
		o.Price = 10
		return nil
	})
	g.Handle("total", func(o *Order, _ int64, _ bool) error {
		o.Total = o.Qty * o.Price
		return nil
	}, "price")
	g.Handle("print", func(o *Order, _ int64, _ bool) error {
		fmt.Printf("order %d: %d x %d = %d\n", o.ID, o.Qty, o.Price, o.Total)
		return nil
	}, "total")
	if err := g.Start(); err != nil { // before publishing
		panic(err)
	}
	publishOrders(r, 3)
	fmt.Println("wait:", g.Wait())
	// Output:
	// order 1: 1 x 10 = 10
	// order 2: 2 x 10 = 20
	// order 3: 3 x 10 = 30
	// wait: <nil>
}

// A diamond: "price" and "discount" run in parallel, each on its own
// goroutine, and "total" joins them: it sees an order only after both.
func ExampleGraph_diamond() {
	r, _ := disruptor.New[Order](8)
	g := disruptor.NewGraph(r)
	// Stages may be declared in any order: names resolve at Start.
	g.Handle("total", func(o *Order, _ int64, _ bool) error {
		o.Total = o.Qty*o.Price - o.Discount
		fmt.Printf("order %d: %d\n", o.ID, o.Total)
		return nil
	}, "price", "discount")
	g.Handle("price", func(o *Order, _ int64, _ bool) error {
		o.Price = 10
		return nil
	})
	g.Handle("discount", func(o *Order, _ int64, _ bool) error {
		o.Discount = o.Qty
		return nil
	})
	if err := g.Start(); err != nil {
		panic(err)
	}
	publishOrders(r, 3)
	fmt.Println("wait:", g.Wait())
	// Output:
	// order 1: 9
	// order 2: 18
	// order 3: 27
	// wait: <nil>
}

// A work group shares slow work among goroutines: each order is priced by
// exactly one of the three handlers, and "sum" sees every order, in order,
// once its pricer is done with it.
func ExampleGraph_WorkGroup() {
	r, _ := disruptor.New[Order](16)
	g := disruptor.NewGraph(r)
	var priced atomic.Int64
	pricer := func(o *Order, _ int64, _ bool) error {
		o.Price = 10 // expensive, in real life
		priced.Add(1)
		return nil
	}
	g.WorkGroup("price", []disruptor.Handler[Order]{pricer, pricer, pricer})
	sum, lastID := 0, 0
	g.Handle("sum", func(o *Order, _ int64, _ bool) error {
		if o.ID != lastID+1 {
			return fmt.Errorf("order %d after %d", o.ID, lastID)
		}
		lastID = o.ID
		sum += o.Qty * o.Price
		return nil
	}, "price")
	if err := g.Start(); err != nil {
		panic(err)
	}
	publishOrders(r, 100)
	err := g.Wait() // after Wait, the stages' variables are safe to read
	fmt.Println("priced:", priced.Load(), "sum:", sum, "wait:", err)
	// Output:
	// priced: 100 sum: 50500 wait: <nil>
}

// A handler's error or panic reaches the error handler; returning nil lets
// the stage carry on.
func ExampleWithErrorHandler() {
	r, _ := disruptor.New[Order](8)
	g := disruptor.NewGraph(r, disruptor.WithErrorHandler(func(stage string, seq int64, err error) error {
		fmt.Printf("%s at %d: %v\n", stage, seq, err)
		return nil // carry on; a non-nil error would stop the graph
	}))
	g.Handle("check", func(o *Order, _ int64, _ bool) error {
		if o.ID == 2 {
			return fmt.Errorf("order %d rejected", o.ID)
		}
		return nil
	})
	n := 0
	g.Handle("count", func(*Order, int64, bool) error { n++; return nil }, "check")
	if err := g.Start(); err != nil {
		panic(err)
	}
	publishOrders(r, 3)
	err := g.Wait()
	fmt.Println("counted:", n, "wait:", err)
	// Output:
	// check at 1: order 2 rejected
	// counted: 3 wait: <nil>
}

// A graph on a shared ring, split over two processes: here the second
// "process" is a second handle on the ring file (Attach), as another
// process would open it. Its graph declares the first's stage "total"
// External and follows it by name.
func ExampleGraph_shared() {
	dir, err := os.MkdirTemp("", "graph-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "orders")

	// The first process: it makes the ring and prices the orders.
	r, err := disruptor.Create[Order](path, 8)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	g := disruptor.NewGraph(r)
	g.Handle("price", func(o *Order, _ int64, _ bool) error {
		o.Price = 10
		return nil
	})
	g.Handle("total", func(o *Order, _ int64, _ bool) error {
		o.Total = o.Qty * o.Price
		return nil
	}, "price")
	if err := g.Start(); err != nil {
		panic(err)
	}

	// The second process: it prints each order once "total" is done with it.
	r2, err := disruptor.Attach[Order](path)
	if err != nil {
		panic(err)
	}
	defer r2.Close()
	g2 := disruptor.NewGraph(r2)
	g2.External("total") // a consumer of the ring, not a stage of g2
	g2.Handle("print", func(o *Order, _ int64, _ bool) error {
		fmt.Printf("order %d: %d x %d = %d\n", o.ID, o.Qty, o.Price, o.Total)
		return nil
	}, "total")
	if err := g2.Start(); err != nil { // "total" must be registered by now
		panic(err)
	}

	publishOrders(r, 3)
	fmt.Println("print:", g2.Wait())
	fmt.Println("price, total:", g.Wait())
	// Output:
	// order 1: 1 x 10 = 10
	// order 2: 2 x 10 = 20
	// order 3: 3 x 10 = 30
	// print: <nil>
	// price, total: <nil>
}
