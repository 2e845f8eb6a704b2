//go:build linux

package disruptor

// Hostile and mistaken ring files: every way Attach (and Inspect, and
// Create over an existing file) refuses a file, each with its own typed
// error; symlinks; permissions; reopening and replacing.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/layout"
	"github.com/disruptor-go/disruptor/internal/typecheck"
)

// xsentinels are the errors a ring file can be refused with; a refusal
// wraps exactly one of them.
var xsentinels = []error{ErrInvalidParams, ErrNotInitialized, ErrBadMagic, ErrIncompatibleVersion, ErrForeignEndian,
	ErrCorrupt, ErrGeometryMismatch, ErrTypeMismatch, ErrNotShareable, ErrForeignOwner}

// xonly checks that err wraps want and no other sentinel.
func xonly(t *testing.T, what string, err, want error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %v", what, want)
		return
	}
	for _, s := range xsentinels {
		if errors.Is(err, s) != (s == want) {
			t.Errorf("%s: %v: errors.Is(%v) = %v", what, err, s, !(s == want))
		}
	}
}

// xringFile makes a valid ring file of xev at a new path and closes it.
func xringFile(t *testing.T, opts ...Option) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ring")
	r, err := Create[xev](path, 64, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// xpatch overwrites bytes of the file at off.
func xpatch(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func xinstance(t *testing.T, path string) uint64 {
	t.Helper()
	in, err := Inspect(path)
	if err != nil {
		t.Fatalf("Inspect(%s): %v", path, err)
	}
	return in.Instance
}

// TestSharedAttachHostileFiles damages a valid ring file in one way at a
// time; Attach and Inspect refuse each with its own error.
func TestSharedAttachHostileFiles(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
		want   error
	}{
		{"bad magic", func(t *testing.T, p string) { xpatch(t, p, 0, []byte("NOTARING")) }, ErrBadMagic},
		{"version", func(t *testing.T, p string) { xpatch(t, p, 8, []byte{99, 0, 0, 0}) }, ErrIncompatibleVersion},
		{"foreign endian", func(t *testing.T, p string) { xpatch(t, p, 12, []byte{1, 2, 3, 4}) }, ErrForeignEndian},
		{"state blank", func(t *testing.T, p string) { xpatch(t, p, 16, []byte{0, 0, 0, 0}) }, ErrNotInitialized},
		{"capacity (checksum)", func(t *testing.T, p string) { xpatch(t, p, 24, []byte{128}) }, ErrCorrupt},
		{"type hash (checksum)", func(t *testing.T, p string) { xpatch(t, p, 120, []byte{0x5a}) }, ErrCorrupt},
		{"reserved byte", func(t *testing.T, p string) { xpatch(t, p, 3000, []byte{1}) }, ErrCorrupt},
		{"truncated to half", func(t *testing.T, p string) {
			fi, _ := os.Stat(p)
			os.Truncate(p, fi.Size()/2)
		}, ErrCorrupt},
		{"truncated header", func(t *testing.T, p string) { os.Truncate(p, 100) }, ErrCorrupt},
		{"truncated to nothing", func(t *testing.T, p string) { os.Truncate(p, 0) }, ErrNotInitialized},
		{"blank page", func(t *testing.T, p string) { os.WriteFile(p, make([]byte, 4096), 0o600) }, ErrNotInitialized},
		{"blank large", func(t *testing.T, p string) { os.WriteFile(p, make([]byte, 1<<20), 0o600) }, ErrNotInitialized},
		{"fifo", func(t *testing.T, p string) {
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skip(err)
			}
		}, ErrCorrupt},
		{"foreign owner", func(t *testing.T, p string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to give the file away")
			}
			if err := os.Chown(p, 12345, 12345); err != nil {
				t.Skip(err)
			}
		}, ErrForeignOwner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := xringFile(t)
			tc.damage(t, path)
			r, err := Attach[xev](path)
			if err == nil {
				r.Close()
			}
			xonly(t, "Attach", err, tc.want)
			_, err = Inspect(path)
			xonly(t, "Inspect", err, tc.want)
		})
	}
}

