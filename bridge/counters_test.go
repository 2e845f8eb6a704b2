//go:build linux

package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor"
)

// appSet finds the bridge's counter set of role in the ring at path, as
// another process (this one, not the bridge's) reads it.
func appSet(t *testing.T, path, role string) (disruptor.Participant, bool) {
	t.Helper()
	in, err := disruptor.Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range in.Apps {
		if p.Role == role {
			return p, true
		}
	}
	return disruptor.Participant{}, false
}

// The bridge's counters live in its rings: this process sees those of Out
// and In running in child processes, live while they run, and their final
// values once they have exited.
func TestBridgeCountersAcrossProcesses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := startJS(t)
	pl := newPipeline(t, srv, 256, 256)
	pre, err := pl.a.NewConsumer("bridge-out", disruptor.ManualRelease())
	if err != nil {
		t.Fatal(err)
	}
	pre.Detach()
	spec := func(role, path string) childSpec {
		return childSpec{Role: role, Path: path, URL: srv.url(), Stream: "FRAMES"}
	}
	out := startChild(t, spec("out", pl.a.Path()))
	in := startChild(t, spec("in", pl.b.Path()))
	t.Cleanup(func() {
		for _, c := range []*crashChild{out, in} {
			if !c.exited() {
				c.kill()
			}
			if t.Failed() {
				t.Logf("child (%v):\n%s", c.err, c.out.String())
			}
		}
	})
	const half, n = 200, 400
	p, err := pl.a.NewProducer("src")
	if err != nil {
		t.Fatal(err)
	}
	publish := func(from, to int64) {
		for i := from; i < to; i++ {
			ev, err := p.Claim(ctx)
			if err != nil {
				t.Fatal(err)
			}
			*ev = tev{N: i, Sum: tsum(i)}
			p.Publish()
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	publish(0, half)
	for _, x := range []struct {
		path, role string
		pid        int
	}{{pl.a.Path(), "bridge_out", out.cmd.Process.Pid}, {pl.b.Path(), "bridge_in", in.cmd.Process.Pid}} {
		for {
			s, ok := appSet(t, x.path, x.role)
			if ok && s.Values["events"] == half {
				if s.State != disruptor.StateLive || s.PID != x.pid || s.Values["frames"] < 1 || s.Values["acked_sequence"] < 1 {
					t.Fatalf("%s's counters while it runs: %+v, want live in pid %d with frames and an acked sequence", x.role, s, x.pid)
				}
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("%s's counters never showed %d events: %+v (found %v)", x.role, half, s, ok)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	publish(half, n)
	if err := p.CloseContext(ctx); err != nil {
		t.Fatal(err)
	}
	if err := checkRing(ctx, pl.b, pl.reader, n, half); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*crashChild{out, in} {
		select {
		case <-c.done:
			if c.err != nil {
				t.Fatalf("child: %v:\n%s", c.err, c.out.String())
			}
		case <-ctx.Done():
			t.Fatal("a child did not end at the EOF")
		}
	}
	info, err := pl.st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := int64(info.State.LastSeq)
	o, _ := appSet(t, pl.a.Path(), "bridge_out")
	i, _ := appSet(t, pl.b.Path(), "bridge_in")
	for _, s := range []disruptor.Participant{o, i} {
		if s.State != disruptor.StateDead || s.Values["events"] != n || s.Values["acked_sequence"] != last ||
			s.Values["frames_in_flight"] != 0 || s.Values["events_in_flight"] != 0 || s.Values["frames"] != last {
			t.Errorf("%s's counters after its process exited: %+v; want dead, %d events, %d frames acknowledged up to stream sequence %d, none in flight", s.Role, s, n, last, last)
		}
	}
}
