package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dr "github.com/disruptor-go/disruptor"
	"github.com/nats-io/nats-server/v2/server"
)

// natsURL starts an embedded nats-server with JetStream (file store in a
// temp dir, a random port of 127.0.0.1) for the test.
func natsURL(t *testing.T) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return fmt.Sprintf("nats://127.0.0.1:%d", s.Addr().(*net.TCPAddr).Port)
}

// produce → ring A → bridge out → stream → bridge in → ring B → consume:
// every event checked, the EOF carried through.
func TestBridgeCLI(t *testing.T) {
	url := natsURL(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	in := start(t, "bridge", "in", b, "-nats", url, "-stream", "CLI", "-durable", "cli-copy", "-size", "256", "-json", "-listen", "127.0.0.1:0")
	var addr string
	in.waitFor(t, "the metrics address", func(line string) bool {
		_, addr, _ = strings.Cut(line, "bridge: serving ")
		return addr != ""
	})
	resp, err := http.Get(addr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `disruptor_bridge_frames_total{direction="in",stream="CLI"}`) {
		t.Errorf("metrics:\n%s", body)
	}
	c := start(t, "consume", b, "-json", "-every", "0")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) { // consume is in before the first frame
		if in, err := dr.Inspect(b); err == nil && len(in.Consumers) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("consume did not register on ring b")
		}
	}
	out := start(t, "bridge", "out", a, "-nats", url, "-stream", "CLI", "-json")
	p := start(t, "produce", a, "-size", "256", "-count", "20000", "-consumers", "1", "-json", "-every", "0")
	var ps produceSummary
	p.wait(t, 0, &ps)
	var ob, ib bridgeSummary
	out.wait(t, 0, &ob)
	in.wait(t, 0, &ib)
	var cs consumeSummary
	c.wait(t, 0, &cs)
	if cs.Events != 20000 || !cs.EOF || cs.FirstSeq != 0 || cs.LastSeq != 19999 {
		t.Errorf("consume: %+v", cs)
	}
	if !ob.EOF || ob.Stats.Events != 20000 || !ib.EOF || ib.Stats.Events != 20000 || ib.Stats.Frames != ob.Stats.Frames {
		t.Errorf("bridge out: %+v\nbridge in: %+v", ob, ib)
	}
}

func TestBridgeCLIErrors(t *testing.T) {
	url := natsURL(t)
	ring := filepath.Join(t.TempDir(), "r")
	o := disruptor(t, "bridge", "in", ring, "-nats", url, "-stream", "NONE", "-create=false")
	if o.code != 1 || !strings.Contains(o.stderr, "stream not found") {
		t.Errorf("-create=false on a missing stream: exit %d, stderr %q", o.code, o.stderr)
	}
	for _, args := range [][]string{
		{"bridge", "sideways", ring, "-stream", "S"},
		{"bridge", "out", ring},
		{"bridge", "in", ring, "-stream", "S", "-size", "3"},
	} {
		if o := disruptor(t, args...); o.code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, o.code, o.stderr)
		}
	}
	if o := disruptor(t, "bridge", "-h"); o.code != 0 || !strings.Contains(o.stdout, "-stream") {
		t.Errorf("bridge -h: exit %d, stdout %q", o.code, o.stdout)
	}
}