// TestSharedAttachRandomDamage flips random bytes of the header and cuts
// the file at random lengths: Attach returns a handle or an error wrapping
// exactly one sentinel, and never panics.
func TestSharedAttachRandomDamage(t *testing.T) {
	x := newXT(t, 30*time.Second)
	good := xringFile(t)
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "damaged")
	rounds := int(xscaled(300, 20000))
	accepted := 0
	for i := range rounds {
		b := append([]byte(nil), orig...)
		for range 1 + x.rng.IntN(3) {
			off := x.rng.IntN(layout.HeaderSize)
			if x.rng.IntN(2) == 0 {
				off = x.rng.IntN(300) // the fields, not the reserved bytes
			}
			b[off] ^= byte(1 + x.rng.IntN(255))
		}
		if x.rng.IntN(4) == 0 {
			b = b[:x.rng.IntN(len(b)+1)]
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := Attach[xev](path)
		if err == nil {
			accepted++
			r.Close()
			continue
		}
		n := 0
		for _, s := range xsentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %v wraps %d sentinels", i, err, n)
		}
	}
	t.Logf("%d of %d damaged files accepted (damage that missed every checked byte)", accepted, rounds)
}

// A type of the same name as xev with another layout.
type xevOther struct{ A, B, C, D, E int64 }

type xevString struct {
	Seq  int64
	Name string
}

type xevSlice struct {
	Seq  int64
	Legs []int64
}

type xevPointer struct {
	Seq  int64
	Next *xevPointer
}

type xevNested struct {
	Seq   int64
	Inner [2]struct{ M map[int]int }
}

// TestSharedAttachTypes: Attach with another event type than the creator's
// gives ErrTypeMismatch; a type that holds pointers is refused by Create
// and Attach with ErrNotShareable, naming the field.
func TestSharedAttachTypes(t *testing.T) {
	path := xringFile(t)
	_, err := Attach[xevOther](path)
	xonly(t, "Attach[xevOther]", err, ErrTypeMismatch)
	{
		type xev struct { // same name and size as the ring's type, another layout
			P, N  int64
			Sum   uint64
			Stamp uint64
			At    int32
			Pad   int32
		}
		_, err := Attach[xev](path)
		xonly(t, "Attach of a look-alike xev", err, ErrTypeMismatch)
	}
	check := func(what string, err error, field string) {
		t.Helper()
		xonly(t, what, err, ErrNotShareable)
		var te *typecheck.Error
		if !errors.As(err, &te) || !strings.HasSuffix(te.Path, field) {
			t.Errorf("%s: %v does not name the field %s", what, err, field)
		}
	}
	dir := t.TempDir()
	_, err = Attach[xevString](path)
	check("Attach[xevString]", err, ".Name")
	_, err = Create[xevString](filepath.Join(dir, "s"), 64)
	check("Create[xevString]", err, ".Name")
	_, err = Attach[xevSlice](path)
	check("Attach[xevSlice]", err, ".Legs")
	_, err = Create[xevSlice](filepath.Join(dir, "l"), 64)
	check("Create[xevSlice]", err, ".Legs")
	_, err = Attach[xevPointer](path)
	check("Attach[xevPointer]", err, ".Next")
	_, err = Create[xevPointer](filepath.Join(dir, "p"), 64)
	check("Create[xevPointer]", err, ".Next")
	_, err = Create[xevNested](filepath.Join(dir, "n"), 64)
	check("Create[xevNested]", err, ".Inner[0].M")
	_, err = Create[struct{}](filepath.Join(dir, "z"), 64)
	xonly(t, "Create[struct{}]", err, ErrNotShareable)
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("refused Creates left files behind: %v", ents)
	}
}

