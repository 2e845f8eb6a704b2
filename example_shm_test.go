package disruptor_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/disruptor-go/disruptor"
)

// Tick is the event of the shared-ring examples: fixed-size and
// pointer-free, as an event that other processes map must be.
type Tick struct {
	Seq   int64
	Price int64
}

// tempDir makes a directory for an example's ring files; the example
// removes it when done.
func tempDir(pattern string) string {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		panic(err)
	}
	return dir
}

// publishTicks publishes n ticks, the first at price from, and returns the
// producer's error, if any.
func publishTicks(p *disruptor.Producer[Tick], from int64, n int) error {
	for i := range int64(n) {
		ev, err := p.Claim(context.Background())
		if err != nil {
			return err
		}
		*ev = Tick{Seq: p.Sequence(), Price: from + i}
		p.Publish()
	}
	return nil
}

// A consumer's position lives in the ring file under its name: one that
// detaches and comes back, here through a second handle on the file as
// another process would open it, resumes right after the last event it
// read. Create on an existing ring of the same geometry opens it.
func ExampleCreate() {
	dir := tempDir("create-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ticks")
	ctx := context.Background()

	r, err := disruptor.Create[Tick](path, 8)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	p, _ := r.NewProducer("feed")
	c, _ := r.NewConsumer("journal")
	publishTicks(p, 100, 5)
	for range 2 {
		ev, _ := c.Next(ctx)
		fmt.Println("first run:", ev.Seq, ev.Price)
	}
	c.Detach() // keeps the record: "journal" still gates the producer

	again, err := disruptor.Create[Tick](path, 8) // the ring is there: opened
	if err != nil {
		fmt.Println(err)
		return
	}
	defer again.Close()
	c2, _ := again.NewConsumer("journal")
	for {
		ev, err := c2.TryNext()
		if errors.Is(err, disruptor.ErrEmpty) {
			break
		}
		fmt.Println("resumed:", ev.Seq, ev.Price)
	}
	_, err = disruptor.Create[Tick](path, 16) // another geometry is refused
	fmt.Println("size 16:", errors.Is(err, disruptor.ErrGeometryMismatch))
	// Output:
	// first run: 0 100
	// first run: 1 101
	// resumed: 2 102
	// resumed: 3 103
	// resumed: 4 104
	// size 16: true
}

