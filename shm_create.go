package disruptor

// Creating a shared ring: a new file, an existing compatible ring to reopen,
// or a stale file left by a creator that died (see shm.go).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"unsafe"

	"github.com/disruptor-go/disruptor/internal/layout"
)

// Create makes a ring of size slots in shared memory under name (see
// RingPath), for other processes to Attach. The file is created with
// O_EXCL and mode 0600 unless WithFileMode says otherwise, and its space is
// reserved at once. If a ring of the same geometry and event type already
// exists there, Create opens it instead, so a restarted producer resumes
// where the ring stands; a stale file left by a creator that died before
// finishing is replaced. E must be fixed-size and pointer-free.
func Create[E any](name string, size int, opts ...Option) (*Ring[E], error) {
	if !sharedSupported {
		return nil, fmt.Errorf("disruptor: shared rings: %w", errNoShared)
	}
	cfg := newConfig(opts)
	params, err := sharedParams[E](size, &cfg)
	if err != nil {
		return nil, err
	}
	geo, err := layout.Plan(params)
	if err != nil {
		return nil, fmt.Errorf("disruptor: %w", err)
	}
	path := RingPath(name, opts...)
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|openNoFollow, cfg.mode)
		if err == nil {
			sh, err := createFile(f, path, geo)
			if err == errLookAgain {
				continue
			}
			if err != nil {
				return nil, err
			}
			return sharedRing[E](sh, &cfg), nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("disruptor: create %s: %w", path, err)
		}
		r, err := Attach[E](path, opts...)
		switch {
		case err == nil:
			if err := r.sh.header().CheckGeometry(params); err != nil {
				r.Close()
				return nil, fmt.Errorf("disruptor: %s exists: %w", path, err)
			}
			return r, nil
		case errors.Is(err, fs.ErrNotExist): // removed as stale meanwhile
		case errors.Is(err, ErrNotInitialized) || errors.Is(err, ErrCorrupt):
			sh, cerr := claimStale(path, geo)
			switch {
			case cerr == nil:
				return sharedRing[E](sh, &cfg), nil
			case cerr == errBusy:
				return nil, err
			case cerr != errLookAgain:
				return nil, cerr
			}
		default:
			return nil, err
		}
	}
	return nil, fmt.Errorf("disruptor: create %s: the file keeps changing under us", path)
}

// Outcomes of claimStale and createFile that are not failures.
var (
	errBusy      = errors.New("disruptor: a creator is at work")
	errLookAgain = errors.New("disruptor: the file changed: look again")
)

// claimStale deals with the file at path, which was not a ready ring: if its
// creator holds the creation lock, errBusy; if it is empty, it lays a ring
// out in it; otherwise the file is stale and is removed (errLookAgain, as
// when it changed since the caller looked).
func claimStale(path string, geo layout.Geometry) (*shared, error) {
	f, err := os.OpenFile(path, os.O_RDWR|openNoFollow, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errLookAgain
		}
		return nil, errBusy
	}
	if ok, err := tryLock(f, lockCreate); err != nil || !ok {
		f.Close()
		return nil, errBusy
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() == 0 {
		return createFile(f, path, geo) // it checks that path names f
	}
	if err == nil && !isSameFile(fi, path) || err == nil && isReady(f, fi.Size()) {
		err = errLookAgain
	} else if err == nil {
		err = os.Remove(path)
	}
	f.Close() // and so unlock
	if err == nil {
		err = errLookAgain
	}
	return nil, err
}

func isSameFile(fi os.FileInfo, path string) bool {
	pi, err := os.Lstat(path)
	return err == nil && os.SameFile(fi, pi)
}

// isReady reports whether f, of size bytes, holds a ready ring's header.
func isReady(f *os.File, size int64) bool {
	b := make([]byte, layout.HeaderSize)
	if size < layout.HeaderSize {
		return false
	}
	if _, err := f.ReadAt(b, 0); err != nil {
		return false
	}
	_, err := layout.Decode(b, size)
	return err == nil
}

// createFile lays a new ring out in f, an empty file at path that Create
// made or found stale. Until a file is locked, another Create may take it
// for stale and lay it out first: then, and if path no longer names f,
// createFile returns errLookAgain.
func createFile(f *os.File, path string, geo layout.Geometry) (*shared, error) {
	fail := func(err error) (*shared, error) {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("disruptor: create %s: %w", path, err)
	}
	if err := waitLock(f, lockCreate); err != nil { // held at most a moment by another Create
		return fail(fmt.Errorf("creation lock: %v", err))
	}
	if fi, err := f.Stat(); err != nil || fi.Size() != 0 || !isSameFile(fi, path) {
		f.Close()
		return nil, errLookAgain
	}
	if err := reserve(f, int64(geo.FileSize)); err != nil {
		return fail(err)
	}
	mem, err := mapFile(f, int(geo.FileSize))
	if err != nil {
		return fail(err)
	}
	hdr := layout.NewHeader(geo)
	layout.Encode(&hdr, mem[:layout.HeaderSize])
	sh := &shared{path: path, f: f, mem: mem, geo: geo, instance: hdr.InstanceID}
	sh.view()
	e := engine{ctl: &sh.ctl.control, size: int64(geo.Capacity), mask: int64(geo.Capacity - 1)}
	if geo.MultiProducer {
		e.avail = unsafe.Slice((*availWord)(unsafe.Pointer(&mem[geo.Avail.Offset])), geo.Capacity)
	}
	e.initWords(0)
	layout.StateWord(mem).Store(layout.StateReady)
	unlock(f, lockCreate)
	return sh, nil
}