// TestSharedCreateExisting: Create over a compatible ring reopens it; over
// an incompatible one it fails and leaves the file alone; a stale file
// (blank, or whose creator died before finishing) is replaced, but not
// while its creator still holds the creation lock.
func TestSharedCreateExisting(t *testing.T) {
	t.Run("reopen", func(t *testing.T) {
		path := xringFile(t)
		id := xinstance(t, path)
		r1, err := Create[xev](path, 64)
		if err != nil {
			t.Fatalf("Create over a compatible ring: %v", err)
		}
		defer r1.Close()
		r2, err := Create[xev](path, 64)
		if err != nil {
			t.Fatalf("Create over a compatible ring in use: %v", err)
		}
		defer r2.Close()
		if got := xinstance(t, path); got != id {
			t.Fatalf("instance %#x after reopening, want %#x: the ring was recreated", got, id)
		}
		c, err := r2.NewConsumer("c")
		if err != nil {
			t.Fatal(err)
		}
		p, err := r1.NewProducer("p")
		if err != nil {
			t.Fatal(err)
		}
		for i := range int64(3) {
			ev, _ := p.TryClaim()
			*ev = xev{N: i, Sum: xsum(0, i)}
			p.Publish()
		}
		p.Close()
		k := newXcheck()
		if err := xconsume(t.Context(), c, k, xconsumeOpts{}, nil); err != nil || k.Count != 3 {
			t.Fatalf("events through the reopened ring: %d, %v", k.Count, err)
		}
	})
	t.Run("incompatible", func(t *testing.T) {
		path := xringFile(t)
		id := xinstance(t, path)
		for _, tc := range []struct {
			name string
			try  func() error
			want error
		}{
			{"size", func() error { _, err := Create[xev](path, 128); return err }, ErrGeometryMismatch},
			{"multi-producer", func() error { _, err := Create[xev](path, 64, WithMultiProducer()); return err }, ErrGeometryMismatch},
			{"max consumers", func() error { _, err := Create[xev](path, 64, WithMaxConsumers(8)); return err }, ErrGeometryMismatch},
			{"type", func() error { _, err := Create[xevOther](path, 64); return err }, ErrTypeMismatch},
		} {
			xonly(t, "Create with another "+tc.name, tc.try(), tc.want)
			if got := xinstance(t, path); got != id {
				t.Fatalf("Create with another %s replaced the ring", tc.name)
			}
		}
	})
	t.Run("not a ring", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ring")
		data := []byte("precious data, not a ring file\n")
		os.WriteFile(path, data, 0o600)
		_, err := Create[xev](path, 64)
		xonly(t, "Create over a foreign file", err, ErrBadMagic)
		if got, _ := os.ReadFile(path); string(got) != string(data) {
			t.Fatalf("Create changed a file that is not a ring")
		}
	})
	stale := map[string]func(t *testing.T, path string){
		"empty": func(t *testing.T, p string) { os.WriteFile(p, nil, 0o600) },
		"blank": func(t *testing.T, p string) { os.WriteFile(p, make([]byte, 8192), 0o600) },
		"creating": func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			layout.StateWord(b).Store(layout.StateCreating)
			os.WriteFile(p, b, 0o600)
		},
	}
	for name, mk := range stale {
		t.Run("stale "+name, func(t *testing.T) {
			path := xringFile(t)
			old := xinstance(t, path)
			mk(t, path)
			// While a creator holds the creation lock, the file is left alone.
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := tryLock(f, lockCreate); !ok {
				t.Fatalf("creation lock: %v", err)
			}
			_, err = Create[xev](path, 64)
			xonly(t, "Create while the creator is at work", err, ErrNotInitialized)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the file being created was removed: %v", err)
			}
			f.Close()
			// Its creator gone, the file is replaced.
			r, err := Create[xev](path, 64)
			if err != nil {
				t.Fatalf("Create over a stale file: %v", err)
			}
			defer r.Close()
			if id := xinstance(t, path); id == old {
				t.Fatalf("instance unchanged: the stale file was not replaced")
			}
		})
	}
}

// TestSharedFilePermissions: files are created 0600 unless asked; no
// symlink is followed, by Create, Attach or Inspect.
func TestSharedFilePermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ring")
	r, err := Create[xev](path, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	r2, err := Create[xev](filepath.Join(dir, "shared"), 64, WithFileMode(0o640))
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	fi, _ = os.Stat(filepath.Join(dir, "shared"))
	if m := fi.Mode().Perm(); m&^0o640 != 0 || m&0o600 != 0o600 {
		t.Errorf("WithFileMode(0640): mode %v", m)
	}

	id := xinstance(t, path)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if r, err := Attach[xev](link); !errors.Is(err, syscall.ELOOP) {
		if err == nil {
			r.Close()
		}
		t.Errorf("Attach through a symlink: %v, want ELOOP", err)
	}
	if _, err := Inspect(link); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("Inspect through a symlink: %v, want ELOOP", err)
	}
	if r, err := Create[xev](link, 64); !errors.Is(err, syscall.ELOOP) {
		if err == nil {
			r.Close()
		}
		t.Errorf("Create through a symlink: %v, want ELOOP", err)
	}
	if got := xinstance(t, path); got != id {
		t.Errorf("the symlink's target was replaced")
	}
	if _, err := os.Lstat(link); err != nil {
		t.Errorf("the symlink was removed: %v", err)
	}
	dangling := filepath.Join(dir, "dangling")
	target := filepath.Join(dir, "target")
	os.Symlink(target, dangling)
	if r, err := Create[xev](dangling, 64); err == nil {
		r.Close()
		t.Errorf("Create through a dangling symlink succeeded")
	}
	if _, err := os.Lstat(target); err == nil {
		t.Errorf("Create through a dangling symlink created its target")
	}
}
