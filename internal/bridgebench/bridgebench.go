// Package bridgebench is the bridge scenario of `disruptor bench`: ring →
// JetStream stream → ring through the bridge package, beside a baseline
// that publishes and consumes the same frames with nats.go alone, no ring.
// Both run against a nats-server embedded in the process, its file store in
// a temporary directory.
package bridgebench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/disruptor-go/disruptor"
	"github.com/disruptor-go/disruptor/bridge"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Name is the scenario's name.
const Name = "bridge"

// Frame geometry: 256 events of 64 bytes a frame.
const (
	FrameEvents = 256
	EventSize   = 64
	window      = 64
	ringSize    = 16384
)

// ringOpts are the options of the scenario's two rings: waiters park at
// once (disruptor.Park). The server shares the machine's processors with
// the rings' producers and consumers, and a waiter that spins takes one
// from it; with the default strategy, which learns to spin through the
// short waits between acknowledgements, a profile of this scenario spent
// most of the process's CPU in the rings' wait loops.
var ringOpts = []disruptor.Option{disruptor.WithWaitStrategy(disruptor.Park())}

// DefaultEvents is the events of one measurement by default.
const DefaultEvents = 1 << 19

// event is the scenario's 64-byte event: its number and when it was made.
type event struct {
	N, At int64
	_     [6]int64
}

// Row is one measurement, a JSON row of `disruptor bench -json`.
type Row struct {
	Scenario     string   `json:"scenario"`
	Transport    string   `json:"transport"`
	Impl         string   `json:"impl"` // "disruptor" (the bridge) or "jetstream" (nats.go alone)
	Events       int64    `json:"events"`
	Frames       int64    `json:"frames"`
	Runs         int      `json:"runs"`
	NsPerEvent   float64  `json:"ns_per_event"`
	EventsPerSec float64  `json:"events_per_sec"`
	FramesPerSec float64  `json:"frames_per_sec"`
	P50          int64    `json:"p50_ns"` // end to end: made in ring A (or the publisher) to read in ring B (or the reader)
	P99          int64    `json:"p99_ns"`
	Ratio        *float64 `json:"ratio_to_jetstream,omitempty"` // disruptor rows: events/s over the baseline's
}

// Run measures both implementations, each runs times (the median run by
// events/s is reported), events events each.
func Run(ctx context.Context, events int64, runs int) ([]Row, error) {
	events = max(events/FrameEvents, 1) * FrameEvents
	dir, err := os.MkdirTemp("", "disruptor-bridge-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, err
	}
	go srv.Start()
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	if !srv.ReadyForConnections(20 * time.Second) {
		return nil, errors.New("bench bridge: nats-server did not start")
	}
	url := fmt.Sprintf("nats://127.0.0.1:%d", srv.Addr().(*net.TCPAddr).Port)
	var rows []Row
	k := 0
	for _, impl := range []string{"disruptor", "jetstream"} {
		var best []Row
		for range runs {
			k++
			r, err := runOnce(ctx, url, "BENCH"+strconv.Itoa(k), impl, events)
			if err != nil {
				return nil, fmt.Errorf("bridge/%s: %w", impl, err)
			}
			best = append(best, r)
		}
		row := median(best)
		row.Runs = runs
		rows = append(rows, row)
	}
	if rows[1].EventsPerSec > 0 {
		x := rows[0].EventsPerSec / rows[1].EventsPerSec
		rows[0].Ratio = &x
	}
	return rows, nil
}

