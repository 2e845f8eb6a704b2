package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// tev is the tests' event: 64 bytes.
type tev struct {
	N   int64 // the producer's own count
	Sum uint64
	Pad [6]int64
}

func tsum(n int64) uint64 { return uint64(n)*0x9e3779b97f4a7c15 ^ 0x2545f4914f6cdd1d }

// jsServer is an embedded nats-server with JetStream, its file store in a
// temp dir, on a random port of 127.0.0.1 (kept across restarts).
type jsServer struct {
	t    testing.TB
	dir  string
	port int
	s    *server.Server
}

func startJS(t testing.TB) *jsServer {
	t.Helper()
	j := &jsServer{t: t, dir: t.TempDir(), port: -1}
	j.start()
	t.Cleanup(j.stop)
	return j
}

func (j *jsServer) start() {
	j.t.Helper()
	opts := &server.Options{Host: "127.0.0.1", Port: j.port, JetStream: true, StoreDir: j.dir, NoLog: true, NoSigs: true}
	s, err := server.NewServer(opts)
	if err != nil {
		j.t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		j.t.Fatal("nats-server did not start")
	}
	j.s = s
	j.port = s.Addr().(*net.TCPAddr).Port
}

func (j *jsServer) stop() {
	if j.s != nil {
		j.s.Shutdown()
		j.s.WaitForShutdown()
		j.s = nil
	}
}

func (j *jsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", j.port) }

// connect returns a JetStream context that reconnects for ever.
func (j *jsServer) connect(t testing.TB) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(j.url(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond), nats.RetryOnFailedConnect(true))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(1024))
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func makeStream(t testing.TB, js jetstream.JetStream, name string) jetstream.Stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := EnsureStream(ctx, js, StreamConfig(name, 0, 1), true)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// produce publishes n events into r, a flush after every event whose
// count is flushEvery-1 modulo flushEvery, a hole now and then, then EOF.
func produce(ctx context.Context, r *disruptor.Ring[tev], from, n, flushEvery int64, pause time.Duration) error {
	p, err := r.NewProducer("src")
	if err != nil {
		return err
	}
	for i := from; i < from+n; i++ {
		ev, err := p.Claim(ctx)
		if err != nil {
			return err
		}
		*ev = tev{N: i, Sum: tsum(i)}
		p.Publish()
		if i%flushEvery == flushEvery-1 {
			if err := p.Flush(ctx); err != nil {
				return err
			}
		}
		if i%97 == 13 { // a hole: consumers pass over it
			if _, err := p.Claim(ctx); err != nil {
				return err
			}
			p.Skip()
		}
		if pause > 0 && i%64 == 0 {
			time.Sleep(pause)
		}
	}
	return p.CloseContext(ctx)
}

// checkRing reads r to its EOF as consumer name and checks it saw events
// 0..n-1 exactly once, in order, with a flush right after every
// flushEvery-th one.
func checkRing(ctx context.Context, r *disruptor.Ring[tev], c *disruptor.Consumer[tev], n, flushEvery int64) error {
	_, err := readRing(ctx, c, func() int64 { return n }, flushEvery)
	return err
}

// readRing is checkRing for a count known only at the EOF (want's result
// then); it returns how many events it read.
func readRing(ctx context.Context, c *disruptor.Consumer[tev], want func() int64, flushEvery int64) (int64, error) {
	next, flushes := int64(0), int64(0)
	for {
		ev, err := c.Next(ctx)
		switch {
		case err == nil:
			if ev.N != next || ev.Sum != tsum(ev.N) {
				return next, fmt.Errorf("ring sequence %d: event %d (sum %#x), want %d", c.Sequence(), ev.N, ev.Sum, next)
			}
			next++
		case errors.Is(err, disruptor.ErrFlush):
			if next%flushEvery != 0 || next == 0 {
				return next, fmt.Errorf("a flush after event %d, want one after every %d", next-1, flushEvery)
			}
			if flushes++; flushes != next/flushEvery {
				return next, fmt.Errorf("flush %d after event %d: a flush twice", flushes, next-1)
			}
		case err == io.EOF:
			if n := want(); next != n || flushes != n/flushEvery {
				return next, fmt.Errorf("EOF after %d events and %d flushes, want %d and %d", next, flushes, n, n/flushEvery)
			}
			return next, nil
		case errors.Is(err, disruptor.ErrProducerGone):
			time.Sleep(5 * time.Millisecond) // the bridge's process died: another comes
		default:
			return next, fmt.Errorf("after event %d: %w", next-1, err)
		}
	}
}

// checkStream reads the whole stream and checks each ring sequence is in
// exactly one frame, frames contiguous from 0, ending with the EOF.
func checkStream(ctx context.Context, st jetstream.Stream, ring string) (frames int, err error) {
	info, err := st.Info(ctx)
	if err != nil {
		return 0, err
	}
	layout, _ := Layout[tev]()
	next := int64(0)
	var last *frame
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		raw, err := st.GetMsg(ctx, seq)
		if err != nil {
			return frames, fmt.Errorf("stream sequence %d: %w", seq, err)
		}
		f, err := decode(raw.Header, raw.Data, seq, ring, layout, 64)
		if err != nil {
			return frames, err
		}
		if f.first != next {
			return frames, fmt.Errorf("stream sequence %d covers ring sequences %d..%d, want from %d (duplicate or gap)", seq, f.first, f.last, next)
		}
		next, last = f.last+1, f
		frames++
	}
	if last == nil || last.marker != MarkerEOF {
		return frames, fmt.Errorf("the stream does not end with the EOF (%d frames)", frames)
	}
	return frames, nil
}

func ringPath(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }
