package disruptor_test

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/disruptor-go/disruptor"
)

// latencies is a LatencyRecorder that keeps what it is given; an
// *hdrhistogram.Histogram or a metrics.Latency would do in a program.
type latencies []time.Duration

func (l *latencies) RecordValue(ns int64) error {
	*l = append(*l, time.Duration(ns))
	return nil
}

// RecordLatency measures publish-to-consume latency, per event, on a ring
// that stamps its publications (WithPublishTimes); a ring that does not
// costs nothing and records nothing.
func ExampleRecordLatency() {
	for _, stamped := range []bool{false, true} {
		var opts []disruptor.Option
		if stamped {
			opts = append(opts, disruptor.WithPublishTimes())
		}
		r, _ := disruptor.New[int](8, opts...)
		p, _ := r.NewProducer("p")
		var lat latencies
		c, _ := r.NewConsumer("c", disruptor.RecordLatency(&lat))
		for i := range 3 {
			ev, _ := p.Claim(context.Background())
			*ev = i
			p.Publish()
		}
		p.Close()
		for _, err := c.Next(context.Background()); err != io.EOF; _, err = c.Next(context.Background()) {
		}
		fmt.Println("stamped:", stamped, "latencies recorded:", len(lat))
	}
	// Output:
	// stamped: false latencies recorded: 0
	// stamped: true latencies recorded: 3
}
