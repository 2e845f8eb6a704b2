//go:build linux

package disruptor

// Only what is ours is touched: Create over a FIFO, a device, a socket, a
// directory, a symbolic link or a file with other contents fails with
// ErrNotRing and leaves it as it was; stale rings are still recovered; a
// failed layout removes only the file Create made.

import (
	"bytes"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/disruptor-go/disruptor/internal/layout"
	"golang.org/x/sys/unix"
)

// xnode is what Lstat and reading say of a path, to tell that nothing
// changed it.
type xnode struct {
	dev, ino uint64
	mode     fs.FileMode
	size     int64
	mtime    time.Time
	data     []byte // a regular file's contents
	link     string // a symbolic link's target
}

func xsnap(t *testing.T, path string) xnode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	n := xnode{dev: uint64(st.Dev), ino: st.Ino, mode: fi.Mode(), size: fi.Size(), mtime: fi.ModTime()}
	switch {
	case fi.Mode().IsRegular():
		if n.data, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	case fi.Mode()&fs.ModeSymlink != 0:
		if n.link, err = os.Readlink(path); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func (n xnode) same(m xnode) bool {
	return n.dev == m.dev && n.ino == m.ino && n.mode == m.mode && n.size == m.size &&
		n.mtime.Equal(m.mtime) && bytes.Equal(n.data, m.data) && n.link == m.link
}

// xspecial is a path holding something that is not a ring.
type xspecial struct {
	name string
	make func(t *testing.T, path string)
	says string // what the error must say it found
}

func xspecials() []xspecial {
	write := func(b []byte) func(t *testing.T, path string) {
		return func(t *testing.T, p string) {
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	mknod := func(mode uint32, dev uint64) func(t *testing.T, path string) {
		return func(t *testing.T, p string) {
			if os.Geteuid() != 0 {
				t.Skip("making a device node needs root")
			}
			if err := unix.Mknod(p, mode|0o600, int(dev)); err != nil {
				t.Skipf("mknod: %v", err)
			}
		}
	}
	ringHeader := func(patch func(b []byte)) func(t *testing.T, path string) {
		return func(t *testing.T, p string) {
			b := make([]byte, 2*layout.HeaderSize)
			r := xringFile(t)
			ring, err := os.ReadFile(r)
			if err != nil {
				t.Fatal(err)
			}
			copy(b, ring[:layout.HeaderSize])
			patch(b)
			write(b)(t, p)
		}
	}
	page := bytes.Repeat([]byte{0xa5}, layout.HeaderSize)
	zeroMagic := make([]byte, 3*layout.HeaderSize)
	zeroMagic[100] = 1 // no magic, but not blank either
	return []xspecial{
		{"fifo", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Skip(err)
			}
		}, "is a FIFO"},
		// The numbers of /dev/null, and of a block device of the range
		// reserved for local use, which nothing here has: never opened.
		{"char device", mknod(unix.S_IFCHR, unix.Mkdev(1, 3)), "is a character device"},
		{"block device", mknod(unix.S_IFBLK, unix.Mkdev(240, 77)), "is a block device"},
		{"socket", func(t *testing.T, p string) {
			l, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
			if err != nil {
				t.Skip(err)
			}
			l.SetUnlinkOnClose(false)
			t.Cleanup(func() { l.Close() })
		}, "is a socket"},
		{"directory", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
			write([]byte("inside"))(t, filepath.Join(p, "file"))
		}, "is a directory"},
		{"symlink to a ring", func(t *testing.T, p string) {
			if err := os.Symlink(xringFile(t), p); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link"},
		{"symlink to a file", func(t *testing.T, p string) {
			target := filepath.Join(t.TempDir(), "file")
			write([]byte("a file"))(t, target)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link"},
		{"symlink to an empty file", func(t *testing.T, p string) {
			target := filepath.Join(t.TempDir(), "empty")
			write(nil)(t, target)
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link"},
		{"text", write([]byte("precious data, not a ring file\n")), "not a ring"},
		{"short binary", write([]byte{0xde, 0xad}), "not a ring"},
		{"short zeros", write(make([]byte, 100)), "not a ring"},
		{"zeros, not whole pages", write(make([]byte, layout.HeaderSize+100)), "not a ring"},
		{"a page of data", write(page), "not a ring"},
		{"no magic, not blank", write(zeroMagic), "not a ring"},
		{"magic prefix only", write([]byte(layout.Magic[:4])), "not a ring"},
		{"ring header of another version, not ready", ringHeader(func(b []byte) {
			b[8] = 99
			layout.StateWord(b).Store(layout.StateCreating)
		}), "not a ring"},
	}
}

// Create over each kind of path that holds no ring fails with ErrNotRing,
// saying what it found, and leaves it as it was (same inode, mode, size,
// time and contents); so does Attach, and Inspect reads nothing of it.
func TestSharedCreateSpecialFiles(t *testing.T) {
	for _, tc := range xspecials() {
		t.Run(tc.name, func(t *testing.T) {
			hardDeadline(t, 20*time.Second)
			path := filepath.Join(t.TempDir(), "r")
			tc.make(t, path)
			before := xsnap(t, path)
			var target xnode
			if before.link != "" {
				target = xsnap(t, before.link)
			}
			for _, opts := range [][]Option{nil, {WithMultiProducer()}} {
				r, err := Create[xev](path, 64, opts...)
				if err == nil {
					r.Close()
					t.Fatalf("Create over a %s succeeded", tc.name)
				}
				if !errors.Is(err, ErrNotRing) || !strings.Contains(err.Error(), tc.says) {
					t.Errorf("Create: %v; want ErrNotRing saying %q", err, tc.says)
				}
			}
			r, err := Attach[xev](path)
			if err == nil {
				r.Close()
				t.Fatalf("Attach to a %s succeeded", tc.name)
			}
			if !before.mode.IsRegular() && (!errors.Is(err, ErrNotRing) || !strings.Contains(err.Error(), tc.says)) {
				t.Errorf("Attach: %v; want ErrNotRing saying %q", err, tc.says)
			}
			if _, err := Inspect(path); err == nil {
				t.Errorf("Inspect of a %s succeeded", tc.name)
			}
			if after := xsnap(t, path); !after.same(before) {
				t.Errorf("the %s changed:\nbefore %+v\nafter  %+v", tc.name, before, after)
			}
			if before.link != "" {
				if after := xsnap(t, before.link); !after.same(target) {
					t.Errorf("the symlink's target changed:\nbefore %+v\nafter  %+v", target, after)
				}
			}
		})
	}
}

// A stale ring (its header written, its state never ready, its creation
// lock free: a creator that died) is still replaced, whatever geometry
// the dead creator chose, and so is one whose header page was cut short.
func TestSharedCreateStaleRecovers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stale func(t *testing.T, path string)
	}{
		{"creating, other geometry", func(t *testing.T, p string) {
			r, err := Create[xevOther](p, 256, WithMultiProducer(), WithMaxConsumers(4))
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			b, _ := os.ReadFile(p)
			layout.StateWord(b).Store(layout.StateCreating)
			os.WriteFile(p, b, 0o600)
		}},
		{"creating, damaged checksum", func(t *testing.T, p string) {
			b, _ := os.ReadFile(xringFile(t))
			layout.StateWord(b).Store(layout.StateCreating)
			b[24] ^= 0xff
			os.WriteFile(p, b, 0o600)
		}},
		{"header cut short", func(t *testing.T, p string) {
			b, _ := os.ReadFile(xringFile(t))
			os.WriteFile(p, b[:100], 0o600)
		}},
		{"blank pages", func(t *testing.T, p string) { os.WriteFile(p, make([]byte, 3*layout.HeaderSize), 0o600) }},
		{"empty", func(t *testing.T, p string) { os.WriteFile(p, nil, 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hardDeadline(t, 20*time.Second)
			path := filepath.Join(t.TempDir(), "r")
			tc.stale(t, path)
			before := xsnap(t, path)
			r, err := Create[xev](path, 64)
			if err != nil {
				t.Fatalf("Create over a stale ring: %v", err)
			}
			defer r.Close()
			in, err := Inspect(path)
			if err != nil || in.Capacity != 64 || in.Type != r.sh.header().Type.Name {
				t.Fatalf("the recovered ring: %+v, %v", in, err)
			}
			if after := xsnap(t, path); after.same(before) {
				t.Fatalf("the stale file is unchanged")
			}
			p, err := r.NewProducer("p")
			if err != nil {
				t.Fatal(err)
			}
			ev, err := p.TryClaim()
			if err != nil {
				t.Fatal(err)
			}
			*ev = xev{N: 1}
			p.Publish()
			if r.Cursor() != 0 {
				t.Fatalf("cursor %d after one publish", r.Cursor())
			}
		})
	}
}

// When laying a ring out fails (here: the file size limit makes
// fallocate fail), Create removes the file it made itself, and empties
// again an empty file it found instead of removing it.
func TestSharedCreateFailureCleansOnlyItsOwn(t *testing.T) {
	hardDeadline(t, 20*time.Second)
	var old unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	const limit = 1 << 20 // a 64k-slot ring of xev takes more
	lim := old
	lim.Cur = limit
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &lim); err != nil {
		t.Skip(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_FSIZE, &old)
	dir := t.TempDir()

	made := filepath.Join(dir, "new")
	if r, err := Create[xev](made, 1<<16); err == nil {
		r.Close()
		t.Skip("the file size limit did not stop fallocate on this file system")
	} else if !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("Create beyond the file size limit: %v, want EFBIG", err)
	}
	if _, err := os.Lstat(made); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the file Create made is still there: %v", err)
	}

	found := filepath.Join(dir, "found")
	if err := os.WriteFile(found, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	before := xsnap(t, found)
	if r, err := Create[xev](found, 1<<16); err == nil {
		r.Close()
		t.Fatal("Create beyond the file size limit succeeded")
	}
	after := xsnap(t, found)
	if after.ino != before.ino || after.dev != before.dev || after.size != 0 || after.mode != before.mode {
		t.Errorf("the empty file Create found was not left empty:\nbefore %+v\nafter  %+v", before, after)
	}

	unix.Setrlimit(unix.RLIMIT_FSIZE, &old)
	r, err := Create[xev](found, 1<<16)
	if err != nil {
		t.Fatalf("Create once the limit is lifted: %v", err)
	}
	r.Close()
}
