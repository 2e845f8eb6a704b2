package disruptor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/layout"
)

// Processes that Create the same ring at once all end up on one ring: none
// removes another's new file and carries on with a ring of its own.
func TestSharedCreateRace(t *testing.T) {
	dir := t.TempDir()
	for round := range 100 {
		path := filepath.Join(dir, fmt.Sprint("ring", round))
		var wg sync.WaitGroup
		rings := make([]*Ring[shmEv], 4)
		for i := range rings {
			wg.Go(func() {
				deadline := time.Now().Add(5 * time.Second)
				for {
					r, err := Create[shmEv](path, 64, WithMultiProducer())
					if err == nil {
						rings[i] = r
						return
					}
					if !errors.Is(err, ErrNotInitialized) || time.Now().After(deadline) {
						t.Error(err)
						return
					}
					time.Sleep(time.Millisecond) // a creator at work: retry
				}
			})
		}
		wg.Wait()
		in, err := Inspect(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rings {
			if r != nil && r.sh.instance != in.Instance {
				t.Errorf("round %d: Create %d made a ring of its own, %#x, not %#x at %s", round, i, r.sh.instance, in.Instance, path)
			}
			if r != nil {
				r.Close()
			}
		}
		if t.Failed() {
			return
		}
	}
}

// A new file removed from its path before its creator locked it (a
// concurrent Create took it for stale) is given up, not laid out unseen.
func TestSharedCreateLostFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ring")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	cfg := newConfig(nil)
	params, _ := sharedParams[shmEv](64, &cfg)
	geo, err := layout.Plan(params)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createFile(f, path, geo, true); err != errLookAgain {
		t.Fatalf("createFile on a removed file: %v", err)
	}
}