func median(rs []Row) Row {
	for i := range rs { // a handful: insertion sort by events/s
		for j := i; j > 0 && rs[j].EventsPerSec < rs[j-1].EventsPerSec; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	return rs[len(rs)/2]
}

func runOnce(ctx context.Context, url, stream, impl string, events int64) (Row, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn := func() (jetstream.JetStream, *nats.Conn, error) {
		nc, err := nats.Connect(url)
		if err != nil {
			return nil, nil, err
		}
		js, err := jetstream.New(nc)
		return js, nc, err
	}
	pub, nc1, err := conn()
	if err != nil {
		return Row{}, err
	}
	defer nc1.Close()
	sub, nc2, err := conn()
	if err != nil {
		return Row{}, err
	}
	defer nc2.Close()
	if _, err := bridge.EnsureStream(ctx, pub, bridge.StreamConfig(stream, 0, 1), true); err != nil {
		return Row{}, err
	}
	defer pub.DeleteStream(context.Background(), stream)
	hist := hdrhistogram.New(1, int64(time.Minute), 3)
	var elapsed time.Duration
	var frames int64
	if impl == "disruptor" {
		elapsed, frames, err = viaBridge(ctx, pub, sub, stream, events, hist)
	} else {
		elapsed, frames, err = viaJetStream(ctx, pub, sub, stream, events, hist)
	}
	if err != nil {
		return Row{}, err
	}
	s := elapsed.Seconds()
	return Row{Scenario: Name, Transport: "inproc", Impl: impl, Events: events, Frames: frames,
		NsPerEvent: float64(elapsed.Nanoseconds()) / float64(events), EventsPerSec: float64(events) / s,
		FramesPerSec: float64(frames) / s, P50: hist.ValueAtQuantile(50), P99: hist.ValueAtQuantile(99)}, nil
}

// viaBridge: a producer into ring A, Out, the stream, In, ring B, a reader.
func viaBridge(ctx context.Context, pub, sub jetstream.JetStream, stream string, events int64, hist *hdrhistogram.Histogram) (time.Duration, int64, error) {
	a, err := disruptor.New[event](ringSize, ringOpts...)
	if err != nil {
		return 0, 0, err
	}
	b, err := disruptor.New[event](ringSize, ringOpts...)
	if err != nil {
		return 0, 0, err
	}
	cfg := bridge.Config{JS: pub, Stream: stream, RingID: "bench-" + stream, FrameEvents: FrameEvents, Window: window}
	out, err := bridge.NewOut(ctx, a, cfg)
	if err != nil {
		return 0, 0, err
	}
	cfg.JS = sub
	in, err := bridge.NewIn(ctx, b, cfg)
	if err != nil {
		return 0, 0, err
	}
	reader, err := b.NewConsumer("reader")
	if err != nil {
		return 0, 0, err
	}
	p, err := a.NewProducer("src")
	if err != nil {
		return 0, 0, err
	}
	errs := make(chan error, 3)
	go func() { errs <- out.Run(ctx) }()
	go func() { errs <- in.Run(ctx) }()
	t0 := time.Now()
	go func() {
		for i := int64(0); i < events; i += FrameEvents {
			batch, err := p.ClaimN(ctx, FrameEvents)
			if err != nil {
				errs <- err
				return
			}
			now := time.Now().UnixNano()
			for k := range batch.Len() {
				*batch.At(k) = event{N: i + int64(k), At: now}
			}
			p.Publish()
		}
		errs <- p.Close()
	}()
	for next := int64(0); ; {
		ev, err := reader.Next(ctx)
		if err == io.EOF {
			if next != events {
				return 0, 0, fmt.Errorf("EOF after %d events of %d", next, events)
			}
			break
		}
		if err != nil {
			return 0, 0, err
		}
		if ev.N != next {
			return 0, 0, fmt.Errorf("event %d where %d was due", ev.N, next)
		}
		hist.RecordValue(max(time.Now().UnixNano()-ev.At, 1))
		next++
	}
	elapsed := time.Since(t0)
	for range 3 {
		if err := <-errs; err != nil {
			return 0, 0, err
		}
	}
	return elapsed, out.Stats().Frames, nil
}

// viaJetStream: the same frames (256 events of 64 bytes, each publication
// expecting the stream's last sequence, with a message id, a window of 64
// in flight) published and read with nats.go alone.
func viaJetStream(ctx context.Context, pub, sub jetstream.JetStream, stream string, events int64, hist *hdrhistogram.Histogram) (time.Duration, int64, error) {
	frames := events / FrameEvents
	subject := stream + ".frames"
	cons, err := sub.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return 0, 0, err
	}
	it, err := cons.Messages()
	if err != nil {
		return 0, 0, err
	}
	defer it.Stop()
	errs := make(chan error, 1)
	t0 := time.Now()
	go func() {
		var win []jetstream.PubAckFuture
		await := func() error {
			select {
			case <-win[0].Ok():
			case err := <-win[0].Err():
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
			win = win[1:]
			return nil
		}
		for f := int64(0); f < frames; f++ {
			body := make([]byte, FrameEvents*EventSize)
			now := time.Now().UnixNano()
			for k := range int64(FrameEvents) {
				binary.LittleEndian.PutUint64(body[k*EventSize:], uint64(f*FrameEvents+k))
				binary.LittleEndian.PutUint64(body[k*EventSize+8:], uint64(now))
			}
			if len(win) >= window {
				if err := await(); err != nil {
					errs <- err
					return
				}
			}
			m := nats.NewMsg(subject)
			m.Data = body
			m.Header.Set(nats.MsgIdHdr, "bench:"+strconv.FormatInt(f, 10))
			fut, err := pub.PublishMsgAsync(m, jetstream.WithExpectLastSequence(uint64(f)))
			if err != nil {
				errs <- err
				return
			}
			win = append(win, fut)
		}
		for len(win) > 0 {
			if err := await(); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	next := int64(0)
	for f := int64(0); f < frames; f++ {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return 0, 0, err
		}
		body := msg.Data()
		if len(body) != FrameEvents*EventSize {
			return 0, 0, fmt.Errorf("a frame of %d bytes", len(body))
		}
		for k := 0; k < FrameEvents; k++ {
			n := int64(binary.LittleEndian.Uint64(body[k*EventSize:]))
			if n != next {
				return 0, 0, fmt.Errorf("event %d where %d was due", n, next)
			}
			at := int64(binary.LittleEndian.Uint64(body[k*EventSize+8:]))
			hist.RecordValue(max(time.Now().UnixNano()-at, 1))
			next++
		}
	}
	elapsed := time.Since(t0)
	if err := <-errs; err != nil {
		return 0, 0, err
	}
	return elapsed, frames, nil
}
