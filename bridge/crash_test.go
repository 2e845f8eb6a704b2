//go:build linux

package bridge

// The crash test: ring A → Out → stream → In → ring B, with Out and In in
// child processes (this test binary re-executed, as the root package's
// cross-process tests do) killed by SIGKILL at random points and started
// again, from a printed seed. Ring B's reader must see every event of ring
// A exactly once, in order, flushes included, then the EOF; the stream must
// hold each ring sequence exactly once.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const envChild = "DISRUPTOR_BRIDGE_CHILD"

// childSpec is a child's role: "out" or "in", over ring Path; Durable is
// In's durable consumer (none: an ordered consumer).
type childSpec struct {
	Role, Path, URL, Stream, Durable string
}

// TestBridgeChild is the child of TestBridgeCrash; run on its own it does
// nothing. It exits 0 once its direction reached the EOF, 1 on an error.
func TestBridgeChild(t *testing.T) {
	env := os.Getenv(envChild)
	if env == "" {
		t.Skip("the child process of TestBridgeCrash")
	}
	var s childSpec
	if err := json.Unmarshal([]byte(env), &s); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := runChild(s); err != nil {
		fmt.Fprintf(os.Stderr, "child %s: %v\n", s.Role, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runChild(s childSpec) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	nc, err := nats.Connect(s.URL, nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond))
	if err != nil {
		return err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	r, err := disruptor.Attach[tev](s.Path)
	if err != nil {
		return err
	}
	cfg := Config{JS: js, Stream: s.Stream, FrameEvents: 32, Window: 8, AckTimeout: time.Second, Durable: s.Durable}
	if s.Role == "out" {
		o, err := NewOut(ctx, r, cfg)
		if err != nil {
			return err
		}
		return o.Run(ctx)
	}
	in, err := NewIn(ctx, r, cfg)
	if err != nil {
		return err
	}
	return in.Run(ctx)
}

type crashChild struct {
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan struct{}
	err  error
}

func startChild(t *testing.T, s childSpec) *crashChild {
	js, _ := json.Marshal(s)
	c := &crashChild{done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestBridgeChild$", "-test.count=1")
	c.cmd.Env = append(os.Environ(), envChild+"="+string(js))
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	return c
}

func (c *crashChild) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *crashChild) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// crashSeed is DISRUPTOR_SEED if set, else the clock, mixed with the
// test's name; it is logged.
func crashSeed(t *testing.T) uint64 {
	base := uint64(time.Now().UnixNano())
	if v := os.Getenv("DISRUPTOR_SEED"); v != "" {
		s, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			t.Fatalf("DISRUPTOR_SEED=%q: %v", v, err)
		}
		base = uint64(s)
	}
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	t.Logf("seed: repeat with DISRUPTOR_SEED=%d go test -run '^%s$' ./bridge", int64(base), t.Name())
	return base ^ h.Sum64()
}

// TestBridgeCrash kills the bridge processes DISRUPTOR_BRIDGE_KILLS times
// (20 by default; the soak tier, DISRUPTOR_SOAK=1, 500).
func TestBridgeCrash(t *testing.T) { crashRun(t, "", 20) }

// TestBridgeCrashDurable is TestBridgeCrash with In reading through a
// durable consumer: kills leave messages delivered and unacknowledged,
// which the server redelivers after later ones (10 kills by default).
func TestBridgeCrashDurable(t *testing.T) { crashRun(t, "copy", 10) }

func crashRun(t *testing.T, durable string, kills int) {
	if os.Getenv("DISRUPTOR_SOAK") == "1" {
		kills = 500
	}
	if v := os.Getenv("DISRUPTOR_BRIDGE_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("DISRUPTOR_BRIDGE_KILLS=%q: %v", v, err)
		}
		kills = n
	}
	rng := rand.New(rand.NewPCG(crashSeed(t), 7))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second+time.Duration(kills)*300*time.Millisecond)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 256, 256)
	// The out consumer's record exists before ring A's first event, so
	// that every event waits for it.
	pre, err := pl.a.NewConsumer("bridge-out", disruptor.ManualRelease())
	if err != nil {
		t.Fatal(err)
	}
	pre.Detach()

	const flushEvery = 100
	var produced atomic.Int64
	stopProducing := make(chan struct{})
	errs := make(chan error, 2)
	go func() {
		p, err := pl.a.NewProducer("src")
		if err != nil {
			errs <- err
			return
		}
		for i := int64(0); ; i++ {
			select {
			case <-stopProducing:
				produced.Store(i)
				errs <- p.CloseContext(ctx)
				return
			default:
			}
			ev, err := p.Claim(ctx)
			if err != nil {
				errs <- err
				return
			}
			*ev = tev{N: i, Sum: tsum(i)}
			p.Publish()
			if i%flushEvery == flushEvery-1 {
				if err := p.Flush(ctx); err != nil {
					errs <- err
					return
				}
			}
			if i%97 == 13 {
				if _, err := p.Claim(ctx); err != nil {
					errs <- err
					return
				}
				p.Skip()
			}
			if i%16 == 0 {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	var read int64
	go func() {
		var err error
		read, err = readRing(ctx, pl.reader, produced.Load, flushEvery)
		errs <- err
	}()

	spec := func(role, path string) childSpec {
		return childSpec{Role: role, Path: path, URL: srv.url(), Stream: "FRAMES", Durable: durable}
	}
	kids := map[string]*crashChild{"out": startChild(t, spec("out", pl.a.Path())), "in": startChild(t, spec("in", pl.b.Path()))}
	paths := map[string]string{"out": pl.a.Path(), "in": pl.b.Path()}
	t.Cleanup(func() { // the test's goroutine is done with kids
		for role, c := range kids {
			if !c.exited() {
				c.kill()
			}
			if t.Failed() {
				t.Logf("child %s (%v):\n%s", role, c.err, c.out.String())
			}
		}
	})
	check := func(role string) {
		if c := kids[role]; c.exited() {
			t.Fatalf("child %s exited before the EOF (%v):\n%s", role, c.err, c.out.String())
		}
	}
	for k := 0; k < kills; k++ {
		role := []string{"out", "in"}[rng.IntN(2)]
		time.Sleep(time.Duration(rng.IntN(120_000)) * time.Microsecond)
		check("out")
		check("in")
		kids[role].kill()
		kids[role] = startChild(t, spec(role, paths[role]))
	}
	close(stopProducing)
	for range 2 {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-ctx.Done():
			t.Fatalf("no end: read %d of %d events", pl.reader.Stats().Events, produced.Load())
		}
	}
	for role, c := range kids {
		select {
		case <-c.done:
			if c.err != nil {
				t.Fatalf("child %s: %v:\n%s", role, c.err, c.out.String())
			}
		case <-ctx.Done():
			t.Fatalf("child %s did not end", role)
		}
	}
	frames, err := checkStream(ctx, pl.st, pl.ringID)
	if err != nil {
		t.Fatal(err)
	}
	// Each restart took its killed predecessor's counter record over.
	for _, path := range paths {
		in, err := disruptor.Inspect(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Apps) != 1 {
			t.Errorf("%s holds %d bridge counter sets after %d kills, want 1: %+v", path, len(in.Apps), kills, in.Apps)
		}
	}
	t.Logf("%d kills: %d events in %d frames, exactly once", kills, read, frames)
}