// An observer copies every event out of a shared ring without joining its
// consumer table: the producer never waits for it, and an observer that
// falls behind is told so (ErrLapped) and moves on to the oldest event
// still safe to read.
func ExampleObserver() {
	dir := tempDir("observer-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	r, err := disruptor.Create[Tick](filepath.Join(dir, "ticks"), 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	p, _ := r.NewProducer("feed")
	journal, _ := r.NewConsumer("journal")
	o, _ := r.NewObserver(false) // from the oldest event, not only new ones
	drain := func() { journal.Batch(ctx, func(*Tick, int64, bool) error { return nil }) }

	publishTicks(p, 100, 4) // the ring is full
	var t Tick
	for range 4 {
		seq, _ := o.Next(ctx, &t)
		fmt.Println("observed", seq, t.Price)
	}
	_, err = p.TryClaim()
	fmt.Println("full:", err) // the journal gates the producer; the observer does not

	drain()
	for i := range 8 { // the observer does not read: the producer laps it
		publishTicks(p, 200+int64(i), 1)
		drain()
	}
	p.Close()
	drain()
	_, err = o.Next(ctx, &t)
	fmt.Println("lapped:", errors.Is(err, disruptor.ErrLapped))
	last := int64(-1)
	for {
		seq, err := o.Next(ctx, &t)
		if err == io.EOF {
			break
		}
		last = seq
	}
	fmt.Println("caught up to", last, t.Price, "then EOF")
	// Output:
	// observed 0 100
	// observed 1 101
	// observed 2 102
	// observed 3 103
	// full: disruptor: ring full
	// lapped: true
	// caught up to 11 207 then EOF
}

// Inspect reads a shared ring's file without joining it, as tools do
// while other processes run the ring: its geometry, its event type, and
// every producer and consumer with its state and position.
func ExampleInspect() {
	dir := tempDir("inspect-example")
	defer os.RemoveAll(dir)
	r, err := disruptor.Create[Tick]("ticks", 16, disruptor.WithDir(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	p, _ := r.NewProducer("feed")
	live, _ := r.NewConsumer("live")
	gone, _ := r.NewConsumer("resumable")
	publishTicks(p, 100, 3)
	for range 3 {
		live.Next(context.Background())
	}
	live.TryNext() // finds nothing more: releases what it read
	gone.Next(context.Background())
	gone.Detach() // releases what it read, and keeps its place
	publishTicks(p, 103, 2)

	in, err := disruptor.Inspect("ticks", disruptor.WithDir(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(in.Capacity, "slots of", in.Type, in.TypeSize, "bytes; cursor", in.Cursor)
	for _, pr := range in.Producers {
		fmt.Println("producer", pr.Name, pr.State, "published", pr.Producer.Published)
	}
	for _, c := range in.Consumers {
		fmt.Println("consumer", c.Name, c.State, "position", c.Position, "lag", c.Lag)
	}
	_, err = disruptor.Inspect("nothing", disruptor.WithDir(dir))
	fmt.Println("missing:", errors.Is(err, os.ErrNotExist))
	// Output:
	// 16 slots of disruptor_test.Tick 16 bytes; cursor 4
	// producer feed live published 5
	// consumer live live position 2 lag 2
	// consumer resumable detached position 0 lag 4
	// missing: true
}

// A producer can wait for its consumers before publishing, so that none
// misses the first events: here the consumer, in another handle as another
// process would have it, starts at the latest event and registers late.
func ExampleRing_WaitForConsumers() {
	dir := tempDir("wait-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ticks")
	r, err := disruptor.Create[Tick](path, 8)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	fmt.Println(r.WaitForConsumers(short, 1))

	got := make(chan []int64)
	go func() { // the consumer's process
		a, err := disruptor.Attach[Tick](path)
		if err != nil {
			fmt.Println(err)
			close(got)
			return
		}
		defer a.Close()
		time.Sleep(20 * time.Millisecond) // starting up
		c, _ := a.NewConsumer("late", disruptor.StartAtLatest())
		var prices []int64
		for _, t := range c.Events(context.Background()) {
			prices = append(prices, t.Price)
		}
		got <- prices
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.WaitForConsumers(ctx, 1); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("consumers:", r.Consumers())
	p, _ := r.NewProducer("feed")
	publishTicks(p, 100, 3)
	p.Close()
	fmt.Println("the late consumer read", <-got)
	// Output:
	// disruptor: waiting for 1 consumers (have 0): context deadline exceeded
	// consumers: 1
	// the late consumer read [100 101 102]
}

// A consumer that detached (or died) keeps gating the producers until it
// comes back; EvictConsumer frees its record so that they go on.
func ExampleEvictConsumer() {
	dir := tempDir("evict-example")
	defer os.RemoveAll(dir)
	r, err := disruptor.Create[Tick]("ticks", 4, disruptor.WithDir(dir))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	p, _ := r.NewProducer("feed")
	c, _ := r.NewConsumer("report")
	c.Detach() // gone for the day, keeping its place
	publishTicks(p, 100, 4)
	_, err = p.TryClaim()
	fmt.Println("claim:", err)

	state, err := disruptor.EvictConsumer("ticks", "report", false, disruptor.WithDir(dir))
	fmt.Println("evicted a", state, "consumer:", err)
	_, err = p.TryClaim()
	fmt.Println("claim:", err)
	p.Skip()
	_, err = disruptor.EvictConsumer("ticks", "report", false, disruptor.WithDir(dir))
	fmt.Println(errors.Is(err, disruptor.ErrUnknownConsumer))
	// Output:
	// claim: disruptor: ring full
	// evicted a detached consumer: <nil>
	// claim: <nil>
	// true
}

// ListRings finds the ring files in a directory, whoever made them;
// Remove deletes one. Files that are not rings are not listed.
func ExampleListRings() {
	dir := tempDir("list-example")
	defer os.RemoveAll(dir)
	for _, name := range []string{"orders", "ticks"} {
		r, err := disruptor.Create[Tick](name, 8, disruptor.WithDir(dir))
		if err != nil {
			fmt.Println(err)
			return
		}
		r.Close()
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a ring"), 0o600)

	show := func() {
		paths, err := disruptor.ListRings(dir)
		if err != nil {
			fmt.Println(err)
		}
		var names []string
		for _, p := range paths {
			names = append(names, filepath.Base(p))
		}
		fmt.Println(strings.Join(names, " "))
	}
	show()
	fmt.Println(disruptor.Remove("orders", disruptor.WithDir(dir)))
	show()
	// Output:
	// orders ticks
	// <nil>
	// ticks
}
