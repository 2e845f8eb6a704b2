package disruptor

// Lingering: a consumer that lets the producers get ahead.
//
// A consumer right behind its producer reads a few events at a time, and
// every small read pulls the cursor's line and the slot lines the producer
// is still writing to the other core and back: the lines move once an
// event instead of once a batch. A consumer that finds events already
// waiting for it (it did not have to wait: the producers are ahead and
// publishing), but fewer than lingerBatch, waits a little (pausing, up to
// its linger budget) while the producers keep publishing, then takes what
// has come. It looks every lingerLook pauses, and stops when nothing new
// arrives for lingerIdle pauses. A consumer that had to wait for its
// events (a ping-pong, a lone event) never lingers: the latency of an
// event nobody follows is not traded.
// Nor does a consumer of a crowded ring (more participants than processors,
// see engine.Crowded): there, the producers it would wait for may be
// waiting for its processor.

import "github.com/disruptor-go/disruptor/internal/engine"
import "time"

const (
	lingerBatch = 64 // what a consumer is content to find
	lingerIdle  = 8  // pauses without a new event that end a linger
	// lingerLook: pauses between looks at what is readable. Each look
	// takes the lines the producer is writing (the cursor's, or the
	// availability words') to this core and back; one a pause made the
	// producer wait for them (`disruptor bench -scenario unicast`: 9.2-9.6
	// ns an event, 8.0-9.1 with one look every 4 pauses)
	lingerLook = 4
	pauseNanos = 25 // about one CPU pause, for turning a linger into pauses
)

// DefaultLinger is how long a consumer lingers by default (see Linger).
const DefaultLinger = time.Microsecond

// Linger sets how long, at most, the consumer waits for more events when it
// finds only a few while the producers keep publishing (default
// DefaultLinger; 0 never lingers). Lingering trades up to d of latency for
// throughput: events move between cores in batches. It never waits for a
// producer that stopped publishing, nor on a ring with more producers and
// consumers than processors, where that producer may be waiting for the
// consumer's processor.
func Linger(d time.Duration) ConsumerOption {
	return func(c *consumerConfig) { c.linger, c.lingerSet = d, true }
}

// lingerPauses is a linger of d in pauses.
func lingerPauses(d time.Duration) int { return int(d.Nanoseconds() / pauseNanos) }

// linger waits while fewer than lingerBatch events from next are readable
// and more keep coming, up to the consumer's budget; it returns the highest
// readable sequence.
func (c *Consumer[E]) linger(hi int64) int64 {
	idle := 0
	for paused := 0; paused < c.lingers && hi-c.next+1 < lingerBatch && idle < lingerIdle; {
		n := min(lingerLook, c.lingers-paused)
		for range n {
			engine.CPUPause()
		}
		paused += n
		if h := c.readable(); h > hi {
			hi, idle = h, 0
		} else {
			idle += n
		}
	}
	return hi
}
