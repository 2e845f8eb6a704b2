package disruptor

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

type shmEv struct {
	Seq int64
	Sum uint64
}

func TestSharedSmoke(t *testing.T) {
	dir := t.TempDir()
	for _, multi := range []bool{false, true} {
		opts := []Option{WithDir(dir)}
		if multi {
			opts = append(opts, WithMultiProducer())
		}
		name := "smoke"
		if multi {
			name = "smoke-mp"
		}
		r, err := Create[shmEv](name, 64, opts...)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Attach[shmEv](name, WithDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.NewConsumer("c1")
		if err != nil {
			t.Fatal(err)
		}
		d, err := a.NewConsumer("c2", AfterName("c1"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.NewConsumer("c1"); !errors.Is(err, ErrConsumerExists) {
			t.Fatalf("duplicate name: %v", err)
		}
		p, err := r.NewProducer("p")
		if err != nil {
			t.Fatal(err)
		}
		const N = 100000
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done := make(chan error, 2)
		for _, cc := range []*Consumer[shmEv]{c, d} {
			go func() {
				var want int64
				for {
					ev, err := cc.Next(ctx)
					if err == io.EOF {
						break
					}
					if err != nil {
						done <- err
						return
					}
					if ev.Seq != want || ev.Sum != uint64(want)*7 {
						done <- errors.New("bad event")
						return
					}
					want++
				}
				if want != N {
					done <- errors.New("short")
					return
				}
				done <- nil
			}()
		}
		for i := int64(0); i < N; i++ {
			ev, err := p.Claim(ctx)
			if err != nil {
				t.Fatal(err)
			}
			*ev = shmEv{Seq: i, Sum: uint64(i) * 7}
			p.Publish()
		}
		p.Close()
		for range 2 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		in, err := Inspect(name, WithDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Consumers) != 2 || in.Consumers[0].State != "live" || in.Consumers[1].Position != N {
			t.Fatalf("inspect: %+v", in.Consumers)
		}
		var rep strings.Builder
		if err := a.Report(&rep); err != nil || !strings.Contains(rep.String(), " c2 ") || !strings.Contains(rep.String(), " p ") {
			t.Fatalf("report of a shared ring from the attaching handle misses participants (%v):\n%s", err, rep.String())
		}
		if len(in.Producers) != 1 || in.Producers[0].State != "closed" || in.Producers[0].Producer.Published != N {
			t.Fatalf("inspect: %+v", in.Producers)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		a.Close()
		r.Close()
	}
}
