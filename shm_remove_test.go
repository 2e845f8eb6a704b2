//go:build linux

package disruptor

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disruptor-go/disruptor/internal/layout"
)

// Remove deletes only rings: everything else that Create refuses (and an
// empty file) gives ErrNotRing, saying what it found, and is left as it
// was; a ring of this or another layout version, and a creator's blank
// page, are removed; a missing path gives fs.ErrNotExist.
func TestRemoveOnlyRings(t *testing.T) {
	for _, tc := range xspecials() {
		if strings.Contains(tc.name, "another version") {
			continue // a ring, of a layout this build cannot open: below
		}
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r")
			tc.make(t, path)
			before := xsnap(t, path)
			err := Remove(path)
			if !errors.Is(err, ErrNotRing) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("Remove: %v; want ErrNotRing saying %q", err, tc.says)
			}
			if after := xsnap(t, path); !after.same(before) {
				t.Fatalf("Remove changed what it refused: %+v, was %+v", after, before)
			}
		})
	}
	t.Run("empty file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "r")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := Remove(path); !errors.Is(err, ErrNotRing) {
			t.Fatalf("Remove: %v, want ErrNotRing", err)
		}
		if _, err := os.Lstat(path); err != nil {
			t.Fatalf("the empty file is gone: %v", err)
		}
	})
	removed := func(t *testing.T, path string) {
		t.Helper()
		if err := Remove(path); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("still there: %v", err)
		}
		if err := Remove(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Remove of a missing file: %v, want fs.ErrNotExist", err)
		}
	}
	t.Run("ring", func(t *testing.T) { removed(t, xringFile(t)) })
	t.Run("ring of another version", func(t *testing.T) {
		ring, err := os.ReadFile(xringFile(t))
		if err != nil {
			t.Fatal(err)
		}
		ring[8] = 99
		path := filepath.Join(t.TempDir(), "r")
		if err := os.WriteFile(path, ring, 0o600); err != nil {
			t.Fatal(err)
		}
		removed(t, path)
	})
	t.Run("blank page", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "r")
		if err := os.WriteFile(path, bytes.Repeat([]byte{0}, 2*layout.PageSize), 0o600); err != nil {
			t.Fatal(err)
		}
		removed(t, path)
	})
}
